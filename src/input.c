/*
 * input.c - plain or gzip bytes from a descriptor, one read(2) at a time.
 *
 * Every input_read() does at most as many read(2) calls as it needs to have
 * one byte to hand back: plain data goes straight from read(2) into the
 * caller's buffer, and gzip data is inflated from the bytes at hand before
 * any more are asked for.  A pipe fed line by line is thus passed on line by
 * line.  The only wait that is not strictly needed is for the byte after a
 * leading 1f, to tell gzip from plain data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "input.h"

#define RAWSIZE	(64 * 1024)

enum state {
	ST_START,	/* nothing read: plain or gzip not yet known */
	ST_PLAIN,
	ST_MEMBER,	/* inside a gzip member */
	ST_BETWEEN,	/* after a member: another one, or the end */
	ST_END,		/* all data handed on */
	ST_FAILED	/* the data is bad; every read fails */
};

struct input {
	int fd;
	int is_stdin;
	int gzip;
	int eof;		/* read(2) has returned 0 */
	enum state state;
	z_stream zs;		/* next_in/avail_in are the unused raw bytes */
	unsigned char *raw;	/* RAWSIZE bytes */
	input_reader rd;	/* in place of read(2) on FD, or NULL */
	void *rctx;
	char *name;
	char err[128];
};

static const char msg_trunc[] = "unexpected end of compressed data";

static int (*source)(const char *, input_reader *, void **);

void
input_set_source(int (*open)(const char *path, input_reader *fn, void **ctx))
{
	source = open;
}

static ssize_t
sys_read(struct input *in, void *buf, size_t n)
{
	return in->rd != NULL ? in->rd(in->rctx, buf, n) : read(in->fd, buf, n);
}

/* A data error: sticky, and errno is never left at a stale EINTR. */
static ssize_t
fail_data(struct input *in, const char *why)
{
	snprintf(in->err, sizeof(in->err), "invalid compressed data: %s", why);
	in->state = ST_FAILED;
	errno = EBADMSG;
	return -1;
}

static ssize_t
fail_trunc(struct input *in)
{
	snprintf(in->err, sizeof(in->err), "%s", msg_trunc);
	in->state = ST_FAILED;
	errno = EBADMSG;
	return -1;
}

/* Not sticky: the caller may try again (EINTR above all). */
static ssize_t
fail_errno(struct input *in)
{
	int e = errno;

	snprintf(in->err, sizeof(in->err), "%s", strerror(e));
	errno = e;
	return -1;
}

/*
 * One read(2) into the raw buffer, after the bytes not yet used (moved to
 * its start).  Returns the count read, 0 at end of file, -1 on error.
 */
static ssize_t
fill(struct input *in)
{
	ssize_t r;

	if (in->eof)
		return 0;
	if (in->zs.avail_in > 0 && in->zs.next_in != in->raw)
		memmove(in->raw, in->zs.next_in, in->zs.avail_in);
	in->zs.next_in = in->raw;
	r = sys_read(in, in->raw + in->zs.avail_in, RAWSIZE - in->zs.avail_in);
	if (r < 0)
		return fail_errno(in);
	if (r == 0)
		in->eof = 1;
	in->zs.avail_in += (uInt)r;
	return r;
}

/*
 * Bring the first two bytes of the data, or of what follows a gzip member,
 * into the raw buffer, or as many as there are.  Returns 0 or -1.
 */
static int
peek2(struct input *in)
{
	while (in->zs.avail_in < 2 && !in->eof) {
		/* A lone first byte other than 1f decides by itself. */
		if (in->zs.avail_in == 1 && in->zs.next_in[0] != 0x1f)
			break;
		if (fill(in) < 0)
			return -1;
	}
	return 0;
}

static int
is_magic(const struct input *in)
{
	return in->zs.avail_in >= 2 && in->zs.next_in[0] == 0x1f &&
	    in->zs.next_in[1] == 0x8b;
}

