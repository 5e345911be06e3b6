/*
 * gradcheck.c - the gradient online_learn() leaves in o->grad, checked
 * against central finite differences of the loss of its window.
 *
 * The loss is recomputed by a reference forward written here from the
 * formulas of torch.nn.RNN, LSTM, GRU and Linear, in double, sharing no code
 * with src/cell.c or src/linalg.c.  It mirrors the whole stream, so it knows
 * the state entering every step; the finite differences hold the state
 * entering the window fixed, as truncated BPTT does.
 *
 * SGD with lr 0 and no clipping leaves the weights as they are and the
 * gradient in o->grad after ONLINE_UPDATED.
 *
 * Every parameter is perturbed, except in the 256-wide tensors of character
 * mode (weight_ih_l0, head.*): there, the entries the window reaches and a
 * seeded sample of the others.
 *
 * Besides the gradient itself this checks: the forward (every prediction,
 * loss and carried state of the stream against the reference); that an
 * update reads nothing older than its window (the one older slot still in
 * the ring is overwritten with NaN first, and a second network that never
 * saw the older items, given the same entering state, must produce the
 * same gradient bit for bit); that the gradient is not the untruncated one
 * (so that the test would notice if it were); that relu pre-activations in
 * the checked window lie well away from the kink, with units on both sides
 * of it; and that a NaN target or input is refused with ONLINE_DIVERGED,
 * leaving parameters and optimizer state bit-identical.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "model.h"
#include "online.h"
#include "rng.h"

#ifndef RNNF_DOUBLE
#error "gradcheck needs real == double: compile with -DRNNF_DOUBLE"
#endif

/*
 * The finite-difference step.  In double, the rounding error of a central
 * difference of a loss of order 1 is about 1e-16 / EPS, its truncation error
 * about EPS^2 / 6 times the third derivative.  Measured over this suite, the
 * worst |a - n| is 1.5e-9 with EPS 1e-6 (rounding), 1.6e-10 with 1e-5 and
 * 1.3e-8 with 1e-4 (truncation): 1e-5 is about the optimum.
 */
#define EPS	1e-5
/*
 * An entry passes if |analytic - numeric| <= RTOL * (|a| + |n|) + ATOL:
 * relative for gradients of any size, with ATOL (6x the measured worst)
 * only for those so small that rounding dominates.  Reported: the worst
 * relative error among entries with |a| + |n| >= SIGNIF, and the worst
 * |a - n| of all.
 */
#define RTOL	1e-6
#define ATOL	1e-9
#define SIGNIF	1e-3
#define FWDTOL	1e-12	/* reference forward against the core's */
#define KINK	1e-3	/* how far relu pre-activations must be from 0 */
#define MAXTRIES 10	/* relu windows passed over before one may be cut */
#define TRUNC	1e-3	/* how much the untruncated gradient must differ */

#define MAXH	8
#define MAXL	2
#define MAXNIN	3
#define NBYTE	256
#define MAXITEMS 200
#define NSAMPLE	100	/* per 256-wide tensor, beside the used entries */
#define SLEN	(2 * MAXL * MAXH)

struct gcase {
	enum cell_kind cell;
	int layers, hidden;
	int nin;	/* 0: character mode */
	int K, T, horizon;
	int missing;	/* every third target is absent */
	uint64_t seed;
};

/* Worst errors seen, per case and per cell. */
struct worst {
	double rel;	/* |a - n| / (|a| + |n|), for |a| + |n| >= SIGNIF */
	double abs;
	char where[80];
	long checked;
};

static struct worst cellworst[4];

/* ---- the reference network ---- */

struct refnet {
	enum cell_kind cell;
	int L, H, G, nout, chars;
	int in[MAXL];
	const double *w_ih[MAXL];	/* (G*H, in) */
	const double *w_hh[MAXL];	/* (G*H, H) */
	const double *b_ih[MAXL];	/* (G*H) */
	const double *b_hh[MAXL];	/* (G*H) */
	const double *head_w;		/* (nout, H) */
	const double *head_b;		/* (nout) */
};

/* relu pre-activations seen by a forward */
struct kink {
	double margin;	/* smallest |a| */
	long on, off;	/* a > 0, a <= 0 */
	long dead;	/* layer-steps with every unit off */
};

/*
 * Point N into W by the state_dict order model.h documents (not through
 * model_view()); returns the number of parameters.
 */
