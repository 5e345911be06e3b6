/*
 * fuzz_chars.c - character mode: per byte and --per-line, with --append,
 * then --generate with a --prime taken from the input; each run twice, with
 * whole reads and with reads of random sizes.  Properties as fuzz_numeric:
 * no memory error, nothing depends on the read sizes, a saved model loads
 * and saves again to the same bytes.
 *
 * Input: 4 bytes of options, then the bytes.
 */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opts op;
	struct fz_run whole, cut;
	char prime[16];
	const uint8_t *p[1];
	size_t n[1], np;
	uint64_t seed;

	if (size < 4)
		return 0;
	opts_init(&op);
	op.chars = 1;
	op.given |= GIVEN_CHARS | GIVEN_HIDDEN | GIVEN_BPTT;
	op.quiet = 1;
	op.progress = 0;
	op.per_line = data[0] & 1;
	op.append = data[0] >> 1 & 1;
	op.cell = (enum cell_kind)(data[0] >> 2 & 3);
	op.hidden = 1 + (data[0] >> 4 & 3);
	op.bptt = 1 + (data[1] & 3);
	op.window = op.bptt + (data[1] >> 2 & 3);
	op.optimizer = (enum optim_kind)(data[1] >> 4 & 3);
	op.generate = data[1] >> 6 ? data[1] >> 6 : 0;
	op.temperature = data[0] >> 6 & 1 ? 0 : 1;
	if (op.generate > 0) {
		np = data[2] % sizeof prime;
		if (np > size - 4)
			np = size - 4;
		memcpy(prime, data + 4, np);
		prime[np] = '\0';	/* --prime is a C string */
		if (np > 0 && strlen(prime) > 0)
			op.prime = prime;
	}
	if (opts_check(&op) != NULL)
		return 0;
	seed = (uint64_t)data[3] << 8 | data[2] | 1;
	p[0] = data + 4;
	n[0] = size - 4;

	fz_inputs(p, n, 1, 0);
	fz_run(&op, NULL, 1, &whole);
	fz_inputs(p, n, 1, seed);
	fz_run(&op, NULL, 1, &cut);
	fz_same(&whole, &cut, "the run does not depend on read sizes");
	if (whole.status == 0)
		fz_reload(whole.model, whole.nmodel);
	fz_run_free(&whole);
	fz_run_free(&cut);
	input_set_source(NULL);
	return 0;
}
