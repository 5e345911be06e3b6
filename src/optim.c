/* optim.c - see optim.h; the formulas follow torch.optim (single-tensor path). */
#include <math.h>
#include <string.h>
#include "optim.h"

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
 * that no compiler may change.
 */
RNNF_HOT double
optim_grad_norm(const real *g, size_t n)
{
	double acc[16] = {0}, s = 0;
	size_t i, k;

	for (i = 0; i + 16 <= n; i += 16)
		for (k = 0; k < 16; k++)
			acc[k] += (double)g[i + k] * g[i + k];
	for (; i < n; i++)
		s += (double)g[i] * g[i];
	for (k = 0; k < 16; k++)
		s += acc[k];
	if (!isfinite(s))
		return -1;
	return sqrt(s);
}

RNNF_HOT void
optim_clip(real *g, size_t n, double norm, double maxnorm)
{
	/* clip_coef = max_norm / (total_norm + 1e-6), applied when < 1 */
	real coef = (real)(maxnorm / (norm + 1e-6));
	size_t i;

	if (maxnorm <= 0 || coef >= 1)
		return;
	for (i = 0; i < n; i++)
		g[i] *= coef;
}

RNNF_HOT void
optim_step(struct optim *o, real *p, const real *g)
{
	size_t i, n = o->n;
	real lr = (real)o->lr;

	o->step++;
	switch (o->kind) {
	case OPTIM_SGD:
		for (i = 0; i < n; i++)
			p[i] -= lr * g[i];
		break;
	case OPTIM_ADAM: {
		/* betas (0.9, 0.999), eps 1e-8, bias-corrected */
		const real b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
		double bc1 = 1 - pow(0.9, (double)o->step);
		double bc2 = 1 - pow(0.999, (double)o->step);
		real step_size = (real)(o->lr / bc1);
		real bc2_sqrt = (real)sqrt(bc2);

		for (i = 0; i < n; i++) {
			o->m[i] = o->m[i] + (g[i] - o->m[i]) * (1 - b1);
			o->v[i] = o->v[i] * b2 + (1 - b2) * g[i] * g[i];
			p[i] -= step_size * o->m[i] /
			    (RSQRT(o->v[i]) / bc2_sqrt + eps);
		}
		break;
	}
	case OPTIM_ADAGRAD:
		/* sum += g^2;  p -= lr * g / (sqrt(sum) + 1e-10) */
		for (i = 0; i < n; i++) {
			o->v[i] += g[i] * g[i];
			p[i] -= lr * g[i] / (RSQRT(o->v[i]) + 1e-10f);
		}
		break;
	case OPTIM_RMSPROP:
		/* alpha 0.99, eps 1e-8: avg = a avg + (1-a) g^2 */
		for (i = 0; i < n; i++) {
			o->v[i] = o->v[i] * 0.99f + 0.01f * g[i] * g[i];
			p[i] -= lr * g[i] / (RSQRT(o->v[i]) + 1e-8f);
		}
		break;
	}
}
