/* linalg.c - dense kernels; see linalg.h for the summation-order promise. */
#include <stdlib.h>
#include <string.h>
#include "linalg.h"

real *
la_alloc(size_t n)
{
	void *p;

	if (n == 0)
		n = 1;
	if (n > (size_t)-1 / sizeof(real) ||
	    posix_memalign(&p, 64, n * sizeof(real)) != 0)
		return NULL;
	memset(p, 0, n * sizeof(real));
	return p;
}

/*
 * The 16-float helpers below are always inlined, so no call passes a
 * vector: GCC's note that an AVX-512 vector argument changes the calling
 * convention where AVX-512 is off does not apply.
 */
#ifdef __GNUC__		/* GCC and clang */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#ifndef RNNF_DOUBLE
/*
 * 8-float vectors of GCC's vector extensions (one AVX register, or two SSE
 * ones) let a kernel keep its partial sums in registers.  Each lane does the
 * very additions the plain loops do, in the same order: the bits are the
 * same with or without them.
 */
typedef float v8sf __attribute__((vector_size(32)));
#define VLOAD(v, p) memcpy(&(v), (p), sizeof(v))
#define VSTORE(p, v) memcpy((p), &(v), sizeof(v))
#define HAVE_V8SF 1
/*
 * 16 floats: one AVX-512 register.  The AVX-512 clone has 32 of them and
 * keeps more sums in flight than the 16 registers of AVX2 could: a clone
 * cannot name its own target, but WIDE() asks the CPU (a load and a test).
 * Only the blocks change, never the order of a sum, and the narrower clones
 * compile the wide paths without taking them.
 */
typedef float v16sf __attribute__((vector_size(64)));
#ifdef RNNF_HAVE_512_CLONE
#define WIDE() __builtin_cpu_supports("x86-64-v4")
#else
#define WIDE() 0
#endif
#endif

/*
 * Sixteen partial sums in fixed lanes: the compiler may put them in vector
 * registers of any width, but may not reorder them, so the result is the
 * same on every machine.
 */
