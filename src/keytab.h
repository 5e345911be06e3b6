/*
 * keytab.h - --key: the table from a key (the bytes of the key column) to
 * that key's network and stream state, in order of first appearance.
 *
 * Open addressing with linear probing over a power-of-two array of slots,
 * at most half full, doubled when a new key would fill it more; the hash is
 * FNV-1a 64 of the key's bytes, the same stable hash that --shard takes
 * modulo N.  Memory is allocated only when a new key appears: looking up a
 * known key allocates nothing.
 *
 * Ownership: keytab_free() frees the table, every key's copy, network
 * (online_free) and stream state (free); a keyent pointer is borrowed and
 * valid until the next keytab_add().
 */
#ifndef RNNF_KEYTAB_H
#define RNNF_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

struct online;
struct numstate;

struct keyent {
	char *key;		/* LEN bytes and a NUL */
	size_t len;
	uint64_t hash;
	struct online *net;
	struct numstate *st;
};

struct keytab {
	struct keyent *ent;	/* (cap) the first N used, in order of arrival */
	size_t n, cap;
	uint32_t *slot;		/* (nslot) 1 + index into ENT, 0 for empty */
	size_t nslot;
};

/* FNV-1a 64 of the N bytes at S. */
uint64_t key_hash(const char *s, size_t n);

/* An empty table, or NULL when out of memory. */
struct keytab *keytab_new(void);
void keytab_free(struct keytab *t);

/* The entry of key S (N bytes, hash H), or NULL. */
struct keyent *keytab_find(const struct keytab *t, const char *s, size_t n,
    uint64_t h);

/*
 * Add key S (not in T) with NET and ST, which T then owns.  Returns the
 * entry, or NULL when out of memory (NET and ST still the caller's).
 */
struct keyent *keytab_add(struct keytab *t, const char *s, size_t n,
    uint64_t h, struct online *net, struct numstate *st);

#endif
