/* modelio.c - the model file's envelope: save, load, lock; see modelio.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1		/* sync_file_range() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>
#include "crc.h"
#include "modelio.h"
#include "rerr.h"
#include "ser.h"

static const char magic[8] = { 'R', 'N', 'N', 'F', 'I', 'L', 'T', 'R' };

/* --- gzip and the crc32 ----------------------------------------------------- */

/*
 * Payloads up to HUFFMAN_MAX bytes are Huffman-coded (deflate without
 * string matching: float weights have no repeated strings, and their
 * exponent bytes are what compresses); larger ones are stored in the gzip
 * member uncompressed, to keep saving fast (about 20 ms for 12 MB instead
 * of 200).
 */
#define HUFFMAN_MAX (4u << 20)

/*
 * A streaming save (save_stream()) writes the payload in pieces of
 * STREAM_CHUNK bytes, a whole number of stored blocks of 65535 bytes: so
 * the member has the blocks pack() makes of the whole payload in one call.
 * A piece is small enough to be written from the cache it was described
 * into.
 */
#define STORED_MAX 65535u
#define STREAM_CHUNK (4 * STORED_MAX)

static uint32_t
crc_of(const unsigned char *p, size_t n)
{
	return crc_update(0, p, n);
}

/*
 * The payload of saving ser S, with its crc32 appended (little-endian),
 * compressed as one gzip member into *OUT (malloc'd): 0, or -1 if out of
 * memory or the ser has failed.
 */