struct input *
input_open(const char *path)
{
	struct input *in;
	int e;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	in->fd = -1;
	if ((in->raw = malloc(RAWSIZE)) == NULL)
		goto fail;
	if (source != NULL) {
		if (source(path, &in->rd, &in->rctx) != 0)
			goto fail;
		in->is_stdin = 1;	/* no descriptor to close */
		in->name = strdup(path);
	} else if (strcmp(path, "-") == 0) {
		in->is_stdin = 1;
		in->fd = STDIN_FILENO;
		in->name = strdup("stdin");
	} else
		in->name = strdup(path);
	if (in->name == NULL)
		goto fail;
	/*
	 * Set up even for plain data, so that reading allocates nothing
	 * (zlib still allocates its window once, on first use).
	 */
	in->zs.next_in = in->raw;
	if (inflateInit2(&in->zs, 15 + 16) != Z_OK) {
		errno = ENOMEM;
		goto fail;
	}
	if (!in->is_stdin && source == NULL &&
	    (in->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		inflateEnd(&in->zs);
		errno = e;
		goto fail;
	}
	in->state = ST_START;
	return in;
fail:
	e = errno;
	free(in->name);
	free(in->raw);
	free(in);
	errno = e;
	return NULL;
}

static ssize_t
read_plain(struct input *in, void *buf, size_t n)
{
	ssize_t r;

	/* Bytes read while looking for the gzip magic come first. */
	if (in->zs.avail_in > 0) {
		if (n > in->zs.avail_in)
			n = in->zs.avail_in;
		memcpy(buf, in->zs.next_in, n);
		in->zs.next_in += n;
		in->zs.avail_in -= (uInt)n;
		return (ssize_t)n;
	}
	if (in->eof) {
		in->state = ST_END;
		return 0;
	}
	if ((r = sys_read(in, buf, n)) < 0)
		return fail_errno(in);
	if (r == 0) {
		in->eof = 1;
		in->state = ST_END;
	}
	return r;
}

static ssize_t
read_gzip(struct input *in, void *buf, size_t n)
{
	size_t got;
	ssize_t r;
	int rc;

	/* avail_out is a uInt; a short read is always allowed. */
	if (n > 1024 * 1024 * 1024)
		n = 1024 * 1024 * 1024;
	for (;;) {
		if (in->state == ST_BETWEEN) {
			if (peek2(in) < 0)
				return -1;
			if (in->zs.avail_in == 0) {
				in->state = ST_END;
				return 0;
			}
			/* gzip -d carries on with concatenated members. */
			if (!is_magic(in))
				return fail_data(in, "trailing garbage");
			if (inflateReset(&in->zs) != Z_OK)
				return fail_data(in, "cannot reset inflate");
			in->state = ST_MEMBER;
		}

		/*
		 * Inflate even with no input at hand: output held back by
		 * a full buffer last time may still be pending.
		 */
		in->zs.next_out = buf;
		in->zs.avail_out = (uInt)n;
		rc = inflate(&in->zs, Z_NO_FLUSH);
		got = n - in->zs.avail_out;
		switch (rc) {
		case Z_STREAM_END:
			in->state = ST_BETWEEN;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			break;
		case Z_MEM_ERROR:
			snprintf(in->err, sizeof(in->err), "%s",
			    strerror(ENOMEM));
			in->state = ST_FAILED;
			errno = ENOMEM;
			if (got > 0)
				return (ssize_t)got;
			return -1;
		default:
			/* Hand on what came before the error, fail next. */
			fail_data(in, in->zs.msg != NULL ? in->zs.msg :
			    zError(rc));
			if (got > 0)
				return (ssize_t)got;
			return -1;
		}
		if (got > 0)
			return (ssize_t)got;
		/* zlib promises progress when it has input and room. */
		if (rc == Z_BUF_ERROR && in->zs.avail_in > 0)
			return fail_data(in, "inflate made no progress");
		if (in->state == ST_MEMBER && in->zs.avail_in == 0) {
			if ((r = fill(in)) < 0)
				return -1;
			if (r == 0)
				return fail_trunc(in);
		}
	}
}

ssize_t
input_read(struct input *in, void *buf, size_t n)
{
	if (n == 0)
		return 0;
	switch (in->state) {
	case ST_START:
		if (peek2(in) < 0)
			return -1;
		if (is_magic(in)) {
			in->gzip = 1;
			in->state = ST_MEMBER;
		} else
			in->state = ST_PLAIN;
		/* FALLTHROUGH */
	case ST_PLAIN:
	case ST_MEMBER:
	case ST_BETWEEN:
		if (in->gzip)
			return read_gzip(in, buf, n);
		return read_plain(in, buf, n);
	case ST_END:
		return 0;
	case ST_FAILED:
	default:
		errno = EBADMSG;
		return -1;
	}
}

const char *
input_error(const struct input *in)
{
	return in->err;
}

const char *
input_name(const struct input *in)
{
	return in->name;
}

int
input_is_gzip(const struct input *in)
{
	return in->gzip;
}

int
input_close(struct input *in)
{
	int rc = 0, e = 0;

	if (in == NULL)
		return 0;
	if (!in->is_stdin && close(in->fd) == -1) {
		e = errno;
		rc = -1;
	}
	inflateEnd(&in->zs);
	free(in->name);
	free(in->raw);
	free(in);
	if (rc == -1)
		errno = e;
	return rc;
}

struct input *
input_open_stop(const char *path, volatile sig_atomic_t *stop)
{
	struct input *in;

	while ((in = input_open(path)) == NULL && errno == EINTR)
		if (stop != NULL && *stop)
			return NULL;
	return in;
}

enum input_end
input_pump(struct input *in, const struct input_pump *p)
{
	ssize_t n;

	while (!(p->stop != NULL && *p->stop)) {
		if (p->flush != NULL && p->flush() != 0)
			return INPUT_FLUSH_FAILED;
		n = input_read(in, p->buf, p->cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return INPUT_READ_ERROR;
		if (n == 0)
			return INPUT_EOF;
		if (p->eat(p->ctx, p->buf, (size_t)n) != 0)
			return INPUT_HALTED;
	}
	return INPUT_STOPPED;
}
