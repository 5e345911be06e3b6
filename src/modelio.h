/*
 * modelio.h - the model file: the whole state of a run, saved so that the
 * next run goes on exactly where this one stopped (rnnfilter(1), MODEL FILE).
 *
 * The file is one gzip member whose payload is, in little-endian order:
 * the magic "RNNFILTR", a u32 format version, a u8 mode (numeric or
 * characters), the settings, the network (parameters, optimizer moments and
 * step, generator, counters, the TBPTT ring, the carried h and c), the
 * stream's state (struct numstate, see numstate_ser(), or struct
 * charstate), with --key (format 2) the key column and each key's name,
 * network, columns and stream in order of first appearance, and a u32
 * crc32 of all the payload before it.  With --key the first network is
 * only the template the keys' networks are made from; with --global
 * (format 10) its weights and optimizer are those of every key, and a
 * key's network is saved without them.
 *
 * Saving writes FILE.tmp-XXXXXX in FILE's directory, fsyncs it, renames it
 * over FILE and fsyncs the directory, so FILE is always either the old model
 * or the new one.  A run that may save holds an exclusive flock(2) on
 * FILE.lock (a separate file, since FILE itself is replaced by rename).
 *
 * Ownership: model_load() and run_create() fill a struct model whose
 * members model_release() frees (not the struct itself).
 */
#ifndef RNNF_MODELIO_H
#define RNNF_MODELIO_H

#include <signal.h>
#include <stdio.h>
#include "chars.h"
#include "numeric.h"
#include "online.h"
#include "opts.h"
#include "rerr.h"

/*
 * 2 added --key, 3 the inputs' names, 4 the bytes kept for the next run,
 * 5 the anomaly score's model, 6 the base forecasters, 7 the base's AR
 * rows padded, 8 the anomaly score's records and short median, 9 the
 * base's history sized to its forecasters (base.h, BASE_LAYOUT), 10
 * --global (an i32 after the key column's spec; the keys' records then
 * without weights); earlier versions still load (1 to 5 as the plain
 * network, 6 to 8 with the base converted to its layout on loading; before
 * 8 the anomaly score warms up afresh; before 10 with independent keys)
 */
#define MODEL_FORMAT_VERSION 10
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

/* Free what M holds (run_create() or model_load() filled it). */
void model_release(struct model *m);

/*
 * Load PATH into M.  Returns 0 with *FOUND 1, 0 with *FOUND 0 if PATH does
 * not exist (M untouched), or an exit status with E set: EXIT_MODEL for a
 * file that is foreign, corrupt, truncated or of a newer format, or not a
 * regular file (a FIFO, a device: never read), EXIT_DATA for a read error.
 */
int model_load(const char *path, struct model *m, int *found, struct rerr *e);

/*
 * Load the N bytes of a model file at BUF (named NAME in messages) into M:
 * 0, or an exit status with E set as model_load().  Nothing is allocated
 * before the bytes are found to hold it: the payload is bounded by what
 * ser_pack() makes of N bytes, and each network's state by the bytes left.
 */
int model_unpack(const void *buf, size_t n, const char *name,
    struct model *m, struct rerr *e);

/*
 * The file a model path stands for: PATH itself, or where its chain of
 * symbolic links ends (the file that is loaded, locked and replaced: a
 * link is never replaced by a file).  *OUT is malloc'd for the caller.
 * 0, or EXIT_DATA with E set.
 */
int model_path(const char *path, char **out, struct rerr *e);

/* The bytes of M's model file into *OUT (malloc'd): 0, or -1 out of memory. */
int model_pack(struct model *m, void **out, size_t *n);

/* Save M atomically to PATH.  0, or EXIT_DATA with E set; PATH is intact. */
int model_save(const char *path, struct model *m, struct rerr *e);

/*
 * Take the exclusive lock of PATH (on PATH.lock), waiting for it if WAIT.
 * A wait interrupted by a signal gives up when *STOP is nonzero (returns -1
 * with E unset).  Returns 0 with *FD set, EXIT_LOCKED if the model is in use
 * and WAIT is 0, or EXIT_DATA.  model_unlock() closes FD.
 */
int model_lock(const char *path, int wait, volatile sig_atomic_t *stop, int *fd,
    struct rerr *e);
void model_unlock(int fd);

#endif
