/* norm.c - running statistics; the formula is in norm.h and rnnfilter(1). */
#include <math.h>
#include "norm.h"

void
norm_init(struct norm *s, int off)
{
	s->n = 0;
	s->mean = 0;
	s->m2 = 0;
	s->off = off;
}

void
norm_get(const struct norm *s, double *mean, double *scale)
{
	double sd;

	if (s->off) {
		*mean = 0;
		*scale = 1;
		return;
	}
	*mean = s->mean;
	sd = s->n > 0 ? sqrt(s->m2 / s->n) : 0;
	if (sd > 0)
		*scale = sd;
	else if (s->mean != 0)
		*scale = fabs(s->mean);
	else
		*scale = 1;
}

int
norm_has_spread(const struct norm *s)
{
	return s->off || s->m2 > 0;
}

double
norm_scale(const struct norm *s, double x)
{
	double m, sc;

	if (s->off)
		return x;
	if (s->n == 0)
		return 0;
	norm_get(s, &m, &sc);
	return (x - m) / sc;
}

void
norm_update(struct norm *s, double x)
{
	double d = x - s->mean;

	s->n += 1;
	s->mean += d / s->n;
	s->m2 += d * (x - s->mean);
}
