/*
 * numeric.h - numeric mode: CSV rows in, one prediction per row out, with the
 * online protocol of rnnfilter(1) run per row.
 *
 * struct numstate is the part of the model's state that belongs to the
 * stream rather than the network: the chosen columns, the normalizers and
 * the predictions still waiting for their targets.  It is saved with the
 * model, so a run that resumes a model goes on exactly where the last one
 * stopped.
 */
#ifndef RNNF_NUMERIC_H
#define RNNF_NUMERIC_H

#include <stdint.h>
#include "metrics.h"
#include "norm.h"
#include "online.h"
#include "opts.h"
#include "rerr.h"
#include "timecol.h"

struct base;

#define NUM_MAX_INPUTS OPTS_MAX_INPUTS
/*
 * --predict base: the network's input before the --inputs columns is the
 * base's scaled residual at t, its forecast's scaled change from x_t, and
 * sin and cos of the phase of t + h in each of two periods (0 without).
 */
#define NUM_BASE_IN 6
#define NUM_MAX_NIN (NUM_BASE_IN + NUM_MAX_INPUTS)
/* The network's correction is used once it beats the base by this t. */
#define NUM_NET_GATE_T 1.0
#define NUM_NET_GATE_LAMBDA 0.999
#define NUM_MAX_HORIZON 10000
#define NUM_NAME_MAX 64
#define NUM_HELD_MAX (2u << 20)
#define NUM_MAX_MAGNITUDE 1e100	/* the largest |value| taken */

struct pending {
	double pred;	/* the prediction, in the input's units */
	double full;	/* --predict base: the base with the network's
			 * correction, whether used or not */
	double x;	/* the item it was made after (the naive forecast) */
	double base;	/* what the scaled output was added to: the item (--predict
			 * change) or the normalizer's mean (level) */
	double scale;
};

struct numstate {
	int ncols;			/* fields per row; 0 before the first row */
	int target;			/* 0-based; -1 before it is chosen */
	int ninputs;
	int input[NUM_MAX_INPUTS];
	char target_name[NUM_NAME_MAX];	/* header name, "" if none */
	int target_name_len;		/* its bytes (it may hold a NUL) */
	/* the inputs' header names, "" if none (only the owner's; saved
	 * from format 3) */
	char input_name[NUM_MAX_INPUTS][NUM_NAME_MAX];
	/*
	 * With a model that is saved, the bytes of the stream after the last
	 * complete row (an unterminated last line, or what a stop signal left
	 * unread in the buffer): the next run reads them first, so that a
	 * stream cut anywhere gives the output of one run.  HELD_FIRST: they
	 * begin their file's first row (header detection applies to it).
	 * Only the owner's; saved from format 4.
	 */
	char *held;			/* malloc'd, NHELD bytes */
	uint32_t nheld;			/* at most NUM_HELD_MAX */
	int held_first;
	struct norm norm[1 + NUM_MAX_INPUTS];	/* target, then inputs */
	int horizon;
	struct pending *pend;		/* (horizon) made at step s: [s % h] */
	struct metrics met;

	/* --predict base */
	struct base *base;		/* NULL for the plain network */
	int tcol;			/* time column, 0-based; -1 none, -2
					 * not chosen yet */
	int ycol, mcol;			/* year and month columns, or -1 */
	int tdone;			/* periods settled: no more times */
	struct tspace tsp;
	double gm, gv, gn;		/* the network's gate: discounted mean
					 * and mean square of |e_base| -
					 * |e_full|, and their weight */

	/*
	 * --key: the table of keys, each with its own network and numstate
	 * (whose columns are copies of these), and the key column.  In the
	 * table's owner, NORM and PEND are unused and MET sums the keys'
	 * metrics over their items in arrival order (for --report and
	 * --alert).  Saved by modelio.c, not by numstate_ser.
	 */
	struct keytab *keys;		/* NULL without --key */
	int keycol;			/* 0-based; -1 before it is chosen */
	char key_name[NUM_NAME_MAX];	/* header name, "" if none */
	int key_name_len;

	/*
	 * Not saved: called, when set, after each row's protocol step.  A
	 * nonzero return ends the run after that row (with E set for an
	 * error).  main.c's checkpoints and stop signals.
	 */
	int (*hook)(void *ctx);
	void *hook_ctx;

	/* Not saved: --skip-bad's count this run, and the first row's error. */
	long long skipped;
	struct rerr first_skip;
};

/*
 * Set up ST for OP's horizon, normalization and AR order, allocating the
 * horizon's buffers: 0, or -1 when out of memory.  numstate_release() frees
 * what ST holds (not ST itself, nor its table of keys).
 */
int numstate_init(struct numstate *st, const struct opts *op);
/* The network's input size for PREDICT and NINPUTS --inputs columns. */
int numeric_nin(int predict, int ninputs);
/*
 * The base's part of ST for the model file (none without a base), in base
 * LAYOUT (base_ser()).
 */
void numstate_base_ser(struct ser *s, struct numstate *st, int layout);
void numstate_release(struct numstate *st);
/* Resize the horizon's buffer to H (a loaded model's): 0 or -1. */
int numstate_horizon(struct numstate *st, int h);

/*
 * Does SPEC (a --column or --inputs item) name the column at 0-based INDEX
 * whose header name is NAME ("" if none)?  An index by its number, a name
 * as csvin_column() matches it.
 */
int numeric_names_column(const char *spec, int index, const char *name);

/*
 * Run the stream of the files in OP->files (standard input if none) through
 * NET, writing to standard output; with ST->keys, each row through its
 * key's network and state instead (made from NET's configuration when a
 * key first appears), and rows of keys outside --shard skipped.  STOP, if
 * not NULL, is polled between rows; when it becomes nonzero the run ends
 * after the current row.  ST->held is read first; with HOLD (the model is
 * saved), the bytes after the last complete row are kept there instead of
 * being taken for a last line.
 * Returns 0 or an exit status with E set.
 */
int numeric_run(const struct opts *op, struct online *net,
    struct numstate *st, int hold, volatile int *stop, struct rerr *e);

/*
 * --forecast: the N forecasts +1 to +N items after the last row (+1 its
 * own prediction, the others recursive); with ST->keys, N per key, in
 * order of first appearance.
 */
int numeric_forecast(const struct opts *op, struct online *net,
    struct numstate *st, long long n, struct rerr *e);

#endif
