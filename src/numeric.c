/* numeric.c - numeric mode's rows, columns and protocol; see numeric.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "base.h"
#include "csvin.h"
#include "input.h"
#include "keytab.h"
#include "numeric.h"
#include "output.h"
#include "report.h"
#include "rowout.h"
#include "ser.h"

struct run {
	const struct opts *op;
	struct online *net;
	struct numstate *st;
	struct rerr *e;
	const char *fname;
	int first_row;		/* the next row is its file's first */
	int hold;		/* keep the bytes after the last row: numstate.held */
	int has_header;		/* the current file has a header line */
	int header_done;	/* the --append header has been written */
	struct colfile cols;	/* the current file's header and columns */
	struct rowout ro;
	real x[NUM_MAX_NIN];
	double raw[1 + NUM_MAX_INPUTS];
	int present[1 + NUM_MAX_INPUTS];
	double z;		/* the interval's normal quantile */
	/* the AR baseline is computed: something sees it (--report, or a
	 * model file, which holds its state, for a later run to report) */
	int ar_on;
	struct progress prog;
};

int
numstate_init(struct numstate *st, const struct stream_conf *cf)
{
	memset(st, 0, sizeof *st);
	columns_init(&st->col);
	metrics_init(&st->total);
	return stream_init(&st->one, cf);
}

void
numstate_release(struct numstate *st)
{
	free(st->held);
	st->held = NULL;
	st->nheld = 0;
	stream_release(&st->one);
	keytab_free(st->keys);
	st->keys = NULL;
	metrics_free(&st->total);
}

int
numstate_keys_new(struct numstate *st)
{
	metrics_free(&st->total);
	metrics_init(&st->total);
	if (metrics_start(&st->total, st->one.met.arm.p, st->one.horizon) != 0 ||
	    (st->keys = keytab_new(stream_free)) == NULL)
		return -1;
	return 0;
}

struct metrics *
numstate_totals(struct numstate *st)
{
	return st->keys != NULL ? &st->total : &st->one.met;
}

int
numeric_nin(int predict, int ninputs)
{
	return (predict == PREDICT_BASE ? NUM_BASE_IN : 1) + ninputs;
}

/* The network's inputs before the --inputs columns. */
static int
nlead(const struct numstate *st)
{
	return numeric_nin(st->one.base != NULL ? PREDICT_BASE : PREDICT_CHANGE,
	    0);
}

void
numstate_ser(struct ser *s, struct numstate *st, int nin, uint32_t version)
{
	columns_ser(s, &st->col, nlead(st), nin);
	if (!ser_failed(s))
		stream_ser(s, &st->one, st->col.ncols, st->col.ninputs,
		    numstate_totals(st), version);
}

void
numstate_held_ser(struct ser *s, struct numstate *st)
{
	uint32_t n = st->nheld;

	ser_u32(s, &n);
	ser_enum(s, &st->held_first, 0, 1);
	if (!ser_loading(s)) {
		if (n > 0)
			ser_bytes(s, st->held, n);
		return;
	}
	if (ser_failed(s))
		return;
	if (n > NUM_HELD_MAX || n > ser_remaining(s)) {
		ser_fail(s, "the bytes kept for the next run are too many");
		return;
	}
	if (n > 0 && (st->held = malloc(n)) == NULL) {
		ser_fail_nomem(s);
		return;
	}
	if (n > 0)
		ser_bytes(s, st->held, n);
	st->nheld = n;
}

struct keyser {
	struct numstate *st;
	const struct stream_conf *cf;
	int nin;
	uint32_t version;
	void (*net_ser)(struct ser *s, struct online **net, void *ctx);
	void *net_ctx;
};

/* One key's record for keytab_ser(): network, columns, stream. */
static void
key_ser(struct ser *s, struct stream **ksp, void *ctx)
{
	struct keyser *k = ctx;
	struct numstate *sh = k->st;
	struct stream *ks = *ksp;
	struct online *net = NULL;
	struct columns *cols;		/* the key's copy, loading */
	struct stream_conf kcf;
	int i, same;

	if (!ser_loading(s)) {
		k->net_ser(s, &ks->net, k->net_ctx);
		columns_ser(s, &sh->col, nlead(sh), k->nin);
		stream_ser(s, ks, sh->col.ncols, sh->col.ninputs, &ks->met,
		    k->version);
		return;
	}
	k->net_ser(s, &net, k->net_ctx);
	if (net == NULL)
		return;
	kcf = *k->cf;
	kcf.ninputs = sh->col.ninputs;
	if ((ks = stream_new(&kcf)) == NULL) {
		online_free(net);
		ser_fail_nomem(s);
		return;
	}
	ks->net = net;
	*ksp = ks;
	if ((cols = calloc(1, sizeof *cols)) == NULL) {
		ser_fail_nomem(s);
		return;
	}
	columns_ser(s, cols, nlead(sh), k->nin);
	same = cols->ncols == sh->col.ncols && cols->target == sh->col.target &&
	    cols->ninputs == sh->col.ninputs;
	for (i = 0; same && i < sh->col.ninputs; i++)
		same = cols->input[i] == sh->col.input[i];
	free(cols);
	if (!ser_failed(s) && !same) {
		ser_fail(s, "a key's columns do not match the model's");
		return;
	}
	stream_ser(s, ks, sh->col.ncols, sh->col.ninputs, &ks->met,
	    k->version);
	if (!ser_failed(s) && ks->horizon != k->cf->horizon)
		ser_fail(s, "a key's columns do not match the model's");
}

