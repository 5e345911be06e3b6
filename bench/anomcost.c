/*
 * anomcost.c - the time anomaly_step() takes per item, the anomaly model
 * of every scored item (see bench/anomcost.sh): a half-hourly series with
 * a daily pattern of period 48 and noise, its residual the seasonal naive
 * forecast's (the noise of two items), the default hold-off of 50; p5 on
 * with m = 48, or off with argv[2] 0 (as with --predict change, where no
 * period is known).  Prints the nanoseconds per item, the best of three
 * runs of N items (argv[1], 2,000,000 unless told), and a checksum of the
 * scores so that no run is optimized away.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "anomaly.h"
#include "rng.h"

#define PERIOD 48

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000, t;
	int m = argc > 2 ? atoi(argv[2]) : PERIOD;
	double *x, best = HUGE_VAL, sum = 0, score = 0, t0, e;
	struct anomaly a;
	struct rng g;
	int run;

	if (n < PERIOD + 1 || (x = malloc(n * sizeof *x)) == NULL)
		return 1;
	rng_seed(&g, 1);
	for (t = 0; t < n; t++) {
		/* noise of about unit spread, an occasional spike */
		e = rng_uniform(&g) + rng_uniform(&g) + rng_uniform(&g) - 1.5;
		if (rng_uniform(&g) < 0.001)
			e *= 20;
		x[t] = 100 + 10 * sin(2 * M_PI * t / PERIOD) + e;
	}
	for (run = 0; run < 3; run++) {
		anomaly_init(&a);
		t0 = now();
		for (t = PERIOD; t < n; t++) {
			double r = x[t] - (x[t - PERIOD]);

			if (anomaly_step(&a, x[t], r, x[t - PERIOD], m, 50,
			    &score) < 0)
				return 1;
			if (score > 0)
				sum += score;
			score = 0;
		}
		e = (now() - t0) / (n - PERIOD);
		if (e < best)
			best = e;
		anomaly_free(&a);
	}
	printf("%.1f ns per item (%ld items, best of 3; checksum %.6g)\n",
	    best * 1e9, n - PERIOD, sum);
	free(x);
	return 0;
}
