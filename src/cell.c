/*
 * cell.c - rnn, lstm and gru steps, forward and backward side by side.
 *
 * Every cell first forms the two affine maps PyTorch names
 *   gi = W_ih x + b_ih          (G*H)
 *   gh = W_hh h_prev + b_hh     (G*H)
 * and differs only in how it combines them.  Backward produces the gradients
 * of those two pre-activations, dgi and dgh (equal for rnn and lstm), and one
 * shared routine turns them into parameter, input and state gradients.
 */
#include <string.h>
#include "cell.h"
#include "linalg.h"

/* Cache layouts, per step and layer (H = hidden):
 *   rnn:  h_prev (H) | h (H)
 *   lstm: h_prev (H) | c_prev (H) | i f g o (4H) | tanh(c) (H) | c (H) | h (H)
 *   gru:  h_prev (H) | r z n (3H) | gh_n = W_hn h_prev + b_hn (H) | h (H)
 */
size_t
cell_cache_size(enum cell_kind k, int hidden)
{
	switch (k) {
	case CELL_LSTM:
		return 9 * (size_t)hidden;
	case CELL_GRU:
		return 6 * (size_t)hidden;
	default:
		return 2 * (size_t)hidden;
	}
}

size_t
cell_scratch_size(enum cell_kind k, int hidden)
{
	return 2 * (size_t)cell_gates(k) * hidden;
}

real *
cell_cache_h(enum cell_kind k, int hidden, real *cache)
{
	return cache + cell_cache_size(k, hidden) - hidden;
}

/* y = W x + b, for a dense x or a one-hot x (column XID of W). */
static void
affine_in(real *y, const struct layer_view *p, const real *x, int xid, int gh)
{
	int i;

	if (x != NULL) {
		la_gemv(y, p->w_ih, x, p->b_ih, gh, p->in);
		return;
	}
	for (i = 0; i < gh; i++)
		y[i] = p->w_ih[(size_t)i * p->in + xid] + p->b_ih[i];
}

void
cell_forward(enum cell_kind k, int hidden, const struct layer_view *p,
    const real *x, int xid, real *h, real *c, real *cache, real *scratch)
{
	int H = hidden, G = cell_gates(k), j;
	real *gi = scratch;		/* (G*H) */
	real *gh = scratch + G * H;	/* (G*H) */

	memcpy(cache, h, H * sizeof *h);
	affine_in(gi, p, x, xid, G * H);
	la_gemv(gh, p->w_hh, h, p->b_hh, G * H, H);

	switch (k) {
	case CELL_RNN_TANH:
	case CELL_RNN_RELU: {
		real *out = cache + H;

		/* h = act(gi + gh) */
		for (j = 0; j < H; j++)
			out[j] = gi[j] + gh[j];
		if (k == CELL_RNN_TANH)
			la_tanh_v(out, out, H);
		else
			for (j = 0; j < H; j++)	/* as torch.relu, NaN stays NaN */
				out[j] = out[j] <= 0 ? 0 : out[j];
		memcpy(h, out, H * sizeof *h);
		break;
	}
	case CELL_LSTM: {
		real *cprev = cache + H, *gate = cache + 2 * H;
		real *tc = cache + 6 * H, *cn = cache + 7 * H, *hn = cache + 8 * H;

		memcpy(cprev, c, H * sizeof *c);
		/* a = gi + gh;  i, f, o = sigmoid(a);  g = tanh(a);
		 * c = f * c_prev + i * g;  h = o * tanh(c) */
		la_lstm_gates(gate, tc, cn, hn, gi, gh, cprev, H);
		memcpy(c, cn, H * sizeof *c);
		memcpy(h, hn, H * sizeof *h);
		break;
	}
	case CELL_GRU: {
		real *gate = cache + H, *ghn = cache + 4 * H, *hn = cache + 5 * H;

		for (j = 0; j < 2 * H; j++)	/* r, z = sigmoid(gi + gh) */
			gate[j] = gi[j] + gh[j];
		la_sigmoid_v(gate, gate, 2 * H);
		/* n = tanh(gi_n + r * (W_hn h_prev + b_hn)) */
		for (j = 0; j < H; j++) {
			ghn[j] = gh[2 * H + j];
			gate[2 * H + j] = gi[2 * H + j] + gate[j] * ghn[j];
		}
		la_tanh_v(gate + 2 * H, gate + 2 * H, H);
		/* h = (1 - z) * n + z * h_prev */
		for (j = 0; j < H; j++)
			hn[j] = (1 - gate[H + j]) * gate[2 * H + j] + gate[H + j] * h[j];
		memcpy(h, hn, H * sizeof *h);
		break;
	}
	}
}