static inline real
dot16(const real *a, const real *b, size_t n)
{
	real acc[16] = {0};
	size_t i, k;
	real s;

	if (n < 16) {	/* the lanes would all stay 0: the same sum, sooner */
		for (s = 0, i = 0; i < n; i++)
			s += a[i] * b[i];
		return s;
	}

	for (i = 0; i + 16 <= n; i += 16)
		for (k = 0; k < 16; k++)
			acc[k] += a[i + k] * b[i + k];
	for (k = 0; k < 8; k++)
		acc[k] += acc[k + 8];
	s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
	    ((acc[2] + acc[6]) + (acc[3] + acc[7]));
	for (; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/*
 * The final folding of dot16's sixteen lanes for four rows at once: with
 * c = a + b, each row's ((c0 + c4) + (c1 + c5)) + ((c2 + c6) + (c3 + c7)),
 * the halves added first and the 4 x 4 block then transposed, so that the
 * last two additions serve the four rows together.
 */
#ifdef HAVE_V8SF
typedef float v4sf __attribute__((vector_size(16)));
typedef int v4si __attribute__((vector_size(16)));

static inline v4sf
halves(const v8sf *a, const v8sf *b)
{
	v8sf c = *a + *b;
	v4sf lo, hi;

	memcpy(&lo, &c, sizeof lo);
	memcpy(&hi, (const char *)&c + sizeof lo, sizeof hi);
	return lo + hi;
}

/*
 * Lanes I, J, K, L of A and B side by side (0-3 A's, 4-7 B's): GCC spells it
 * __builtin_shuffle with a mask vector, clang __builtin_shufflevector.  Only
 * lanes move, so the bits are the same either way.
 */
typedef int v16si __attribute__((vector_size(64)));

#ifdef __clang__
#define SHUF4(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#define SHUF16(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF4(a, b, i, j, k, l) __builtin_shuffle(a, b, (v4si){ i, j, k, l })
#define SHUF16(a, b, ...) __builtin_shuffle(a, b, (v16si){ __VA_ARGS__ })
#endif

static inline void
fold16x4(real *s, v4sf d0, v4sf d1, v4sf d2, v4sf d3)
{
	v4sf t0 = SHUF4(d0, d1, 0, 4, 1, 5), t1 = SHUF4(d2, d3, 0, 4, 1, 5);
	v4sf t2 = SHUF4(d0, d1, 2, 6, 3, 7), t3 = SHUF4(d2, d3, 2, 6, 3, 7);
	v4sf r = (SHUF4(t0, t1, 0, 1, 4, 5) + SHUF4(t0, t1, 2, 3, 6, 7)) +
	    (SHUF4(t2, t3, 0, 1, 4, 5) + SHUF4(t2, t3, 2, 3, 6, 7));

	memcpy(s, &r, sizeof r);
}
#endif

#ifdef HAVE_V8SF
/*
 * Four rows of y = W x + b in the wide clone, from each row's sixteen lanes
 * of sums over columns 0 to J (A0-A3): fold16x4's additions done on the four
 * rows together, four lanes a row: c = lanes 0-7 + 8-15, d = c 0-3 + c 4-7,
 * then (d0 + d1) + (d2 + d3) (a + b and b + a are the same bits); then the
 * columns from J one by one, and b.
 */
static inline __attribute__((always_inline)) void
fold4_wide(real *y, v16sf a0, v16sf a1, v16sf a2, v16sf a3, const real *b,
    const real *w0, const real *x, size_t cols, size_t j)
{
	v16sf c01, c23, d, e, f;
	v4sf sv, bv = {0};
	real s[4];
	size_t r;

	c01 = SHUF16(a0, a1, 0, 1, 2, 3, 4, 5, 6, 7,
	    16, 17, 18, 19, 20, 21, 22, 23) +
	    SHUF16(a0, a1, 8, 9, 10, 11, 12, 13, 14, 15,
	    24, 25, 26, 27, 28, 29, 30, 31);
	c23 = SHUF16(a2, a3, 0, 1, 2, 3, 4, 5, 6, 7,
	    16, 17, 18, 19, 20, 21, 22, 23) +
	    SHUF16(a2, a3, 8, 9, 10, 11, 12, 13, 14, 15,
	    24, 25, 26, 27, 28, 29, 30, 31);
	d = SHUF16(c01, c23, 0, 1, 2, 3, 8, 9, 10, 11,
	    16, 17, 18, 19, 24, 25, 26, 27) +
	    SHUF16(c01, c23, 4, 5, 6, 7, 12, 13, 14, 15,
	    20, 21, 22, 23, 28, 29, 30, 31);
	e = d + SHUF16(d, d, 1, 0, 3, 2, 5, 4, 7, 6,
	    9, 8, 11, 10, 13, 12, 15, 14);
	f = e + SHUF16(e, e, 2, 3, 0, 1, 6, 7, 4, 5,
	    10, 11, 8, 9, 14, 15, 12, 13);
	if (j == cols) {	/* no tail: the four sums as one vector */
		sv = (v4sf){ f[0], f[4], f[8], f[12] };
		if (b != NULL)
			memcpy(&bv, b, sizeof bv);
		sv += bv;
		memcpy(y, &sv, sizeof sv);
		return;
	}
	s[0] = f[0];
	s[1] = f[4];
	s[2] = f[8];
	s[3] = f[12];
	for (r = 0; r < 4; r++) {
		const real *wr = w0 + r * cols;
		size_t k;

		for (k = j; k < cols; k++)
			s[r] += wr[k] * x[k];
		y[r] = s[r] + (b ? b[r] : 0);
	}
}

/* Eight rows (NR 8) or four of y = W x + b, the wide clone's way. */
static inline __attribute__((always_inline)) void
gemv_wide(real *y, const real *w0, const real *x, const real *b,
    size_t cols, int nr)
{
	v16sf a[8] = {{0}}, xv, u;
	size_t j;
	int r;

	for (j = 0; j + 16 <= cols; j += 16) {
		VLOAD(xv, x + j);
		for (r = 0; r < nr; r++) {
			VLOAD(u, w0 + r * cols + j);
			a[r] += u * xv;
		}
	}
	fold4_wide(y, a[0], a[1], a[2], a[3], b, w0, x, cols, j);
	if (nr == 8)
		fold4_wide(y + 4, a[4], a[5], a[6], a[7], b ? b + 4 : NULL,
		    w0 + 4 * cols, x, cols, j);
}
#endif

/* Four rows at a time share the loads of x; each row's sum is dot16's. */
RNNF_HOT void
la_gemv(real *y, const real *w, const real *x, const real *b,
    size_t rows, size_t cols)
{
	size_t i = 0;

	if (cols == 1) {	/* a lone input column, as dot16 sums it */
		for (; i < rows; i++)
			y[i] = ((real)0 + w[i] * x[0]) + (b ? b[i] : 0);
		return;
	}
#ifdef HAVE_V8SF
	/*
	 * A narrow W (the numeric mode's few inputs): eight rows in the lanes,
	 * each summing its columns in order from 0, as dot16 does below 16.
	 */
	for (; cols < 16 && i + 8 <= rows; i += 8) {
		const real *wr = w + i * cols;
		v8sf acc = {0}, bv = {0};
		size_t k;

		for (k = 0; k < cols; k++) {
			v8sf col = { wr[k], wr[cols + k], wr[2 * cols + k],
			    wr[3 * cols + k], wr[4 * cols + k], wr[5 * cols + k],
			    wr[6 * cols + k], wr[7 * cols + k] };

			acc += col * x[k];
		}
		if (b != NULL)
			VLOAD(bv, b + i);
		acc += bv;
		VSTORE(y + i, acc);
	}
	if (cols >= 16 && WIDE()) {
		for (; i + 8 <= rows; i += 8)
			gemv_wide(y + i, w + i * cols, x, b ? b + i : NULL, cols, 8);
		for (; i + 4 <= rows; i += 4)
			gemv_wide(y + i, w + i * cols, x, b ? b + i : NULL, cols, 4);
	}
	for (; cols >= 16 && i + 4 <= rows; i += 4) {
		const real *w0 = w + i * cols, *w1 = w0 + cols;
		const real *w2 = w1 + cols, *w3 = w2 + cols;
		v8sf a0 = {0}, b0 = {0}, a1 = {0}, b1 = {0};
		v8sf a2 = {0}, b2 = {0}, a3 = {0}, b3 = {0};
		real s[4];
		size_t j, r;

		for (j = 0; j + 16 <= cols; j += 16) {
			v8sf xa, xb, u, v;

			VLOAD(xa, x + j);
			VLOAD(xb, x + j + 8);
			VLOAD(u, w0 + j); VLOAD(v, w0 + j + 8);
			a0 += u * xa; b0 += v * xb;
			VLOAD(u, w1 + j); VLOAD(v, w1 + j + 8);
			a1 += u * xa; b1 += v * xb;
			VLOAD(u, w2 + j); VLOAD(v, w2 + j + 8);
			a2 += u * xa; b2 += v * xb;
			VLOAD(u, w3 + j); VLOAD(v, w3 + j + 8);
			a3 += u * xa; b3 += v * xb;
		}
		fold16x4(s, halves(&a0, &b0), halves(&a1, &b1),
		    halves(&a2, &b2), halves(&a3, &b3));
		if (j == cols) {	/* no tail: the four sums as one vector */
			v4sf sv, bv = {0};

			memcpy(&sv, s, sizeof sv);
			if (b != NULL)
				memcpy(&bv, b + i, sizeof bv);
			sv += bv;
			memcpy(y + i, &sv, sizeof sv);
			continue;
		}
		for (r = 0; r < 4; r++) {
			const real *wr = w + (i + r) * cols;
			size_t k;

			for (k = j; k < cols; k++)
				s[r] += wr[k] * x[k];
			y[i + r] = s[r] + (b ? b[i + r] : 0);
		}
	}
#endif
	for (; i < rows; i++)
		y[i] = dot16(w + i * cols, x, cols) + (b ? b[i] : 0);
}

#ifdef HAVE_V8SF
/*
 * Columns J to J + L NV of x += W^T d, NV vectors of L sums kept in
 * registers over all rows.  Each column takes the rows in order, one
 * addition after the other, so only more columns at once can hide the
 * additions' latency: NV is a constant where this is inlined, and the loops
 * over V unroll.  Made for vectors of 8 (gemtv_block) and 16 (the wide
 * clone's gemtv_block16).
 */
#define GEMTV_BLOCK(name, vec, lanes)					\
static inline __attribute__((always_inline)) void			\
name(real *restrict x, const real *restrict w, const real *restrict d,	\
    size_t rows, size_t cols, size_t j, int nv)				\
{									\
	vec a[12], wv;							\
	size_t i;							\
	int v;								\
									\
	for (v = 0; v < nv; v++)					\
		VLOAD(a[v], x + j + (lanes) * v);			\
	for (i = 0; i < rows; i++) {					\
		const real *wi = w + i * cols + j;			\
		real di = d[i];						\
									\
		if (di == 0)						\
			continue;					\
		for (v = 0; v < nv; v++) {				\
			VLOAD(wv, wi + (lanes) * v);			\
			a[v] += wv * di;				\
		}							\
	}								\
	for (v = 0; v < nv; v++)					\
		VSTORE(x + j + (lanes) * v, a[v]);			\
}
GEMTV_BLOCK(gemtv_block, v8sf, 8)
GEMTV_BLOCK(gemtv_block16, v16sf, 16)
#endif

RNNF_HOT void
la_gemtv_acc(real *restrict x, const real *restrict w,
    const real *restrict d, size_t rows, size_t cols)
{
	size_t i, j = 0;

#ifdef HAVE_V8SF
	/* the wide clone: up to twelve vectors of 16 (all of H = 128's eight
	 * at once), else eight */
	while (WIDE() && cols - j >= 16) {
		size_t nv = (cols - j) / 16;

		switch (nv > 12 ? 8 : nv) {
		case 12: gemtv_block16(x, w, d, rows, cols, j, 12); break;
		case 11: gemtv_block16(x, w, d, rows, cols, j, 11); break;
		case 10: gemtv_block16(x, w, d, rows, cols, j, 10); break;
		case 9: gemtv_block16(x, w, d, rows, cols, j, 9); break;
		case 8: gemtv_block16(x, w, d, rows, cols, j, 8); break;
		case 7: gemtv_block16(x, w, d, rows, cols, j, 7); break;
		case 6: gemtv_block16(x, w, d, rows, cols, j, 6); break;
		case 5: gemtv_block16(x, w, d, rows, cols, j, 5); break;
		case 4: gemtv_block16(x, w, d, rows, cols, j, 4); break;
		case 3: gemtv_block16(x, w, d, rows, cols, j, 3); break;
		case 2: gemtv_block16(x, w, d, rows, cols, j, 2); break;
		default: gemtv_block16(x, w, d, rows, cols, j, 1); break;
		}
		j += 16 * (nv > 12 ? 8 : nv);
	}
	/* up to twelve vectors of 8 columns at once (all of H = 80's ten),
	 * else eight: enough sums in flight to keep the adders busy */
	while (cols - j >= 8) {
		size_t nv = (cols - j) / 8;

		switch (nv > 12 ? 8 : nv) {
		case 12: gemtv_block(x, w, d, rows, cols, j, 12); break;
		case 11: gemtv_block(x, w, d, rows, cols, j, 11); break;
		case 10: gemtv_block(x, w, d, rows, cols, j, 10); break;
		case 9: gemtv_block(x, w, d, rows, cols, j, 9); break;
		case 8: gemtv_block(x, w, d, rows, cols, j, 8); break;
		case 7: gemtv_block(x, w, d, rows, cols, j, 7); break;
		case 6: gemtv_block(x, w, d, rows, cols, j, 6); break;
		case 5: gemtv_block(x, w, d, rows, cols, j, 5); break;
		case 4: gemtv_block(x, w, d, rows, cols, j, 4); break;
		case 3: gemtv_block(x, w, d, rows, cols, j, 3); break;
		case 2: gemtv_block(x, w, d, rows, cols, j, 2); break;
		default: gemtv_block(x, w, d, rows, cols, j, 1); break;
		}
		j += 8 * (nv > 12 ? 8 : nv);
	}
#endif
	for (i = 0; j < cols && i < rows; i++) {
		const real *wi = w + i * cols;
		real di = d[i];
		size_t k;

		if (di == 0)
			continue;
		for (k = j; k < cols; k++)
			x[k] += wi[k] * di;
	}
}

/*
 * G = sum_t d_t x[t]^T: every element starts from 0 and receives the steps
 * in the order t = 0..N-1, so G is what zeroing it and adding the N outer
 * products one by one gives, bit for bit (a sum that starts at +0 is never
 * -0, so adding a zero product changes nothing either).  A block of four
 * rows by sixteen columns (32 in the wide clone) stays in registers for all
 * N steps: per step two loads of x and four of d serve 64 (128)
 * multiply-adds.
 */
RNNF_HOT void
la_outer_n(real *restrict g, const real *restrict d, size_t ldd,
    const real *const *x, size_t n, size_t rows, size_t cols)
{
	size_t i = 0, j, t;

	if (cols == 1) {	/* a lone input column: the steps across rows */
		for (i = 0; i < rows; i++)
			g[i] = 0;
		for (t = 0; t < n; t++)
			for (i = 0; i < rows; i++)
				g[i] += d[t * ldd + i] * x[t][0];
		return;
	}
#ifdef HAVE_V8SF
	/* Fewer than 8 columns: eight rows of a column in the lanes. */
	for (; i + 8 <= rows && cols < 8; i += 8)
		for (j = 0; j < cols; j++) {
			v8sf a = {0}, dt;
			real s[8];
			size_t r;

			for (t = 0; t < n; t++) {
				VLOAD(dt, d + t * ldd + i);
				a += dt * x[t][j];
			}
			VSTORE(s, a);
			for (r = 0; r < 8; r++)
				g[(i + r) * cols + j] = s[r];
		}
	for (; i + 4 <= rows && cols >= 8; i += 4) {
		real *restrict g0 = g + i * cols, *restrict g1 = g0 + cols;
		real *restrict g2 = g1 + cols, *restrict g3 = g2 + cols;

		for (j = 0; WIDE() && j + 32 <= cols; j += 32) {
			v16sf a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};
			v16sf c0 = {0}, c1 = {0}, e0 = {0}, e1 = {0};

			for (t = 0; t < n; t++) {
				const real *dt = d + t * ldd + i;
				v16sf x0, x1;

				VLOAD(x0, x[t] + j);
				VLOAD(x1, x[t] + j + 16);
				a0 += dt[0] * x0; a1 += dt[0] * x1;
				b0 += dt[1] * x0; b1 += dt[1] * x1;
				c0 += dt[2] * x0; c1 += dt[2] * x1;
				e0 += dt[3] * x0; e1 += dt[3] * x1;
			}
			VSTORE(g0 + j, a0); VSTORE(g0 + j + 16, a1);
			VSTORE(g1 + j, b0); VSTORE(g1 + j + 16, b1);
			VSTORE(g2 + j, c0); VSTORE(g2 + j + 16, c1);
			VSTORE(g3 + j, e0); VSTORE(g3 + j + 16, e1);
		}
		for (; WIDE() && j + 16 <= cols; j += 16) {	/* H = 80's last 16 */
			v16sf a0 = {0}, b0 = {0}, c0 = {0}, e0 = {0};

			for (t = 0; t < n; t++) {
				const real *dt = d + t * ldd + i;
				v16sf x0;

				VLOAD(x0, x[t] + j);
				a0 += dt[0] * x0;
				b0 += dt[1] * x0;
				c0 += dt[2] * x0;
				e0 += dt[3] * x0;
			}
			VSTORE(g0 + j, a0);
			VSTORE(g1 + j, b0);
			VSTORE(g2 + j, c0);
			VSTORE(g3 + j, e0);
		}
		for (; j + 16 <= cols; j += 16) {
			v8sf a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};
			v8sf c0 = {0}, c1 = {0}, e0 = {0}, e1 = {0};

			for (t = 0; t < n; t++) {
				const real *dt = d + t * ldd + i;
				v8sf x0, x1;

				VLOAD(x0, x[t] + j);
				VLOAD(x1, x[t] + j + 8);
				a0 += dt[0] * x0; a1 += dt[0] * x1;
				b0 += dt[1] * x0; b1 += dt[1] * x1;
				c0 += dt[2] * x0; c1 += dt[2] * x1;
				e0 += dt[3] * x0; e1 += dt[3] * x1;
			}
			VSTORE(g0 + j, a0); VSTORE(g0 + j + 8, a1);
			VSTORE(g1 + j, b0); VSTORE(g1 + j + 8, b1);
			VSTORE(g2 + j, c0); VSTORE(g2 + j + 8, c1);
			VSTORE(g3 + j, e0); VSTORE(g3 + j + 8, e1);
		}
		for (; j + 8 <= cols; j += 8) {
			v8sf a0 = {0}, b0 = {0}, c0 = {0}, e0 = {0};

			for (t = 0; t < n; t++) {
				const real *dt = d + t * ldd + i;
				v8sf x0;

				VLOAD(x0, x[t] + j);
				a0 += dt[0] * x0;
				b0 += dt[1] * x0;
				c0 += dt[2] * x0;
				e0 += dt[3] * x0;
			}
			VSTORE(g0 + j, a0);
			VSTORE(g1 + j, b0);
			VSTORE(g2 + j, c0);
			VSTORE(g3 + j, e0);
		}
		for (; j < cols; j++) {
			real s0 = 0, s1 = 0, s2 = 0, s3 = 0;

			for (t = 0; t < n; t++) {
				const real *dt = d + t * ldd + i;
				real xj = x[t][j];

				s0 += dt[0] * xj;
				s1 += dt[1] * xj;
				s2 += dt[2] * xj;
				s3 += dt[3] * xj;
			}
			g0[j] = s0;
			g1[j] = s1;
			g2[j] = s2;
			g3[j] = s3;
		}
	}
	for (; i < rows; i++) {	/* a lone row, as the numeric head's */
		real *restrict gi = g + i * cols;

		for (j = 0; j + 32 <= cols; j += 32) {
			v8sf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};

			for (t = 0; t < n; t++) {
				const real *xt = x[t] + j;
				real dti = d[t * ldd + i];
				v8sf x0, x1, x2, x3;

				VLOAD(x0, xt);
				VLOAD(x1, xt + 8);
				VLOAD(x2, xt + 16);
				VLOAD(x3, xt + 24);
				a0 += dti * x0;
				a1 += dti * x1;
				a2 += dti * x2;
				a3 += dti * x3;
			}
			VSTORE(gi + j, a0);
			VSTORE(gi + j + 8, a1);
			VSTORE(gi + j + 16, a2);
			VSTORE(gi + j + 24, a3);
		}
		for (; j + 8 <= cols; j += 8) {
			v8sf a0 = {0}, x0;

			for (t = 0; t < n; t++) {
				VLOAD(x0, x[t] + j);
				a0 += d[t * ldd + i] * x0;
			}
			VSTORE(gi + j, a0);
		}
		for (; j < cols; j++) {
			real s = 0;

			for (t = 0; t < n; t++)
				s += d[t * ldd + i] * x[t][j];
			gi[j] = s;
		}
	}
