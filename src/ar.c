/* ar.c - the AR(p) baseline by recursive least squares; see ar.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ar.h"
#include "real.h"
#include "ser.h"

/* The numbers of the upper triangle of an (n, n) matrix. */
static size_t
tri_len(int n)
{
	return (size_t)n * (size_t)(n + 1) / 2;
}

/* The index of P_ij, i <= j, in the triangle of N rows, row by row. */
static size_t
tri_at(int n, int i, int j)
{
	return (size_t)i * (size_t)n - (size_t)i * (size_t)(i - 1) / 2 +
	    (size_t)(j - i);
}

int
ar_init(struct ar *a, int p, int h)
{
	int i, n = p + 1;
	double *blk;

	ar_free(a);
	a->p = p;
	if (h == 0)	/* no baseline: nothing sees it */
		return 0;
	blk = calloc((size_t)(n + tri_len(n) + p + 2 * h), sizeof *blk);
	if (blk == NULL)
		return -1;
	a->h = h;
	a->w = blk;
	a->P = a->w + n;
	a->hist = a->P + tri_len(n);
	a->pend = a->hist + p + h;
	for (i = 0; i < n; i++)
		a->P[tri_at(n, i, i)] = AR_DELTA;
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
 * start, AR_DELTA, needs that): only its upper triangle is kept, row i
 * from P_ii on at P + rb[i] (P_ij at [j], j >= i).  Each element of P phi
 * is summed over j in the order j = 0..n-1, from 0, whichever half its
 * P_ij is read from, as the whole matrix was (the same bits).
 */
RNNF_HOT static void
rls(struct ar *a, const double *phi, double y)
{
	double Pphi[AR_N], den = AR_LAMBDA, e = y;
	size_t rb[AR_N], k;
	int i, j, n = a->p + 1;

	for (i = 0, k = 0; i < n; k += (size_t)(n - i), i++)
		rb[i] = k - (size_t)i;
	for (i = 0; i < n; i++) {
		double s = 0;

		for (j = 0; j < i; j++)
			s += a->P[rb[j] + i] * phi[j];
		for (; j < n; j++)
			s += a->P[rb[i] + j] * phi[j];
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
		double *Pi = a->P + rb[i], ki = Pphi[i];

		for (j = i; j < n; j++)
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

/* Equal bits, or NaN both. */
static int
same_f64(double x, double y)
{
	return memcmp(&x, &y, sizeof x) == 0 || (isnan(x) && isnan(y));
}

/*
 * P as the model file holds it, the whole (n, n) matrix row by row.  Every
 * version made it symmetric, so a loaded P must be; its upper triangle is
 * kept.
 */
static void
P_ser(struct ser *s, double *P, int n)
{
	double r[AR_N];
	int i, j, bad = 0;

	for (i = 0; i < n && !ser_failed(s); i++) {
		if (!ser_loading(s))
			for (j = 0; j < n; j++)
				r[j] = P[j < i ? tri_at(n, j, i) : tri_at(n, i, j)];
		ser_f64s(s, r, (size_t)n);
		if (!ser_loading(s))
			continue;
		for (j = 0; j < i; j++)
			bad |= !same_f64(r[j], P[tri_at(n, j, i)]);
		for (j = i; j < n; j++)
			P[tri_at(n, i, j)] = r[j];
	}
	if (bad)
		ser_fail(s, "AR baseline out of range");
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
			a->p = p;
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
	P_ser(s, a->P, n);
	ser_f64s(s, a->hist, (size_t)(a->p + a->h));
	ser_f64s(s, a->pend, (size_t)a->h);
}
