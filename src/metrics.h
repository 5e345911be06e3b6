/*
 * metrics.h - progressive accuracy over the scored predictions, next to two
 * baselines on the same items (the naive last-value forecast x_{t-h} and an
 * online AR(p), see ar.h), the anomaly model (anomaly.h), and the
 * error's course over the stream for the report's sparkline.
 *
 * Everything here is plain fields and fixed arrays, so that metrics_ser()
 * can save it with the model: a run resumed from a model file goes on with
 * the same numbers it would have had in one run.
 */
#ifndef RNNF_METRICS_H
#define RNNF_METRICS_H

#include <stdint.h>
#include "anomaly.h"
#include "ar.h"

struct ser;

struct errsum {
	double n;	/* pairs scored */
	double abs;	/* sum of |error| */
	double sq;	/* sum of error^2 */
	double ape;	/* sum of |error / target| over targets != 0 */
	double nape;	/* pairs in ape; n - nape were skipped (target 0) */
};

/*
 * The sparkline: rnnfilter's mean |error| in SPARK_N buckets over the scored
 * pairs.  A bucket holds WIDTH pairs; when all SPARK_N are full, neighbours
 * are merged pairwise and WIDTH doubles, so memory stays constant and the
 * buckets always cover the whole stream.
 */
#define SPARK_N 40

struct spark {
	double sum[SPARK_N];	/* sum of |error| per bucket */
	uint64_t width;		/* pairs per full bucket; 0 before the first */
	uint64_t nb;		/* full buckets */
	uint64_t fill;		/* pairs in bucket nb */
};

struct metrics {
	uint64_t items;		/* items taken */
	struct errsum net;	/* rnnfilter's predictions */
	struct errsum naive;	/* x_{t-h} as the prediction of x_t */
	struct errsum ar;	/* the AR(p) baseline */
	double loss;		/* sum of the loss terms (scaled units, or nats) */
	double nloss;
	struct ar arm;
	struct anomaly an;
	struct spark sp;
};

/*
 * Zero everything; metrics_start() then sets up the AR, allocating (0, or -1
 * when out of memory; again frees the previous set-up; HORIZON 0: no AR,
 * nothing allocated); metrics_free() frees.
 */
void metrics_init(struct metrics *m);
int metrics_start(struct metrics *m, int ar_order, int horizon);
void metrics_free(struct metrics *m);
/* VERSION: the model file's format (see anomaly_ser). */
void metrics_ser(struct ser *s, struct metrics *m, int version);

/*
 * One scored pair whose target X is present: rnnfilter's PRED, the naive
 * forecast NAIVE and the AR baseline's ARP against X, LOSS its loss term,
 * ALERT 1 when its anomaly score raised an alert.  The same update serves a
 * series' metrics and a run's totals over its keys.
 */
void metrics_pair(struct metrics *m, double x, double pred, double naive,
    double arp, double loss, int alert);

void errsum_add(struct errsum *s, double err);
/* Score PRED against TARGET, MAPE included (skipped when TARGET is 0). */
void errsum_score(struct errsum *s, double target, double pred);
double errsum_mae(const struct errsum *s);
double errsum_rmse(const struct errsum *s);
double errsum_mape(const struct errsum *s);	/* percent */
/* MAE / the naive MAE. */
double errsum_mase(const struct errsum *s, const struct errsum *naive);

void spark_add(struct spark *s, double abserr);
/* Bucket means into OUT (SPARK_N); returns how many (a partial last one too). */
int spark_get(const struct spark *s, double *out);

/* The standard normal quantile Phi^-1(p), 0 < p < 1. */
double normal_quantile(double p);

#endif