void
numstate_keys_ser(struct ser *s, struct numstate *st,
    const struct stream_conf *cf, int nin,
    void (*net_ser)(struct ser *s, struct online **net, void *ctx),
    void *net_ctx, uint32_t version)
{
	struct keyser k;

	ser_enum(s, &st->col.keycol, -1, st->col.ncols - 1);
	ser_name(s, st->col.key_name, sizeof st->col.key_name,
	    &st->col.key_name_len);
	if (ser_loading(s) && !ser_failed(s) &&
	    (st->col.keycol < 0) != (st->col.target < 0))
		ser_fail(s, "the key column does not match the columns");
	k.st = st;
	k.cf = cf;
	k.nin = nin;
	k.version = version;
	k.net_ser = net_ser;
	k.net_ctx = net_ctx;
	keytab_ser(s, st->keys, key_ser, &k);
}

/* Parse field COL of ROW into *V; *PRESENT is 0 for an empty field. */
static int
get_value(struct run *r, const struct csvin_row *row, int col, double *v,
    int *present)
{
	char nb[NUM_NAME_MAX + 8];

	*present = 1;
	switch (columns_number(r->op, row->field[col], row->len[col], v)) {
	case CSVIN_NUM_OK:
		/* beyond, the normalizer's squares and the metrics' sums of
		 * squares would overflow and poison the model for good */
		if (fabs(*v) > NUM_MAX_MAGNITUDE)
			return rerr_set(r->e, EXIT_DATA,
			    "%s:%lu: field %s: '%s' is beyond 1e100 in magnitude",
			    r->fname, row->line, columns_field_name(&r->cols,
			    col, nb, sizeof nb), row->field[col]);
		return 0;
	case CSVIN_NUM_EMPTY:
		*present = 0;
		*v = 0;
		return 0;
	case CSVIN_NUM_NONFINITE:
		return rerr_set(r->e, EXIT_DATA,
		    "%s:%lu: field %s: '%s' is not a finite number", r->fname,
		    row->line, columns_field_name(&r->cols, col, nb, sizeof nb),
		    row->field[col]);
	default:
		return rerr_set(r->e, EXIT_DATA,
		    "%s:%lu: field %s: '%s' is not a number%s", r->fname,
		    row->line, columns_field_name(&r->cols, col, nb, sizeof nb),
		    row->field[col], columns_hint(r->op, row->field[col],
		    row->len[col], 1));
	}
}

/*
 * Step 1 of the protocol for one item: the prediction made h items ago
 * meets X, with the metrics, the baselines and the anomaly score of its
 * residual (from the residuals before it).
 */
static void
score(struct run *r, struct stream *st, const struct pending *pd, double x,
    struct item *it)
{
	struct metrics *met = &st->met;
	/* --key: the totals over the keys */
	struct metrics *sum = r->st->keys != NULL ? &r->st->total : NULL;
	double lo, hi, arp, xm = 0;
	int alert, m = 0;

	memset(it, 0, sizeof *it);
	it->scored = st->net->t >= (uint64_t)st->horizon;
	if (it->scored) {
		double tz = (x - pd->base) / pd->scale;

		it->pred = pd->pred;
		it->scale = pd->scale;
		online_score(st->net, (real)tz, r->present[0], &it->loss);
		if (anomaly_interval(&met->an, r->z, &lo, &hi)) {
			it->has_int = 1;
			it->lo = pd->pred + lo;
			it->hi = pd->pred + hi;
		}
		if (r->present[0]) {
			arp = r->ar_on && ar_due(&met->arm) ?
			    ar_pred(&met->arm) : pd->x;
			/* x_{t-m}: the base has not taken x yet */
			if (st->base == NULL ||
			    !base_season(st->base, &m, &xm))
				m = 0;
			it->has_res = 1;
			it->res = x - pd->pred;
			it->has_an = anomaly_step(&met->an, x, it->res, xm, m,
			    (uint64_t)r->op->holdoff, &it->an);
			if (it->has_an < 0) {
				rerr_set(r->e, EXIT_DATA, "out of memory");
				it->has_an = 0;
			}
			alert = it->has_an && r->op->alert >= 0 &&
			    it->an >= r->op->alert;
			metrics_pair(met, x, pd->pred, pd->x, arp, it->loss,
			    alert);
			if (sum != NULL)
				metrics_pair(sum, x, pd->pred, pd->x, arp,
				    it->loss, alert);
		}
	}
	if (r->ar_on)
		ar_push(&met->arm, x, r->present[0]);
	met->items++;
	if (sum != NULL)
		sum->items++;
}

