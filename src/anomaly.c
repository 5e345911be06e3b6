/* anomaly.c - see anomaly.h. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "anomaly.h"
#include "ser.h"

void
anomaly_init(struct anomaly *a)
{
	memset(a, 0, sizeof *a);
	a->hold_prev = a->hold_cur = -HUGE_VAL;
}

void
anomaly_ser(struct ser *s, struct anomaly *a, int old)
{
	ser_f64(s, &a->n);
	ser_f64(s, &a->mu);
	ser_f64(s, &a->var);
	if (old) {
		ser_u64(s, &a->alerts);
		if (ser_loading(s) && !(a->n >= 0 && a->var >= 0 &&
		    isfinite(a->mu) && isfinite(a->var)))
			ser_fail(s, "anomaly model out of range");
		return;
	}
	ser_f64(s, &a->ns);
	ser_f64(s, &a->mad);
	ser_f64(s, &a->u);
	ser_f64(s, &a->beta);
	ser_f64(s, &a->vm);
	ser_f64(s, &a->vs);
	ser_f64s(s, a->first, ANOM_WARMUP);
	ser_f64(s, &a->hold_prev);
	ser_f64(s, &a->hold_cur);
	ser_u64(s, &a->hold_n);
	ser_u64(s, &a->alerts);
	if (ser_loading(s) && !(a->n >= 0 && a->var >= 0 && a->ns >= 0 &&
	    a->mad >= 0 && (a->ns < ANOM_WARMUP || a->beta >= ANOM_BETA_MIN) &&
	    a->hold_n <= ANOM_HOLDOFF_MAX && isfinite(a->mu) &&
	    isfinite(a->var) && isfinite(a->mad) && isfinite(a->u) &&
	    isfinite(a->beta) && isfinite(a->vm) && isfinite(a->vs)))
		ser_fail(s, "anomaly model out of range");
}

static double
anomaly_sigma(const struct anomaly *a)
{
	return sqrt(a->var);
}

int
anomaly_interval(const struct anomaly *a, double z, double *lo, double *hi)
{
	double sd = anomaly_sigma(a);

	if (a->n < ANOM_INT_WARMUP)
		return 0;
	*lo = a->mu - z * sd;
	*hi = a->mu + z * sd;
	return 1;
}

/*
 * The tail from the warm-up's surprises: u their (1 - ANOM_TAIL) empirical
 * quantile, beta the mean excess over it, vm and vs their mean and mean
 * absolute deviation.
 */
static void
tail_start(struct anomaly *a)
{
	double v[ANOM_WARMUP], ex = 0, m = 0, d = 0, x;
	int i, j, k = (int)((1 - ANOM_TAIL) * ANOM_WARMUP), nex = 0;

	/* insertion sort: once per model, and qsort(3) may allocate */
	for (i = 0; i < ANOM_WARMUP; i++) {
		x = a->first[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	a->u = v[k];
	for (i = 0; i < ANOM_WARMUP; i++) {
		m += v[i];
		if (v[i] > a->u) {
			ex += v[i] - a->u;
			nex++;
		}
	}
	m /= ANOM_WARMUP;
	for (i = 0; i < ANOM_WARMUP; i++)
		d += fabs(v[i] - m);
	a->beta = nex > 0 ? ex / nex : 0;
	if (a->beta < ANOM_BETA_MIN)
		a->beta = ANOM_BETA_MIN;
	a->vm = m;
	a->vs = d / ANOM_WARMUP;
}

/*
 * One step of the tail: beta towards the excess when v is over u, and u by
 * stochastic approximation of the (1 - ANOM_TAIL) quantile, in steps of
 * ANOM_TAIL_ALPHA vs (up (1 - ANOM_TAIL) / ANOM_TAIL times as large as
 * down, so that it rests where a fraction ANOM_TAIL lies above).
 */
static void
tail_update(struct anomaly *a, double v)
{
	const double w = ANOM_TAIL_ALPHA;

	a->vm += w * (v - a->vm);
	a->vs += w * (fabs(v - a->vm) - a->vs);
	if (v > a->u) {
		a->beta += w / ANOM_TAIL * ((v - a->u) - a->beta);
		if (a->beta < ANOM_BETA_MIN)
			a->beta = ANOM_BETA_MIN;
		a->u += w * a->vs * (1 - ANOM_TAIL) / ANOM_TAIL;
	} else
		a->u -= w * a->vs;
}

/*
 * Exponentially weighted mean and variance (West 1979) of the winsorized
 * residual; with weight 1/n while n < 1/ANOM_ALPHA they are the plain
 * running mean and population variance.
 */
static void
interval_update(struct anomaly *a, double r)
{
	double w, d, mu, var, sd = anomaly_sigma(a);

	if (a->n >= ANOM_INT_WARMUP && sd > 0) {
		if (r > a->mu + ANOM_CLIP * sd)
			r = a->mu + ANOM_CLIP * sd;
		else if (r < a->mu - ANOM_CLIP * sd)
			r = a->mu - ANOM_CLIP * sd;
	}
	w = 1 / (a->n + 1);
	if (w < ANOM_ALPHA)
		w = ANOM_ALPHA;
	d = r - a->mu;
	mu = a->mu + w * d;
	var = (1 - w) * (a->var + w * d * d);
	/* a residual too large for the squares keeps the state as it was */
	if (isfinite(mu) && isfinite(var)) {
		a->mu = mu;
		a->var = var;
	}
}

/* The hold-off: is Z above the last one to two blocks' largest? */
static int
hold(struct anomaly *a, double z, uint64_t holdoff)
{
	int out = z > a->hold_prev && z > a->hold_cur;

	if (holdoff == 0)
		return 1;
	if (z > a->hold_cur)
		a->hold_cur = z;
	if (++a->hold_n >= holdoff) {
		a->hold_prev = a->hold_cur;
		a->hold_cur = -HUGE_VAL;
		a->hold_n = 0;
	}
	return out;
}

int
anomaly_step(struct anomaly *a, double r, uint64_t holdoff, double *score)
{
	double dev = fabs(r - a->mu), v, z, p, w;
	int warm = a->ns >= ANOM_WARMUP;

	if (!(dev <= DBL_MAX))
		dev = DBL_MAX;
	/* log(DBL_MAX) bounds v when the sum overflows */
	v = fmin(log(fmax(dev + ANOM_FLOOR * a->mad, DBL_MIN)), log(DBL_MAX));
	if (warm) {
		z = (v - a->u) / a->beta;
		p = ANOM_TAIL * exp(-z);
		*score = hold(a, z, holdoff) && p < 1 ? 1 - p : 0;
	}
	w = 1 / (a->ns + 1);
	if (w < ANOM_FLOOR_ALPHA)
		w = ANOM_FLOOR_ALPHA;
	if (isfinite(a->mad + w * (dev - a->mad)))
		a->mad += w * (dev - a->mad);
	interval_update(a, r);
	if (warm)
		tail_update(a, v);
	else {
		a->first[(int)a->ns] = v;
		if (a->ns + 1 == ANOM_WARMUP)
			tail_start(a);
	}
	a->n += 1;
	a->ns += 1;
	return warm;
}
