/* modelio.c - the model file: describe, save, load, lock; see modelio.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "keytab.h"
#include "base.h"
#include "modelio.h"
#include "ser.h"

static const char magic[8] = { 'R', 'N', 'N', 'F', 'I', 'L', 'T', 'R' };

/* --- describing ----------------------------------------------------------- */

static void
config_ser(struct ser *s, struct online_config *cf)
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
	ser_enum(s, &cf->horizon, 1, NUM_MAX_HORIZON);
	ser_enum(s, &opt, OPTIM_SGD, OPTIM_RMSPROP);
	ser_f64(s, &cf->lr);
	ser_f64(s, &cf->clip);
	ser_f64(s, &cf->forget_bias);
	ser_u64(s, &cf->seed);
	cf->shape.cell = (enum cell_kind)cell;
	cf->optimizer = (enum optim_kind)opt;
	if (ser_loading(s) && !ser_failed(s) &&
	    (cf->chars ? cf->shape.nin != 256 || cf->shape.nout != 256 :
	    cf->shape.nin > NUM_MAX_NIN || cf->shape.nout != 1))
		ser_fail(s, "the network's input and output sizes do not fit its mode");
}

/*
 * The network after its config: NET is already allocated from that config.
 * Without WEIGHTS (a key of --global) its parameters, moments and
 * optimizer are left out: they are the model's network's.
 */
static void
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

/*
 * Before a network of CF is allocated for a loading S: the payload must
 * still hold at least the state that shape implies, so that a few bytes
 * cannot ask for gigabytes.
 */
static int
room_for_net(struct ser *s, const struct online_config *cf, int weights)
{
	if (ser_remaining(s) / sizeof(float) < online_state_reals(cf, weights)) {
		ser_fail(s, "the file is shorter than its network's shape implies");
		return 0;
	}
	return 1;
}

/*
 * A key's network, for numstate_keys_ser(): when loading, made from the
 * configuration of the model CTX's network, sharing its scratch, and with
 * --global its weights (then not in the key's record).
 */
static void
key_net_ser(struct ser *s, struct online **net, void *ctx)
{
	const struct model *m = ctx;
	const struct online *like = m->net;

	if (ser_loading(s)) {
		if (!room_for_net(s, &like->cf, !m->global))
			return;
		*net = m->global ? online_new_tied(&like->cf, like) :
		    online_new_sharing(&like->cf, like);
		if (*net == NULL) {
			ser_fail(s, "out of memory");
			return;
		}
	}
	online_ser(s, *net, !m->global);
}

/* Everything after the magic and VERSION. */
static void
model_ser(struct ser *s, struct model *m, struct online_config *cf,
    uint32_t version)
{
	struct stream_conf kcf;

	memset(&kcf, 0, sizeof kcf);
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
	config_ser(s, cf);
	if (ser_failed(s))
		return;
	if (ser_loading(s)) {
		struct opts tmp;

		if (cf->chars != (m->mode == MODEL_CHARS)) {
			ser_fail(s, "the network does not fit the mode");
			return;
		}
		opts_init(&tmp);
		tmp.horizon = cf->horizon;
		tmp.normalize = (enum normalize)m->normalize;
		if (!room_for_net(s, cf, 1))
			return;
		tmp.predict = (enum predict)m->predict;
		if ((m->net = online_new(cf)) == NULL) {
			ser_fail(s, "out of memory");
			return;
		}
		/* both stream states exist, whatever the mode, as in model_create() */
		m->num = malloc(sizeof *m->num);
		m->cs = malloc(sizeof *m->cs);
		if (m->num == NULL || m->cs == NULL) {
			ser_fail(s, "out of memory");
			return;
		}
		if (numstate_init(m->num, &tmp) != 0) {
			free(m->num);
			m->num = NULL;
			ser_fail(s, "out of memory");
			return;
		}
		charstate_init(m->cs);
		if (m->key[0] != '\0' && m->mode == MODEL_NUMERIC &&
		    numstate_keys_new(m->num) != 0) {
			ser_fail(s, "out of memory");
			return;
		}
		stream_conf_opts(&kcf, &tmp);
	}
	online_ser(s, m->net, 1);
	if (m->mode == MODEL_NUMERIC) {
		numstate_ser(s, m->num, cf->shape.nin, version);
		if (ser_loading(s) && m->num->one.horizon != cf->horizon)
			ser_fail(s, "the horizon does not match the network");
		if (version >= 3)
			numstate_names_ser(s, m->num);
		if (version >= 4)
			numstate_held_ser(s, m->num);
		if (m->num->keys != NULL)
			numstate_keys_ser(s, m->num, &kcf, cf->shape.nin,
			    key_net_ser, m, version);
	} else
		charstate_ser(s, m->cs);
}

