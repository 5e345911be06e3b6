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

#endif
