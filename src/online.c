/* online.c - TBPTT over a ring of cached steps; see online.h. */
#include <stdlib.h>
#include <string.h>
#include "cell.h"
#include "linalg.h"
#include "online.h"
#include "ser.h"

/* Slot layout: x (nin, or 1 holding the byte) | y (nout) | target | weight |
 * cache of layer 0 | ... | cache of layer L-1 */
static size_t
xsize(const struct online_config *cf)
{
	return cf->chars ? 1 : (size_t)cf->shape.nin;
}

#define SLOT_Y(o, p)	((p) + xsize(&(o)->cf))
#define SLOT_TARGET(o, p) (SLOT_Y(o, p) + (o)->cf.shape.nout)
#define SLOT_CACHE(o, p, l) (SLOT_TARGET(o, p) + 2 + (size_t)(l) * (o)->cache)

/*
 * Scratch: cell scratch | dnext (L,H) | dc (L,H) | dcur (H) | dx (H) |
 * dgi (L,T,GH) | dgh (L,T,GH) | dy (T,nout): the per-step gradients that
 * online_learn() collects before it makes the weight gradients in one go.
 */
static size_t
work_size(const struct online_config *cf)
{
	const struct shape *s = &cf->shape;
	size_t H = s->hidden, L = s->layers, T = cf->window;
	size_t GH = (size_t)cell_gates(s->cell) * H;

	return cell_scratch_size(s->cell, s->hidden) + 2 * L * H + 2 * H +
	    2 * L * T * GH + T * s->nout;
}

static void
scratch_free(struct online_scratch *sc)
{
	if (sc == NULL || --sc->users > 0)
		return;
	free(sc->grad);
	free(sc->work);
	free(sc->ptr);
	free(sc->ids);
	free(sc);
}

static struct online_scratch *
scratch_new(const struct online_config *cf)
{
	struct online_scratch *sc = calloc(1, sizeof *sc);
	size_t L = cf->shape.layers;

	if (sc == NULL)
		return NULL;
	sc->users = 1;
	sc->grad = calloc(model_nparams(&cf->shape), sizeof(real));
	sc->work = calloc(work_size(cf), sizeof(real));
	/* per window step: input and h_prev of each layer, h_top; byte ids */
	sc->ptr = calloc((2 * L + 1) * (size_t)cf->window, sizeof *sc->ptr);
	sc->ids = calloc((size_t)cf->window, sizeof *sc->ids);
	if (sc->grad == NULL || sc->work == NULL || sc->ptr == NULL ||
	    sc->ids == NULL) {
		scratch_free(sc);
		return NULL;
	}
	return sc;
}

/* The ring's reals: (cap, slot), then h and c (L, H) each. */
static size_t
ring_reals(const struct online_config *cf, size_t *slot)
{
	const struct shape *s = &cf->shape;
	size_t L = s->layers;

	*slot = xsize(cf) + s->nout + 2 + L * cell_cache_size(s->cell, s->hidden);
	return ((size_t)cf->window + cf->horizon) * *slot + 2 * L * s->hidden;
}

void
online_bytes(const struct online_config *cf, size_t *own, size_t *weights,
    size_t *scratch)
{
	size_t np = model_nparams(&cf->shape), slot;
	size_t L = cf->shape.layers;

	*own = sizeof(struct online) + ring_reals(cf, &slot) * sizeof(real);
	*weights = sizeof(struct online_weights) + (np + optim_state_size(np)) *
	    sizeof(real);
	*scratch = sizeof(struct online_scratch) + (np + work_size(cf)) *
	    sizeof(real) + (2 * L + 1) * (size_t)cf->window *
	    sizeof(const real *) + (size_t)cf->window * sizeof(int);
}

static void
weights_free(struct online_weights *w)
{
	if (w == NULL || --w->users > 0)
		return;
	free(w->param);
	free(w);
}

/*
 * Fresh weights of CF, initialised from R (or zero with R NULL): NULL when
 * out of memory.
 */
static struct online_weights *
weights_new(const struct online_config *cf, size_t np, struct rng *r)
{
	struct online_weights *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->users = 1;
	if ((w->param = calloc(np + optim_state_size(np), sizeof(real))) ==
	    NULL) {
		free(w);
		return NULL;
	}
	w->moment = w->param + np;
	model_view(&cf->shape, w->param, &w->pv);
	optim_init(&w->opt, cf->optimizer, cf->lr, np, w->moment);
	if (r != NULL)
		model_init(&cf->shape, w->param, r, cf->forget_bias);
	return w;
}

