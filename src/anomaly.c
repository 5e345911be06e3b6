/* anomaly.c - see anomaly.h. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
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
anomaly_free(struct anomaly *a)
{
	free(a->first);
	a->first = NULL;
	free(a->sz.first);
	a->sz.first = NULL;
}

static int
bounded(double v)
{
	return fabs(v) <= ANOM_TAIL_BOUND;
}

/*
 * The warm-up's values *FIRST: saved as they are, or as zeros once freed;
 * loaded into a new allocation if KEEP (their tail has not started), else
 * read and dropped.
 */
static void
first_ser(struct ser *s, double **first, int keep)
{
	double v[ANOM_WARMUP];
	int i;

	memset(v, 0, sizeof v);
	if (!ser_loading(s)) {
		if (*first != NULL)
			memcpy(v, *first, sizeof v);
		ser_f64s(s, v, ANOM_WARMUP);
		return;
	}
	ser_f64s(s, v, ANOM_WARMUP);
	for (i = 0; i < ANOM_WARMUP; i++)
		if (!bounded(v[i])) {
			ser_fail(s, "anomaly model out of range");
			return;
		}
	free(*first);
	*first = NULL;
	if (!keep || ser_failed(s))
		return;
	if ((*first = malloc(sizeof v)) == NULL) {
		ser_fail_nomem(s);
		return;
	}
	memcpy(*first, v, sizeof v);
}

/*
 * A tail as format VERSION holds it, with FIRST its warm-up's values (NULL:
 * none saved from format 15 on; read and dropped before), kept if KEEP.
 * Before format 15 there is no ey2: a loaded tail takes the exponential's,
 * 2 beta^2.
 */
static void
tail_ser(struct ser *s, struct anom_tail *t, double **first, int keep,
    int version)
{
	double *drop = NULL;

	ser_f64(s, &t->u);
	ser_f64(s, &t->beta);
	if (version >= 15)
		ser_f64(s, &t->ey2);
	else if (ser_loading(s))
		t->ey2 = 2 * t->beta * t->beta;
	ser_f64(s, &t->vm);
	ser_f64(s, &t->vs);
	if (first != NULL)
		first_ser(s, first, keep);
	else if (version < 15)
		first_ser(s, &drop, 0);
}

/* Can T's updates stay finite, and is it started if WARM? */
static int
tail_ok(const struct anom_tail *t, int warm)
{
	return bounded(t->u) && bounded(t->vm) && t->vs >= 0 &&
	    bounded(t->vs) && bounded(t->beta) && t->ey2 >= 0 &&
	    t->ey2 <= ANOM_EY2_BOUND && (!warm || t->beta >= ANOM_BETA_MIN);
}

/* Can p5's state S go on; is it its own start for its period? */
static int
seas_ok(const struct anom_seas *z)
{
	int i, warm = z->k >= ANOM_SEAS + ANOM_WARMUP;

	if (z->m == 0)	/* off: as anomaly_init() leaves it */
		return z->n == 0 && z->k == 0;
	if (!(z->m >= 1 && z->m <= ANOM_PERIOD_MAX && z->m == floor(z->m)))
		return 0;
	/* k indexes the ring, and the warm-up's values until it is warm */
	if (!(z->k >= 0 && z->k <= z->n && (warm || z->k == floor(z->k))))
		return 0;
	for (i = 0; i < ANOM_SEAS; i++)
		if (!bounded(z->last[i]))
			return 0;
	return isfinite(z->mu) && isfinite(z->mad) && z->mad >= 0 &&
	    tail_ok(&z->t, warm);
}

static int
anomaly_ok(const struct anomaly *a)
{
	int warm = a->ns >= ANOM_WARMUP, i;

	/* ns indexes the warm-up's values until it is warm */
	if (!(a->ns >= 0 && (warm || a->ns == floor(a->ns))))
		return 0;
	for (i = 0; i < ANOM_SHORT - 1; i++)
		if (!bounded(a->last[i]))
			return 0;
	return a->n >= 0 && a->var >= 0 && a->mad >= 0 && isfinite(a->mu) &&
	    isfinite(a->var) && isfinite(a->mad) && tail_ok(&a->t1, warm) &&
	    tail_ok(&a->t2, warm) &&
	    isfinite(a->lo) && isfinite(a->hi) &&
	    isfinite(a->x) && a->lo <= a->hi &&
	    !isnan(a->hold_prev) && !isnan(a->hold_cur) &&
	    a->hold_n <= ANOM_HOLDOFF_MAX && seas_ok(&a->sz);
}