static size_t
ref_bind(struct refnet *n, const struct gcase *gc, const double *w)
{
	static const int gates[] = { 1, 1, 4, 3 };
	size_t off = 0, gh;
	int l;

	n->cell = gc->cell;
	n->L = gc->layers;
	n->H = gc->hidden;
	n->G = gates[gc->cell];
	n->chars = gc->nin == 0;
	n->nout = n->chars ? NBYTE : 1;
	gh = (size_t)n->G * n->H;
	for (l = 0; l < n->L; l++) {
		n->in[l] = l > 0 ? n->H : n->chars ? NBYTE : gc->nin;
		n->w_ih[l] = w + off;
		off += gh * n->in[l];
		n->w_hh[l] = w + off;
		off += gh * n->H;
		n->b_ih[l] = w + off;
		off += gh;
		n->b_hh[l] = w + off;
		off += gh;
	}
	n->head_w = w + off;
	off += (size_t)n->nout * n->H;
	n->head_b = w + off;
	off += n->nout;
	return off;
}

static double
sigm(double a)
{
	return 1 / (1 + exp(-a));
}

/*
 * One layer, one step.  X is the dense input, or NULL for the one-hot byte
 * XID.  H and C (lstm) hold the layer's state entering and leaving.
 */
static void
ref_cell(const struct refnet *n, int l, const double *x, int xid, double *h,
    double *c, struct kink *k)
{
	int H = n->H, in = n->in[l], j, q;
	long on = k != NULL ? k->on : 0;
	double gi[4 * MAXH], gh[4 * MAXH], hn[MAXH];

	for (j = 0; j < n->G * H; j++) {
		/* gi = W_ih x + b_ih;  gh = W_hh h + b_hh */
		gi[j] = n->b_ih[l][j];
		if (x == NULL)
			gi[j] += n->w_ih[l][(size_t)j * in + xid];
		else
			for (q = 0; q < in; q++)
				gi[j] += n->w_ih[l][(size_t)j * in + q] * x[q];
		gh[j] = n->b_hh[l][j];
		for (q = 0; q < H; q++)
			gh[j] += n->w_hh[l][(size_t)j * H + q] * h[q];
	}
	for (j = 0; j < H; j++) {
		switch (n->cell) {
		case CELL_RNN_TANH:	/* h = tanh(gi + gh) */
			hn[j] = tanh(gi[j] + gh[j]);
			break;
		case CELL_RNN_RELU: {	/* h = max(0, gi + gh) */
			double a = gi[j] + gh[j];

			hn[j] = a > 0 ? a : 0;
			if (k != NULL) {
				if (fabs(a) < k->margin)
					k->margin = fabs(a);
				if (a > 0)
					k->on++;
				else
					k->off++;
			}
			break;
		}
		case CELL_LSTM: {
			/* i, f, o = sigm(gi + gh); g = tanh(gi + gh);
			 * c = f * c_prev + i * g;  h = o * tanh(c) */
			double i = sigm(gi[j] + gh[j]);
			double f = sigm(gi[H + j] + gh[H + j]);
			double g = tanh(gi[2 * H + j] + gh[2 * H + j]);
			double o = sigm(gi[3 * H + j] + gh[3 * H + j]);

			c[j] = f * c[j] + i * g;
			hn[j] = o * tanh(c[j]);
			break;
		}
		case CELL_GRU: {
			/* r, z = sigm(gi + gh); n = tanh(gi_n + r * gh_n);
			 * h = (1 - z) * n + z * h_prev */
			double r = sigm(gi[j] + gh[j]);
			double z = sigm(gi[H + j] + gh[H + j]);
			double nn = tanh(gi[2 * H + j] + r * gh[2 * H + j]);

			hn[j] = (1 - z) * nn + z * h[j];
			break;
		}
		}
	}
	if (n->cell == CELL_RNN_RELU && k != NULL && k->on == on)
		k->dead++;	/* no unit of this layer came on */
	memcpy(h, hn, H * sizeof *h);
}

/*
 * Advance STATE (h of every layer, then c of every layer, as o->h and o->c)
 * by one item; Y, if not NULL, receives the head's output (the prediction,
 * or logits).
 */
static void
ref_step(const struct refnet *n, double *state, const double *x, int xid,
    double *y, struct kink *k)
{
	int H = n->H, L = n->L, l, j, q;
	const double *top = state + (size_t)(L - 1) * H;

	for (l = 0; l < L; l++)
		ref_cell(n, l, l > 0 ? state + (size_t)(l - 1) * H :
		    n->chars ? NULL : x, xid, state + (size_t)l * H,
		    state + (size_t)(L + l) * H, k);
	for (j = 0; y != NULL && j < n->nout; j++) {
		y[j] = n->head_b[j];
		for (q = 0; q < H; q++)
			y[j] += n->head_w[(size_t)j * H + q] * top[q];
	}
}

/* (y - target)^2, or -log softmax(y)[target] */
static double
ref_loss(const struct refnet *n, const double *y, double target)
{
	double m, s = 0;
	int j;

	if (!n->chars)
		return (y[0] - target) * (y[0] - target);
	for (m = y[0], j = 1; j < n->nout; j++)
		if (y[j] > m)
			m = y[j];
	for (j = 0; j < n->nout; j++)
		s += exp(y[j] - m);
	return m + log(s) - y[(int)target];
}

/* ---- the stream, as the reference saw it ---- */

