/* linalg.c - dense kernels; see linalg.h for the summation-order promise. */
#include "linalg.h"

/*
 * Eight partial sums in fixed lanes: the compiler may put them in one vector
 * register, but may not reorder them, so the result is reproducible.
 */
real
la_dot(const real *a, const real *b, size_t n)
{
	real acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	size_t i, k;
	real s;

	for (i = 0; i + 8 <= n; i += 8)
		for (k = 0; k < 8; k++)
			acc[k] += a[i + k] * b[i + k];
	s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
	    ((acc[2] + acc[6]) + (acc[3] + acc[7]));
	for (; i < n; i++)
		s += a[i] * b[i];
	return s;
}

void
la_gemv(real *y, const real *w, const real *x, const real *b,
    size_t rows, size_t cols)
{
	size_t i;

	for (i = 0; i < rows; i++)
		y[i] = la_dot(w + i * cols, x, cols) + (b ? b[i] : 0);
}

void
la_gemv_acc(real *y, const real *w, const real *x, size_t rows, size_t cols)
{
	size_t i;

	for (i = 0; i < rows; i++)
		y[i] += la_dot(w + i * cols, x, cols);
}

void
la_gemtv_acc(real *restrict x, const real *restrict w,
    const real *restrict d, size_t rows, size_t cols)
{
	size_t i, j;

	for (i = 0; i < rows; i++) {
		const real *wi = w + i * cols;
		real di = d[i];

		if (di == 0)
			continue;
		for (j = 0; j < cols; j++)
			x[j] += wi[j] * di;
	}
}

void
la_outer_acc(real *restrict g, const real *restrict d,
    const real *restrict x, size_t rows, size_t cols)
{
	size_t i, j;

	for (i = 0; i < rows; i++) {
		real *gi = g + i * cols;
		real di = d[i];

		if (di == 0)
			continue;
		for (j = 0; j < cols; j++)
			gi[j] += di * x[j];
	}
}

void
la_add(real *y, const real *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] += a[i];
}

real
la_sigmoid(real x)
{
	/* the branch keeps exp() from overflowing for large |x| */
	if (x >= 0)
		return 1 / (1 + REXP(-x));
	else {
		real e = REXP(x);
		return e / (1 + e);
	}
}

real
la_softmax(real *x, size_t n)
{
	real mx = x[0], sum = 0;
	size_t i;

	for (i = 1; i < n; i++)
		if (x[i] > mx)
			mx = x[i];
	for (i = 0; i < n; i++) {
		x[i] = REXP(x[i] - mx);
		sum += x[i];
	}
	for (i = 0; i < n; i++)
		x[i] /= sum;
	return mx + RLOG(sum);
}

void
la_log_softmax(real *x, size_t n)
{
	real mx = x[0], sum = 0, lse;
	size_t i;

	for (i = 1; i < n; i++)
		if (x[i] > mx)
			mx = x[i];
	for (i = 0; i < n; i++)
		sum += REXP(x[i] - mx);
	lse = mx + RLOG(sum);
	for (i = 0; i < n; i++)
		x[i] -= lse;
}
