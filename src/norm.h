/*
 * norm.h - online scaling of a number with the statistics of the numbers
 * before it (Welford's running mean and population variance).
 *
 * With n items seen, mean m and standard deviation sd = sqrt(M2 / n):
 *   scale = sd if sd > 0, else |m| if m != 0, else 1;
 *   z = (x - m) / scale, and z = 0 while no item has been seen.
 * A prediction y in scaled units is written back as m + scale * y.
 * Until two different numbers have been seen (sd = 0), the scale is no
 * spread of the data, and a prediction made with it is not to be used.
 */
#ifndef RNNF_NORM_H
#define RNNF_NORM_H

struct norm {
	double n;
	double mean;
	double m2;
	int off;	/* --normalize none: z = x */
};

void norm_init(struct norm *s, int off);
/* Scale X with the statistics so far (does not update them). */
double norm_scale(const struct norm *s, double x);
/* Take X into the statistics. */
void norm_update(struct norm *s, double x);
/* The current location and scale (0 and 1 when off). */
void norm_get(const struct norm *s, double *mean, double *scale);
/* Is the scale a spread (sd > 0), or normalization off? */
int norm_has_spread(const struct norm *s);

#endif
