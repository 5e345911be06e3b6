/*
 * linalg.h - the few dense kernels the cells need.  Matrices are row-major,
 * W of shape (rows, cols).  Sums are taken in a fixed order, so a result does
 * not depend on the compiler's vectorisation: the same seed gives the same
 * bytes on every machine.
 */
#ifndef RNNF_LINALG_H
#define RNNF_LINALG_H

#include <stddef.h>
#include <stdint.h>
#include "real.h"

/*
 * N reals, zeroed, at a multiple of 64 bytes (a cache line, one AVX-512
 * vector), released with free(); NULL when out of memory.  A block of
 * weights that starts there keeps each matrix whose offset and row length
 * are multiples of 16 reals on line boundaries: a vector load that straddles
 * two lines costs the kernels about half their speed.
 */
real *la_alloc(size_t n);

/* y = W x + b   (b may be NULL) */
void la_gemv(real *y, const real *w, const real *x, const real *b,
    size_t rows, size_t cols);
/* x += W^T d */
void la_gemtv_acc(real *restrict x, const real *restrict w,
    const real *restrict d, size_t rows, size_t cols);
/* G = sum_t d_t x[t]^T, d_t = D + t*LDD (rows), in the order t = 0..N-1
 * (N = 0 gives zeros): the weight gradient of a window as one product. */
void la_outer_n(real *restrict g, const real *restrict d, size_t ldd,
    const real *const *x, size_t n, size_t rows, size_t cols);
/* y += a */
void la_add(real *y, const real *a, size_t n);
real la_sigmoid(real x);
/* y = tanh(x) and y = sigmoid(x), elementwise (Y may be X).  The float
 * build uses vectorisable forms accurate to about one float rounding. */
void la_tanh_v(real *y, const real *x, size_t n);
void la_sigmoid_v(real *y, const real *x, size_t n);
/*
 * The LSTM's step after its affine maps, for N units: a = gi + gh (4N, gates
 * i f g o); i, f, o = sigmoid(a), g = tanh(a) into GATE (4N); then
 * C = f * CPREV + i * g, TC = tanh(C), H = o * TC (N each).
 */
void la_lstm_gates(real *restrict gate, real *restrict tc, real *restrict c,
    real *restrict h, const real *restrict gi, const real *restrict gh,
    const real *restrict cprev, size_t n);
/* y = scale * e^x elementwise; the sum of e^x over X. */
void la_exp_v(real *y, const real *x, real scale, size_t n);
real la_sum_exp(const real *x, size_t n);
/* The first index of X's largest element, as a loop that keeps the first
 * of equals would find it (0 if x[0] is NaN; other NaNs never win; N > 0). */
size_t la_argmax(const real *x, size_t n);
/* In place: x <- log(softmax(x)). */
void la_log_softmax(real *x, size_t n);

#endif
