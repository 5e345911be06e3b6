/* ser.c - the payload buffer, little-endian numbers and gzip; see ser.h. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "ser.h"

/*
 * A streaming save (ser_new_stream()) hands deflate the payload in pieces
 * of STREAM_CHUNK bytes, a whole number of stored blocks of 65535 bytes,
 * with room for all their output: so each call makes whole blocks, and the
 * member has the bytes ser_pack() makes of the whole payload in one call.
 */
#define STORED_MAX 65535u
#define STREAM_CHUNK (16 * STORED_MAX)
#define STREAM_OUT (16 * (STORED_MAX + 5) + 4096)

struct sink {
	int (*write)(void *ctx, const void *p, size_t n);
	void *ctx;
	z_stream z;
	gz_header gh;		/* deflate reads it in its first call */
	unsigned char *out;	/* (STREAM_OUT) */
	uint32_t crc;		/* of the payload handed to deflate */
};

struct ser {
	int loading;
	const char *err;	/* first error, static text */
	unsigned char *buf;
	size_t len;		/* bytes in buf (saving), or its end (loading) */
	size_t cap;
	size_t pos;		/* next byte to read */
	int counting;		/* ser_new_count(): BUF is scratch, TOTAL counts */
	size_t total;
	struct sink *sink;	/* ser_new_stream() */
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

const char *
ser_error(const struct ser *s)
{
	return s->err;
}

size_t
ser_remaining(const struct ser *s)
{
	return s->len - s->pos;
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
	s->len = s->cap = saved->len;
	return s;
}

void
ser_free(struct ser *s)
{
	if (s == NULL)
		return;
	if (s->sink != NULL) {
		deflateEnd(&s->sink->z);
		free(s->sink->out);
		free(s->sink);
	}
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

size_t
ser_length(const struct ser *s)
{
	return s->counting ? s->total : s->len;
}

/* Compress the first N bytes of S's buffer (FINISH: the last) and write. */
static int
sink_feed(struct ser *s, size_t n, int finish)
{
	struct sink *k = s->sink;
	int rc;

	k->z.next_in = s->buf;
	k->z.avail_in = (uInt)n;
	k->z.next_out = k->out;
	k->z.avail_out = STREAM_OUT;
	rc = deflate(&k->z, finish ? Z_FINISH : Z_NO_FLUSH);
	if (k->z.avail_in != 0 || (finish ? rc != Z_STREAM_END : rc != Z_OK)) {
		ser_fail(s, "compression failed");
		return -1;
	}
	if (k->write(k->ctx, k->out, STREAM_OUT - k->z.avail_out) != 0) {
		ser_fail(s, "write error");
		return -1;
	}
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
	return 0;
}

struct ser *
ser_new_stream(int (*write)(void *ctx, const void *p, size_t n), void *ctx)
{
	struct ser *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	if ((s->sink = calloc(1, sizeof *s->sink)) == NULL ||
	    (s->sink->out = malloc(STREAM_OUT)) == NULL) {
		free(s->sink);
		free(s);
		return NULL;
	}
	s->sink->write = write;
	s->sink->ctx = ctx;
	s->sink->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	/* as ser_pack() above SER_HUFFMAN_MAX: stored, gzip, Unix, crc16 */
	if (deflateInit2(&s->sink->z, 0, Z_DEFLATED, 15 + 16, 8,
	    Z_HUFFMAN_ONLY) != Z_OK) {
		free(s->sink->out);
		free(s->sink);
		free(s);
		return NULL;
	}
	s->sink->gh.os = 3;
	s->sink->gh.hcrc = 1;
	deflateSetHeader(&s->sink->z, &s->sink->gh);
	return s;
}

int
ser_finish(struct ser *s)
{
	uint32_t crc;

	if (s->sink == NULL || s->err != NULL)
		return -1;
	while (s->len >= STREAM_CHUNK) {
		s->sink->crc = (uint32_t)crc32(s->sink->crc, s->buf,
		    STREAM_CHUNK);
		if (sink_feed(s, STREAM_CHUNK, 0) != 0)
			return -1;
	}
	crc = (uint32_t)crc32(s->sink->crc, s->buf, (uInt)s->len);
	ser_u32(s, &crc);
	if (s->err != NULL)
		return -1;
	return sink_feed(s, s->len, 1);
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
	}
	while (s->sink != NULL && s->len >= STREAM_CHUNK) {
		s->sink->crc = (uint32_t)crc32(s->sink->crc, s->buf,
		    STREAM_CHUNK);
		if (sink_feed(s, STREAM_CHUNK, 0) != 0)
			return NULL;
	}
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		unsigned char *p;

		while (cap < s->len + n)
			cap *= 2;
		if ((p = realloc(s->buf, cap)) == NULL) {
			ser_fail(s, "out of memory");
			return NULL;
		}
		s->buf = p;
		s->cap = cap;
	}
	s->len += n;
	return s->buf + s->len - n;
}