/*
 * Insert X into the N sorted values W, which have room for one more: the
 * step of an insertion sort (the medians' windows are short, and qsort(3)
 * may allocate).
 */
static void
insert_sorted(double *w, int n, double x)
{
	int j;

	for (j = n; j > 0 && w[j - 1] > x; j--)
		w[j] = w[j - 1];
	w[j] = x;
}

/* The median of the N > 0 sorted values W. */
static double
median_sorted(const double *w, int n)
{
	return n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
}

/*
 * Take p5's surprise V into its ring, in place of the oldest once it is
 * full, and into the ring's values in order: one pass each way, where
 * sorting the ring for each median took most of the anomaly model's time.
 */
static void
seas_take(struct anom_seas *z, double v)
{
	int i = (int)fmod(z->k, ANOM_SEAS), j = 0, n;
	double *s = z->sorted;

	n = z->k < ANOM_SEAS ? (int)z->k : ANOM_SEAS;
	if (n == ANOM_SEAS) {	/* last[i], the oldest, leaves */
		while (j < n - 1 && s[j] != z->last[i])
			j++;
		for (; j < n - 1; j++)
			s[j] = s[j + 1];
		n--;
	}
	insert_sorted(s, n, v);
	z->last[i] = v;
	z->k += 1;
}

/* The sorted values from the ring, as a load leaves it. */
static void
seas_sort(struct anom_seas *z)
{
	int n = z->k < ANOM_SEAS ? (int)z->k : ANOM_SEAS, i;

	for (i = 0; i < n; i++)
		insert_sorted(z->sorted, i, z->last[i]);
}

/* p5 afresh for period M (0: off), with FIRST its warm-up's values. */
static void
seas_reset(struct anom_seas *z, int m, double *first)
{
	free(z->first);
	memset(z, 0, sizeof *z);
	z->m = m;
	z->first = first;
}

/* A model of an older format: the interval's state and the count stay. */
static void
restart(struct anomaly *a)
{
	double n = a->n, mu = a->mu, var = a->var;
	uint64_t alerts = a->alerts;

	anomaly_free(a);
	anomaly_init(a);
	a->n = n;
	a->mu = mu;
	a->var = var;
	a->alerts = alerts;
}

