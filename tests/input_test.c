/*
 * input_test.c - unit tests for input.c: plain and gzip data, concatenated
 * members, truncated and corrupt data, and that nothing waits on a pipe for
 * more than is there.
 *
 * A watchdog alarm turns a read that blocks into a failure instead of a hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "input.h"

static const char *testname = "";
static char tmpdir[] = "/tmp/input_test.XXXXXX";
static char tmpfile_[sizeof(tmpdir) + 16];
static volatile sig_atomic_t expect_alarm, got_alarm;

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "input_test: %s: ", testname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	unlink(tmpfile_);
	rmdir(tmpdir);
	exit(1);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "input_test: a read blocked (timeout)\n";

	(void)sig;
	if (expect_alarm) {
		/* Should the read go on waiting, the next alarm ends it. */
		got_alarm = 1;
		expect_alarm = 0;
		alarm(5);
		return;
	}
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* SA_RESTART left out so that an alarm interrupts read(2) with EINTR. */
static void
watchdog(unsigned sec)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
	alarm(sec);
}

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			fail("out of memory");
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* One gzip member holding P, made with zlib's deflate. */
static void
gzip_member(struct buf *out, const void *p, size_t n)
{
	unsigned char chunk[4096];
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		fail("deflateInit2");
	zs.next_in = (unsigned char *)(size_t)p;
	zs.avail_in = (uInt)n;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = deflate(&zs, Z_FINISH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			fail("deflate: %d", rc);
		buf_add(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
}

static void
write_file(const void *p, size_t n)
{
	int fd;

	if ((fd = open(tmpfile_, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		fail("open %s: %s", tmpfile_, strerror(errno));
	if (n > 0 && write(fd, p, n) != (ssize_t)n)
		fail("write %s", tmpfile_);
	close(fd);
}

/*
 * Read the temporary file through input with reads of CHUNK bytes.  Returns
 * what was read; *ERR gets the error text if a read failed, else NULL.
 */
static struct buf
read_all(size_t chunk, const char **err, int *gz)
{
	static char errbuf[256];
	struct buf b = { NULL, 0, 0 };
	struct input *in;
	unsigned char *tmp;
	ssize_t r;

	*err = NULL;
	if ((tmp = malloc(chunk)) == NULL)
		fail("out of memory");
	if ((in = input_open(tmpfile_)) == NULL)
		fail("input_open: %s", strerror(errno));
	if (strcmp(input_name(in), tmpfile_) != 0)
		fail("input_name is \"%s\"", input_name(in));
	while ((r = input_read(in, tmp, chunk)) > 0) {
		if ((size_t)r > chunk)
			fail("read returned %zd for %zu", r, chunk);
		buf_add(&b, tmp, (size_t)r);
	}
	if (r < 0) {
		if (errno == EINTR)
			fail("EINTR from a regular file");
		snprintf(errbuf, sizeof(errbuf), "%s", input_error(in));
		*err = errbuf;
		/* Errors on bad data stay. */
		if (input_read(in, tmp, chunk) != -1)
			fail("read after \"%s\" did not fail again", errbuf);
	}
	if (gz != NULL)
		*gz = input_is_gzip(in);
	if (input_close(in) != 0)
		fail("input_close: %s", strerror(errno));
	free(tmp);
	return b;
}

static const size_t chunks[] = { 1, 2, 3, 7, 100, 4096, 65536, 200000 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

/* The file must read back as WANT, for every read size, with no error. */
static void
expect_data(const void *want, size_t n, int want_gz)
{
	const char *err;
	struct buf b;
	size_t i;
	int gz;

	for (i = 0; i < NCHUNKS; i++) {
		b = read_all(chunks[i], &err, &gz);
		if (err != NULL)
			fail("reads of %zu: error \"%s\"", chunks[i], err);
		if (b.n != n || (n > 0 && memcmp(b.p, want, n) != 0))
			fail("reads of %zu: got %zu bytes, want %zu (or"
			    " content differs)", chunks[i], b.n, n);
		if (gz != want_gz)
			fail("reads of %zu: input_is_gzip %d, want %d",
			    chunks[i], gz, want_gz);
		free(b.p);
	}
}

/* The file must give the error WANT (a prefix if PREFIX), after PRE. */
static void
expect_error(const char *want, int prefix, const void *pre, size_t npre)
{
	const char *err;
	struct buf b;
	size_t i;
	int gz;

	for (i = 0; i < NCHUNKS; i++) {
		b = read_all(chunks[i], &err, &gz);
		if (err == NULL)
			fail("reads of %zu: no error, want \"%s\"", chunks[i],
			    want);
		if (prefix ? strncmp(err, want, strlen(want)) != 0 :
		    strcmp(err, want) != 0)
			fail("reads of %zu: error \"%s\", want \"%s\"%s",
			    chunks[i], err, want, prefix ? "..." : "");
		if (pre != NULL && (b.n < npre || memcmp(b.p, pre, npre) != 0))
			fail("reads of %zu: the data before the error is"
			    " wrong (%zu bytes)", chunks[i], b.n);
		if (!gz)
			fail("not seen as gzip");
		free(b.p);
	}
}

/* Text that compresses, with long matches, but not to nothing. */
static struct buf
sample(size_t n, unsigned seed)
{
	struct buf b = { NULL, 0, 0 };
	char line[64];
	int len;

	while (b.n < n) {
		seed = seed * 1103515245u + 12345u;
		len = snprintf(line, sizeof(line), "%u,%u.%02u,x\n",
		    (unsigned)b.n, (seed >> 16) % 1000, (seed >> 8) % 100);
		buf_add(&b, line, (size_t)len);
	}
	b.n = n;
	return b;
}

static void
test_plain(void)
{
	static const unsigned char odd[] = { 0x1f, 'a', 0x8b, '\n', 0 };
	struct buf s;

	testname = "plain";
	s = sample(300000, 1);
	write_file(s.p, s.n);
	expect_data(s.p, s.n, 0);
	free(s.p);

	testname = "plain starting with 1f";
	write_file(odd, sizeof(odd));
	expect_data(odd, sizeof(odd), 0);
	write_file(odd, 1);
	expect_data(odd, 1, 0);

	testname = "empty file";
	write_file("", 0);
	expect_data("", 0, 0);
}

static void
test_gzip(void)
{
	struct buf s, s2, z = { NULL, 0, 0 }, all = { NULL, 0, 0 };

	testname = "gzip round trip";
	s = sample(300000, 2);
	gzip_member(&z, s.p, s.n);
	write_file(z.p, z.n);
	expect_data(s.p, s.n, 1);

	testname = "gzip of nothing";
	z.n = 0;
	gzip_member(&z, "", 0);
	write_file(z.p, z.n);
	expect_data("", 0, 1);

	testname = "concatenated members";
	s2 = sample(5000, 3);
	z.n = 0;
	gzip_member(&z, s.p, s.n);
	gzip_member(&z, "", 0);
	gzip_member(&z, s2.p, s2.n);
	gzip_member(&z, "last\n", 5);
	buf_add(&all, s.p, s.n);
	buf_add(&all, s2.p, s2.n);
	buf_add(&all, "last\n", 5);
	write_file(z.p, z.n);
	expect_data(all.p, all.n, 1);

	free(s.p);
	free(s2.p);
	free(z.p);
	free(all.p);
}

static void
test_bad_gzip(void)
{
	struct buf s, z = { NULL, 0, 0 }, t = { NULL, 0, 0 };
	size_t cut[] = { 1, 4, 8, 100 };
	size_t i;

	s = sample(20000, 4);
	gzip_member(&z, s.p, s.n);

	testname = "truncated gzip";
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		write_file(z.p, z.n - cut[i]);
		expect_error("unexpected end of compressed data", 0, NULL, 0);
	}
	write_file("\x1f\x8b", 2);
	expect_error("unexpected end of compressed data", 0, NULL, 0);
	write_file(z.p, 10);	/* the header alone */
	expect_error("unexpected end of compressed data", 0, NULL, 0);

	testname = "trailing garbage";
	t.n = 0;
	buf_add(&t, z.p, z.n);
	buf_add(&t, "garbage\n", 8);
	write_file(t.p, t.n);
	expect_error("invalid compressed data: trailing garbage", 0,
	    s.p, s.n);
	t.n = z.n;
	buf_add(&t, "\x1f", 1);
	write_file(t.p, t.n);
	expect_error("invalid compressed data: trailing garbage", 0,
	    s.p, s.n);
	t.n = z.n;
	buf_add(&t, "\x1f\x8c", 2);
	write_file(t.p, t.n);
	expect_error("invalid compressed data: trailing garbage", 0,
	    s.p, s.n);

	testname = "bad crc";
	t.n = 0;
	buf_add(&t, z.p, z.n);
	t.p[t.n - 8] ^= 0x55;
	write_file(t.p, t.n);
	expect_error("invalid compressed data: incorrect data check", 0,
	    s.p, s.n);

	testname = "corrupt deflate data";
	t.n = 0;
	buf_add(&t, z.p, z.n);
	for (i = 12; i < t.n - 8; i += 7)
		t.p[i] ^= 0xa5;
	write_file(t.p, t.n);
	expect_error("invalid compressed data: ", 1, NULL, 0);

	testname = "bad header";
	write_file("\x1f\x8b\x09\x00\x00\x00\x00\x00\x00\x03", 10);
	expect_error("invalid compressed data: unknown compression method",
	    0, NULL, 0);

	free(s.p);
	free(z.p);
	free(t.p);
}

static void
put(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		fail("write to pipe: %s", strerror(errno));
}

/* A read on an empty pipe is interrupted by a signal: -1 and EINTR. */
static void
expect_eintr(struct input *in)
{
	struct itimerval it;
	char b[16];

	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 100000;
	got_alarm = 0;
	expect_alarm = 1;
	setitimer(ITIMER_REAL, &it, NULL);
	if (input_read(in, b, sizeof(b)) != -1 || errno != EINTR)
		fail("want -1 with EINTR");
	if (!got_alarm)
		fail("no alarm");
	if (strcmp(input_error(in), strerror(EINTR)) != 0)
		fail("error \"%s\" after EINTR", input_error(in));
	watchdog(10);
}

static void
expect_read(struct input *in, const char *want, size_t n)
{
	char b[256];
	ssize_t r;

	r = input_read(in, b, sizeof(b));
	if (r < 0)
		fail("input_read: %s", input_error(in));
	if ((size_t)r != n || memcmp(b, want, n) != 0)
		fail("input_read gave %zd bytes \"%.*s\", want %zu", r,
		    r > 0 ? (int)r : 0, b, n);
}

/* Whatever a pipe holds is handed on without waiting for more. */
static void
test_pipe(void)
{
	unsigned char out[256];
	struct input *in;
	z_stream zs;
	int fds[2], saved;

	testname = "plain pipe";
	saved = dup(0);
	if (saved == -1 || pipe(fds) == -1)
		fail("pipe: %s", strerror(errno));
	if (dup2(fds[0], 0) == -1)
		fail("dup2: %s", strerror(errno));
	close(fds[0]);
	if ((in = input_open("-")) == NULL)
		fail("input_open(-): %s", strerror(errno));
	if (strcmp(input_name(in), "stdin") != 0)
		fail("input_name is \"%s\", want \"stdin\"", input_name(in));
	watchdog(10);
	/* A lone first byte other than 1f cannot start gzip data. */
	put(fds[1], "1", 1);
	expect_read(in, "1", 1);
	put(fds[1], "2\n", 2);
	expect_read(in, "2\n", 2);
	put(fds[1], "12\n", 3);
	expect_read(in, "12\n", 3);
	put(fds[1], "34", 2);
	expect_read(in, "34", 2);
	put(fds[1], "5\n", 2);
	expect_read(in, "5\n", 2);
	if (input_is_gzip(in))
		fail("plain data seen as gzip");

	testname = "EINTR, plain";
	expect_eintr(in);
	put(fds[1], "6\n", 2);
	expect_read(in, "6\n", 2);

	close(fds[1]);
	expect_read(in, "", 0);
	if (input_close(in) != 0)
		fail("input_close: %s", strerror(errno));
	if (fcntl(0, F_GETFD) == -1)
		fail("input_close closed stdin");

	testname = "gzip pipe";
	if (pipe(fds) == -1 || dup2(fds[0], 0) == -1)
		fail("pipe: %s", strerror(errno));
	close(fds[0]);
	if ((in = input_open("-")) == NULL)
		fail("input_open(-): %s", strerror(errno));
	testname = "EINTR before the first byte";
	expect_eintr(in);
	testname = "gzip pipe";
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		fail("deflateInit2");
	zs.next_in = (unsigned char *)"12\n";
	zs.avail_in = 3;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	if (deflate(&zs, Z_SYNC_FLUSH) != Z_OK)
		fail("deflate");
	put(fds[1], out, sizeof(out) - zs.avail_out);
	expect_read(in, "12\n", 3);
	if (!input_is_gzip(in))
		fail("gzip data not seen as gzip");
	testname = "EINTR, gzip";
	expect_eintr(in);
	testname = "gzip pipe";
	zs.next_in = (unsigned char *)"34\n";
	zs.avail_in = 3;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	if (deflate(&zs, Z_SYNC_FLUSH) != Z_OK)
		fail("deflate");
	put(fds[1], out, sizeof(out) - zs.avail_out);
	expect_read(in, "34\n", 3);
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		fail("deflate");
	deflateEnd(&zs);
	put(fds[1], out, sizeof(out) - zs.avail_out);
	close(fds[1]);
	expect_read(in, "", 0);
	input_close(in);

	if (dup2(saved, 0) == -1)
		fail("dup2: %s", strerror(errno));
	close(saved);
	alarm(0);
}

/* gzip data trickling in a byte at a time, member boundaries included. */
static void
test_trickle(void)
{
	struct buf z = { NULL, 0, 0 }, got = { NULL, 0, 0 };
	static const char want[] = "a,1\nb,2\nc,3\n";
	unsigned char b[64];
	struct input *in;
	int fds[2], saved, status;
	ssize_t r;
	size_t i;
	pid_t pid;

	testname = "gzip a byte at a time";
	gzip_member(&z, "a,1\nb,2\n", 8);
	gzip_member(&z, "c,3\n", 4);
	saved = dup(0);
	if (saved == -1 || pipe(fds) == -1)
		fail("pipe: %s", strerror(errno));
	if ((pid = fork()) == -1)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		close(saved);
		for (i = 0; i < z.n; i++) {
			if (write(fds[1], z.p + i, 1) != 1)
				_exit(1);
			usleep(2000);
		}
		free(z.p);
		_exit(0);
	}
	close(fds[1]);
	dup2(fds[0], 0);
	close(fds[0]);
	watchdog(20);
	if ((in = input_open("-")) == NULL)
		fail("input_open(-): %s", strerror(errno));
	while ((r = input_read(in, b, sizeof(b))) > 0)
		buf_add(&got, b, (size_t)r);
	if (r < 0)
		fail("input_read: %s", input_error(in));
	if (got.n != sizeof(want) - 1 || memcmp(got.p, want, got.n) != 0)
		fail("got \"%.*s\"", (int)got.n, got.p);
	input_close(in);
	alarm(0);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		fail("writer failed");
	dup2(saved, 0);
	close(saved);
	free(z.p);
	free(got.p);
}

static void
test_open(void)
{
	struct input *in;

	testname = "open";
	errno = 0;
	if ((in = input_open("/nonexistent/input_test")) != NULL ||
	    errno != ENOENT)
		fail("opening a missing file: want NULL and ENOENT");

	testname = "directory";
	if ((in = input_open(tmpdir)) == NULL)
		fail("input_open(dir): %s", strerror(errno));
	{
		char b[16];

		if (input_read(in, b, sizeof(b)) != -1 || errno != EISDIR ||
		    strcmp(input_error(in), strerror(EISDIR)) != 0)
			fail("reading a directory: want EISDIR, got \"%s\"",
			    input_error(in));
	}
	input_close(in);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL) {
		perror("input_test: mkdtemp");
		return 1;
	}
	snprintf(tmpfile_, sizeof(tmpfile_), "%s/data", tmpdir);
	test_open();
	test_plain();
	test_gzip();
	test_bad_gzip();
	test_pipe();
	test_trickle();
	unlink(tmpfile_);
	rmdir(tmpdir);
	printf("input_test: all passed\n");
	return 0;
}