#endif
	for (; i < rows; i++)
		for (j = 0; j < cols; j++) {
			real s = 0;

			for (t = 0; t < n; t++)
				s += d[t * ldd + i] * x[t][j];
			g[i * cols + j] = s;
		}
}

RNNF_HOT void
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

RNNF_HOT void
la_log_softmax(real *x, size_t n)
{
	real mx = x[la_argmax(x, n)], lse;	/* the first of the largest */
	size_t i;

	for (i = 0; i < n; i++)
		x[i] -= mx;
	lse = RLOG(la_sum_exp(x, n));
	for (i = 0; i < n; i++)
		x[i] -= lse;
}

#ifdef RNNF_DOUBLE
/* The double build serves the gradient checks: libm's exact functions. */
void
la_exp_v(real *y, const real *x, real scale, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = exp(x[i]) * scale;
}

real
la_sum_exp(const real *x, size_t n)
{
	real s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += exp(x[i]);
	return s;
}

RNNF_HOT void
la_tanh_v(real *y, const real *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = tanh(x[i]);
}

RNNF_HOT void
la_sigmoid_v(real *y, const real *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = la_sigmoid(x[i]);
}

size_t
la_argmax(const real *x, size_t n)
{
	size_t i, best = 0;

	for (i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

#define SIGM(x) la_sigmoid(x)
#define TANH(x) tanh(x)
#else
/*
 * exp(x) for float, branch-free so that the loops below vectorise: x = k ln2
 * + r with |r| <= ln2/2, e^r by its Taylor polynomial to r^7 (relative error
 * below 2e-8, under the float's rounding), 2^k put into the exponent bits.
 * X must lie in [-87, 88] or be NaN (which comes out as NaN).
 */
static inline float
exp_kernel(float x)
{
	const float log2e = 1.44269504f, ln2_hi = 0.693145752f,
	    ln2_lo = 1.42860677e-6f, round = 12582912.0f; /* 1.5 * 2^23 */
	float xk = x == x ? x : 0;	/* NaN goes through r, not through k */
	float k = (xk * log2e + round) - round;	/* nearest integer */
	float r = (x - k * ln2_hi) - k * ln2_lo;
	float p = 1 + r * (1 + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 +
	    r * (1.0f / 120 + r * (1.0f / 720 + r * (1.0f / 5040)))))));
	uint32_t bits = (uint32_t)((int32_t)k + 127) << 23;
	float scale;

	memcpy(&scale, &bits, sizeof scale);
	return p * scale;
}

