/* run.c - the run's model: create, reconcile, checkpoint; see run.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"
#include "keytab.h"
#include "output.h"
#include "report.h"
#include "run.h"
#include "ser.h"

/* The model and its file's format, for key_net_ser(). */
struct keynet {
	const struct model *m;
	uint32_t version;
};

/*
 * A key's network, for numstate_keys_ser(): when loading, made from the
 * configuration of the model's network (CTX a struct keynet), sharing its
 * scratch, and with --global its weights (then not in the key's record).
 */
static void
key_net_ser(struct ser *s, struct online **net, void *ctx)
{
	const struct keynet *kn = ctx;
	const struct model *m = kn->m;
	const struct online *like = m->net;

	if (ser_loading(s)) {
		if (!online_ser_room(s, &like->cf, !m->global, 1, kn->version))
			return;
		*net = m->global ? online_new_tied(&like->cf, like) :
		    online_new_blank(&like->cf, like);
		if (*net == NULL) {
			ser_fail_nomem(s);
			return;
		}
	}
	online_ser(s, *net, !m->global, kn->version);
}

/* Everything after the magic and VERSION. */
static void
payload_ser(struct ser *s, struct model *m, struct online_config *cf,
    uint32_t version)
{
	struct stream_conf kcf;
	struct keynet kn;

	memset(&kcf, 0, sizeof kcf);
	kn.m = m;
	kn.version = version;
	ser_enum(s, &m->mode, MODEL_NUMERIC, MODEL_CHARS);
	ser_enum(s, &m->predict, PREDICT_CHANGE, version >= 6 ? PREDICT_BASE :
	    PREDICT_LEVEL);
	ser_enum(s, &m->normalize, NORM_RUNNING, NORM_NONE);
	ser_str(s, m->column, sizeof m->column);
	ser_str(s, m->inputs, sizeof m->inputs);
	if (version >= 2)
		ser_str(s, m->key, sizeof m->key);
	if (version >= 10)
		ser_enum(s, &m->global, 0, 1);
	if (ser_loading(s) && !ser_failed(s) && m->global &&
	    (m->key[0] == '\0' || m->mode != MODEL_NUMERIC)) {
		ser_fail(s, "a global network without keys");
		return;
	}
	online_config_ser(s, cf, NUM_MAX_NIN, NUM_MAX_HORIZON);
	if (ser_failed(s))
		return;
	if (ser_loading(s)) {
		if (cf->chars != (m->mode == MODEL_CHARS)) {
			ser_fail(s, "the network does not fit the mode");
			return;
		}
		if (!online_ser_room(s, cf, 1, 0, version))
			return;
		stream_conf_init(&kcf, cf->horizon, m->normalize == NORM_NONE,
		    m->predict == PREDICT_BASE);
		if ((m->net = online_new(cf)) == NULL) {
			ser_fail_nomem(s);
			return;
		}
		/* both stream states exist, whatever the mode, as run_create()
		 * makes them */
		m->num = malloc(sizeof *m->num);
		m->cs = malloc(sizeof *m->cs);
		if (m->num == NULL || m->cs == NULL) {
			ser_fail_nomem(s);
			return;
		}
		if (numstate_init(m->num, &kcf) != 0) {
			free(m->num);
			m->num = NULL;
			ser_fail_nomem(s);
			return;
		}
		charstate_init(m->cs);
		if (m->key[0] != '\0' && m->mode == MODEL_NUMERIC &&
		    numstate_keys_new(m->num) != 0) {
			ser_fail_nomem(s);
			return;
		}
	}
	online_ser(s, m->net, 1, version);
	if (m->mode == MODEL_NUMERIC) {
		numstate_ser(s, m->num, cf->shape.nin, version);
		if (ser_loading(s) && m->num->one.horizon != cf->horizon)
			ser_fail(s, "the horizon does not match the network");
		if (version >= 3)
			columns_names_ser(s, &m->num->col);
		if (version >= 4)
			numstate_held_ser(s, m->num);
		if (m->num->keys != NULL)
			numstate_keys_ser(s, m->num, &kcf, cf->shape.nin,
			    key_net_ser, &kn, version);
	} else
		charstate_ser(s, m->cs);
}

void
run_release(struct model *m)
{
	online_free(m->net);
	if (m->num != NULL)
		numstate_release(m->num);
	free(m->num);
	free(m->cs);
	m->net = NULL;
	m->num = NULL;
	m->cs = NULL;
}