struct stream {
	double x[MAXITEMS][MAXNIN];
	int b[MAXITEMS];		/* the byte, character mode */
	double v[MAXITEMS];		/* the item's target value */
	int present[MAXITEMS];
	double state[MAXITEMS][SLEN];	/* entering step i */
	double y[MAXITEMS][NBYTE];	/* reference output of step i */
};

static void
stream_item(struct stream *st, const struct gcase *gc, struct rng *r, int i)
{
	static const char alpha[] = "abcdefgh \n";
	int q;

	if (gc->nin == 0) {
		/* mostly a small alphabet, so bytes recur within a window */
		if (rng_uniform(r) < 0.15)
			st->b[i] = (int)(rng_next(r) % NBYTE);
		else
			st->b[i] = alpha[rng_next(r) % (sizeof alpha - 1)];
		st->v[i] = st->b[i];
	} else {
		for (q = 0; q < gc->nin; q++)
			st->x[i][q] = 3 * rng_uniform(r) - 1.5;
		st->v[i] = 2 * rng_uniform(r) - 1;
		st->b[i] = 0;
	}
	st->present[i] = !(gc->missing && i % 3 == 1);
}

/*
 * The loss of the update whose pairs are steps FIRST..E: the mean over their
 * present targets, forward from S0, the state entering step START, which is
 * held fixed.
 */
static double
ref_window_loss(const struct refnet *n, const struct stream *st,
    const double *s0, int start, int first, int e, int horizon,
    struct kink *k)
{
	double state[SLEN], y[NBYTE], sum = 0;
	int s, cnt = 0;

	memcpy(state, s0, sizeof state);
	for (s = start; s <= e; s++) {
		ref_step(n, state, st->x[s], st->b[s], s >= first ? y : NULL,
		    k);
		if (s >= first && st->present[s + horizon]) {
			sum += ref_loss(n, y, st->v[s + horizon]);
			cnt++;
		}
	}
	return sum / cnt;
}

/* ---- reporting ---- */

static void
case_label(const struct gcase *gc, char *buf, size_t len)
{
	char mode[8];

	if (gc->nin == 0)
		snprintf(mode, sizeof mode, "chars");
	else
		snprintf(mode, sizeof mode, "nin%d", gc->nin);
	snprintf(buf, len, "%s L%d H%d %s T%d K%d h%d%s", cell_name(gc->cell),
	    gc->layers, gc->hidden, mode, gc->T, gc->K, gc->horizon,
	    gc->missing ? " missing" : "");
}

/* "weight_hh_l1[3][2]": the state_dict name of parameter P */
static void
param_name(const struct shape *s, size_t p, char *buf, size_t len)
{
	struct tensor_info t;
	int i;

	for (i = 0; i < model_ntensors(s); i++) {
		size_t size;

		model_tensor(s, i, &t);
		size = t.rows ? (size_t)t.rows * t.cols : (size_t)t.cols;
		if (p < t.offset || p >= t.offset + size)
			continue;
		p -= t.offset;
		if (t.rows)
			snprintf(buf, len, "%s[%zu][%zu]", t.name, p / t.cols,
			    p % t.cols);
		else
			snprintf(buf, len, "%s[%zu]", t.name, p);
		return;
	}
	snprintf(buf, len, "param %zu (no tensor)", p);
}

/* model_tensor() must agree with the layout the reference assumes. */
static int
check_layout(const struct shape *s,
    const struct refnet *n, const double *w, const char *label)
{
	static const char *fmt[4] = {
		"weight_ih_l%d", "weight_hh_l%d", "bias_ih_l%d", "bias_hh_l%d"
	};
	struct tensor_info t;
	char name[32];
	int i, l, ok = 1;

	for (i = 0; i < model_ntensors(s); i++) {
		const double *at;
		int rows, cols;

		model_tensor(s, i, &t);
		l = i / 4;
		if (i < 4 * n->L) {
			const double *const *v[4] = {
				n->w_ih, n->w_hh, n->b_ih, n->b_hh
			};

			snprintf(name, sizeof name, fmt[i % 4], l);
			at = v[i % 4][l];
			rows = i % 4 < 2 ? n->G * n->H : 0;
			cols = i % 4 == 0 ? n->in[l] : i % 4 == 1 ? n->H :
			    n->G * n->H;
		} else if (i == 4 * n->L) {
			snprintf(name, sizeof name, "head.weight");
			at = n->head_w;
			rows = n->nout;
			cols = n->H;
		} else {
			snprintf(name, sizeof name, "head.bias");
			at = n->head_b;
			rows = 0;
			cols = n->nout;
		}
		if (strcmp(name, t.name) != 0 || t.offset != (size_t)(at - w) ||
		    t.rows != rows || t.cols != cols) {
			printf("FAIL %s: model_tensor(%d) is %s at %zu "
			    "(%d, %d), expected %s at %zu (%d, %d)\n", label,
			    i, t.name,
			    t.offset, t.rows, t.cols, name, (size_t)(at - w),
			    rows, cols);
			ok = 0;
		}
	}
	return ok;
}