void
anomaly_ser(struct ser *s, struct anomaly *a, int version)
{
	int i, keep;

	ser_f64(s, &a->n);
	ser_f64(s, &a->mu);
	ser_f64(s, &a->var);
	if (version < 8) {
		if (version >= 5) {	/* the tail of v and the hold-off */
			ser_f64(s, &a->ns);
			ser_f64(s, &a->mad);
			tail_ser(s, &a->t1, &a->first, 0, version);
			ser_f64(s, &a->hold_prev);
			ser_f64(s, &a->hold_cur);
			ser_u64(s, &a->hold_n);
		}
		ser_u64(s, &a->alerts);
		if (ser_loading(s)) {
			restart(a);
			if (!(a->n >= 0 && a->var >= 0 && isfinite(a->mu) &&
			    isfinite(a->var)))
				ser_fail(s, "anomaly model out of range");
		}
		return;
	}
	ser_f64(s, &a->ns);
	ser_f64(s, &a->mad);
	keep = a->ns >= 0 && a->ns < ANOM_WARMUP;
	tail_ser(s, &a->t1, version < 15 ? &a->first : NULL, keep, version);
	tail_ser(s, &a->t2, NULL, 0, version);
	if (version >= 15)
		first_ser(s, &a->first, keep);
	for (i = 0; i < ANOM_SHORT - 1; i++)
		ser_f64(s, &a->last[i]);
	ser_f64(s, &a->lo);
	ser_f64(s, &a->hi);
	ser_f64(s, &a->x);
	if (version < 14) {	/* p5 starts afresh */
		if (ser_loading(s))
			seas_reset(&a->sz, 0, NULL);
	} else {
		ser_f64(s, &a->sz.m);
		ser_f64(s, &a->sz.n);
		ser_f64(s, &a->sz.mu);
		ser_f64(s, &a->sz.mad);
		ser_f64(s, &a->sz.k);
		ser_f64s(s, a->sz.last, ANOM_SEAS);
		tail_ser(s, &a->sz.t, &a->sz.first, a->sz.m != 0 &&
		    a->sz.k < ANOM_SEAS + ANOM_WARMUP, version);
	}
	ser_u64(s, &a->run);
	ser_u64(s, &a->longest);
	ser_f64(s, &a->hold_prev);
	ser_f64(s, &a->hold_cur);
	ser_u64(s, &a->hold_n);
	ser_u64(s, &a->alerts);
	if (!ser_loading(s))
		return;
	if (!anomaly_ok(a))
		ser_fail(s, "anomaly model out of range");
	else
		seas_sort(&a->sz);
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
 * The tail from the warm-up's values FIRST: u their (1 - ANOM_TAIL)
 * empirical quantile, beta and ey2 the mean and mean squared excess over
 * it, vm and vs their mean and mean absolute deviation.
 */
static void
tail_start(struct anom_tail *t, const double *first)
{
	double v[ANOM_WARMUP], ex = 0, ex2 = 0, m = 0, d = 0;
	int i, k = (int)((1 - ANOM_TAIL) * ANOM_WARMUP), nex = 0;

	for (i = 0; i < ANOM_WARMUP; i++)	/* once per model */
		insert_sorted(v, i, first[i]);
	t->u = v[k];
	for (i = 0; i < ANOM_WARMUP; i++) {
		m += v[i];
		if (v[i] > t->u) {
			ex += v[i] - t->u;
			ex2 += (v[i] - t->u) * (v[i] - t->u);
			nex++;
		}
	}
	m /= ANOM_WARMUP;
	for (i = 0; i < ANOM_WARMUP; i++)
		d += fabs(v[i] - m);
	t->beta = nex > 0 ? ex / nex : 0;
	if (t->beta < ANOM_BETA_MIN)
		t->beta = ANOM_BETA_MIN;
	/* no excess: the exponential's */
	t->ey2 = nex > 0 ? ex2 / nex : 2 * t->beta * t->beta;
	t->vm = m;
	t->vs = d / ANOM_WARMUP;
}

static double
clamp(double v, double bound)
{
	return v > bound ? bound : v < -bound ? -bound : v;
}

/*
 * One step of the tail after N values: beta towards the excess when v is
 * over u, and u by stochastic approximation of the (1 - ANOM_TAIL)
 * quantile, in steps of w vs (up (1 - ANOM_TAIL) / ANOM_TAIL times as large
 * as down, so that it rests where a fraction ANOM_TAIL lies above).  w is
 * max(1 / (N + 1), ANOM_TAIL_ALPHA): the warm-up's values count as so many
 * items and no more, so that a tail started on a network's first, large
 * errors comes down to the series' own within a few hundred items, not a
 * memory's length later.
 */
static void
tail_update(struct anom_tail *t, double v, double n)
{
	const double w = fmax(1 / (n + 1), ANOM_TAIL_ALPHA);
	double y;

	t->vm += w * (v - t->vm);
	t->vs += w * (fabs(v - t->vm) - t->vs);
	if (v > t->u) {
		t->beta += w / ANOM_TAIL * ((v - t->u) - t->beta);
		y = fmin(v - t->u, ANOM_XI_CLIP * t->beta);
		t->ey2 += w / ANOM_TAIL * (y * y - t->ey2);
		if (t->beta < ANOM_BETA_MIN)
			t->beta = ANOM_BETA_MIN;
		t->u += w * t->vs * (1 - ANOM_TAIL) / ANOM_TAIL;
	} else
		t->u -= w * t->vs;
	/*
	 * A series' v never takes them near the bound; a crafted model at it
	 * could step past it and save what would not load again.
	 */
	t->vm = clamp(t->vm, ANOM_TAIL_BOUND);
	t->vs = clamp(t->vs, ANOM_TAIL_BOUND);
	t->u = clamp(t->u, ANOM_TAIL_BOUND);
	t->beta = clamp(t->beta, ANOM_TAIL_BOUND);
	t->ey2 = fmin(fmax(t->ey2, 0), ANOM_EY2_BOUND);
}

/*
 * z, an exponential variate of mean 1 where v is over u: over u, the
 * generalized Pareto tail of shape xi and scale s = beta (1 - xi) (so that
 * its mean excess is beta), xi estimated by moments from the excess's mean
 * beta and variance ey2 - beta^2, xi = (1 - beta^2 / var) / 2, bounded to
 * [ANOM_XI_MIN, ANOM_XI_MAX]:
 *     z = log(1 + xi (v - u) / s) / xi,
 * the exponential's (v - u) / beta at xi 0 and below u.  L = -log P(V > v)
 * is z - log ANOM_TAIL.
 */
static double
tail_z(const struct anom_tail *t, double v)
{
	double y = v - t->u, var = t->ey2 - t->beta * t->beta, xi = 0;

	if (var > 0)
		xi = (1 - t->beta * t->beta / var) / 2;
	xi = fmin(fmax(xi, ANOM_XI_MIN), ANOM_XI_MAX);
	if (y <= 0 || xi < 1e-6)
		return y / t->beta;
	return log1p(xi * y / (t->beta * (1 - xi))) / xi;
}

/* L under the law itself, its scale taken as known (p5). */
static double
tail_l(const struct anom_tail *t, double v)
{
	return tail_z(t, v) - log(ANOM_TAIL);
}

/*
 * L of v under a tail that has taken N values (the warm-up counting as
 * ANOM_WARMUP), its scale known only from the k = ANOM_TAIL min(N, 1 /
 * ANOM_TAIL_ALPHA) excesses it rests on: given k exponential excesses, and
 * the scale-free prior 1 / rate on their rate, z is Lomax, P(Z > z) =
 * (1 + z / k)^-k, so
 *     L = k log(1 + z / k) - log ANOM_TAIL  (z > 0),
 * less than z - log ANOM_TAIL by about z^2 / 2k: a young tail's far
 * reaches are less certain, and fewer of a series' first items alert.
 */
static double
tail_lk(const struct anom_tail *t, double v, double n)
{
	double z = tail_z(t, v), k = ANOM_TAIL * fmin(n, 1 / ANOM_TAIL_ALPHA);

	if (z > 0)
		z = k * log1p(z / k);
	return z - log(ANOM_TAIL);
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

/* The hold-off: is L above the last one to two blocks' largest? */
static int
hold(struct anomaly *a, double l, uint64_t holdoff)
{
	int out = l > a->hold_prev && l > a->hold_cur;

	if (holdoff == 0)
		return 1;
	if (l > a->hold_cur)
		a->hold_cur = l;
	if (++a->hold_n >= holdoff) {
		a->hold_prev = a->hold_cur;
		a->hold_cur = -HUGE_VAL;
		a->hold_n = 0;
	}
	return out;
}

/* L of a record: X beyond the range before it by a fraction e of it. */
static double
record_l(const struct anomaly *a, double x)
{
	double w = a->hi - a->lo, e;

	if (a->ns == 0 || !(w > 0 && w <= DBL_MAX))
		return 0;
	if (x > a->hi)
		e = (x - a->hi) / w;
	else if (x < a->lo)
		e = (a->lo - x) / w;
	else
		return 0;
	return -log(ANOM_RECORD) + e;
}

/* The run of equal values; L of a stuck series the item it is found. */
static double
stuck_l(struct anomaly *a, double x, int warm)
{
	uint64_t need = ANOM_STUCK * a->longest;

	if (a->ns > 0 && x == a->x)
		a->run++;
	else {
		if (a->run > a->longest)
			a->longest = a->run;
		a->run = 1;
		return 0;
	}
	if (need < ANOM_STUCK_MIN)
		need = ANOM_STUCK_MIN;
	return warm && a->longest > 0 && a->run == need ? -log(ANOM_STUCK_P) :
	    0;
}

/*
 * The median of V and the ANOM_SHORT - 1 surprises before it (of those
 * there are, at the start): high only when most of them are, so that a
 * spike, and the residual after it when the forecast follows it, leave it
 * alone.
 */
static double
short_median(const struct anomaly *a, double v)
{
	double w[ANOM_SHORT];
	int n = a->ns < ANOM_SHORT - 1 ? (int)a->ns + 1 : ANOM_SHORT, i;

	w[0] = v;
	for (i = 1; i < n; i++)
		insert_sorted(w, i, a->last[i - 1]);
	return median_sorted(w, n);
}

/*
 * t2 from the medians the warm-up's surprises had: of each and the
 * ANOM_SHORT - 1 before it (of those there were), as short_median() took.
 */
static void
t2_start(struct anomaly *a)
{
	double med[ANOM_WARMUP], w[ANOM_SHORT];
	int i, k, n;

	for (i = 0; i < ANOM_WARMUP; i++) {
		n = i < ANOM_SHORT - 1 ? i + 1 : ANOM_SHORT;
		for (k = 0; k < n; k++)
			insert_sorted(w, k, a->first[i - k]);
		med[i] = median_sorted(w, n);
	}
	tail_start(&a->t2, med);
}

/*
 * p5: the L of the seasonal change D = X - XM of its period (start() set
 * it; 0: none known) and take it.  Its surprises start once their mad is
 * above 0 (a stretch that repeats exactly would make them -log(DBL_MIN)),
 * their median once ANOM_SEAS are taken, the tail ANOM_WARMUP medians
 * later: 0 until then.
 * The median, not the mean: a spike at t is in d at t and at t + m, and
 * moves a median of ANOM_SEAS (an even number) by one rank only.
 */
static double
seas_step(struct anom_seas *z, double x, double xm)
{
	double d = x - xm, dev, v, med, l = 0, w;
	int k;

	if (z->m == 0)	/* off: start() had no period */
		return 0;
	dev = fabs(d - z->mu);
	if (!(dev <= DBL_MAX))
		dev = DBL_MAX;
	if (z->mad > 0) {
		v = fmin(log(fmax(dev + ANOM_FLOOR * z->mad, DBL_MIN)),
		    log(DBL_MAX));
		seas_take(z, v);
		if (z->k >= ANOM_SEAS + ANOM_WARMUP) {
			med = median_sorted(z->sorted, ANOM_SEAS);
			l = tail_l(&z->t, med);
			tail_update(&z->t, med, z->k - ANOM_SEAS);
		} else if ((k = (int)z->k - ANOM_SEAS) >= 0) {
			z->first[k] = median_sorted(z->sorted, ANOM_SEAS);
			if (k + 1 >= ANOM_WARMUP) {
				tail_start(&z->t, z->first);
				free(z->first);
				z->first = NULL;
			}
		}
	}
	w = fmax(1 / (z->n + 1), ANOM_ALPHA);
	if (isfinite(z->mu + w * (d - z->mu)))
		z->mu += w * (d - z->mu);
	w = fmax(1 / (z->n + 1), ANOM_FLOOR_ALPHA);
	if (isfinite(z->mad + w * (dev - z->mad)))
		z->mad += w * (dev - z->mad);
	z->n += 1;
	return l;
}

/*
 * Make ready for an item of period M: the warm-up's values where they are
 * due (before any other change, so that -1, out of memory, leaves A as it
 * was), and p5 afresh for a new period.
 */
static int
start(struct anomaly *a, int m)
{
	double *f;

	/* t1's first: if p5's then fails, A holds only a block it will use */
	if (a->ns < ANOM_WARMUP && a->first == NULL &&
	    (a->first = calloc(ANOM_WARMUP, sizeof *a->first)) == NULL)
		return -1;
	if (m <= 0 || m > ANOM_PERIOD_MAX)
		m = 0;
	if ((double)m != a->sz.m) {
		f = NULL;
		if (m != 0 && (f = calloc(ANOM_WARMUP, sizeof *f)) == NULL)
			return -1;
		seas_reset(&a->sz, m, f);
	}
	return 0;
}

int
anomaly_step(struct anomaly *a, double x, double r, double xm, int season,
    uint64_t holdoff, double *score)
{
	double dev = fabs(r - a->mu), v, m, l, l5, w;
	int warm = a->ns >= ANOM_WARMUP, i;

	if (start(a, season) != 0)
		return -1;
	if (!(dev <= DBL_MAX))
		dev = DBL_MAX;
	/* log(DBL_MAX) bounds v when the sum overflows */
	v = fmin(log(fmax(dev + ANOM_FLOOR * a->mad, DBL_MIN)), log(DBL_MAX));
	m = short_median(a, v);
	l = stuck_l(a, x, warm);
	l5 = seas_step(&a->sz, x, xm);
	if (warm) {
		l = fmax(l, l5);
		l = fmax(l, tail_lk(&a->t1, v, a->ns));
		l = fmax(l, tail_lk(&a->t2, m, a->ns));
		l = fmax(l, record_l(a, x));
		/* 1 - p = 1 - exp(-L), exactly for small p */
		*score = hold(a, l, holdoff) && l > 0 ? -expm1(-l) : 0;
	}
	w = 1 / (a->ns + 1);
	if (w < ANOM_FLOOR_ALPHA)
		w = ANOM_FLOOR_ALPHA;
	if (isfinite(a->mad + w * (dev - a->mad)))
		a->mad += w * (dev - a->mad);
	interval_update(a, r);
	if (warm) {
		tail_update(&a->t1, v, a->ns);
		tail_update(&a->t2, m, a->ns);
	} else {
		a->first[(int)a->ns] = v;
		if (a->ns + 1 >= ANOM_WARMUP) {
			tail_start(&a->t1, a->first);
			t2_start(a);
			free(a->first);
			a->first = NULL;
		}
	}
	for (i = ANOM_SHORT - 2; i > 0; i--)
		a->last[i] = a->last[i - 1];
	a->last[0] = v;
	if (a->ns == 0)
		a->lo = a->hi = x;
	else {
		a->lo = fmin(a->lo, x);
		a->hi = fmax(a->hi, x);
	}
	a->x = x;
	a->n += 1;
	a->ns += 1;
	return warm;
}
