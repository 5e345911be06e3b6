/*
 * core_test.c - the numeric core as a library: linked with librnncore.a and
 * libm only (no zlib, no libcsv, nothing of the modes), an online network
 * learns a sine by the protocol of rnnfilter(1), and its state goes through
 * the serializer to memory and back, through a sink in pieces and from a
 * source in pieces, and goes on as it would have; a key's lean window
 * learns as the cached ring does; the base forecasters' symmetric RLS
 * matrices, kept as triangles, go to the model file whole and back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"
#include "linalg.h"
#include "online.h"
#include "ser.h"

#define PERIOD 20	/* items per cycle of the sine */
#define ITEMS 4000	/* 200 cycles */
#define TAIL 500	/* the items whose error is compared */

static int failures;

static void
check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static double
sine(long t)
{
	return sin(2 * M_PI * (double)t / PERIOD);
}

/*
 * One item of the protocol: score X against the prediction made one item
 * ago, learn, advance with X.  Returns the prediction for the next item;
 * *SQ gets the squared error of the one scored (0 if none was due).
 */
static double
step(struct online *o, double x, double *sq)
{
	real in[1];
	const real *y;
	double loss = 0;

	*sq = 0;
	if (online_score(o, (real)x, 1, &loss))
		*sq = loss;
	online_learn(o);
	in[0] = (real)x;
	y = online_advance(o, in, 0);
	return (double)y[0];
}

/* A network of CF loaded from S (which describes one of CF): NULL if not. */
static struct online *
load(struct ser *s, const struct online_config *cf)
{
	struct online_config lc;
	struct online *o;

	memset(&lc, 0, sizeof lc);
	online_config_ser(s, &lc, 1, 1);
	if (ser_failed(s) || memcmp(&lc.shape, &cf->shape, sizeof lc.shape) ||
	    !online_ser_room(s, &lc, 1, 0, ONLINE_FORMAT_LEAN) || (o = online_new(&lc)) == NULL)
		return NULL;
	online_ser(s, o, 1, ONLINE_FORMAT_LEAN);
	if (ser_failed(s) || ser_remaining(s) != 0) {
		online_free(o);
		return NULL;
	}
	return o;
}

/* ser_new_sink()'s pieces, gathered in memory. */
struct gather {
	unsigned char *buf;
	size_t len, pieces;
};

static int
gather_put(void *ctx, const void *p, size_t n)
{
	struct gather *g = ctx;
	unsigned char *b = realloc(g->buf, g->len + n);

	if (b == NULL)
		return -1;
	memcpy(b + g->len, p, n);
	g->buf = b;
	g->len += n;
	g->pieces++;
	return 0;
}

/*
 * ser_new_load_source()'s GET over a buffer: the next N bytes, or 1 when
 * fewer than N are left (a source that ends before its declared length).
 */
struct spring {
	const unsigned char *buf;
	size_t len, pos;
};

static int
spring_get(void *ctx, void *p, size_t n)
{
	struct spring *r = ctx;

	if (r->len - r->pos < n)
		return 1;
	memcpy(p, r->buf + r->pos, n);
	r->pos += n;
	return 0;
}

/*
 * One item of the protocol for a network of two inputs: X and a second
 * input; a target missing every 13th item.  Returns the prediction.
 */
static double
step2(struct online *o, long t)
{
	real in[2];
	double loss, x = sine(t) + 0.3 * sine(3 * t + 1);

	online_score(o, (real)x, t % 13 != 0, &loss);
	online_learn(o);
	in[0] = (real)x;
	in[1] = (real)sine(t + 5);
	return (double)online_advance(o, in, 0)[0];
}

/* O saved in format VERSION and loaded into a key's network like LIKE. */
static struct online *
reload_key(struct online *o, const struct online *like, uint32_t version)
{
	struct ser *s = ser_new_save(), *l = NULL;
	struct online *k = NULL;

	if (s == NULL)
		return NULL;
	online_ser(s, o, 1, version);
	if (!ser_failed(s) && (l = ser_new_load(s)) != NULL &&
	    online_ser_room(l, &like->cf, 1, 1, version) &&
	    (k = online_new_blank(&like->cf, like)) != NULL) {
		online_ser(l, k, 1, version);
		if (ser_failed(l) || ser_remaining(l) != 0) {
			online_free(k);
			k = NULL;
		}
	}
	ser_free(l);
	ser_free(s);
	return k;
}