static int
pack(struct ser *s, void **out, size_t *outn)
{
	z_stream z;
	gz_header gh;
	uint32_t crc;
	const unsigned char *src;
	unsigned char *dst;
	size_t cap, len;
	int rc;

	if (ser_failed(s) || ser_loading(s))
		return -1;
	src = ser_buffer(s, &len);
	crc = crc_of(src, len);
	ser_u32(s, &crc);
	if (ser_failed(s))
		return -1;
	src = ser_buffer(s, &len);
	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip wrapper, so that zcat reads the file */
	if (deflateInit2(&z, len <= HUFFMAN_MAX ? 1 : 0, Z_DEFLATED,
	    15 + 16, 8, Z_HUFFMAN_ONLY) != Z_OK)
		return -1;
	/* a header crc16 too, so that no byte of the file goes unchecked */
	memset(&gh, 0, sizeof gh);
	gh.os = 3;	/* Unix, whatever the machine: the same bytes everywhere */
	gh.hcrc = 1;
	deflateSetHeader(&z, &gh);
	cap = deflateBound(&z, (uLong)len) + 64;
	if ((dst = malloc(cap)) == NULL) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (unsigned char *)(uintptr_t)src;
	z.next_out = dst;
	do {
		size_t in_left = len - (size_t)(z.next_in - src);
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

/*
 * The largest payload pack() makes of N compressed bytes: Huffman coding
 * gives a byte at least one bit (8 to 1), a stored block more than a byte;
 * 64 KiB more for the gzip wrapper and block headers.  A payload that
 * inflates beyond it was not written by pack().
 */
static size_t
payload_max(size_t n)
{
	return n > (SIZE_MAX / 2 - 65536) / 8 ? SIZE_MAX / 2 : 8 * n + 65536;
}

enum unpack_status {
	UNPACK_OK,
	UNPACK_NOMEM,
	UNPACK_NOT_GZIP,	/* does not start as a gzip stream */
	UNPACK_TRUNCATED,	/* the compressed stream ends early */
	UNPACK_BAD_DATA,	/* invalid compressed data */
	UNPACK_BAD_SUM,		/* gzip's crc32 does not match */
	UNPACK_TOO_LARGE	/* the payload would exceed the bound */
};

/*
 * A load inflates the payload twice, a LOAD_CHUNK at a time, and never
 * holds it whole: once (unpack()) to check the gzip member to its end and
 * count the payload's bytes, so that every error of the envelope is found
 * before any of the payload's, as when it was inflated into one buffer;
 * then again as the payload's describer reads it (zsource_get()).  1 MiB:
 * small beside any state worth streaming, large beside inflate's own 32 KiB
 * window, so that a call to it is long.
 */
#define LOAD_CHUNK (1u << 20)

/*
 * When the file is mapped (MAPPED), the pages of it that inflate has read
 * are dropped from the mapping every LOAD_CHUNK or so (from *DONE on,
 * updated), so that they do not stay in the load's memory: they are the
 * page cache's, and come back if read again.
 */
static void
drop_read(const unsigned char *buf, const unsigned char *upto, int mapped,
    size_t *done)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t end;

	if (!mapped || pg <= 0)
		return;
	end = (size_t)(upto - buf) / (size_t)pg * (size_t)pg;
	if (end >= *done + LOAD_CHUNK) {
		(void)madvise((void *)(uintptr_t)(buf + *done), end - *done,
		    MADV_DONTNEED);
		*done = end;
	}
}

/*
 * A member of stored blocks only, as a large model is saved (gzsink), is
 * checked and read without inflate, which copied every byte to take its
 * crc32 in each pass: here the first pass takes the crc32 from the file's
 * own bytes and the second copies them once, into the ser.  STORED_LAST:
 * a block header's BFINAL bit (the other bits 0: a stored block).
 */
#define STORED_LAST 1u

/*
 * The offset of the first block when the N bytes at SRC are a gzip member
 * as gzsink writes them (no extra, name or comment; a header crc16, if
 * any, that matches), else 0.
 */
static size_t
stored_start(const unsigned char *src, size_t n)
{
	size_t at = 10;
	uint32_t c;

	if (n < at || src[0] != 0x1f || src[1] != 0x8b || src[2] != 8 ||
	    (src[3] & ~3u) != 0)
		return 0;
	if (src[3] & 2) {	/* FHCRC */
		if (n < at + 2)
			return 0;
		c = (uint32_t)crc32(0L, src, (uInt)at);
		if (src[at] != (c & 0xff) || src[at + 1] != ((c >> 8) & 0xff))
			return 0;
		at += 2;
	}
	return at;
}

/*
 * The stored block whose header is at SRC + *AT of N bytes: its length in
 * *LEN and 1 if it is the last, 0 if not, -1 if it is no stored block or
 * runs beyond N; *AT then points at its bytes.
 */
static int
stored_block(const unsigned char *src, size_t n, size_t *at, size_t *len)
{
	const unsigned char *h = src + *at;
	unsigned l;

	if (n - *at < 5 || (h[0] & ~STORED_LAST) != 0)
		return -1;
	l = h[1] | (unsigned)h[2] << 8;
	if ((h[3] | (unsigned)h[4] << 8) != (~l & 0xffffu) || n - *at - 5 < l)
		return -1;
	*at += 5;
	*len = l;
	return h[0] & STORED_LAST;
}

/*
 * unpack() of a stored member (FIRST: stored_start()): UNPACK_OK, or
 * UNPACK_NOT_GZIP for a foreign payload; -1 when anything is not as gzsink
 * writes it, for inflate to say what.
 */
static int
stored_check(const unsigned char *src, size_t n, size_t first, int mapped,
    size_t peek, int (*reject)(const void *payload, size_t n), size_t max,
    size_t *lenp, uint32_t *sum)
{
	unsigned char head[16];
	size_t at = first, len = 0, blen, hlen = 0, dropped = 0;
	uint32_t c = 0, isize;
	int last, peeked = 0;

	do {
		if ((last = stored_block(src, n, &at, &blen)) < 0 ||
		    blen > max - len)
			return -1;
		c = crc_update(c, src + at, blen);
		if (hlen < sizeof head) {
			size_t k = sizeof head - hlen < blen ?
			    sizeof head - hlen : blen;

			memcpy(head + hlen, src + at, k);
			hlen += k;
		}
		if (!peeked && hlen >= peek) {
			peeked = 1;
			if (reject(head, hlen))
				return UNPACK_NOT_GZIP;	/* foreign */
		}
		at += blen;
		len += blen;
		drop_read(src, src + at, mapped, &dropped);
	} while (!last);
	if (n - at != 8)
		return -1;
	isize = src[at + 4] | (uint32_t)src[at + 5] << 8 |
	    (uint32_t)src[at + 6] << 16 | (uint32_t)src[at + 7] << 24;
	if ((src[at] | (uint32_t)src[at + 1] << 8 | (uint32_t)src[at + 2] << 16 |
	    (uint32_t)src[at + 3] << 24) != (uint32_t)c ||
	    isize != (uint32_t)len)
		return -1;
	if (!peeked && reject(head, hlen))
		return UNPACK_NOT_GZIP;
	*lenp = len;
	*sum = (uint32_t)c;
	return UNPACK_OK;
}

/*
 * Check the N bytes at BUF (mapped from the file: MAPPED) as one gzip
 * member, and count its payload's bytes into *LEN and their crc32 (gzip's,
 * checked) into *SUM; the payload is inflated into a scratch buffer and
 * dropped, or, when the member is stored blocks as gzsink writes them, its
 * blocks are checked where they are (*STORED: the first one's offset,
 * else 0).  PEEK (at most 16) bytes
 * of payload are checked with REJECT as soon as they are there: when it
 * returns nonzero decompression stops and UNPACK_NOT_GZIP is returned, so
 * that a large foreign gzip file is not decompressed.  Decompression stops
 * with UNPACK_TOO_LARGE as soon as the payload would exceed MAX bytes (see
 * payload_max()).
 */
static enum unpack_status
unpack(const void *buf, size_t n, int mapped, size_t peek,
    int (*reject)(const void *payload, size_t n), size_t max,
    size_t *lenp, uint32_t *sum, size_t *stored)
{
	const unsigned char *src = buf;
	unsigned char *dst, head[16];
	size_t len = 0, hlen = 0, dropped = 0, first;
	z_stream z;
	int rc, peeked = 0;
	enum unpack_status why = UNPACK_OK;	/* stopped before the end */
	size_t used;
	const char *zmsg;

	*lenp = 0;
	if (n < 2)
		return n == 0 || src[0] == 0x1f ? UNPACK_TRUNCATED :
		    UNPACK_NOT_GZIP;
	if (src[0] != 0x1f || src[1] != 0x8b)
		return UNPACK_NOT_GZIP;
	if (peek > sizeof head)
		peek = sizeof head;
	if ((first = stored_start(src, n)) != 0 &&
	    (rc = stored_check(src, n, first, mapped, peek, reject, max, lenp,
	    sum)) >= 0) {
		*stored = first;
		return (enum unpack_status)rc;
	}
	*stored = 0;
	if ((dst = malloc(LOAD_CHUNK)) == NULL)
		return UNPACK_NOMEM;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		free(dst);
		return UNPACK_NOMEM;
	}
	z.next_in = (unsigned char *)(uintptr_t)src;
	for (;;) {
		size_t in_left = n - (size_t)(z.next_in - src);
		/* one byte beyond MAX tells "too large" from "just fits" */
		size_t room = max + 1 - len, got;

		if (len > max) {
			why = UNPACK_TOO_LARGE;
			break;
		}
		z.next_out = dst;
		z.avail_out = room < LOAD_CHUNK ? (uInt)room : LOAD_CHUNK;
		z.avail_in = in_left > (1u << 30) ? 1u << 30 : (uInt)in_left;
		rc = inflate(&z, Z_NO_FLUSH);
		drop_read(src, z.next_in, mapped, &dropped);
		got = (size_t)(z.next_out - dst);
		len += got;
		if (hlen < sizeof head) {
			size_t k = sizeof head - hlen < got ?
			    sizeof head - hlen : got;

			memcpy(head + hlen, dst, k);
			hlen += k;
		}
		if (!peeked && len >= peek) {
			peeked = 1;
			if (reject(head, hlen)) {
				why = UNPACK_NOT_GZIP;	/* foreign */
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
	free(dst);
	if (why == UNPACK_OK && rc == Z_STREAM_END && len > max)
		why = UNPACK_TOO_LARGE;
	used = (size_t)(z.next_in - src);
	zmsg = z.msg;
	*sum = (uint32_t)z.adler;
	inflateEnd(&z);
	if (why == UNPACK_OK && rc == Z_STREAM_END && !peeked &&
	    reject(head, hlen))
		why = UNPACK_NOT_GZIP;
	if (why != UNPACK_OK)
		return why;
	switch (rc) {
	case Z_STREAM_END:
		if (used != n)
			return UNPACK_BAD_DATA;	/* bytes after the member */
		*lenp = len;
		return UNPACK_OK;
	case Z_MEM_ERROR:
		return UNPACK_NOMEM;
	case Z_STREAM_ERROR:
		return UNPACK_TOO_LARGE;
	case Z_NEED_DICT:
		return UNPACK_NOT_GZIP;
	case Z_DATA_ERROR:
		/* "incorrect data check", "incorrect length check",
		 * "header crc mismatch" */
		return zmsg != NULL && (strstr(zmsg, "check") != NULL ||
		    strstr(zmsg, "crc") != NULL) ?
		    UNPACK_BAD_SUM : UNPACK_BAD_DATA;
	default:
		return UNPACK_TRUNCATED;
	}
}

/* The second inflation of a member unpack() has checked. */
struct zsource {
	z_stream z;
	const unsigned char *src;
	size_t n;
	int mapped;
	size_t dropped;		/* see drop_read() */
};

/* ser_new_load_source()'s GET: the next N bytes of payload at P. */
static int
zsource_get(void *ctx, void *p, size_t n)
{
	struct zsource *g = ctx;
	unsigned char *d = p;
	int rc;

	while (n > 0) {
		size_t in_left = g->n - (size_t)(g->z.next_in - g->src);

		g->z.next_out = d;
		g->z.avail_out = n > (1u << 30) ? 1u << 30 : (uInt)n;
		g->z.avail_in = in_left > (1u << 30) ? 1u << 30 :
		    (uInt)in_left;
		rc = inflate(&g->z, Z_NO_FLUSH);
		drop_read(g->src, g->z.next_in, g->mapped, &g->dropped);
		n -= (size_t)(g->z.next_out - d);
		d = g->z.next_out;
		if (rc == Z_MEM_ERROR)
			return -1;
		if (n > 0 && rc != Z_OK)
			return 1;	/* it ended early: not the checked file */
	}
	return 0;
}

/* The second pass over a stored member (unpack()'s *STORED): no inflate. */
struct ssource {
	const unsigned char *src;
	size_t n;
	size_t at;		/* the next byte of the file */
	size_t left;		/* of the block at AT */
	int last;		/* that block is the last */
	int mapped;
	size_t dropped;		/* see drop_read() */
};

/* ser_new_load_source()'s GET: the next N bytes of payload at P. */
static int
ssource_get(void *ctx, void *p, size_t n)
{
	struct ssource *g = ctx;
	unsigned char *d = p;
	size_t k;

	while (n > 0) {
		if (g->left == 0) {
			int r;

			if (g->last ||
			    (r = stored_block(g->src, g->n, &g->at, &g->left)) < 0)
				return 1;	/* not the checked file */
			g->last = r;
			continue;
		}
		k = n < g->left ? n : g->left;
		memcpy(d, g->src + g->at, k);
		d += k;
		n -= k;
		g->at += k;
		g->left -= k;
		drop_read(g->src, g->src + g->at, g->mapped, &g->dropped);
	}
	return 0;
}

/*
 * The crc32 of a message followed by its own crc32 (little-endian) is this
 * constant, and no other 4 bytes after the message give it.
 */
#define CRC_RESIDUE 0x2144df1cu

/*
 * Check and strip the payload's trailing crc32, SUM being the crc32 of the
 * whole payload (gzip's, see unpack()): the trailing one matches the rest
 * exactly when SUM is CRC_RESIDUE, which spares a second pass over the
 * payload.  0, or -1 if it does not match.
 */
static int
check_sum(struct ser *s, uint32_t sum)
{
	if (ser_remaining(s) < 4 || sum != CRC_RESIDUE)
		return -1;
	ser_cut(s, 4);
	return 0;
}

/*
 * A streaming save: the payload's pieces written as they come, in stored
 * deflate blocks of STORED_MAX bytes (gzip, Unix, crc16: the member pack()
 * makes above HUFFMAN_MAX), each piece with one writev() straight from the
 * ser's buffer while it is still in the cache, and one crc32 pass over it
 * that is both the payload's checksum and gzip's.  (Through deflate, level
 * 0 copied every byte twice and the crc32 was taken twice: a save of
 * 100,000 --global keys spent more time there than in describing them.)
 */
struct gzsink {
	int fd;
	int err;		/* the failed write's errno */
	uint32_t crc;		/* of the payload written so far */
	uint32_t isize;		/* its bytes mod 2^32 */
	off_t written;		/* the file's bytes written */
	off_t flushed;		/* of them, those sent to the disk */
};

/*
 * The bytes of a file after which a save asks the kernel to begin writing
 * them out (sync_file_range(), Linux), so that the disk writes while the
 * rest is described rather than all at the fsync: 100,000 keys of --global
 * are gigabytes, about as long to write out as to describe.
 */
#define GZ_FLUSH_STEP ((off_t)64 << 20)

/* After K's file grew by N bytes: the next step out to the disk. */
static void
gzsink_flush(struct gzsink *k, size_t n)
{
	k->written += (off_t)n;
#ifdef SYNC_FILE_RANGE_WRITE
	if (k->written - k->flushed >= GZ_FLUSH_STEP) {
		/* a failure shows at the fsync, which waits for it all */
		(void)sync_file_range(k->fd, k->flushed,
		    k->written - k->flushed, SYNC_FILE_RANGE_WRITE);
		k->flushed = k->written;
	}
#endif
}

/* The blocks of a piece written at once; STREAM_CHUNK / STORED_MAX + 1. */
#define GZ_BLOCKS 8

static int
writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* The gzip header: no name, no time, "fastest", Unix, its crc16. */
static int
gzsink_start(struct gzsink *k)
{
	unsigned char h[12] = { 0x1f, 0x8b, 8, 2, 0, 0, 0, 0, 4, 3 };
	uint32_t c = (uint32_t)crc32(0L, h, 10);
	struct iovec v;

	h[10] = (unsigned char)c;
	h[11] = (unsigned char)(c >> 8);
	v.iov_base = h;
	v.iov_len = sizeof h;
	k->crc = 0;
	k->isize = 0;
	k->written = (off_t)sizeof h;
	k->flushed = 0;
	if (writev_all(k->fd, &v, 1) != 0) {
		k->err = errno;
		return -1;
	}
	return 0;
}

/*
 * The N bytes at P as stored blocks, the last one final with FINISH (then
 * the gzip trailer after it); N at most (GZ_BLOCKS - 1) * STORED_MAX.
 */
static int
gzsink_write(struct gzsink *k, const unsigned char *p, size_t n, int finish)
{
	unsigned char hdr[GZ_BLOCKS][5], tr[8];
	struct iovec v[2 * GZ_BLOCKS + 1];
	int nv = 0, b = 0, i;
	size_t off = 0, len, all = 0;

	k->crc = crc_update(k->crc, p, n);
	k->isize += (uint32_t)n;
	do {
		len = n - off > STORED_MAX ? STORED_MAX : n - off;
		hdr[b][0] = finish && off + len == n;	/* BFINAL, stored */
		hdr[b][1] = (unsigned char)len;
		hdr[b][2] = (unsigned char)(len >> 8);
		hdr[b][3] = (unsigned char)~len;
		hdr[b][4] = (unsigned char)(~len >> 8);
		v[nv].iov_base = hdr[b++];
		v[nv++].iov_len = 5;
		v[nv].iov_base = (void *)(uintptr_t)(p + off);
		v[nv++].iov_len = len;
		off += len;
	} while (off < n);
	if (finish) {
		uint32_t c = k->crc;

		for (i = 0; i < 4; i++) {
			tr[i] = (unsigned char)(c >> 8 * i);
			tr[4 + i] = (unsigned char)(k->isize >> 8 * i);
		}
		v[nv].iov_base = tr;
		v[nv++].iov_len = sizeof tr;
	}
	for (i = 0; i < nv; i++)
		all += v[i].iov_len;
	if (writev_all(k->fd, v, nv) != 0) {
		k->err = errno;
		return -1;
	}
	gzsink_flush(k, all);
	return 0;
}

/* ser_new_sink()'s PUT: a STREAM_CHUNK of payload. */
static int
gzsink_put(void *ctx, const void *p, size_t n)
{
	return gzsink_write(ctx, p, n, 0);
}

/* The rest of S's payload and its crc32, and the member's end: 0 or -1. */
static int
gzsink_finish(struct gzsink *k, struct ser *s)
{
	const void *p;
	size_t n;
	uint32_t crc;

	if (ser_drain(s) != 0)
		return -1;
	p = ser_buffer(s, &n);
	crc = crc_update(k->crc, p, n);
	ser_u32(s, &crc);
	if (ser_failed(s))
		return -1;
	p = ser_buffer(s, &n);
	return gzsink_write(k, p, n, 1);
}

/* --- loading ---------------------------------------------------------------- */

static int
reject_foreign(const void *p, size_t n)
{
	return n < sizeof magic || memcmp(p, magic, sizeof magic) != 0;
}

/*
 * The whole regular file FD (of SIZE bytes when opened) in memory; NULL
 * with errno set.
 */
static void *
slurp(int fd, off_t size, size_t *n)
{
	size_t cap = size > 0 ? (size_t)size + 1 : 4096, len = 0;
	char *buf, *p;
	ssize_t r;

	if ((buf = malloc(cap)) == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {	/* the file grew while it was read */
			if ((p = realloc(buf, 2 * cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*n = len;
	return buf;
}

/* model_unpack() of BUF, mapped from the file if MAPPED. */
static int
unpack_model(const void *buf, size_t n, int mapped, const char *name,
    const struct model_payload *p, struct rerr *e)
{
	struct ser *s;
	struct zsource g;
	struct ssource ss;
	char mg[sizeof magic];
	uint32_t version = 0, sum = 0;
	size_t len, stored;
	int rc;

	rc = unpack(buf, n, mapped, sizeof magic, reject_foreign, payload_max(n),
	    &len, &sum, &stored);
	switch (rc) {
	case UNPACK_OK:
		break;
	case UNPACK_NOMEM:
		return rerr_set(e, EXIT_DATA, "%s: out of memory", name);
	case UNPACK_NOT_GZIP:
		return rerr_set(e, EXIT_MODEL, "%s: not an rnnfilter model", name);
	case UNPACK_TRUNCATED:
		return rerr_set(e, EXIT_MODEL, "%s: truncated model file", name);
	case UNPACK_BAD_DATA:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: invalid compressed data", name);
	case UNPACK_TOO_LARGE:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: it inflates beyond what rnnfilter writes",
		    name);
	default:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: checksum mismatch", name);
	}
	memset(&g, 0, sizeof g);
	memset(&ss, 0, sizeof ss);
	if (stored != 0) {
		ss.src = buf;
		ss.n = n;
		ss.at = stored;
		ss.mapped = mapped;
		s = ser_new_load_source(ssource_get, &ss, len,
		    len < LOAD_CHUNK ? len : LOAD_CHUNK);
	} else {
		g.src = buf;
		g.n = n;
		g.mapped = mapped;
		g.z.next_in = (unsigned char *)(uintptr_t)buf;
		if (inflateInit2(&g.z, 15 + 16) != Z_OK)
			return rerr_set(e, EXIT_DATA, "%s: out of memory", name);
		s = ser_new_load_source(zsource_get, &g, len,
		    len < LOAD_CHUNK ? len : LOAD_CHUNK);
	}
	if (s == NULL) {
		if (stored == 0)
			inflateEnd(&g.z);
		return rerr_set(e, EXIT_DATA, "%s: out of memory", name);
	}
	ser_bytes(s, mg, sizeof mg);
	ser_u32(s, &version);
	if (ser_failed(s)) {
		rc = ser_nomem(s) ?
		    rerr_set(e, EXIT_DATA, "%s: out of memory", name) :
		    rerr_set(e, EXIT_MODEL, "%s: truncated model file", name);
		goto done;
	}
	if (version > MODEL_FORMAT_VERSION || version == 0) {
		rc = rerr_set(e, EXIT_MODEL,
		    "%s: model format version %lu is newer than this rnnfilter's %d",
		    name, (unsigned long)version, MODEL_FORMAT_VERSION);
		goto done;
	}
	if (check_sum(s, sum) != 0) {
		rc = rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: checksum mismatch", name);
		goto done;
	}
	p->describe(s, p->ctx, version);
	if (!ser_failed(s) && ser_remaining(s) != 0)
		ser_fail(s, "data after the end of the model");
	rc = 0;
	if (ser_failed(s))
		rc = rerr_set(e, ser_nomem(s) ?
		    EXIT_DATA : EXIT_MODEL, "%s: corrupt model file: %s", name,
		    ser_error(s));
done:
	ser_free(s);
	if (stored == 0)
		inflateEnd(&g.z);
	return rc;
}

int
model_unpack(const void *buf, size_t n, const char *name,
    const struct model_payload *p, struct rerr *e)
{
	return unpack_model(buf, n, 0, name, p, e);
}

int
model_load(const char *path, const struct model_payload *p, int *found,
    struct rerr *e)
{
	struct stat sb;
	void *buf;
	size_t n;
	int fd, rc;

	*found = 0;
	/* O_NONBLOCK: a FIFO must not hang the run before it is refused */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 0;
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0) {
		rc = errno;
		close(fd);
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(rc));
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return rerr_set(e, EXIT_MODEL, "%s: not a regular file", path);
	}
	/*
	 * Mapped rather than read: inflate reads the page cache itself, and
	 * no copy of the file takes memory (a save replaces the file by a
	 * rename, so the mapped one does not change under the load).
	 */
	if (sb.st_size > 0 && (uintmax_t)sb.st_size <= SIZE_MAX &&
	    (buf = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) != MAP_FAILED) {
		close(fd);
		rc = unpack_model(buf, (size_t)sb.st_size, 1, path, p, e);
		munmap(buf, (size_t)sb.st_size);
	} else {
		buf = slurp(fd, sb.st_size, &n);
		rc = errno;
		close(fd);
		if (buf == NULL)
			return rerr_set(e, EXIT_DATA, "%s: %s", path,
			    strerror(rc));
		rc = model_unpack(buf, n, path, p, e);
		free(buf);
	}
	if (rc != 0)
		return rc;
	*found = 1;
	return 0;
}

int
model_path(const char *path, char **out, struct rerr *e)
{
	char *p, *t, *q;
	struct stat sb;
	ssize_t k;
	size_t cap;
	int hops;

	*out = NULL;
	if ((p = strdup(path)) == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	for (hops = 0; lstat(p, &sb) == 0 && S_ISLNK(sb.st_mode); hops++) {
		if (hops == 40) {
			free(p);
			return rerr_set(e, EXIT_DATA, "%s: %s", path,
			    strerror(ELOOP));
		}
		cap = (size_t)sb.st_size + 1;
		if (cap < 256)
			cap = 256;
		if ((t = malloc(cap)) == NULL) {
			free(p);
			return rerr_set(e, EXIT_DATA, "out of memory");
		}
		if ((k = readlink(p, t, cap)) < 0 || (size_t)k >= cap) {
			int err = k < 0 ? errno : ENAMETOOLONG;

			free(t);
			free(p);
			return rerr_set(e, EXIT_DATA, "%s: %s", path,
			    strerror(err));
		}
		t[k] = '\0';
		/* a relative target is relative to the link's directory */
		if (t[0] != '/' && (q = strrchr(p, '/')) != NULL) {
			size_t dl = (size_t)(q - p) + 1;
			char *j = malloc(dl + (size_t)k + 1);

			if (j == NULL) {
				free(t);
				free(p);
				return rerr_set(e, EXIT_DATA, "out of memory");
			}
			memcpy(j, p, dl);
			memcpy(j + dl, t, (size_t)k + 1);
			free(t);
			t = j;
		}
		free(p);
		p = t;
	}
	*out = p;
	return 0;
}

/* --- saving ----------------------------------------------------------------- */

static int
write_all(int fd, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding PATH, so that the rename is durable. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		/* some file systems cannot fsync a directory: not an error */
		if (rc != 0 && (errno == EINVAL || errno == ENOTSUP))
			rc = 0;
		close(fd);
	}
	free(copy);
	return rc;
}

int
model_pack(const struct model_payload *p, void **out, size_t *n)
{
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	int err;

	if ((s = ser_new_save()) == NULL)
		return -1;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	p->describe(s, p->ctx, version);
	err = pack(s, out, n);
	ser_free(s);
	return err;
}

/*
 * Is P's payload, its crc32 included, above HUFFMAN_MAX (1), or not (0)?
 * -1 when out of memory.  The count stops there: a payload of many keys
 * is not described once more only to be measured.
 */
static int
payload_big(const struct model_payload *p)
{
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	int big;

	if ((s = ser_new_count_upto(HUFFMAN_MAX - 4)) == NULL)
		return -1;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	p->describe(s, p->ctx, version);
	big = ser_nomem(s) ? -1 : ser_failed(s) ? 1 : 0;
	ser_free(s);
	return big;
}

/*
 * P's model file to FD as it is described, in stored pieces (a payload
 * above HUFFMAN_MAX): 0, or an errno (ENOMEM when out of memory).
 */
static int
save_stream(int fd, const struct model_payload *p)
{
	struct gzsink k;
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	int rc;

	k.fd = fd;
	k.err = 0;
	if ((s = ser_new_sink(gzsink_put, &k, STREAM_CHUNK)) == NULL)
		return ENOMEM;
	if (gzsink_start(&k) != 0) {
		ser_free(s);
		return k.err;
	}
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	p->describe(s, p->ctx, version);
	rc = gzsink_finish(&k, s);
	ser_free(s);
	return rc == 0 ? 0 : k.err != 0 ? k.err : ENOMEM;
}

/*
 * A model's payload above HUFFMAN_MAX (many keys) is written as it is
 * described, so that a save takes about 2 MiB more than the run, not twice
 * the model file; a smaller one is made in memory first.
 */
int
model_save(const char *path, const struct model_payload *p, struct rerr *e)
{
	struct stat sb;
	char *tmp;
	void *out = NULL;
	size_t n = 0, len = strlen(path);
	int fd, err, big;
	mode_t mode, mask;

	if ((big = payload_big(p)) < 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	if (!big && model_pack(p, &out, &n) != 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	if ((tmp = malloc(len + sizeof ".tmp-XXXXXX")) == NULL) {
		free(out);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		err = errno;
		free(tmp);
		free(out);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	}
	/*
	 * The new file keeps the old one's permissions, else 0666 & ~umask;
	 * lstat, so that what replaced the file meanwhile (a link to a
	 * device) lends it nothing.
	 */
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		mode = sb.st_mode & 07777;
	else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	err = 0;
	if (fchmod(fd, mode) != 0)
		err = errno;
	else if (big)
		err = save_stream(fd, p);
	else if (write_all(fd, out, n) != 0)
		err = errno;
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0)
		unlink(tmp);
	else if (sync_dir(path) != 0)
		err = errno;
	free(tmp);
	free(out);
	if (err == ENOMEM)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory",
		    path);
	if (err != 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	return 0;
}

/* --- locking ---------------------------------------------------------------- */

/* A save's temporary file can be made beside PATH: 0, or EXIT_DATA. */
static int
probe_save(const char *path, struct rerr *e)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof ".tmp-XXXXXX");
	int fd, err;

	if (tmp == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		err = errno;
		free(tmp);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int
model_lock(const char *path, int wait, volatile sig_atomic_t *stop, int *fdp,
    struct rerr *e)
{
	size_t len = strlen(path);
	char *lk = malloc(len + sizeof ".lock");
	struct stat sb;
	int fd, err;

	if (lk == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	memcpy(lk, path, len);
	memcpy(lk + len, ".lock", sizeof ".lock");
	fd = open(lk, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = errno;
		rerr_set(e, EXIT_DATA, "%s: %s", lk, strerror(err));
		free(lk);
		return e->status;
	}
	free(lk);
	while (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
		err = errno;
		if (err == EINTR && !(stop != NULL && *stop))
			continue;
		close(fd);
		if (err == EINTR)
			return -1;
		if (err == EWOULDBLOCK)
			return rerr_set(e, EXIT_LOCKED,
			    "%s: in use by another run (--wait waits for it)",
			    path);
		return rerr_set(e, EXIT_DATA, "%s: cannot lock: %s", path,
		    strerror(err));
	}
	/*
	 * Can FILE be saved at all?  Found now, before any output, and not
	 * after the run has written predictions that a retry would repeat.
	 */
	if (probe_save(path, e) != 0) {
		close(fd);
		return e->status;
	}
	/* chmod a-w protects a model: it is never replaced */
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & 0222) == 0) {
		close(fd);
		return rerr_set(e, EXIT_DATA,
		    "%s: the model file is read-only (--no-learn uses it as it is)",
		    path);
	}
	*fdp = fd;
	return 0;
}

void
model_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
