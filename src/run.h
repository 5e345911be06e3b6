/*
 * run.h - the run's model: made from the options, or loaded from --model's
 * file and reconciled with the options through opts_table (opts.h), and
 * saved at the run's checkpoints.
 */
#ifndef RNNF_RUN_H
#define RNNF_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "chars.h"
#include "modelio.h"
#include "numeric.h"
#include "online.h"
#include "opts.h"
#include "rerr.h"

/*
 * The model file (rnnfilter(1), MODEL FILE; the envelope is modelio.h's)
 * holds the whole state of a run, so that the next run goes on exactly
 * where this one stopped: a u8 mode (numeric or characters), the settings,
 * the network (parameters, optimizer moments and step, generator,
 * counters, the TBPTT ring, the carried h and c), the stream's state
 * (struct numstate, see numstate_ser(), or struct charstate), with --key
 * (format 2) the key column and each key's name, network, columns and
 * stream in order of first appearance.  With --key the first network is
 * only the template the keys' networks are made from; with --global
 * (format 10) its weights and optimizer are those of every key, and a
 * key's network is saved without them.
 *
 * Ownership: run_load() and run_create() fill a struct model whose
 * members run_release() frees (not the struct itself).
 */
#define MODEL_SPEC_MAX 1024

enum model_mode { MODEL_NUMERIC = 0, MODEL_CHARS = 1 };

struct model {
	int mode;		/* enum model_mode */
	int predict;		/* enum predict */
	int normalize;		/* enum normalize */
	char column[MODEL_SPEC_MAX];	/* --column of the first run, "" if none */
	char inputs[MODEL_SPEC_MAX];	/* --inputs of the first run, "" if none */
	char key[MODEL_SPEC_MAX];	/* --key of the first run, "" if none */
	int global;		/* --global: the keys' networks share NET's
				 * weights and optimizer */
	struct online *net;
	struct numstate *num;	/* numeric mode's stream state */
	struct charstate *cs;	/* character mode's (only one is saved) */
};

/* Free what M holds (run_create() or run_load() filled it). */
void run_release(struct model *m);

/*
 * Load PATH into M (made empty first) as model_load(); on an error, M is
 * released.  run_unpack(): the same from the N bytes at BUF, named NAME in
 * messages, as model_unpack().
 */
int run_load(const char *path, struct model *m, int *found, struct rerr *e);
int run_unpack(const void *buf, size_t n, const char *name, struct model *m,
    struct rerr *e);
/* M's model file into *OUT (malloc'd): 0, or -1 out of memory. */
int run_pack(struct model *m, void **out, size_t *n);
/* Save M atomically to PATH.  0, or EXIT_DATA with E set; PATH is intact. */
int run_save(const char *path, struct model *m, struct rerr *e);

/* A new model from the options (after opts_check).  0 or EXIT_DATA. */
int run_create(struct model *m, const struct opts *op, struct rerr *e);

/*
 * Check the options given on the command line (op->given) against the
 * loaded model: EXIT_MODEL with E set for the first conflict.  Then
 * run_apply() sets OP's model-defined options from M (--lr and --clip
 * only when not given), marking them given, so that opts_check() can run
 * again.
 */
int run_conflicts(const char *path, const struct model *m,
    const struct opts *op, struct rerr *e);
void run_apply(struct model *m, struct opts *op);

/*
 * --model: lock FILE (unless nothing will be saved; a wait for the lock
 * gives up when *STOP becomes nonzero), load it if it exists and reconcile
 * the options with it, else make a new model from OP.  *LOCKFD is the lock
 * (-1 for none), for model_unlock().  0, or an exit status with E set (128
 * + *STOP with E unset after a signal while waiting for the lock).
 */
int run_open(struct opts *op, struct model *m, int *lockfd,
    volatile sig_atomic_t *stop, struct rerr *e);

/*
 * The hook of a run that saves (numstate's, chars_run()'s), after each
 * item: nonzero ends the run.  It stops once *STOP is set, and saves M to
 * PATH every EVERY items and when *ASKED is set (which it clears).
 */
struct run_ckpt {
	struct model *m;
	const char *path;
	long long every;	/* --checkpoint N, 0 for none */
	long long items;	/* rows this run */
	volatile sig_atomic_t *stop;	/* a stop signal */
	volatile sig_atomic_t *asked;	/* SIGUSR1 */
	struct rerr *e;
};

int run_checkpoint(void *ctx);

/*
 * What run_input() and run_output() tell main.c, for its notes, its report
 * and the exit status.
 */
struct run_end {
	uint64_t items, alerts;	/* numeric mode: the totals before this run */
	double secs;		/* numeric mode: seconds of the input loop */
	int closed;		/* the output was closed early: M not saved */
	struct charreport crep;	/* character mode, with --report */
};

/*
 * The run of M on OP's input, in its mode, to the input's end, an error in
 * E, or *STOP; then --generate in character mode.  CK, when M is saved
 * (else NULL), is the checkpoint hook after each item, with its path,
 * --checkpoint and *ASKED set by the caller; NOTE, numeric mode's notes.
 */
void run_input(const struct opts *op, struct model *m, struct run_ckpt *ck,
    void (*note)(const char *), volatile sig_atomic_t *stop,
    struct run_end *re, struct rerr *e);

/*
 * After run_input(): the output flushed, M saved to PATH (when not NULL)
 * if what it holds was delivered, then --forecast and its flush.  E then
 * holds the error that decides the exit status (none for a reader that
 * closed the output: it has all it wanted); *STOP is cleared when the save
 * failed, so that its error is the status.
 */
void run_output(const struct opts *op, struct model *m, const char *path,
    volatile sig_atomic_t *stop, struct run_end *re, struct rerr *e);

#endif
