/* output.c - see output.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output.h"

static int out_errno;
static char outbuf[1 << 16];

static FILE *out_f;	/* NULL: stdout */
#define OUT (out_f != NULL ? out_f : stdout)

void
out_init(void)
{
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
}

void
out_open(FILE *f)
{
	out_f = f;
	out_errno = 0;
}

/* 10^k for |k| <= 22 is exact in a double; beyond, pow() is close enough:
 * the acceptance test below leaves a margin far wider than its error. */
static double
pow10_(int k)
{
	static const double tab[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};

	if (k >= 0 && k <= 22)
		return tab[k];
	if (k < 0 && k >= -22)
		return 1 / tab[-k];
	return pow(10, k);
}

/*
 * Write the P significant digits D (10^(P-1) <= D < 10^P) with decimal
 * exponent E as printf's %.Pg would: fixed or scientific, trailing zeros
 * dropped.
 */
static int
format_g(char *buf, int neg, uint64_t d, int e, int p)
{
	char dig[20];
	int nd = p, i, n = 0;

	for (i = p - 1; i >= 0; i--) {
		dig[i] = (char)('0' + d % 10);
		d /= 10;
	}
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (neg)
		buf[n++] = '-';
	if (e < -4 || e >= p) {
		buf[n++] = dig[0];
		if (nd > 1) {
			buf[n++] = '.';
			memcpy(buf + n, dig + 1, nd - 1);
			n += nd - 1;
		}
		n += snprintf(buf + n, OUT_NUMBER_MAX - n, "e%c%02d",
		    e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (e < 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (i = -1; i > e; i--)
			buf[n++] = '0';
		memcpy(buf + n, dig, nd);
		n += nd;
	} else {
		for (i = 0; i <= e; i++)
			buf[n++] = i < nd ? dig[i] : '0';
		if (nd > e + 1) {
			buf[n++] = '.';
			memcpy(buf + n, dig + e + 1, nd - e - 1);
			n += nd - e - 1;
		}
	}
	buf[n] = '\0';
	return n;
}

/*
 * The fewest digits, from 7 to 9, that read back as the same float: the
 * decimal is accepted when it lies inside the float's rounding interval with
 * a margin of 1e-12 of it, far wider than the double arithmetic's error and
 * far narrower than a float's spacing.  Nine digits always suffice.
 */
static int
float_digits(char *buf, double v)
{
	float f = (float)v;
	double a, lo, hi, margin;
	int p, e;

	if (f == 0 || !isfinite(f))
		return snprintf(buf, OUT_NUMBER_MAX, "%g", (double)f);
	a = fabs((double)f);
	lo = a - (a - (double)nextafterf((float)a, 0)) / 2;
	hi = a + ((double)nextafterf((float)a, INFINITY) - a) / 2;
	margin = (hi - lo) * 1e-12;
	e = (int)floor(log10(a));
	for (p = 7; p <= 9; p++) {
		/* rint: ties to even, as printf rounds an exact half */
		uint64_t d = (uint64_t)rint(a * pow10_(p - 1 - e));
		int ee = e, n;
		double back;

		if (d >= (uint64_t)pow10_(p)) {	/* log10 was one short */
			ee++;
			d = (uint64_t)rint(a * pow10_(p - 1 - ee));
		} else if (d < (uint64_t)pow10_(p - 1)) {
			ee--;
			d = (uint64_t)rint(a * pow10_(p - 1 - ee));
		}
		back = (double)d * pow10_(ee - p + 1);
		if (p == 9 || (back > lo + margin && back < hi - margin))
			return format_g(buf, f < 0, d, ee, p);
		if (back < lo - margin || back > hi + margin)
			continue;
		/* on the interval's edge: let strtof's rounding decide */
		n = snprintf(buf, OUT_NUMBER_MAX, "%.*g", p, (double)f);
		if (strtof(buf, NULL) == f)
			return n;
	}
	return 0;	/* not reached */
}

/*
 * V's fewest significant digits, from 7 to 17, that lie within Q / 2 of it
 * (rare: the slow, sure way).
 */
static int
double_digits(char *buf, double v, double q)
{
	int p, n = 0;

	for (p = 7; p <= 17; p++) {
		n = snprintf(buf, OUT_NUMBER_MAX, "%.*g", p, v);
		if (fabs(strtod(buf, NULL) - v) <= q / 2)
			break;
	}
	return n;
}

int
out_number(char *buf, double v, int precision, double scale)
{
	float f = (float)v;

	if (precision > 0)
		return snprintf(buf, OUT_NUMBER_MAX, "%.*g", precision, v);
	if (!isfinite(v))
		return snprintf(buf, OUT_NUMBER_MAX, "%g", v);
	/* beyond float's range, or a float too coarse for the series' scale
	 * (a large level that moves little): the double's own digits */
	if (!isfinite(f))
		return double_digits(buf, v, fabs(v) * 0x1p-52);
	if (scale > 0 && fabs((double)f - v) > scale * 0x1p-16)
		return double_digits(buf, v, scale * 0x1p-24);
	return float_digits(buf, v);
}

static void
note_error(void)
{
	if (out_errno == 0)
		out_errno = errno ? errno : EIO;
}

void
out_write(const void *p, size_t n)
{
	if (out_errno == 0 && fwrite(p, 1, n, OUT) != n)
		note_error();
}

void
out_str(const char *s)
{
	out_write(s, strlen(s));
}

void
out_char(int c)
{
	if (out_errno == 0 && putc(c, OUT) == EOF)
		note_error();
}

int
out_flush(void)
{
	if (out_errno == 0 && fflush(OUT) == EOF)
		note_error();
	return out_errno;
}

int
out_error(void)
{
	return out_errno;
}