static inline float
clampf(float x, float lo, float hi)
{
	x = x < lo ? lo : x;
	return x > hi ? hi : x;
}

/*
 * tanh: below |x| = 0.5 its odd Taylor series to x^15 (relative error below
 * 1e-7 there), above it 1 - 2 / (1 + e^{2|x|}), which cancels too much near
 * zero but not from 0.5 on.  Both are computed and one is chosen per lane.
 */
static inline float
tanh_kernel(float x)
{
	float a = x < 0 ? -x : x;
	float s = x * x;
	float small = x * (1 + s * (-1.0f / 3 + s * (2.0f / 15 +
	    s * (-17.0f / 315 + s * (62.0f / 2835 + s * (-1382.0f / 155925 +
	    s * (21844.0f / 6081075 +
	    /* the float the int became anyway, said so for clang */
	    s * (-929569.0f / (float)638512875))))))));
	float big = 1 - 2 / (1 + exp_kernel(clampf(2 * a, 0, 88)));

	big = x < 0 ? -big : big;
	return a < 0.5f ? small : big;
}

/* sigmoid(x) = 1 / (1 + e^-x); the clamp keeps e^-x finite. */
static inline float
sigmoid_kernel(float x)
{
	return 1 / (1 + exp_kernel(clampf(-x, -87, 88)));
}





