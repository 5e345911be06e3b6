/*
 * report.h - what rnnfilter tells on standard error about a numeric run:
 * the progress table while it runs and the --report table at the end.
 * Formats are in rnnfilter(1), REPORT and PROGRESS.
 */
#ifndef RNNF_REPORT_H
#define RNNF_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "metrics.h"
#include "opts.h"

struct base;

/* Seconds on a monotonic clock. */
double report_clock(void);
/* Is the locale's character set UTF-8?  (Call after setlocale.) */
int report_utf8(void);

/*
 * The --report table on FP in OP->output's form (plain for csv with no
 * --append... see the man page): RUN_ITEMS items took SECONDS in this run.
 * KEYS is the number of keys of --key (M their sums), -1 without --key.
 * BS is the base of --predict base (its periods and forecasters follow the
 * table), NULL for the plain network; with --key it is not shown.
 */
void report_print(FILE *fp, const struct opts *op, const struct metrics *m,
    const struct base *bs, long long keys, uint64_t run_items,
    double seconds, int utf8);

/* The progress table: VW-style lines at doubling item counts of a run. */
struct progress {
	int on;
	uint64_t items;		/* this run */
	uint64_t next;		/* print at this count */
	double loss, nloss;	/* this run's loss terms */
	double lloss, lnloss;	/* since the last line */
	double t0;
	double x, pred;		/* the latest item's, for the last line */
	int has_x, has_pred;
	FILE *fp;
};

void progress_init(struct progress *p, FILE *fp, int on);
/*
 * One item: its loss term if SCORED, its target X (HAS_X: not missing) and
 * the prediction made for it (HAS_PRED).
 */
void progress_item(struct progress *p, int scored, double loss, double x,
    int has_x, double pred, int has_pred);
/* A last line for the final count, if it was not just printed. */
void progress_end(struct progress *p);

#endif
