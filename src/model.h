/*
 * model.h - the network's parameters and their gradients, laid out as
 * PyTorch's torch.nn.RNN/LSTM/GRU followed by a torch.nn.Linear head.
 *
 * Parameters, gradients and the optimizer's moments each live in one
 * contiguous block of model_nparams() reals, in the order of PyTorch's
 * state_dict: for each layer l, weight_ih_l<l> (G*H, in_l), weight_hh_l<l>
 * (G*H, H), bias_ih_l<l> (G*H), bias_hh_l<l> (G*H); then head.weight
 * (nout, H) and head.bias (nout).  G is 1 for rnn, 4 for lstm (gates i, f, g,
 * o) and 3 for gru (r, z, n).  in_0 is the input size, in_l = H above.
 */
#ifndef RNNF_MODEL_H
#define RNNF_MODEL_H

#include <stddef.h>
#include "real.h"
#include "rng.h"

#define MODEL_MAX_LAYERS 8
#define MODEL_MAX_HIDDEN 4096

enum cell_kind { CELL_RNN_TANH, CELL_RNN_RELU, CELL_LSTM, CELL_GRU };

struct shape {
	enum cell_kind cell;
	int nin;	/* input size of layer 0 (256 in character mode) */
	int hidden;	/* H */
	int layers;
	int nout;	/* head outputs (1 for numbers, 256 for characters) */
};

/* Views into one block (parameters or gradients). */
struct layer_view {
	real *w_ih;	/* (G*H, in) */
	real *w_hh;	/* (G*H, H) */
	real *b_ih;	/* (G*H) */
	real *b_hh;	/* (G*H) */
	int in;
};

struct net_view {
	struct layer_view layer[MODEL_MAX_LAYERS];
	real *head_w;	/* (nout, H) */
	real *head_b;	/* (nout) */
};

/* One named tensor of the state_dict, for dumping and initialisation. */
struct tensor_info {
	char name[32];
	size_t offset;	/* in reals, from the start of the block */
	int rows;	/* 0 for a vector */
	int cols;	/* length of a vector */
};

int cell_gates(enum cell_kind k);
const char *cell_name(enum cell_kind k);
/* Parse "rnn", "relu", "lstm", "gru"; returns -1 if unknown. */

size_t model_nparams(const struct shape *s);
/* Number of tensors (4 per layer + 2), and the I-th one's description. */
int model_ntensors(const struct shape *s);
void model_tensor(const struct shape *s, int i, struct tensor_info *t);
/* Point V's members into BLOCK (of model_nparams() reals). */
void model_view(const struct shape *s, real *block, struct net_view *v);
/*
 * PyTorch's initialisation: every parameter ~ U(-1/sqrt(H), 1/sqrt(H)), the
 * bound of both nn.RNN/LSTM/GRU and nn.Linear(H, nout).  With FORGET_BIAS,
 * an LSTM's bias_ih forget-gate slice is then set to it (and bias_hh's to 0).
 */
void model_init(const struct shape *s, real *block, struct rng *r,
    double forget_bias);

#endif
