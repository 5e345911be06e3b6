/*
 * timecol_test.c - time fields, the spacing estimate and the calendar
 * periods against values found independently: epoch seconds from
 * date(1) (GNU, -u), a day-by-day walk of the calendar, and the period
 * table written out by hand.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ser.h"
#include "timecol.h"

static int fails;

#define FAIL(...) do { \
	fprintf(stderr, "timecol_test.c:%d: ", __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	fails++; \
} while (0)

static int
parse(const char *s, double *secs)
{
	return timecol_parse(s, strlen(s), secs);
}

/* Fields whose seconds date -u -d FIELD +%s gives (the fraction added). */
static void
test_known(void)
{
	static const struct {
		const char *s;
		double secs;
	} k[] = {
		{ "1970-01-01", 0 },
		{ "1969-12-31", -86400 },
		{ "2000-03-01", 951868800 },
		{ "2024-02-29", 1709164800 },
		{ "2024-01-01", 1704067200 },
		{ "2024/02/29", 1709164800 },
		{ "2024-02", 1706745600 },		/* 2024-02-01 */
		{ "1749-01-01", -6974035200 },
		{ "1900-01-01", -2208988800 },
		{ "9999-12-31", 253402214400 },
		{ "0000-01-01", -62167219200 },		/* 1970 - 719528 days */
		{ "2024-02-29T12:34:56+05:30", 1709190296 },
		{ "2024-02-29T12:34:56.25+05:30", 1709190296.25 },
		{ "2024-02-29 12:34:56+0530", 1709190296 },
		{ "2024-02-29T12:34:56+05", 1709190296 + 1800 },
		{ "2024-03-10T23:59:00-0800", 1710143940 },
		{ "2024-03-10T23:59-08:00", 1710143940 },
		{ "2024-02-29T07:04:56Z", 1709190296 },
		{ "2014-07-01 00:30:00", 1404174600 },	/* NAB's form */
		{ "  2024-02-29\t", 1709164800 },
		{ "1400000000", 1400000000 },
		{ " 1709164800.25 ", 1709164800.25 },
		{ "100000000", 1e8 },
		{ "10000000000", 1e10 },
	};
	size_t i;
	double t;

	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		t = -1;
		if (parse(k[i].s, &t) != 0)
			FAIL("'%s' refused", k[i].s);
		else if (t != k[i].secs)
			FAIL("'%s': got %.17g, want %.17g", k[i].s, t,
			    k[i].secs);
	}
	/* LEN bounds the field: the bytes after it are not looked at */
	if (timecol_parse("2024-02-29XYZ", 10, &t) != 0 || t != 1709164800)
		FAIL("a field inside a longer buffer");
}

static void
test_refused(void)
{
	static const char *bad[] = {
		"", "   ", "abc", "2023-02-29", "1900-02-29", "2100-02-29",
		"2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
		"2024-01-32", "2024-1-01", "2024-01-1", "24-01-01",
		"2024/01", "2024-01/02", "2024/01-02", "2024-01-01x",
		"2024-01-01 x", "2024-01-01T", "2024-01-01T24:00",
		"2024-01-01T23:60", "2024-01-01T23:59:60", "2024-01-01T1:00",
		"2024-01-01T10:00junk", "2024-01-01T10:00:00.",
		"2024-01-01T10:00:00.5x", "2024-01-01T10:00+24:00",
		"2024-01-01T10:00+05:60", "2024-01-01T10:00+053",
		"2024-01-01T10:00 +05:00", "2024-01-01t10:00",
		"2024-01-01  10:00", "99999999", "10000000001", "12345",
		"1e9", "-1400000000", "+1400000000", "1400000000.",
		"1400000000x", "1400000000000", "0x5A000000",
	};
	size_t i;
	double t = 42;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (parse(bad[i], &t) != -1)
			FAIL("'%s' taken as %.17g", bad[i], t);
	if (t != 42)
		FAIL("a refused field changed *secs");
	if (parse("2000-02-29", &t) != 0 || t != 951782400)
		FAIL("2000-02-29 (a leap day in a year divisible by 400)");
}

/*
 * Walk the calendar one day at a time from 1900-01-01 (day -25567) to
 * 2100-12-31 with nothing but the lengths of the months, and check every
 * day in both day forms, the month form on the first, and that the day
 * after each month's last is refused.
 */
