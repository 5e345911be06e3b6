/* online.c - TBPTT over a ring of cached or recomputed steps; see online.h. */
#include <stdlib.h>
#include <string.h>
#include "cell.h"
#include "linalg.h"
#include "online.h"
#include "ser.h"

/* Slot layout: x (nin, or 1 holding the byte) | y (nout) | target | weight |
 * cache of layer 0 | ... | cache of layer L-1; a lean window's slots end
 * before the caches. */
static size_t
xsize(const struct online_config *cf)
{
	return cf->chars ? 1 : (size_t)cf->shape.nin;
}

#define SLOT_Y(o, p)	((p) + xsize(&(o)->cf))
#define SLOT_TARGET(o, p) (SLOT_Y(o, p) + (o)->cf.shape.nout)
#define SLOT_CACHE(o, p, l) (SLOT_TARGET(o, p) + 2 + (size_t)(l) * (o)->cache)

/*
 * Can a window of CF be recomputed, bit for bit, at its update?  Only if
 * its steps were all advanced with the weights of that update: T = K (no
 * step of an earlier update's window is in it) and horizon 1 (no step is
 * advanced before the update whose window it is in).
 */
static int
lean_fits(const struct online_config *cf)
{
	return cf->window == cf->bptt && cf->horizon == 1;
}

static size_t
slot_reals(const struct online_config *cf, int lean)
{
	const struct shape *s = &cf->shape;

	return xsize(cf) + s->nout + 2 + (lean ? 0 :
	    (size_t)s->layers * cell_cache_size(s->cell, s->hidden));
}

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

/*
 * A lean window's recomputed caches (T, L, cache), its state (2, L, H) and
 * its recomputed outputs (T, nout).
 */
static size_t
win_size(const struct online_config *cf)
{
	const struct shape *s = &cf->shape;
	size_t L = s->layers;

	return (size_t)cf->window * (L * cell_cache_size(s->cell, s->hidden) +
	    s->nout) + 2 * L * s->hidden;
}

/*
 * The states a lean window of CF keeps, each the one that enters a window
 * not yet updated: the window of an update is there (its first step
 * advanced) from T + horizon - 1 items before it, and the windows begin
 * K steps apart.
 */
static int
lean_starts(const struct online_config *cf, int lean)
{
	return lean ? (cf->window + cf->horizon - 2) / cf->bptt + 1 : 0;
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
	free(sc->win);
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
	sc->grad = la_alloc(model_nparams(&cf->shape));
	sc->work = la_alloc(work_size(cf));
	/* per window step: input and h_prev of each layer, h_top; byte ids */
	sc->ptr = calloc((2 * L + 1) * (size_t)cf->window, sizeof *sc->ptr);
	sc->ids = calloc((size_t)cf->window, sizeof *sc->ids);
	/* any configuration: the keys of --global keep lean windows */
	sc->win = la_alloc(win_size(cf));
	sc->hs = sc->win + (size_t)cf->window * L *
	    cell_cache_size(cf->shape.cell, cf->shape.hidden);
	sc->ys = sc->hs + 2 * L * cf->shape.hidden;
	if (sc->grad == NULL || sc->work == NULL || sc->ptr == NULL ||
	    sc->ids == NULL || sc->win == NULL) {
		scratch_free(sc);
		return NULL;
	}
	model_view(&cf->shape, sc->grad, &sc->gv);
	return sc;
}

/* The ring's reals: (cap, slot), then h and c (L, H) each, and a lean
 * window's entering states, h0 and c0 (L, H) each per lean_starts(). */
static size_t
ring_reals(const struct online_config *cf, int lean, size_t *slot)
{
	const struct shape *s = &cf->shape;
	size_t L = s->layers;

	*slot = slot_reals(cf, lean);
	return ((size_t)cf->window + cf->horizon) * *slot +
	    (2 + 2 * (size_t)lean_starts(cf, lean)) * L * s->hidden;
}

int
online_is_lean(const struct online_config *cf, int key, int weights)
{
	return key && (!weights || lean_fits(cf));
}

