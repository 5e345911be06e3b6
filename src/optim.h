/*
 * optim.h - optimizers over flat parameter blocks, with PyTorch's update
 * rules and default constants (torch.optim.SGD, Adam, Adagrad, RMSprop), and
 * global-norm gradient clipping as torch.nn.utils.clip_grad_norm_.
 */
#ifndef RNNF_OPTIM_H
#define RNNF_OPTIM_H

#include <stddef.h>
#include "real.h"

enum optim_kind { OPTIM_SGD, OPTIM_ADAM, OPTIM_ADAGRAD, OPTIM_RMSPROP };

struct optim {
	enum optim_kind kind;
	double lr;
	long long step;	/* updates taken (Adam's bias correction) */
	size_t n;
	real *m;	/* (n) Adam's first moment; unused otherwise */
	real *v;	/* (n) Adam's second moment, Adagrad's sum, RMSprop's average */
};

const char *optim_name(enum optim_kind k);
/* The default learning rate for K. */
double optim_default_lr(enum optim_kind k);
/* Reals of moment storage the optimizer needs for N parameters (M and V). */
size_t optim_state_size(size_t n);
/* Point O at MOMENTS (optim_state_size(n) reals, zeroed by the caller). */
void optim_init(struct optim *o, enum optim_kind k, double lr, size_t n,
    real *moments);

/*
 * Global L2 norm of G (accumulated in double).  Returns a negative value if
 * any element is not finite.
 */
double optim_grad_norm(const real *g, size_t n);
/*
 * The factor by which clip_grad_norm_ scales a gradient of norm NORM to
 * bring it to at most MAXNORM: max_norm / (norm + 1e-6) where that is below
 * 1 and MAXNORM > 0, else 1.
 */
real optim_clip_scale(double norm, double maxnorm);
/*
 * One update of P with gradient SCALE * G: each element's product rounded
 * as clipping G in place first would round it (a SCALE of 1 changes no
 * bit), in the same pass as the update.  G is left as it is.
 */
void optim_step(struct optim *o, real *p, const real *g, real scale);

/*
 * A row-major block of ROWS x COLS parameters at OFF in the flat vector in
 * which only the columns of the NRUN runs RUN[2i] <= c < RUN[2i + 1]
 * (ascending, disjoint) may be touched: elsewhere in the block the gradient
 * is zero and the optimizer leaves parameters and moments as they are.
 * Character mode's one-hot input weights, where a window's gradient lives in
 * the columns of its bytes.
 */
struct optim_cols {
	size_t off, rows, cols;
	const int *run;
	int nrun;
};

/*
 * The functions above restricted by C: optim_grad_norm_cols() gives the
 * very bits optim_grad_norm() gives when G is zero outside C's columns
 * (the same lanes take the same terms in the same order, without the
 * zeros), optim_step_cols() does what the dense one does to the elements C
 * leaves in.
 */
double optim_grad_norm_cols(const real *g, size_t n,
    const struct optim_cols *c);
void optim_step_cols(struct optim *o, real *p, const real *g, real scale,
    const struct optim_cols *c);
/*
 * Whether K's update leaves an element whose gradient is zero as it is,
 * whatever its moments: SGD and Adagrad do; Adam's momentum and RMSprop's
 * decay move it (every kind leaves one with zero moments too as it is).
 */
int optim_zero_grad_idle(enum optim_kind k);

#endif
