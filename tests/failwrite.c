/*
 * failwrite.c - an LD_PRELOAD shim for tests/model.test and
 * tests/integrity.test: with RNNF_FAIL=write, fsync, rename or mkstemp in
 * the environment, that call fails (on descriptors above 2 for write), as on
 * a full or failing disk or a directory that cannot be written.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
failing(const char *what)
{
	const char *v = getenv("RNNF_FAIL");

	return v != NULL && strcmp(v, what) == 0;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	ssize_t (*real_write)(int, const void *, size_t) =
	    (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

	if (fd > 2 && failing("write")) {
		errno = ENOSPC;
		return -1;
	}
	return real_write(fd, buf, n);
}

int
fsync(int fd)
{
	int (*real_fsync)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

	if (failing("fsync")) {
		errno = EIO;
		return -1;
	}
	return real_fsync(fd);
}

int
rename(const char *from, const char *to)
{
	int (*real_rename)(const char *, const char *) =
	    (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");

	if (failing("rename")) {
		errno = EACCES;
		return -1;
	}
	return real_rename(from, to);
}

int
mkstemp(char *template)
{
	int (*real_mkstemp)(char *) = (int (*)(char *))dlsym(RTLD_NEXT, "mkstemp");

	if (failing("mkstemp")) {
		errno = EACCES;
		return -1;
	}
	return real_mkstemp(template);
}