void
online_bytes(const struct online_config *cf, int lean, size_t *own,
    size_t *weights, size_t *scratch)
{
	size_t np = model_nparams(&cf->shape), slot;
	size_t L = cf->shape.layers;

	*own = sizeof(struct online) + ring_reals(cf, lean, &slot) *
	    sizeof(real);
	*weights = sizeof(struct online_weights) + (np + optim_state_size(np)) *
	    sizeof(real);
	*scratch = sizeof(struct online_scratch) + (np + work_size(cf) +
	    win_size(cf)) * sizeof(real) +
	    (2 * L + 1) * (size_t)cf->window * sizeof(const real *) +
	    (size_t)cf->window * sizeof(int);
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
	if ((w->param = la_alloc(np + optim_state_size(np))) == NULL) {
		free(w);
		return NULL;
	}
	w->moment = w->param + np;
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
	o->lean = online_is_lean(cf, like != NULL, !tied);
	o->stale = tied;
	o->nstart = lean_starts(cf, o->lean);
	if (like != NULL && (like->np != o->np || like->cf.window != cf->window ||
	    like->cf.chars != cf->chars || like->cf.shape.cell != s->cell ||
	    like->cf.shape.hidden != s->hidden ||
	    like->cf.shape.nout != s->nout)) {
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
	o->ring = la_alloc(ring_reals(cf, o->lean, &o->slot));
	if (o->sc == NULL || o->w == NULL || o->ring == NULL) {
		online_free(o);
		return NULL;
	}
	o->grad = o->sc->grad;
	o->h = o->ring + (size_t)o->cap * o->slot;
	o->c = o->h + L * H;
	if (o->lean)
		o->h0 = o->c + L * H;
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
online_state_reals(const struct online_config *cf, int weights, int lean)
{
	size_t np = model_nparams(&cf->shape), slot;

	return (weights ? np + optim_state_size(np) : 0) +
	    ring_reals(cf, lean, &slot);
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

/*
 * dLoss/dy of a pair, its output Y and its slot P, for a loss that is the
 * mean over N pairs.
 */
static void
head_grad(const struct online *o, const real *y, const real *p, real *dy,
    double n)
{
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
 * The view of O's parameters, made in the shared scratch when another
 * network's was there: a key keeps no pointers its shape gives.
 */
static const struct net_view *
wview(struct online *o)
{
	struct online_scratch *sc = o->sc;

	if (sc->pv_of != o->w->param) {
		model_view(&o->cf.shape, o->w->param, &sc->pv);
		sc->pv_of = o->w->param;
	}
	return &sc->pv;
}

/*
 * A one-hot input's W_ih gradient is zero but in the columns of the last
 * window's bytes (sc->ids, sc->nids of them): only those columns are cleared
 * before the next window, not the whole (G*H, 256) block.
 */
static void
clear_onehot(struct online *o)
{
	const struct layer_view *g = &o->sc->gv.layer[0];
	size_t GH = (size_t)cell_gates(o->cf.shape.cell) * o->cf.shape.hidden;
	size_t i;
	int t;

	for (i = 0; i < GH; i++)	/* row by row, as cell_grads() adds */
		for (t = 0; t < o->sc->nids; t++)
			g->w_ih[i * g->in + o->sc->ids[t]] = 0;
	o->sc->nids = 0;
}

/*
 * Layer L's cache of step STEP of the window that begins at START: in its
 * slot P, or in a lean window the scratch that recompute() filled.
 */
static real *
step_cache(const struct online *o, real *p, uint64_t step, uint64_t start,
    int l)
{
	if (o->lean)
		return o->sc->win + ((size_t)(step - start) *
		    (size_t)o->cf.shape.layers + (size_t)l) * o->cache;
	return SLOT_CACHE(o, p, l);
}

static int all_finite(const real *v, size_t n);

/*
 * Does step S begin a window, the latest step that has met its target being
 * LAST (-1 for none)?  The updates' windows end K steps apart, the next one
 * K pairs after the last update's (the step LAST - pairs), and each begins
 * T - 1 steps before its end.
 */
static int
begins_window(const struct online *o, uint64_t s, int64_t last)
{
	int64_t r = (int64_t)s + o->cf.window - 1 - (last - (int64_t)o->pairs);

	return r > 0 && r % o->cf.bptt == 0;
}

/*
 * A lean window's entry for the state that enters step S, a window's first:
 * h then c (L, H each).  Those of the windows not yet updated begin fewer
 * than nstart * K steps apart, so that each has its own entry.
 */
static real *
start_state(const struct online *o, uint64_t s)
{
	size_t LH = (size_t)o->cf.shape.layers * o->cf.shape.hidden;

	return o->h0 + (size_t)(s / (uint64_t)o->cf.bptt %
	    (uint64_t)o->nstart) * 2 * LH;
}

/*
 * One step forward from the state H, C (L, H each, replaced by the state
 * after it): X (dense) or the byte XID, the layers' caches from CACHE
 * (L, cache); returns the top layer's h (in CACHE).  online_advance() and
 * a lean window's recomputation run exactly this, so that the two give
 * the same bits.  Returns 1 if the state was not finite and was reset.
 */
static int
forward(struct online *o, const real *x, int xid, real *h, real *c,
    real *cache)
{
	const struct shape *s = &o->cf.shape;
	int H = s->hidden, L = s->layers, l;
	const real *in;

	for (l = 0; l < L; l++) {
		in = l == 0 ? (o->cf.chars ? NULL : x) :
		    cell_cache_h(s->cell, H, cache + (size_t)(l - 1) * o->cache);
		cell_forward(s->cell, H, &wview(o)->layer[l], in, xid,
		    h + (size_t)l * H, c + (size_t)l * H,
		    cache + (size_t)l * o->cache, o->sc->work);
	}
	if (!all_finite(h, (size_t)L * H) || !all_finite(c, (size_t)L * H)) {
		/* a diverged state would poison every later step: start afresh */
		memset(h, 0, (size_t)L * H * sizeof *h);
		memset(c, 0, (size_t)L * H * sizeof *c);
		return 1;
	}
	return 0;
}

/*
 * A lean window's steps START..E again, from the state that entered it,
 * into the scratch's caches (and with stale weights, its outputs).  Of an
 * independent key (lean_fits()), the weights are those they were advanced
 * with, so the caches are the ones a ring would have kept; of a key of
 * --global, they are the weights of the update, which other keys have
 * moved since.
 */
static void
recompute(struct online *o, uint64_t start, uint64_t e)
{
	const struct shape *s = &o->cf.shape;
	size_t LH = (size_t)s->layers * s->hidden;
	size_t step_reals = (size_t)s->layers * o->cache;
	real *hs = o->sc->hs, *cs = hs + LH, *cache, *y;
	const struct net_view *pv;
	uint64_t step;

	/* the state that enters step 0 is the zero one online_new() makes */
	if (start == 0)
		memset(hs, 0, 2 * LH * sizeof *hs);
	else
		memcpy(hs, start_state(o, start), 2 * LH * sizeof *hs);
	for (step = start; step <= e; step++) {
		const real *p = online_slot(o, step);

		cache = o->sc->win + (size_t)(step - start) * step_reals;
		forward(o, p, o->cf.chars ? (int)p[0] : 0, hs, cs, cache);
		if (!o->stale)
			continue;
		/* the output as online_advance() makes it */
		pv = wview(o);
		y = o->sc->ys + (size_t)(step - start) * s->nout;
		la_gemv(y, pv->head_w, cell_cache_h(s->cell, s->hidden,
		    cache + (size_t)(s->layers - 1) * o->cache), pv->head_b,
		    s->nout, s->hidden);
		if (o->cf.chars)
			la_log_softmax(y, s->nout);
	}
}

static int window_update(struct online *o);

/*
 * The columns of a one-hot W_ih that an update may touch, as runs for
 * optim_step_cols(): the window's bytes, and where the optimizer moves a
 * parameter without gradient (Adam's momentum, RMSprop's decay) every byte
 * whose column has moments, that is every byte a window has held since the
 * weights began (found from the moments once, after a load).  Elsewhere
 * gradient and moments are zero and every optimizer leaves a parameter as
 * it is, so the update is the dense one, bit for bit.
 */
static void
onehot_cols(struct online *o, struct optim_cols *oc, int *run)
{
	struct online_weights *w = o->w;
	const struct layer_view *g = &o->sc->gv.layer[0];
	size_t GH = (size_t)cell_gates(o->cf.shape.cell) * o->cf.shape.hidden;
	size_t off = (size_t)(wview(o)->layer[0].w_ih - w->param), i;
	unsigned char in[256] = {0};
	int t, c;

	for (t = 0; t < o->sc->nids; t++)
		in[o->sc->ids[t]] = 1;
	if (!optim_zero_grad_idle(o->cf.optimizer)) {
		if (!w->live_known) {
			const real *m = w->opt.m + off, *v = w->opt.v + off;

			memset(w->live, 0, sizeof w->live);
			for (i = 0; i < GH * g->in; i++)
				if (m[i] != 0 || v[i] != 0)
					w->live[i % g->in / 64] |=
					    (uint64_t)1 << (i % g->in % 64);
			w->live_known = 1;
		}
		for (c = 0; c < 256; c++) {
			if (in[c])
				w->live[c / 64] |= (uint64_t)1 << (c % 64);
			in[c] = w->live[c / 64] >> (c % 64) & 1;
		}
	}
	/* a column left in with neither gradient nor moments changes nothing:
	 * whole groups of 16, so that runs are long and few */
	for (c = 0; c < 256; c += 16)
		for (t = 1; t < 16; t++)
			in[c] |= in[c + t];
	oc->off = off;
	oc->rows = GH;
	oc->cols = (size_t)g->in;
	oc->run = run;
	oc->nrun = 0;
	for (c = 0; c < 256; c += 16)
		if (in[c] && (c == 0 || !in[c - 16]))
			run[2 * oc->nrun] = c;
		else if (!in[c] && c > 0 && in[c - 16])
			run[2 * oc->nrun++ + 1] = c;
	if (in[240])
		run[2 * oc->nrun++ + 1] = 256;
}

int
online_learn(struct online *o)
{
	if (o->pairs < (uint64_t)o->cf.bptt)
		return ONLINE_IDLE;
	return window_update(o);
}

/* online_learn() once K pairs are there. */
static int
window_update(struct online *o)
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
	int ns = 0, ny = 0, run[16];
	struct optim_cols oc;
	double n = 0, norm;
	const struct net_view *pv = wview(o);

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
	if (o->lean)
		recompute(o, start, e);
	/* Walk the window backwards: the state gradients step by step, the
	 * per-step gate and head gradients kept for the weights below. */
	memset(dnext, 0, 2 * (size_t)L * H * sizeof *dnext);
	for (step = e + 1; step-- > start; ns++) {
		real *p = online_slot(o, step);
		real *htop = cell_cache_h(s->cell, H,
		    step_cache(o, p, step, start, L - 1));

		memcpy(dcur, dnext + (size_t)(L - 1) * H, H * sizeof *dcur);
		if (step >= first && SLOT_TARGET(o, p)[1] != 0) {
			/* head: y = W h_top + b */
			real *d = dy + (size_t)ny * nout;

			head_grad(o, o->stale ? o->sc->ys + (size_t)(step -
			    start) * nout : SLOT_Y(o, p), p, d, n);
			la_gemtv_acc(dcur, pv->head_w, d, nout, H);
			tp[ny++] = htop;
		}
		for (l = L - 1; l >= 0; l--) {
			const real *cache = step_cache(o, p, step, start, l);
			size_t at = ((size_t)l * T + ns) * GH;

			xp[l * T + ns] = l == 0 ? (o->cf.chars ? NULL : p) :
			    cell_cache_h(s->cell, H,
			    step_cache(o, p, step, start, l - 1));
			hp[l * T + ns] = cache;		/* starts with h_prev */
			if (l == 0)
				o->sc->ids[ns] = o->cf.chars ? (int)p[0] : 0;
			if (l > 0)
				memset(dx, 0, H * sizeof *dx);
			cell_backward(s->cell, H, &pv->layer[l], cache, dcur,
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
	memset(o->sc->gv.head_b, 0, nout * sizeof *o->sc->gv.head_b);
	for (step = 0; step < (uint64_t)ny; step++)
		la_add(o->sc->gv.head_b, dy + step * nout, nout);
	la_outer_n(o->sc->gv.head_w, dy, nout, tp, (size_t)ny, nout, H);
	for (l = 0; l < L; l++)
		cell_grads(s->cell, H, &o->sc->gv.layer[l], xp + (size_t)l * T,
		    o->sc->ids, hp + (size_t)l * T, dgi + (size_t)l * T * GH,
		    dgh + (size_t)l * T * GH, ns);

	if (o->cf.chars) {
		onehot_cols(o, &oc, run);
		norm = optim_grad_norm_cols(o->grad, o->np, &oc);
	} else
		norm = optim_grad_norm(o->grad, o->np);
	if (norm < 0) {
		o->skipped++;
		return ONLINE_DIVERGED;
	}
	o->last_norm = norm;
	/* clipped in the update's pass: o->grad keeps the unclipped gradient */
	if (o->cf.chars)
		optim_step_cols(&o->w->opt, o->w->param, o->grad,
		    optim_clip_scale(norm, o->cf.clip), &oc);
	else
		optim_step(&o->w->opt, o->w->param, o->grad,
		    optim_clip_scale(norm, o->cf.clip));
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
	int H = s->hidden, L = s->layers;
	real *p = online_slot(o, o->t);
	real *y = SLOT_Y(o, p);
	/* a lean window keeps no caches: the step's go to scratch */
	real *cache = o->lean ? o->sc->win : SLOT_CACHE(o, p, 0);
	const real *in;
	const struct net_view *pv;

	if (o->lean && begins_window(o, o->t, o->t >= (uint64_t)o->cf.horizon ?
	    (int64_t)(o->t - o->cf.horizon) : -1))
		memcpy(start_state(o, o->t), o->h, 2 * (size_t)L * H *
		    sizeof *o->h);	/* h then c */
	if (o->cf.chars)
		p[0] = (real)xid;
	else
		memcpy(p, x, (size_t)s->nin * sizeof *p);
	SLOT_TARGET(o, p)[0] = 0;
	SLOT_TARGET(o, p)[1] = 0;
	if (forward(o, p, xid, o->h, o->c, cache))
		o->resets++;
	in = cell_cache_h(s->cell, H, cache + (size_t)(L - 1) * o->cache);
	pv = wview(o);
	la_gemv(y, pv->head_w, in, pv->head_b, s->nout, H);
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

/*
 * A lean window from a file of a format that holds the cached ring (before
 * ONLINE_FORMAT_LEAN, and for a key of --global before
 * ONLINE_FORMAT_GLOBAL_LEAN): the slots without their caches, and the
 * states that enter the windows not yet updated, each the first cache of
 * its window's first step.  O's counters are loaded.  Returns 0, or -1 when
 * out of memory (S failed).
 */
static int
ring_from_cached(struct ser *s, struct online *o)
{
	const struct shape *sh = &o->cf.shape;
	size_t full = slot_reals(&o->cf, 0), H = sh->hidden;
	size_t LH = (size_t)sh->layers * H, l;
	real *ring = malloc((size_t)o->cap * full * sizeof *ring), *st;
	uint64_t h = (uint64_t)o->cf.horizon, step;
	int i;

	if (ring == NULL) {
		ser_fail_nomem(s);
		return -1;
	}
	ser_reals(s, ring, (size_t)o->cap * full);
	for (i = 0; i < o->cap; i++)
		memcpy(o->ring + (size_t)i * o->slot, ring + (size_t)i * full,
		    o->slot * sizeof *ring);
	ser_reals(s, o->h, 2 * LH);
	for (i = 0; i < o->nstart; i++)
		memcpy(o->h0 + (size_t)i * 2 * LH, o->h, 2 * LH * sizeof *o->h);
	/* the windows not yet updated begin after the ring's oldest step (of a
	 * window ending with the coming update, at the latest T - 1 steps
	 * before the step that meets its target next, t - horizon) */
	step = o->t >= (uint64_t)o->cap ? o->t - (uint64_t)o->cap + 1 : 1;
	for (; step < o->t; step++) {
		const real *p = ring + (size_t)(step % (uint64_t)o->cap) * full;

		if (!begins_window(o, step, o->t > h ? (int64_t)(o->t - 1 - h) :
		    -1))
			continue;
		st = start_state(o, step);
		for (l = 0; l < (size_t)sh->layers; l++) {
			const real *c = SLOT_CACHE(o, p, l);

			memcpy(st + l * H, c, H * sizeof *c);
			if (sh->cell == CELL_LSTM)
				memcpy(st + LH + l * H, c + H, H * sizeof *c);
		}
	}
	free(ring);
	return 0;
}

void
online_ser(struct ser *s, struct online *o, int weights, uint32_t version)
{
	uint64_t np = o->np, nm = optim_state_size(o->np), t;
	uint64_t ringn = (uint64_t)o->cap * o->slot;
	size_t nstate = 2 * (size_t)o->cf.shape.layers * o->cf.shape.hidden;
	int cached = o->lean && version < (o->stale ?
	    ONLINE_FORMAT_GLOBAL_LEAN : ONLINE_FORMAT_LEAN);
	const char *msg;
	int i;

	if (!weights)
		np = nm = 0;
	if (cached)	/* an older file's, loading */
		ringn = (uint64_t)o->cap * slot_reals(&o->cf, 0);
	ser_u64(s, &np);
	ser_u64(s, &nm);
	ser_u64(s, &ringn);
	if (ser_failed(s))
		return;
	if (ser_loading(s) && (np != (weights ? o->np : 0) ||
	    nm != (weights ? optim_state_size(o->np) : 0) ||
	    ringn != (uint64_t)o->cap * (cached ? slot_reals(&o->cf, 0) :
	    o->slot))) {
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
		if (ser_loading(s))	/* the moments are new: find again */
			o->w->live_known = 0;
	}
	for (i = 0; i < 4; i++)
		ser_u64(s, &o->rng.s[i]);
	ser_u64(s, &o->t);
	ser_u64(s, &o->pairs);
	ser_u64(s, &o->updates);
	ser_u64(s, &o->skipped);
	ser_u64(s, &o->resets);
	ser_f64(s, &o->last_norm);
	if (cached) {
		/* the counters first: they say where the window begins */
		if (ser_loading(s) && !ser_failed(s) &&
		    (msg = online_check(o)) != NULL) {
			ser_fail(s, msg);
			return;
		}
		if (ring_from_cached(s, o) != 0)
			return;
	} else {
		ser_reals(s, o->ring, (size_t)ringn);
		ser_reals(s, o->h, nstate);	/* h then c: one block */
		if (o->lean)	/* h0 then c0, of each */
			ser_reals(s, o->h0, nstate * (size_t)o->nstart);
	}
	if (ser_loading(s) && !ser_failed(s) && (msg = online_check(o)) != NULL)
		ser_fail(s, msg);
}

int
online_ser_room(struct ser *s, const struct online_config *cf, int weights,
    int key, uint32_t version)
{
	int lean = online_is_lean(cf, key, weights) && version >=
	    (weights ? ONLINE_FORMAT_LEAN : ONLINE_FORMAT_GLOBAL_LEAN);

	if (ser_remaining(s) / sizeof(float) <
	    online_state_reals(cf, weights, lean)) {
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
	real v[];		/* the ring, h, c (and h0, c0): one block */
};

struct online_snap *
online_snapshot(const struct online *o)
{
	size_t slot, n = ring_reals(&o->cf, o->lean, &slot);
	struct online_snap *sn;

	sn = malloc(sizeof *sn + n * sizeof sn->v[0]);
	if (sn == NULL)
		return NULL;
	sn->t = o->t;
	sn->pairs = o->pairs;
	memcpy(sn->v, o->ring, n * sizeof sn->v[0]);
	return sn;
}

void
online_restore(struct online *o, struct online_snap *sn)
{
	size_t slot, n = ring_reals(&o->cf, o->lean, &slot);

	memcpy(o->ring, sn->v, n * sizeof sn->v[0]);
	o->t = sn->t;
	o->pairs = sn->pairs;
	free(sn);
}