/* The plain network (--predict change|level): the protocol for one item. */
static void
step_plain(struct run *r, struct stream *st, struct item *it)
{
	struct online *net = st->net;
	int h = st->horizon, i, k = 1 + r->st->col.ninputs;
	struct pending *pd = &st->pend[net->t % (uint64_t)h];
	double x = r->raw[0], mean, scale;
	const real *y;

	score(r, st, pd, x, it);
	/* 2. learn */
	if (!r->op->no_learn)
		online_learn(net);
	/* 3. advance: a missing target is imputed with its prediction */
	if (!r->present[0])
		x = it->scored ? pd->pred : st->norm[0].mean;
	r->x[0] = (real)norm_scale(&st->norm[0], x);
	for (i = 1; i < k; i++)
		r->x[i] = r->present[i] ?
		    (real)norm_scale(&st->norm[i], r->raw[i]) : 0;
	for (i = 0; i < k; i++)
		if (r->present[i])
			norm_update(&st->norm[i], r->raw[i]);
	y = online_advance(net, r->x, 0);
	/*
	 * 4. predict x_{t+h}, in the input's units; naive while the target
	 * has no spread: the scale |m| would turn the head's untrained
	 * output into a change of several percent of the level
	 */
	norm_get(&st->norm[0], &mean, &scale);
	pd->base = r->op->predict == PREDICT_LEVEL ? mean : x;
	pd->pred = norm_has_spread(&st->norm[0]) ?
	    pd->base + scale * (double)y[0] : x;
	pd->full = pd->pred;
	pd->scale = scale;
	pd->x = x;
}

/* A scaled feature, bounded so that one wild item cannot saturate a cell. */
static real
feature(double v)
{
	if (!(v > -8))
		return v != v ? 0 : -8;
	return (real)(v < 8 ? v : 8);
}

/*
 * The network's input for --predict base after item T: the base's scaled
 * residual RES, its forecast's scaled change from X, the phases of t + h
 * in the periods, and the --inputs columns.
 */
static void
base_input(struct run *r, struct stream *st, int ninputs, uint64_t t,
    double res, double x, double fc, double scale)
{
	const struct base *b = st->base;
	int i;

	r->x[0] = feature(res);
	r->x[1] = feature((fc - x) / scale);
	for (i = 0; i < 2; i++) {
		double ph = 0;

		if (i < b->nper)
			ph = 2 * M_PI * fmod((double)(t + (uint64_t)st->horizon),
			    b->per[i]) / b->per[i];
		r->x[2 + 2 * i] = i < b->nper ? (real)sin(ph) : 0;
		r->x[3 + 2 * i] = i < b->nper ? (real)cos(ph) : 0;
	}
	for (i = 0; i < ninputs; i++)
		r->x[NUM_BASE_IN + i] = r->present[1 + i] ?
		    feature(norm_scale(&st->norm[1 + i], r->raw[1 + i])) : 0;
	for (i = 0; i < ninputs; i++)
		if (r->present[1 + i])
			norm_update(&st->norm[1 + i], r->raw[1 + i]);
}

/* Has the network's correction beaten the base (NUM_NET_GATE_T)? */
static int
gate_open(const struct stream *st)
{
	double se;

	if (!(st->gn > 1))
		return 0;
	se = sqrt(fmax(st->gv - st->gm * st->gm, 0) / st->gn);
	return se > 0 && st->gm / se > NUM_NET_GATE_T;
}

/*
 * --predict base: the protocol for one item.  The base forecasters take the
 * item after it is scored; the network learns the base's scaled residual,
 * and its correction is delivered only while it beats the base (the gate:
 * the discounted mean of |e_base| - |e_full| above NUM_NET_GATE_T of its
 * standard error).
 */