/* ---- the checks at one update ---- */

/*
 * The parameters to perturb, into IDX: all of them, except in the 256-wide
 * tensors of character mode, where every entry the window can reach (the
 * input columns of its bytes, the head rows of its targets) is taken, plus
 * a seeded sample of NSAMPLE others per tensor.  Returns their number, 0 if
 * out of memory.
 */
static size_t
pick_params(const struct gcase *gc, const struct shape *s,
    const struct stream *st, int start, int first, int e, struct rng *r,
    size_t *idx, size_t np)
{
	struct tensor_info t;
	unsigned char *take = malloc(np);
	size_t p, m = 0;
	int i, k, j;

	if (take == NULL)
		return 0;
	memset(take, 1, np);
	for (i = 0; gc->nin == 0 && i < model_ntensors(s); i++) {
		size_t rows, cols, len;

		if (i != 0 && i < 4 * s->layers)
			continue;	/* narrow: all of it */
		model_tensor(s, i, &t);
		rows = t.rows ? (size_t)t.rows : 1;
		cols = (size_t)t.cols;
		len = t.rows ? cols : 1;	/* of a target's entries */
		memset(take + t.offset, 0, rows * cols);
		for (j = 0; j < NSAMPLE; j++)
			take[t.offset + rng_next(r) % (rows * cols)] = 1;
		for (k = start; k <= e; k++) {
			size_t tb = (size_t)st->v[k + gc->horizon];

			if (i == 0)	/* the column of the input byte */
				for (p = 0; p < rows; p++)
					take[t.offset + p * cols + st->b[k]] =
					    1;
			else if (k >= first)	/* the target's row or entry */
				memset(take + t.offset + tb * len, 1, len);
		}
	}
	for (p = 0; p < np; p++)
		if (take[p])
			idx[m++] = p;
	free(take);
	return m;
}

/*
 * Central differences of the window loss for the parameters IDX, against
 * GRAD: from the entering state S0, held fixed, or, if FULL, from the start
 * of the stream with the perturbed weights (the untruncated loss).  The
 * worst errors go to *WO.  Returns 0, after saying which, if entries fail
 * (never if FULL, which only measures).
 */
static int
fd_compare(const struct gcase *gc, const struct shape *s,
    const struct refnet *n, double *w, const double *grad,
    const struct stream *st, const double *s0, int start, int first, int e,
    const size_t *idx, size_t m, int full, const char *label,
    struct worst *wo)
{
	static const double zero[SLEN];
	size_t q;
	int nbad = 0;

	memset(wo, 0, sizeof *wo);
	snprintf(wo->where, sizeof wo->where, "-");
	for (q = 0; q < m; q++) {
		size_t p = idx[q];
		double keep = w[p], lp, lm, a, num, d, rel;

		w[p] = keep + EPS;
		lp = full ? ref_window_loss(n, st, zero, 0, first, e,
		    gc->horizon, NULL) : ref_window_loss(n, st, s0, start,
		    first, e, gc->horizon, NULL);
		w[p] = keep - EPS;
		lm = full ? ref_window_loss(n, st, zero, 0, first, e,
		    gc->horizon, NULL) : ref_window_loss(n, st, s0, start,
		    first, e, gc->horizon, NULL);
		w[p] = keep;
		num = (lp - lm) / (2 * EPS);
		a = grad[p];
		d = fabs(a - num);
		rel = d / fmax(1e-8, fabs(a) + fabs(num));
		if (d > wo->abs)
			wo->abs = d;
		if ((fabs(a) + fabs(num) >= SIGNIF || full) && rel >= wo->rel) {
			wo->rel = rel;
			param_name(s, p, wo->where, sizeof wo->where);
		}
		wo->checked++;
		if (!full && !(d <= RTOL * (fabs(a) + fabs(num)) + ATOL)) {
			char name[80];

			if (nbad++ < 5) {
				param_name(s, p, name, sizeof name);
				printf("FAIL %s: %s: analytic %.12g numeric "
				    "%.12g (rel %.3g)\n", label, name, a, num,
				    rel);
			}
		}
	}
	return nbad == 0;
}

/* Index of the first entry of layer L's cache in a slot (online.h's layout). */
static size_t
slot_cache(const struct gcase *gc, int l)
{
	size_t xs = gc->nin == 0 ? 1 : (size_t)gc->nin;
	size_t nout = gc->nin == 0 ? NBYTE : 1;

	return xs + nout + 2 + (size_t)l * cell_cache_size(gc->cell,
	    gc->hidden);
}

/*
 * A network that never saw the items before START, given the state that
 * entered step START (as O cached it), must compute the same gradient.
 */
