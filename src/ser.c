/* ser.c - the payload buffer and little-endian numbers; see ser.h. */
#include <stdlib.h>
#include <string.h>
#include "ser.h"

struct ser {
	int loading;
	const char *err;	/* first error, static text */
	int nomem;		/* it is ser_fail_nomem()'s */
	unsigned char *buf;
	size_t len;		/* bytes in buf (saving), or its end (loading) */
	size_t cap;
	size_t pos;		/* next byte to read */
	size_t end;		/* loading: the payload's end, from its start */
	/* ser_new_load_source(): BUF holds the payload from byte BASE on */
	int (*get)(void *ctx, void *p, size_t n);
	void *get_ctx;
	size_t base;
	size_t left;		/* bytes GET has still to give */
	int counting;		/* ser_new_count(): BUF is scratch, TOTAL counts */
	size_t total;
	size_t most;		/* ser_new_count_upto()'s MAX, else 0 */
	/* ser_new_sink(): every CHUNK bytes held are handed to PUT */
	int (*put)(void *ctx, const void *p, size_t n);
	void *put_ctx;
	size_t chunk;
};

int
ser_loading(const struct ser *s)
{
	return s->loading;
}

int
ser_failed(const struct ser *s)
{
	return s->err != NULL;
}

void
ser_fail(struct ser *s, const char *msg)
{
	if (s->err == NULL)
		s->err = msg;
}

void
ser_fail_nomem(struct ser *s)
{
	if (s->err == NULL) {
		s->err = "out of memory";
		s->nomem = 1;
	}
}

int
ser_nomem(const struct ser *s)
{
	return s->nomem;
}

const char *
ser_error(const struct ser *s)
{
	return s->err;
}

size_t
ser_remaining(const struct ser *s)
{
	return s->end - s->base - s->pos;
}

struct ser *
ser_new_save(void)
{
	return calloc(1, sizeof(struct ser));
}

struct ser *
ser_new_load(const struct ser *saved)
{
	struct ser *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->loading = 1;
	if (saved->len > 0) {
		if ((s->buf = malloc(saved->len)) == NULL) {
			free(s);
			return NULL;
		}
		memcpy(s->buf, saved->buf, saved->len);
	}
	s->len = s->cap = s->end = saved->len;
	return s;
}

void
ser_free(struct ser *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}

struct ser *
ser_new_count(void)
{
	struct ser *s = calloc(1, sizeof *s);

	if (s != NULL)
		s->counting = 1;
	return s;
}

struct ser *
ser_new_count_upto(size_t max)
{
	struct ser *s = ser_new_count();

	if (s != NULL)
		s->most = max;
	return s;
}

size_t
ser_length(const struct ser *s)
{
	return s->counting ? s->total : s->len;
}

/* Hand the first CHUNK bytes held to PUT and drop them: 0, or -1. */
static int
hand_chunk(struct ser *s)
{
	if (s->put(s->put_ctx, s->buf, s->chunk) != 0) {
		ser_fail(s, "write error");
		return -1;
	}
	memmove(s->buf, s->buf + s->chunk, s->len - s->chunk);
	s->len -= s->chunk;
	return 0;
}

struct ser *
ser_new_sink(int (*put)(void *ctx, const void *p, size_t n), void *ctx,
    size_t chunk)
{
	struct ser *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->put = put;
	s->put_ctx = ctx;
	s->chunk = chunk;
	return s;
}

int
ser_drain(struct ser *s)
{
	while (s->err == NULL && s->put != NULL && s->len >= s->chunk)
		if (hand_chunk(s) != 0)
			return -1;
	return s->err != NULL ? -1 : 0;
}

const void *
ser_buffer(const struct ser *s, size_t *n)
{
	*n = s->len;
	return s->buf;
}

struct ser *
ser_new_load_buf(void *buf, size_t n)
{
	struct ser *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->loading = 1;
	s->buf = buf;
	s->len = s->cap = s->end = n;
	return s;
}

