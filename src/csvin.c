/*
 * csvin.c - rows from libcsv, with the line each one starts on.
 *
 * libcsv says neither where a row starts nor where in the buffer it is, so
 * bytes are handed to it in pieces that end just after a CR or an LF.  A
 * row can only end on such a byte, so within one piece at most one row
 * ends, and it ends on the last byte.  That gives three things at once: the
 * line count is exact at every row end, a row start can be found by looking
 * at the piece before libcsv sees it, and a callback asking to stop is
 * always at the end of a piece, so nothing after it has been parsed.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csvin.h"

static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };

struct csvin {
	struct csv_parser csv;
	csvin_row_fn fn;
	void *ctx;
	unsigned char delim;

	/*
	 * The current row.  Field texts are packed, each with its NUL, in
	 * TEXT, which may move while the row grows; so fields are kept as
	 * offsets and made pointers only when the row is handed on.
	 */
	char *text;
	size_t textlen, textcap;
	size_t *off;
	size_t *len;
	char **field;
	size_t nfields, fieldcap;

	unsigned long line;	/* the line now being fed */
	unsigned long rowline;	/* the line the current row started on */
	int inrow;		/* a row has started and not yet ended */
	int broken;		/* the current row lost a field: drop it */
	int bom;		/* BOM bytes held back, or -1 once past them */
	int stop;		/* what the current feed is to return */
	size_t left;		/* bytes of the last feed not parsed */

	/* csvin_keep_raw(): the bytes since the last row ended */
	int keep;
	int raw_over;		/* more than CSVIN_RAW_MAX of them */
	char *raw;
	size_t rawlen, rawcap;
};

/* Keep the piece S..S+N of the row in progress. */
static void
keep_raw(struct csvin *p, const unsigned char *s, size_t n)
{
	char *r;
	size_t cap;

	if (p->raw_over)
		return;
	if (n > CSVIN_RAW_MAX - p->rawlen) {
		p->raw_over = 1;
		return;
	}
	if (p->rawcap - p->rawlen < n) {
		for (cap = p->rawcap ? p->rawcap : 256; cap - p->rawlen < n;)
			cap *= 2;
		if ((r = realloc(p->raw, cap)) == NULL) {
			p->raw_over = 1;
			return;
		}
		p->raw = r;
		p->rawcap = cap;
	}
	memcpy(p->raw + p->rawlen, s, n);
	p->rawlen += n;
}

/* libcsv's own test for blanks it skips before a field. */
static int
is_blank(const struct csvin *p, unsigned char c)
{
	return (c == ' ' || c == '\t') && c != p->delim;
}

static int
grow_fields(struct csvin *p)
{
	size_t cap = p->fieldcap * 2;
	size_t *off, *len;
	char **field;

	if (cap > SIZE_MAX / sizeof(*off))
		return -1;
	if ((off = realloc(p->off, cap * sizeof(*off))) == NULL)
		return -1;
	p->off = off;
	if ((len = realloc(p->len, cap * sizeof(*len))) == NULL)
		return -1;
	p->len = len;
	if ((field = realloc(p->field, cap * sizeof(*field))) == NULL)
		return -1;
	p->field = field;
	p->fieldcap = cap;
	return 0;
}

static int
grow_text(struct csvin *p, size_t need)
{
	size_t cap = p->textcap;
	char *t;

	while (cap - p->textlen < need) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	if ((t = realloc(p->text, cap)) == NULL)
		return -1;
	p->text = t;
	p->textcap = cap;
	return 0;
}

static void
on_field(void *s, size_t n, void *data)
{
	struct csvin *p = data;

	if (p->broken)
		return;
	if ((p->nfields == p->fieldcap && grow_fields(p) == -1) ||
	    n == SIZE_MAX ||
	    (p->textcap - p->textlen < n + 1 && grow_text(p, n + 1) == -1)) {
		p->broken = 1;
		p->stop = CSVIN_ENOMEM;
		return;
	}
	/* S is libcsv's buffer, reused for the next field. */
	if (n > 0)
		memcpy(p->text + p->textlen, s, n);
	p->text[p->textlen + n] = '\0';
	p->off[p->nfields] = p->textlen;
	p->len[p->nfields] = n;
	p->nfields++;
	p->textlen += n + 1;
}

