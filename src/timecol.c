/*
 * timecol.c - time fields as seconds, spacings as calendar periods.
 */
#include <math.h>
#include "ser.h"
#include "timecol.h"

/*
 * Days from 1970-01-01 to year Y, month M, day D (valid), proleptic
 * Gregorian.  Years are counted from March, so that the leap day is the
 * last day of its year and the days before a month do not depend on the
 * year; 400 years (146097 days) are added so that the divisions below see
 * no negative year when Y is 0 and M is January or February.  719468 is
 * what the sum gives for 1970-01-01.
 */
static long long
days_from_civil(int y, int m, int d)
{
	/* days from 1 March to the first of Mar, Apr, ..., Jan, Feb */
	static const int before[12] = {
		0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337
	};
	long long yy = (long long)y - (m < 3) + 400;
	int mi = (m + 9) % 12;	/* March 0, ..., February 11 */

	return 365 * yy + yy / 4 - yy / 100 + yy / 400 + before[mi] + d - 1 -
	    146097 - 719468;
}

static int
is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
month_days(int y, int m)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The N digits at P (all within the field, checked by the caller), or -1. */
static int
digits(const char *p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * A run of digits from *P before E as a fraction 0.d1d2...: the first 9
 * digits count, later ones are read and ignored.  Returns the number of
 * digits read.
 */
static int
fraction(const char **p, const char *e, double *f)
{
	long v = 0, scale = 1;
	int n = 0;

	for (; *p < e && is_digit(**p); (*p)++, n++) {
		if (n < 9) {
			v = v * 10 + (**p - '0');
			scale *= 10;
		}
	}
	*f = (double)v / (double)scale;
	return n;
}

/* Unix seconds: digits with an optional fraction, within the range. */
static int
parse_unix(const char *p, const char *e, double *secs)
{
	double v = 0, f = 0;
	int n = 0;

	for (; p < e && is_digit(*p); p++, n++)
		if (n < 20)	/* more is out of range anyway */
			v = v * 10 + (*p - '0');
	if (n == 0 || n >= 20)
		return -1;
	if (p < e && *p == '.') {
		p++;
		if (fraction(&p, e, &f) == 0)
			return -1;
	}
	if (p != e)
		return -1;
	v += f;
	if (!(v >= TIMECOL_UNIX_MIN && v <= TIMECOL_UNIX_MAX))
		return -1;
	*secs = v;
	return 0;
}

/* The part after the date: [T ]HH:MM[:SS[.f...]][Z|+-HH[[:]MM]]. */
static int
parse_clock(const char *p, const char *e, double *secs)
{
	int hh, mm, ss = 0, oh = 0, om = 0, sign = 0;
	double f = 0;

	if (e - p < 6 || (*p != 'T' && *p != ' ') || p[3] != ':')
		return -1;
	if ((hh = digits(p + 1, 2)) < 0 || (mm = digits(p + 4, 2)) < 0 ||
	    hh > 23 || mm > 59)
		return -1;
	p += 6;
	if (p < e && *p == ':') {
		if (e - p < 3 || (ss = digits(p + 1, 2)) < 0 || ss > 59)
			return -1;
		p += 3;
		if (p < e && *p == '.') {
			p++;
			if (fraction(&p, e, &f) == 0)
				return -1;
		}
	}
	if (p < e && *p == 'Z') {
		p++;
	} else if (p < e && (*p == '+' || *p == '-')) {
		sign = *p == '-' ? -1 : 1;
		if (e - p < 3 || (oh = digits(p + 1, 2)) < 0 || oh > 23)
			return -1;
		p += 3;
		if (p < e && *p == ':') {
			if (e - p < 3 || (om = digits(p + 1, 2)) < 0)
				return -1;
			p += 3;
		} else if (p < e) {
			if (e - p < 2 || (om = digits(p, 2)) < 0)
				return -1;
			p += 2;
		}
		if (om > 59)
			return -1;
	}
	if (p != e)
		return -1;
	*secs = hh * 3600.0 + mm * 60.0 + ss + f -
	    sign * (oh * 3600.0 + om * 60.0);
	return 0;
}

int
timecol_parse(const char *s, size_t len, double *secs)
{
	const char *p = s, *e = s + len;
	int y, m, d = 1;
	double clock = 0;
	char sep;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - p < 7 || (p[4] != '-' && p[4] != '/'))
		return parse_unix(p, e, secs);
	sep = p[4];
	if ((y = digits(p, 4)) < 0 || (m = digits(p + 5, 2)) < 0 ||
	    m < 1 || m > 12)
		return -1;
	if (e - p == 7) {
		if (sep != '-')
			return -1;
	} else {
		if (e - p < 10 || p[7] != sep || (d = digits(p + 8, 2)) < 0 ||
		    d < 1 || d > month_days(y, m))
			return -1;
		if (e - p > 10 && parse_clock(p + 10, e, &clock) != 0)
			return -1;
	}
	*secs = (double)days_from_civil(y, m, d) * TIMECOL_DAY + clock;
	return 0;
}

