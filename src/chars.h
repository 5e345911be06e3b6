/*
 * chars.h - character mode: bytes in, one line per byte (or per input line)
 * out, with the online protocol of rnnfilter(1) run per byte; and sampling
 * of new bytes from the model (--generate).
 *
 * The input is one-hot over the 256 byte values and the head is a 256-way
 * softmax; a byte's surprise is -log2 of the probability the network gave it
 * one step before it arrived.
 *
 * struct charstate is the stream's part of the model state in character
 * mode: the line still open at the end of a run (--per-line), whose mean the
 * next run completes.  It holds no text: with --append the line is echoed as
 * it arrives and its mean is written when it ends, so a stream cut anywhere
 * into chunks gives byte-identical output to one run.
 */
#ifndef RNNF_CHARS_H
#define RNNF_CHARS_H

#include <signal.h>
#include <stdint.h>
#include "online.h"
#include "opts.h"
#include "rerr.h"

struct ser;

struct charstate {
	double line_bits;	/* surprise summed over the open line */
	uint64_t line_bytes;	/* bytes of the open line; 0: none open */
};

/* What --report says about one run (not saved). */
struct charreport {
	uint64_t bytes;
	double net_bits;	/* the network's code length, in bits */
	double order0_bits;	/* adaptive order-0 model, Laplace counts */
	uint64_t deflated;	/* raw deflate -9 of the run's bytes */
	double seconds;		/* wall time of the input's pass */
};

void charstate_init(struct charstate *cs);
/* Describe CS for saving or loading (see ser.h). */
void charstate_ser(struct ser *s, struct charstate *cs);

/*
 * Run the bytes of the files in OP->files (standard input if none; with
 * --generate, not a terminal) through NET, writing per-byte or per-line
 * lines to standard output (nothing with --generate).  CARRY nonzero means
 * the state will be saved, so a line left open at the end stays open in CS
 * for the next run instead of being reported.  REP, if not NULL, is filled
 * for --report.  STOP, if not NULL, is polled between bytes.  HOOK, if not
 * NULL, is called with HOOK_CTX after each byte (main.c's checkpoints and
 * signals, as numstate's hook); a nonzero return ends the run after it.
 * Returns 0 or an exit status with E set.
 */
int chars_run(const struct opts *op, struct online *net, struct charstate *cs,
    int carry, struct charreport *rep, int (*hook)(void *), void *hook_ctx,
    volatile sig_atomic_t *stop, struct rerr *e);

/*
 * --generate: condition on --prime or --prime-file (advance only), then
 * sample OP->generate bytes at OP->temperature with NET's generator, each fed
 * back as the next input, and write them raw to standard output.  The
 * network's state is put back as it was afterwards; only its random
 * generator has moved on.  Returns 0 or an exit status with E set.
 */
int chars_generate(const struct opts *op, struct online *net,
    struct rerr *e);

/* One line of --report text (without newline) into BUF of N bytes. */
void chars_report_format(const struct charreport *rep, char *buf, size_t n);

#endif
