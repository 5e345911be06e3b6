/*
 * malloccount.c - an LD_PRELOAD shim for tests/alloc.test: counts the calls
 * of malloc, calloc, realloc and posix_memalign (aligned_alloc, memalign)
 * and writes the count to the file $MALLOCCOUNT_OUT when the process exits.
 * The memory itself comes from the C library (found with dlsym); calloc's
 * first calls, made by dlsym itself before the real calloc is known, are
 * served from a small static arena.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_memalign)(void **, size_t, size_t);
static unsigned long count;
static char arena[4096];
static size_t arena_used;
static int busy;	/* in init(): dlsym may call calloc */

static void
init(void)
{
	if (real_malloc != NULL || busy)
		return;
	busy = 1;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT,
	    "posix_memalign");
	busy = 0;
}

void *
malloc(size_t n)
{
	init();
	count++;
	return real_malloc(n);
}

void *
calloc(size_t m, size_t n)
{
	init();
	if (busy) {	/* dlsym's own, during init() */
		size_t k = (m * n + 15) & ~(size_t)15;
		void *p;

		if (k > sizeof arena - arena_used)
			return NULL;
		p = arena + arena_used;
		arena_used += k;
		return p;	/* static storage: already zero */
	}
	count++;
	return real_calloc(m, n);
}

void *
realloc(void *p, size_t n)
{
	init();
	count++;
	return real_realloc(p, n);
}

void
free(void *p)
{
	static void (*real_free)(void *);

	if ((char *)p >= arena && (char *)p < arena + sizeof arena)
		return;
	if (real_free == NULL)
		real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_free(p);
}

int
posix_memalign(void **p, size_t a, size_t n)
{
	init();
	count++;
	return real_memalign(p, a, n);
}

void *
aligned_alloc(size_t a, size_t n)
{
	void *p = NULL;

	return posix_memalign(&p, a < sizeof(void *) ? sizeof(void *) : a,
	    n) == 0 ? p : NULL;
}

void *
memalign(size_t a, size_t n)
{
	return aligned_alloc(a, n);
}

__attribute__((destructor)) static void
report(void)
{
	const char *out = getenv("MALLOCCOUNT_OUT");
	unsigned long n = count;	/* before fopen's own */
	FILE *f;

	if (out == NULL || (f = fopen(out, "w")) == NULL)
		return;
	fprintf(f, "%lu\n", n);
	fclose(f);
}
