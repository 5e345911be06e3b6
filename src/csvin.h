/*
 * csvin.h - a streaming CSV row splitter over libcsv, and the strict field
 * conversions the numeric mode needs.
 *
 * Bytes are pushed in with csvin_feed() in chunks of any size; every complete
 * row is handed to the row callback as soon as its line ends, so nothing but
 * the current row is ever held in memory.  A UTF-8 byte order mark before the
 * first field is dropped; CRLF and LF line ends are both accepted; blank lines
 * are skipped (they are not rows).  Quoted fields follow RFC 4180.
 *
 * Ownership: csvin_new() returns a parser for csvin_free().  The row passed to
 * the callback and its strings are borrowed: valid only during the call.
 */
#ifndef RNNF_CSVIN_H
#define RNNF_CSVIN_H

#include <stddef.h>

struct csvin_row {
	size_t nfields;
	char *const *field;	/* NUL-terminated field texts, quotes removed */
	const size_t *len;	/* their lengths (a field may hold a NUL byte) */
	unsigned long line;	/* 1-based physical line on which the row starts */
	/* with csvin_keep_raw(): the row's bytes as read, its line end (CR or
	 * LF, none at the end of data) included; else NULL */
	const char *raw;
	size_t rawlen;
};

/* Return 0 to go on, nonzero to stop: csvin_feed() returns that value. */
typedef int (*csvin_row_fn)(void *ctx, const struct csvin_row *row);

struct csvin;

/* A parser splitting on DELIM.  NULL when out of memory. */
struct csvin *csvin_new(unsigned char delim, csvin_row_fn fn, void *ctx);
void csvin_free(struct csvin *p);

/*
 * Parse N bytes.  Returns 0, the callback's nonzero value (parsing stops
 * there; the rest of BUF is dropped), or CSVIN_ENOMEM.
 */
int csvin_feed(struct csvin *p, const void *buf, size_t n);

/* End of data: hands on a last row that has no line end.  Same returns. */
int csvin_finish(struct csvin *p);

/*
 * Keeping the unfinished row, for a stream cut anywhere: after
 * csvin_keep_raw(), the parser keeps the bytes fed since the last row
 * ended (at most CSVIN_RAW_MAX), and csvin_pending() returns them instead
 * of csvin_finish() parsing them: fed first to a new parser, they make it
 * go on exactly where this one stopped.  *N is set; NULL when the bytes
 * were more than CSVIN_RAW_MAX.  Borrowed until the next feed.
 * csvin_unparsed() is the number of bytes at the end of the last feed's
 * buffer left unparsed because the callback asked to stop.
 */
#define CSVIN_RAW_MAX (1u << 20)
void csvin_keep_raw(struct csvin *p);
const char *csvin_pending(struct csvin *p, size_t *n);
size_t csvin_unparsed(const struct csvin *p);

#define CSVIN_ENOMEM (-1000)

enum csvin_num {
	CSVIN_NUM_OK,		/* a finite number */
	CSVIN_NUM_EMPTY,	/* empty or only blanks: a missing value */
	CSVIN_NUM_BAD,		/* not a number */
	CSVIN_NUM_NONFINITE	/* nan, inf, or out of double's range */
};

/*
 * Convert a field to a double, strictly: leading and trailing blanks are
 * allowed, anything else that strtod() does not consume is not.  Hex floats
 * and "nan"/"inf" are refused (NONFINITE for the latter).  Never touches
 * errno as seen by the caller.
 */
enum csvin_num csvin_number(const char *s, size_t len, double *out);

/*
 * The same with a local spelling: DECIMAL_COMMA reads "3,14" (and refuses a
 * '.'); THOUSANDS, when not 0, is a separator dropped between groups of
 * three digits of the integer part ("1,234,567.5"; "12,34" is not a number).
 */
enum csvin_num csvin_number_local(const char *s, size_t len, int decimal_comma,
    int thousands, double *out);

/*
 * Find the column named by SPEC in HEADER (may be NULL when there is none):
 * a 1-based index ("3"), or a header name compared case-insensitively after
 * trimming blanks.  Returns the 0-based index, or -1 if there is no such
 * column (an index beyond NFIELDS, or an unknown name).
 */
long csvin_column(const struct csvin_row *header, size_t nfields, const char *spec);

#endif
