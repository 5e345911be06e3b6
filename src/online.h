/*
 * online.h - the online protocol's learning machinery: a recurrent network,
 * its truncated-BPTT window and its optimizer, advanced one item at a time.
 *
 * For each item the caller runs, in this order (rnnfilter(1), PROTOCOL):
 *   online_score()    the prediction made HORIZON items ago meets its target;
 *   online_learn()    once K targets have met their predictions, one TBPTT
 *                     update over the last T cached steps;
 *   online_advance()  the state takes the item and a new prediction is made.
 *
 * The window is a ring of T + HORIZON cached steps in one block.  Backward
 * walks it in reverse through the activations as they were cached, times
 * the weights as they are now (a step older than the last update keeps its
 * activations, not its weights); the state entering the window is a
 * constant.
 *
 * A key's network of independent keys (online_new_sharing(),
 * online_new_blank()) with T = K and horizon 1, the defaults, keeps a lean
 * window instead: per step only its input, output and target, and the
 * state that entered the window.  No update falls inside such a window
 * and nobody else changes its weights, so online_learn() recomputes the
 * window's activations from that state with the same kernels in the same
 * order, into the shared scratch: the same bits as a ring, for one more
 * forward pass per item and about a sixth of the bytes.
 *
 * A key of --global (online_new_tied()) keeps a lean window at any T, K
 * and horizon, with the states that enter the windows not yet updated
 * (lean_starts() in online.c: a window's first step is advanced T + h - 1
 * items before its update, and windows begin K steps apart).  Its update
 * recomputes the window, outputs included, from the window's entering
 * state with the weights as they are at the update: the gradient of the
 * window's loss at the current shared weights, not (as a ring would give)
 * the activations of the weights of each step, which the other keys have
 * moved since.  Deterministic per seed, and exact across a save and load,
 * since everything it uses is in the key's state; a model file before
 * ONLINE_FORMAT_GLOBAL_LEAN holds a --global key's cached ring, which
 * online_ser() converts (the entering states are the caches' first h and
 * c of the windows' first steps).
 *
 * Ownership: online_new() allocates everything once; online_free() frees it.
 * No function here allocates after that.  A network's gradient and the
 * scratch of its window (struct online_scratch) are no part of its state:
 * networks of one configuration may share them (online_new_sharing(), as
 * the keys of a run do), since each uses them only within one call.  Its
 * parameters and optimizer (struct online_weights) are its state, but
 * networks may share them too (online_new_tied(), the keys of --global):
 * then each one's update steps the one optimizer.  Scratch and weights are
 * each freed with the last network that uses them.
 */
#ifndef RNNF_ONLINE_H
#define RNNF_ONLINE_H

#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "optim.h"
#include "rng.h"

struct online_snap;
struct ser;

struct online_config {
	struct shape shape;
	int chars;		/* one-hot byte input, softmax head */
	int bptt;		/* K */
	int window;		/* T >= K */
	int horizon;		/* h >= 1 */
	enum optim_kind optimizer;
	double lr;
	double clip;		/* 0: no clipping */
	double forget_bias;	/* LSTM forget-gate bias at initialisation */
	uint64_t seed;
};

struct online_scratch {
	real *grad;		/* (np) the gradient of the latest update */
	real *work;		/* cell scratch and the window's gradients */
	const real **ptr;	/* per-step vectors of a window */
	int *ids;		/* per-step bytes of a window */
	int nids;		/* bytes of the last window (see online.c) */
	real *win;		/* (T, layers, cache) a lean window's caches,
				 * then (2, layers, H) its state, then
				 * (T, nout) its outputs */
	real *hs;		/* into WIN: the state */
	real *ys;		/* into WIN: the outputs (of stale weights) */
	struct net_view gv;	/* into GRAD */
	struct net_view pv;	/* into the parameters at PV_OF, those of
				 * the network that used it last (a view
				 * follows from the shape, the same for
				 * every network that shares the scratch) */
	const real *pv_of;
	int users;		/* networks that share it */
};

/* The parameters and their optimizer: one block of np + moments reals. */
struct online_weights {
	real *param;		/* (np) */
	real *moment;		/* (optim_state_size(np)) */
	struct optim opt;	/* its step counts the updates of every user */
	int users;		/* networks that share them */
	/* character mode: the bytes whose W_ih column may have moments (all
	 * those a window held), known once found from the moments */
	uint64_t live[4];	/* a bit per byte */
	int live_known;
};

struct online {
	struct online_config cf;
	size_t np;		/* parameters */
	struct online_weights *w;	/* maybe shared (online_new_tied) */
	real *grad;		/* (np) borrowed from SC, SC->gv into it */
	struct rng rng;		/* initialisation, then sampling */

	int cap;		/* ring slots: T + horizon */
	int lean;		/* slots without caches (see above) */
	int stale;		/* its weights move between its steps
				 * (online_new_tied): a lean window's
				 * outputs are recomputed too */
	int nstart;		/* lean: the entering states it keeps */
	size_t slot;		/* reals per slot */
	size_t cache;		/* reals of cell cache per layer */
	real *ring;		/* (cap, slot), then h, c (and h0, c0) */
	real *h, *c;		/* (layers, H) the carried state */
	real *h0;		/* lean: (nstart, 2, layers, H) the states,
				 * h then c, that enter the windows not yet
				 * updated */

