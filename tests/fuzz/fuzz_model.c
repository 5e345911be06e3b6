/*
 * fuzz_model.c - the model loader, as a file from anywhere: the first byte
 * chooses between the raw bytes of a model file and a payload behind a
 * recomputed crc32 (the harness adds the magic, the crc32 and the gzip
 * wrapper, so that the parser itself is reached, not the checksum).  A
 * model that loads is then dumped (--dump), applied to the options as
 * main.c does, run on a few rows or bytes with learning, forecast, and
 * saved: that save must load and save again to the same bytes.
 * Properties: no memory error, no leak, a message for every refusal.
 */
#include <zlib.h>

#include "common.h"

static const char magic[8] = { 'R', 'N', 'N', 'F', 'I', 'L', 'T', 'R' };

/* magic | P (N bytes) | crc32 of both, as one gzip member (stored). */
static void *
wrap(const uint8_t *p, size_t n, size_t *outn)
{
	size_t len = sizeof magic + n + 4;
	unsigned char *pl = malloc(len), *out;
	uLong crc;
	z_stream z;
	size_t cap;
	int i;

	FZ_ASSERT(pl != NULL, "malloc");
	memcpy(pl, magic, sizeof magic);
	if (n > 0)
		memcpy(pl + sizeof magic, p, n);
	crc = crc32(0L, pl, (uInt)(sizeof magic + n));
	for (i = 0; i < 4; i++)
		pl[sizeof magic + n + i] = (unsigned char)(crc >> (8 * i));
	memset(&z, 0, sizeof z);
	FZ_ASSERT(deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8,
	    Z_HUFFMAN_ONLY) == Z_OK, "deflateInit2");
	cap = deflateBound(&z, (uLong)len) + 64;
	out = malloc(cap);
	FZ_ASSERT(out != NULL, "malloc");
	z.next_in = pl;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	FZ_ASSERT(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
	*outn = cap - z.avail_out;
	deflateEnd(&z);
	free(pl);
	return out;
}

/* Rows for a loaded numeric model: NCOLS numbers a line, a header first. */
static size_t
rows(char *buf, size_t cap, int ncols, int header)
{
	size_t n = 0;
	int r, c;

	if (ncols < 1)
		ncols = 1;
	if (ncols > 16)
		ncols = 16;
	for (r = header ? -1 : 0; r < 6; r++) {
		for (c = 0; c < ncols && n + 16 < cap; c++)
			n += (size_t)snprintf(buf + n, cap - n, "%s%d",
			    c ? "," : "", r < 0 ? c : (r * 7 + c * 3) % 11);
		buf[n++] = '\n';
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] = "hello world\nabc\n\001\377";
	struct model m;
	struct rerr e;
	struct opts op;
	struct fz_run r;
	struct fz_out o;
	char in[1024];
	const uint8_t *p[1];
	size_t n[1], nf;
	void *file;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		file = wrap(data + 1, size - 1, &nf);
	else {
		nf = size - 1;
		file = malloc(nf + 1);
		FZ_ASSERT(file != NULL, "malloc");
		memcpy(file, data + 1, nf);
	}
	memset(&e, 0, sizeof e);
	rc = run_unpack(file, nf, "m.rnn", &m, &e);
	free(file);
	if (rc != 0) {
		FZ_ASSERT(e.status != 0 && e.msg[0] != '\0',
		    "a refusal has a status and a message");
		return 0;
	}

	fz_capture(&o);
	FZ_ASSERT(dump_json(&m, o.f) == 0, "--dump");
	fz_release(&o);
	free(o.buf);

	opts_init(&op);
	op.quiet = 1;
	op.progress = 0;
	if (run_conflicts("m.rnn", &m, &op, &e) != 0) {
		run_release(&m);
		return 0;
	}
	run_apply(&m, &op);
	if (opts_check(&op) != NULL) {
		run_release(&m);
		return 0;
	}
	if (!op.chars)
		op.forecast = op.horizon == 1 ? 2 : 0;
	if (op.chars) {
		p[0] = (const uint8_t *)text;
		n[0] = sizeof text - 1;
	} else {
		p[0] = (const uint8_t *)in;
		n[0] = rows(in, sizeof in, m.num->col.ncols, data[0] >> 1 & 1);
	}
	fz_inputs(p, n, 1, data[0] >> 2 & 1 ? 12345 : 0);
	fz_run(&op, &m, 1, &r);
	if (r.status == 0)
		fz_reload(r.model, r.nmodel);
	fz_run_free(&r);
	input_set_source(NULL);
	run_release(&m);
	return 0;
}