static void
test_walk(void)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	long day = -25567;
	int y, m, d, n, leap;
	char buf[32];
	double t;

	for (y = 1900; y <= 2100; y++) {
		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		for (m = 1; m <= 12; m++) {
			n = len[m - 1] + (m == 2 && leap);
			for (d = 1; d <= n; d++, day++) {
				snprintf(buf, sizeof buf, "%04d-%02d-%02d",
				    y, m, d);
				if (parse(buf, &t) != 0 || t != day * 86400.0)
					FAIL("%s: not day %ld", buf, day);
				buf[4] = buf[7] = '/';
				if (parse(buf, &t) != 0 || t != day * 86400.0)
					FAIL("%s: not day %ld", buf, day);
				if (d != 1)
					continue;
				buf[7] = 0;
				buf[4] = '-';
				if (parse(buf, &t) != 0 || t != day * 86400.0)
					FAIL("%s: not day %ld", buf, day);
				if (timecol_parse_ym(y, m, &t) != 0 ||
				    t != day * 86400.0)
					FAIL("%d,%d: not day %ld", y, m, day);
			}
			snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m,
			    n + 1);
			if (parse(buf, &t) != -1)
				FAIL("%s taken", buf);
		}
	}
	if (day != 47847)	/* 2101-01-01: 4133980800 s / 86400 */
		FAIL("the walk ended on day %ld", day);
}

static void
test_ym(void)
{
	double t = 42;

	if (timecol_parse_ym(1749, 1, &t) != 0 || t != -6974035200)
		FAIL("1749,1 (sunspots' first row)");
	if (timecol_parse_ym(2024, 2.5, &t) != -1 ||
	    timecol_parse_ym(2024.5, 2, &t) != -1 ||
	    timecol_parse_ym(2024, 0, &t) != -1 ||
	    timecol_parse_ym(2024, 13, &t) != -1 ||
	    timecol_parse_ym(-1, 1, &t) != -1 ||
	    timecol_parse_ym(10000, 1, &t) != -1 ||
	    timecol_parse_ym(NAN, 1, &t) != -1 ||
	    timecol_parse_ym(2024, INFINITY, &t) != -1)
		FAIL("a bad year,month pair taken");
	if (t != -6974035200)
		FAIL("a refused pair changed *secs");
}

/* Feed N times at START + the running sum of the gaps GAP[i % NGAP]. */
static void
feed(struct tspace *ts, double start, const double *gap, int ngap, int n)
{
	double t = start;
	int i;

	for (i = 0; i < n; i++) {
		tspace_add(ts, t);
		t += gap[i % ngap];
	}
}

static void
test_spacing(void)
{
	/* 30 minutes, with missing rows (gaps of 1 and 1.5 hours), a
	 * repeated time (gap 0) and one that goes back: 13 of the 16 gaps
	 * are positive, 8 of them 1800 */
	static const double half[] = {
		1800, 1800, 3600, 1800, 0, 1800, 5400, 1800, 1800, -600,
		600, 1800, 3600, 0, 1800, 3600
	};
	static const double two[] = { 100, 200 };
	static const double tenmin[] = { 60, 600, 600, 600 };
	struct tspace ts;
	double sp;
	int i;

	memset(&ts, 0, sizeof ts);
	feed(&ts, 1404172800, half, 16, 9);	/* 7 positive gaps so far */
	if (ts.nd != 7 || tspace_spacing(&ts) != 0)
		FAIL("a spacing from %d differences", ts.nd);
	feed(&ts, 1404172800 + 99999, half, 16, 1);	/* the 8th */
	if ((sp = tspace_spacing(&ts)) != 1800)
		FAIL("irregular 30 minutes: %.17g", sp);
	feed(&ts, 1404172800 + 200000, half, 16, 100);
	if (ts.nd != TSPACE_N || (sp = tspace_spacing(&ts)) != 1800)
		FAIL("irregular 30 minutes, %d kept: %.17g", ts.nd, sp);
	/* after TSPACE_N differences nothing moves it */
	feed(&ts, 1404172800 + 900000, two, 2, 1000);
	if (ts.nd != TSPACE_N || tspace_spacing(&ts) != 1800)
		FAIL("moved after the sample was full");

	/* an even count takes the lower median: 4 of 100, 4 of 200 */
	memset(&ts, 0, sizeof ts);
	feed(&ts, 1e9, two, 2, 9);
	if ((sp = tspace_spacing(&ts)) != 100)
		FAIL("lower median: %.17g", sp);

	/* a quarter of the gaps short: still 10 minutes */
	memset(&ts, 0, sizeof ts);
	feed(&ts, 1e9, tenmin, 4, 200);
	if ((sp = tspace_spacing(&ts)) != 600)
		FAIL("ten minutes: %.17g", sp);

	/* non-finite times are ignored */
	memset(&ts, 0, sizeof ts);
	for (i = 0; i < 20; i++) {
		tspace_add(&ts, 1e9 + 3600.0 * i);
		tspace_add(&ts, NAN);
		tspace_add(&ts, INFINITY);
	}
	if ((sp = tspace_spacing(&ts)) != 3600 || ts.nd != 19)
		FAIL("hourly with NaN: %.17g from %d", sp, ts.nd);
}

