/*
 * anomaly.h - the anomaly score of each residual r_t = x_t - prediction,
 * from the residuals before it, and the prediction interval.
 *
 * The score is a tail probability that calibrates itself on each series,
 * so that one threshold means about the same on very different series:
 *
 * - the surprise of a residual is v = log(|r - mu| + ANOM_FLOOR m), mu the
 *   residuals' running location (below) and m their mean absolute deviation
 *   from it, exponentially weighted with weight max(1/n, ANOM_FLOOR_ALPHA).
 *   The floor keeps a perfectly predictable stretch from making every
 *   later wobble infinitely surprising; the log makes heavy-tailed and
 *   light-tailed series alike;
 * - the upper tail of v is modelled as exponential over its (1 -
 *   ANOM_TAIL) quantile u, with mean excess beta (peaks over a threshold,
 *   shape 0, on the log scale: a Pareto tail for |r|):
 *       P(V > v) = ANOM_TAIL exp(-(v - u) / beta),
 *   and the score is 1 - min(1, that).  u and beta start from the first
 *   ANOM_WARMUP surprises (their empirical quantile and mean excess), no
 *   score before; then u follows the quantile by stochastic approximation
 *   and beta the mean excess, with weight ANOM_TAIL_ALPHA (a memory of
 *   some 2,000 items), beta >= ANOM_BETA_MIN;
 * - the hold-off: an item scores 0 unless its surprise exceeds every
 *   surprise of the current block of HOLDOFF scored items before it and of
 *   the block before that, so for at least HOLDOFF items after a surprise
 *   (at most 2 HOLDOFF) only a larger one scores: an event alerts once, not
 *   once per item.  HOLDOFF 0 turns it off.
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
#define ANOM_FLOOR 0.1
#define ANOM_FLOOR_ALPHA 0.001
#define ANOM_TAIL 0.02
#define ANOM_TAIL_ALPHA 0.0005
#define ANOM_BETA_MIN 0.05
#define ANOM_HOLDOFF_MAX 1000000
#define ANOM_INT_WARMUP 30
#define ANOM_ALPHA 0.01
#define ANOM_CLIP 5.0

struct anomaly {
	double n;		/* residuals taken */
	double mu, var;		/* location and variance (winsorized) */
	double ns;		/* residuals taken by the score's model */
	double mad;		/* mean |r - mu|: the floor's unit */
	double u, beta;		/* the tail's threshold and mean excess */
	double vm, vs;		/* mean and mean |v - vm|: u's step */
	double first[ANOM_WARMUP];	/* the warm-up's surprises */
	double hold_prev;	/* the largest surprise of the previous block */
	double hold_cur;	/* ... and of the current one */
	uint64_t hold_n;	/* items in the current block */
	uint64_t alerts;	/* scores >= the --alert threshold */
};

void anomaly_init(struct anomaly *a);
/*
 * Model files before format 5 hold only n, mu, var and alerts (OLD): the
 * score's model then starts afresh, with its warm-up.
 */
void anomaly_ser(struct ser *s, struct anomaly *a, int old);

/*
 * Score residual R against the residuals before it, then take it.  Returns
 * 1 and sets *SCORE (0 to 1) once warm, else 0 and leaves *SCORE unset.
 */
int anomaly_step(struct anomaly *a, double r, uint64_t holdoff,
    double *score);
/* The interval's offsets from the prediction; 0 during its warm-up. */
int anomaly_interval(const struct anomaly *a, double z, double *lo,
    double *hi);

#endif
