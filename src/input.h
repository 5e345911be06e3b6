/*
 * input.h - a byte source that reads plain and gzip-compressed data alike.
 *
 * The reader never waits for more bytes than one read(2) returns, so a line
 * typed into a pipe (tail -f | rnnfilter) is handed on at once, compressed or
 * not.  Compression is detected from the first two bytes (1f 8b); concatenated
 * gzip members are read one after another, as gzip -d does.
 *
 * Ownership: input_open() returns a handle that the caller must give to
 * input_close(), which frees it and closes the descriptor (but not stdin's).
 */
#ifndef RNNF_INPUT_H
#define RNNF_INPUT_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct input;

/* Open PATH ("-" is standard input).  On failure returns NULL and sets errno. */
struct input *input_open(const char *path);

/*
 * For tests and fuzzing: a reader of bytes in place of read(2) on a file.
 * After input_set_source(OPEN), input_open(PATH) calls OPEN(PATH, &FN,
 * &CTX) instead of open(2): -1 with errno set refuses PATH, 0 makes an input
 * whose bytes come from FN(CTX, BUF, N), which returns as read(2) does.
 * input_set_source(NULL) goes back to files.  CTX stays the caller's.
 */
typedef ssize_t (*input_reader)(void *ctx, void *buf, size_t n);
void input_set_source(int (*open)(const char *path, input_reader *fn,
    void **ctx));

/*
 * Read up to N bytes of (decompressed) data into BUF.  Returns the number of
 * bytes read, 0 at the end of the data, or -1 on error; input_error() then
 * says why ("unexpected end of compressed data", "invalid compressed data:
 * <zlib's message>", or strerror(errno) for a read error).  EINTR is returned
 * as -1 with errno EINTR so that the caller can look at its signal flags.
 */
ssize_t input_read(struct input *in, void *buf, size_t n);

/* The last error's text; borrowed, valid until the next call on IN. */
const char *input_error(const struct input *in);

/* The name for messages: the path, or "stdin" for "-".  Borrowed. */
const char *input_name(const struct input *in);

/* Nonzero if the data is gzip-compressed (known after the first read). */
int input_is_gzip(const struct input *in);

/*
 * input_open(), again while a signal interrupts it (a FIFO without a
 * writer blocks in open(2)) unless *STOP is set (STOP may be NULL): NULL
 * with errno set, EINTR when a stop signal ended the wait.
 */
struct input *input_open_stop(const char *path, volatile sig_atomic_t *stop);

/*
 * The read loop of both modes, so that a signal, a write error and the end
 * of the data end a run alike.  Until IN ends: FLUSH (when not NULL) runs
 * before each read, so that what was delivered is written before the
 * reader waits (tail -f answers per line), and nonzero from it ends the
 * loop; a read interrupted by a signal is tried again unless *STOP is set;
 * each chunk of BUF (CAP bytes) goes to EAT, and nonzero from it ends the
 * loop.  *STOP is looked at before each read.  Returns how the loop ended;
 * after INPUT_READ_ERROR, input_error(IN) says why.
 */
enum input_end {
	INPUT_EOF,		/* the data ended */
	INPUT_STOPPED,		/* *STOP was set */
	INPUT_HALTED,		/* EAT returned nonzero */
	INPUT_FLUSH_FAILED,	/* FLUSH returned nonzero */
	INPUT_READ_ERROR
};
struct input_pump {
	int (*flush)(void);
	volatile sig_atomic_t *stop;
	int (*eat)(void *ctx, const unsigned char *buf, size_t n);
	void *ctx;
	unsigned char *buf;
	size_t cap;
};
enum input_end input_pump(struct input *in, const struct input_pump *p);

/* Close and free IN.  Returns 0, or -1 if close(2) failed. */
int input_close(struct input *in);

#endif