/*
 * Sharing LIKE's scratch, and with TIED its weights; with BLANK, weights
 * of its own not drawn.
 */
static struct online *
online_make(const struct online_config *cf, const struct online *like,
    int tied, int blank)
{
	struct online *o = calloc(1, sizeof *o);
	const struct shape *s = &cf->shape;
	size_t H = s->hidden, L = s->layers;

	if (o == NULL)
		return NULL;
	o->cf = *cf;
	o->np = model_nparams(s);
	o->cache = cell_cache_size(s->cell, s->hidden);
	o->cap = cf->window + cf->horizon;
	if (like != NULL && (like->np != o->np || like->cf.window != cf->window ||
	    like->cf.chars != cf->chars || like->cf.shape.cell != s->cell ||
	    like->cf.shape.hidden != s->hidden)) {
		free(o);
		return NULL;
	}
	if (like != NULL) {
		o->sc = like->sc;
		o->sc->users++;
	} else
		o->sc = scratch_new(cf);
	rng_seed(&o->rng, cf->seed);
	if (tied) {
		o->w = like->w;
		o->w->users++;
	} else
		o->w = weights_new(cf, o->np, blank ? NULL : &o->rng);
	o->ring = calloc(ring_reals(cf, &o->slot), sizeof(real));
	if (o->sc == NULL || o->w == NULL || o->ring == NULL) {
		online_free(o);
		return NULL;
	}
	o->grad = o->sc->grad;
	o->h = o->ring + (size_t)o->cap * o->slot;
	o->c = o->h + L * H;
	model_view(s, o->grad, &o->gv);
	return o;
}

struct online *
online_new(const struct online_config *cf)
{
	return online_make(cf, NULL, 0, 0);
}

struct online *
online_new_sharing(const struct online_config *cf, const struct online *like)
{
	return online_make(cf, like, 0, 0);
}

struct online *
online_new_blank(const struct online_config *cf, const struct online *like)
{
	return online_make(cf, like, 0, 1);
}

struct online *
online_new_tied(const struct online_config *cf, const struct online *like)
{
	return online_make(cf, like, 1, 0);
}

size_t
online_state_reals(const struct online_config *cf, int weights)
{
	const struct shape *s = &cf->shape;
	size_t L = s->layers, np = model_nparams(s);
	size_t slot = xsize(cf) + s->nout + 2 +
	    L * cell_cache_size(s->cell, s->hidden);

	return (weights ? np + optim_state_size(np) : 0) +
	    ((size_t)cf->window + cf->horizon) * slot + 2 * L * s->hidden;
}

/* A real that must be one of the integers LO..HI (NaN is not). */
static int
is_int_in(real v, int lo, int hi)
{
	return v >= lo && v <= hi && v == (real)(int)v;
}

const char *
online_check(const struct online *o)
{
	uint64_t h = (uint64_t)o->cf.horizon;
	int i;

	/* online_learn() walks back from step t - horizon over PAIRS steps */
	if (o->pairs > (uint64_t)o->cf.bptt ||
	    o->pairs > (o->t >= h ? o->t - h : 0))
		return "the window's count is out of range";
	for (i = 0; i < o->cap; i++) {
		const real *p = o->ring + (size_t)i * o->slot;
		const real *tg = SLOT_TARGET(o, p);

		if (!is_int_in(tg[1], 0, 1))
			return "a target's weight in the window is out of range";
		if (o->cf.chars && (!is_int_in(p[0], 0, 255) ||
		    !is_int_in(tg[0], 0, 255)))
			return "a byte in the window is out of range";
	}
	return NULL;
}

void
online_free(struct online *o)
{
	if (o == NULL)
		return;
	weights_free(o->w);
	free(o->ring);
	scratch_free(o->sc);
	free(o);
}

real *
online_slot(const struct online *o, uint64_t step)
{
	return o->ring + (size_t)(step % (uint64_t)o->cap) * o->slot;
}

int
online_score(struct online *o, real target, int present, double *loss)
{
	real *p, *y;

	if (o->t < (uint64_t)o->cf.horizon)
		return 0;
	p = online_slot(o, o->t - o->cf.horizon);
	y = SLOT_Y(o, p);
	SLOT_TARGET(o, p)[0] = target;
	SLOT_TARGET(o, p)[1] = present ? 1 : 0;
	o->pairs++;
	*loss = 0;
	if (!present)
		return 1;
	if (o->cf.chars) {
		*loss = -(double)y[(int)target];	/* y holds log-probabilities */
	} else {
		double d = (double)y[0] - target;

		*loss = d * d;
	}
	return 1;
}