#define SIGM(x) sigmoid_kernel(x)
#define TANH(x) tanh_kernel(x)
/*
 * The three kernels above on 16 lanes, written with the vector type so that
 * each lane does exactly the scalar kernel's operations (the selects become
 * masks, the cast a truncating conversion).  Left to itself the compiler
 * threads the scalar kernels' selects into whole second evaluations, which
 * the vectorised loop then computes in every lane; these do each once.
 */
typedef int v16si_ __attribute__((vector_size(64)));
typedef unsigned v16su __attribute__((vector_size(64)));
#define VINLINE static inline __attribute__((always_inline))

VINLINE v16sf
vsel(v16si_ m, v16sf a, v16sf b)	/* m ? a : b, lane by lane */
{
	return (v16sf)(((v16si_)a & m) | ((v16si_)b & ~m));
}

VINLINE v16sf
vclamp(v16sf x, float lo, float hi)
{
	v16sf l = (v16sf){0} + lo, h = (v16sf){0} + hi;

	x = vsel(x < l, l, x);
	return vsel(x > h, h, x);
}

VINLINE v16sf
vexp(v16sf x)
{
	const float log2e = 1.44269504f, ln2_hi = 0.693145752f,
	    ln2_lo = 1.42860677e-6f, round = 12582912.0f; /* 1.5 * 2^23 */
	v16sf zero = {0};
	v16sf xk = vsel(x == x, x, zero);
	v16sf k = (xk * log2e + round) - round;
	v16sf r = (x - k * ln2_hi) - k * ln2_lo;
	v16sf p = 1 + r * (1 + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 +
	    r * (1.0f / 120 + r * (1.0f / 720 + r * (1.0f / 5040)))))));
	v16su bits = ((v16su)__builtin_convertvector(k, v16si_) + 127) << 23;

	return p * (v16sf)bits;
}