static int
check_fresh(const struct gcase *gc, const struct online_config *cf,
    const struct online *o, const struct stream *st, int start, int i,
    const char *label)
{
	struct online *o2 = online_new(cf);
	const real *slot = online_slot(o, (uint64_t)start);
	int H = gc->hidden, L = gc->layers, l, j, r, ok = 1;
	double loss, dmax = 0;
	size_t p;

	if (o2 == NULL) {
		printf("FAIL %s: online_new: out of memory\n", label);
		return 0;
	}
	for (l = 0; l < L; l++) {
		const real *c = slot + slot_cache(gc, l);

		memcpy(o2->h + (size_t)l * H, c, H * sizeof *c);
		if (gc->cell == CELL_LSTM)
			memcpy(o2->c + (size_t)l * H, c + H, H * sizeof *c);
	}
	/* no online_learn until the end: one update, over T steps */
	for (j = start; j <= i; j++) {
		if (o2->t >= (uint64_t)gc->horizon)
			online_score(o2, (real)st->v[j], st->present[j], &loss);
		if (j < i)
			online_advance(o2, st->x[j], st->b[j]);
	}
	r = online_learn(o2);
	if (r != ONLINE_UPDATED) {
		printf("FAIL %s: fresh network: online_learn returned %d\n",
		    label, r);
		ok = 0;
	}
	/* the same operations on the same numbers: the same bits */
	for (p = 0; ok && p < o->np; p++)
		if (fabs(o->grad[p] - o2->grad[p]) > dmax)
			dmax = fabs(o->grad[p] - o2->grad[p]);
	if (ok && memcmp(o->grad, o2->grad, o->np * sizeof *o->grad) != 0) {
		printf("FAIL %s: a network without the older items gets "
		    "another gradient (max diff %.3g)\n", label, dmax);
		ok = 0;
	}
	online_free(o2);
	return ok;
}

/*
 * The update at item I (pairs FIRST..E, window from START): every check.
 * LINKED says that the loss depends on the entering state at all.
 */
static int
check_update(const struct gcase *gc, const struct online_config *cf,
    struct online *o, const struct refnet *n, double *w,
    const struct stream *st, int i, int linked, const char *label,
    struct worst *wo)
{
	const struct shape *s = &cf->shape;
	int e = i - gc->horizon, first = e + 1 - gc->K, start = e + 1 - gc->T;
	int H = gc->hidden, L = gc->layers, l, j, r, ok = 1;
	const real *slot = online_slot(o, (uint64_t)start);
	size_t *idx, m, q, np = o->np;
	struct tensor_info t;
	struct worst full;
	struct rng rr;
	real *older;

	/* the cache of the window's first step opens with the entering state */
	for (l = 0; l < L; l++) {
		const real *c = slot + slot_cache(gc, l);
		const double *hs = st->state[start] + l * H;
		const double *cs = st->state[start] + (L + l) * H;

		for (j = 0; j < H; j++)
			if (fabs(c[j] - hs[j]) > FWDTOL || (gc->cell ==
			    CELL_LSTM && fabs(c[H + j] - cs[j]) > FWDTOL))
				break;
		if (j < H) {
			printf("FAIL %s: cached entering state of layer %d "
			    "differs from the reference\n", label, l);
			return 0;
		}
	}

	/*
	 * The one slot older than the window: learning must not read it.  In
	 * character mode its byte and target stay valid indices, so that a
	 * core that does read it computes NaN instead of crashing.
	 */
	older = online_slot(o, (uint64_t)start - 1);
	for (q = 0; q < o->slot; q++)
		older[q] = NAN;
	if (gc->nin == 0)
		older[0] = older[1 + NBYTE] = 0;
	r = online_learn(o);
	if (r != ONLINE_UPDATED) {
		printf("FAIL %s: online_learn returned %d, not ONLINE_UPDATED "
		    "(older slot poisoned)\n", label, r);
		return 0;
	}

	idx = malloc(np * sizeof *idx);
	rng_seed(&rr, gc->seed + 7);
	if (idx == NULL ||
	    (m = pick_params(gc, s, st, start, first, e, &rr, idx, np)) == 0) {
		printf("FAIL %s: out of memory\n", label);
		free(idx);
		return 0;
	}
	if (!fd_compare(gc, s, n, w, o->grad, st, st->state[start], start,
	    first, e, idx, m, 0, label, wo))
		ok = 0;

	/*
	 * The gradient through the whole stream is another one.  Only the
	 * narrow tensors: the 256-wide ones of character mode add time and
	 * nothing else.
	 */
	model_tensor(s, 0, &t);		/* weight_ih_l0 */
	for (q = 0, j = 0; linked && q < m; q++)
		if (gc->nin != 0 || (idx[q] >= t.offset + (size_t)t.rows *
		    t.cols && idx[q] < (size_t)(n->head_w - w)))
			idx[j++] = idx[q];
	memset(&full, 0, sizeof full);
	if (linked)
		fd_compare(gc, s, n, w, o->grad, st, NULL, 0, first, e, idx,
		    (size_t)j, 1, label, &full);
	if (linked && full.rel < TRUNC) {
		printf("FAIL %s: the gradient is also the untruncated one "
		    "(rel %.3g): the check could not tell\n", label, full.rel);
		ok = 0;
	}
	free(idx);