/* dLoss/dy of a pair, for a loss that is the mean over N pairs. */
static void
head_grad(const struct online *o, const real *p, real *dy, double n)
{
	const real *y = SLOT_Y(o, p);
	real target = SLOT_TARGET(o, p)[0];

	if (o->cf.chars) {
		/* d(-log softmax)/dlogits = p - onehot */
		la_exp_v(dy, y, (real)(1 / n), (size_t)o->cf.shape.nout);
		dy[(int)target] -= (real)(1 / n);
	} else {
		/* d(y - target)^2 / dy = 2 (y - target) */
		dy[0] = (real)(2 * (y[0] - target) / n);
	}
}

/*
 * A one-hot input's W_ih gradient is zero but in the columns of the last
 * window's bytes (sc->ids, sc->nids of them): only those columns are cleared
 * before the next window, not the whole (G*H, 256) block.
 */
static void
clear_onehot(struct online *o)
{
	const struct layer_view *g = &o->gv.layer[0];
	size_t GH = (size_t)cell_gates(o->cf.shape.cell) * o->cf.shape.hidden;
	size_t i;
	int t;

	for (t = 0; t < o->sc->nids; t++)
		for (i = 0; i < GH; i++)
			g->w_ih[i * g->in + o->sc->ids[t]] = 0;
	o->sc->nids = 0;
}

int
online_learn(struct online *o)
{
	const struct shape *s = &o->cf.shape;
	int H = s->hidden, L = s->layers, K = o->cf.bptt, T = o->cf.window, l;
	size_t GH = (size_t)cell_gates(s->cell) * H, nout = s->nout;
	real *dnext = o->sc->work + cell_scratch_size(s->cell, H);	/* (L, H) */
	real *dc = dnext + (size_t)L * H;			/* (L, H) */
	real *dcur = dc + (size_t)L * H;			/* (H) */
	real *dx = dcur + H;					/* (H) */
	real *dgi = dx + H;					/* (L, T, GH) */
	real *dgh = dgi + (size_t)L * T * GH;			/* (L, T, GH) */
	real *dy = dgh + (size_t)L * T * GH;			/* (T, nout) */
	const real **xp = o->sc->ptr;				/* (L, T) */
	const real **hp = xp + (size_t)L * T;			/* (L, T) */
	const real **tp = hp + (size_t)L * T;			/* (T) */
	uint64_t e, first, start, step;
	int ns = 0, ny = 0;
	double n = 0, norm;

	if (o->pairs < (uint64_t)K)
		return ONLINE_IDLE;
	o->pairs = 0;
	/* the K pairs are those predicted at steps e-K+1 .. e */
	e = o->t - o->cf.horizon;
	first = e + 1 - K;
	start = e + 1 >= (uint64_t)T ? e + 1 - T : 0;
	for (step = first; step <= e; step++)
		n += SLOT_TARGET(o, online_slot(o, step))[1];
	if (n == 0)
		return ONLINE_IDLE;

	if (o->cf.chars)	/* before sc->ids is overwritten */
		clear_onehot(o);
	/* Walk the window backwards: the state gradients step by step, the
	 * per-step gate and head gradients kept for the weights below. */
	memset(dnext, 0, 2 * (size_t)L * H * sizeof *dnext);
	for (step = e + 1; step-- > start; ns++) {
		real *p = online_slot(o, step);
		real *htop = cell_cache_h(s->cell, H, SLOT_CACHE(o, p, L - 1));

		memcpy(dcur, dnext + (size_t)(L - 1) * H, H * sizeof *dcur);
		if (step >= first && SLOT_TARGET(o, p)[1] != 0) {
			/* head: y = W h_top + b */
			real *d = dy + (size_t)ny * nout;

			head_grad(o, p, d, n);
			la_gemtv_acc(dcur, o->w->pv.head_w, d, nout, H);
			tp[ny++] = htop;
		}
		for (l = L - 1; l >= 0; l--) {
			const real *cache = SLOT_CACHE(o, p, l);
			size_t at = ((size_t)l * T + ns) * GH;

			xp[l * T + ns] = l == 0 ? (o->cf.chars ? NULL : p) :
			    cell_cache_h(s->cell, H, SLOT_CACHE(o, p, l - 1));
			hp[l * T + ns] = cache;		/* starts with h_prev */
			if (l == 0)
				o->sc->ids[ns] = o->cf.chars ? (int)p[0] : 0;
			if (l > 0)
				memset(dx, 0, H * sizeof *dx);
			cell_backward(s->cell, H, &o->w->pv.layer[l], cache, dcur,
			    dc + (size_t)l * H, dnext + (size_t)l * H,
			    l > 0 ? dx : NULL, dgi + at, dgh + at);
			if (l > 0) {
				/* the layer below gets its own carry plus dx */
				memcpy(dcur, dnext + (size_t)(l - 1) * H,
				    H * sizeof *dcur);
				la_add(dcur, dx, H);
			}
		}
	}

	/* The products below set every gradient (no memset of the block first)
	 * but a one-hot W_ih, which clear_onehot() keeps zero elsewhere. */
	if (o->cf.chars)
		o->sc->nids = ns;
	memset(o->gv.head_b, 0, nout * sizeof *o->gv.head_b);
	for (step = 0; step < (uint64_t)ny; step++)
		la_add(o->gv.head_b, dy + step * nout, nout);
	la_outer_n(o->gv.head_w, dy, nout, tp, (size_t)ny, nout, H);
	for (l = 0; l < L; l++)
		cell_grads(s->cell, H, &o->gv.layer[l], xp + (size_t)l * T,
		    o->sc->ids, hp + (size_t)l * T, dgi + (size_t)l * T * GH,
		    dgh + (size_t)l * T * GH, ns);

	norm = optim_grad_norm(o->grad, o->np);
	if (norm < 0) {
		o->skipped++;
		return ONLINE_DIVERGED;
	}
	o->last_norm = norm;
	if (o->cf.clip > 0)
		optim_clip(o->grad, o->np, norm, o->cf.clip);
	optim_step(&o->w->opt, o->w->param, o->grad);
	o->updates++;
	return ONLINE_UPDATED;
}

