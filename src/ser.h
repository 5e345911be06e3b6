/*
 * ser.h - one function per struct serves both saving and loading.
 *
 * A module describes its state once, as a sequence of ser_* calls on its
 * fields; with a saving ser the values are written, with a loading ser they
 * are read back into the same fields.  Numbers are stored little-endian
 * whatever the machine, reals as IEEE float32.  After an error every call is a no-op
 * and ser_failed() is nonzero, so a describer need not check each call.
 */
#ifndef RNNF_SER_H
#define RNNF_SER_H

#include <stddef.h>
#include <stdint.h>
#include "real.h"

struct ser;

int ser_loading(const struct ser *s);
int ser_failed(const struct ser *s);
/* Mark the stream bad (a loaded value out of range); MSG is static text. */
void ser_fail(struct ser *s, const char *msg);

void ser_u32(struct ser *s, uint32_t *v);
void ser_u64(struct ser *s, uint64_t *v);
void ser_int(struct ser *s, int *v);		/* as int32 */
void ser_f64(struct ser *s, double *v);
void ser_f64s(struct ser *s, double *v, size_t n);
void ser_reals(struct ser *s, real *v, size_t n);	/* as float32 */
void ser_bytes(struct ser *s, void *p, size_t n);

/*
 * An int that must lie in LO..HI.  A loaded value out of range fails the
 * stream and is replaced by LO, so that nothing after it (a loop bound, the
 * range of the next value) ever sees it.
 */
void ser_enum(struct ser *s, int *v, int lo, int hi);
/*
 * A name of *LEN bytes (any bytes, NUL included) in BUF of CAP bytes, kept
 * NUL-terminated for messages: u32 length, then the bytes.
 */
void ser_name(struct ser *s, char *buf, size_t cap, int *len);
/* An option's text from the command line: a C string, no NUL inside. */
void ser_str(struct ser *s, char *buf, size_t cap);

/*
 * The payload lives in memory.  A saving ser collects it in a growing
 * buffer; ser_pack() appends its crc32 (little-endian) and compresses it as
 * one gzip member.  A loading ser is made by ser_unpack() from the bytes of
 * a file; ser_check_sum() then verifies and strips the trailing crc32.
 *
 * Ownership: ser_new_save() and ser_unpack() return a ser for ser_free();
 * ser_pack()'s *OUT is malloc'd and the caller frees it.
 */
struct ser *ser_new_save(void);
/*
 * A saving ser that keeps nothing and counts the payload's bytes
 * (ser_length()): what a save will write, before it is made.
 */
struct ser *ser_new_count(void);
size_t ser_length(const struct ser *s);
/*
 * A saving ser that compresses as it is filled and hands the gzip member
 * to WRITE (0, or -1 with errno set) in pieces of about 1 MiB: the bytes
 * ser_pack() makes of a payload above SER_HUFFMAN_MAX, without holding the
 * payload.  ser_finish() appends the crc32 and ends the member: 0, or -1
 * if the ser has failed (a failed WRITE included: errno is its).
 */
struct ser *ser_new_stream(int (*write)(void *ctx, const void *p, size_t n),
    void *ctx);
int ser_finish(struct ser *s);
/* A loading ser over a copy of SAVED's payload (a snapshot in memory). */
struct ser *ser_new_load(const struct ser *saved);
void ser_free(struct ser *s);
/* The first error's text (static), or NULL. */
const char *ser_error(const struct ser *s);
/* Bytes not yet read (loading). */
size_t ser_remaining(const struct ser *s);

/*
 * Payloads up to SER_HUFFMAN_MAX bytes are Huffman-coded (deflate without
 * string matching: float weights have no repeated strings, and their
 * exponent bytes are what compresses); larger ones are stored in the gzip
 * member uncompressed, to keep saving fast (about 20 ms for 12 MB instead
 * of 200).  Returns 0, or -1 if out of memory or the ser has failed.
 */
#define SER_HUFFMAN_MAX (4u << 20)
int ser_pack(struct ser *s, void **out, size_t *outn);

enum ser_unpack_status {
	SER_OK,
	SER_NOMEM,
	SER_NOT_GZIP,		/* does not start as a gzip stream */
	SER_TRUNCATED,		/* the compressed stream ends early */
	SER_BAD_DATA,		/* invalid compressed data */
	SER_BAD_SUM,		/* gzip's or the payload's crc32 does not match */
	SER_TOO_LARGE		/* the payload would exceed the bound */
};

/*
 * Decompress the N bytes at BUF.  PEEK bytes of payload are checked with
 * REJECT as soon as they are there (NULL for none): when it returns nonzero
 * decompression stops and SER_NOT_GZIP is returned, so that a large foreign
 * gzip file is not decompressed.  Decompression stops with SER_TOO_LARGE as
 * soon as the payload would exceed MAX bytes, so that memory is never taken
 * for more than that (see ser_payload_max()).
 */
enum ser_unpack_status ser_unpack(const void *buf, size_t n,
    size_t peek, int (*reject)(const void *payload, size_t n), size_t max,
    struct ser **out);

/*
 * The largest payload ser_pack() makes of N compressed bytes: Huffman
 * coding gives a byte at least one bit (8 to 1), a stored block more than a
 * byte; 64 KiB more for the gzip wrapper and block headers.  A payload that
 * inflates beyond it was not written by ser_pack().
 */
size_t ser_payload_max(size_t n);
/* Check and strip the trailing crc32: 0, or -1 if it does not match. */
int ser_check_sum(struct ser *s);

#endif