/*
 * A key's lean window (online.h) against the cached ring of the same
 * network: the same predictions and weights, bit for bit, through saves
 * in the middle of a window, its own format's and an older file's ring.
 */
static void
lean_case(enum cell_kind cell, int layers, const char *label)
{
	struct online_config cf;
	struct online *ring, *tmpl, *lean, *back = NULL, *old = NULL;
	char what[160];
	long t, diff = 0;
	double p;

	memset(&cf, 0, sizeof cf);
	cf.shape.cell = cell;
	cf.shape.nin = 2;
	cf.shape.hidden = 5;
	cf.shape.layers = layers;
	cf.shape.nout = 1;
	cf.bptt = cf.window = 6;
	cf.horizon = 1;
	cf.optimizer = OPTIM_ADAM;
	cf.lr = 0.01;
	cf.clip = 1;
	cf.seed = 3;
	ring = online_new(&cf);
	tmpl = online_new(&cf);
	lean = tmpl != NULL ? online_new_sharing(&cf, tmpl) : NULL;
	if (ring == NULL || lean == NULL) {
		check(0, "lean window: out of memory");
		return;
	}
	snprintf(what, sizeof what, "%s: a key's window is lean, a run's is not",
	    label);
	check(lean->lean && !ring->lean && lean->slot < ring->slot, what);
	for (t = 0; t < 203; t++)	/* 203: three steps into a window */
		diff += step2(ring, t) != step2(lean, t);
	back = reload_key(lean, tmpl, ONLINE_FORMAT_LEAN);
	old = reload_key(ring, tmpl, ONLINE_FORMAT_LEAN - 1);
	snprintf(what, sizeof what, "%s: reloaded from both formats", label);
	check(back != NULL && old != NULL && back->lean && old->lean, what);
	for (; back != NULL && old != NULL && t < 300; t++) {
		p = step2(ring, t);
		diff += p != step2(lean, t) || p != step2(back, t) ||
		    p != step2(old, t);
	}
	snprintf(what, sizeof what, "%s: lean windows predict as the ring, "
	    "bit for bit", label);
	check(diff == 0, what);
	snprintf(what, sizeof what, "%s: and learn the same weights", label);
	check(back != NULL && old != NULL && ring->updates > 40 &&
	    memcmp(ring->w->param, lean->w->param, ring->np * sizeof(real)) == 0 &&
	    memcmp(ring->w->param, back->w->param, ring->np * sizeof(real)) == 0 &&
	    memcmp(ring->w->param, old->w->param, ring->np * sizeof(real)) == 0,
	    what);
	online_free(old);
	online_free(back);
	online_free(lean);
	online_free(tmpl);
	online_free(ring);
}

/*
 * The optimizers restricted to a block's columns (character mode's one-hot
 * weights) against the dense ones, where the gradient and the moments are
 * zero outside those columns: the same norm and the same parameters and
 * moments, bit for bit, over a few steps of each kind, with a block and a
 * vector length that are not multiples of the norm's 16 lanes.
 */
