/*
 * base.h - the base forecast of numeric mode: a pool of simple online
 * forecasters on the raw series and on its logarithm, combined online, that
 * the network then corrects (rnnfilter(1), FORECASTS).
 *
 * For each transform (the values, and their logarithm while every value so
 * far is positive) the pool holds:
 *   naive           x_t;
 *   ses             simple exponential smoothing, a grid of BASE_SES_G
 *                   smoothing constants, the one with the lowest absolute
 *                   error so far used at each step;
 *   ar3, ar24       AR on the last 3 or 24 values, by recursive least squares;
 * and, once seasonal periods m (and m2, a multiple of m) are known:
 *   snaive          x_{t+h-m}, and x_{t+h-m2};
 *   ar3s, ar12s     AR on the last 3 or 12 values with the seasonal lags m,
 *                   m+1, 2m (and m2, m2+1, 2 m2) of the target;
 *   arm             AR on the last m values, for 12 < m <= BASE_MAX_ARM;
 *   hw              additive Holt-Winters on m, a grid of BASE_HW_G
 *                   (alpha, beta, gamma), online choice as for ses;
 *   dshw            double-seasonal Holt-Winters on (m, m2) with an AR(1)
 *                   term on its error (Taylor 2003), a grid of BASE_DSHW_G.
 * Every forecaster forecasts x_{t+h} directly after x_t; one that is not
 * ready yet forecasts naively.  On the logarithm there is no naive or
 * snaive (the same forecasts) and no ar24 or ar12s (their cost for little).
 *
 * Combination: each forecaster's squared errors are averaged with discount
 * BASE_LAMBDA per item (a memory of some 100 items), and again with
 * BASE_LAMBDA_FAST (some 20 items); for each memory, the BASE_TOPK with the
 * lowest mean are averaged with weights 1 / mean.  Of the two combinations,
 * the one whose squared errors, discounted by BASE_CHOICE_LAMBDA, are lower
 * is used: a long memory where the best forecasters stay the best (a noisy
 * series), a short one where they take turns (a series whose pattern
 * drifts).  The combination is delivered only while it beats the
 * naive forecast: the discounted mean of |e_naive| - |e_comb| must exceed
 * BASE_GATE_T of its standard error, else the naive forecast is the base.
 *
 * Cost: the BASE_NACTIVE forecasters with the lowest discounted mean, and
 * every forecaster with fewer than BASE_DORM_N scored items, are updated in
 * full; the other ARs fit one pair in BASE_DORM_FIT (their RLS step is most
 * of the pool's time).  Every forecaster still forecasts and is scored at
 * every item, so that one whose error falls back among the best is updated
 * in full from the next item on.  This depends on saved numbers only.
 *
 * Periods come from the caller (a time column's spacing, or --period), or
 * are found in the data: the autocorrelation of the first differences at
 * lags 2..BASE_MAX_PERIOD, accumulated over the first BASE_ACF_N items, is
 * examined at n = 36, 72, ..., BASE_ACF_N items; the highest local peak
 * above BASE_ACF_MIN and 3 / sqrt(n) (lag <= n / 3), with a negative
 * autocorrelation at some shorter lag, becomes m (replacing
 * an m found earlier if higher by BASE_ACF_GAIN), and a multiple of m whose
 * peak is higher still becomes m2.
 *
 * Ownership: base_new() allocates; base_free() frees it all.  base_push()
 * allocates only when the periods change, while it looks for periods, as
 * its history doubles (up to 2 BASE_MAX_PERIOD + 2 + h items), and at an
 * AR's first fit (its w and P: until then it forecasts naively and keeps
 * none).
 */
#ifndef RNNF_BASE_H
#define RNNF_BASE_H

#include <stddef.h>
#include <stdint.h>

struct ser;

#define BASE_MAX_PERIOD 400
#define BASE_MAX_ARM 64
#define BASE_MAX_HORIZON 10000
#define BASE_LAMBDA 0.99
#define BASE_LAMBDA_FAST 0.95
#define BASE_CHOICE_LAMBDA 0.995
#define BASE_TOPK 3
#define BASE_NACTIVE 4
#define BASE_DORM_N 500
#define BASE_DORM_FIT 8
#ifndef BASE_GATE_T
#define BASE_GATE_T 1.0
#endif
#ifndef BASE_GATE_LAMBDA
#define BASE_GATE_LAMBDA 0.999
#endif
#define BASE_ACF_N 1152
#define BASE_ACF_MIN 0.3
#define BASE_ACF_GAIN 0.1
#define BASE_SES_G 8
#define BASE_HW_G 27
#define BASE_DSHW_G 36