	uint64_t t;		/* items advanced */
	uint64_t pairs;		/* targets met since the last update */
	uint64_t updates;	/* updates taken */
	uint64_t skipped;	/* updates refused for a non-finite gradient */
	uint64_t resets;	/* times a non-finite state was reset */
	double last_norm;	/* gradient norm of the last update */

	struct online_scratch *sc;	/* not part of the state */
};

/*
 * A new network with fresh parameters (seeded), zero state and empty window.
 * Returns NULL when out of memory.
 */
struct online *online_new(const struct online_config *cf);
/*
 * The same, sharing the gradient and scratch of LIKE (a network of the
 * same configuration CF, or NULL for its own).
 */
struct online *online_new_sharing(const struct online_config *cf,
    const struct online *like);
/*
 * The same, its parameters left zero and not drawn from its RNG: for
 * online_ser() to load, which sets every number the draw would.
 */
struct online *online_new_blank(const struct online_config *cf,
    const struct online *like);
/*
 * The same, sharing LIKE's parameters and optimizer as well as its scratch:
 * no parameters of its own are made (RNG is seeded all the same).
 */
struct online *online_new_tied(const struct online_config *cf,
    const struct online *like);
void online_free(struct online *o);

/*
 * Does a network of CF keep a lean window: a KEY's (made sharing another
 * network's scratch) without WEIGHTS of its own (a key of --global), or
 * with them at T = K and horizon 1?
 */
int online_is_lean(const struct online_config *cf, int key, int weights);

/*
 * The bytes a network of CF takes (LEAN: with a lean window): its own
 * (ring and state, the struct), those of its weights (parameters, moments,
 * their struct), which it may share with online_new_tied(), and those of a
 * scratch it may share.
 */
void online_bytes(const struct online_config *cf, int lean, size_t *own,
    size_t *weights, size_t *scratch);

/*
 * The reals a network of configuration CF holds as its state (with WEIGHTS
 * its parameters and optimizer moments, then the ring, h and c, and with
 * LEAN a lean window's h0 and c0), without making it: what a model file
 * must hold before such a network is allocated for it.
 */
size_t online_state_reals(const struct online_config *cf, int weights,
    int lean);

/*
 * After O's state was loaded from outside: NULL if every value that is
 * later used as an index or a count is in range (the window's count, and in
 * character mode the byte ids and targets in the ring), else a static text
 * saying what is not.
 */
const char *online_check(const struct online *o);

/*
 * O for the model file of format VERSION, after its configuration CF
 * (online_config_ser(): a numeric network has at most MAX_NIN inputs, a
 * horizon at most MAX_HORIZON); O is made from CF before it is loaded.
 * Without WEIGHTS (a key of --global) its parameters, moments and
 * optimizer are left out: they are another network's.  A lean window is
 * stored as such from format ONLINE_FORMAT_LEAN on, a --global key's from
 * ONLINE_FORMAT_GLOBAL_LEAN (its slots, then after h and c the entering
 * states, h0 and c0 of each); an older file's cached ring is loaded into
 * it.  online_ser_room(), before a network of CF (a KEY's or not)
 * is allocated for a loading S: the payload must still hold at least the
 * state that shape implies, so that a few bytes cannot ask for gigabytes
 * (0, with S failed, if it does not).
 */
#define ONLINE_FORMAT_LEAN 11
#define ONLINE_FORMAT_GLOBAL_LEAN 16
void online_config_ser(struct ser *s, struct online_config *cf, int max_nin,
    int max_horizon);
void online_ser(struct ser *s, struct online *o, int weights,
    uint32_t version);
int online_ser_room(struct ser *s, const struct online_config *cf,
    int weights, int key, uint32_t version);

/* A later run's --lr (the optimizer's rate too) and --clip. */
void online_set_lr(struct online *o, double lr);
void online_set_clip(struct online *o, double clip);

/*
 * O's stream state (the ring, h and c, h0 and c0, the step and pair
 * counters), kept
 * aside and put back, so that online_advance() in between (--generate)
 * leaves no trace but the generator's.  online_snapshot() returns NULL when
 * out of memory; online_restore() frees SN.
 */
struct online_snap *online_snapshot(const struct online *o);
void online_restore(struct online *o, struct online_snap *sn);

/* Reals of one slot: input | output | target | weight | per-layer caches
 * (none in a lean window). */
real *online_slot(const struct online *o, uint64_t step);

/*
 * Step 1.  If a prediction is due (t >= horizon), record its target and
 * return 1 with its loss term in *LOSS (squared error, or nats); PRESENT 0
 * marks a missing target, which takes part in no loss.  Returns 0 if no
 * prediction is due yet.  TARGET is a scaled number, or a byte value.
 */
int online_score(struct online *o, real target, int present, double *loss);

enum { ONLINE_IDLE, ONLINE_UPDATED, ONLINE_DIVERGED };
/* Step 2: ONLINE_UPDATED after an update, ONLINE_DIVERGED if it was refused. */
int online_learn(struct online *o);

/*
 * Steps 3 and 4: feed X (layer 0's input, dense) or, in character mode, the
 * byte XID; return the head's output (borrowed: valid until the next call):
 * the scaled prediction, or 256 log-probabilities.
 */
const real *online_advance(struct online *o, const real *x, int xid);

/* The output of the latest step (same as online_advance's return). */
const real *online_output(const struct online *o);

#endif
