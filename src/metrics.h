/*
 * metrics.h - progressive accuracy over the scored predictions, next to the
 * naive last-value forecast computed on the same items.
 */
#ifndef RNNF_METRICS_H
#define RNNF_METRICS_H

#include <stdint.h>

struct errsum {
	double n;	/* pairs scored */
	double abs;	/* sum of |error| */
	double sq;	/* sum of error^2 */
};

struct metrics {
	struct errsum net;	/* rnnfilter's predictions */
	struct errsum naive;	/* x_{t-h} as the prediction of x_t */
	double loss;		/* sum of the loss terms (scaled units, or nats) */
	double nloss;
};

void metrics_init(struct metrics *m);
void errsum_add(struct errsum *s, double err);
double errsum_mae(const struct errsum *s);
double errsum_rmse(const struct errsum *s);

#endif
