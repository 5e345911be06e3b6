/* optim.c - see optim.h; the formulas follow torch.optim (single-tensor path). */
#include <math.h>
#include <string.h>
#include "optim.h"
#if defined(__x86_64__) || defined(__SSE2__)
#include <xmmintrin.h>
#endif

static const char *names[] = { "sgd", "adam", "adagrad", "rmsprop" };

const char *
optim_name(enum optim_kind k)
{
	return names[k];
}

double
optim_default_lr(enum optim_kind k)
{
	/* each optimizer's best rate on real series: bench/defaults.md */
	static const double lr[] = { 0.1, 0.003, 0.03, 0.003 };

	return lr[k];
}

size_t
optim_state_size(size_t n)
{
	return 2 * n;
}

void
optim_init(struct optim *o, enum optim_kind k, double lr, size_t n,
    real *moments)
{
	o->kind = k;
	o->lr = lr;
	o->step = 0;
	o->n = n;
	o->m = moments;
	o->v = moments + n;
}

/*
 * Sixteen fixed lanes of double sums: vectorised and not bound by the
 * latency of one long chain of additions, yet in an order of their own
 * that no compiler may change.  Element i goes to lane i % 16, but the last
 * n % 16 go in order to the tail, which the lanes then join: so a range of
 * elements left out changes nothing where they are zero.
 */
static inline void
norm_range(double *acc, double *tail, const real *g, size_t a, size_t b,
    size_t n16)
{
	size_t i = a, k, e = b < n16 ? b : n16;

	for (; i < e && i % 16 != 0; i++)
		acc[i % 16] += (double)g[i] * g[i];
	for (; i + 16 <= e; i += 16)
		for (k = 0; k < 16; k++)
			acc[k] += (double)g[i + k] * g[i + k];
	for (; i < e; i++)
		acc[i % 16] += (double)g[i] * g[i];
	for (i = a > n16 ? a : n16; i < b; i++)
		*tail += (double)g[i] * g[i];
}

static double
norm_end(const double *acc, double s)
{
	size_t k;

	for (k = 0; k < 16; k++)
		s += acc[k];
	if (!isfinite(s))
		return -1;
	return sqrt(s);
}

/*
 * The ranges of C within N elements, in order: [0, off), each row's runs,
 * [end of the block, N).  Range K (0 to NR - 1) of NR = cols_ranges(C) is
 * [*A, *B); the row and the run are counted along, not divided out of K,
 * so a caller walks K from 0 up.
 */
struct cols_walk {
	const struct optim_cols *c;
	size_t n, row;
	int run;
};

static size_t
cols_ranges(const struct optim_cols *c)
{
	return c->rows * (size_t)c->nrun + 2;
}

static inline void
cols_range(struct cols_walk *w, size_t k, size_t *a, size_t *b)
{
	const struct optim_cols *c = w->c;
	size_t at;

	if (k == 0) {
		*a = 0;
		*b = c->off;
		w->row = 0;
		w->run = 0;
	} else if (k == cols_ranges(c) - 1) {
		*a = c->off + c->rows * c->cols;
		*b = w->n;
	} else {
		at = c->off + w->row * c->cols;
		*a = at + (size_t)c->run[2 * w->run];
		*b = at + (size_t)c->run[2 * w->run + 1];
		if (++w->run == c->nrun) {
			w->run = 0;
			w->row++;
		}
	}
}

RNNF_HOT double
optim_grad_norm(const real *g, size_t n)
{
	double acc[16] = {0}, s = 0;

	norm_range(acc, &s, g, 0, n, n - n % 16);
	return norm_end(acc, s);
}

RNNF_HOT double
optim_grad_norm_cols(const real *g, size_t n, const struct optim_cols *c)
{
	double acc[16] = {0}, s = 0;
	size_t k, a, b, nr = cols_ranges(c);
	struct cols_walk w = { c, n, 0, 0 };

	for (k = 0; k < nr; k++) {
		cols_range(&w, k, &a, &b);
		norm_range(acc, &s, g, a, b, n - n % 16);
	}
	return norm_end(acc, s);
}

/* clip_coef = max_norm / (total_norm + 1e-6), applied when < 1 */
real
optim_clip_scale(double norm, double maxnorm)
{
	real coef = (real)(maxnorm / (norm + 1e-6));

	return maxnorm <= 0 || coef >= 1 ? 1 : coef;
}

/* The constants of one update, the same for every element. */
struct stepc {
	real lr, step_size, bc2_sqrt;
};

static struct stepc
step_begin(struct optim *o)
{
	struct stepc k;

	o->step++;
	k.lr = (real)o->lr;
	k.step_size = k.bc2_sqrt = 0;
	if (o->kind == OPTIM_ADAM) {
		double bc1 = 1 - pow(0.9, (double)o->step);
		double bc2 = 1 - pow(0.999, (double)o->step);

		k.step_size = (real)(o->lr / bc1);
		k.bc2_sqrt = (real)sqrt(bc2);
	}
	return k;
}

