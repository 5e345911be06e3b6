/*
 * numeric.h - numeric mode: CSV rows in, one prediction per row out, with the
 * online protocol of rnnfilter(1) run per row.
 *
 * struct numstate is the part of the model's state that belongs to the
 * run rather than to one series: the chosen columns (columns.h), the bytes
 * kept for the next run, the series (struct stream) or, with --key, the
 * table of keys and the totals over them.  It is saved with the model, so a
 * run that resumes a model goes on exactly where the last one stopped.
 */
#ifndef RNNF_NUMERIC_H
#define RNNF_NUMERIC_H

#include <signal.h>
#include <stdint.h>
#include "columns.h"
#include "metrics.h"
#include "online.h"
#include "opts.h"
#include "rerr.h"
#include "stream.h"

struct ser;

#define NUM_MAX_INPUTS COLUMNS_MAX_INPUTS
/*
 * --predict base: the network's input before the --inputs columns is the
 * base's scaled residual at t, its forecast's scaled change from x_t, and
 * sin and cos of the phase of t + h in each of two periods (0 without).
 */
#define NUM_BASE_IN 6
#define NUM_MAX_NIN (NUM_BASE_IN + NUM_MAX_INPUTS)
/* The network's correction is used once it beats the base by this t. */
#define NUM_NET_GATE_T 2.0
#define NUM_NET_GATE_LAMBDA 0.999
#define NUM_MAX_HORIZON STREAM_MAX_HORIZON
#define NUM_NAME_MAX COLUMNS_NAME_MAX
#define NUM_HELD_MAX (2u << 20)
#define NUM_MAX_MAGNITUDE 1e100	/* the largest |value| taken */

struct numstate {
	/* the columns, the key column with --key */
	struct columns col;
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
	/*
	 * The series.  With --key it takes no item: the file keeps its
	 * record, the first of format 2, with TOTAL in the place of its
	 * metrics.
	 */
	struct stream one;
	/* --key: the keys' metrics summed over their items in arrival
	 * order (for --report and --alert); see numstate_totals() */
	struct metrics total;

	/*
	 * --key: the table of keys, each with its own stream and network
	 * (saved with copies of the columns above).
	 */
	struct keytab *keys;		/* NULL without --key */

	/*
	 * Not saved: called, when set, after each row's protocol step.  A
	 * nonzero return ends the run after that row (with E set for an
	 * error).  main.c's checkpoints and stop signals.
	 */
	int (*hook)(void *ctx);
	void *hook_ctx;
	/* Not saved: the run's notes (which column it predicts), one line
	 * each without its "rnnfilter: ", for main.c to write; NULL: none. */
	void (*note)(const char *line);

	/* Not saved: --skip-bad's count this run, and the first row's error. */
	long long skipped;
	struct rerr first_skip;
};

/*
 * Set up ST with its series made with CF, allocating the horizon's
 * buffers: 0, or -1 when out of memory.  numstate_release() frees what ST
 * holds, its table of keys included (not ST itself, nor the series'
 * network).
 */
int numstate_init(struct numstate *st, const struct stream_conf *cf);
void numstate_release(struct numstate *st);
/* --key: the empty table of keys and the totals: 0, or -1 out of memory. */
int numstate_keys_new(struct numstate *st);
/* The metrics of the whole run: the series', or with --key the totals. */
struct metrics *numstate_totals(struct numstate *st);
/* The network's input size for PREDICT and NINPUTS --inputs columns. */
int numeric_nin(int predict, int ninputs);

/*
 * ST for the model file, after the network of NIN inputs: the columns and
 * the series (stream_ser); from format 3 the inputs' header names
 * (columns_names_ser()), from format 4 numstate_held_ser() (the bytes
 * kept).
 */
void numstate_ser(struct ser *s, struct numstate *st, int nin,
    uint32_t version);
void numstate_held_ser(struct ser *s, struct numstate *st);
/*
 * --key (format 2): the key column, then the table (keytab_ser()), each
 * key's record its network (described by NET_SER, which makes it when
 * loading: *NET NULL on entry), a copy of the columns and its stream.
 * Loading, a key's stream is made with CF.
 */
void numstate_keys_ser(struct ser *s, struct numstate *st,
    const struct stream_conf *cf, int nin,
    void (*net_ser)(struct ser *s, struct online **net, void *ctx),
    void *net_ctx, uint32_t version);

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
    struct numstate *st, int hold, volatile sig_atomic_t *stop, struct rerr *e);

/*
 * --forecast: the N forecasts +1 to +N items after the last row (+1 its
 * own prediction, the others recursive); with ST->keys, N per key, in
 * order of first appearance.
 */
int numeric_forecast(const struct opts *op, struct online *net,
    struct numstate *st, long long n, struct rerr *e);

#endif
