/* opts.c - defaults and consistency of the options; see opts.h. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "opts.h"

static const struct opt_value cells[] = {
	{ "rnn", CELL_RNN_TANH, 0 }, { "tanh", CELL_RNN_TANH, 1 },
	{ "relu", CELL_RNN_RELU, 0 }, { "lstm", CELL_LSTM, 0 },
	{ "gru", CELL_GRU, 0 }, { NULL, 0, 0 }
};
static const struct opt_value optimizers[] = {
	{ "sgd", OPTIM_SGD, 0 }, { "adam", OPTIM_ADAM, 0 },
	{ "adagrad", OPTIM_ADAGRAD, 0 }, { "rmsprop", OPTIM_RMSPROP, 0 },
	{ NULL, 0, 0 }
};
static const struct opt_value normalizers[] = {
	{ "running", NORM_RUNNING, 0 }, { "none", NORM_NONE, 0 },
	{ NULL, 0, 0 }
};
static const struct opt_value predicts[] = {
	{ "base", PREDICT_BASE, 0 }, { "change", PREDICT_CHANGE, 0 },
	{ "level", PREDICT_LEVEL, 0 }, { NULL, 0, 0 }
};
static const struct opt_value outputs[] = {
	{ "csv", OUT_CSV, 0 }, { "tsv", OUT_TSV, 0 }, { "jsonl", OUT_JSONL, 0 },
	{ NULL, 0, 0 }
};

#define F(field) offsetof(struct opts, field)
const struct opt_def opts_table[] = {
	{ "chars", GIVEN_CHARS, OPTK_OTHER, 0, NULL, OPTM_MODE, 0 },
	{ "key", GIVEN_KEY, OPTK_OTHER, 0, NULL, OPTM_KEY, 0 },
	{ "global", GIVEN_GLOBAL, OPTK_OTHER, 0, NULL, OPTM_GLOBAL, 0 },
	{ "cell", GIVEN_CELL, OPTK_ENUM, F(cell), cells, OPTM_REFUSE, 0 },
	{ "hidden", GIVEN_HIDDEN, OPTK_INT, F(hidden), NULL, OPTM_REFUSE, 0 },
	{ "layers", GIVEN_LAYERS, OPTK_INT, F(layers), NULL, OPTM_REFUSE, 0 },
	{ "inputs", GIVEN_INPUTS, OPTK_OTHER, 0, NULL, OPTM_COLUMNS, 0 },
	{ "column", GIVEN_COLUMN, OPTK_OTHER, 0, NULL, OPTM_COLUMNS, 0 },
	{ "bptt", GIVEN_BPTT, OPTK_INT, F(bptt), NULL, OPTM_REFUSE, 0 },
	{ "window", GIVEN_WINDOW, OPTK_INT, F(window), NULL, OPTM_REFUSE, 0 },
	{ "horizon", GIVEN_HORIZON, OPTK_INT, F(horizon), NULL, OPTM_REFUSE, 0 },
	{ "normalize", GIVEN_NORMALIZE, OPTK_ENUM, F(normalize), normalizers,
	    OPTM_REFUSE, 1 },
	{ "predict", GIVEN_PREDICT, OPTK_ENUM, F(predict), predicts,
	    OPTM_REFUSE, 1 },
	{ "period", GIVEN_PERIOD, OPTK_OTHER, 0, NULL, OPTM_PERIOD, 0 },
	{ "optimizer", GIVEN_OPTIMIZER, OPTK_ENUM, F(optimizer), optimizers,
	    OPTM_REFUSE, 0 },
	{ "lr", GIVEN_LR, OPTK_REAL, F(lr), NULL, OPTM_REPLACE, 0 },
	{ "clip", GIVEN_CLIP, OPTK_REAL, F(clip), NULL, OPTM_REPLACE, 0 },
	{ "forget-bias", 0, OPTK_REAL, F(forget_bias), NULL, OPTM_KEEP, 0 },
	{ "seed", GIVEN_SEED, OPTK_U64, F(seed), NULL, OPTM_KEEP, 0 },
	{ "output", GIVEN_OUTPUT, OPTK_ENUM, F(output), outputs, OPTM_NONE, 0 },
	{ NULL, 0, OPTK_OTHER, 0, NULL, OPTM_NONE, 0 }
};
#undef F

const struct opt_def *
opts_def(const char *name)
{
	const struct opt_def *d;

	for (d = opts_table; d->name != NULL; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

int *
opts_int(const struct opt_def *d, struct opts *o)
{
	return (int *)(void *)((char *)o + d->off);
}

double *
opts_real(const struct opt_def *d, struct opts *o)
{
	return (double *)(void *)((char *)o + d->off);
}

uint64_t *
opts_u64(const struct opt_def *d, struct opts *o)
{
	return (uint64_t *)(void *)((char *)o + d->off);
}

int
opts_parse_enum(const struct opt_def *d, const char *arg, struct opts *o)
{
	const struct opt_value *v;

	for (v = d->values; v->name != NULL; v++)
		if (strcmp(v->name, arg) == 0) {
			*opts_int(d, o) = v->value;
			return 0;
		}
	return -1;
}

const char *
opts_enum_name(const struct opt_def *d, int value)
{
	const struct opt_value *v;

	for (v = d->values; v->name != NULL; v++)
		if (v->value == value && !v->alias)
			return v->name;
	return "?";
}

void
opts_enum_list(const struct opt_def *d, const char *sep, char *buf, size_t n)
{
	const struct opt_value *v;
	size_t len = 0;

	buf[0] = '\0';
	for (v = d->values; v->name != NULL && len < n; v++) {
		if (v->alias)
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
		    len > 0 ? sep : "", v->name);
	}
}

void
opts_init(struct opts *o)
{
	static char *const none[] = { NULL };

	o->column = NULL;
	o->inputs = NULL;
	o->delimiter = ',';
	o->header = HEADER_AUTO;
	o->chars = 0;
	o->key = NULL;
	o->global = 0;
	o->shard_i = 0;
	o->shard_n = 0;
	o->missing = NULL;
	o->skip_bad = 0;
	o->decimal_comma = 0;
	o->thousands = 0;

	o->cell = CELL_LSTM;
	o->hidden = 32;
	o->layers = 1;
	o->bptt = 8;
	o->window = 0;
	o->horizon = 1;
	o->optimizer = OPTIM_ADAM;
	o->lr = 0;
	o->clip = 5;
	o->forget_bias = 0;
	o->seed = 1;
	o->normalize = NORM_RUNNING;
	o->predict = PREDICT_BASE;
	o->nperiod = -1;

	o->model = NULL;
	o->no_learn = 0;
	o->dump = 0;
	o->wait = 0;
	o->checkpoint = 0;

	o->append = 0;
	o->output = OUT_CSV;
	o->precision = 0;
	o->forecast = 0;
	o->report = 0;
	o->progress = -1;
	o->quiet = 0;
	o->ar_order = OPTS_AR_ORDER;
	o->interval = 0.95;
	o->alert = -1;
	o->holdoff = 50;	/* by measurement: bench/nab.md */

	o->generate = 0;
	o->temperature = 1;
	o->prime = NULL;
	o->prime_file = NULL;
	o->per_line = 0;

	o->given = 0;
	o->files = none;
}