/* Days Monday 2024-01-01 (1704067200) onwards; WEEKDAYS skips Sat, Sun. */
static double
days_spacing(int n, int weekdays, int first)
{
	struct tspace ts;
	int day, i;

	memset(&ts, 0, sizeof ts);
	for (day = first, i = 0; i < n; day++) {
		if (weekdays && (day % 7 == 5 || day % 7 == 6))
			continue;
		tspace_add(&ts, 1704067200 + 86400.0 * day);
		i++;
	}
	return tspace_spacing(&ts);
}

static void
test_weekdays(void)
{
	double sp;

	if ((sp = days_spacing(60, 1, 0)) != TIMECOL_BUSDAY)
		FAIL("weekdays from a Monday: %.17g", sp);
	if ((sp = days_spacing(60, 1, 3)) != TIMECOL_BUSDAY)
		FAIL("weekdays from a Thursday: %.17g", sp);
	if ((sp = days_spacing(60, 0, 0)) != 86400)
		FAIL("every day: %.17g", sp);
	/* 9 weekdays from a Monday cross one weekend: a 3-day gap in 8 */
	if ((sp = days_spacing(9, 1, 0)) != TIMECOL_BUSDAY)
		FAIL("9 weekdays: %.17g", sp);
	/* Monday to Friday only, median 0.97 day (3 gaps of a minute, 5 of
	 * 0.97 day), but over less than a week: not known to be weekdays */
	{
		static const double g[] = { 60, 60, 60, 83808, 83808, 83808,
		    83808, 83808 };
		struct tspace ts;

		memset(&ts, 0, sizeof ts);
		feed(&ts, 1704067200, g, 8, 9);
		if ((sp = tspace_spacing(&ts)) != 83808)
			FAIL("5 days taken for weekdays: %.17g", sp);
	}
	if (TIMECOL_BUSDAY != 120960)
		FAIL("TIMECOL_BUSDAY is not 7/5 days");
}

static int
same(const struct tspace *a, const struct tspace *b)
{
	return a->last == b->last && a->have == b->have && a->nd == b->nd &&
	    a->weekend == b->weekend && memcmp(a->d, b->d, sizeof a->d) == 0;
}

/* Save T, load it into a fresh struct: 0 if it loads (into *OUT), else -1. */
static int
roundtrip(struct tspace *t, struct tspace *out)
{
	struct ser *s, *l;
	int bad;

	if ((s = ser_new_save()) == NULL)
		abort();
	tspace_ser(s, t);
	if (ser_failed(s) || (l = ser_new_load(s)) == NULL)
		abort();
	ser_free(s);
	memset(out, 0x55, sizeof *out);
	tspace_ser(l, out);
	bad = ser_failed(l) || ser_remaining(l) != 0;
	ser_free(l);
	return bad ? -1 : 0;
}