/* The next N bytes when loading; NULL after an error. */
static const unsigned char *
take(struct ser *s, size_t n)
{
	if (s->err != NULL)
		return NULL;
	if (s->len - s->pos < n) {
		ser_fail(s, "payload ends early");
		return NULL;
	}
	s->pos += n;
	return s->buf + s->pos - n;
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

void
ser_f64s(struct ser *s, double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ser_f64(s, &v[i]);
}

static int
little_endian(void)
{
	const uint32_t one = 1;

	return *(const unsigned char *)&one == 1;
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
	if (s->loading ? (q = take(s, 4 * n)) == NULL :
	    (p = room(s, 4 * n)) == NULL)
		return;
	if (sizeof(real) == 4 && little_endian()) {
		/* the fast path: the bytes are already float32 LE */
		if (s->loading)
			memcpy(v, q, 4 * n);
		else
			memcpy(p, v, 4 * n);
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
	const unsigned char *q;

	if (s->loading) {
		if ((q = take(s, n)) != NULL)
			memcpy(v, q, n);
	} else if ((p = room(s, n)) != NULL)
		memcpy(p, v, n);
}

/* zlib's crc32 takes uInt lengths: feed it in pieces. */
static uint32_t
crc_of(const unsigned char *p, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);

	while (n > 0) {
		uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;

		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)c;
}

int
ser_pack(struct ser *s, void **out, size_t *outn)
{
	z_stream z;
	gz_header gh;
	uint32_t crc;
	unsigned char *dst;
	size_t cap;
	int rc;

	if (s->err != NULL || s->loading)
		return -1;
	crc = crc_of(s->buf, s->len);
	ser_u32(s, &crc);
	if (s->err != NULL)
		return -1;
	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip wrapper, so that zcat reads the file */
	if (deflateInit2(&z, s->len <= SER_HUFFMAN_MAX ? 1 : 0, Z_DEFLATED,
	    15 + 16, 8, Z_HUFFMAN_ONLY) != Z_OK)
		return -1;
	/* a header crc16 too, so that no byte of the file goes unchecked */
	memset(&gh, 0, sizeof gh);
	gh.os = 3;	/* Unix, whatever the machine: the same bytes everywhere */
	gh.hcrc = 1;
	deflateSetHeader(&z, &gh);
	cap = deflateBound(&z, (uLong)s->len) + 64;
	if ((dst = malloc(cap)) == NULL) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = s->buf;
	z.next_out = dst;
	do {
		size_t in_left = s->len - (size_t)((unsigned char *)z.next_in - s->buf);
		size_t out_left = cap - (size_t)(z.next_out - dst);

		z.avail_in = in_left > (1u << 30) ? 1u << 30 : (uInt)in_left;
		z.avail_out = out_left > (1u << 30) ? 1u << 30 : (uInt)out_left;
		rc = deflate(&z, z.avail_in == in_left ? Z_FINISH : Z_NO_FLUSH);
	} while (rc == Z_OK);
	*outn = (size_t)(z.next_out - dst);
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(dst);
		return -1;
	}
	*out = dst;
	return 0;
}

size_t
ser_payload_max(size_t n)
{
	return n > (SIZE_MAX / 2 - 65536) / 8 ? SIZE_MAX / 2 : 8 * n + 65536;
}

