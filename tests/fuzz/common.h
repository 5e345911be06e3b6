/*
 * common.h - what the libFuzzer harnesses share: inputs served from memory
 * in read sizes of the fuzzer's choosing, standard output captured, and
 * runs of the numeric and character modes as main.c makes them, through
 * the library's functions (nothing here exits).
 *
 * Each harness is one file that includes this one and defines
 * LLVMFuzzerTestOneInput; see tests/fuzz/README.md.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chars.h"
#include "input.h"
#include "dump.h"
#include "modelio.h"
#include "run.h"
#include "numeric.h"
#include "opts.h"
#include "output.h"
#include "rerr.h"

/* A failed property: abort, which libFuzzer reports with the input. */
#define FZ_ASSERT(c, what) do { \
	if (!(c)) { \
		fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", what, \
		    __FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

/* --- inputs from memory ------------------------------------------------- */

#define FZ_FILES 3

struct fz_src {
	const uint8_t *p;
	size_t n, pos;
};

static struct fz_src fz_src[FZ_FILES];
static uint64_t fz_rs;		/* read sizes: 0 for whole reads */

static uint64_t
fz_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static ssize_t
fz_read(void *ctx, void *buf, size_t n)
{
	struct fz_src *s = ctx;
	size_t k = s->n - s->pos;

	if (fz_rs != 0) {
		uint64_t r = fz_next(&fz_rs);
		/* mostly short reads, now and then a long one */
		size_t lim = (r & 7) == 0 ? 4096 : (size_t)(r >> 8) % 17 + 1;

		if (k > lim)
			k = lim;
	}
	if (k > n)
		k = n;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

/* input_open()'s source: "in0", "in1", "in2" are the buffers. */
static int
fz_open(const char *path, input_reader *fn, void **ctx)
{
	if (strncmp(path, "in", 2) != 0 || path[2] < '0' ||
	    path[2] >= '0' + FZ_FILES || path[3] != '\0') {
		errno = ENOENT;
		return -1;
	}
	*fn = fz_read;
	*ctx = &fz_src[path[2] - '0'];
	fz_src[path[2] - '0'].pos = 0;
	return 0;
}

static char *const fz_lists[FZ_FILES + 1][FZ_FILES + 1] = {
	{ NULL }, { "in0", NULL }, { "in0", "in1", NULL },
	{ "in0", "in1", "in2", NULL }
};

/* Serve N buffers as in0.. with read sizes from SEED (0: whole reads). */
static void
fz_inputs(const uint8_t *const *p, const size_t *n, int nfiles, uint64_t seed)
{
	int i;

	for (i = 0; i < FZ_FILES; i++) {
		fz_src[i].p = i < nfiles ? p[i] : NULL;
		fz_src[i].n = i < nfiles ? n[i] : 0;
		fz_src[i].pos = 0;
	}
	fz_rs = seed;
	input_set_source(fz_open);
}

/* --- standard output captured ------------------------------------------- */

struct fz_out {
	FILE *f;
	char *buf;
	size_t n;
};

static void
fz_capture(struct fz_out *o)
{
	o->buf = NULL;
	o->n = 0;
	o->f = open_memstream(&o->buf, &o->n);
	FZ_ASSERT(o->f != NULL, "open_memstream");
	out_open(o->f);
}

static void
fz_release(struct fz_out *o)
{
	out_flush();
	out_open(NULL);
	fclose(o->f);
}

/* --- one run --------------------------------------------------------------- */

/* numeric_run()'s HOLD: main.c's when it will save the model */
static int fz_hold = 1;

struct fz_run {
	int status;
	char msg[sizeof ((struct rerr *)0)->msg];
	char *out;		/* what was written, malloc'd */
	size_t nout;
	void *model;		/* the model file's bytes after a run of status 0 */
	size_t nmodel;
};

static void
fz_run_free(struct fz_run *r)
{
	free(r->out);
	free(r->model);
	memset(r, 0, sizeof *r);
}

/*
 * The run of main.c for OP over NFILES inputs, on model M (made from OP
 * when NULL): learning, the forecasts, then the model file's bytes.  M, if
 * given, is used and left for the caller.
 */
static void
fz_run(struct opts *op, struct model *given, int nfiles, struct fz_run *r)
{
	struct model mine, *m = given != NULL ? given : &mine;
	struct rerr e;
	struct fz_out o;

	memset(r, 0, sizeof *r);
	memset(&e, 0, sizeof e);
	op->files = fz_lists[nfiles < 0 ? 0 : nfiles > FZ_FILES ? FZ_FILES :
	    nfiles];
	if (given == NULL && run_create(m, op, &e) != 0) {
		r->status = e.status;
		return;
	}
	fz_capture(&o);
	if (op->chars) {
		chars_run(op, m->net, m->cs, 1, NULL, NULL, NULL, NULL, &e);
		if (e.status == 0 && op->generate > 0)
			chars_generate(op, m->net, &e);
	} else {
		numeric_run(op, m->net, m->num, fz_hold, NULL, &e);
		if (e.status == 0 && op->forecast > 0)
			numeric_forecast(op, m->net, m->num, op->forecast, &e);
	}
	fz_release(&o);
	r->status = e.status;
	memcpy(r->msg, e.msg, sizeof r->msg);
	r->out = o.buf;
	r->nout = o.n;
	if (e.status == 0)
		FZ_ASSERT(run_pack(m, &r->model, &r->nmodel) == 0,
		    "run_pack");
	if (given == NULL)
		run_release(m);
}

/* Two runs must agree on everything (inline: not every harness compares). */
static inline void
fz_same(const struct fz_run *a, const struct fz_run *b, const char *what)
{
	if (a->status != b->status || strcmp(a->msg, b->msg) != 0 ||
	    a->nout != b->nout || memcmp(a->out, b->out, a->nout) != 0 ||
	    a->nmodel != b->nmodel ||
	    (a->nmodel > 0 && memcmp(a->model, b->model, a->nmodel) != 0)) {
		fprintf(stderr, "status %d / %d\nmsg '%s' / '%s'\nout %zu / %zu "
		    "bytes, model %zu / %zu bytes\n", a->status, b->status,
		    a->msg, b->msg, a->nout, b->nout, a->nmodel, b->nmodel);
		FZ_ASSERT(0, what);
	}
}

/*
 * A model file that a run of status 0 saved must load, and save again to
 * the very same bytes.
 */
static void
fz_reload(const void *bytes, size_t n)
{
	struct model m;
	struct rerr e;
	void *again = NULL;
	size_t n2 = 0;

	memset(&e, 0, sizeof e);
	if (run_unpack(bytes, n, "saved", &m, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		FZ_ASSERT(0, "a saved model loads");
	}
	FZ_ASSERT(run_pack(&m, &again, &n2) == 0, "run_pack");
	FZ_ASSERT(n2 == n && memcmp(again, bytes, n) == 0,
	    "save -> load -> save gives the same bytes");
	free(again);
	run_release(&m);
}