static void
step_base(struct run *r, struct stream *st, struct item *it)
{
	struct online *net = st->net;
	struct base *b = st->base;
	int h = st->horizon;
	uint64_t t = net->t;
	struct pending *pd = &st->pend[t % (uint64_t)h];
	double x = r->raw[0], res = 0, mean, scale, s, fc, d;
	const real *y;

	score(r, st, pd, x, it);
	if (it->scored && r->present[0]) {
		res = (x - pd->base) / pd->scale;
		d = fabs(x - pd->base) - fabs(x - pd->full);
		st->gn = NUM_NET_GATE_LAMBDA * st->gn + 1;
		st->gm += (d - st->gm) / st->gn;
		st->gv += (d * d - st->gv) / st->gn;
	}
	if (base_push(b, x, r->present[0]) != 0)
		rerr_set(r->e, EXIT_DATA, "out of memory");
	/* 2. learn */
	if (!r->op->no_learn)
		online_learn(net);
	/* 3. advance */
	if (!r->present[0])
		x = it->scored ? pd->pred : base_forecast(b);
	else
		norm_update(&st->norm[0], x);
	norm_get(&st->norm[0], &mean, &scale);
	fc = base_forecast(b);
	base_input(r, st, r->st->col.ninputs, t, res, x, fc, scale);
	y = online_advance(net, r->x, 0);
	/* 4. predict x_{t+h}: the base, and the correction if it has earned it */
	s = base_rms(b);
	if (!(s > 0) || st->norm[0].off)
		s = scale;
	pd->base = fc;
	pd->scale = s;
	pd->full = fc + s * (double)y[0];
	pd->pred = gate_open(st) ? pd->full : fc;
	pd->x = x;
}

static void
step(struct run *r, struct stream *st, struct item *it)
{
	if (st->base != NULL)
		step_base(r, st, it);
	else
		step_plain(r, st, it);
}

/*
 * --period auto: the time column is the first one besides the target, the
 * inputs and the key whose first field is a time (timecol.h), else a pair
 * of numeric columns named year and month; the spacing of the first
 * TSPACE_MIN + 1 times gives the calendar periods.  Without a time column,
 * or with a spacing that has none, the base looks for periods in the data.
 */
static void
time_item(struct run *r, struct stream *st, const struct csvin_row *row)
{
	const struct numstate *cs = r->st;
	double secs, v[2], per[TIMECOL_MAX_PERIODS], sp;
	int c, i, n, np = 0, p0, p1;

	if (st->tcol == -2) {
		st->tcol = -1;
		for (c = 0; c < (int)row->nfields && st->tcol < 0; c++) {
			int used = c == cs->col.target || c == cs->col.keycol;

			for (i = 0; i < cs->col.ninputs; i++)
				used |= c == cs->col.input[i];
			if (!used && timecol_parse(row->field[c], row->len[c],
			    &secs) == 0)
				st->tcol = c;
		}
		if (st->tcol < 0 && r->cols.names != NULL &&
		    (p0 = columns_named(&r->cols, row, "year")) >= 0 &&
		    (p1 = columns_named(&r->cols, row, "month")) >= 0 &&
		    p0 != cs->col.target && p1 != cs->col.target) {
			st->ycol = p0;
			st->mcol = p1;
		}
		if (st->tcol < 0 && st->ycol < 0) {
			stream_settle(st);
			return;
		}
	}
	if (st->tcol >= 0) {
		if (timecol_parse(row->field[st->tcol], row->len[st->tcol],
		    &secs) != 0)
			return;
	} else {
		if (csvin_number(row->field[st->ycol], row->len[st->ycol],
		    &v[0]) != CSVIN_NUM_OK || csvin_number(row->field[st->mcol],
		    row->len[st->mcol], &v[1]) != CSVIN_NUM_OK ||
		    timecol_parse_ym(v[0], v[1], &secs) != 0)
			return;
	}
	tspace_add(st->tsp, secs);
	if (!((sp = tspace_spacing(st->tsp)) > 0))
		return;
	stream_settle(st);
	n = timecol_periods(sp, per, TIMECOL_MAX_PERIODS);
	/* the year of a daily series waits for a longer history: not here */
	for (i = 0; i < n; i++)
		if (per[i] <= BASE_MAX_PERIOD && per[i] != TIMECOL_YEAR_DAYS)
			per[np++] = per[i];
	if (np > 0 && base_set_periods(st->base, np, per, BASE_P_TIME) != 0)
		rerr_set(r->e, EXIT_DATA, "out of memory");
}

/*
 * --key: the stream of ROW's key, made when the key first appears with a
 * network of the run's configuration (with --global, one that shares the
 * run's weights); *KS NULL for a row of another shard.
 */
