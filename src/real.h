/*
 * real.h - the floating-point type of the numeric core.
 *
 * The program computes in float, as PyTorch does by default.  The unit tests
 * build the same core a second time with RNNF_DOUBLE defined, so that the
 * finite-difference gradient checks can use tight tolerances.
 */
#ifndef RNNF_REAL_H
#define RNNF_REAL_H

#include <math.h>

#ifdef RNNF_DOUBLE
typedef double real;
#define RSQRT sqrt
#define REXP exp
#define RTANH tanh
#define RLOG log
#define RFABS fabs
#else
typedef float real;
#define RSQRT sqrtf
#define REXP expf
#define RTANH tanhf
#define RLOG logf
#define RFABS fabsf
#endif

/*
 * The hot kernels are compiled three times on x86-64, for the x86-64-v4
 * level (AVX-512 F, BW, DQ, VL), for x86-64-v3 (AVX2, FMA) and for the
 * baseline, and the loader picks one (GCC's target_clones, an ifunc).  The
 * levels rather than the bare "avx512f" and "avx2": AVX-512 without VL and
 * BW makes the 8-lane vectors and their masks cost more (H = 32 ran at 0.7
 * of the speed).  The kernels fix their summation order in code and the C99
 * mode contracts no FMA, so every clone gives the same bits
 * (tests/clones.test runs them side by side).  RNNF_CLONES_AVX2 leaves the
 * AVX-512 clone out, for that test.
 */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && \
    !defined(__clang__) && !defined(RNNF_NO_CLONES)
#ifdef RNNF_CLONES_AVX2
#define RNNF_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define RNNF_HOT __attribute__((target_clones("arch=x86-64-v4", \
    "arch=x86-64-v3", "default")))
#define RNNF_HAVE_512_CLONE 1
#endif
#else
#define RNNF_HOT
#endif

#endif
