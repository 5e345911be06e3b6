/* model.c - parameter layout and initialisation; see model.h. */
#include <stdio.h>
#include <string.h>
#include "model.h"

int
cell_gates(enum cell_kind k)
{
	switch (k) {
	case CELL_LSTM:
		return 4;
	case CELL_GRU:
		return 3;
	default:
		return 1;
	}
}

const char *
cell_name(enum cell_kind k)
{
	static const char *names[] = { "rnn", "relu", "lstm", "gru" };

	return names[k];
}

int
model_ntensors(const struct shape *s)
{
	return 4 * s->layers + 2;
}

void
model_tensor(const struct shape *s, int i, struct tensor_info *t)
{
	size_t gh = (size_t)cell_gates(s->cell) * s->hidden;
	size_t off = 0;
	int l;

	for (l = 0; l < s->layers; l++) {
		int in = l == 0 ? s->nin : s->hidden;
		size_t sz[4] = { gh * in, gh * s->hidden, gh, gh };
		static const char *fmt[4] = {
			"weight_ih_l%d", "weight_hh_l%d", "bias_ih_l%d", "bias_hh_l%d"
		};
		int j;

		for (j = 0; j < 4; j++) {
			if (i == 4 * l + j) {
				snprintf(t->name, sizeof t->name, fmt[j], l);
				t->offset = off;
				t->rows = j < 2 ? (int)gh : 0;
				t->cols = j == 0 ? in : j == 1 ? s->hidden : (int)gh;
				return;
			}
			off += sz[j];
		}
	}
	if (i == 4 * s->layers) {
		snprintf(t->name, sizeof t->name, "head.weight");
		t->offset = off;
		t->rows = s->nout;
		t->cols = s->hidden;
	} else {
		snprintf(t->name, sizeof t->name, "head.bias");
		t->offset = off + (size_t)s->nout * s->hidden;
		t->rows = 0;
		t->cols = s->nout;
	}
}

size_t
model_nparams(const struct shape *s)
{
	struct tensor_info t;

	model_tensor(s, model_ntensors(s) - 1, &t);
	return t.offset + (size_t)t.cols;
}

void
model_view(const struct shape *s, real *block, struct net_view *v)
{
	struct tensor_info t;
	int l;

	memset(v, 0, sizeof *v);
	for (l = 0; l < s->layers; l++) {
		struct layer_view *lv = &v->layer[l];

		model_tensor(s, 4 * l, &t);
		lv->w_ih = block + t.offset;
		lv->in = t.cols;
		model_tensor(s, 4 * l + 1, &t);
		lv->w_hh = block + t.offset;
		model_tensor(s, 4 * l + 2, &t);
		lv->b_ih = block + t.offset;
		model_tensor(s, 4 * l + 3, &t);
		lv->b_hh = block + t.offset;
	}
	model_tensor(s, 4 * s->layers, &t);
	v->head_w = block + t.offset;
	model_tensor(s, 4 * s->layers + 1, &t);
	v->head_b = block + t.offset;
}

void
model_init(const struct shape *s, real *block, struct rng *r,
    double forget_bias)
{
	size_t i, n = model_nparams(s);
	double bound = 1.0 / sqrt((double)s->hidden);

	for (i = 0; i < n; i++)
		block[i] = (real)((2 * rng_uniform(r) - 1) * bound);
	if (s->cell == CELL_LSTM && forget_bias != 0) {
		struct net_view v;
		int l, j, h = s->hidden;

		model_view(s, block, &v);
		for (l = 0; l < s->layers; l++)
			for (j = 0; j < h; j++) {
				v.layer[l].b_ih[h + j] = (real)forget_bias;
				v.layer[l].b_hh[h + j] = 0;
			}
	}
}
