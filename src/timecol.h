/*
 * timecol.h - a time column's fields as seconds, and the stream's spacing as
 * calendar periods counted in items.
 *
 * Times are seconds since 1970-01-01 00:00 UTC in the proleptic Gregorian
 * calendar, computed here from the civil date (no timegm(), no TZ, no
 * locale), so the same field gives the same number on every machine.  A
 * date or date-time without an offset is taken as UTC; what matters to the
 * callers is the differences, which this does not change.
 *
 * timecol_parse() accepts, with spaces or tabs around it and nothing else:
 *   YYYY-MM-DD and YYYY/MM/DD              a day, at 00:00
 *   YYYY-MM                                a month, its first day at 00:00
 *   a day, then 'T' or one space, then HH:MM[:SS[.f...]], then optionally
 *     'Z', or an offset +HH, +HH:MM, +HHMM (or with '-'); the offset is
 *     subtracted to give UTC
 *   Unix seconds: digits with an optional fraction (no sign, no exponent),
 *     only if the value lies in [TIMECOL_UNIX_MIN, TIMECOL_UNIX_MAX]
 *     (1973-03-03 to 2286-11-20): a plain number outside it is far more
 *     likely a count or a measurement than a time, so it is refused.
 *     Milliseconds since the epoch are refused for the same reason.
 * Years have 4 digits, every other part 2; month 1-12, day within its
 * month (29 February only in leap years), hour 0-23, minute and second
 * 0-59 (no 24:00, no leap second), offset hours 0-23 and minutes 0-59.
 *
 * Everything here is pure: no stdio, no allocation, no exit.
 */
#ifndef RNNF_TIMECOL_H
#define RNNF_TIMECOL_H

#include <stddef.h>

struct ser;

#define TIMECOL_UNIX_MIN 1e8
#define TIMECOL_UNIX_MAX 1e10
#define TIMECOL_DAY 86400.0
/* The mean spacing of a weekdays-only series: a week over five items. */
#define TIMECOL_BUSDAY (7.0 * TIMECOL_DAY / 5)
/* Spacings match a calendar spacing within this relative tolerance. */
#define TIMECOL_TOL 0.03
/* Periods longer than this many items are dropped (5-minute weeks fit). */
#define TIMECOL_MAX_PERIOD 2016.0
/* timecol_periods() never returns more than this many. */
#define TIMECOL_MAX_PERIODS 2
/* The year in days; the yearly period of daily data, see timecol_periods(). */
#define TIMECOL_YEAR_DAYS 365.25

/*
 * Parse the LEN bytes at S (not necessarily NUL-terminated) as a time.
 * Returns 0 with *SECS set, or -1 if the field is not a time (*SECS is then
 * left alone).
 */
int timecol_parse(const char *s, size_t len, double *secs);

/*
 * The first day of month MONTH of year YEAR, from two numeric columns:
 * both must be whole numbers, YEAR in 0-9999 and MONTH in 1-12.  Returns 0
 * with *SECS set, or -1.
 */
int timecol_parse_ym(double year, double month, double *secs);

/*
 * The typical spacing of a stream's times, online and in constant memory:
 * the (lower) median of the first TSPACE_N positive differences between
 * consecutive times.  A median, so that gaps (missing rows) and a few
 * repeated or out-of-order times do not move it.  Zero-fill the struct to
 * start.
 */
#define TSPACE_N 32
#define TSPACE_MIN 8	/* differences needed before there is a spacing */

struct tspace {
	double last;		/* the latest time taken, if have */
	int have;		/* a time has been taken */
	int nd;			/* differences kept, 0..TSPACE_N */
	int weekend;		/* a sampled time fell on a Saturday or Sunday */
	double d[TSPACE_N];	/* (nd) the positive differences, in order */
};

/*
 * Take the next time SECS.  Non-finite times are ignored; a difference
 * that is not positive (a repeated or earlier time) is not kept, but SECS
 * becomes the time the next one is measured from.  After TSPACE_N
 * differences nothing changes any more.
 */
void tspace_add(struct tspace *t, double secs);

/*
 * The spacing in seconds, or 0 until TSPACE_MIN differences have been kept.
 * Weekdays-only data (the median is one day, no sampled time falls on a
 * Saturday or Sunday, UTC, though the sample spans a week or more) gives
 * TIMECOL_BUSDAY instead of one day: its mean spacing, for which
 * timecol_periods() gives the five-item week.
 */
double tspace_spacing(const struct tspace *t);

/* Describe the state for the model file; loaded counts are validated. */
void tspace_ser(struct ser *s, struct tspace *t);

/*
 * The calendar periods, in items, of a stream with SPACING seconds between
 * items, ascending; at most MAX of them are stored in PER.  Returns how
 * many were stored: 0 when SPACING matches no calendar spacing within
 * TIMECOL_TOL.
 *   a divisor of a day in common use (1, 2, 3, 4, 5, 6, 10, 12, 15, 20
 *   or 30 seconds or minutes; 1, 2, 3, 4, 6, 8 or 12 hours):
 *       the day and the week (30 min: 48, 336; hourly: 24, 168; 5 min:
 *       288, 2016), each only up to TIMECOL_MAX_PERIOD items (1 min: 1440
 *       only; 1 s: none)
 *   a day:               7, then TIMECOL_YEAR_DAYS (365.25): the caller
 *                        uses the year only once its history is long
 *                        enough, say two years
 *   TIMECOL_BUSDAY:      5 (the week of a weekdays-only series)
 *   a week:              365.25 / 7 = 52.18
 *   28 to 31 days:       12
 *   89 to 92 days:       4
 *   anything else, a year included: none
 * The periods are exact ratios of the calendar spacing matched, not of
 * SPACING itself, so a slightly irregular 30-minute stream still gets 48.
 */
int timecol_periods(double spacing, double *per, int max);

#endif
