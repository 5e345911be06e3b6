/*
 * fmapeak.c - the arithmetic ceiling of one core, per CPU second: register-
 * only multiply-add loops (no memory traffic) of 256-bit AVX2 FMA and, where
 * the CPU has it, 512-bit AVX-512F, timed by CLOCK_PROCESS_CPUTIME_ID, so a
 * core shared with other programs does not lower (or, scaled, raise) it.
 * Twelve independent accumulators hide the FMA latency of two FMA
 * ports.  bench/bench.sh builds and runs it:
 *
 *   cc -O2 -o fmapeak bench/fmapeak.c && ./fmapeak [SECONDS [RUNS]]
 *
 * prints, for each width, the best of RUNS (5) runs of SECONDS (0.2) each:
 *   fma256 G_MADDS_PER_CPU_S   fma512 G_MADDS_PER_CPU_S
 * and the wall-clock rate of the same best run, to compare with gemv_peak.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NACC 12
#define FMA12(f) do {						\
	a0 = f(a0, m, c); a1 = f(a1, m, c); a2 = f(a2, m, c);		\
	a3 = f(a3, m, c); a4 = f(a4, m, c); a5 = f(a5, m, c);		\
	a6 = f(a6, m, c); a7 = f(a7, m, c); a8 = f(a8, m, c);		\
	a9 = f(a9, m, c); a10 = f(a10, m, c); a11 = f(a11, m, c);	\
} while (0)

static double
clk(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ITERS rounds of NACC 8-lane multiply-adds; returns a checksum */
__attribute__((target("avx2,fma"), noinline)) static float
fma256(long iters)
{
	__m256 a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
	__m256 m = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(1e-3f);
	float s[8], t = 0;
	long it;
	int k;

	a0 = _mm256_set1_ps(1); a1 = _mm256_set1_ps(2); a2 = _mm256_set1_ps(3);
	a3 = _mm256_set1_ps(4); a4 = _mm256_set1_ps(5); a5 = _mm256_set1_ps(6);
	a6 = _mm256_set1_ps(7); a7 = _mm256_set1_ps(8); a8 = _mm256_set1_ps(9);
	a9 = _mm256_set1_ps(10); a10 = _mm256_set1_ps(11); a11 = _mm256_set1_ps(12);
	for (it = 0; it < iters; it++) {
		FMA12(_mm256_fmadd_ps);
		/* keeps the compiler from folding the rounds together */
		__asm__ __volatile__("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3));
	}
	a0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
	    _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
	a0 = _mm256_add_ps(a0, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
	_mm256_storeu_ps(s, a0);
	for (k = 0; k < 8; k++)
		t += s[k];
	return t;
}

__attribute__((target("avx512f"), noinline)) static float
fma512(long iters)
{
	__m512 a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
	__m512 m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-3f);
	float s[16], t = 0;
	long it;
	int k;

	a0 = _mm512_set1_ps(1); a1 = _mm512_set1_ps(2); a2 = _mm512_set1_ps(3);
	a3 = _mm512_set1_ps(4); a4 = _mm512_set1_ps(5); a5 = _mm512_set1_ps(6);
	a6 = _mm512_set1_ps(7); a7 = _mm512_set1_ps(8); a8 = _mm512_set1_ps(9);
	a9 = _mm512_set1_ps(10); a10 = _mm512_set1_ps(11); a11 = _mm512_set1_ps(12);
	for (it = 0; it < iters; it++) {
		FMA12(_mm512_fmadd_ps);
		/* keeps the compiler from folding the rounds together */
		__asm__ __volatile__("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3));
	}
	a0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
	    _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
	a0 = _mm512_add_ps(a0, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
	_mm512_storeu_ps(s, a0);
	for (k = 0; k < 16; k++)
		t += s[k];
	return t;
}

/* the best of RUNS runs of about SEC CPU seconds: madds per CPU second and
 * per wall second of that run */
static void
peak(float (*f)(long), int lanes, double sec, int runs, double *cpu,
    double *wall, float *sum)
{
	long iters = 1000;
	double c0, c1, w0, w1;
	int i;

	for (;;) {	/* calibrate */
		c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
		*sum += f(iters);
		c1 = clk(CLOCK_PROCESS_CPUTIME_ID);
		if (c1 - c0 > sec / 4)
			break;
		iters *= 4;
	}
	iters = (long)((double)iters * sec / (c1 - c0));
	*cpu = *wall = 0;
	for (i = 0; i < runs; i++) {
		double rc, rw;

		w0 = clk(CLOCK_MONOTONIC);
		c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
		*sum += f(iters);
		c1 = clk(CLOCK_PROCESS_CPUTIME_ID);
		w1 = clk(CLOCK_MONOTONIC);
		rc = (double)iters * NACC * lanes / (c1 - c0);
		rw = (double)iters * NACC * lanes / (w1 - w0);
		if (rc > *cpu) {
			*cpu = rc;
			*wall = rw;
		}
	}
}

int
main(int argc, char **argv)
{
	double sec = argc > 1 ? atof(argv[1]) : 0.2, cpu, wall;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	float sum = 0;

	__builtin_cpu_init();
	if (sec <= 0 || runs < 1) {
		fprintf(stderr, "usage: fmapeak [SECONDS [RUNS]]\n");
		return 2;
	}
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
		printf("fma256 - -\n");
		return 0;
	}
	peak(fma256, 8, sec, runs, &cpu, &wall, &sum);
	printf("fma256 %.2f %.2f\n", cpu / 1e9, wall / 1e9);
	if (__builtin_cpu_supports("avx512f")) {
		peak(fma512, 16, sec, runs, &cpu, &wall, &sum);
		printf("fma512 %.2f %.2f\n", cpu / 1e9, wall / 1e9);
	} else
		printf("fma512 - -\n");
	printf("# checksum %g\n", (double)sum);
	return 0;
}