	if (!check_fresh(gc, cf, o, st, start, i, label))
		ok = 0;
	if (ok && linked)
		printf("ok %s: %ld params, worst rel %.2e abs %.2e at %s; "
		    "untruncated differs by %.2g\n", label, wo->checked,
		    wo->rel, wo->abs, wo->where, full.rel);
	else if (ok)
		printf("ok %s: %ld params, worst rel %.2e abs %.2e at %s; "
		    "a dead step cuts the window off its entering state\n",
		    label, wo->checked, wo->rel, wo->abs, wo->where);
	return ok;
}

/* ---- one gradient-check case ---- */

static double
maxabs(const double *v, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (fabs(v[i]) > m)
			m = fabs(v[i]);
	return m;
}

static int
run_case(const struct gcase *gc)
{
	struct online_config cf;
	struct online *o;
	struct refnet n;
	struct stream *st;
	struct rng r;
	struct worst wo;
	char label[64];
	double cur[SLEN], *w, loss;
	int H = gc->hidden, L = gc->layers, nout, warm, i, j, ok = 0, done = 0;
	int tries = 0;
	int sl = 2 * L * H;

	case_label(gc, label, sizeof label);
	memset(&cf, 0, sizeof cf);
	cf.shape.cell = gc->cell;
	cf.shape.nin = gc->nin == 0 ? NBYTE : gc->nin;
	cf.shape.hidden = H;
	cf.shape.layers = L;
	cf.shape.nout = nout = gc->nin == 0 ? NBYTE : 1;
	cf.chars = gc->nin == 0;
	cf.bptt = gc->K;
	cf.window = gc->T;
	cf.horizon = gc->horizon;
	cf.optimizer = OPTIM_SGD;
	cf.lr = 0;
	cf.clip = 0;
	cf.forget_bias = gc->cell == CELL_LSTM ? 1 : 0;
	cf.seed = gc->seed;

	o = online_new(&cf);
	st = calloc(1, sizeof *st);
	w = o != NULL ? malloc(o->np * sizeof *w) : NULL;
	if (o == NULL || st == NULL || w == NULL) {
		printf("FAIL %s: out of memory\n", label);
		goto out;
	}
	memcpy(w, o->w->param, o->np * sizeof *w);
	if (ref_bind(&n, gc, w) != o->np) {
		printf("FAIL %s: model_nparams is %zu, expected %zu\n", label,
		    o->np, ref_bind(&n, gc, w));
		goto out;
	}
	if (!check_layout(&cf.shape, &n, w, label))
		goto out;

	rng_seed(&r, gc->seed ^ 0x5eedf00dULL);
	memset(cur, 0, sizeof cur);
	/* a few windows first, so that the entering state is mid-stream */
	warm = 3 * gc->T + gc->horizon + gc->K;
	for (i = 0; i < MAXITEMS - gc->horizon && !done; i++) {
		const real *y;
		uint64_t pending;
		int ret;

		stream_item(st, gc, &r, i);
		if (o->t >= (uint64_t)gc->horizon) {
			int s = i - gc->horizon;
			double want = st->present[i] ?
			    ref_loss(&n, st->y[s], st->v[i]) : 0;

			if (!online_score(o, (real)st->v[i], st->present[i],
			    &loss) || fabs(loss - want) > FWDTOL * (1 + want)) {
				printf("FAIL %s: item %d: online_score loss "
				    "%.15g, reference %.15g\n", label, i, loss,
				    want);
				goto out;
			}
		}
		if (o->pairs >= (uint64_t)gc->K && i >= warm) {
			int e = i - gc->horizon, start = e + 1 - gc->T;
			struct kink k = { INFINITY, 0, 0, 0 };

			ref_window_loss(&n, st, st->state[start], start,
			    e + 1 - gc->K, e, gc->horizon, &k);
			/*
			 * A clean window: a nonzero entering state and, for
			 * relu, units both on and off, none near the kink,
			 * and no layer-step with all units off (which would
			 * cut the window from its entering state, leaving
			 * the truncation check nothing to see).
			 */
			if (maxabs(st->state[start], sl) > 1e-3 &&
			    (gc->cell != CELL_RNN_RELU || (k.margin > KINK &&
			    k.on > 0 && k.off > 0 && (k.dead == 0 ||
			    tries >= MAXTRIES)))) {
				ok = check_update(gc, &cf, o, &n, w, st, i,
				    k.dead == 0, label, &wo);
				if (ok && gc->cell == CELL_RNN_RELU)
					printf("   relu: %ld on, %ld off, "
					    "nearest the kink %.2g; %d windows "
					    "passed over\n", k.on, k.off,
					    k.margin, tries);
				done = 1;
				break;
			}
			tries++;
		}
		pending = o->pairs;
		ret = online_learn(o);
		if (ret != (pending >= (uint64_t)gc->K ? ONLINE_UPDATED :
		    ONLINE_IDLE)) {
			printf("FAIL %s: item %d: online_learn returned %d "
			    "with %llu pairs pending, K %d\n", label, i, ret,
			    (unsigned long long)pending, gc->K);
			goto out;
		}

		memcpy(st->state[i], cur, sizeof cur);
		ref_step(&n, cur, st->x[i], st->b[i], st->y[i], NULL);
		y = online_advance(o, st->x[i], st->b[i]);
		if (cf.chars) {
			/* the core returns log-probabilities */
			double m = st->y[i][0], sum = 0;

			for (j = 1; j < nout; j++)
				if (st->y[i][j] > m)
					m = st->y[i][j];
			for (j = 0; j < nout; j++)
				sum += exp(st->y[i][j] - m);
			for (j = 0; j < nout; j++)
				if (fabs(y[j] - (st->y[i][j] - m - log(sum))) >
				    FWDTOL)
					break;
		} else {
			j = fabs(y[0] - st->y[i][0]) > FWDTOL ? 0 : nout;
		}
		if (j < nout) {
			printf("FAIL %s: item %d: output %d is %.15g, the "
			    "reference's %.15g\n", label, i, j, y[j],
			    st->y[i][j]);
			goto out;
		}
		for (j = 0; j < sl; j++)
			if (fabs(o->h[j] - cur[j]) > FWDTOL)
				break;
		if (j < sl) {
			printf("FAIL %s: item %d: carried state %d is %.15g, "
			    "the reference's %.15g\n", label, i, j, o->h[j],
			    cur[j]);
			goto out;
		}
	}
	if (!done)
		printf("FAIL %s: no update with a clean window in %d items\n",
		    label, MAXITEMS);
	if (ok) {
		struct worst *cw = &cellworst[gc->cell];

		if (wo.rel >= cw->rel) {
			cw->rel = wo.rel;
			snprintf(cw->where, sizeof cw->where, "%.47s", label);
		}
		if (wo.abs > cw->abs)
			cw->abs = wo.abs;
		cw->checked += wo.checked;
	}
out:
	free(w);
	free(st);
	online_free(o);
	return ok;
}

