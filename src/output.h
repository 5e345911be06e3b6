/*
 * output.h - formatting of numbers and checked writes to standard output.
 *
 * Standard output is fully buffered and flushed whenever rnnfilter is about
 * to wait for input (out_flush() before each read), so an interactive pipe
 * gets every answer at once while a bulk run writes in large blocks.
 */
#ifndef RNNF_OUTPUT_H
#define RNNF_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#define OUT_NUMBER_MAX 40

/* Set up stdout's buffer.  Call once before writing. */
void out_init(void);
/*
 * For tests and fuzzing: write to F instead of standard output from now on
 * (NULL: standard output again), with no write error so far.
 */
void out_open(FILE *f);
/*
 * Format V into BUF (OUT_NUMBER_MAX bytes) with PRECISION significant digits,
 * or, with 0, the fewest digits (at least 7) that read back as the same
 * float.  SCALE, when positive, is the spread of the series V belongs to:
 * where the float would be coarser than 2^-16 of it (a large level that
 * moves little: 1.7e9 seconds, a byte counter), or V lies beyond float's
 * range, the double is written with as many digits as that needs, up to 17.
 * Returns the length.
 */
int out_number(char *buf, double v, int precision, double scale);
void out_write(const void *p, size_t n);
void out_str(const char *s);
void out_char(int c);
/* Flush; returns 0, or an errno value (EPIPE for a closed pipe). */
int out_flush(void);
/* An errno value if a write has failed so far, else 0. */
int out_error(void);

#endif
