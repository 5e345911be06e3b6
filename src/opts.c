/* opts.c - defaults and consistency of the options; see opts.h. */
#include <stddef.h>
#include <string.h>
#include "opts.h"

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
	o->ar_order = 13;	/* by measurement: rnnfilter(1), REPORT */
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