int
timecol_parse_ym(double year, double month, double *secs)
{
	int y, m;

	if (!(year >= 0 && year <= 9999 && month >= 1 && month <= 12))
		return -1;
	y = (int)year;
	m = (int)month;
	if (y != year || m != month)
		return -1;
	*secs = (double)days_from_civil(y, m, 1) * TIMECOL_DAY;
	return 0;
}

/* Is SECS on a Saturday or a Sunday (UTC)?  1970-01-01 was a Thursday. */
static int
on_weekend(double secs)
{
	long long day = (long long)floor(secs / TIMECOL_DAY);
	int wd = (int)(((day + 4) % 7 + 7) % 7);	/* 0 Sunday */

	return wd == 0 || wd == 6;
}

void
tspace_add(struct tspace *t, double secs)
{
	if (!isfinite(secs) || t->nd >= TSPACE_N)
		return;
	if (t->have && secs > t->last)
		t->d[t->nd++] = secs - t->last;
	if (on_weekend(secs))
		t->weekend = 1;
	t->last = secs;
	t->have = 1;
}

static int
near(double x, double ref)
{
	return fabs(x - ref) <= TIMECOL_TOL * ref;
}

double
tspace_spacing(const struct tspace *t)
{
	double a[TSPACE_N], v, span = 0;
	int i, j;

	if (t->nd < TSPACE_MIN)
		return 0;
	for (i = 0; i < t->nd; i++) {
		v = t->d[i];
		span += v;
		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
	v = a[(t->nd - 1) / 2];
	if (near(v, TIMECOL_DAY) && !t->weekend && span >= 7 * TIMECOL_DAY)
		return TIMECOL_BUSDAY;
	return v;
}

void
tspace_ser(struct ser *s, struct tspace *t)
{
	int i;

	ser_f64(s, &t->last);
	ser_int(s, &t->have);
	ser_int(s, &t->nd);
	ser_int(s, &t->weekend);
	if (ser_loading(s) && !ser_failed(s) &&
	    ((t->have != 0 && t->have != 1) || t->nd < 0 ||
	    t->nd > TSPACE_N || (t->nd > 0 && !t->have) ||
	    (t->weekend != 0 && t->weekend != 1))) {
		ser_fail(s, "time spacing counts out of range");
		*t = (struct tspace){ 0 };
		return;
	}
	ser_f64s(s, t->d, TSPACE_N);
	if (!ser_loading(s))
		return;
	for (i = 0; !ser_failed(s) && i < t->nd; i++)
		if (!(t->d[i] > 0 && isfinite(t->d[i])))
			ser_fail(s, "time spacing not positive");
	if (!ser_failed(s) && t->have && !isfinite(t->last))
		ser_fail(s, "time spacing's last time not finite");
	if (ser_failed(s))
		*t = (struct tspace){ 0 };
}

/* Spacings that divide a day, in seconds. */
static const double subday[] = {
	1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30,
	60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800,
	3600, 7200, 10800, 14400, 21600, 28800, 43200
};

static int
put(double *per, int n, int max, double p)
{
	if (n < max)
		per[n++] = p;
	return n;
}

int
timecol_periods(double spacing, double *per, int max)
{
	double day = TIMECOL_DAY;
	size_t i;
	int n = 0;

	if (!(spacing > 0) || !isfinite(spacing) || max <= 0)
		return 0;
	for (i = 0; i < sizeof subday / sizeof subday[0]; i++) {
		if (!near(spacing, subday[i]))
			continue;
		if (day / subday[i] <= TIMECOL_MAX_PERIOD)
			n = put(per, n, max, day / subday[i]);
		if (7 * day / subday[i] <= TIMECOL_MAX_PERIOD)
			n = put(per, n, max, 7 * day / subday[i]);
		return n;
	}
	if (near(spacing, day)) {
		n = put(per, n, max, 7);
		return put(per, n, max, TIMECOL_YEAR_DAYS);
	}
	if (near(spacing, TIMECOL_BUSDAY))
		return put(per, n, max, 5);
	if (near(spacing, 7 * day))
		return put(per, n, max, TIMECOL_YEAR_DAYS / 7);
	if (spacing >= 28 * day * (1 - TIMECOL_TOL) &&
	    spacing <= 31 * day * (1 + TIMECOL_TOL))
		return put(per, n, max, 12);
	if (spacing >= 89 * day * (1 - TIMECOL_TOL) &&
	    spacing <= 92 * day * (1 + TIMECOL_TOL))
		return put(per, n, max, 4);
	return 0;
}
