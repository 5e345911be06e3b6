/* ar.c - the AR(p) baseline by recursive least squares; see ar.h. */
#include <stdlib.h>
#include <string.h>
#include "ar.h"
#include "real.h"
#include "ser.h"

/* 4-double vectors, as in base.c: each lane does the plain loop's work. */
typedef double v4df __attribute__((vector_size(32)));

int
ar_init(struct ar *a, int p, int h)
{
	int i, n = p + 1;
	double *blk;

	ar_free(a);
	blk = calloc((size_t)(n + n * n + p + 2 * h), sizeof *blk);
	if (blk == NULL)
		return -1;
	a->p = p;
	a->h = h;
	a->w = blk;
	a->P = a->w + n;
	a->hist = a->P + n * n;
	a->pend = a->hist + p + h;
	for (i = 0; i < n; i++)
		a->P[i * n + i] = AR_DELTA;
	return 0;
}

void
ar_free(struct ar *a)
{
	free(a->w);
	memset(a, 0, sizeof *a);
}

int
ar_due(const struct ar *a)
{
	return a->h > 0 && a->n >= (uint64_t)a->h;
}

double
ar_pred(const struct ar *a)
{
	return a->pend[a->n % (uint64_t)a->h];
}

double
ar_forecast(const struct ar *a)
{
	return a->pend[(a->n - 1) % (uint64_t)a->h];
}

/* phi = (1, x_{s} - c, ..., x_{s-p+1} - c) for the item at step S. */
static void
regressor(const struct ar *a, uint64_t s, double *phi)
{
	int len = a->p + a->h, k = (int)(s % (uint64_t)len), i;

	phi[0] = 1;
	for (i = 0; i < a->p; i++) {	/* one division, then walk back */
		phi[1 + i] = a->hist[k] - a->off;
		k = k > 0 ? k - 1 : len - 1;
	}
}

/*
 * One RLS step on the pair (phi, y):
 *   k = P phi / (lambda + phi' P phi),  w += k (y - w' phi),
 *   P = (P - k k' (lambda + phi' P phi)) / lambda.
 * The product k_i k_j is formed before it is scaled, and floating-point
 * multiplication commutes, so P stays exactly symmetric (the ill-conditioned
 * start, AR_DELTA, needs that) while every row is updated in one plain,
 * vectorisable loop.  P phi is therefore summed down the columns, four
 * rows at a time in one vector, each row's sum in the order j = 0..n-1.
 */
RNNF_HOT static void
rls(struct ar *a, const double *phi, double y)
{
	double Pphi[AR_N], den = AR_LAMBDA, e = y;
	int i, j, n = a->p + 1;

	for (i = 0; i + 4 <= n; i += 4) {
		v4df s = {0}, p;

		for (j = 0; j < n; j++) {
			memcpy(&p, a->P + j * n + i, sizeof p);
			s += p * phi[j];
		}
		memcpy(Pphi + i, &s, sizeof s);
	}
	for (; i < n; i++) {
		const double *Pi = a->P + i * n;
		double s = 0;

		for (j = 0; j < n; j++)
			s += Pi[j] * phi[j];
		Pphi[i] = s;
	}
	for (i = 0; i < n; i++) {
		den += phi[i] * Pphi[i];
		e -= a->w[i] * phi[i];
	}
	for (i = 0; i < n; i++) {
		Pphi[i] /= den;		/* now the gain k */
		a->w[i] += Pphi[i] * e;
	}
	for (i = 0; i < n; i++) {
		double *Pi = a->P + i * n, ki = Pphi[i];

		for (j = 0; j < n; j++)
			Pi[j] = (Pi[j] - ki * Pphi[j] * den) * (1 / AR_LAMBDA);
	}
}

void
ar_push(struct ar *a, double x, int present)
{
	uint64_t t = a->n, h, len;
	double phi[AR_N], f;
	int i;

	if (a->h <= 0)
		return;
	h = (uint64_t)a->h;
	len = (uint64_t)(a->p + a->h);
	if (!present && t >= h)
		x = ar_pred(a);
	if (t == 0)
		a->off = x;
	/* fit x_t on x_{t-h}, ..., x_{t-h-p+1} */
	if (present && t + 1 >= h + (uint64_t)a->p && t >= h) {
		regressor(a, t - h, phi);
		rls(a, phi, x - a->off);
		a->nfit++;
	}
	a->hist[t % len] = x;
	/* forecast x_{t+h} from x_t, ..., x_{t-p+1} */
	f = x;
	if (a->nfit >= 2 * (uint64_t)(a->p + 1) && t + 1 >= (uint64_t)a->p) {
		regressor(a, t, phi);
		f = a->off;
		for (i = 0; i <= a->p; i++)
			f += a->w[i] * phi[i];
	}
	a->pend[t % h] = f;
	a->n++;
}

void
ar_ser(struct ser *s, struct ar *a)
{
	int p = a->p, h = a->h, n;

	ser_int(s, &p);
	ser_int(s, &h);
	if (ser_loading(s)) {
		if (p < 0 || p > AR_MAX_ORDER || h < 0 || h > AR_MAX_HORIZON) {
			ser_fail(s, "AR order or horizon out of range");
			return;
		}
		if (h == 0) {	/* saved without a baseline */
			ar_free(a);
			return;
		}
		if ((p != a->p || h != a->h || a->w == NULL) &&
		    ar_init(a, p, h) != 0) {
			ser_fail_nomem(s);
			return;
		}
	}
	if (a->h == 0)
		return;
	n = a->p + 1;
	ser_f64(s, &a->off);
	ser_u64(s, &a->n);
	ser_u64(s, &a->nfit);
	ser_f64s(s, a->w, (size_t)n);
	ser_f64s(s, a->P, (size_t)(n * n));
	ser_f64s(s, a->hist, (size_t)(a->p + a->h));
	ser_f64s(s, a->pend, (size_t)a->h);
}
