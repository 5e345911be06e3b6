/*
 * cell.h - one step of a recurrent layer, forward and backward, computing
 * exactly what torch.nn.RNN, torch.nn.LSTM and torch.nn.GRU compute.
 *
 * Pure kernels: they allocate nothing and print nothing.  The forward step
 * writes into CACHE everything the backward step needs, so that backward can
 * walk a window of cached steps in reverse without recomputing.
 *
 * The input is either a dense vector X of p->in reals, or (X == NULL) the
 * one-hot vector with a 1 at XID, whose products are column lookups.
 */
#ifndef RNNF_CELL_H
#define RNNF_CELL_H

#include <stddef.h>
#include "model.h"

/* Reals of cache per step and layer. */
size_t cell_cache_size(enum cell_kind k, int hidden);
/* Reals of scratch that cell_forward needs. */
size_t cell_scratch_size(enum cell_kind k, int hidden);

/* The layer's output h of a cached step (borrowed pointer into CACHE). */
real *cell_cache_h(enum cell_kind k, int hidden, real *cache);

/*
 * Advance: H (and C for LSTM) hold the state entering the step and are
 * replaced by the state leaving it.
 */
void cell_forward(enum cell_kind k, int hidden, const struct layer_view *p,
    const real *x, int xid, real *h, real *c, real *cache, real *scratch);

/*
 * Backward through one cached step, as far as the gate pre-activations.  DH
 * is dLoss/dh of the step's output (read only).  For LSTM, DC holds dLoss/dc
 * of the step's cell state on entry and dLoss/dc_prev on return (ignored
 * otherwise).  DH_PREV receives dLoss/dh_prev; DX, if not NULL, is
 * incremented by dLoss/dx (a dense input only).  DGI and DGH (G*H each)
 * receive dLoss/d(W_ih x + b_ih) and dLoss/d(W_hh h_prev + b_hh), from
 * which cell_grads() makes the parameter gradients.
 */
void cell_backward(enum cell_kind k, int hidden, const struct layer_view *p,
    const real *cache, const real *dh, real *dc, real *dh_prev, real *dx,
    real *dgi, real *dgh);

/*
 * Set G to the parameter gradients of N >= 1 steps, taken in the order given:
 * step t had input X[t] (NULL for the one-hot byte XID[t]), state entering
 * HPREV[t] and pre-activation gradients DGI + t*G*H, DGH + t*G*H.  All steps
 * at once make each weight gradient one matrix product (la_outer_n).  A
 * one-hot W_ih is the exception: its columns XID[t] are incremented, and the
 * caller keeps the rest of it zero.
 */
void cell_grads(enum cell_kind k, int hidden, const struct layer_view *g,
    const real *const *x, const int *xid, const real *const *hprev,
    const real *dgi, const real *dgh, int n);

#endif