enum base_kind {
	BX_NAIVE, BX_SES, BX_AR3, BX_AR24,
	BX_SNAIVE, BX_SNAIVE2, BX_AR3S, BX_AR12S, BX_ARM, BX_HW, BX_DSHW,
	BX_NKIND
};
#define BX_NFIXED BX_SNAIVE	/* kinds that need no period */

/* How the periods were chosen. */
enum base_psrc { BASE_P_NONE, BASE_P_DATA, BASE_P_TIME, BASE_P_GIVEN };

struct bx;

struct base {
	int h;			/* horizon */
	int nper;		/* 0, 1 or 2 periods */
	double per[2];
	int psrc;		/* enum base_psrc */
	int find;		/* look for periods in the data */
	int logok;		/* every value so far > 0 */
	uint64_t n;		/* items taken */
	int hl;			/* history slots */
	double *hist;		/* (2, hl) x_s, log x_s at [tr][s % hl] */
	double *acf;		/* (acfn) sums d_t d_{t-L}, or NULL */
	int acfn;		/* lags held: min(n, BASE_MAX_PERIOD + 1) or
				 * more, doubling; d_t d_{t-L} is 0 past n */
	double acfd;		/* the sum of d_t */
	struct bx *x[2][BX_NKIND];	/* NULL where absent */
	double *pend;		/* (h) combination made after x_s, [s % h] */
	double *dlv;		/* (h) base delivered after x_s, [s % h] */
	double gm, gv, gn;	/* gate: discounted mean, mean square, count */
	double bq, bn;		/* delivered base: discounted error^2, count */
	double *pc;		/* (h, 2) the combinations of memory
				 * BASE_LAMBDA and BASE_LAMBDA_FAST made
				 * after x_s, at [s % h] */
	double cq[2];		/* their squared errors, discounted by
				 * BASE_CHOICE_LAMBDA */
};

/*
 * A base for horizon H (1..BASE_MAX_HORIZON); FIND: look for periods in the
 * data until base_set_periods() is called.  NULL when out of memory.
 */
struct base *base_new(int h, int find);
void base_free(struct base *b);

/*
 * Set the periods (NPER 0..2, each 2..BASE_MAX_PERIOD; a second one must be
 * a multiple of the first for dshw) from SRC; stops the search in the data.
 * The seasonal forecasters start afresh.  0, or -1 when out of memory.
 */
int base_set_periods(struct base *b, int nper, const double *per, int src);

/* Is a forecast of the coming item due (made H items ago)? */
int base_due(const struct base *b);
/* The delivered base forecast of the coming item, made H items ago. */
double base_pred(const struct base *b);
/*
 * Take the coming item X (PRESENT 0: missing, taken as its base forecast):
 * score every forecaster, update them all, forecast x_{t+h}.  0, or -1 when
 * out of memory (when periods are found).
 */
int base_push(struct base *b, double x, int present);
/* The delivered base forecast made after the latest item. */
double base_forecast(const struct base *b);
/*
 * The first period m, if one is known and x_{t-m} is in the history, into
 * *M, and x_{t-m} into *XM, t the coming item (the one base_push() takes
 * next): 1, else 0.
 */
int base_season(const struct base *b, int *m, double *xm);
/* The root mean square of the delivered base's recent errors, 0 if none. */
double base_rms(const struct base *b);

/* A forecaster's errors over all scored items, for --report. */
struct base_info {
	const char *name;	/* "ar12s", "log hw", ... */
	double mae, rmse;	/* NAN if none scored */
	double n;		/* items scored */
	double weight;		/* in the latest combination */
	size_t bytes;		/* the heap it holds (malloc's headers not
				 * counted) */
};
/* The I-th forecaster present (0-based) into *INFO: 1, or 0 past the last. */
int base_info(const struct base *b, int i, struct base_info *info);

/*
 * LAYOUT: BASE_LAYOUT, or to load a base saved by an older model format, 1
 * (format 6: the ARs' rows not padded, the history of hist_max() slots), 2
 * (formats 7 and 8: the same history), 3 (formats 9 to 11: the history
 * sized to the forecasters) or 4 (format 12); before layout 4 the pool had
 * an ar12 where ar24 is: ar24 then starts afresh (ar12's pending forecasts
 * are its first); before layout 5 there is one memory of the combination,
 * from which both start.  Saving is always in BASE_LAYOUT.
 */
#define BASE_LAYOUT 5
void base_ser(struct ser *s, struct base *b, int layout);

#endif