const char *
opts_check(struct opts *o)
{
	if (o->chars) {
		if (!(o->given & GIVEN_HIDDEN))
			o->hidden = CHARS_DEFAULT_HIDDEN;
		if (!(o->given & GIVEN_BPTT))
			o->bptt = CHARS_DEFAULT_BPTT;
		if (!(o->given & GIVEN_LR) && o->optimizer == OPTIM_ADAM)
			o->lr = CHARS_DEFAULT_LR;
		if (o->column != NULL || o->inputs != NULL)
			return "--column and --inputs are for numbers, not --chars";
		if (o->key != NULL)
			return "--key is for numbers, not --chars";
		if (o->forecast > 0)
			return "--forecast is for numbers; use --generate with --chars";
		if (o->given & GIVEN_NORMALIZE)
			return "--normalize is for numbers, not --chars";
		if (o->horizon != 1)
			return "--horizon is for numbers, not --chars";
		if (o->given & GIVEN_HOLDOFF)
			return "--holdoff is for numbers, not --chars";
		if (o->given & GIVEN_PERIOD)
			return "--period is for numbers, not --chars";
		if (o->generate == 0 && (o->prime != NULL || o->prime_file != NULL))
			return "--prime and --prime-file need --generate";
		if (o->generate == 0 && (o->given & GIVEN_TEMPERATURE))
			return "--temperature needs --generate";
		/* what character mode does not use is refused, not ignored */
		if (o->given & GIVEN_PREDICT)
			return "--predict is for numbers, not --chars";
		if (o->alert >= 0)
			return "--alert is for numbers, not --chars";
		if (o->given & GIVEN_INTERVAL)
			return "--interval is for numbers, not --chars";
		if (o->given & GIVEN_OUTPUT)
			return "--output is for numbers, not --chars";
		if (o->given & GIVEN_AR_ORDER)
			return "--ar-order is for numbers, not --chars";
		if (o->given & GIVEN_PRECISION)
			return "--precision is for numbers, not --chars";
		if (o->progress == 1)
			return "--progress is for numbers, not --chars";
		if (o->missing != NULL || o->skip_bad || o->decimal_comma ||
		    o->thousands != 0)
			return "--missing, --skip-bad, --decimal-comma and --thousands are for numbers, not --chars";
	} else {
		if (o->given & GIVEN_TEMPERATURE)
			return "--temperature needs --chars and --generate";
		if (o->generate > 0 || o->prime != NULL || o->prime_file != NULL)
			return "--generate and --prime need --chars";
		if (o->per_line)
			return "--per-line needs --chars";
		if (o->forecast > 0 && o->horizon > 1)
			return "--forecast needs --horizon 1: forecasts are fed back one item at a time";
	}
	if (o->thousands == (o->decimal_comma ? ',' : '.'))
		return "--thousands cannot be the decimal point";
	if (o->inputs != NULL && (o->inputs[0] == '\0' ||
	    o->inputs[0] == ',' || o->inputs[strlen(o->inputs) - 1] == ',' ||
	    strstr(o->inputs, ",,") != NULL))
		return "--inputs: an empty column name in the list";
	if (opts_ninputs(o) > OPTS_MAX_INPUTS)
		return "--inputs: more than 64 columns";
	if (o->key != NULL && o->key[0] == '\0')
		return "--key: an empty column name";
	if (o->shard_n > 0 && o->key == NULL)
		return "--shard needs --key";
	if (o->global && o->key == NULL)
		return "--global needs --key";
	if (o->window == 0)
		o->window = o->bptt;
	if (o->window < o->bptt)
		return "--window must be at least --bptt";
	if (o->lr == 0)
		o->lr = optim_default_lr(o->optimizer);
	if (o->dump && o->model == NULL)
		return "--dump needs --model FILE";
	if (o->checkpoint > 0 && o->model == NULL)
		return "--checkpoint needs --model FILE";
	if (o->wait && o->model == NULL)
		return "--wait needs --model FILE";
	if (o->wait && o->no_learn)
		return "--wait has no lock to wait for with --no-learn";
	if (o->no_learn && o->checkpoint > 0)
		return "--checkpoint has nothing to save with --no-learn";
	if (o->prime != NULL && o->prime_file != NULL)
		return "--prime and --prime-file exclude each other";
	if (o->header == HEADER_NO && o->column != NULL && o->column[0] != '\0' &&
	    (o->column[0] < '0' || o->column[0] > '9'))
		return "a column name needs a header line; give its number with --no-header";
	return NULL;
}

int
opts_ninputs(const struct opts *o)
{
	const char *s;
	int n;

	if (o->inputs == NULL)
		return 0;
	for (n = 1, s = o->inputs; *s != '\0'; s++)
		n += *s == ',';
	return n;
}