struct ser *
ser_new_load_source(int (*get)(void *ctx, void *p, size_t n), void *ctx,
    size_t n, size_t chunk)
{
	struct ser *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	if ((s->buf = malloc(chunk > 0 ? chunk : 1)) == NULL) {
		free(s);
		return NULL;
	}
	s->loading = 1;
	s->cap = chunk > 0 ? chunk : 1;
	s->get = get;
	s->get_ctx = ctx;
	s->end = s->left = n;
	return s;
}

void
ser_cut(struct ser *s, size_t n)
{
	s->end -= n;
}

/* Room for N more bytes when saving; NULL after an error. */
static unsigned char *
room(struct ser *s, size_t n)
{
	if (s->err != NULL)
		return NULL;
	if (s->counting) {
		s->total += n;
		s->len = 0;
		if (s->most > 0 && s->total > s->most) {
			ser_fail(s, "longer than the count's limit");
			return NULL;
		}
	}
	while (s->put != NULL && s->len >= s->chunk)
		if (hand_chunk(s) != 0)
			return NULL;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		unsigned char *p;

		while (cap < s->len + n)
			cap *= 2;
		if ((p = realloc(s->buf, cap)) == NULL) {
			ser_fail_nomem(s);
			return NULL;
		}
		s->buf = p;
		s->cap = cap;
	}
	s->len += n;
	return s->buf + s->len - n;
}

/*
 * Have at least N bytes unread in a source's buffer (N <= ser_remaining()):
 * the unread ones moved to its start, the rest of it filled from GET (the
 * buffer grown only for a field longer than it).  0, or -1 with S failed.
 */
static int
fill(struct ser *s, size_t n)
{
	size_t keep = s->len - s->pos, k;
	int rc;

	if (s->get == NULL) {	/* a memory ser holds its whole payload */
		ser_fail(s, "payload ends early");
		return -1;
	}
	memmove(s->buf, s->buf + s->pos, keep);
	s->base += s->pos;
	s->pos = 0;
	s->len = keep;
	if (n > s->cap) {
		unsigned char *p = realloc(s->buf, n);

		if (p == NULL) {
			ser_fail_nomem(s);
			return -1;
		}
		s->buf = p;
		s->cap = n;
	}
	k = s->cap - s->len < s->left ? s->cap - s->len : s->left;
	if (k > 0 && (rc = s->get(s->get_ctx, s->buf + s->len, k)) != 0) {
		if (rc < 0)
			ser_fail_nomem(s);
		else
			ser_fail(s, "payload ends early");
		return -1;
	}
	s->len += k;
	s->left -= k;
	if (s->len < n) {
		ser_fail(s, "payload ends early");
		return -1;
	}
	return 0;
}

/* The next N bytes when loading; NULL after an error. */
static const unsigned char *
take(struct ser *s, size_t n)
{
	if (s->err != NULL)
		return NULL;
	if (ser_remaining(s) < n) {
		ser_fail(s, "payload ends early");
		return NULL;
	}
	if (s->len - s->pos < n && fill(s, n) != 0)
		return NULL;
	s->pos += n;
	return s->buf + s->pos - n;
}

/*
 * The next N bytes when loading, copied to DST a buffer's worth at a time
 * (a long field needs no buffer of its length).
 */
static void
take_into(struct ser *s, void *dst, size_t n)
{
	unsigned char *d = dst;
	size_t k;

	if (s->err != NULL)
		return;
	if (ser_remaining(s) < n) {
		ser_fail(s, "payload ends early");
		return;
	}
	while (n > 0) {
		if (s->len == s->pos && fill(s, 1) != 0)
			return;
		k = s->len - s->pos < n ? s->len - s->pos : n;
		memcpy(d, s->buf + s->pos, k);
		s->pos += k;
		d += k;
		n -= k;
	}
}

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* An unsigned number of N bytes, either way. */
static void
ser_le(struct ser *s, uint64_t *v, int n)
{
	unsigned char *p;
	const unsigned char *q;

	if (s->loading) {
		if ((q = take(s, (size_t)n)) != NULL)
			*v = get_le(q, n);
	} else if ((p = room(s, (size_t)n)) != NULL)
		put_le(p, *v, n);
}