/* The model file's payload, for modelio.c: CTX is the struct model. */
static void
describe(struct ser *s, void *ctx, uint32_t version)
{
	struct model *m = ctx;
	struct online_config cf;

	if (ser_loading(s))
		memset(&cf, 0, sizeof cf);
	else
		cf = m->net->cf;
	payload_ser(s, m, &cf, version);
}

int
run_load(const char *path, struct model *m, int *found, struct rerr *e)
{
	struct model_payload p = { describe, NULL };
	int rc;

	memset(m, 0, sizeof *m);
	p.ctx = m;
	if ((rc = model_load(path, &p, found, e)) != 0)
		run_release(m);
	return rc;
}

int
run_unpack(const void *buf, size_t n, const char *name, struct model *m,
    struct rerr *e)
{
	struct model_payload p = { describe, NULL };
	int rc;

	memset(m, 0, sizeof *m);
	p.ctx = m;
	if ((rc = model_unpack(buf, n, name, &p, e)) != 0)
		run_release(m);
	return rc;
}

int
run_pack(struct model *m, void **out, size_t *n)
{
	struct model_payload p = { describe, NULL };

	p.ctx = m;
	return model_pack(&p, out, n);
}

int
run_save(const char *path, struct model *m, struct rerr *e)
{
	struct model_payload p = { describe, NULL };

	p.ctx = m;
	return model_save(path, &p, e);
}

int
run_create(struct model *m, const struct opts *op, struct rerr *e)
{
	struct online_config cf;
	struct stream_conf scf;

	memset(m, 0, sizeof *m);
	memset(&cf, 0, sizeof cf);
	m->mode = op->chars ? MODEL_CHARS : MODEL_NUMERIC;
	m->predict = op->predict;
	m->normalize = op->normalize;
	snprintf(m->column, sizeof m->column, "%s",
	    op->column != NULL ? op->column : "");
	snprintf(m->inputs, sizeof m->inputs, "%s",
	    op->inputs != NULL ? op->inputs : "");
	snprintf(m->key, sizeof m->key, "%s", op->key != NULL ? op->key : "");
	m->global = op->global && op->key != NULL && !op->chars;
	cf.chars = op->chars;
	cf.shape.cell = op->cell;
	cf.shape.hidden = op->hidden;
	cf.shape.layers = op->layers;
	cf.shape.nin = op->chars ? 256 : numeric_nin(op->predict,
	    opts_ninputs(op));
	cf.shape.nout = op->chars ? 256 : 1;
	cf.bptt = op->bptt;
	cf.window = op->window;
	cf.horizon = op->horizon;
	cf.optimizer = op->optimizer;
	cf.lr = op->lr;
	cf.clip = op->clip;
	cf.forget_bias = op->forget_bias;
	cf.seed = op->seed;
	if ((m->net = online_new(&cf)) == NULL)
		goto nomem;
	/* the other mode's state is unused but keeps main.c simple */
	m->num = malloc(sizeof *m->num);
	m->cs = malloc(sizeof *m->cs);
	if (m->num == NULL || m->cs == NULL)
		goto nomem;
	stream_conf_opts(&scf, op);
	if (numstate_init(m->num, &scf) != 0) {
		free(m->num);
		m->num = NULL;
		goto nomem;
	}
	charstate_init(m->cs);
	if (op->key != NULL && !op->chars && numstate_keys_new(m->num) != 0)
		goto nomem;
	return 0;
nomem:
	run_release(m);
	return rerr_set(e, EXIT_DATA, "out of memory");
}


/* The model's column I (-1: the target) for a message: its name or number. */
static const char *
stored_column(const struct model *m, int i, char *buf, size_t n)
{
	const struct numstate *st = m->num;
	const char *name = i < 0 ? st->col.target_name : st->col.input_name[i];
	int idx = i < 0 ? st->col.target : st->col.input[i];

	if (name[0] != '\0')
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%d", idx + 1);
	return buf;
}

/*
 * -c and -i against the columns the model chose (F6): the same spelling,
 * or a name or number of the same column.  Before the model has chosen
 * (it has seen no header or row), only another spelling of the saved
 * argument is a conflict.
 */
