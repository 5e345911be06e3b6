/*
 * fuzz_roundtrip.c - save -> load -> save: a model made from the fuzzer's
 * options and trained on the first part of its input is saved; the saved
 * bytes must load and save again to the very same bytes; and the loaded
 * model, run on the rest of the input, must give the same output, status
 * and saved bytes as the model that never left memory (a stream cut in two
 * runs is one run).
 *
 * Input: 4 bytes of options (the mode among them), the split point, then
 * the data.
 */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opts op, op2;
	struct model m, back;
	struct rerr e;
	struct fz_run first, a, b;
	const uint8_t *p[1];
	size_t n[1], cut;

	if (size < 5)
		return 0;
	opts_init(&op);
	op.quiet = 1;
	op.progress = 0;
	op.chars = data[0] & 1;
	op.cell = (enum cell_kind)(data[0] >> 1 & 3);
	op.hidden = 1 + (data[0] >> 3 & 3);
	op.layers = 1 + (data[0] >> 5 & 1);
	op.bptt = 1 + (data[1] & 3);
	op.window = op.bptt + (data[1] >> 2 & 3);
	op.optimizer = (enum optim_kind)(data[1] >> 4 & 3);
	op.given |= GIVEN_HIDDEN | GIVEN_BPTT;
	if (op.chars) {
		op.given |= GIVEN_CHARS;
		op.per_line = data[2] & 1;
		op.append = data[2] >> 1 & 1;
	} else {
		op.horizon = 1 + (data[2] & 1);
		op.ar_order = data[2] >> 1 & 3;
		op.key = data[2] >> 3 & 1 ? "1" : NULL;
		op.inputs = data[2] >> 4 & 1 ? "2" : NULL;
		op.predict = data[2] >> 5 & 1 ? PREDICT_LEVEL : PREDICT_CHANGE;
		op.append = data[2] >> 6 & 1;
	}
	if (opts_check(&op) != NULL)
		return 0;
	cut = (size - 5) * data[4] / 256;
	data += 5;
	size -= 5;

	/* the first part, then the model saved */
	memset(&e, 0, sizeof e);
	if (run_create(&m, &op, &e) != 0)
		return 0;
	p[0] = data;
	n[0] = cut;
	fz_inputs(p, n, 1, 0);
	op2 = op;
	fz_run(&op2, &m, 1, &first);
	if (first.status != 0) {
		fz_run_free(&first);
		run_release(&m);
		input_set_source(NULL);
		return 0;
	}
	fz_reload(first.model, first.nmodel);
	FZ_ASSERT(run_unpack(first.model, first.nmodel, "m.rnn", &back,
	    &e) == 0, "the saved model loads");

	/* the rest, in memory and through the file */
	p[0] = data + cut;
	n[0] = size - cut;
	fz_inputs(p, n, 1, 0);
	op2 = op;
	fz_run(&op2, &m, 1, &a);
	fz_inputs(p, n, 1, 0);
	op2 = op;
	run_apply(&back, &op2);
	FZ_ASSERT(opts_check(&op2) == NULL, "a loaded model's options");
	fz_run(&op2, &back, 1, &b);
	fz_same(&a, &b, "a run resumed from the file is the run in memory");
	fz_run_free(&first);
	fz_run_free(&a);
	fz_run_free(&b);
	run_release(&m);
	run_release(&back);
	input_set_source(NULL);
	return 0;
}
