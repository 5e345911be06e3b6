/*
 * run.h - the run's model: made from the options, or loaded from --model's
 * file and reconciled with the options through opts_table (opts.h), and
 * saved at the run's checkpoints.
 */
#ifndef RNNF_RUN_H
#define RNNF_RUN_H

#include <signal.h>
#include "modelio.h"
#include "opts.h"
#include "rerr.h"

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

#endif