static int
key_pick(struct run *r, const struct csvin_row *row, struct stream **ks)
{
	struct numstate *st = r->st;
	const char *k = row->field[r->cols.col_key];
	size_t n = row->len[r->cols.col_key];
	uint64_t h;
	struct keyent *ke;
	struct stream_conf cf;
	struct stream *s;
	char nb[NUM_NAME_MAX + 8];

	*ks = NULL;
	if (n == 0)
		return rerr_set(r->e, EXIT_DATA, "%s:%lu: field %s: empty key",
		    r->fname, row->line, columns_field_name(&r->cols,
		    r->cols.col_key, nb, sizeof nb));
	h = key_hash(k, n);
	if (r->op->shard_n > 0 &&
	    h % (uint64_t)r->op->shard_n != (uint64_t)r->op->shard_i)
		return 0;
	if ((ke = keytab_find(st->keys, k, n, h)) == NULL) {
		stream_conf_opts(&cf, r->op);
		cf.ar_order = st->total.arm.p;
		cf.ninputs = st->col.ninputs;
		if ((s = stream_new(&cf)) == NULL ||
		    (s->net = r->op->global ?
		    online_new_tied(&r->net->cf, r->net) :
		    online_new_sharing(&r->net->cf, r->net)) == NULL ||
		    (ke = keytab_add(st->keys, k, n, h, s)) == NULL) {
			stream_free(s);
			return rerr_set(r->e, EXIT_DATA, "out of memory");
		}
	}
	*ks = ke->st;
	return 0;
}

/*
 * A data row that cannot be taken, with E set: the error, or with
 * --skip-bad 0 after counting it (the first one's message is kept).
 */
static int
bad_row(struct run *r)
{
	if (!r->op->skip_bad || r->e->status != EXIT_DATA)
		return r->e->status;
	if (r->st->skipped++ == 0)
		r->st->first_skip = *r->e;
	memset(r->e, 0, sizeof *r->e);
	return 0;
}

static int
on_row(void *ctx, const struct csvin_row *row)
{
	struct run *r = ctx;
	struct numstate *st = r->st;
	struct stream *kst = &st->one;
	const struct opts *op = r->op;
	struct item it;
	struct pending *pd;
	double fc;
	int i;

	if (r->first_row) {
		r->first_row = 0;
		r->has_header = columns_detect_header(&r->cols, row);
		if (r->has_header) {
			if (columns_keep_names(&r->cols, row) ||
			    columns_check_width(&r->cols, row))
				return r->e->status;
			rowout_names(&r->ro, r->cols.names, r->cols.name_len,
			    r->cols.nnames);
			rowout_name_added(&r->ro, row);
			/* columns chosen before: found by name in this header */
			if (st->col.target >= 0 &&
			    columns_map_by_name(&r->cols, row))
				return r->e->status;
			if (op->append && op->output != OUT_JSONL &&
			    !columns_same_header(&r->cols, row))
				return rerr_set(r->e, EXIT_DATA,
				    "%s:%lu: the columns differ from the first "
				    "file's; --append would mix them (--output "
				    "jsonl names each field)", r->fname, row->line);
			if (op->append && !r->header_done)
				rowout_header(&r->ro, row);
			r->header_done = 1;
			/* choose now when the header alone can tell, so that a
			 * model saved after a header-only chunk knows its
			 * columns */
			if (st->col.target < 0 &&
			    columns_header_decides(&r->cols, row) &&
			    columns_resolve(&r->cols, row, row))
				return r->e->status;
			if (r->cols.col_target < 0)
				columns_map_chosen(&r->cols);
			return 0;
		}
	}
	if (columns_check_width(&r->cols, row))
		return bad_row(r);
	if (st->col.target < 0) {
		struct csvin_row hdr, *hp = NULL;

		if (r->cols.names != NULL) {
			hdr = *row;
			hdr.nfields = r->cols.nnames;
			hdr.field = r->cols.names;
			hdr.len = r->cols.name_len;
			hp = &hdr;
		}
		if (columns_resolve(&r->cols, hp, row))
			return r->e->status;
		columns_map_chosen(&r->cols);
	}
	if (st->keys != NULL) {
		if (key_pick(r, row, &kst))
			return r->e->status;
		if (kst == NULL)
			return 0;	/* another shard's */
	}
	if (get_value(r, row, r->cols.col_target, &r->raw[0], &r->present[0]))
		return bad_row(r);
	for (i = 0; i < st->col.ninputs; i++)
		if (get_value(r, row, r->cols.col_input[i], &r->raw[1 + i],
		    &r->present[1 + i]))
			return bad_row(r);

	if (kst->base != NULL && !kst->tdone)
		time_item(r, kst, row);
	if (r->e->status)
		return r->e->status;
	step(r, kst, &it);
	if (r->e->status)
		return r->e->status;
	progress_item(&r->prog, it.has_res, it.loss, r->raw[0],
	    r->present[0], it.pred, it.scored);
	pd = &kst->pend[(kst->net->t - 1) % (uint64_t)kst->horizon];
	fc = pd->pred;
	if (op->append) {
		rowout_row(&r->ro, row);
		rowout_added(op, r->ro.added_as, &it, fc, 1, pd->scale);
		if (op->output == OUT_JSONL)
			out_char('}');
		rowout_end(&r->ro);
	} else {
		rowout_number(fc, op->precision, pd->scale);
		out_char('\n');
	}
	if (out_error())
		return EXIT_DATA;
	return st->hook != NULL ? st->hook(st->hook_ctx) : 0;
}

