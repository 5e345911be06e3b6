/*
 * metrics_test.c - the metrics, the anomaly score and interval, the
 * sparkline buckets and the AR baseline against values computed by hand or
 * in closed form, or against the properties the model promises.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ar.h"
#include "metrics.h"
#include "rng.h"
#include "ser.h"

static int fails;

#define CHECK(what, got, want, tol) check(__LINE__, what, got, want, tol)

static void
check(int line, const char *what, double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol)) {
		fprintf(stderr, "metrics_test.c:%d: %s: got %.17g, want %.17g\n",
		    line, what, got, want);
		fails++;
	}
}

static void
test_errsum(void)
{
	struct errsum net, naive;
	double x[] = { 2, 0, 4 }, pred[] = { 1, 1, 5 }, last[] = { 4, 2, 0 };
	int i;

	memset(&net, 0, sizeof net);
	memset(&naive, 0, sizeof naive);
	for (i = 0; i < 3; i++) {
		errsum_score(&net, x[i], pred[i]);
		errsum_score(&naive, x[i], last[i]);
	}
	CHECK("mae", errsum_mae(&net), 1, 1e-15);
	CHECK("rmse", errsum_rmse(&net), 1, 1e-15);
	/* |1/2| and |-1/4| over the 2 nonzero targets, in percent */
	CHECK("mape", errsum_mape(&net), 37.5, 1e-12);
	CHECK("mape skipped", net.n - net.nape, 1, 0);
	CHECK("naive mae", errsum_mae(&naive), 8.0 / 3, 1e-15);
	CHECK("naive rmse", errsum_rmse(&naive), sqrt(24.0 / 3), 1e-15);
	CHECK("mase", errsum_mase(&net, &naive), 0.375, 1e-15);
	memset(&net, 0, sizeof net);
	if (!isnan(errsum_mae(&net)) || !isnan(errsum_mape(&net))) {
		fprintf(stderr, "metrics_test.c: empty sums are not NaN\n");
		fails++;
	}
}

/* The interval's Gaussian model, as before the score's rework. */
static void
test_interval(void)
{
	struct anomaly a;
	double s = -1, lo = 0, hi = 0, z = normal_quantile(0.975), var;
	int i;

	anomaly_init(&a);
	for (i = 0; i < ANOM_INT_WARMUP; i++) {
		if (anomaly_interval(&a, z, &lo, &hi)) {
			fprintf(stderr, "metrics_test.c: an interval in the warm-up\n");
			fails++;
		}
		anomaly_step(&a, i % 2 ? -1 : 1, i % 2 ? -1 : 1, 0, 0, 0, &s);
	}
	/* 30 residuals +1, -1, ...: mean 0, population variance 1 */
	CHECK("mu", a.mu, 0, 1e-12);
	CHECK("var", a.var, 1, 1e-12);
	anomaly_interval(&a, z, &lo, &hi);
	CHECK("lo", lo, -1.959963984540054, 1e-12);
	CHECK("hi", hi, 1.959963984540054, 1e-12);
	/* a spike enters winsorized at mu + ANOM_CLIP sigma */
	anomaly_step(&a, 100, 100, 0, 0, 0, &s);
	var = 30.0 / 31 * (1 + ANOM_CLIP * ANOM_CLIP / 31);
	CHECK("mu after a spike", a.mu, ANOM_CLIP / 31, 1e-12);
	CHECK("var after a spike", a.var, var, 1e-12);
	anomaly_free(&a);
}