/* ---- non-finite data ---- */

/* online_learn(); *CHANGED says whether parameters or optimizer moved. */
static int
learn_watched(struct online *o, real *snap, int *changed)
{
	size_t nm = optim_state_size(o->np);
	long long step = o->w->opt.step;
	int ret;

	memcpy(snap, o->w->param, o->np * sizeof *snap);
	memcpy(snap + o->np, o->w->moment, nm * sizeof *snap);
	ret = online_learn(o);
	*changed = memcmp(snap, o->w->param, o->np * sizeof *snap) != 0 ||
	    memcmp(snap + o->np, o->w->moment, nm * sizeof *snap) != 0 ||
	    step != o->w->opt.step;
	return ret;
}

/*
 * The update at item I of run_nan(): the first from POS on must be refused,
 * those before POS or from CLEAR on (or all others, if !WHAT) taken, and
 * only a taken update may move anything.
 */
static int
nan_learn(struct online *o, real *snap, int i, int pos, int clear, int what,
    int *refused, const char *label)
{
	int changed, ret = learn_watched(o, snap, &changed);

	if ((ret == ONLINE_UPDATED) != changed) {
		printf("FAIL %s: item %d: online_learn returned %d and %s "
		    "the parameters\n", label, i, ret,
		    changed ? "changed" : "kept");
		return 0;
	}
	if (i >= pos && !*refused) {
		*refused = 1;
		if (ret != ONLINE_DIVERGED || o->skipped != 1) {
			printf("FAIL %s: item %d: online_learn returned %d, "
			    "not ONLINE_DIVERGED\n", label, i, ret);
			return 0;
		}
	} else if ((i < pos || i >= clear || !what) && ret != ONLINE_UPDATED) {
		printf("FAIL %s: item %d: online_learn returned %d, not "
		    "ONLINE_UPDATED\n", label, i, ret);
		return 0;
	}
	return 1;
}

/*
 * A NaN target (WHAT 0) or input (WHAT 1) at item J, with lr > 0: the first
 * update whose pairs hold it is refused; every refused update leaves the
 * parameters and the optimizer bit-identical, every other one moves them;
 * once the bad step has left the window, updates resume.
 */