static int
all_finite(const real *v, size_t n)
{
	size_t i;
	real s = 0;

	for (i = 0; i < n; i++)
		s += v[i] * 0;
	return s == 0;	/* NaN * 0 and inf * 0 are NaN */
}

const real *
online_advance(struct online *o, const real *x, int xid)
{
	const struct shape *s = &o->cf.shape;
	int H = s->hidden, L = s->layers, l;
	real *p = online_slot(o, o->t);
	real *y = SLOT_Y(o, p);
	real *in;

	if (o->cf.chars)
		p[0] = (real)xid;
	else
		memcpy(p, x, (size_t)s->nin * sizeof *p);
	SLOT_TARGET(o, p)[0] = 0;
	SLOT_TARGET(o, p)[1] = 0;
	for (l = 0; l < L; l++) {
		real *cache = SLOT_CACHE(o, p, l);

		in = l == 0 ? (o->cf.chars ? NULL : p) :
		    cell_cache_h(s->cell, H, SLOT_CACHE(o, p, l - 1));
		cell_forward(s->cell, H, &o->w->pv.layer[l], in, xid,
		    o->h + (size_t)l * H, o->c + (size_t)l * H, cache, o->sc->work);
	}
	if (!all_finite(o->h, (size_t)L * H) || !all_finite(o->c, (size_t)L * H)) {
		/* a diverged state would poison every later step: start afresh */
		memset(o->h, 0, 2 * (size_t)L * H * sizeof *o->h);
		o->resets++;
	}
	in = cell_cache_h(s->cell, H, SLOT_CACHE(o, p, L - 1));
	la_gemv(y, o->w->pv.head_w, in, o->w->pv.head_b, s->nout, H);
	if (o->cf.chars)
		la_log_softmax(y, s->nout);
	o->t++;
	return y;
}

const real *
online_output(const struct online *o)
{
	return SLOT_Y(o, online_slot(o, o->t - 1));
}

/* --- the model file, and what others set ---------------------------------- */

