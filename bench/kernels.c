/*
 * kernels.c - the time of each hot kernel of one LSTM layer, per call and
 * per item, at hidden size H (argv[1], 32 unless told) with one input and
 * K = 16, Adam: what a numeric item costs in the network (see
 * bench/kernels.sh, which links it with the built kernels and with the same
 * kernels compiled with fused multiply-adds).
 *
 * Per item the network runs W_hh h (la_gemv, 4H x H), the gates
 * (la_lstm_gates, H units) and, back through the window, W_hh^T d
 * (la_gemtv_acc); per window of K items the weight gradient of K steps
 * (la_outer_n, 4H x H x K), the gradient's norm and Adam over all the
 * parameters (4H (H + 3) + H + 1).  Each kernel is timed alone on data of
 * the right shape in a loop of calls, by CLOCK_THREAD_CPUTIME_ID (time the
 * host takes from this virtual machine is not counted), the best of 15
 * runs.  Prints one line per kernel:
 *
 *   NAME NS_PER_CALL CALLS_PER_ITEM MADDS_PER_CALL
 *
 * and a checksum, so that no call is optimized away.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "linalg.h"
#include "optim.h"

#define K 16
#define RUNS 15

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
fill(real *p, size_t n, real scale, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = scale * ((real)((i * 2654435761u + seed) % 1000) / 500 - 1);
}

/* the best of RUNS runs of CALLS calls of the kernel ID, in ns a call */
static double
timed(int id, long calls, size_t h, real *const *b, const real *const *xs,
    struct optim *o, double *sum)
{
	size_t g = 4 * h, np = 4 * h * (h + 3) + h + 1;
	double best = 1e30, t0, e;
	long c;
	int r;

	for (r = 0; r < RUNS; r++) {
		t0 = cpu_now();
		for (c = 0; c < calls; c++)
			switch (id) {
			case 0:	/* y = W_hh h + b_hh */
				la_gemv(b[1], b[0], b[2], b[3], g, h);
				break;
			case 1:	/* dh += W_hh^T d */
				la_gemtv_acc(b[4], b[0], b[5] + (c % K) * g, g, h);
				break;
			case 2:
				la_lstm_gates(b[6], b[7], b[8], b[9], b[10],
				    b[1], b[11], h);
				break;
			case 3:	/* G = sum of K steps' d h^T */
				la_outer_n(b[12], b[5], g, xs, K, g, h);
				break;
			case 4:
				*sum += optim_grad_norm(b[14], np);
				break;
			case 5:
				optim_step(o, b[13], b[14], 1);
				break;
			}
		e = (cpu_now() - t0) / calls;
		if (e < best)
			best = e;
	}
	*sum += b[1][3] + b[4][1] + b[9][2] + b[12][5] + b[13][7];
	return best * 1e9;
}

int
main(int argc, char **argv)
{
	size_t h = argc > 1 ? (size_t)atol(argv[1]) : 32, g, np, t;
	static const char *name[] = { "gemv", "gemtv", "gates", "outer",
	    "norm", "adam" };
	real *b[15], *m;
	const real *xs[K];
	struct optim o;
	double sum = 0, madds, per;
	long calls;
	int id;

	if (h < 1 || h > 1024)
		return 1;
	g = 4 * h;
	np = 4 * h * (h + 3) + h + 1;
	b[0] = la_alloc(g * h);	/* W_hh */
	b[1] = la_alloc(g);	/* its product */
	b[2] = la_alloc(h);	/* h */
	b[3] = la_alloc(g);	/* b_hh */
	b[4] = la_alloc(h);	/* dh */
	b[5] = la_alloc(g * K);	/* the window's gate gradients */
	b[6] = la_alloc(g);
	b[7] = la_alloc(h);
	b[8] = la_alloc(h);
	b[9] = la_alloc(h);
	b[10] = la_alloc(g);
	b[11] = la_alloc(h);	/* c_prev */
	b[12] = la_alloc(g * h);	/* the weight gradient */
	b[13] = la_alloc(np);	/* the parameters */
	b[14] = la_alloc(np);	/* their gradient */
	m = la_alloc(optim_state_size(np));
	for (t = 0; t < 15; t++)
		if (b[t] == NULL)
			return 1;
	if (m == NULL)
		return 1;
	fill(b[0], g * h, 0.1f, 1);
	fill(b[2], h, 0.5f, 2);
	fill(b[3], g, 0.1f, 3);
	fill(b[5], g * K, 0.01f, 4);
	fill(b[10], g, 1, 5);
	fill(b[11], h, 0.5f, 6);
	fill(b[13], np, 0.1f, 7);
	fill(b[14], np, 0.001f, 8);
	for (t = 0; t < K; t++) {
		real *x = la_alloc(h);

		if (x == NULL)
			return 1;
		fill(x, h, 0.5f, 10 + (unsigned)t);
		xs[t] = x;
	}
	optim_init(&o, OPTIM_ADAM, 0.003, np, m);
	/* some 20 ms a run */
	calls = (long)(2e7 / ((double)g * h + 1000));
	if (calls < 10)
		calls = 10;
	for (id = 0; id < 6; id++) {
		long n = id >= 3 ? calls / K + 1 : calls;

		per = timed(id, n, h, b, xs, &o, &sum);
		madds = id == 0 || id == 1 ? (double)g * h :
		    id == 3 ? (double)g * h * K : 0;
		printf("%s %.1f %.6g %.0f\n", name[id], per,
		    id >= 3 ? 1.0 / K : 1.0, madds);
	}
	printf("checksum %.6g\n", sum);
	return 0;
}
