/*
 * anomaly.h - the anomaly score of each item from its value x_t and its
 * residual r_t = x_t - prediction, against the items before it, and the
 * prediction interval.
 *
 * The score is 1 - p, p a tail probability that calibrates itself on each
 * series, so that one threshold means about the same on very different
 * series.  p is the smallest of five, each the probability of seeing what
 * it measures by chance (kept as L = -log p, which the hold-off compares):
 *
 * - the surprise of a residual is v = log(|r - mu| + ANOM_FLOOR m), mu the
 *   residuals' running location (below) and m their mean absolute deviation
 *   from it, exponentially weighted with weight max(1/n, ANOM_FLOOR_ALPHA).
 *   The floor keeps a perfectly predictable stretch from making every
 *   later wobble infinitely surprising; the log makes heavy-tailed and
 *   light-tailed series alike;
 * - p1: the upper tail of v over its (1 - ANOM_TAIL) quantile u is a
 *   generalized Pareto law (peaks over a threshold) with mean excess beta
 *   and shape xi:
 *       P(V > v) = ANOM_TAIL (1 + xi (v - u) / s)^(-1 / xi),
 *   s = beta (1 - xi); at xi 0 it is ANOM_TAIL exp(-(v - u) / beta), on the
 *   log scale a Pareto tail for |r|.  xi is the moments' estimate from the
 *   excesses' mean beta and variance ey2 - beta^2, xi = (1 - beta^2 /
 *   (ey2 - beta^2)) / 2, bounded to [ANOM_XI_MIN, ANOM_XI_MAX]: a series
 *   with heavier-tailed surprises calibrates like the others, and none has
 *   a tail with an end (xi < 0), beyond which anything would be certain to
 *   alert.  ey2 takes each excess at most ANOM_XI_CLIP beta, so that one
 *   spike does not make a series heavy-tailed for a memory's length.
 *   u, beta and ey2 start from the first ANOM_WARMUP surprises (their
 *   empirical quantile and the excesses' mean and mean square), no score
 *   before; then u follows the quantile by stochastic approximation and
 *   beta and ey2 the excesses, with weight max(1/n, ANOM_TAIL_ALPHA) after
 *   n surprises (a memory of some 10,000 items), beta >= ANOM_BETA_MIN.
 *   A young tail's scale is known from few excesses, k = ANOM_TAIL min(n,
 *   1 / ANOM_TAIL_ALPHA): with z = -log(P / ANOM_TAIL) the exponential
 *   variate of the law above, p1 = ANOM_TAIL (1 + z / k)^-k for z > 0 (the
 *   Lomax law of an exponential whose scale k excesses tell);
 * - p2: the same tail model of the median of the last ANOM_SHORT
 *   surprises, for an error that lasts a few items without any one being
 *   extreme (its warm-up's medians are recomputed from p1's values);
 * - p3, a record: a value beyond every value before it (from the first
 *   item on) by a fraction e of their range has p = ANOM_RECORD exp(-e);
 * - p4, a stuck series: when the value has been repeated exactly for
 *   ANOM_STUCK times as many items as its longest run before, and for at
 *   least ANOM_STUCK_MIN, p = ANOM_STUCK_P once (below ANOM_RECORD: a stopped
 *   sensor is a failure whatever the series);
 * - p5, a changed daily pattern, which a one-step forecast follows so that
 *   its residuals stay small: with the base's first period m (the caller
 *   gives x_{t-m} and m, 0 when none is known, and then p5 is off), the
 *   seasonal change d = x_t - x_{t-m} has a surprise v5 = log(|d - mu5| +
 *   ANOM_FLOOR m5) like the residual's, with its own location mu5 and mean
 *   absolute deviation m5 (weighted as mu and m are); the median of the
 *   last ANOM_SEAS of them has its own tail as p1 (and its own warm-up,
 *   from m5 > 0 on), without the young tail's allowance (with it, the
 *   daily changes of bench/nab_inject.py alerted later).  A new period
 *   starts p5 afresh;
 * - the hold-off: an item scores 0 unless its L exceeds every L of the
 *   current block of HOLDOFF scored items before it and of the block
 *   before that, so for at least HOLDOFF items after a surprise (at most
 *   2 HOLDOFF) only a larger one scores: an event alerts once, not once
 *   per item.  HOLDOFF 0 turns it off.
 *
 * The interval is the older Gaussian model: mu and sigma exponentially
 * weighted with weight max(1/n, ANOM_ALPHA), each residual winsorized to
 * mu +- ANOM_CLIP sigma once warm (ANOM_INT_WARMUP residuals), and the
 * interval prediction + mu +- z sigma.
 */
#ifndef RNNF_ANOMALY_H
#define RNNF_ANOMALY_H

#include <stdint.h>

struct ser;