static void
on_row(int c, void *data)
{
	struct csvin *p = data;
	struct csvin_row row;
	size_t i;
	int rc;

	(void)c;
	p->inrow = 0;
	if (p->broken || p->stop != 0) {
		p->broken = 0;
		p->nfields = p->textlen = 0;
		return;
	}
	for (i = 0; i < p->nfields; i++)
		p->field[i] = p->text + p->off[i];
	row.nfields = p->nfields;
	row.field = p->field;
	row.len = p->len;
	row.line = p->rowline;
	row.raw = p->keep && !p->raw_over ? p->raw : NULL;
	row.rawlen = row.raw != NULL ? p->rawlen : 0;
	rc = p->fn(p->ctx, &row);
	p->nfields = p->textlen = 0;
	if (rc != 0)
		p->stop = rc;
}

struct csvin *
csvin_new(unsigned char delim, csvin_row_fn fn, void *ctx)
{
	struct csvin *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (csv_init(&p->csv, CSV_APPEND_NULL) != 0) {
		free(p);
		return NULL;
	}
	csv_set_delim(&p->csv, delim);
	p->delim = delim;
	p->fn = fn;
	p->ctx = ctx;
	p->line = 1;
	p->fieldcap = 16;
	p->textcap = 256;
	p->off = malloc(p->fieldcap * sizeof(*p->off));
	p->len = malloc(p->fieldcap * sizeof(*p->len));
	p->field = malloc(p->fieldcap * sizeof(*p->field));
	p->text = malloc(p->textcap);
	if (p->off == NULL || p->len == NULL || p->field == NULL ||
	    p->text == NULL) {
		csvin_free(p);
		return NULL;
	}
	return p;
}

void
csvin_free(struct csvin *p)
{
	if (p == NULL)
		return;
	csv_free(&p->csv);
	free(p->raw);
	free(p->off);
	free(p->len);
	free(p->field);
	free(p->text);
	free(p);
}

/* Feed libcsv piece by piece (see the top of the file). */
static int
parse(struct csvin *p, const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n, *e, *q;

	while (s < end) {
		for (e = s; e < end && *e != '\n' && *e != '\r'; e++)
			;
		if (e < end)
			e++;
		if (!p->inrow) {
			for (q = s; q < e; q++) {
				if (!is_blank(p, *q) && *q != '\r' &&
				    *q != '\n') {
					p->inrow = 1;
					p->rowline = p->line;
					break;
				}
			}
		}
		if (p->keep)
			keep_raw(p, s, (size_t)(e - s));
		if (csv_parse(&p->csv, s, (size_t)(e - s), on_field, on_row,
		    p) != (size_t)(e - s)) {
			/* Only its buffer growing can fail: not strict. */
			p->broken = p->inrow;
			return CSVIN_ENOMEM;
		}
		if (e[-1] == '\n')
			p->line++;
		s = e;
		/*
		 * A row ended (on this piece's last byte), or a line ended with
		 * none begun.  Not blanks at the end of a read: the row they
		 * start may go on in the next read, and what is kept must not
		 * depend on where reads end.
		 */
		if (p->keep && !p->inrow && (e[-1] == '\n' || e[-1] == '\r'))
			p->rawlen = 0, p->raw_over = 0;
		if (p->stop != 0) {
			p->left = (size_t)(end - s);
			return p->stop;
		}
	}
	return 0;
}