static int
run_nan(enum cell_kind cell, int what)
{
	enum { J = 30, NIN = 2 };
	struct online_config cf;
	struct online *o;
	struct rng r;
	char label[64];
	real *snap = NULL;
	double loss;
	int i, q, ok = 0, refused = 0, pos, clear;

	snprintf(label, sizeof label, "%s NaN %s", cell_name(cell),
	    what ? "input" : "target");
	memset(&cf, 0, sizeof cf);
	cf.shape.cell = cell;
	cf.shape.nin = NIN;
	cf.shape.hidden = 4;
	cf.shape.layers = 2;
	cf.shape.nout = 1;
	cf.bptt = 3;
	cf.window = 5;
	cf.horizon = 2;
	cf.optimizer = OPTIM_ADAM;
	cf.lr = 0.01;
	cf.clip = 1;
	cf.seed = 1234 + cell;
	o = online_new(&cf);
	snap = o != NULL ? malloc((o->np + optim_state_size(o->np)) *
	    sizeof *snap) : NULL;
	if (snap == NULL) {
		printf("FAIL %s: out of memory\n", label);
		goto out;
	}
	rng_seed(&r, 99 + cell);
	/*
	 * POS: the first item whose update can hold the bad step among its
	 * pairs; CLEAR: the first whose window no longer holds it.
	 */
	pos = what ? J + cf.horizon : J;
	clear = J + cf.horizon + cf.window;
	for (i = 0; i < 60; i++) {
		real x[NIN], v;

		for (q = 0; q < NIN; q++)
			x[q] = (real)(3 * rng_uniform(&r) - 1.5);
		v = (real)(2 * rng_uniform(&r) - 1);
		if (i == J && what)
			x[0] = NAN;
		else if (i == J)
			v = NAN;
		if (o->t >= (uint64_t)cf.horizon)
			online_score(o, v, 1, &loss);
		if (o->pairs >= (uint64_t)cf.bptt &&
		    !nan_learn(o, snap, i, pos, clear, what, &refused, label))
			goto out;
		online_advance(o, x, 0);
		if (what && i == J && o->resets != 1) {
			printf("FAIL %s: a NaN input did not reset the state "
			    "(resets %llu)\n", label,
			    (unsigned long long)o->resets);
			goto out;
		}
		for (q = 0; q < 2 * cf.shape.layers * cf.shape.hidden; q++)
			if (!isfinite(o->h[q])) {
				printf("FAIL %s: item %d: the carried state is "
				    "not finite\n", label, i);
				goto out;
			}
	}
	if (!refused) {
		printf("FAIL %s: no update was refused\n", label);
		goto out;
	}
	printf("ok %s: refused, parameters and optimizer bit-identical "
	    "(skipped %llu), then resumed\n", label,
	    (unsigned long long)o->skipped);
	ok = 1;
out:
	free(snap);
	online_free(o);
	return ok;
}

int
main(void)
{
	static const int hid[4] = { 3, 4, 4, 3 };
	static const int nins[3] = { 1, 3, 0 };
	struct gcase gc;
	int cell, k, ncase = 0, npass = 0, nfail;

	/* every cell, layers 1 and 2, T 3 and 5, horizon 1 and 2, 3 inputs */
	for (k = 0; k < 4 * 2 * 2 * 2 * 3; k++) {
		memset(&gc, 0, sizeof gc);
		gc.cell = (enum cell_kind)(k / 24);
		gc.layers = 1 + k / 12 % 2;
		gc.T = k / 6 % 2 ? 5 : 3;
		gc.K = 3;
		gc.horizon = 1 + k / 3 % 2;
		gc.nin = nins[k % 3];
		gc.hidden = hid[gc.cell] + (gc.layers + k % 3) % 2;
		gc.seed = 1000 + k;
		ncase++;
		npass += run_case(&gc);
	}
	/* a missing target: the mean is over the present ones */
	for (cell = 0; cell < 4; cell++) {
		memset(&gc, 0, sizeof gc);
		gc.cell = (enum cell_kind)cell;
		gc.layers = 2;
		gc.hidden = 4;
		gc.nin = 2;
		gc.K = 3;
		gc.T = 5;
		gc.horizon = 1;
		gc.missing = 1;
		gc.seed = 5000 + cell;
		ncase++;
		npass += run_case(&gc);
	}
	for (cell = 0; cell < 4; cell++) {
		ncase += 2;
		npass += run_nan((enum cell_kind)cell, 0);
		npass += run_nan((enum cell_kind)cell, 1);
	}

	for (cell = 0; cell < 4; cell++)
		printf("worst %s: rel %.2e (%s), abs %.2e, over %ld params\n",
		    cell_name(cell), cellworst[cell].rel, cellworst[cell].where,
		    cellworst[cell].abs, cellworst[cell].checked);
	nfail = ncase - npass;
	if (nfail > 0) {
		printf("gradcheck: %d of %d cases failed\n", nfail, ncase);
		return 1;
	}
	printf("gradcheck: %d cases passed\n", ncase);
	return 0;
}