/*
 * The update of elements A to B with the gradient SC * G: G[i] * SC is the
 * element clipping would have left in G (the same float product), and a
 * product by 1 is G[i] itself, so one loop serves both.
 */
static inline void
step_range(struct optim *o, const struct stepc *k, real *p, const real *g,
    real sc, size_t a, size_t b)
{
	real lr = k->lr;
	size_t i;

	switch (o->kind) {
	case OPTIM_SGD:
		for (i = a; i < b; i++)
			p[i] -= lr * (g[i] * sc);
		break;
	case OPTIM_ADAM: {
		/* betas (0.9, 0.999), eps 1e-8, bias-corrected */
		const real b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
		real step_size = k->step_size, bc2_sqrt = k->bc2_sqrt;
#ifndef RNNF_DOUBLE
		/*
		 * sqrt(v) / bc2_sqrt, a float quotient, as the product by the
		 * double reciprocal rounded to float: the same bits, with one
		 * division of the three (the dividers are what bounds this
		 * loop) taken off.  A quotient of two floats is never a float
		 * midpoint and lies at least 2^-49 of itself from one; the two
		 * double roundings err by less than 2^-52.
		 */
		double rbc2 = 1.0 / (double)bc2_sqrt;
#define ADAM_DENOM(s) ((real)((double)(s) * rbc2))
#else
#define ADAM_DENOM(s) ((s) / bc2_sqrt)
#endif

		for (i = a; i < b; i++) {
			real gi = g[i] * sc;

			o->m[i] = o->m[i] + (gi - o->m[i]) * (1 - b1);
			o->v[i] = o->v[i] * b2 + (1 - b2) * gi * gi;
			p[i] -= step_size * o->m[i] /
			    (ADAM_DENOM(RSQRT(o->v[i])) + eps);
		}
#undef ADAM_DENOM
		break;
	}
	case OPTIM_ADAGRAD:
		/* sum += g^2;  p -= lr * g / (sqrt(sum) + 1e-10) */
		for (i = a; i < b; i++) {
			real gi = g[i] * sc;

			o->v[i] += gi * gi;
			p[i] -= lr * gi / (RSQRT(o->v[i]) + 1e-10f);
		}
		break;
	case OPTIM_RMSPROP:
		/* alpha 0.99, eps 1e-8: avg = a avg + (1-a) g^2 */
		for (i = a; i < b; i++) {
			real gi = g[i] * sc;

			o->v[i] = o->v[i] * 0.99f + 0.01f * gi * gi;
			p[i] -= lr * gi / (RSQRT(o->v[i]) + 1e-8f);
		}
		break;
	}
}

/*
 * The updates flush subnormal results and operands to zero on x86-64 (its
 * SSE control word, set for the update and restored after it): Adam's
 * moments of a byte that has not been seen for a while decay below 2^-126
 * and stay there, at 2^-149, where each operation takes the processor's
 * slow path (a third of the time of --chars went there).  Such a moment
 * moves its parameter by less than 2^-95 lr (m < 2^-126, the denominator
 * at least eps > 2^-27, the bias correction at most 10), below half an
 * ulp of any parameter above 2^-71 lr; the moments a model file holds are
 * 0 there in place of PyTorch's subnormals.
 */
#if defined(__x86_64__) || defined(__SSE2__)
#define FTZ_ON(csr) \
	do { (csr) = _mm_getcsr(); _mm_setcsr((csr) | 0x8040); } while (0)
#define FTZ_OFF(csr) _mm_setcsr(csr)
#else
#define FTZ_ON(csr) ((void)(csr = 0))
#define FTZ_OFF(csr) ((void)(csr))
#endif

RNNF_HOT void
optim_step(struct optim *o, real *p, const real *g, real scale)
{
	struct stepc k = step_begin(o);
	unsigned csr;

	FTZ_ON(csr);
	step_range(o, &k, p, g, scale, 0, o->n);
	FTZ_OFF(csr);
}

RNNF_HOT void
optim_step_cols(struct optim *o, real *p, const real *g, real scale,
    const struct optim_cols *c)
{
	struct stepc k = step_begin(o);
	size_t j, a, b, nr = cols_ranges(c);
	struct cols_walk w = { c, o->n, 0, 0 };
	unsigned csr;

	FTZ_ON(csr);
	for (j = 0; j < nr; j++) {
		cols_range(&w, j, &a, &b);
		step_range(o, &k, p, g, scale, a, b);
	}
	FTZ_OFF(csr);
}

int
optim_zero_grad_idle(enum optim_kind k)
{
	/* p -= lr * 0 and p -= lr * 0 / (sqrt(sum) + 1e-10), sum += 0 */
	return k == OPTIM_SGD || k == OPTIM_ADAGRAD;
}
