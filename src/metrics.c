/* metrics.c - see metrics.h. */
#include <math.h>
#include <string.h>
#include "metrics.h"

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof *m);
}

void
errsum_add(struct errsum *s, double err)
{
	s->n += 1;
	s->abs += fabs(err);
	s->sq += err * err;
}

double
errsum_mae(const struct errsum *s)
{
	return s->n > 0 ? s->abs / s->n : NAN;
}

double
errsum_rmse(const struct errsum *s)
{
	return s->n > 0 ? sqrt(s->sq / s->n) : NAN;
}
