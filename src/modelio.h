/*
 * modelio.h - the model file's envelope: one gzip member whose payload is,
 * in little-endian order, the magic "RNNFILTR", a u32 format version, what
 * the caller describes (struct model_payload; run.h's is the whole state
 * of a run), and a u32 crc32 of all the payload before it.
 *
 * Saving writes FILE.tmp-XXXXXX in FILE's directory, fsyncs it, renames it
 * over FILE and fsyncs the directory, so FILE is always either the old model
 * or the new one.  A run that may save holds an exclusive flock(2) on
 * FILE.lock (a separate file, since FILE itself is replaced by rename).
 */
#ifndef RNNF_MODELIO_H
#define RNNF_MODELIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "rerr.h"

struct ser;

/*
 * 2 added --key, 3 the inputs' names, 4 the bytes kept for the next run,
 * 5 the anomaly score's model, 6 the base forecasters, 7 the base's AR
 * rows padded, 8 the anomaly score's records and short median, 9 the
 * base's history sized to its forecasters (base.h, BASE_LAYOUT), 10
 * --global (an i32 after the key column's spec; the keys' records then
 * without weights), 11 the lean windows of independent keys at T = K and
 * horizon 1 (online.h, ONLINE_FORMAT_LEAN), 12 the base's ar24 in the place of
 * ar12 (base.h, BASE_LAYOUT 4; from an older file it starts afresh), 13
 * the base's second, shorter combination memory (BASE_LAYOUT 5), 14 the
 * anomaly score's seasonal tail p5 (anomaly.h; from an older file it starts
 * afresh), 15 the shape of its tails, without t2's warm-up values (from an
 * older file the tails go on with the exponential's), 16 the lean windows of
 * the keys of --global (online.h, ONLINE_FORMAT_GLOBAL_LEAN); earlier
 * versions still load (1 to 5 as the plain
 * network, 6 to 8 with the base converted to its layout on loading; before
 * 8 the anomaly score warms up afresh; before 10 with independent keys; before 11, and
 * for --global before 16, a lean window from the cached ring)
 */
#define MODEL_FORMAT_VERSION 16

/*
 * What a model file holds after its magic and version: DESCRIBE saves,
 * counts or loads it on S (ser.h) for CTX, VERSION being the file's format
 * (MODEL_FORMAT_VERSION when saving).  A load that fails may leave in CTX
 * what DESCRIBE made before it failed, for the caller to free.
 */
struct model_payload {
	void (*describe)(struct ser *s, void *ctx, uint32_t version);
	void *ctx;
};

/*
 * Load PATH through P.  Returns 0 with *FOUND 1, 0 with *FOUND 0 if PATH
 * does not exist (P not called), or an exit status with E set: EXIT_MODEL
 * for a file that is foreign, corrupt, truncated or of a newer format, or
 * not a regular file (a FIFO, a device: never read), EXIT_DATA for a read
 * error.
 */
int model_load(const char *path, const struct model_payload *p, int *found,
    struct rerr *e);

/*
 * Load the N bytes of a model file at BUF (named NAME in messages)
 * through P: 0, or an exit status with E set as model_load().  Nothing is
 * allocated before the bytes are found to hold it: the payload is bounded
 * by what a save makes of N bytes, and each network's state by the
 * bytes left.
 */
int model_unpack(const void *buf, size_t n, const char *name,
    const struct model_payload *p, struct rerr *e);

/*
 * The file a model path stands for: PATH itself, or where its chain of
 * symbolic links ends (the file that is loaded, locked and replaced: a
 * link is never replaced by a file).  *OUT is malloc'd for the caller.
 * 0, or EXIT_DATA with E set.
 */
int model_path(const char *path, char **out, struct rerr *e);

/* The bytes of P's model file into *OUT (malloc'd): 0, or -1 out of memory. */
int model_pack(const struct model_payload *p, void **out, size_t *n);

/* Save P atomically to PATH.  0, or EXIT_DATA with E set; PATH is intact. */
int model_save(const char *path, const struct model_payload *p,
    struct rerr *e);

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
