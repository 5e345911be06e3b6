/*
 * csvin_test.c - unit tests for csvin.c.
 *
 * Each case is parsed three ways (whole, a byte at a time, in pieces of
 * three bytes) and the rows are written out as "LINE:f1|f2|..." one per
 * line, with a NUL shown as "\0", so that the expected results read as the
 * data does.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"

static const char *testname = "";

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "csvin_test: %s: ", testname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

struct out {
	char text[131072];
	size_t n;
	unsigned long stop_line;	/* return STOP_RC on this row's line */
	int stop_rc;
	int rows;
};

static void
out_add(struct out *o, const char *p, size_t n)
{
	if (o->n + n >= sizeof(o->text))
		fail("output too long");
	memcpy(o->text + o->n, p, n);
	o->n += n;
	o->text[o->n] = '\0';
}

static int
on_row(void *ctx, const struct csvin_row *row)
{
	struct out *o = ctx;
	char num[32];
	size_t i, j;

	o->rows++;
	snprintf(num, sizeof(num), "%lu:", row->line);
	out_add(o, num, strlen(num));
	for (i = 0; i < row->nfields; i++) {
		if (i > 0)
			out_add(o, "|", 1);
		if (row->field[i][row->len[i]] != '\0')
			fail("field %zu not NUL-terminated", i);
		for (j = 0; j < row->len[i]; j++) {
			if (row->field[i][j] == '\0')
				out_add(o, "\\0", 2);
			else
				out_add(o, &row->field[i][j], 1);
		}
	}
	out_add(o, "\n", 1);
	if (o->stop_line != 0 && row->line == o->stop_line)
		return o->stop_rc;
	return 0;
}

/*
 * Parse N bytes of DATA in pieces of STEP (0: all at once).  Returns the
 * first nonzero value of csvin_feed or csvin_finish; rows go to O.
 */
static int
run(unsigned char delim, const char *data, size_t n, size_t step,
    struct out *o)
{
	struct csvin *p;
	size_t at, k;
	int rc = 0;

	o->n = 0;
	o->text[0] = '\0';
	o->rows = 0;
	if ((p = csvin_new(delim, on_row, o)) == NULL)
		fail("csvin_new: out of memory");
	if (step == 0)
		step = n > 0 ? n : 1;
	for (at = 0; at < n && rc == 0; at += k) {
		k = n - at < step ? n - at : step;
		rc = csvin_feed(p, data + at, k);
	}
	if (rc == 0)
		rc = csvin_finish(p);
	csvin_free(p);
	return rc;
}

static void
check(const char *name, unsigned char delim, const char *data, size_t n,
    const char *want)
{
	static const size_t steps[] = { 0, 1, 2, 3, 5 };
	struct out o;
	size_t i;
	int rc;

	testname = name;
	memset(&o, 0, sizeof(o));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((rc = run(delim, data, n, steps[i], &o)) != 0)
			fail("feeding by %zu: returned %d", steps[i], rc);
		if (strcmp(o.text, want) != 0)
			fail("feeding by %zu:\ngot:\n%swant:\n%s", steps[i],
			    o.text, want);
	}
}

#define CHECK(name, delim, data, want) \
	check(name, delim, data, sizeof(data) - 1, want)