static void
test_ser(void)
{
	static const double gap[] = { 1800, 3600, 1800 };
	struct tspace a, part, b, bad;
	int i;

	memset(&a, 0, sizeof a);		/* a full sample */
	feed(&a, 1404172800, gap, 3, 40);
	memset(&part, 0, sizeof part);
	feed(&part, 1404172800, gap, 3, 12);
	if (roundtrip(&a, &b) != 0 || !same(&a, &b) || a.nd != TSPACE_N ||
	    tspace_spacing(&b) != 1800)
		FAIL("a full tspace does not come back as saved");
	if (roundtrip(&part, &b) != 0 || !same(&part, &b) ||
	    tspace_spacing(&b) != 1800)
		FAIL("tspace does not come back as saved");
	for (i = 0; i < 8; i++) {
		bad = a;
		switch (i) {
		case 0: bad.nd = TSPACE_N + 1; break;
		case 1: bad.nd = -1; break;
		case 2: bad.have = 2; break;
		case 3: bad.have = 0; break;	/* differences without a time */
		case 4: bad.weekend = -1; break;
		case 5: bad.d[3] = 0; break;
		case 6: bad.d[10] = -INFINITY; break;
		case 7: bad.last = NAN; break;
		}
		if (roundtrip(&bad, &b) != -1)
			FAIL("corruption %d loaded", i);
		else if (b.nd != 0 || b.have || b.weekend)
			FAIL("corruption %d: not left empty", i);
	}
	/* d past nd is not looked at */
	bad = part;
	bad.d[TSPACE_N - 1] = -1;
	if (roundtrip(&bad, &b) != 0 || !same(&bad, &b))
		FAIL("an unused difference checked");
}

static void
expect(double spacing, int max, int n, double p0, double p1)
{
	double per[4] = { -1, -1, -1, -1 }, want[2] = { p0, p1 };
	int got = timecol_periods(spacing, per, max), i;

	if (got != n) {
		FAIL("spacing %g: %d periods, want %d", spacing, got, n);
		return;
	}
	for (i = 0; i < n; i++)
		if (fabs(per[i] - want[i]) > 1e-9)
			FAIL("spacing %g: period %d is %.17g, want %.17g",
			    spacing, i, per[i], want[i]);
	for (i = n; i < 4; i++)
		if (per[i] != -1)
			FAIL("spacing %g: per[%d] written", spacing, i);
}

static void
test_periods(void)
{
	double day = 86400;

	expect(1800, 4, 2, 48, 336);
	expect(1790, 4, 2, 48, 336);		/* jitter within 3% */
	expect(1850, 4, 2, 48, 336);
	expect(1900, 4, 0, 0, 0);		/* 5.6% off: none */
	expect(900, 4, 2, 96, 672);
	expect(300, 4, 2, 288, 2016);
	expect(600, 4, 2, 144, 1008);
	expect(60, 4, 1, 1440, 0);		/* the week, 10080, dropped */
	expect(1, 4, 0, 0, 0);
	expect(3600, 4, 2, 24, 168);
	expect(3 * 3600, 4, 2, 8, 56);
	expect(12 * 3600, 4, 2, 2, 14);
	expect(7 * 60, 4, 0, 0, 0);		/* does not divide a day */
	expect(day, 4, 2, 7, 365.25);
	expect(day, 1, 1, 7, 0);		/* MAX bounds what is stored */
	expect(120960, 4, 1, 5, 0);
	expect(2 * day, 4, 0, 0, 0);
	expect(7 * day, 4, 1, 52.178571428571431, 0);
	expect(28 * day, 4, 1, 12, 0);
	expect(30.4375 * day, 4, 1, 12, 0);
	expect(31 * day, 4, 1, 12, 0);
	expect(91 * day, 4, 1, 4, 0);
	expect(89 * day, 4, 1, 4, 0);
	expect(182 * day, 4, 0, 0, 0);
	expect(365 * day, 4, 0, 0, 0);
	expect(366 * day, 4, 0, 0, 0);
	expect(0, 4, 0, 0, 0);
	expect(-1800, 4, 0, 0, 0);
	expect(NAN, 4, 0, 0, 0);
	expect(INFINITY, 4, 0, 0, 0);
	expect(1800, 0, 0, 0, 0);
}

int
main(void)
{
	test_known();
	test_refused();
	test_walk();
	test_ym();
	test_spacing();
	test_weekdays();
	test_ser();
	test_periods();
	if (fails)
		fprintf(stderr, "timecol_test: %d failures\n", fails);
	return fails != 0;
}