/*
 * Keep what P has not made a row of, and the LEFT bytes at the end of BUF
 * that it did not parse, in ST->held for the next run.
 */
static int
hold_rest(struct run *r, struct csvin *p, const char *buf, size_t left)
{
	struct numstate *st = r->st;
	const char *raw;
	size_t n;
	char *h;

	if ((raw = csvin_pending(p, &n)) == NULL || n + left > NUM_HELD_MAX)
		return rerr_set(r->e, EXIT_DATA,
		    "%s: a last line of more than %u bytes cannot be kept for "
		    "the next run", r->fname, CSVIN_RAW_MAX);
	free(st->held);
	st->held = NULL;
	st->nheld = 0;
	if (n + left == 0)
		return 0;
	if ((h = malloc(n + left)) == NULL)
		return rerr_set(r->e, EXIT_DATA, "out of memory");
	memcpy(h, raw, n);
	memcpy(h + n, buf, left);
	st->held = h;
	st->nheld = (uint32_t)(n + left);
	st->held_first = r->first_row;
	return 0;
}

/*
 * input_pump's chunks into the CSV parser: nonzero (a row's error, the
 * hook's stop) ends the file.
 */
struct feed {
	struct run *r;
	struct csvin *p;
	int rc;
};

static int
eat_rows(void *ctx, const unsigned char *ubuf, size_t n)
{
	struct feed *fd = ctx;
	const char *buf = (const char *)ubuf;
	size_t left;

	fd->rc = csvin_feed(fd->p, buf, n);
	left = csvin_unparsed(fd->p);
	/* stopped by a signal: the rest of the buffer is the next run's */
	if (fd->rc != 0 && fd->r->hold && fd->r->e->status == 0 && !out_error())
		hold_rest(fd->r, fd->p, buf + n - left, left);
	return fd->rc;
}

static int
run_file(struct run *r, const char *path, int last, volatile sig_atomic_t *stop)
{
	static unsigned char buf[1 << 16];
	struct input_pump pump = { out_flush, NULL, eat_rows, NULL, buf,
	    sizeof buf };
	struct feed fd = { NULL, NULL, 0 };
	struct input *in;
	struct csvin *p;
	size_t left = 0;
	int rc = 0, ended = 0;

	/* a stop signal may end an open that blocks (a FIFO without writer) */
	if ((in = input_open_stop(path, stop)) == NULL)
		return errno == EINTR ? 0 :
		    rerr_set(r->e, EXIT_DATA, "%s: %s", path, strerror(errno));
	r->fname = r->cols.fname = input_name(in);
	r->first_row = 1;
	r->has_header = 0;
	columns_free_names(&r->cols);
	rowout_names(&r->ro, NULL, NULL, 0);
	columns_map_chosen(&r->cols);
	if ((p = csvin_new(r->op->delimiter, on_row, r)) == NULL) {
		input_close(in);
		return rerr_set(r->e, EXIT_DATA, "out of memory");
	}
	if (r->hold || r->op->append)
		csvin_keep_raw(p);
	/* the stream's bytes the last run kept, before this file's */
	if (r->st->nheld > 0) {
		char *h = r->st->held;
		size_t nh = r->st->nheld;

		r->st->held = NULL;
		r->st->nheld = 0;
		r->first_row = r->st->held_first;
		rc = csvin_feed(p, h, nh);
		left = csvin_unparsed(p);
		/* stopped again at once: the rest is kept again */
		if (rc != 0 && r->hold && r->e->status == 0 && !out_error())
			hold_rest(r, p, h + nh - left, left);
		ended = rc != 0;
		free(h);
	}
	fd.r = r;
	fd.p = p;
	pump.stop = stop;
	pump.ctx = &fd;
	switch (rc == 0 ? input_pump(in, &pump) : INPUT_HALTED) {
	case INPUT_READ_ERROR:
		rc = rerr_set(r->e, EXIT_DATA, "%s: %s", r->fname,
		    input_error(in));
		break;
	case INPUT_EOF:
		if (last && r->hold)
			hold_rest(r, p, (const char *)buf, 0);
		else
			rc = csvin_finish(p);
		ended = 1;
		break;
	case INPUT_HALTED:
		rc = fd.rc != 0 ? fd.rc : rc;
		ended = 1;
		break;
	default:
		break;
	}
	/* a signal while waiting for input: the row begun is the next run's */
	if (!ended && r->hold && stop && *stop && r->e->status == 0)
		hold_rest(r, p, (const char *)buf, 0);
	if (rc == CSVIN_ENOMEM)
		rerr_set(r->e, EXIT_DATA, "out of memory");
	csvin_free(p);
	input_close(in);
	return r->e->status;
}

