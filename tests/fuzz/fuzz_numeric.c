/*
 * fuzz_numeric.c - the numeric CSV path end to end: header detection,
 * column choice, --key, --append, --inputs, --forecast, over one or two
 * files, each run twice: with whole reads and with reads of random sizes.
 * Properties: no memory error (ASan, UBSan); the output, the status, the
 * message and the saved model do not depend on the read sizes; a run of
 * status 0 saves a model that loads and saves again to the same bytes.
 *
 * Input: 7 bytes of options (see below), then the CSV bytes; with two files
 * the 7th byte says where the second begins.
 */
#include "common.h"

static const char *const columns[] = {
	NULL, "1", "2", "3", "a", "b", "v", "close", "Close", "k", "x", "0",
	"99", " value ", "id"
};
static const char *const inputs[] = {
	NULL, "1", "2", "3", "a", "b", "2,3", "b,c", "1,2,3", "a,b", " v",
	"4", "k", "id,v"
};
static const char *const keys[] = { NULL, "1", "2", "k", "a", "id", "3" };
static const unsigned char delims[] = { ',', ';', '\t', ' ' };

#define N(a) (sizeof (a) / sizeof (a)[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opts op;
	struct fz_run whole, cut;
	const uint8_t *p[2];
	size_t n[2];
	uint64_t seed;
	int nfiles;

	if (size < 7)
		return 0;
	opts_init(&op);
	op.quiet = 1;
	op.progress = 0;
	op.hidden = 2 + (data[4] >> 6);
	op.bptt = 1 + (data[3] & 3);
	op.window = op.bptt + (data[3] >> 2 & 1);
	op.ar_order = data[3] >> 3 & 3;
	op.append = data[0] & 1;
	op.output = (enum outfmt)(data[0] >> 1 & 3) % 3;
	op.forecast = data[0] >> 3 & 1 ? 2 : 0;
	op.header = (enum header_mode)((data[0] >> 4 & 3) % 3);
	nfiles = data[0] >> 6 & 1 ? 2 : 1;
	op.horizon = data[0] >> 7 ? 2 : 1;
	if (op.horizon > 1)
		op.forecast = 0;
	op.column = columns[data[1] % N(columns)];
	op.inputs = inputs[data[2] % N(inputs)];
	op.key = keys[(data[3] >> 5) % N(keys)];
	if (op.key != NULL && (data[5] & 1)) {
		op.shard_n = 2;
		op.shard_i = data[5] >> 1 & 1;
	}
	op.cell = (enum cell_kind)(data[4] & 3);
	op.predict = data[4] >> 2 & 1 ? PREDICT_LEVEL : PREDICT_CHANGE;
	op.normalize = data[4] >> 3 & 1 ? NORM_NONE : NORM_RUNNING;
	op.delimiter = delims[data[4] >> 4 & 3];
	if (op.inputs != NULL)
		op.given |= GIVEN_INPUTS;
	if (op.key != NULL)
		op.given |= GIVEN_KEY;
	if (opts_check(&op) != NULL)
		return 0;	/* main.c: a usage error before any input */
	/* without -m, the bytes after the last line end are a last row */
	fz_hold = !(data[5] >> 2 & 1);
	seed = (uint64_t)data[5] << 8 | data[6] | 1;
	data += 7;
	size -= 7;
	p[0] = data;
	n[0] = size;
	if (nfiles == 2) {
		n[0] = size * data[-1] / 256;
		p[1] = data + n[0];
		n[1] = size - n[0];
	}

	fz_inputs(p, n, nfiles, 0);
	fz_run(&op, NULL, nfiles, &whole);
	fz_inputs(p, n, nfiles, seed);
	fz_run(&op, NULL, nfiles, &cut);
	fz_same(&whole, &cut, "the run does not depend on read sizes");
	if (whole.status == 0)
		fz_reload(whole.model, whole.nmodel);
	fz_run_free(&whole);
	fz_run_free(&cut);
	input_set_source(NULL);
	return 0;
}