/* dx += W_ih^T dgi (a dense input only), dh_prev = W_hh^T dgh (+= for gru). */
static void
affine_backward(const struct layer_view *p, int GH, int H, const real *dgi,
    const real *dgh, real *dh_prev, real *dx)
{
	if (dx != NULL)
		la_gemtv_acc(dx, p->w_ih, dgi, GH, p->in);
	la_gemtv_acc(dh_prev, p->w_hh, dgh, GH, H);
}

/*
 * The LSTM's units from dh and dc (in: from the step above; out: dc_prev)
 * to the gradients of its pre-activations DGI (4H, gates i f g o).  Its own
 * function, so that the pointers are restrict and the loop vectorises.
 */
static inline void
lstm_units_backward(int H, const real *restrict cache, const real *restrict dh,
    real *restrict dc, real *restrict dgi)
{
	const real *cprev = cache + H, *gate = cache + 2 * H;
	const real *tc = cache + 6 * H;
	int j;

	for (j = 0; j < H; j++) {
		real gi_ = gate[j], gf = gate[H + j];
		real gg = gate[2 * H + j], go = gate[3 * H + j];
		/* dc += dh * o * (1 - tanh(c)^2) */
		real dcj = dc[j] + dh[j] * go * (1 - tc[j] * tc[j]);

		dgi[j] = dcj * gg * gi_ * (1 - gi_);		/* d a_i */
		dgi[H + j] = dcj * cprev[j] * gf * (1 - gf);	/* d a_f */
		dgi[2 * H + j] = dcj * gi_ * (1 - gg * gg);	/* d a_g */
		dgi[3 * H + j] = dh[j] * tc[j] * go * (1 - go);	/* d a_o */
		dc[j] = dcj * gf;				/* dc_prev */
	}
}

RNNF_HOT void
cell_backward(enum cell_kind k, int hidden, const struct layer_view *p,
    const real *cache, const real *dh, real *dc, real *dh_prev, real *dx,
    real *dgi, real *dgh)
{
	int H = hidden, j;
	const real *hprev = cache;

	switch (k) {
	case CELL_RNN_TANH:
	case CELL_RNN_RELU: {
		const real *out = cache + H;

		for (j = 0; j < H; j++)
			if (k == CELL_RNN_TANH)	/* tanh' = 1 - h^2 */
				dgi[j] = dh[j] * (1 - out[j] * out[j]);
			else			/* relu' = [h > 0] */
				dgi[j] = out[j] > 0 ? dh[j] : 0;
		memcpy(dgh, dgi, H * sizeof *dgh);
		memset(dh_prev, 0, H * sizeof *dh_prev);
		affine_backward(p, H, H, dgi, dgh, dh_prev, dx);
		break;
	}
	case CELL_LSTM:
		lstm_units_backward(H, cache, dh, dc, dgi);
		memcpy(dgh, dgi, 4 * H * sizeof *dgh);
		memset(dh_prev, 0, H * sizeof *dh_prev);
		affine_backward(p, 4 * H, H, dgi, dgh, dh_prev, dx);
		break;
	case CELL_GRU: {
		const real *gate = cache + H, *ghn = cache + 4 * H;

		for (j = 0; j < H; j++) {
			real r = gate[j], z = gate[H + j], n = gate[2 * H + j];
			real dn = dh[j] * (1 - z);
			real dz = dh[j] * (hprev[j] - n);
			real dan = dn * (1 - n * n);
			real dr = dan * ghn[j];

			dgi[j] = dgh[j] = dr * r * (1 - r);
			dgi[H + j] = dgh[H + j] = dz * z * (1 - z);
			dgi[2 * H + j] = dan;
			dgh[2 * H + j] = dan * r;
			dh_prev[j] = dh[j] * z;	/* through h = ... + z * h_prev */
		}
		affine_backward(p, 3 * H, H, dgi, dgh, dh_prev, dx);
		break;
	}
	}
}

void
cell_grads(enum cell_kind k, int hidden, const struct layer_view *g,
    const real *const *x, const int *xid, const real *const *hprev,
    const real *dgi, const real *dgh, int n)
{
	size_t GH = (size_t)cell_gates(k) * hidden;
	int t;
	size_t i;

	memset(g->b_ih, 0, GH * sizeof *g->b_ih);
	memset(g->b_hh, 0, GH * sizeof *g->b_hh);
	for (t = 0; t < n; t++) {
		la_add(g->b_ih, dgi + t * GH, GH);
		la_add(g->b_hh, dgh + t * GH, GH);
	}
	/* a one-hot input: one column of W_ih per step, added row by row (the
	 * columns of a row share cache lines, the rows of a column do not);
	 * each element still takes the steps in order */
	if (n > 0 && x[0] == NULL)
		for (i = 0; i < GH; i++)
			for (t = 0; t < n; t++)
				g->w_ih[i * g->in + xid[t]] += dgi[t * GH + i];
	else if (n > 0)
		la_outer_n(g->w_ih, dgi, GH, x, n, GH, g->in);
	la_outer_n(g->w_hh, dgh, GH, hprev, n, GH, hidden);
}
