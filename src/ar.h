/*
 * ar.h - the AR(p) baseline: an autoregression on the raw target series,
 * fitted online by recursive least squares, forecasting H items ahead
 * directly.
 *
 * The forecast of x_{t+h} made after x_t is
 *   c + w_0 + w_1 (x_t - c) + ... + w_p (x_{t-p+1} - c),
 * where c is the first value of the stream, a fixed offset that keeps the
 * regression well conditioned (the intercept absorbs it: the fit is the
 * same model as without it).  The weights are the least-squares fit of each
 * x_s on x_{s-h}, ..., x_{s-h-p+1} over the items so far (forgetting factor
 * AR_LAMBDA = 1), so a forecast for x_t uses nothing after x_{t-h}.  RLS
 * starts from P = AR_DELTA * I, which makes it the exact ridge solution
 *   w = (X'X + I / AR_DELTA)^-1 X'y.
 * Until 2(p + 1) targets have been fitted the forecast is the naive one,
 * x_t.  Missing items enter the lags as the AR's own forecast of them.
 *
 * ar_init() allocates one block sized by the order and the horizon, which
 * ar_free() frees (horizon 0: none, and no baseline); ar_ser() describes the
 * whole state.  P is symmetric: only its upper triangle is kept.
 *
 * Numeric mode pushes items only when the baseline is seen: with --report,
 * or with a model file, which holds its state for a later run's report (a
 * run without a model file and without --report skips its cost).
 */
#ifndef RNNF_AR_H
#define RNNF_AR_H

#include <stdint.h>

struct ser;

#define AR_MAX_ORDER 64
#define AR_MAX_HORIZON 10000	/* NUM_MAX_HORIZON */
#define AR_LAMBDA 1.0
#define AR_DELTA 1e8
#define AR_N (AR_MAX_ORDER + 1)

struct ar {
	int p;			/* order; 0 is the running mean */
	int h;			/* horizon; 0 before ar_init() */
	double off;		/* c: the first value */
	uint64_t n;		/* items taken */
	uint64_t nfit;		/* targets fitted */
	double *w;		/* (p + 1): intercept, then lags */
	double *P;		/* ((p + 1) (p + 2) / 2) the inverse Gram
				 * matrix's upper triangle, row by row */
	double *hist;		/* (p + h) x_s at [s % (p + h)] */
	double *pend;		/* (h) forecast made after x_s: [s % h] */
};

/*
 * Start afresh with order P and horizon H (0: no baseline, nothing
 * allocated): A must be zeroed or hold a previous ar_init()'s block, which
 * is freed.  Returns 0, or -1 when out of memory (A is then empty, its h 0).
 */
int ar_init(struct ar *a, int p, int h);
void ar_free(struct ar *a);
/* Is a forecast of the coming item due (made H items ago)? */
int ar_due(const struct ar *a);
/* The forecast of the coming item made H items ago; needs ar_due(). */
double ar_pred(const struct ar *a);
/*
 * Take the coming item X: fit the pair (its lags, X) if PRESENT, keep X as
 * history (its forecast instead if missing) and forecast H items ahead.
 */
void ar_push(struct ar *a, double x, int present);
/* The forecast made after the latest item. */
double ar_forecast(const struct ar *a);
void ar_ser(struct ser *s, struct ar *a);

#endif