static void
optim_cols_test(void)
{
	enum { N = 5 + 7 * 40 + 11, OFF = 5, ROWS = 7, COLS = 40 };
	static const int run[] = { 3, 9, 16, 33 };
	struct optim_cols c = { OFF, ROWS, COLS, run, 2 };
	real p1[N], p2[N], g1[N], g2[N], m1[2 * N], m2[2 * N];
	struct optim a, b;
	int k, step, same = 1;
	size_t i, col;
	unsigned u = 12345;

	for (k = OPTIM_SGD; k <= OPTIM_RMSPROP; k++) {
		memset(m1, 0, sizeof m1);
		memset(m2, 0, sizeof m2);
		optim_init(&a, (enum optim_kind)k, 0.01, N, m1);
		optim_init(&b, (enum optim_kind)k, 0.01, N, m2);
		for (i = 0; i < N; i++) {
			u = u * 1103515245 + 12345;
			p1[i] = p2[i] = (real)((int)(u >> 16) % 2000 - 1000) / 1000;
		}
		for (step = 0; step < 5; step++) {
			double n1, n2;

			for (i = 0; i < N; i++) {
				col = (i - OFF) % COLS;
				u = u * 1103515245 + 12345;
				g1[i] = (real)((int)(u >> 16) % 2000 - 1000) / 100;
				if (i >= OFF && i < OFF + ROWS * COLS &&
				    !(col >= 3 && col < 9) &&
				    !(col >= 16 && col < 33))
					g1[i] = 0;
				g2[i] = g1[i];
			}
			n1 = optim_grad_norm(g1, N);
			n2 = optim_grad_norm_cols(g2, N, &c);
			same &= n1 == n2;
			optim_step(&a, p1, g1, optim_clip_scale(n1, 5));
			optim_step_cols(&b, p2, g2, optim_clip_scale(n2, 5), &c);
			same &= memcmp(p1, p2, sizeof p1) == 0 &&
			    memcmp(m1, m2, sizeof m1) == 0 &&
			    memcmp(g1, g2, sizeof g1) == 0;
		}
	}
	check(same, "the optimizers on a block's columns are the dense ones");
}

/*
 * Adam's moments decayed into the subnormals (a byte unseen for a while):
 * the update leaves the parameters as they were, and on x86-64 flushes
 * those moments to 0 (rnnfilter(1), --optimizer); the caller's floating
 * point mode is as before, subnormals and all.
 */
static void
optim_subnormal_test(void)
{
	enum { N = 37 };
	real p[N], q[N], g[N], m[2 * N];
	volatile real tiny = 1e-38f;
	struct optim o;
	int i, flushed = 1;

	memset(g, 0, sizeof g);
	optim_init(&o, OPTIM_ADAM, 0.01, N, m);
	o.step = 1000;
	for (i = 0; i < N; i++) {
		p[i] = q[i] = (real)(i - 18) / 7 + (real)0.01;
		m[i] = m[N + i] = (real)(3 * (i % 4 + 1)) * 1.4e-45f;
	}
	optim_step(&o, p, g, 1);
	for (i = 0; i < 2 * N; i++)
		flushed &= m[i] == 0;
	check(memcmp(p, q, sizeof p) == 0,
	    "subnormal Adam moments leave the parameters as they were");
#if defined(__x86_64__) && !defined(RNNF_DOUBLE)
	check(flushed, "subnormal Adam moments are flushed to 0 on x86-64");
#else
	(void)flushed;
#endif
	check(tiny / 4 != 0, "the update restores the caller's subnormals");
}