#define ANOM_WARMUP 100
#define ANOM_FLOOR 0.2
#define ANOM_FLOOR_ALPHA 0.001
#define ANOM_TAIL 0.02
#define ANOM_TAIL_ALPHA 0.0001
#define ANOM_BETA_MIN 0.05
/* the bounds of a tail's shape xi */
#ifndef ANOM_XI_MIN
#define ANOM_XI_MIN 0.0
#endif
#ifndef ANOM_XI_CLIP
#define ANOM_XI_CLIP 10.0
#endif
#ifndef ANOM_XI_MAX
#define ANOM_XI_MAX 0.5
#endif
#define ANOM_SHORT 5
#define ANOM_RECORD 1e-4
#define ANOM_STUCK_P 1e-6
#define ANOM_STUCK 3
#define ANOM_STUCK_MIN 10
#define ANOM_HOLDOFF_MAX 1000000
#define ANOM_INT_WARMUP 30
#define ANOM_ALPHA 0.01
#define ANOM_CLIP 5.0
#define ANOM_SEAS 24
/* the longest period p5 takes (a loaded model's bound) */
#define ANOM_PERIOD_MAX 1000000
/* |u|, |vm|, vs and beta of a loaded tail: v lies within +-log(DBL_MAX) */
#define ANOM_TAIL_BOUND 1e4
/* ... and its ey2 */
#define ANOM_EY2_BOUND (ANOM_TAIL_BOUND * ANOM_TAIL_BOUND)

/* One tail (p1, p2 or p5 above). */
struct anom_tail {
	double u, beta;		/* the tail's threshold and mean excess */
	double ey2;		/* the mean squared excess: the shape */
	double vm, vs;		/* mean and mean |v - vm|: u's step */
};

/* p5: the seasonal change d = x_t - x_{t-m} and its tail. */
struct anom_seas {
	double m;		/* the period they are of; 0: off */
	double n;		/* changes taken since m was set */
	double mu, mad;		/* d's location and mean |d - mu| */
	double k;		/* surprises taken (from mad > 0 on) */
	double last[ANOM_SEAS];	/* the latest, at [k % ANOM_SEAS] */
	double sorted[ANOM_SEAS];	/* the min(k, ANOM_SEAS) of them in
					 * order: not saved, sorted on load */
	struct anom_tail t;	/* of the median of the last ANOM_SEAS */
	double *first;		/* (ANOM_WARMUP) its warm-up's values, from
				 * the first one until the tail starts;
				 * else NULL */
};

struct anomaly {
	double n;		/* residuals taken */
	double mu, var;		/* location and variance (winsorized) */
	double ns;		/* residuals taken by the score's model */
	double mad;		/* mean |r - mu|: the floor's unit */
	struct anom_tail t1;	/* of the surprise v */
	struct anom_tail t2;	/* of the median of the last ANOM_SHORT */
	/* (ANOM_WARMUP) t1's warm-up values, from the first one until the
	 * tails start, else NULL (t2's are their medians, taken at its start) */
	double *first;
	double last[ANOM_SHORT - 1];	/* the surprises before, newest first */
	double lo, hi;		/* the range of the values (once ns > 0) */
	double x;		/* the last value */
	struct anom_seas sz;	/* p5 */
	uint64_t run;		/* items in the last value's run */
	uint64_t longest;	/* the longest run before it */
	double hold_prev;	/* the largest L of the previous block */
	double hold_cur;	/* ... and of the current one */
	uint64_t hold_n;	/* items in the current block */
	uint64_t alerts;	/* scores >= the --alert threshold */
};

/*
 * Ownership: anomaly_init() allocates nothing; the warm-up's values are
 * allocated by anomaly_step() (or a load) when the first is taken and
 * freed when their tail starts (a model file holds zeros in their place
 * then); anomaly_free() frees what is left.
 */
void anomaly_init(struct anomaly *a);
void anomaly_free(struct anomaly *a);
/*
 * The state as model format VERSION holds it.  Before format 5 a model
 * holds only n, mu, var and alerts; formats 5 to 7 hold the tail of v
 * only.  From those the score's model starts afresh, with its warm-up.
 * Before format 14 there is no p5: it starts afresh.  Before format 15
 * the tails have no shape: they go on with the exponential's (xi 0), and
 * t2's warm-up values, which it recomputes from t1's, are read and dropped.
 * A load that fails (ser_fail()) may leave values allocated: free them
 * with anomaly_free().
 */
void anomaly_ser(struct ser *s, struct anomaly *a, int version);

/*
 * Score item X of residual R against the items before it, then take it;
 * XM is x_{t-M} for p5, M the period (0: none known, p5 off).
 * Returns 1 and sets *SCORE (0 to 1) once warm, else 0 and leaves *SCORE
 * unset; -1 when out of memory for the warm-up's values (the item is not
 * taken).
 */
int anomaly_step(struct anomaly *a, double x, double r, double xm, int m,
    uint64_t holdoff, double *score);
/* The interval's offsets from the prediction; 0 during its warm-up. */
int anomaly_interval(const struct anomaly *a, double z, double *lo,
    double *hi);

#endif