int
csvin_feed(struct csvin *p, const void *buf, size_t n)
{
	const unsigned char *s = buf, *end;
	int held, rc;

	if (n == 0)
		return 0;
	end = s + n;
	p->stop = 0;
	p->left = 0;
	/* The BOM may come a byte at a time, so its prefix is held back. */
	while (p->bom >= 0 && s < end) {
		if (*s != bom[p->bom]) {
			held = p->bom;
			p->bom = -1;
			if ((rc = parse(p, bom, (size_t)held)) != 0)
				return rc;
			break;
		}
		s++;
		if (++p->bom == 3)
			p->bom = -1;
	}
	return parse(p, s, (size_t)(end - s));
}

int
csvin_finish(struct csvin *p)
{
	int rc;

	p->stop = 0;
	if (p->bom > 0) {
		rc = parse(p, bom, (size_t)p->bom);
		p->bom = -1;
		if (rc != 0)
			return rc;
	}
	/* Not strict, so csv_fini cannot fail. */
	csv_fini(&p->csv, on_field, on_row, p);
	p->inrow = 0;
	return p->stop;
}

void
csvin_keep_raw(struct csvin *p)
{
	p->keep = 1;
}

const char *
csvin_pending(struct csvin *p, size_t *n)
{
	/* BOM bytes held back are all there is */
	if (p->bom > 0) {
		*n = (size_t)p->bom;
		return (const char *)bom;
	}
	*n = p->rawlen;
	return p->raw_over ? NULL : p->raw != NULL ? p->raw : "";
}

size_t
csvin_unparsed(const struct csvin *p)
{
	return p->left;
}

static int
is_space_tab(char c)
{
	return c == ' ' || c == '\t';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive in ASCII only, whatever the locale. */
static int
name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/*
 * The common case without strtod: [+-]digits[.digits], at most 15 digits in
 * all.  The digits make an integer m < 10^15, exact in a double, and 10^f is
 * exact for f <= 22, so the one division m / 10^f is correctly rounded: the
 * very double strtod returns (Clinger's fast path).  Returns 0 for anything
 * else, which goes to strtod.
 */
static int
fast_decimal(const char *b, const char *e, double *out)
{
	static const double p10[16] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15
	};
	uint64_t m = 0;
	int neg = 0, nd = 0, nf = 0, dot = 0;

	if (*b == '+' || *b == '-')
		neg = *b++ == '-';
	for (; b < e; b++) {
		if (*b >= '0' && *b <= '9') {
			m = m * 10 + (uint64_t)(*b - '0');
			nf += dot;
			if (++nd > 15)
				return 0;
		} else if (*b == '.' && !dot)
			dot = 1;
		else
			return 0;
	}
	if (nd == 0)
		return 0;
	*out = (double)m / p10[nf];
	if (neg)
		*out = -*out;
	return 1;
}