static int
column_conflicts(const char *path, const struct model *m,
    const struct opts *op, struct rerr *e)
{
	const struct numstate *st = m->num;
	char b[NUM_NAME_MAX + 16];
	char *list, *tok, *save = NULL;
	int i = 0, bad = 0;

	if (op->column != NULL && strcmp(op->column, m->column) != 0 &&
	    (st->col.target >= 0 ? !columns_names(op->column, st->col.target,
	    st->col.target_name) : m->column[0] != '\0'))
		return rerr_set(e, EXIT_MODEL,
		    "%s: --column %s conflicts with the model's %s", path,
		    op->column, st->col.target >= 0 ? stored_column(m, -1, b,
		    sizeof b) : m->column);
	if (op->inputs == NULL || strcmp(op->inputs, m->inputs) == 0)
		return 0;
	if (st->col.target < 0) {
		if (m->inputs[0] == '\0')
			return 0;
		return rerr_set(e, EXIT_MODEL,
		    "%s: --inputs %s conflicts with the model's %s", path,
		    op->inputs, m->inputs);
	}
	if ((list = strdup(op->inputs)) == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	for (tok = strtok_r(list, ",", &save); tok != NULL && !bad;
	    tok = strtok_r(NULL, ",", &save), i++)
		bad = i >= st->col.ninputs || !columns_names(tok,
		    st->col.input[i], st->col.input_name[i]);
	free(list);
	if (!bad && i == st->col.ninputs)
		return 0;
	b[0] = '\0';
	for (i = 0; i < st->col.ninputs; i++) {
		char one[NUM_NAME_MAX + 16];

		stored_column(m, i, one, sizeof one);
		if (strlen(b) + strlen(one) + 2 < sizeof b) {
			if (i > 0)
				strcat(b, ",");
			strcat(b, one);
		}
	}
	return rerr_set(e, EXIT_MODEL,
	    "%s: --inputs %s conflicts with the model's %s", path, op->inputs,
	    st->col.ninputs > 0 ? b : "none");
}

/* The model's values of the model-shaped options, as a struct opts. */
static void
stored_opts(const struct model *m, struct opts *mo)
{
	const struct online_config *cf = &m->net->cf;

	opts_init(mo);
	mo->chars = cf->chars;
	mo->cell = cf->shape.cell;
	mo->hidden = cf->shape.hidden;
	mo->layers = cf->shape.layers;
	mo->bptt = cf->bptt;
	mo->window = cf->window;
	mo->horizon = cf->horizon;
	mo->optimizer = cf->optimizer;
	mo->normalize = m->normalize;
	mo->predict = m->predict;
	mo->lr = m->net->w->opt.lr;
	mo->clip = cf->clip;
	mo->forget_bias = cf->forget_bias;
	mo->seed = cf->seed;
}

/* The checks of opts_table's entries that are not a plain comparison. */
static int
conflict_by_code(const char *path, const struct model *m,
    const struct opt_def *d, const struct opts *op, struct rerr *e)
{
	const struct online_config *cf = &m->net->cf;
	int nin;

	switch (d->model) {
	case OPTM_MODE:
		if ((op->given & GIVEN_CHARS) && m->mode != MODEL_CHARS)
			return rerr_set(e, EXIT_MODEL,
			    "%s: --chars conflicts with the model's numeric mode",
			    path);
		if (m->mode == MODEL_CHARS &&
		    (op->column != NULL || op->inputs != NULL))
			return rerr_set(e, EXIT_MODEL,
			    "%s: --column and --inputs conflict with the model's character mode",
			    path);
		return 0;
	case OPTM_KEY:
		if (op->key != NULL && m->mode == MODEL_NUMERIC &&
		    m->key[0] == '\0')
			return rerr_set(e, EXIT_MODEL,
			    "%s: --key %s conflicts with the model's single network",
			    path, op->key);
		if (op->key != NULL && m->key[0] != '\0' &&
		    strcmp(op->key, m->key) != 0)
			return rerr_set(e, EXIT_MODEL,
			    "%s: --key %s conflicts with the model's %s", path,
			    op->key, m->key);
		return 0;
	case OPTM_GLOBAL:
		if (!(op->given & GIVEN_GLOBAL) || m->key[0] == '\0' ||
		    op->global == m->global)
			return 0;
		if (op->global)
			return rerr_set(e, EXIT_MODEL,
			    "%s: --global conflicts with the model's independent keys",
			    path);
		return rerr_set(e, EXIT_MODEL,
		    "%s: --no-global conflicts with the model's global network",
		    path);
	case OPTM_COLUMNS:
		if (m->mode != MODEL_NUMERIC)
			return 0;
		nin = numeric_nin(m->predict, opts_ninputs(op));
		if ((op->given & GIVEN_INPUTS) && nin != cf->shape.nin)
			return rerr_set(e, EXIT_MODEL,
			    "%s: --inputs %s (%d column%s) conflicts with the model's %d",
			    path, op->inputs, opts_ninputs(op),
			    opts_ninputs(op) == 1 ? "" : "s",
			    cf->shape.nin - numeric_nin(m->predict, 0));
		return column_conflicts(path, m, op, e);
	case OPTM_PERIOD:
		if ((op->given & GIVEN_PERIOD) && op->nperiod >= 0 &&
		    m->mode == MODEL_NUMERIC && m->num->one.base != NULL &&
		    m->num->keys == NULL) {
			const struct base *b = m->num->one.base;
			int same = op->nperiod == b->nper, i;

			for (i = 0; same && i < b->nper; i++)
				same = op->period[i] == b->per[i];
			if (!same)
				return rerr_set(e, EXIT_MODEL,
				    "%s: --period conflicts with the model's periods (see --dump)",
				    path);
		}
		return 0;
	default:
		return 0;
	}
}

int
run_conflicts(const char *path, const struct model *m,
    const struct opts *op, struct rerr *e)
{
	const struct opt_def *d;
	struct opts mo, mine = *op;
	int columns = 0;

	stored_opts(m, &mo);
	for (d = opts_table; d->name != NULL; d++) {
		if (d->model == OPTM_COLUMNS && columns++ > 0)
			continue;	/* -c and -i are checked together */
		if (d->model != OPTM_REFUSE) {
			if (conflict_by_code(path, m, d, op, e) != 0)
				return e->status;
			continue;
		}
		if (!(op->given & d->given))
			continue;
		if (d->kind == OPTK_ENUM &&
		    *opts_int(d, &mine) != *opts_int(d, &mo))
			return rerr_set(e, EXIT_MODEL,
			    "%s: --%s %s conflicts with the model's %s", path,
			    d->name, opts_enum_name(d, *opts_int(d, &mine)),
			    opts_enum_name(d, *opts_int(d, &mo)));
		if (d->kind == OPTK_INT &&
		    *opts_int(d, &mine) != *opts_int(d, &mo))
			return rerr_set(e, EXIT_MODEL,
			    "%s: --%s %d conflicts with the model's %d", path,
			    d->name, *opts_int(d, &mine), *opts_int(d, &mo));
	}
	return 0;
}

/* A setting that may change from run to run, into every network of M. */
static void
replace_setting(struct model *m, const struct opt_def *d, double v)
{
	size_t i, n = m->num->keys != NULL ? m->num->keys->n : 0;

	for (i = 0; i <= n; i++) {
		struct online *o = i == 0 ? m->net : m->num->keys->ent[i - 1].st->net;

		if (d->given == GIVEN_LR)
			online_set_lr(o, v);
		else
			online_set_clip(o, v);
	}
}

void
run_apply(struct model *m, struct opts *op)
{
	const struct opt_def *d;
	struct opts mo;

	stored_opts(m, &mo);
	for (d = opts_table; d->name != NULL; d++) {
		switch (d->model) {
		case OPTM_REFUSE:
		case OPTM_KEEP:
			if (d->kind == OPTK_REAL)
				*opts_real(d, op) = *opts_real(d, &mo);
			else if (d->kind == OPTK_U64)
				*opts_u64(d, op) = *opts_u64(d, &mo);
			else
				*opts_int(d, op) = *opts_int(d, &mo);
			/* a character model has no --predict or --normalize */
			if (d->model == OPTM_REFUSE && !(d->numeric && mo.chars))
				op->given |= d->given;
			break;
		case OPTM_REPLACE:
			if (op->given & d->given)
				replace_setting(m, d, *opts_real(d, op));
			else
				*opts_real(d, op) = *opts_real(d, &mo);
			op->given |= d->given;
			break;
		case OPTM_MODE:
			op->chars = mo.chars;
			if (mo.chars)
				op->given |= GIVEN_CHARS;
			break;
		case OPTM_KEY:
			if (op->key == NULL && m->key[0] != '\0') {
				op->key = m->key;
				op->given |= GIVEN_KEY;
			}
			break;
		case OPTM_GLOBAL:
			op->global = m->global;
			break;
		case OPTM_COLUMNS:
			if (d->given == GIVEN_COLUMN && op->column == NULL &&
			    m->column[0] != '\0')
				op->column = m->column;
			if (d->given == GIVEN_INPUTS && op->inputs == NULL &&
			    m->inputs[0] != '\0')
				op->inputs = m->inputs;
			break;
		default:
			break;
		}
	}
	/* a model that has not chosen yet keeps the arguments of the run
	 * that does */
	if (m->mode == MODEL_NUMERIC && m->num->col.target < 0) {
		if (op->column != NULL && op->column != m->column)
			snprintf(m->column, sizeof m->column, "%s", op->column);
		if (op->inputs != NULL && op->inputs != m->inputs)
			snprintf(m->inputs, sizeof m->inputs, "%s", op->inputs);
	}
}

int
run_open(struct opts *op, struct model *m, int *lockfd,
    volatile sig_atomic_t *stop, struct rerr *e)
{
	const char *msg;
	int found = 0;

	*lockfd = -1;
	if (op->model != NULL) {
		if (!op->no_learn &&
		    model_lock(op->model, op->wait, stop, lockfd, e) != 0)
			return e->status != 0 ? e->status : 128 + *stop;
		if (run_load(op->model, m, &found, e) != 0)
			return e->status;
	}
	if (!found && op->model != NULL && op->no_learn)
		return rerr_set(e, EXIT_DATA,
		    "%s: %s (--no-learn needs a saved model)", op->model,
		    strerror(ENOENT));
	if (!found)
		return run_create(m, op, e);
	if (run_conflicts(op->model, m, op, e) != 0)
		return e->status;
	run_apply(m, op);
	if ((msg = opts_check(op)) != NULL)
		return rerr_set(e, EXIT_USAGE, "%s", msg);
	return 0;
}

int
run_checkpoint(void *ctx)
{
	struct run_ckpt *c = ctx;

	c->items++;
	if (*c->stop)
		return 1;
	if (*c->asked || (c->every > 0 && c->items % c->every == 0)) {
		*c->asked = 0;
		/* a checkpoint holds only what has been delivered */
		if (out_flush() != 0)
			return 1;
		if (run_save(c->path, c->m, c->e) != 0)
			return c->e->status;
	}
	return 0;
}

void
run_input(const struct opts *op, struct model *m, struct run_ckpt *ck,
    void (*note)(const char *), volatile sig_atomic_t *stop,
    struct run_end *re, struct rerr *e)
{
	int (*hook)(void *) = ck != NULL ? run_checkpoint : NULL;

	memset(re, 0, sizeof *re);
	if (ck != NULL) {
		ck->m = m;
		ck->items = 0;
		ck->stop = stop;
		ck->e = e;
	}
	if (m->mode == MODEL_CHARS) {
		chars_run(op, m->net, m->cs, op->model != NULL && !op->no_learn,
		    op->report ? &re->crep : NULL, hook, ck, stop, e);
		if (e->status == 0 && op->generate > 0 && !*stop)
			chars_generate(op, m->net, e);
		return;
	}
	re->items = numstate_totals(m->num)->items;
	re->alerts = numstate_totals(m->num)->an.alerts;
	m->num->hook = hook;
	m->num->hook_ctx = ck;
	m->num->note = note;
	re->secs = report_clock();
	numeric_run(op, m->net, m->num, ck != NULL, stop, e);
	re->secs = report_clock() - re->secs;
}

void
run_output(const struct opts *op, struct model *m, const char *path,
    volatile sig_atomic_t *stop, struct run_end *re, struct rerr *e)
{
	/*
	 * What is saved is what was delivered: the output is flushed before
	 * the save, and after a failed write (a closed pipe included: what
	 * its reader took is unknown) the file stays as it was.
	 */
	out_flush();
	if (*stop && out_error() == EINTR)
		memset(e, 0, sizeof *e);	/* the signal cut a write short */
	else if (out_error() != 0 && out_error() != EPIPE && e->status == 0)
		rerr_set(e, EXIT_DATA, "write error: %s", strerror(out_error()));
	re->closed = path != NULL && out_error() == EPIPE;
	if (path != NULL && (e->status == 0 || *stop) &&
	    (out_error() == 0 || out_error() == EINTR) &&
	    run_save(path, m, e) != 0)
		*stop = 0;	/* the save's error is the status */
	if (m->mode == MODEL_NUMERIC && e->status == 0 && op->forecast > 0 &&
	    !*stop && out_error() == 0)
		numeric_forecast(op, m->net, m->num, op->forecast, e);
	if (e->status == 0 && out_flush() != 0 && out_error() != EPIPE)
		rerr_set(e, EXIT_DATA, "write error: %s", strerror(out_error()));
	if (out_error() == EPIPE)
		e->status = 0;	/* the reader has all it wanted: a quiet end */
}