/* Bits, or both NaN (a NaN's sign and payload are not promised). */
static int
same_real(real a, real b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/*
 * The LSTM's gate step on 19 units, whose first 16 a vector kernel may take
 * (the AVX-512 clone's), against the same units one at a time (the scalar
 * loop), over ordinary and extreme pre-activations: the same bits.
 */
static void
gates_lanes_test(void)
{
	static const real vals[] = { 0, -0.0f, 1e-30f, -1e-30f, 0.25f, -0.3f,
	    0.4999f, 0.5f, -0.5f, 0.75f, 1, -1, 2.5f, -3, 8, -9.5f, 20, -40,
	    43.9f, -43.6f, 87, -87, 88, -88.5f, 100, -1000, 1e30f, -1e30f,
	    INFINITY, -INFINITY, NAN, 3.1f, -0.01f, 0.0625f, 6, -6 };
	const size_t nv = sizeof vals / sizeof vals[0], n = 19;
	real gi[4 * 19], gh[4 * 19], cp[19], gate[4 * 19], tc[19], c[19], h[19];
	real g1[4], tc1, c1, h1, gi1[4], gh1[4];
	size_t round, j, q;
	int same = 1;

	for (round = 0; round < 3 * nv; round++) {
		for (j = 0; j < n; j++) {
			for (q = 0; q < 4; q++) {
				gi[q * n + j] = vals[(round * 7 + j * 4 + q) % nv];
				gh[q * n + j] = (round & 1) ? vals[(round + j + q) % nv] : 0;
			}
			cp[j] = vals[(round * 3 + j) % nv];
		}
		la_lstm_gates(gate, tc, c, h, gi, gh, cp, n);
		for (j = 0; j < n; j++) {
			for (q = 0; q < 4; q++) {
				gi1[q] = gi[q * n + j];
				gh1[q] = gh[q * n + j];
			}
			la_lstm_gates(g1, &tc1, &c1, &h1, gi1, gh1, cp + j, 1);
			for (q = 0; q < 4; q++)
				same &= same_real(g1[q], gate[q * n + j]);
			same &= same_real(tc1, tc[j]) && same_real(c1, c[j]) &&
			    same_real(h1, h[j]);
		}
	}
	check(same, "the gate step's vector lanes are its scalar loop's");
}

/* The 8-byte double at byte P of a payload, and back. */
static double
f64_at(const unsigned char *p)
{
	double v;

	memcpy(&v, p, sizeof v);
	return v;
}

/*
 * The byte offset of a saved (4, 4) symmetric matrix with a positive
 * diagonal and distinct nonzero entries off it (an ar3's P after some
 * fits), or -1.
 */
static long
find_sym4(const unsigned char *p, size_t n)
{
	size_t q;
	int i, j, ok;

	for (q = 0; q + 16 * 8 <= n; q++) {
		ok = 1;
		for (i = 0; i < 4 && ok; i++) {
			ok = f64_at(p + q + 8 * (5 * i)) > 0;
			for (j = 0; j < i && ok; j++)
				ok = f64_at(p + q + 8 * (4 * i + j)) != 0 &&
				    memcmp(p + q + 8 * (4 * i + j),
				    p + q + 8 * (4 * j + i), 8) == 0 &&
				    f64_at(p + q + 8 * (4 * i + j)) !=
				    f64_at(p + q + 8 * (4 * i + j) - 8);
		}
		if (ok)
			return (long)q;
	}
	return -1;
}

static double
series(long t)
{
	return 10 + sin(0.7 * (double)t) + 0.01 * (double)t;
}

/*
 * A base saved and loaded goes on as the original, bit for bit, and saves
 * the same bytes; a saved P that is not symmetric is refused.
 */
static void
base_pack_test(void)
{
	struct base *b = base_new(1, 1), *c = base_new(1, 1), *d = base_new(1, 1);
	struct ser *s = ser_new_save(), *l = NULL, *s2 = ser_new_save(), *t;
	const unsigned char *p, *p2;
	unsigned char *bad;
	size_t n, n2;
	long t0, q, diff = 0;

	if (b == NULL || c == NULL || d == NULL || s == NULL || s2 == NULL)
		exit(99);
	for (t0 = 0; t0 < 300; t0++)
		base_push(b, series(t0), 1);
	base_ser(s, b, BASE_LAYOUT);
	p = ser_buffer(s, &n);
	if ((l = ser_new_load(s)) == NULL)
		exit(99);
	base_ser(l, c, BASE_LAYOUT);
	check(!ser_failed(l), "a base loads");
	base_ser(s2, c, BASE_LAYOUT);
	p2 = ser_buffer(s2, &n2);
	check(n2 == n && memcmp(p, p2, n) == 0,
	    "a loaded base saves the same bytes");
	for (t0 = 300; t0 < 600; t0++) {
		base_push(b, series(t0), 1);
		base_push(c, series(t0), 1);
		diff += memcmp(&(double){ base_forecast(b) },
		    &(double){ base_forecast(c) }, sizeof(double)) != 0;
	}
	check(diff == 0, "a loaded base forecasts as the original, bit for bit");
	q = find_sym4(p, n);
	check(q >= 0, "an ar3's P is saved whole");
	if (q >= 0 && (bad = malloc(n)) != NULL) {
		memcpy(bad, p, n);
		/* P_10 one ulp off P_01 */
		memcpy(bad + q + 8 * 4, &(double){ nextafter(f64_at(p + q + 8 * 4),
		    INFINITY) }, 8);
		if ((t = ser_new_load_buf(bad, n)) == NULL)
			exit(99);
		base_ser(t, d, BASE_LAYOUT);
		check(ser_failed(t) && ser_error(t) != NULL &&
		    strcmp(ser_error(t), "base forecaster out of range") == 0,
		    "a P that is not symmetric is refused");
		ser_free(t);
	}
	ser_free(s);
	ser_free(s2);
	ser_free(l);
	base_free(b);
	base_free(c);
	base_free(d);
}

/*
 * la_tanh_v, la_sigmoid_v, la_exp_v and la_sum_exp on 16 lanes (the wide
 * clone) against the same kernels one element at a time (the scalar loop),
 * over the gates test's extremes: the same bits.
 */
static void
elementwise_lanes_test(void)
{
	static const real vals[] = { 0, -0.0f, 1e-30f, -1e-30f, 0.25f, -0.3f,
	    0.4999f, 0.5f, -0.5f, 0.75f, 1, -1, 2.5f, -3, 8, -9.5f, 20, -40,
	    43.9f, -43.6f, 87, -87, 88, -88.5f, 100, -1000, 1e30f, -1e30f,
	    INFINITY, -INFINITY, NAN, 3.1f, -0.01f, 0.0625f, 6, -6 };
	const size_t nv = sizeof vals / sizeof vals[0], n = 37;
	real x[37], xs[37], t[37], sg[37], e[37], one, acc[16], sum;
	size_t round, j, k;
	int same = 1;

	for (round = 0; round < nv; round++) {
		for (j = 0; j < n; j++)
			x[j] = vals[(round * 5 + j) % nv];
		la_tanh_v(t, x, n);
		la_sigmoid_v(sg, x, n);
		for (j = 0; j < n; j++)	/* a sum of finite terms for la_sum_exp */
			xs[j] = x[j] != x[j] ? 0 : x[j] < -50 ? -50 :
			    x[j] > 20 ? 20 : x[j];
		la_exp_v(e, xs, 1, n);
		for (k = 0; k < 16; k++)	/* la_sum_exp's lanes and tail */
			acc[k] = 0;
		for (j = 0; j + 16 <= n; j += 16)
			for (k = 0; k < 16; k++)
				acc[k] += e[j + k];
		for (sum = 0; j < n; j++)
			sum += e[j];
		for (k = 0; k < 16; k++)
			sum += acc[k];
		same &= sum == la_sum_exp(xs, n);
		la_exp_v(e, x, 0.25f, n);
		for (j = 0; j < n; j++) {
			la_tanh_v(&one, x + j, 1);
			same &= same_real(one, t[j]);
			la_sigmoid_v(&one, x + j, 1);
			same &= same_real(one, sg[j]);
			la_exp_v(&one, x + j, 0.25f, 1);
			same &= same_real(one, e[j]);
		}
	}
	check(same, "tanh, sigmoid and exp: the vector lanes are the scalar loop's");
}

/*
 * la_argmax against the plain loop it stands for (the first of the
 * largest, "if (x[i] > x[best]) best = i"): ties in other lanes and in the
 * tail, -0 beside +0, NaN first and elsewhere, sizes around the lanes'.
 */
static void
argmax_test(void)
{
	static const real vals[] = { 0, -0.0f, 1, -1, 2, 2, -3, 0.5f, NAN,
	    -INFINITY, INFINITY, 1e-30f, -7, 2 };
	const size_t nv = sizeof vals / sizeof vals[0];
	real x[300];
	size_t n, round, i, best;
	int same = 1;

	for (n = 1; n <= 300; n += n < 40 ? 1 : 37)
		for (round = 0; round < 4 * nv; round++) {
			for (i = 0; i < n; i++)
				x[i] = vals[(round * 5 + i * (round % 7 + 1)) % nv];
			if (round % 3 == 0)	/* no NaN, no infinity */
				for (i = 0; i < n; i++)
					if (x[i] != x[i] || x[i] == INFINITY)
						x[i] = -0.0f;
			for (best = 0, i = 1; i < n; i++)
				if (x[i] > x[best])
					best = i;
			same &= la_argmax(x, n) == best;
		}
	check(same, "la_argmax finds the plain loop's index");
}

int
main(void)
{
	struct online_config cf;
	struct online *o, *back, *piece, *flow, *cut;
	struct ser *s, *l, *k, *f;
	struct spring r;
	struct gather g = { NULL, 0, 0 };
	const void *rest;
	size_t nrest, nsave;
	double head = 0, tail = 0, sq, p1, p2, p3;
	long t, diff = 0;

	memset(&cf, 0, sizeof cf);
	cf.shape.cell = CELL_LSTM;
	cf.shape.nin = 1;
	cf.shape.hidden = 16;
	cf.shape.layers = 1;
	cf.shape.nout = 1;
	cf.bptt = 8;
	cf.window = 16;
	cf.horizon = 1;
	cf.optimizer = OPTIM_ADAM;
	cf.lr = optim_default_lr(OPTIM_ADAM);
	cf.clip = 5;
	cf.seed = 1;
	if ((o = online_new(&cf)) == NULL)
		return 99;
	optim_cols_test();
	optim_subnormal_test();
	gates_lanes_test();
	base_pack_test();
	argmax_test();
	elementwise_lanes_test();

	/* learning: the last cycles' error far below the first ones' */
	for (t = 0; t < ITEMS; t++) {
		step(o, sine(t), &sq);
		if (t < TAIL)
			head += sq;
		else if (t >= ITEMS - TAIL)
			tail += sq;
	}
	printf("mean squared error: first %d items %.4f, last %d %.4f\n",
	    TAIL, head / TAIL, TAIL, tail / TAIL);
	/* the sine's variance is 1/2: predicting 0 scores that */
	check(tail / TAIL < 0.05, "the last items' error is a tenth of the variance");
	check(tail < head / 10, "the error falls tenfold as it learns");

	/* the state to memory and back: the copy goes on as the original */
	if ((s = ser_new_save()) == NULL)
		return 99;
	online_config_ser(s, &o->cf, 1, 1);
	online_ser(s, o, 1, ONLINE_FORMAT_LEAN);
	check(!ser_failed(s), "saving to memory");
	ser_buffer(s, &nsave);
	if ((l = ser_new_load(s)) == NULL)
		return 99;
	back = load(l, &cf);
	check(back != NULL, "loading from memory");

	/* the same through a sink of 64-byte pieces */
	if ((k = ser_new_sink(gather_put, &g, 64)) == NULL)
		return 99;
	online_config_ser(k, &o->cf, 1, 1);
	online_ser(k, o, 1, ONLINE_FORMAT_LEAN);
	check(ser_drain(k) == 0, "saving through a sink");
	rest = ser_buffer(k, &nrest);
	check(nrest < 64 && g.pieces > 1, "the sink takes whole pieces");
	gather_put(&g, rest, nrest);
	check(g.len == nsave, "the sink has the bytes of the memory save");
	ser_free(k);
	piece = NULL;
	if ((k = ser_new_load_buf(g.buf, g.len)) != NULL)
		piece = load(k, &cf);
	check(piece != NULL, "loading what the sink took");

	/* the same from a source, through a buffer of 7 bytes (fields span it) */
	r.buf = g.buf;
	r.len = g.len;
	r.pos = 0;
	flow = NULL;
	if ((f = ser_new_load_source(spring_get, &r, g.len, 7)) != NULL)
		flow = load(f, &cf);
	check(flow != NULL && r.pos == g.len, "loading from a source in pieces");
	ser_free(f);
	/* a source that ends before the length it declared fails the load */
	r.len = g.len / 2;
	r.pos = 0;
	cut = NULL;
	if ((f = ser_new_load_source(spring_get, &r, g.len, 7)) == NULL)
		return 99;
	cut = load(f, &cf);
	check(cut == NULL && ser_failed(f) && !ser_nomem(f),
	    "a source that ends early fails the load");
	if (cut != NULL)
		online_free(cut);
	ser_free(f);

	if (back == NULL || piece == NULL || flow == NULL)
		return 1;
	for (t = ITEMS; t < ITEMS + 10 * PERIOD; t++) {
		p1 = step(o, sine(t), &sq);
		p2 = step(back, sine(t), &sq);
		p3 = step(piece, sine(t), &sq);
		diff += p1 != p2 || p1 != p3 || p1 != step(flow, sine(t), &sq);
	}
	check(diff == 0, "the loaded networks predict as the original, bit for bit");

	lean_case(CELL_LSTM, 2, "lstm, 2 layers");
	lean_case(CELL_GRU, 1, "gru");
	lean_case(CELL_RNN_TANH, 2, "rnn, 2 layers");

	ser_free(s);
	ser_free(l);
	ser_free(k);
	online_free(o);
	online_free(back);
	online_free(piece);
	online_free(flow);
	return failures != 0;
}