VINLINE v16sf
vtanh(v16sf x)
{
	v16sf zero = {0};
	v16sf a = vsel(x < zero, -x, x);
	v16sf s = x * x;
	v16sf small = x * (1 + s * (-1.0f / 3 + s * (2.0f / 15 +
	    s * (-17.0f / 315 + s * (62.0f / 2835 + s * (-1382.0f / 155925 +
	    s * (21844.0f / 6081075 +
	    s * (-929569.0f / (float)638512875))))))));
	v16sf big = 1 - 2 / (1 + vexp(vclamp(2 * a, 0, 88)));

	big = vsel(x < zero, -big, big);
	return vsel(a < 0.5f, small, big);
}

VINLINE v16sf
vsigm(v16sf x)
{
	return 1 / (1 + vexp(vclamp(-x, -87, 88)));
}

/*
 * The elementwise kernels: 16 lanes at a time in the wide clone (vexp,
 * vtanh, vsigm do the scalar kernels' operations lane by lane), the rest
 * and the narrower clones through the scalar kernels.  Y may be X.
 */
RNNF_HOT void
la_tanh_v(real *y, const real *x, size_t n)
{
	size_t i = 0;
	v16sf v;

	for (; WIDE() && i + 16 <= n; i += 16) {
		VLOAD(v, x + i);
		v = vtanh(v);
		VSTORE(y + i, v);
	}
	for (; i < n; i++)
		y[i] = tanh_kernel(x[i]);
}