void
ser_u32(struct ser *s, uint32_t *v)
{
	uint64_t x = *v;

	ser_le(s, &x, 4);
	*v = (uint32_t)x;
}

void
ser_u64(struct ser *s, uint64_t *v)
{
	ser_le(s, v, 8);
}

void
ser_int(struct ser *s, int *v)
{
	uint64_t x = (uint32_t)*v;

	ser_le(s, &x, 4);
	*v = (int)(int32_t)(uint32_t)x;
}

void
ser_f64(struct ser *s, double *v)
{
	uint64_t x;

	memcpy(&x, v, sizeof x);
	ser_le(s, &x, 8);
	memcpy(v, &x, sizeof x);
}

static int
little_endian(void)
{
	const uint32_t one = 1;

	return *(const unsigned char *)&one == 1;
}

void
ser_f64s(struct ser *s, double *v, size_t n)
{
	unsigned char *p = NULL;
	size_t i;

	if (!little_endian() || sizeof(double) != 8) {
		for (i = 0; i < n; i++)
			ser_f64(s, &v[i]);
		return;
	}
	if (n > SIZE_MAX / 8) {
		ser_fail(s, "too large");
		return;
	}
	/* the bytes of an IEEE double on a little-endian host, as ser_f64() */
	if (s->loading)
		take_into(s, v, 8 * n);
	else if ((p = room(s, 8 * n)) != NULL)
		memcpy(p, v, 8 * n);
}

void
ser_reals(struct ser *s, real *v, size_t n)
{
	size_t i;
	unsigned char *p = NULL;
	const unsigned char *q = NULL;

	if (n > SIZE_MAX / 4) {
		ser_fail(s, "too large");
		return;
	}
	/* the fast path: the bytes are already float32 LE */
	if (sizeof(real) == 4 && little_endian() && s->loading) {
		take_into(s, v, 4 * n);
		return;
	}
	if (s->loading ? (q = take(s, 4 * n)) == NULL :
	    (p = room(s, 4 * n)) == NULL)
		return;
	if (sizeof(real) == 4 && little_endian()) {
		memcpy(p, v, 4 * n);	/* saving, as above */
		return;
	}
	for (i = 0; i < n; i++) {
		float f;
		uint32_t x;

		if (s->loading) {
			x = (uint32_t)get_le(q + 4 * i, 4);
			memcpy(&f, &x, 4);
			v[i] = (real)f;
		} else {
			f = (float)v[i];
			memcpy(&x, &f, 4);
			put_le(p + 4 * i, x, 4);
		}
	}
}

void
ser_bytes(struct ser *s, void *v, size_t n)
{
	unsigned char *p;

	if (s->loading)
		take_into(s, v, n);
	else if ((p = room(s, n)) != NULL)
		memcpy(p, v, n);
}

/* --- fields with their bounds (see ser.h) --- */

void
ser_enum(struct ser *s, int *v, int lo, int hi)
{
	ser_int(s, v);
	if (ser_loading(s) && (ser_failed(s) || *v < lo || *v > hi)) {
		ser_fail(s, "a setting is out of range");
		*v = lo;
	}
}

void
ser_name(struct ser *s, char *buf, size_t cap, int *len)
{
	uint32_t n = ser_loading(s) ? 0 : (uint32_t)*len;

	ser_u32(s, &n);
	if (ser_loading(s) && (ser_failed(s) || n >= cap)) {
		ser_fail(s, "a name is too long");
		buf[0] = '\0';
		*len = 0;
		return;
	}
	ser_bytes(s, buf, n);
	if (ser_loading(s)) {
		if (ser_failed(s))
			n = 0;
		buf[n] = '\0';
		*len = (int)n;
	}
}

void
ser_str(struct ser *s, char *buf, size_t cap)
{
	int len = ser_loading(s) ? 0 : (int)strnlen(buf, cap - 1);

	ser_name(s, buf, cap, &len);
	if (ser_loading(s) && memchr(buf, '\0', (size_t)len) != NULL) {
		ser_fail(s, "an option's text holds a NUL byte");
		buf[0] = '\0';
	}
}