enum ser_unpack_status
ser_unpack(const void *buf, size_t n, size_t peek,
    int (*reject)(const void *payload, size_t n), size_t max,
    struct ser **out)
{
	const unsigned char *src = buf;
	struct ser *s;
	z_stream z;
	int rc, peeked = reject == NULL;
	size_t used;
	const char *zmsg;

	*out = NULL;
	if (n < 2)
		return n == 0 || src[0] == 0x1f ? SER_TRUNCATED : SER_NOT_GZIP;
	if (src[0] != 0x1f || src[1] != 0x8b)
		return SER_NOT_GZIP;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return SER_NOMEM;
	s->loading = 1;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		free(s);
		return SER_NOMEM;
	}
	z.next_in = (unsigned char *)(uintptr_t)src;
	for (;;) {
		size_t in_left = n - (size_t)(z.next_in - src);

		if (s->len == s->cap && s->cap > max) {
			rc = Z_STREAM_ERROR;	/* stands for "too large" */
			break;
		}
		if (s->len == s->cap) {
			/*
			 * First guess: gzip's trailer holds the size mod 2^32,
			 * believed when Huffman coding could have made it (at
			 * most 8 to 1); a damaged trailer must not ask for
			 * gigabytes.
			 */
			size_t isize = n >= 18 ? (size_t)get_le(src + n - 4, 4) : 0;
			size_t cap = s->cap ? 2 * s->cap :
			    isize / 8 <= n ? isize + 1 : 2 * n + 4096;
			unsigned char *p;

			/* one byte beyond MAX tells "too large" from "just fits" */
			if (cap > max || cap < s->cap)
				cap = max + 1;
			if ((p = realloc(s->buf, cap)) == NULL) {
				rc = Z_MEM_ERROR;
				break;
			}
			s->buf = p;
			s->cap = cap;
		}
		z.next_out = s->buf + s->len;
		z.avail_out = s->cap - s->len > (1u << 30) ? 1u << 30 :
		    (uInt)(s->cap - s->len);
		z.avail_in = in_left > (1u << 30) ? 1u << 30 : (uInt)in_left;
		rc = inflate(&z, Z_NO_FLUSH);
		s->len = (size_t)(z.next_out - s->buf);
		if (!peeked && s->len >= peek) {
			peeked = 1;
			if (reject(s->buf, s->len)) {
				rc = Z_NEED_DICT;	/* stands for "foreign" */
				break;
			}
		}
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_BUF_ERROR && z.avail_in == 0 && in_left == 0)
			break;	/* all input consumed, stream not ended */
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			break;
	}
	if (rc == Z_STREAM_END && s->len > max)
		rc = Z_STREAM_ERROR;
	used = (size_t)(z.next_in - src);
	zmsg = z.msg;
	inflateEnd(&z);
	if (rc == Z_STREAM_END && !peeked && reject(s->buf, s->len))
		rc = Z_NEED_DICT;
	switch (rc) {
	case Z_STREAM_END:
		if (used != n) {
			ser_free(s);
			return SER_BAD_DATA;	/* bytes after the member */
		}
		*out = s;
		return SER_OK;
	case Z_MEM_ERROR:
		ser_free(s);
		return SER_NOMEM;
	case Z_STREAM_ERROR:
		ser_free(s);
		return SER_TOO_LARGE;
	case Z_NEED_DICT:
		ser_free(s);
		return SER_NOT_GZIP;
	case Z_DATA_ERROR:
		ser_free(s);
		/* "incorrect data check", "incorrect length check",
		 * "header crc mismatch" */
		return zmsg != NULL && (strstr(zmsg, "check") != NULL ||
		    strstr(zmsg, "crc") != NULL) ?
		    SER_BAD_SUM : SER_BAD_DATA;
	default:
		ser_free(s);
		return SER_TRUNCATED;
	}
}

int
ser_check_sum(struct ser *s)
{
	uint32_t want;

	if (s->len - s->pos < 4)
		return -1;
	want = (uint32_t)get_le(s->buf + s->len - 4, 4);
	if (crc_of(s->buf, s->len - 4) != want)
		return -1;
	s->len -= 4;
	return 0;
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