RNNF_HOT void
la_sigmoid_v(real *y, const real *x, size_t n)
{
	size_t i = 0;
	v16sf v;

	for (; WIDE() && i + 16 <= n; i += 16) {
		VLOAD(v, x + i);
		v = vsigm(v);
		VSTORE(y + i, v);
	}
	for (; i < n; i++)
		y[i] = sigmoid_kernel(x[i]);
}

/* y = e^x * scale, x clamped to [-87, 88] */
RNNF_HOT void
la_exp_v(real *y, const real *x, real scale, size_t n)
{
	size_t i = 0;
	v16sf v;

	for (; WIDE() && i + 16 <= n; i += 16) {
		VLOAD(v, x + i);
		v = vexp(vclamp(v, -87, 88)) * scale;
		VSTORE(y + i, v);
	}
	for (; i < n; i++)
		y[i] = exp_kernel(clampf(x[i], -87, 88)) * scale;
}

/* Sixteen fixed lanes, as in dot16, for a reproducible sum. */
RNNF_HOT real
la_sum_exp(const real *x, size_t n)
{
	real acc[16] = {0}, s = 0;
	size_t i = 0, k;

	if (WIDE() && n >= 16) {
		v16sf a = {0}, v;

		for (; i + 16 <= n; i += 16) {
			VLOAD(v, x + i);
			a += vexp(vclamp(v, -87, 88));
		}
		VSTORE(acc, a);
	}
	for (; i + 16 <= n; i += 16)
		for (k = 0; k < 16; k++)
			acc[k] += exp_kernel(clampf(x[i + k], -87, 88));
	for (; i < n; i++)
		s += exp_kernel(clampf(x[i], -87, 88));
	for (k = 0; k < 16; k++)
		s += acc[k];
	return s;
}