static void
test_rows(void)
{
	CHECK("simple", ',', "a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
	CHECK("no final newline", ',', "a,b\n1,2", "1:a|b\n2:1|2\n");
	CHECK("empty input", ',', "", "");
	CHECK("only newlines", ',', "\n\r\n\n", "");
	CHECK("empty fields", ',', "a,,b\n,\n", "1:a||b\n2:|\n");
	CHECK("blank lines skipped", ',', "\n1\n\n  \n\t\n2\n\n",
	    "2:1\n6:2\n");
	CHECK("blanks around unquoted fields", ',', " a , b\t\n",
	    "1:a|b\n");
	CHECK("semicolon", ';', "a;b,c\n", "1:a|b,c\n");
	CHECK("tab", '\t', "a\tb\n\t1\n", "1:a|b\n2:|1\n");
	CHECK("quotes", ',', "\"a,b\",\"say \"\"hi\"\"\",\"\"\n",
	    "1:a,b|say \"hi\"|\n");
	CHECK("NUL inside a field", ',', "a\0b,c\n", "1:a\\0b|c\n");
}

static void
test_lines(void)
{
	CHECK("CRLF", ',', "a,b\r\n1,2\r\n\r\n3,4\r\n",
	    "1:a|b\n2:1|2\n4:3|4\n");
	CHECK("CRLF, no final line end", ',', "a\r\nb", "1:a\n2:b\n");
	CHECK("quoted field over lines", ',',
	    "\"x\ny\",1\n2,\"p\n\nq\"\n3\n",
	    "1:x\ny|1\n3:2|p\n\nq\n6:3\n");
	CHECK("quoted field over CRLF lines", ',',
	    "h\r\n\"x\r\ny\",1\r\n2\r\n",
	    "1:h\n2:x\r\ny|1\n4:2\n");
	CHECK("row starting after blank lines with a quote", ',',
	    "\n\n\"a\nb\"\n", "3:a\nb\n");
	CHECK("row starting with a delimiter", ',', "\n,1\n", "2:|1\n");
	CHECK("unterminated quote at the end", ',', "1\n\"ab\ncd",
	    "1:1\n2:ab\ncd\n");
}

static void
test_bom(void)
{
	CHECK("BOM", ',', "\xef\xbb\xbfname,x\n1,2\n", "1:name|x\n2:1|2\n");
	CHECK("BOM alone", ',', "\xef\xbb\xbf", "");
	CHECK("BOM, blank line", ',', "\xef\xbb\xbf\r\nx\r\n", "2:x\n");
	CHECK("not a BOM", ',', "\xef\xbbx\n", "1:\xef\xbbx\n");
	CHECK("not a BOM either", ',', "\xef,\n", "1:\xef|\n");
	CHECK("a BOM prefix alone", ',', "\xef\xbb", "1:\xef\xbb\n");
	CHECK("BOM only at the start", ',', "\xef\xbb\xbf" "a\n\xef\xbb\xbf" "b\n",
	    "1:a\n2:\xef\xbb\xbf" "b\n");
	CHECK("two BOMs", ',', "\xef\xbb\xbf\xef\xbb\xbf" "a\n",
	    "1:\xef\xbb\xbf" "a\n");
}

static void
test_stop(void)
{
	static const char data[] = "1\n2\n3\n4";
	struct out o;
	size_t step;
	int rc;

	testname = "callback stop";
	for (step = 0; step <= 3; step++) {
		memset(&o, 0, sizeof(o));
		o.stop_line = 2;
		o.stop_rc = 7;
		rc = run(',', data, sizeof(data) - 1, step, &o);
		if (rc != 7)
			fail("feeding by %zu: returned %d, want 7", step, rc);
		if (strcmp(o.text, "1:1\n2:2\n") != 0)
			fail("feeding by %zu: rows after the stop:\n%s", step,
			    o.text);
	}

	testname = "callback stop at finish";
	memset(&o, 0, sizeof(o));
	o.stop_line = 4;
	o.stop_rc = -3;
	if ((rc = run(',', data, sizeof(data) - 1, 0, &o)) != -3)
		fail("returned %d, want -3", rc);
	if (o.rows != 4)
		fail("%d rows, want 4", o.rows);

	/* The row after the stop is not lost when the caller goes on. */
	testname = "feeding after a stop";
	{
		struct csvin *p;

		memset(&o, 0, sizeof(o));
		o.stop_line = 1;
		o.stop_rc = 1;
		if ((p = csvin_new(',', on_row, &o)) == NULL)
			fail("csvin_new");
		if ((rc = csvin_feed(p, "a\nb\n", 4)) != 1)
			fail("returned %d, want 1", rc);
		if ((rc = csvin_feed(p, "c\n", 2)) != 0 ||
		    (rc = csvin_finish(p)) != 0)
			fail("returned %d after the stop", rc);
		csvin_free(p);
		if (strcmp(o.text, "1:a\n2:c\n") != 0)
			fail("got:\n%s", o.text);
	}
}

/* Wide rows and long fields: the row buffers must grow. */
static void
test_big(void)
{
	static char data[80000], want[sizeof(data)];
	size_t n = 0, w = 0, i;

	w += (size_t)snprintf(want, sizeof(want), "1:");
	for (i = 0; i < 3000; i++) {
		n += (size_t)snprintf(data + n, sizeof(data) - n, "%s%zu",
		    i ? "," : "", i);
		w += (size_t)snprintf(want + w, sizeof(want) - w, "%s%zu",
		    i ? "|" : "", i);
	}
	data[n++] = '\n';
	w += (size_t)snprintf(want + w, sizeof(want) - w, "\n2:");
	memset(data + n, 'x', 50000);
	memset(want + w, 'x', 50000);
	n += 50000;
	w += 50000;
	n += (size_t)snprintf(data + n, sizeof(data) - n, "\n\"y\"\n");
	snprintf(want + w, sizeof(want) - w, "\n3:y\n");
	check("wide row, long field", ',', data, n, want);
}

static void
test_number(void)
{
	static const struct {
		const char *s;
		enum csvin_num want;
		double val;
	} cases[] = {
		{ "1", CSVIN_NUM_OK, 1 },
		{ "0", CSVIN_NUM_OK, 0 },
		{ " 2.5 ", CSVIN_NUM_OK, 2.5 },
		{ "\t-3\t", CSVIN_NUM_OK, -3 },
		{ "1e5", CSVIN_NUM_OK, 1e5 },
		{ "1E-2", CSVIN_NUM_OK, 1e-2 },
		{ "-.5", CSVIN_NUM_OK, -0.5 },
		{ "+3", CSVIN_NUM_OK, 3 },
		{ "5.", CSVIN_NUM_OK, 5 },
		{ "007", CSVIN_NUM_OK, 7 },
		{ "1e-400", CSVIN_NUM_OK, 0 },
		{ "1.7976931348623157e308", CSVIN_NUM_OK, 1.7976931348623157e308 },
		{ "", CSVIN_NUM_EMPTY, 0 },
		{ " ", CSVIN_NUM_EMPTY, 0 },
		{ " \t  ", CSVIN_NUM_EMPTY, 0 },
		{ "abc", CSVIN_NUM_BAD, 0 },
		{ "1x", CSVIN_NUM_BAD, 0 },
		{ "1 2", CSVIN_NUM_BAD, 0 },
		{ "1,5", CSVIN_NUM_BAD, 0 },
		{ "1e", CSVIN_NUM_BAD, 0 },
		{ "e5", CSVIN_NUM_BAD, 0 },
		{ ".", CSVIN_NUM_BAD, 0 },
		{ "-", CSVIN_NUM_BAD, 0 },
		{ "+", CSVIN_NUM_BAD, 0 },
		{ "--1", CSVIN_NUM_BAD, 0 },
		{ "+-1", CSVIN_NUM_BAD, 0 },
		{ "- 1", CSVIN_NUM_BAD, 0 },
		{ "\n1", CSVIN_NUM_BAD, 0 },
		{ "1\n", CSVIN_NUM_BAD, 0 },
		{ "\r1", CSVIN_NUM_BAD, 0 },
		{ "\v1", CSVIN_NUM_BAD, 0 },
		{ "0x10", CSVIN_NUM_BAD, 0 },
		{ "0X1p3", CSVIN_NUM_BAD, 0 },
		{ "-0x1", CSVIN_NUM_BAD, 0 },
		{ " 0x0 ", CSVIN_NUM_BAD, 0 },
		{ "in", CSVIN_NUM_BAD, 0 },
		{ "infinit", CSVIN_NUM_BAD, 0 },
		{ "nanx", CSVIN_NUM_BAD, 0 },
		{ "nan", CSVIN_NUM_NONFINITE, 0 },
		{ "NaN", CSVIN_NUM_NONFINITE, 0 },
		{ " -NAN ", CSVIN_NUM_NONFINITE, 0 },
		{ "inf", CSVIN_NUM_NONFINITE, 0 },
		{ "-Inf", CSVIN_NUM_NONFINITE, 0 },
		{ "+INF", CSVIN_NUM_NONFINITE, 0 },
		{ "infinity", CSVIN_NUM_NONFINITE, 0 },
		{ "InFiNiTy", CSVIN_NUM_NONFINITE, 0 },
		{ "1e999", CSVIN_NUM_NONFINITE, 0 },
		{ "-1e999", CSVIN_NUM_NONFINITE, 0 },
		{ "1.8e308", CSVIN_NUM_NONFINITE, 0 },
	};
	size_t i;
	double d;
	enum csvin_num r;

	testname = "csvin_number";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = -12345;
		errno = EDOM;
		r = csvin_number(cases[i].s, strlen(cases[i].s), &d);
		if (errno != EDOM)
			fail("\"%s\": errno changed", cases[i].s);
		if (r != cases[i].want)
			fail("\"%s\": got %d, want %d", cases[i].s, (int)r,
			    (int)cases[i].want);
		if (r == CSVIN_NUM_OK && d != cases[i].val)
			fail("\"%s\": got %.17g, want %.17g", cases[i].s, d,
			    cases[i].val);
		if (r != CSVIN_NUM_OK && d != -12345)
			fail("\"%s\": *out written though not OK", cases[i].s);
	}
	if (csvin_number("1\0" "2", 3, &d) != CSVIN_NUM_BAD)
		fail("a NUL inside the field is not refused");
	if (csvin_number("12", 1, &d) != CSVIN_NUM_OK || d != 1)
		fail("LEN not respected");
	if (csvin_number(NULL, 0, &d) != CSVIN_NUM_EMPTY)
		fail("empty field with a NULL pointer");

	/* Longer than any copy the conversion might make of it. */
	{
		char big[300];

		memset(big, '0', sizeof(big));
		big[1] = '.';
		big[sizeof(big) - 2] = '1';
		big[sizeof(big) - 1] = '\0';
		if (csvin_number(big, strlen(big), &d) != CSVIN_NUM_OK ||
		    d != 1e-297)
			fail("a long number: got %.17g", d);
		big[sizeof(big) - 2] = 'x';
		if (csvin_number(big, strlen(big), &d) != CSVIN_NUM_BAD)
			fail("a long non-number accepted");
	}
}