int
numeric_run(const struct opts *op, struct online *net, struct numstate *st,
    int hold, volatile sig_atomic_t *stop, struct rerr *e)
{
	struct run r;
	char *const *f;
	static char *const stdin_only[] = { "-", NULL };

	memset(&r, 0, sizeof r);
	r.op = op;
	r.net = net;
	r.st = st;
	r.e = e;
	st->one.net = net;
	r.z = normal_quantile((1 + op->interval) / 2);
	r.ar_on = op->report || op->model != NULL;
	r.hold = hold;
	r.cols.op = op;
	r.cols.ch = &st->col;
	r.cols.keyed = st->keys != NULL;
	r.cols.e = e;
	r.cols.note = st->note;
	rowout_init(&r.ro, op);
	progress_init(&r.prog, stderr, op->progress == 1 ||
	    (op->progress == -1 && !op->quiet && isatty(2)));
	f = op->files[0] != NULL ? op->files : stdin_only;
	for (; *f != NULL && e->status == 0 && !(stop && *stop); f++)
		run_file(&r, *f, f[1] == NULL, stop);
	progress_end(&r.prog);
	columns_free_names(&r.cols);
	free(r.cols.hdr0);
	out_flush();
	return e->status;
}

/* The key column's name for --output jsonl: its header name, else cN. */
static void
put_key_name(const struct numstate *sh)
{
	char nb[32];

	if (sh->col.key_name_len > 0)
		rowout_json_string(sh->col.key_name,
		    (size_t)sh->col.key_name_len);
	else {
		snprintf(nb, sizeof nb, "c%d", sh->col.keycol + 1);
		rowout_json_string(nb, strlen(nb));
	}
}

/*
 * The --forecast line of K items ahead, IT->pred its forecast with its
 * interval: "+K<TAB>value" in plain output (and "<TAB>lo<TAB>hi" with
 * --interval), "ahead" K in jsonl; with --append, NEXT (the forecast of
 * K + 1, when HAS_NEXT) fills the forecast column, as in an input row.
 */
static void
forecast_line(const struct opts *op, const struct numstate *sh,
    const struct keyent *ke, const struct item *it, long long k, double next,
    int has_next, double scale)
{
	int c, d = rowout_delim(op);
	char nb[32];

	if (!op->append) {
		if (ke != NULL) {
			out_write(ke->key, ke->len);
			out_char('\t');
		}
		snprintf(nb, sizeof nb, "+%lld\t", k);
		out_str(nb);
		rowout_number(it->pred, op->precision, scale);
		if (op->given & GIVEN_INTERVAL) {
			out_char('\t');
			rowout_opt(op, it->has_int, it->lo, scale);
			out_char('\t');
			rowout_opt(op, it->has_int, it->hi, scale);
		}
	} else if (op->output == OUT_JSONL) {
		out_char('{');
		if (ke != NULL) {
			put_key_name(sh);
			out_char(':');
			rowout_json_string(ke->key, ke->len);
			out_char(',');
		}
		snprintf(nb, sizeof nb, "\"ahead\":%lld", k);
		out_str(nb);
		rowout_added(op, NULL, it, next, has_next, scale);
		out_char('}');
	} else {
		for (c = 0; c < sh->col.ncols; c++) {
			if (ke != NULL && c == sh->col.keycol)
				rowout_field(ke->key, ke->len, d);
			out_char(d);
		}
		rowout_added(op, NULL, it, next, has_next, scale);
	}
	out_char('\n');
}

/*
 * The forecast after PRED, fed back to NET and ST as the next item (its
 * target missing, not learnt).  Returns 0, or -1 when out of memory.
 */