enum csvin_num
csvin_number(const char *s, size_t len, double *out)
{
	char tmp[128];
	const char *b, *e, *t;
	char *end;
	enum csvin_num rv;
	double d;
	int saved;

	if (len == 0)
		return CSVIN_NUM_EMPTY;
	b = s;
	e = s + len;
	while (b < e && is_space_tab(*b))
		b++;
	while (e > b && is_space_tab(e[-1]))
		e--;
	if (b == e)
		return CSVIN_NUM_EMPTY;

	/* strtod would skip other white space (\n, \r, \v, \f) itself. */
	t = b;
	if (*t == '+' || *t == '-')
		t++;
	if (t == e || !((*t >= '0' && *t <= '9') || *t == '.' ||
	    (*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z')))
		return CSVIN_NUM_BAD;
	if (t[0] == '0' && e - t > 1 && (t[1] == 'x' || t[1] == 'X'))
		return CSVIN_NUM_BAD;
	if (fast_decimal(b, e, out))
		return CSVIN_NUM_OK;

	/*
	 * strtod() wants a NUL after the number, which S need not have at
	 * S[LEN]; so the text is copied when it fits in TMP, as any sensible
	 * number does.  A longer one is read in place, which is safe for a
	 * csvin_row field (it has its NUL) and for any S[LEN] that cannot
	 * continue a number.
	 */
	if ((size_t)(e - b) < sizeof(tmp)) {
		memcpy(tmp, b, (size_t)(e - b));
		tmp[e - b] = '\0';
		e = tmp + (e - b);
		b = tmp;
	}
	saved = errno;
	d = strtod(b, &end);
	errno = saved;
	/* A NUL inside the field stops strtod short of E as well. */
	if (end != e)
		rv = CSVIN_NUM_BAD;
	else if (!isfinite(d))
		rv = CSVIN_NUM_NONFINITE;	/* nan, inf, or overflow */
	else {
		*out = d;
		rv = CSVIN_NUM_OK;
	}
	return rv;
}

enum csvin_num
csvin_number_local(const char *s, size_t len, int decimal_comma,
    int thousands, double *out)
{
	char tmp[128];
	const char *b = s, *e = s + len, *q;
	size_t n = 0, group = 0;
	int seps = 0, in_int = 1, digits = 0;

	if (!decimal_comma && thousands == 0)
		return csvin_number(s, len, out);
	while (b < e && is_space_tab(*b))
		b++;
	while (e > b && is_space_tab(e[-1]))
		e--;
	if (b == e)
		return CSVIN_NUM_EMPTY;
	if ((size_t)(e - b) >= sizeof tmp)
		return CSVIN_NUM_BAD;
	for (q = b; q < e; q++) {
		char c = *q;

		if (in_int && thousands != 0 && c == thousands) {
			/* the groups before: 1 to 3 digits first, then 3 */
			if (digits == 0 || (seps == 0 ? group > 3 : group != 3))
				return CSVIN_NUM_BAD;
			seps++;
			group = 0;
			continue;
		}
		if (c >= '0' && c <= '9') {
			digits += in_int;
			group += (size_t)in_int;
		} else if (c == '+' || c == '-') {
			if (q != b && q[-1] != 'e' && q[-1] != 'E')
				return CSVIN_NUM_BAD;
		} else {
			if (in_int && seps > 0 && group != 3)
				return CSVIN_NUM_BAD;
			in_int = 0;
			if (decimal_comma && c == '.')
				return CSVIN_NUM_BAD;
			if (decimal_comma && c == ',')
				c = '.';
		}
		tmp[n++] = c;
	}
	if (in_int && seps > 0 && group != 3)
		return CSVIN_NUM_BAD;
	return csvin_number(tmp, n, out);
}

/*
 * An index is checked against NFIELDS; a name is looked for among HEADER's
 * fields, and the first one that matches wins.
 */
long
csvin_column(const struct csvin_row *header, size_t nfields, const char *spec)
{
	const char *b, *e, *f, *fe;
	unsigned long idx;
	size_t i;

	if (*spec == '\0')
		return -1;
	if (strspn(spec, "0123456789") == strlen(spec)) {
		idx = 0;
		for (b = spec; *b != '\0'; b++) {
			if (idx > (ULONG_MAX - 9) / 10)
				return -1;
			idx = idx * 10 + (unsigned long)(*b - '0');
		}
		if (idx < 1 || idx > nfields || idx > LONG_MAX)
			return -1;
		return (long)(idx - 1);
	}

	if (header == NULL)
		return -1;
	b = spec;
	e = spec + strlen(spec);
	while (b < e && is_space_tab(*b))
		b++;
	while (e > b && is_space_tab(e[-1]))
		e--;
	if (b == e)
		return -1;
	for (i = 0; i < header->nfields && i <= LONG_MAX; i++) {
		f = header->field[i];
		fe = f + header->len[i];
		while (f < fe && is_space_tab(*f))
			f++;
		while (fe > f && is_space_tab(fe[-1]))
			fe--;
		if (name_eq(b, (size_t)(e - b), f, (size_t)(fe - f)))
			return (long)i;
	}
	return -1;
}