static void
test_column(void)
{
	static char f0[] = "a", f1[] = " Beta ", f2[] = "c d", f3[] = "a",
	    f4[] = "10";
	static char *const fields[] = { f0, f1, f2, f3, f4 };
	static const size_t lens[] = { 1, 6, 3, 1, 2 };
	static const struct csvin_row header = { 5, fields, lens, 1, NULL, 0 };
	static const struct {
		const char *spec;
		int with_header;
		size_t nfields;
		long want;
	} cases[] = {
		{ "1", 1, 5, 0 },
		{ "5", 1, 5, 4 },
		{ "6", 1, 5, -1 },
		{ "0", 1, 5, -1 },
		{ "00", 1, 5, -1 },
		{ "02", 1, 5, 1 },
		{ "10", 1, 5, -1 },	/* an index, not the name "10" */
		{ "99999999999999999999999999", 1, 5, -1 },
		{ "a", 1, 5, 0 },	/* the first of two */
		{ "A", 1, 5, 0 },
		{ "beta", 1, 5, 1 },
		{ "  BETA\t", 1, 5, 1 },
		{ "c d", 1, 5, 2 },
		{ "C D", 1, 5, 2 },
		{ "cd", 1, 5, -1 },
		{ "be", 1, 5, -1 },
		{ "betaa", 1, 5, -1 },
		{ "", 1, 5, -1 },
		{ "  ", 1, 5, -1 },
		{ "-1", 1, 5, -1 },
		{ "+1", 1, 5, -1 },
		{ " 1", 1, 5, -1 },
		{ "1a", 1, 5, -1 },
		{ "3", 0, 3, 2 },
		{ "4", 0, 3, -1 },
		{ "1", 0, 0, -1 },
		{ "a", 0, 3, -1 },
	};
	size_t i;
	long r;

	testname = "csvin_column";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = csvin_column(cases[i].with_header ? &header : NULL,
		    cases[i].nfields, cases[i].spec);
		if (r != cases[i].want)
			fail("\"%s\"%s: got %ld, want %ld", cases[i].spec,
			    cases[i].with_header ? "" : " (no header)", r,
			    cases[i].want);
	}
}

int
main(void)
{
	test_rows();
	test_lines();
	test_bom();
	test_stop();
	test_big();
	test_number();
	test_column();
	printf("csvin_test: all passed\n");
	return 0;
}
