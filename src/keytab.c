/* keytab.c - the table of keys; see keytab.h. */
#include <stdlib.h>
#include <string.h>
#include "keytab.h"
#include "ser.h"

uint64_t
key_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 offset basis */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;		/* FNV prime */
	}
	return h;
}

struct keytab *
keytab_new(void (*drop)(struct stream *))
{
	struct keytab *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->drop = drop;
	t->nslot = 64;
	if ((t->slot = calloc(t->nslot, sizeof *t->slot)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
keytab_free(struct keytab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->ent[i].key);
		t->drop(t->ent[i].st);
	}
	free(t->ent);
	free(t->slot);
	free(t);
}

struct keyent *
keytab_find(const struct keytab *t, const char *s, size_t n, uint64_t h)
{
	size_t mask = t->nslot - 1, i;

	for (i = (size_t)h & mask; t->slot[i] != 0; i = (i + 1) & mask) {
		struct keyent *e = &t->ent[t->slot[i] - 1];

		if (e->hash == h && e->len == n && memcmp(e->key, s, n) == 0)
			return e;
	}
	return NULL;
}

/* Put entry IX in its slot of SLOT (NSLOT, a power of two). */
static void
place(uint32_t *slot, size_t nslot, uint64_t h, size_t ix)
{
	size_t mask = nslot - 1, i;

	for (i = (size_t)h & mask; slot[i] != 0; i = (i + 1) & mask)
		;
	slot[i] = (uint32_t)(ix + 1);
}

struct keyent *
keytab_add(struct keytab *t, const char *s, size_t n, uint64_t h,
    struct stream *st)
{
	struct keyent *e;
	char *k;

	if (t->n >= UINT32_MAX - 1)
		return NULL;
	if (2 * (t->n + 1) > t->nslot) {
		size_t ns = 2 * t->nslot, i;
		uint32_t *sl = calloc(ns, sizeof *sl);

		if (sl == NULL)
			return NULL;
		for (i = 0; i < t->n; i++)
			place(sl, ns, t->ent[i].hash, i);
		free(t->slot);
		t->slot = sl;
		t->nslot = ns;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? 2 * t->cap : 16;

		if ((e = realloc(t->ent, nc * sizeof *e)) == NULL)
			return NULL;
		t->ent = e;
		t->cap = nc;
	}
	if ((k = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(k, s, n);
	k[n] = '\0';
	e = &t->ent[t->n];
	e->key = k;
	e->len = n;
	e->hash = h;
	e->st = st;
	place(t->slot, t->nslot, h, t->n);
	t->n++;
	return e;
}

void
keytab_ser(struct ser *s, struct keytab *t,
    void (*val)(struct ser *s, struct stream **st, void *ctx), void *ctx)
{
	uint32_t n = ser_loading(s) ? 0 : (uint32_t)t->n, i, len;
	struct stream *st;
	char *k;

	ser_u32(s, &n);
	for (i = 0; i < n && !ser_failed(s); i++) {
		if (!ser_loading(s)) {
			len = (uint32_t)t->ent[i].len;
			ser_u32(s, &len);
			ser_bytes(s, t->ent[i].key, len);
			val(s, &t->ent[i].st, ctx);
			continue;
		}
		ser_u32(s, &len);
		if (ser_failed(s) || len == 0 || len > ser_remaining(s)) {
			ser_fail(s, "a key's length is out of range");
			return;
		}
		if ((k = malloc(len)) == NULL) {
			ser_fail_nomem(s);
			return;
		}
		ser_bytes(s, k, len);
		if (keytab_find(t, k, len, key_hash(k, len)) != NULL) {
			free(k);
			ser_fail(s, "a key appears twice");
			return;
		}
		st = NULL;
		val(s, &st, ctx);
		if (st != NULL && keytab_add(t, k, len, key_hash(k, len),
		    st) == NULL) {
			t->drop(st);
			ser_fail_nomem(s);
		}
		free(k);
	}
}
