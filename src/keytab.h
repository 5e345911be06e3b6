/*
 * keytab.h - --key: the table from a key (the bytes of the key column) to
 * that key's stream (stream.h), in order of first appearance.
 *
 * Open addressing with linear probing over a power-of-two array of slots,
 * at most half full, doubled when a new key would fill it more; the hash is
 * FNV-1a 64 of the key's bytes, the same stable hash that --shard takes
 * modulo N.  Memory is allocated only when a new key appears: looking up a
 * known key allocates nothing.
 *
 * Ownership: keytab_free() frees the table, every key's copy, and every
 * stream through the callback given to keytab_new(); a keyent pointer is
 * borrowed and valid until the next keytab_add().  The table knows nothing
 * of what a stream is.
 */
#ifndef RNNF_KEYTAB_H
#define RNNF_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

struct ser;
struct stream;

struct keyent {
	char *key;		/* LEN bytes and a NUL */
	size_t len;
	uint64_t hash;
	struct stream *st;
};

struct keytab {
	struct keyent *ent;	/* (cap) the first N used, in order of arrival */
	size_t n, cap;
	uint32_t *slot;		/* (nslot) 1 + index into ENT, 0 for empty */
	size_t nslot;
	void (*drop)(struct stream *);	/* frees a stream */
};

/* FNV-1a 64 of the N bytes at S. */
uint64_t key_hash(const char *s, size_t n);

/* An empty table whose streams DROP frees, or NULL when out of memory. */
struct keytab *keytab_new(void (*drop)(struct stream *));
void keytab_free(struct keytab *t);

/* The entry of key S (N bytes, hash H), or NULL. */
struct keyent *keytab_find(const struct keytab *t, const char *s, size_t n,
    uint64_t h);

/*
 * Add key S (not in T) with ST, which T then owns.  Returns the entry, or
 * NULL when out of memory (ST still the caller's).
 */
struct keyent *keytab_add(struct keytab *t, const char *s, size_t n,
    uint64_t h, struct stream *st);

/*
 * The keys for the model file: a u32 count, then per key in order of
 * arrival its name (u32 length, bytes) and what VAL describes of its
 * stream.  Loading, VAL is called with *ST NULL and makes the stream (or
 * leaves it NULL after ser_fail()); a key is refused if it is empty, longer
 * than the bytes left, or there twice.
 */
void keytab_ser(struct ser *s, struct keytab *t,
    void (*val)(struct ser *s, struct stream **st, void *ctx), void *ctx);

#endif
