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
/*
 * The same for want of memory ("out of memory"): ser_nomem() tells such a
 * failure from the others (a load that failed for it is no bad file).
 */
void ser_fail_nomem(struct ser *s);
int ser_nomem(const struct ser *s);

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
 * A saving ser collects the payload in a growing buffer (ser_buffer()) or
 * hands it on in pieces (ser_new_sink()); a loading ser reads it from a
 * buffer or takes it in pieces from a source (ser_new_load_source()).
 * Compression and checksums are the file's business (modelio.c), not this
 * module's.
 *
 * Ownership: every ser_new_*() returns a ser for ser_free().
 */
struct ser *ser_new_save(void);
/*
 * A saving ser that keeps nothing and counts the payload's bytes
 * (ser_length()): what a save will write, before it is made.
 */
struct ser *ser_new_count(void);
/*
 * The same, failed (ser_failed(), not ser_nomem()) as soon as the count
 * exceeds MAX: the rest of a long payload is not described in vain.
 */
struct ser *ser_new_count_upto(size_t max);
size_t ser_length(const struct ser *s);
/*
 * A saving ser that holds little: whenever it holds CHUNK bytes or more
 * before taking a field, the first CHUNK are handed to PUT (with CTX; 0, or
 * -1 to fail the ser) and dropped.  ser_drain() hands on every whole CHUNK
 * still held (0, or -1 if the ser has failed); what is left, fewer than
 * CHUNK bytes, is ser_buffer()'s for the caller to hand on.
 */
struct ser *ser_new_sink(int (*put)(void *ctx, const void *p, size_t n),
    void *ctx, size_t chunk);
int ser_drain(struct ser *s);
/* The bytes a saving ser holds (N of them), or a loading ser's payload. */
const void *ser_buffer(const struct ser *s, size_t *n);
/* A loading ser over the N bytes at BUF (malloc'd; the ser frees them). */
struct ser *ser_new_load_buf(void *buf, size_t n);
/*
 * A loading ser over a payload of N bytes that GET (with CTX) gives in
 * order as they are read, into a buffer of CHUNK bytes (more only for a
 * field longer than that): GET puts the next N bytes at P and returns 0,
 * -1 out of memory, or 1 if it has not got them.  N is known beforehand
 * (modelio.c inflates the file once to check it and count them), so that
 * ser_remaining() bounds what a describer allocates, as with a buffer.
 */
struct ser *ser_new_load_source(int (*get)(void *ctx, void *p, size_t n),
    void *ctx, size_t n, size_t chunk);
/* A loading ser over a copy of SAVED's payload (a snapshot in memory). */
struct ser *ser_new_load(const struct ser *saved);
/* Drop the last N bytes of a loading ser's payload (N <= ser_remaining()). */
void ser_cut(struct ser *s, size_t n);
void ser_free(struct ser *s);
/* The first error's text (static), or NULL. */
const char *ser_error(const struct ser *s);
/* Bytes not yet read (loading). */
size_t ser_remaining(const struct ser *s);

#endif
