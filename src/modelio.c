/* modelio.c - the model file's envelope: save, load, lock; see modelio.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "modelio.h"
#include "rerr.h"
#include "ser.h"

static const char magic[8] = { 'R', 'N', 'N', 'F', 'I', 'L', 'T', 'R' };

/* --- loading ---------------------------------------------------------------- */

static int
reject_foreign(const void *p, size_t n)
{
	return n < sizeof magic || memcmp(p, magic, sizeof magic) != 0;
}

/*
 * The whole regular file FD (of SIZE bytes when opened) in memory; NULL
 * with errno set.
 */
static void *
slurp(int fd, off_t size, size_t *n)
{
	size_t cap = size > 0 ? (size_t)size + 1 : 4096, len = 0;
	char *buf, *p;
	ssize_t r;

	if ((buf = malloc(cap)) == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {	/* the file grew while it was read */
			if ((p = realloc(buf, 2 * cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*n = len;
	return buf;
}

int
model_unpack(const void *buf, size_t n, const char *name,
    const struct model_payload *p, struct rerr *e)
{
	struct ser *s = NULL;
	char mg[sizeof magic];
	uint32_t version = 0;
	int rc;

	rc = ser_unpack(buf, n, sizeof magic, reject_foreign,
	    ser_payload_max(n), &s);
	switch (rc) {
	case SER_OK:
		break;
	case SER_NOMEM:
		return rerr_set(e, EXIT_DATA, "%s: out of memory", name);
	case SER_NOT_GZIP:
		return rerr_set(e, EXIT_MODEL, "%s: not an rnnfilter model", name);
	case SER_TRUNCATED:
		return rerr_set(e, EXIT_MODEL, "%s: truncated model file", name);
	case SER_BAD_DATA:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: invalid compressed data", name);
	case SER_TOO_LARGE:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: it inflates beyond what rnnfilter writes",
		    name);
	default:
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: checksum mismatch", name);
	}
	ser_bytes(s, mg, sizeof mg);
	ser_u32(s, &version);
	if (ser_failed(s)) {
		ser_free(s);
		return rerr_set(e, EXIT_MODEL, "%s: truncated model file", name);
	}
	if (version > MODEL_FORMAT_VERSION || version == 0) {
		ser_free(s);
		return rerr_set(e, EXIT_MODEL,
		    "%s: model format version %lu is newer than this rnnfilter's %d",
		    name, (unsigned long)version, MODEL_FORMAT_VERSION);
	}
	if (ser_check_sum(s) != 0) {
		ser_free(s);
		return rerr_set(e, EXIT_MODEL,
		    "%s: corrupt model file: checksum mismatch", name);
	}
	p->describe(s, p->ctx, version);
	if (!ser_failed(s) && ser_remaining(s) != 0)
		ser_fail(s, "data after the end of the model");
	if (ser_failed(s)) {
		rerr_set(e, strcmp(ser_error(s), "out of memory") == 0 ?
		    EXIT_DATA : EXIT_MODEL, "%s: corrupt model file: %s", name,
		    ser_error(s));
		ser_free(s);
		return e->status;
	}
	ser_free(s);
	return 0;
}

int
model_load(const char *path, const struct model_payload *p, int *found,
    struct rerr *e)
{
	struct stat sb;
	void *buf;
	size_t n;
	int fd, rc;

	*found = 0;
	/* O_NONBLOCK: a FIFO must not hang the run before it is refused */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 0;
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0) {
		rc = errno;
		close(fd);
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(rc));
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return rerr_set(e, EXIT_MODEL, "%s: not a regular file", path);
	}
	buf = slurp(fd, sb.st_size, &n);
	rc = errno;
	close(fd);
	if (buf == NULL)
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(rc));
	rc = model_unpack(buf, n, path, p, e);
	free(buf);
	if (rc != 0)
		return rc;
	*found = 1;
	return 0;
}

int
model_path(const char *path, char **out, struct rerr *e)
{
	char *p, *t, *q;
	struct stat sb;
	ssize_t k;
	size_t cap;
	int hops;

	*out = NULL;
	if ((p = strdup(path)) == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	for (hops = 0; lstat(p, &sb) == 0 && S_ISLNK(sb.st_mode); hops++) {
		if (hops == 40) {
			free(p);
			return rerr_set(e, EXIT_DATA, "%s: %s", path,
			    strerror(ELOOP));
		}
		cap = (size_t)sb.st_size + 1;
		if (cap < 256)
			cap = 256;
		if ((t = malloc(cap)) == NULL) {
			free(p);
			return rerr_set(e, EXIT_DATA, "out of memory");
		}
		if ((k = readlink(p, t, cap)) < 0 || (size_t)k >= cap) {
			int err = k < 0 ? errno : ENAMETOOLONG;

			free(t);
			free(p);
			return rerr_set(e, EXIT_DATA, "%s: %s", path,
			    strerror(err));
		}
		t[k] = '\0';
		/* a relative target is relative to the link's directory */
		if (t[0] != '/' && (q = strrchr(p, '/')) != NULL) {
			size_t dl = (size_t)(q - p) + 1;
			char *j = malloc(dl + (size_t)k + 1);

			if (j == NULL) {
				free(t);
				free(p);
				return rerr_set(e, EXIT_DATA, "out of memory");
			}
			memcpy(j, p, dl);
			memcpy(j + dl, t, (size_t)k + 1);
			free(t);
			t = j;
		}
		free(p);
		p = t;
	}
	*out = p;
	return 0;
}

/* --- saving ----------------------------------------------------------------- */

static int
write_all(int fd, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding PATH, so that the rename is durable. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		/* some file systems cannot fsync a directory: not an error */
		if (rc != 0 && (errno == EINVAL || errno == ENOTSUP))
			rc = 0;
		close(fd);
	}
	free(copy);
	return rc;
}

int
model_pack(const struct model_payload *p, void **out, size_t *n)
{
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	int err;

	if ((s = ser_new_save()) == NULL)
		return -1;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	p->describe(s, p->ctx, version);
	err = ser_pack(s, out, n);
	ser_free(s);
	return err;
}

/* The payload's bytes that P's model file holds, its crc32 included. */
static size_t
payload_size(const struct model_payload *p)
{
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	size_t n;

	if ((s = ser_new_count()) == NULL)
		return 0;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	p->describe(s, p->ctx, version);
	n = ser_failed(s) ? 0 : ser_length(s) + 4;
	ser_free(s);
	return n;
}

struct fdsink {
	int fd;
	int err;	/* the failed write's errno */
};

static int
fd_write(void *ctx, const void *p, size_t n)
{
	struct fdsink *k = ctx;

	if (write_all(k->fd, p, n) == 0)
		return 0;
	k->err = errno;
	return -1;
}

/*
 * P's model file to FD as it is described, compressed in pieces (a payload
 * above SER_HUFFMAN_MAX): 0, or an errno (ENOMEM when out of memory).
 */
static int
save_stream(int fd, const struct model_payload *p)
{
	struct fdsink k;
	struct ser *s;
	uint32_t version = MODEL_FORMAT_VERSION;
	int rc;

	k.fd = fd;
	k.err = 0;
	if ((s = ser_new_stream(fd_write, &k)) == NULL)
		return ENOMEM;
	ser_bytes(s, (void *)magic, sizeof magic);
	ser_u32(s, &version);
	p->describe(s, p->ctx, version);
	rc = ser_finish(s);
	ser_free(s);
	return rc == 0 ? 0 : k.err != 0 ? k.err : ENOMEM;
}

/*
 * A model's payload above SER_HUFFMAN_MAX (many keys) is written as it is
 * described, so that a save takes about 2 MiB more than the run, not twice
 * the model file; a smaller one is made in memory first.
 */
int
model_save(const char *path, const struct model_payload *p, struct rerr *e)
{
	struct stat sb;
	char *tmp;
	void *out = NULL;
	size_t n = 0, len = strlen(path), pn;
	int fd, err, big;
	mode_t mode, mask;

	if ((pn = payload_size(p)) == 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	big = pn > SER_HUFFMAN_MAX;
	if (!big && model_pack(p, &out, &n) != 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	if ((tmp = malloc(len + sizeof ".tmp-XXXXXX")) == NULL) {
		free(out);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory", path);
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		err = errno;
		free(tmp);
		free(out);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	}
	/*
	 * The new file keeps the old one's permissions, else 0666 & ~umask;
	 * lstat, so that what replaced the file meanwhile (a link to a
	 * device) lends it nothing.
	 */
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		mode = sb.st_mode & 07777;
	else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	err = 0;
	if (fchmod(fd, mode) != 0)
		err = errno;
	else if (big)
		err = save_stream(fd, p);
	else if (write_all(fd, out, n) != 0)
		err = errno;
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0)
		unlink(tmp);
	else if (sync_dir(path) != 0)
		err = errno;
	free(tmp);
	free(out);
	if (err == ENOMEM)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: out of memory",
		    path);
	if (err != 0)
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	return 0;
}

/* --- locking ---------------------------------------------------------------- */

/* A save's temporary file can be made beside PATH: 0, or EXIT_DATA. */
static int
probe_save(const char *path, struct rerr *e)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof ".tmp-XXXXXX");
	int fd, err;

	if (tmp == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		err = errno;
		free(tmp);
		return rerr_set(e, EXIT_DATA, "%s: cannot save: %s", path,
		    strerror(err));
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int
model_lock(const char *path, int wait, volatile sig_atomic_t *stop, int *fdp,
    struct rerr *e)
{
	size_t len = strlen(path);
	char *lk = malloc(len + sizeof ".lock");
	struct stat sb;
	int fd, err;

	if (lk == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	memcpy(lk, path, len);
	memcpy(lk + len, ".lock", sizeof ".lock");
	fd = open(lk, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = errno;
		rerr_set(e, EXIT_DATA, "%s: %s", lk, strerror(err));
		free(lk);
		return e->status;
	}
	free(lk);
	while (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
		err = errno;
		if (err == EINTR && !(stop != NULL && *stop))
			continue;
		close(fd);
		if (err == EINTR)
			return -1;
		if (err == EWOULDBLOCK)
			return rerr_set(e, EXIT_LOCKED,
			    "%s: in use by another run (--wait waits for it)",
			    path);
		return rerr_set(e, EXIT_DATA, "%s: cannot lock: %s", path,
		    strerror(err));
	}
	/*
	 * Can FILE be saved at all?  Found now, before any output, and not
	 * after the run has written predictions that a retry would repeat.
	 */
	if (probe_save(path, e) != 0) {
		close(fd);
		return e->status;
	}
	/* chmod a-w protects a model: it is never replaced */
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & 0222) == 0) {
		close(fd);
		return rerr_set(e, EXIT_DATA,
		    "%s: the model file is read-only (--no-learn uses it as it is)",
		    path);
	}
	*fdp = fd;
	return 0;
}

void
model_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