/* --- creating and releasing ------------------------------------------------ */

int
model_create(struct model *m, const struct opts *op, struct rerr *e)
{
	struct online_config cf;

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
	if (numstate_init(m->num, op) != 0) {
		free(m->num);
		m->num = NULL;
		goto nomem;
	}
	charstate_init(m->cs);
	if (op->key != NULL && !op->chars && numstate_keys_new(m->num) != 0)
		goto nomem;
	return 0;
nomem:
	model_release(m);
	return rerr_set(e, EXIT_DATA, "out of memory");
}

void
model_release(struct model *m)
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

/* --- loading ---------------------------------------------------------------- */

static int
reject_foreign(const void *p, size_t n)
{
	return n < sizeof magic || memcmp(p, magic, sizeof magic) != 0;
}

/*
 * The whole regular file FD (of SIZE bytes when opened) in memory; NULL
 * with errno set.
 */
static void *
slurp(int fd, off_t size, size_t *n)
{
	size_t cap = size > 0 ? (size_t)size + 1 : 4096, len = 0;
	char *buf, *p;
	ssize_t r;

	if ((buf = malloc(cap)) == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {	/* the file grew while it was read */
			if ((p = realloc(buf, 2 * cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*n = len;
	return buf;
}

int
model_unpack(const void *buf, size_t n, const char *name, struct model *m,
    struct rerr *e)
{
	struct online_config cf;
	struct ser *s = NULL;
	char mg[sizeof magic];
	uint32_t version = 0;
	int rc;

	memset(m, 0, sizeof *m);
	rc = ser_unpack(buf, n, sizeof magic, reject_foreign,
	    ser_payload_max(n), &s);
	switch (rc) {
	case SER_OK:
		break;
	case SER_NOMEM:
		return rerr_set(e, EXIT_DATA, "%s: out of memory", name);
	case SER_NOT_GZIP:
		return rerr_set(e, EXIT_MODEL, "%s: not an rnnfilter model", name);
	case SER_TRUNCATED:
		return rerr_set(e, EXIT_MODEL, "%s: truncated model file", name);
	case SER_BAD_DATA:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: invalid compressed data", name);
	case SER_TOO_LARGE:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: it inflates beyond what rnnfilter writes",
		    name);
	default:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: checksum mismatch", name);
	}
	ser_bytes(s, mg, sizeof mg);
	ser_u32(s, &version);
	if (ser_failed(s)) {
		ser_free(s);
		return rerr_set(e, EXIT_MODEL, "%s: truncated model file", name);
	}
	if (version > MODEL_FORMAT_VERSION || version == 0) {
		ser_free(s);
		return rerr_set(e, EXIT_MODEL,
		    "%s: model format version %lu is newer than this rnnfilter's %d",
		    name, (unsigned long)version, MODEL_FORMAT_VERSION);
	}
	if (ser_check_sum(s) != 0) {
		ser_free(s);
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: checksum mismatch", name);
	}
	memset(&cf, 0, sizeof cf);
	model_ser(s, m, &cf, version);
	if (!ser_failed(s) && ser_remaining(s) != 0)
		ser_fail(s, "data after the end of the model");
	if (ser_failed(s)) {
		rerr_set(e, strcmp(ser_error(s), "out of memory") == 0 ?
		    EXIT_DATA : EXIT_MODEL, "%s: corrupt model file: %s", name,
		    ser_error(s));
		ser_free(s);
		model_release(m);
		return e->status;
	}
	ser_free(s);
	return 0;
}

int
model_load(const char *path, struct model *m, int *found, struct rerr *e)
{
	struct stat sb;
	void *buf;
	size_t n;
	int fd, rc;

	*found = 0;
	/* O_NONBLOCK: a FIFO must not hang the run before it is refused */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 0;
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0) {
		rc = errno;
		close(fd);
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(rc));
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return rerr_set(e, EXIT_MODEL, "%s: not a regular file", path);
	}
	buf = slurp(fd, sb.st_size, &n);
	rc = errno;
	close(fd);
	if (buf == NULL)
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(rc));
	rc = model_unpack(buf, n, path, m, e);
	free(buf);
	if (rc != 0)
		return rc;
	*found = 1;
	return 0;
}

int
model_path(const char *path, char **out, struct rerr *e)
{
	char *p, *t, *q;
	struct stat sb;
	ssize_t k;
	size_t cap;
	int hops;

	*out = NULL;
	if ((p = strdup(path)) == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	for (hops = 0; lstat(p, &sb) == 0 && S_ISLNK(sb.st_mode); hops++) {
		if (hops == 40) {
			free(p);
			return rerr_set(e, EXIT_DATA, "%s: %s", path,
			    strerror(ELOOP));
		}
		cap = (size_t)sb.st_size + 1;
		if (cap < 256)
			cap = 256;
		if ((t = malloc(cap)) == NULL) {
			free(p);
			return rerr_set(e, EXIT_DATA, "out of memory");
		}
		if ((k = readlink(p, t, cap)) < 0 || (size_t)k >= cap) {
			int err = k < 0 ? errno : ENAMETOOLONG;

			free(t);
			free(p);
			return rerr_set(e, EXIT_DATA, "%s: %s", path,
			    strerror(err));
		}
		t[k] = '\0';
		/* a relative target is relative to the link's directory */
		if (t[0] != '/' && (q = strrchr(p, '/')) != NULL) {
			size_t dl = (size_t)(q - p) + 1;
			char *j = malloc(dl + (size_t)k + 1);

			if (j == NULL) {
				free(t);
				free(p);
				return rerr_set(e, EXIT_DATA, "out of memory");
			}
			memcpy(j, p, dl);
			memcpy(j + dl, t, (size_t)k + 1);
			free(t);
			t = j;
		}
		free(p);
		p = t;
	}
	*out = p;
	return 0;
}

/* --- options against the model -------------------------------------------- */

/* The model's column I (-1: the target) for a message: its name or number. */
static const char *
model_column(const struct model *m, int i, char *buf, size_t n)
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
		    op->column, st->col.target >= 0 ? model_column(m, -1, b,
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

		model_column(m, i, one, sizeof one);
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
model_stored(const struct model *m, struct opts *mo)
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
model_conflicts(const char *path, const struct model *m,
    const struct opts *op, struct rerr *e)
{
	const struct opt_def *d;
	struct opts mo, mine = *op;
	int columns = 0;

	model_stored(m, &mo);
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
model_replace(struct model *m, const struct opt_def *d, double v)
{
	size_t i, n = m->num->keys != NULL ? m->num->keys->n : 0;

	for (i = 0; i <= n; i++) {
		struct online *o = i == 0 ? m->net : m->num->keys->ent[i - 1].st->net;

		if (d->given == GIVEN_LR) {
			o->cf.lr = v;
			o->w->opt.lr = v;
		} else
			o->cf.clip = v;
	}
}

void
model_apply(struct model *m, struct opts *op)
{
	const struct opt_def *d;
	struct opts mo;

	model_stored(m, &mo);
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
				model_replace(m, d, *opts_real(d, op));
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

/* --- saving ----------------------------------------------------------------- */

static int
write_all(int fd, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding PATH, so that the rename is durable. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		/* some file systems cannot fsync a directory: not an error */
		if (rc != 0 && (errno == EINVAL || errno == ENOTSUP))
			rc = 0;
		close(fd);
	}
	free(copy);
	return rc;
}

int
model_pack(struct model *m, void **out, size_t *n)
{
	struct online_config cf = m->net->cf;
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	int err;

	if ((s = ser_new_save()) == NULL)
		return -1;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	model_ser(s, m, &cf, version);
	err = ser_pack(s, out, n);
	ser_free(s);
	return err;
}

/* The payload's bytes that M's model file holds, its crc32 included. */
static size_t
payload_size(struct model *m)
{
	struct online_config cf = m->net->cf;
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	size_t n;

	if ((s = ser_new_count()) == NULL)
		return 0;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	model_ser(s, m, &cf, version);
	n = ser_failed(s) ? 0 : ser_length(s) + 4;
	ser_free(s);
	return n;
}

struct fdsink {
	int fd;
	int err;	/* the failed write's errno */
};

static int
fd_write(void *ctx, const void *p, size_t n)
{
	struct fdsink *k = ctx;

	if (write_all(k->fd, p, n) == 0)
		return 0;
	k->err = errno;
	return -1;
}

/*
 * M's model file to FD as it is described, compressed in pieces (a payload
 * above SER_HUFFMAN_MAX): 0, or an errno (ENOMEM when out of memory).
 */
static int
save_stream(int fd, struct model *m)
{
	struct online_config cf = m->net->cf;
	struct fdsink k;
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	int rc;

	k.fd = fd;
	k.err = 0;
	if ((s = ser_new_stream(fd_write, &k)) == NULL)
		return ENOMEM;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	model_ser(s, m, &cf, version);
	rc = ser_finish(s);
	ser_free(s);
	return rc == 0 ? 0 : k.err != 0 ? k.err : ENOMEM;
}

/*
 * A model's payload above SER_HUFFMAN_MAX (many keys) is written as it is
 * described, so that a save takes about 2 MiB more than the run, not twice
 * the model file; a smaller one is made in memory first.
 */
int
model_save(const char *path, struct model *m, struct rerr *e)
{
	struct stat sb;
	char *tmp;
	void *out = NULL;
	size_t n = 0, len = strlen(path), pn;
	int fd, err, big;
	mode_t mode, mask;

	if ((pn = payload_size(m)) == 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	big = pn > SER_HUFFMAN_MAX;
	if (!big && model_pack(m, &out, &n) != 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	if ((tmp = malloc(len + sizeof ".tmp-XXXXXX")) == NULL) {
		free(out);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		err = errno;
		free(tmp);
		free(out);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	}
	/*
	 * The new file keeps the old one's permissions, else 0666 & ~umask;
	 * lstat, so that what replaced the file meanwhile (a link to a
	 * device) lends it nothing.
	 */
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		mode = sb.st_mode & 07777;
	else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	err = 0;
	if (fchmod(fd, mode) != 0)
		err = errno;
	else if (big)
		err = save_stream(fd, m);
	else if (write_all(fd, out, n) != 0)
		err = errno;
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0)
		unlink(tmp);
	else if (sync_dir(path) != 0)
		err = errno;
	free(tmp);
	free(out);
	if (err == ENOMEM)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory",
		    path);
	if (err != 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	return 0;
}

/* --- locking ---------------------------------------------------------------- */

/* A save's temporary file can be made beside PATH: 0, or EXIT_DATA. */
static int
probe_save(const char *path, struct rerr *e)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof ".tmp-XXXXXX");
	int fd, err;

	if (tmp == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		err = errno;
		free(tmp);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int
model_lock(const char *path, int wait, volatile sig_atomic_t *stop, int *fdp,
    struct rerr *e)
{
	size_t len = strlen(path);
	char *lk = malloc(len + sizeof ".lock");
	struct stat sb;
	int fd, err;

	if (lk == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	memcpy(lk, path, len);
	memcpy(lk + len, ".lock", sizeof ".lock");
	fd = open(lk, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = errno;
		rerr_set(e, EXIT_DATA, "%s: %s", lk, strerror(err));
		free(lk);
		return e->status;
	}
	free(lk);
	while (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
		err = errno;
		if (err == EINTR && !(stop != NULL && *stop))
			continue;
		close(fd);
		if (err == EINTR)
			return -1;
		if (err == EWOULDBLOCK)
			return rerr_set(e, EXIT_LOCKED,
			    "%s: in use by another run (--wait waits for it)",
			    path);
		return rerr_set(e, EXIT_DATA, "%s: cannot lock: %s", path,
		    strerror(err));
	}
	/*
	 * Can FILE be saved at all?  Found now, before any output, and not
	 * after the run has written predictions that a retry would repeat.
	 */
	if (probe_save(path, e) != 0) {
		close(fd);
		return e->status;
	}
	/* chmod a-w protects a model: it is never replaced */
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & 0222) == 0) {
		close(fd);
		return rerr_set(e, EXIT_DATA,
		    "%s: the model file is read-only (--no-learn uses it as it is)",
		    path);
	}
	*fdp = fd;
	return 0;
}

void
model_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