static int
forecast_next(const struct opts *op, struct stream *st, int ninputs,
    double pred, double *next)
{
	struct online *net = st->net;
	real x[NUM_MAX_NIN];
	const real *y;
	double mean, scale, fc, s;
	int k;

	norm_get(&st->norm[0], &mean, &scale);
	if (st->base != NULL) {
		struct run rr;

		/* the base takes its own forecast as a missing item */
		if (base_push(st->base, pred, 0) != 0)
			return -1;
		fc = base_forecast(st->base);
		memset(&rr, 0, sizeof rr);
		base_input(&rr, st, ninputs, net->t, 0, pred, fc, scale);
		memcpy(x, rr.x, sizeof x);
		y = online_advance(net, x, 0);
		s = base_rms(st->base);
		if (!(s > 0) || st->norm[0].off)
			s = scale;
		*next = fc + (gate_open(st) ? s * (double)y[0] : 0);
	} else {
		x[0] = (real)norm_scale(&st->norm[0], pred);
		for (k = 1; k <= ninputs; k++)
			x[k] = 0;
		y = online_advance(net, x, 0);
		*next = !norm_has_spread(&st->norm[0]) ? pred :
		    (op->predict == PREDICT_LEVEL ? mean : pred) +
		    scale * (double)y[0];
	}
	return 0;
}

/*
 * The N forecasts of NET and ST, +1 to +N items after the last row: +1 is
 * the prediction that row delivered, each later one made from the one
 * before; the interval of +k is the one-step interval widened by sqrt(k).
 * KE, when not NULL, is their key, written first on each line (SH holds the
 * key column).  Returns 0, or -1 when out of memory.
 */
static int
forecast_one(const struct opts *op, struct stream *st,
    const struct numstate *sh, const struct keyent *ke, long long n)
{
	const struct online *net = st->net;
	const struct pending *pd;
	struct item it;
	long long k;
	int h = st->horizon, has_int, rc = 0, bad;
	double pred, next = 0, scale, lo = 0, hi = 0, mid, half;
	struct ser *snap = NULL;

	if (net->t == 0 || h != 1 || n <= 0)
		return 0;
	pd = &st->pend[(net->t - 1) % (uint64_t)h];
	pred = pd->pred;
	/* every line with the digits of the last row's forecast */
	scale = pd->scale;
	has_int = anomaly_interval(&st->met.an,
	    normal_quantile((1 + op->interval) / 2), &lo, &hi);
	mid = (lo + hi) / 2;
	half = (hi - lo) / 2;
	if (st->base != NULL) {
		/* the base moves with each forecast: put it back after */
		if ((snap = ser_new_save()) == NULL)
			return -1;
		base_ser(snap, st->base, BASE_LAYOUT);
		if (ser_failed(snap)) {
			ser_free(snap);
			return -1;
		}
	}
	for (k = 1; k <= n && out_error() == 0; k++) {
		if (k < n && (rc = forecast_next(op, st, sh->col.ninputs, pred,
		    &next)) != 0)
			break;
		memset(&it, 0, sizeof it);
		it.scored = 1;
		it.pred = pred;
		it.scale = scale;
		it.has_int = has_int;
		it.lo = pred + mid - half * sqrt((double)k);
		it.hi = pred + mid + half * sqrt((double)k);
		forecast_line(op, sh, ke, &it, k, next, k < n, scale);
		pred = next;
	}
	if (snap != NULL) {
		struct ser *ld = ser_new_load(snap);

		if (ld != NULL)
			base_ser(ld, st->base, BASE_LAYOUT);
		bad = ld == NULL || ser_failed(ld);
		ser_free(ld);
		ser_free(snap);
		if (bad)
			return -1;
	}
	return rc;
}

/*
 * --forecast: N forecasts, +1 (the last row's prediction) to +N, as if
 * N - 1 items with a missing target followed (without learning): each
 * prediction is fed back as the next item,
 * the inputs at their mean, the normalizer unchanged.  Only the network's
 * state moves; nothing of ST changes.  See FORECASTS in rnnfilter(1).
 * With --key, N for each key in order of first appearance.
 */
int
numeric_forecast(const struct opts *op, struct online *net,
    struct numstate *st, long long n, struct rerr *e)
{
	size_t i;
	int rc = 0;

	st->one.net = net;
	if (st->keys == NULL)
		rc = forecast_one(op, &st->one, st, NULL, n);
	else
		for (i = 0; i < st->keys->n && out_error() == 0 && rc == 0; i++)
			rc = forecast_one(op, st->keys->ent[i].st, st,
			    &st->keys->ent[i], n);
	out_flush();
	if (rc != 0)
		return rerr_set(e, EXIT_DATA, "out of memory");
	return out_error() ? rerr_set(e, EXIT_DATA, "write error: %s",
	    strerror(out_error())) : 0;
}