void
online_config_ser(struct ser *s, struct online_config *cf, int max_nin,
    int max_horizon)
{
	int cell = cf->shape.cell, opt = cf->optimizer;

	ser_enum(s, &cell, CELL_RNN_TANH, CELL_GRU);
	ser_enum(s, &cf->shape.nin, 1, 256);
	ser_enum(s, &cf->shape.hidden, 1, MODEL_MAX_HIDDEN);
	ser_enum(s, &cf->shape.layers, 1, MODEL_MAX_LAYERS);
	ser_enum(s, &cf->shape.nout, 1, 256);
	ser_enum(s, &cf->chars, 0, 1);
	ser_enum(s, &cf->bptt, 1, 100000);
	ser_enum(s, &cf->window, cf->bptt, 100000);
	ser_enum(s, &cf->horizon, 1, max_horizon);
	ser_enum(s, &opt, OPTIM_SGD, OPTIM_RMSPROP);
	ser_f64(s, &cf->lr);
	ser_f64(s, &cf->clip);
	ser_f64(s, &cf->forget_bias);
	ser_u64(s, &cf->seed);
	cf->shape.cell = (enum cell_kind)cell;
	cf->optimizer = (enum optim_kind)opt;
	if (ser_loading(s) && !ser_failed(s) &&
	    (cf->chars ? cf->shape.nin != 256 || cf->shape.nout != 256 :
	    cf->shape.nin > max_nin || cf->shape.nout != 1))
		ser_fail(s, "the network's input and output sizes do not fit its mode");
}

void
online_ser(struct ser *s, struct online *o, int weights)
{
	uint64_t np = o->np, nm = optim_state_size(o->np), t;
	uint64_t ringn = (uint64_t)o->cap * o->slot;
	size_t nstate = 2 * (size_t)o->cf.shape.layers * o->cf.shape.hidden;
	const char *msg;
	int i;

	if (!weights)
		np = nm = 0;
	ser_u64(s, &np);
	ser_u64(s, &nm);
	ser_u64(s, &ringn);
	if (ser_failed(s))
		return;
	if (ser_loading(s) && (np != (weights ? o->np : 0) ||
	    nm != (weights ? optim_state_size(o->np) : 0) ||
	    ringn != (uint64_t)o->cap * o->slot)) {
		ser_fail(s, "block sizes do not match the network's shape");
		return;
	}
	if (weights) {
		ser_reals(s, o->w->param, o->np);
		ser_reals(s, o->w->moment, optim_state_size(o->np));
		t = (uint64_t)o->w->opt.step;
		ser_u64(s, &t);
		o->w->opt.step = (long long)t;
		ser_f64(s, &o->w->opt.lr);
	}
	for (i = 0; i < 4; i++)
		ser_u64(s, &o->rng.s[i]);
	ser_u64(s, &o->t);
	ser_u64(s, &o->pairs);
	ser_u64(s, &o->updates);
	ser_u64(s, &o->skipped);
	ser_u64(s, &o->resets);
	ser_f64(s, &o->last_norm);
	ser_reals(s, o->ring, (size_t)ringn);
	ser_reals(s, o->h, nstate);	/* h then c: one block */
	if (ser_loading(s) && !ser_failed(s) && (msg = online_check(o)) != NULL)
		ser_fail(s, msg);
}

int
online_ser_room(struct ser *s, const struct online_config *cf, int weights)
{
	if (ser_remaining(s) / sizeof(float) < online_state_reals(cf, weights)) {
		ser_fail(s, "the file is shorter than its network's shape implies");
		return 0;
	}
	return 1;
}

void
online_set_lr(struct online *o, double lr)
{
	o->cf.lr = lr;
	o->w->opt.lr = lr;
}

void
online_set_clip(struct online *o, double clip)
{
	o->cf.clip = clip;
}

struct online_snap {
	uint64_t t, pairs;
	real v[];		/* the ring, h, c */
};

struct online_snap *
online_snapshot(const struct online *o)
{
	size_t nring = (size_t)o->cap * o->slot;
	size_t nstate = (size_t)o->cf.shape.layers * o->cf.shape.hidden;
	struct online_snap *sn;

	sn = malloc(sizeof *sn + (nring + 2 * nstate) * sizeof sn->v[0]);
	if (sn == NULL)
		return NULL;
	sn->t = o->t;
	sn->pairs = o->pairs;
	memcpy(sn->v, o->ring, nring * sizeof sn->v[0]);
	memcpy(sn->v + nring, o->h, nstate * sizeof sn->v[0]);
	memcpy(sn->v + nring + nstate, o->c, nstate * sizeof sn->v[0]);
	return sn;
}

void
online_restore(struct online *o, struct online_snap *sn)
{
	size_t nring = (size_t)o->cap * o->slot;
	size_t nstate = (size_t)o->cf.shape.layers * o->cf.shape.hidden;

	memcpy(o->ring, sn->v, nring * sizeof sn->v[0]);
	memcpy(o->h, sn->v + nring, nstate * sizeof sn->v[0]);
	memcpy(o->c, sn->v + nring + nstate, nstate * sizeof sn->v[0]);
	o->t = sn->t;
	o->pairs = sn->pairs;
	free(sn);
}
