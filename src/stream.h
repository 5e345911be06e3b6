/*
 * stream.h - one series of numeric mode: its network, normalizers, the
 * predictions still waiting for their targets, its metrics (with the
 * anomaly model) and its base forecasters.  Without --key a run has one
 * stream; with --key each key has its own (keytab.h).
 *
 * Ownership: stream_init() fills a struct the caller holds and
 * stream_release() frees what it holds, not the struct, nor its network;
 * stream_new() allocates one, and stream_free() frees it with its network
 * (a key's stream owns its network; the run's single stream borrows the
 * model's).
 */
#ifndef RNNF_STREAM_H
#define RNNF_STREAM_H

#include <stdint.h>
#include "metrics.h"
#include "norm.h"
#include "opts.h"
#include "timecol.h"

struct base;
struct online;
struct ser;

#define STREAM_MAX_INPUTS OPTS_MAX_INPUTS
#define STREAM_MAX_HORIZON 10000

struct pending {
	double pred;	/* the prediction, in the input's units */
	double full;	/* --predict base: the base with the network's
			 * correction, whether used or not */
	double x;	/* the item it was made after (the naive forecast) */
	double base;	/* what the scaled output was added to: the item (--predict
			 * change) or the normalizer's mean (level) */
	double scale;
};

/* What a new stream is made with. */
struct stream_conf {
	int horizon;
	int norm_off;		/* --normalize none */
	int ar_order;		/* the AR baseline's */
	int ar_on;		/* the baseline is seen (--report, or a model
				 * file): else it has no state */
	int base;		/* --predict base: with base forecasters */
	int nperiod;		/* --period: -1 auto, 0 none, 1..2 given */
	double period[2];
	int ninputs;		/* the inputs normalized: STREAM_MAX_INPUTS
				 * until the columns are known */
};

struct stream {
	struct online *net;
	struct norm *norm;		/* (nnorm) target, then inputs */
	int nnorm;
	int horizon;
	struct pending *pend;		/* (horizon) made at step s: [s % h] */
	struct metrics met;

	/* --predict base */
	struct base *base;		/* NULL for the plain network */
	int tcol;			/* time column, 0-based; -1 none, -2
					 * not chosen yet */
	int ycol, mcol;			/* year and month columns, or -1 */
	int tdone;			/* periods settled: no more times */
	struct tspace *tsp;		/* the times' spacing while !tdone,
					 * else NULL (stream_settle()) */
	double gm, gv, gn;		/* the network's gate: discounted mean
					 * and mean square of |e_base| -
					 * |e_full|, and their weight */
};

/*
 * CF from OP's horizon, normalization, AR order (the baseline on with
 * --report or a model file), --predict and --period.
 */
void stream_conf_opts(struct stream_conf *cf, const struct opts *op);
/*
 * CF from what a model file states of it (HORIZON, NORM_OFF, BASE), the
 * rest as the options' defaults with the AR baseline on: a loaded stream's
 * state replaces them.
 */
void stream_conf_init(struct stream_conf *cf, int horizon, int norm_off,
    int base);

/* 0, or -1 when out of memory (ST then holds nothing). */
int stream_init(struct stream *st, const struct stream_conf *cf);
void stream_release(struct stream *st);
/* A new stream with no network yet, or NULL when out of memory. */
struct stream *stream_new(const struct stream_conf *cf);
void stream_free(struct stream *st);

/* The periods are settled: no more times (tdone), and no spacing kept. */
void stream_settle(struct stream *st);

/* Resize the horizon's buffer to H (a loaded model's): 0 or -1. */
int stream_horizon(struct stream *st, int h);

/*
 * ST for the model file, after its columns (NCOLS fields, NINPUTS
 * --inputs): normalizers, horizon and pending predictions, then MET in the
 * place of the metrics (&st->met; with --key, for the first stream of the
 * file, the run's totals), then (format 6) the base's part (the format's
 * layout, base_ser(), loaded as such).  The network is
 * not described here.
 */
void stream_ser(struct ser *s, struct stream *st, int ncols, int ninputs,
    struct metrics *met, uint32_t version);

#endif