/* A standard normal deviate (Box-Muller) from R. */
static double
gauss(struct rng *r)
{
	double u = rng_uniform(r), v = rng_uniform(r);

	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

/*
 * Feed N seeded normal residuals times SCALE, with a spike of SPIKE[k]
 * sigma at each index AT[k] (AT ends with -1), as the values and as their
 * residuals; the scores go to OUT (-1 in the warm-up).  *OVER (if not
 * NULL) counts the warm items whose surprise v lies over the tail's u.
 */
static void
feed(double scale, uint64_t holdoff, const int *at, const double *spike,
    int n, double *out, int *over)
{
	struct anomaly a;
	struct rng r;
	int i, k = 0;

	anomaly_init(&a);
	rng_seed(&r, 7);
	for (i = 0; i < n; i++) {
		double x = gauss(&r), s, v;

		if (at[k] == i) {
			x = spike[k];
			k++;
		}
		v = log(fabs(scale * x - a.mu) + ANOM_FLOOR * a.mad);
		if (over != NULL && a.ns >= ANOM_WARMUP && v > a.t1.u)
			++*over;
		out[i] = anomaly_step(&a, scale * x, scale * x, 0, 0, holdoff,
		    &s) ? s : -1;
	}
	anomaly_free(&a);
}

#define NFEED 20000

static void
test_anomaly(void)
{
	static double s1[NFEED], s2[NFEED];
	static const int none[] = { -1 }, spikes[] = { 10000, 10050, -1 };
	static const double same[] = { 30, 30 }, larger[] = { 30, 100 };
	double top = 0;
	int i, over = 0, warm = 0;

	feed(1, 0, none, same, NFEED, s1, &over);
	for (i = 0; i < NFEED; i++)
		warm += s1[i] < 0;
	CHECK("no score in the warm-up", warm, ANOM_WARMUP, 0);
	CHECK("warm-up: the first ones", s1[ANOM_WARMUP - 1] < 0 &&
	    s1[ANOM_WARMUP] >= 0, 1, 0);
	/* u follows the (1 - ANOM_TAIL) quantile of the surprise */
	CHECK("share at or over the tail's threshold",
	    (double)over / (NFEED - ANOM_WARMUP), ANOM_TAIL, 0.004);
	/* the log and a floor relative to the residuals: no units */
	feed(1000, 0, none, same, NFEED, s2, NULL);
	for (i = ANOM_WARMUP; i < NFEED; i++)
		if (fabs(s1[i] - s2[i]) > 1e-9) {
			CHECK("scores do not depend on the unit", s2[i], s1[i], 1e-9);
			break;
		}
	/* two spikes of 30 sigma: above every noise item... */
	feed(1, 0, spikes, same, NFEED, s1, NULL);
	for (i = ANOM_WARMUP; i < NFEED; i++)
		if (i != 10000 && i != 10050 && s1[i] > top)
			top = s1[i];
	CHECK("spike 1 over the noise", s1[10000] > top, 1, 0);
	CHECK("spike 2 over the noise", s1[10050] > top, 1, 0);
	CHECK("a 30-sigma spike's tail", 1 - s1[10000] < 1e-6, 1, 0);
	/* ... but with a hold-off of 100 the second scores 0 ... */
	feed(1, 100, spikes, same, NFEED, s2, NULL);
	CHECK("hold-off: the first spike", s2[10000], s1[10000], 0);
	CHECK("hold-off: the second spike", s2[10050], 0, 0);
	for (i = 10001; i < 10100; i++)
		if (s2[i] != 0) {
			CHECK("hold-off: nothing after the spike", s2[i], 0, 0);
			break;
		}
	/* ... unless it is larger */
	feed(1, 100, spikes, larger, NFEED, s2, NULL);
	CHECK("hold-off: a larger surprise scores",
	    s2[10050] > 1 - ANOM_TAIL, 1, 0);
}

/*
 * Values uniform on [0, 1) with normal residuals; then a record 0.5 above
 * the range, which scores p = ANOM_RECORD exp(-0.5 / range); then the
 * value stuck: at ANOM_STUCK_MIN equal values (runs were 1 long) p is
 * ANOM_STUCK_P, once.  The residuals of the record and the stuck items are
 * 0, no surprise to the tails.
 */
static void
test_records(void)
{
	struct anomaly a;
	struct rng r;
	double s, p, w;
	int i, stuck = 0;

	anomaly_init(&a);
	rng_seed(&r, 3);
	for (i = 0; i < 2000; i++)
		anomaly_step(&a, rng_uniform(&r), gauss(&r), 0, 0, 0, &s);
	w = a.hi - a.lo;
	anomaly_step(&a, a.hi + 0.5, 0, 0, 0, 0, &s);
	p = ANOM_RECORD * exp(-0.5 / w);
	CHECK("a record's p", 1 - s, p, 1e-12);
	anomaly_step(&a, a.hi - 0.5 * w, 0, 0, 0, 0, &s);
	CHECK("inside the range: no record", 1 - s > ANOM_RECORD, 1, 0);
	for (i = 1; i <= 3 * ANOM_STUCK_MIN; i++) {
		anomaly_step(&a, 0.25, 0, 0, 0, 0, &s);
		if (1 - s <= ANOM_RECORD * (1 + 1e-12)) {
			CHECK("stuck at run", i, ANOM_STUCK_MIN, 0);
			CHECK("a stuck value's p", 1 - s, ANOM_STUCK_P, 1e-15);
			stuck++;
		}
	}
	CHECK("stuck: once", stuck, 1, 0);
	anomaly_free(&a);
}

/*
 * A loaded state at the bounds of what loading accepts stays within them
 * (else it would save a model that does not load again): the tail's mean
 * at the bound and v far below it (residuals at mu, m = 0: v is
 * log(DBL_MIN)) would pull its spread past it.
 */
static void
test_bounds(void)
{
	struct anomaly a;
	double s;
	int i, out = 0;

	anomaly_init(&a);
	for (i = 0; i < ANOM_WARMUP; i++)
		anomaly_step(&a, i, i % 2 ? -1 : 1, 0, 0, 0, &s);
	a.t1.vm = a.t1.vs = a.t1.beta = ANOM_TAIL_BOUND;
	a.t1.u = -ANOM_TAIL_BOUND;
	a.t1.ey2 = ANOM_EY2_BOUND;
	a.mu = a.mad = 0;
	for (i = 0; i < 1000; i++) {
		anomaly_step(&a, i, 0, 0, 0, 0, &s);
		out += !(fabs(a.t1.vm) <= ANOM_TAIL_BOUND &&
		    a.t1.vs <= ANOM_TAIL_BOUND && a.t1.beta <= ANOM_TAIL_BOUND &&
		    fabs(a.t1.u) <= ANOM_TAIL_BOUND &&
		    a.t1.ey2 >= 0 && a.t1.ey2 <= ANOM_EY2_BOUND);
	}
	CHECK("a tail at its bounds stays within them", out, 0, 0);
	anomaly_free(&a);
}

/*
 * The value of a daily pattern of period 24 with noise at item I: from
 * CHANGE on, with the day's second half flat (a changed pattern).
 */
static double
daily(int i, int change, struct rng *r)
{
	double d = sin(2 * M_PI * (i % 24) / 24);

	if (i >= change && i % 24 >= 12)
		d = 0;
	return 10 + 3 * d + 0.05 * gauss(r);
}

/*
 * p5: a changed daily pattern that the forecast follows (the residuals
 * stay as small as before) scores only with the period known, and an
 * unchanged one scores no higher with it than without; a new period
 * starts p5 afresh.
 */
static void
test_seasonal(void)
{
	enum { N = 4000, CHANGE = 3000 };
	static double x[N];
	struct anomaly a;
	struct rng r;
	double s, top[2] = { 0, 0 }, before[2] = { 0, 0 };
	int i, m;

	rng_seed(&r, 11);
	for (i = 0; i < N; i++)
		x[i] = daily(i, CHANGE, &r);
	for (m = 0; m <= 24; m += 24) {
		if (m > 0)
			anomaly_free(&a);
		anomaly_init(&a);
		rng_seed(&r, 5);
		for (i = 0; i < N; i++) {
			s = 0;
			anomaly_step(&a, x[i], 0.05 * gauss(&r),
			    m > 0 && i >= m ? x[i - m] : 0, i >= m ? m : 0, 0,
			    &s);
			if (i >= CHANGE)
				top[m > 0] = fmax(top[m > 0], s);
			else if (i >= 500)
				before[m > 0] = fmax(before[m > 0], s);
		}
	}
	/* (a record of the noise scores 1 - ANOM_RECORD exp(-e) either way) */
	CHECK("p5: a changed pattern scores", top[1] > 0.99999, 1, 0);
	CHECK("p5 off: a changed pattern, small residuals", top[0] < 0.99999,
	    1, 0);
	CHECK("p5: the same pattern scores no higher", before[1], before[0],
	    0);
	CHECK("p5 warm", a.sz.k >= ANOM_SEAS + ANOM_WARMUP, 1, 0);
	anomaly_step(&a, 10, 0, 10, 12, 0, &s);
	CHECK("p5 afresh with a new period", a.sz.m == 12 && a.sz.n == 1 &&
	    a.sz.k == 0, 1, 0);
	anomaly_step(&a, 10, 0, 0, 0, 0, &s);
	CHECK("p5 off without a period", a.sz.m == 0 && a.sz.n == 0, 1, 0);
	anomaly_free(&a);
}

/*
 * A saved in format VERSION and loaded into *B (initialized: what it holds
 * is freed): 0, or -1 if refused.
 */
static int
reload(struct anomaly *a, struct anomaly *b, int version)
{
	struct ser *s = ser_new_save(), *l = NULL;
	int rc = -1;

	anomaly_free(b);
	anomaly_init(b);
	if (s == NULL)
		return -1;
	anomaly_ser(s, a, version);
	if (!ser_failed(s) && (l = ser_new_load(s)) != NULL) {
		anomaly_ser(l, b, version);
		rc = ser_failed(l) || ser_remaining(l) != 0 ? -1 : 0;
	}
	ser_free(l);
	ser_free(s);
	return rc;
}

/*
 * p5's state is saved from format 14 on; from an older model it starts
 * afresh while the rest goes on; a loaded state out of range is refused.
 */
static void
test_seasonal_ser(void)
{
	struct anomaly a, b;
	struct rng r;
	double s;
	int i;

	anomaly_init(&a);
	anomaly_init(&b);
	rng_seed(&r, 13);
	for (i = 0; i < 500; i++)
		anomaly_step(&a, daily(i, 500, &r), gauss(&r), 24, 24, 0, &s);
	CHECK("format 14 keeps p5", reload(&a, &b, 14) == 0 &&
	    memcmp(&a.sz, &b.sz, sizeof a.sz) == 0 && b.ns == a.ns, 1, 0);
	CHECK("format 13: p5 afresh, the rest kept", reload(&a, &b, 13) == 0 &&
	    b.sz.m == 0 && b.sz.k == 0 && b.sz.n == 0 && b.ns == a.ns &&
	    b.t1.u == a.t1.u, 1, 0);
	anomaly_free(&b);
	b = a;
	b.sz.m = 24.5;
	CHECK("p5: a period not whole refused", reload(&b, &a, 14), -1, 0);
	b.sz.m = 24;
	b.sz.k = b.sz.n + 1;
	CHECK("p5: more surprises than changes refused", reload(&b, &a, 14),
	    -1, 0);
	b.sz.k = 30.5;
	CHECK("p5: a ring index not whole refused", reload(&b, &a, 14), -1, 0);
	b.sz.k = 30;
	b.sz.last[3] = 2 * ANOM_TAIL_BOUND;
	CHECK("p5: a surprise out of bounds refused", reload(&b, &a, 14), -1,
	    0);
	/* b is a's copy, taken with no warm-up values held */
	anomaly_free(&a);
}

/*
 * The warm-up's values are held from the first until their tail starts,
 * and a load keeps them only then: a state cut in the warm-up goes on as
 * one run, and a warm one holds none.
 */
static void
test_warmup_values(void)
{
	struct anomaly a, b;
	struct rng r;
	double s, t;
	int i, cut, same = 1;

	anomaly_init(&b);
	for (cut = 50; cut <= 120; cut += 70) {
		anomaly_init(&a);
		rng_seed(&r, 17);
		for (i = 0; i < cut; i++)
			anomaly_step(&a, daily(i, 1000, &r), gauss(&r), 24,
			    i >= 24 ? 24 : 0, 0, &s);
		CHECK("t1's warm-up values held until it starts",
		    (a.first != NULL) == (cut < ANOM_WARMUP), 1, 0);
		CHECK("p5's held until its tail starts", a.sz.first != NULL,
		    1, 0);
		if (reload(&a, &b, 15) != 0) {
			CHECK("a state in the warm-up reloads", 0, 1, 0);
			anomaly_free(&a);
			continue;
		}
		CHECK("a load keeps t1's values only in the warm-up",
		    (b.first != NULL) == (cut < ANOM_WARMUP) &&
		    (b.first == NULL || memcmp(a.first, b.first,
		    ANOM_WARMUP * sizeof *a.first) == 0), 1, 0);
		for (; i < 600; i++) {
			double x = daily(i, 1000, &r), e = gauss(&r);
			int wa = anomaly_step(&a, x, e, x - 0.1, 24, 0, &s);
			int wb = anomaly_step(&b, x, e, x - 0.1, 24, 0, &t);

			same &= wa == wb && (!wa || s == t);
		}
		CHECK("a reloaded state goes on as one run", same, 1, 0);
		CHECK("no warm-up values once warm", a.first == NULL &&
		    a.sz.first == NULL && b.first == NULL &&
		    b.sz.first == NULL, 1, 0);
		anomaly_free(&a);
	}
	anomaly_free(&b);
}

static void
test_spark(void)
{
	struct spark sp;
	double v[SPARK_N];
	int i, n;

	memset(&sp, 0, sizeof sp);
	for (i = 0; i < 39; i++)
		spark_add(&sp, i);
	n = spark_get(&sp, v);
	CHECK("buckets before the first merge", n, 39, 0);
	CHECK("bucket 38", v[38], 38, 0);
	for (; i < 82; i++)
		spark_add(&sp, i);
	/* 40 full: width 2; 80 full: width 4, 20 buckets; then 2 more */
	n = spark_get(&sp, v);
	CHECK("width", (double)sp.width, 4, 0);
	CHECK("buckets", n, 21, 0);
	for (i = 0; i < 20; i++)
		CHECK("bucket mean", v[i], 4 * i + 1.5, 1e-12);
	CHECK("partial bucket", v[20], 80.5, 1e-12);
}

static void
test_quantile(void)
{
	CHECK("q(0.975)", normal_quantile(0.975), 1.959963984540054, 1e-13);
	CHECK("q(0.5)", normal_quantile(0.5), 0, 1e-15);
	CHECK("q(1e-6)", normal_quantile(1e-6), -4.753424308822899, 1e-11);
	CHECK("q(0.95)", normal_quantile(0.95), 1.6448536269514722, 1e-13);
}

/* Solve A w = b (N x N) by Gaussian elimination with partial pivoting. */
static void
solve(double *A, double *b, int n)
{
	int i, j, k;

	for (k = 0; k < n; k++) {
		int p = k;

		for (i = k + 1; i < n; i++)
			if (fabs(A[i * n + k]) > fabs(A[p * n + k]))
				p = i;
		for (j = 0; j < n; j++) {
			double t = A[k * n + j];

			A[k * n + j] = A[p * n + j];
			A[p * n + j] = t;
		}
		{
			double t = b[k];

			b[k] = b[p];
			b[p] = t;
		}
		for (i = k + 1; i < n; i++) {
			double f = A[i * n + k] / A[k * n + k];

			for (j = k; j < n; j++)
				A[i * n + j] -= f * A[k * n + j];
			b[i] -= f * b[k];
		}
	}
	for (k = n - 1; k >= 0; k--) {
		for (j = k + 1; j < n; j++)
			b[k] -= A[k * n + j] * b[j];
		b[k] /= A[k * n + k];
	}
}

/* RLS against the normal equations (X'X + I / AR_DELTA) w = X'y. */
static void
test_ar(int p, int h)
{
	enum { LEN = 80 };
	static struct ar a;
	double x[LEN], A[AR_N * AR_N], b[AR_N], phi[AR_N], f;
	unsigned long seed = 12345;
	int t, i, j, n = p + 1;

	for (t = 0; t < LEN; t++) {
		seed = seed * 1103515245 + 12345;
		x[t] = 300 + 10 * sin(0.3 * t) + 0.1 * t +
		    (double)((seed >> 16) % 1000) / 1000;
	}
	ar_init(&a, p, h);
	for (t = 0; t < LEN; t++) {
		if (ar_due(&a) != (t >= h))
			fails++;
		ar_push(&a, x[t], 1);
	}
	memset(A, 0, sizeof A);
	memset(b, 0, sizeof b);
	for (i = 0; i < n; i++)
		A[i * n + i] = 1 / AR_DELTA;
	/* pairs (x_{t-h}, ..., x_{t-h-p+1}; x_t) for every t that has them */
	for (t = p > 0 ? h + p - 1 : h; t < LEN; t++) {
		phi[0] = 1;
		for (i = 0; i < p; i++)
			phi[1 + i] = x[t - h - i] - x[0];
		for (i = 0; i < n; i++) {
			for (j = 0; j < n; j++)
				A[i * n + j] += phi[i] * phi[j];
			b[i] += phi[i] * (x[t] - x[0]);
		}
	}
	solve(A, b, n);
	for (i = 0; i < n; i++)
		CHECK("AR coefficient", a.w[i], b[i], 1e-6);
	CHECK("fits", (double)a.nfit, LEN - (p > 0 ? h + p - 1 : h), 0);
	f = x[0] + b[0];
	for (i = 0; i < p; i++)
		f += b[1 + i] * (x[LEN - 1 - i] - x[0]);
	CHECK("AR forecast", ar_forecast(&a), f, 1e-6);
	ar_free(&a);
}

int
main(void)
{
	test_errsum();
	test_interval();
	test_anomaly();
	test_records();
	test_bounds();
	test_seasonal();
	test_seasonal_ser();
	test_warmup_values();
	test_spark();
	test_quantile();
	test_ar(3, 1);
	test_ar(5, 3);
	test_ar(0, 1);
	if (fails) {
		fprintf(stderr, "metrics_test: %d failures\n", fails);
		return 1;
	}
	return 0;
}