/*
 * Eight lanes, each starting at x[0] (not NaN, so no lane ever holds one),
 * keep the largest element of theirs and the first index it had (a strict
 * >, as the plain loop).  The first index of the largest value overall is
 * then the smallest index among the lanes that hold it, and the tail's
 * elements come after every lane's.  -0 and +0 are equals here as there.
 */
RNNF_HOT size_t
la_argmax(const real *x, size_t n)
{
	typedef int v8si __attribute__((vector_size(32)));
	v8sf m = (v8sf){0} + x[0], v;
	v8si id = {0}, at = { 0, 1, 2, 3, 4, 5, 6, 7 }, gt;
	size_t i, k, best = 0;
	real mx;

	if (x[0] != x[0] || n < 16) {	/* the plain loop */
		for (i = 1; i < n; i++)
			if (x[i] > x[best])
				best = i;
		return best;
	}
	for (i = 0; i + 8 <= n; i += 8, at += 8) {
		VLOAD(v, x + i);
		gt = v > m;
		m = (v8sf)(((v8si)v & gt) | ((v8si)m & ~gt));
		id = (at & gt) | (id & ~gt);
	}
	mx = m[0];
	best = (size_t)id[0];
	for (k = 1; k < 8; k++)
		if (m[k] > mx || (m[k] == mx && (size_t)id[k] < best)) {
			mx = m[k];
			best = (size_t)id[k];
		}
	for (; i < n; i++)
		if (x[i] > mx) {
			mx = x[i];
			best = i;
		}
	return best;
}
#endif

/*
 * One pass over the units does what la_sigmoid_v and la_tanh_v would do
 * gate by gate, with the same formula per element and so the same bits:
 * the four gates' chains of a unit are independent, and a short vector of
 * H units no longer waits on each function's latency in turn.
 */
RNNF_HOT void
la_lstm_gates(real *restrict gate, real *restrict tc, real *restrict c,
    real *restrict h, const real *restrict gi, const real *restrict gh,
    const real *restrict cprev, size_t n)
{
	size_t j = 0;

#ifdef HAVE_V8SF
	for (; WIDE() && j + 16 <= n; j += 16) {	/* the same, 16 units */
		v16sf ai, af, ag, ao, u, i_, f, g, o, cj, t;

		VLOAD(ai, gi + j); VLOAD(u, gh + j); ai += u;
		VLOAD(af, gi + n + j); VLOAD(u, gh + n + j); af += u;
		VLOAD(ag, gi + 2 * n + j); VLOAD(u, gh + 2 * n + j); ag += u;
		VLOAD(ao, gi + 3 * n + j); VLOAD(u, gh + 3 * n + j); ao += u;
		i_ = vsigm(ai);
		f = vsigm(af);
		g = vtanh(ag);
		o = vsigm(ao);
		VLOAD(u, cprev + j);
		cj = f * u + i_ * g;
		t = vtanh(cj);
		VSTORE(gate + j, i_);
		VSTORE(gate + n + j, f);
		VSTORE(gate + 2 * n + j, g);
		VSTORE(gate + 3 * n + j, o);
		VSTORE(c + j, cj);
		VSTORE(tc + j, t);
		u = o * t;
		VSTORE(h + j, u);
	}
#endif
	for (; j < n; j++) {
		real ai = gi[j] + gh[j], af = gi[n + j] + gh[n + j];
		real ag = gi[2 * n + j] + gh[2 * n + j];
		real ao = gi[3 * n + j] + gh[3 * n + j];
		real i_ = SIGM(ai), f = SIGM(af), g = TANH(ag), o = SIGM(ao);
		real cj = f * cprev[j] + i_ * g, t = TANH(cj);

		gate[j] = i_;
		gate[n + j] = f;
		gate[2 * n + j] = g;
		gate[3 * n + j] = o;
		c[j] = cj;
		tc[j] = t;
		h[j] = o * t;
	}
}
