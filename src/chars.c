/* chars.c - character mode's bytes, lines and sampling; see chars.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "chars.h"
#include "input.h"
#include "linalg.h"
#include "output.h"
#include "ser.h"

#define NBYTE 256
#define UNIFORM_BITS 8.0	/* log2(256): the first byte has no prediction */

struct crun {
	const struct opts *op;
	struct online *net;
	struct charstate *cs;
	struct charreport *rep;
	int quiet_out;		/* --generate: no per-item output */
	int (*hook)(void *);	/* after each byte, when not NULL */
	void *hook_ctx;
	int halted;		/* the hook asked to end the run */
	volatile sig_atomic_t *stop;	/* a stop signal, or NULL */
	uint64_t count[NBYTE];	/* order-0 counts, from 1 */
	uint64_t total;
	z_stream z;
	int zok;
	unsigned char zout[1 << 15];
};

void
charstate_init(struct charstate *cs)
{
	memset(cs, 0, sizeof *cs);
}

void
charstate_ser(struct ser *s, struct charstate *cs)
{
	ser_f64(s, &cs->line_bits);
	ser_u64(s, &cs->line_bytes);
	if (ser_loading(s) && !ser_failed(s) &&
	    (cs->line_bits < 0 || (cs->line_bytes == 0 && cs->line_bits > 0)))
		ser_fail(s, "bad character-mode line state");
}

/* Write byte B so that the line stays printable: \n \t \r \\ \xHH. */
static void
put_escaped(int b)
{
	static const char hex[] = "0123456789abcdef";
	char buf[4];

	switch (b) {
	case '\n':
		out_write("\\n", 2);
		return;
	case '\t':
		out_write("\\t", 2);
		return;
	case '\r':
		out_write("\\r", 2);
		return;
	case '\\':
		out_write("\\\\", 2);
		return;
	}
	if (b >= 0x20 && b <= 0x7e) {
		out_char(b);
		return;
	}
	buf[0] = '\\';
	buf[1] = 'x';
	buf[2] = hex[b >> 4];
	buf[3] = hex[b & 15];
	out_write(buf, 4);
}

/*
 * V as printf's "%.3f" writes it.  Two of these a byte were 5% of a run in
 * snprintf, so the common case is done here: below 10^6, V * 1000 is within
 * 2^-23 of its exact value, so unless its fraction is that close to a half
 * (printf rounds the exact value to nearest), the rounding is decided.  The
 * rest (near halves, large, negative or -0, not finite) goes to snprintf.
 */
static void
put_fixed3(double v)
{
	char b[64];
	int n;

	if (v >= 0 && v < 1e6 && !signbit(v)) {
		double y = v * 1000, f = floor(y), r = y - f;

		if (fabs(r - 0.5) > 1e-6) {
			unsigned long u = (unsigned long)f + (r > 0.5);
			char *q = b + sizeof b;

			*--q = (char)('0' + u % 10);
			*--q = (char)('0' + u / 10 % 10);
			*--q = (char)('0' + u / 100 % 10);
			*--q = '.';
			u /= 1000;
			do
				*--q = (char)('0' + u % 10);
			while ((u /= 10) > 0);
			out_write(q, (size_t)(b + sizeof b - q));
			return;
		}
	}
	n = snprintf(b, sizeof b, "%.3f", v);
	out_write(b, (size_t)n);
}

static void
end_line(struct crun *r)
{
	struct charstate *cs = r->cs;

	if (r->op->append)
		out_char('\t');
	put_fixed3(cs->line_bytes ? cs->line_bits / (double)cs->line_bytes : 0);
	out_char('\n');
	cs->line_bits = 0;
	cs->line_bytes = 0;
}

/* The protocol for one byte, and its output line (or its share of one). */
static void
byte_step(struct crun *r, int b)
{
	struct online *net = r->net;
	struct charstate *cs = r->cs;
	const real *y;
	double loss, bits;
	int best;

	/* 1. score the prediction made before B arrived */
	bits = online_score(net, (real)b, 1, &loss) ? loss / M_LN2 :
	    UNIFORM_BITS;
	/* 2. learn */
	if (!r->op->no_learn)
		online_learn(net);
	/* 3, 4. advance and predict the next byte */
	y = online_advance(net, NULL, b);

	if (r->rep != NULL) {
		r->rep->bytes++;
		r->rep->net_bits += bits;
		r->rep->order0_bits += log2((double)r->total /
		    (double)r->count[b]);
		r->count[b]++;
		r->total++;
	}
	/* the open line is followed in every mode, so that runs in different
	 * modes on one model agree on where a line began */
	cs->line_bits += bits;
	cs->line_bytes++;
	if (!r->quiet_out && r->op->per_line) {
		if (b != '\n') {
			if (r->op->append)
				out_char(b);
		} else {
			end_line(r);
			out_flush();
		}
	}
	if (b == '\n') {
		cs->line_bits = 0;
		cs->line_bytes = 0;
	}
	if (r->quiet_out || r->op->per_line)
		return;
	best = (int)la_argmax(y, NBYTE);
	put_escaped(b);
	out_char('\t');
	put_fixed3(bits);
	out_char('\t');
	put_escaped(best);
	out_char('\t');
	put_fixed3(exp((double)y[best]));
	out_char('\n');
}

/* Deflate N bytes for the report, counting and discarding the output. */
static void
deflate_count(struct crun *r, const void *p, size_t n, int flush)
{
	int rc;

	if (!r->zok)
		return;
	r->z.next_in = (Bytef *)(uintptr_t)p;
	r->z.avail_in = (uInt)n;
	do {
		r->z.next_out = r->zout;
		r->z.avail_out = sizeof r->zout;
		rc = deflate(&r->z, flush);
		r->rep->deflated += sizeof r->zout - r->z.avail_out;
	} while (rc == Z_OK && (r->z.avail_in > 0 || r->z.avail_out == 0 ||
	    flush == Z_FINISH));
}

/* A chunk of input, byte by byte: nonzero ends the file (see input_pump). */
static int
eat_bytes(void *ctx, const unsigned char *buf, size_t n)
{
	struct crun *r = ctx;
	size_t i;

	for (i = 0; i < n && !(r->stop && *r->stop) && !r->halted; i++) {
		byte_step(r, buf[i]);
		if (r->hook != NULL && r->hook(r->hook_ctx) != 0)
			r->halted = 1;
	}
	if (r->rep != NULL)
		deflate_count(r, buf, i, Z_NO_FLUSH);
	return r->halted || out_error() != 0;
}

static int
run_file(struct crun *r, const char *path, struct rerr *e)
{
	static unsigned char buf[1 << 16];
	struct input_pump pump = { out_flush, NULL, eat_bytes, NULL, buf,
	    sizeof buf };
	struct input *in;

	/* a stop signal may end an open that blocks (a FIFO without writer) */
	if ((in = input_open_stop(path, r->stop)) == NULL)
		return errno == EINTR ? 0 :
		    rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(errno));
	pump.stop = r->stop;
	pump.ctx = r;
	if (input_pump(in, &pump) == INPUT_READ_ERROR)
		rerr_set(e, EXIT_DATA, "%s: %s", input_name(in),
		    input_error(in));
	input_close(in);
	return e->status;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int
chars_run(const struct opts *op, struct online *net, struct charstate *cs,
    int carry, struct charreport *rep, int (*hook)(void *), void *hook_ctx,
    volatile sig_atomic_t *stop, struct rerr *e)
{
	static char *const stdin_only[] = { "-", NULL };
	char *const *f;
	struct crun *r;
	double t0 = now();
	int i;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");
	r->op = op;
	r->net = net;
	r->cs = cs;
	r->rep = rep;
	r->quiet_out = op->generate > 0;
	r->hook = hook;
	r->hook_ctx = hook_ctx;
	r->stop = stop;
	if (rep != NULL) {
		memset(rep, 0, sizeof *rep);
		for (i = 0; i < NBYTE; i++)
			r->count[i] = 1;
		r->total = NBYTE;
		/* raw deflate: the compressed data without zlib's header */
		r->zok = deflateInit2(&r->z, 9, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY) == Z_OK;
	}
	f = op->files[0] != NULL ? op->files : stdin_only;
	/* a model asked to generate from a terminal reads no input */
	if (op->generate > 0 && op->files[0] == NULL && isatty(0))
		f = stdin_only + 1;
	for (; *f != NULL && e->status == 0 && !(stop && *stop) && !r->halted;
	    f++)
		if (run_file(r, *f, e) == 0 && out_error())
			break;
	if (e->status == 0 && !carry && !r->quiet_out && op->per_line &&
	    cs->line_bytes > 0)
		end_line(r);
	if (rep != NULL) {
		deflate_count(r, NULL, 0, Z_FINISH);
		if (r->zok)
			deflateEnd(&r->z);
		rep->seconds = now() - t0;
	}
	free(r);
	out_flush();
	if (e->status == 0 && out_error() && out_error() != EPIPE)
		rerr_set(e, EXIT_DATA, "write error: %s", strerror(out_error()));
	return e->status;
}

/* A byte drawn from the log-probabilities LOGP (NULL: uniform). */
static int
sample(const real *logp, double temp, struct rng *rng)
{
	double w[NBYTE], sum = 0, u, mx;
	int j, best = 0, last = 0;

	if (logp == NULL)
		return temp == 0 ? 0 : (int)(rng_uniform(rng) * NBYTE);
	best = (int)la_argmax(logp, NBYTE);
	if (temp == 0)
		return best;
	mx = (double)logp[best];
	for (j = 0; j < NBYTE; j++) {
		w[j] = exp(((double)logp[j] - mx) / temp);
		sum += w[j];
	}
	u = rng_uniform(rng) * sum;
	for (j = 0; j < NBYTE; j++) {
		if (w[j] <= 0)
			continue;
		if (u < w[j])
			return j;
		u -= w[j];
		last = j;
	}
	return last;	/* rounding left U at the top */
}

/* A chunk of --prime-file, fed without learning. */
static int
eat_prime(void *ctx, const unsigned char *buf, size_t n)
{
	struct online *net = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		online_advance(net, NULL, buf[i]);
	return 0;
}

static int
prime_file(struct online *net, const char *path, struct rerr *e)
{
	static unsigned char buf[1 << 16];
	struct input_pump pump = { NULL, NULL, eat_prime, NULL, buf,
	    sizeof buf };
	struct input *in;

	if ((in = input_open(path)) == NULL)
		return rerr_set(e, EXIT_DATA, "%s: %s", path, strerror(errno));
	pump.ctx = net;
	if (input_pump(in, &pump) == INPUT_READ_ERROR)
		rerr_set(e, EXIT_DATA, "%s: %s", input_name(in),
		    input_error(in));
	input_close(in);
	return e->status;
}

int
chars_generate(const struct opts *op, struct online *net, struct rerr *e)
{
	struct online_snap *save;
	const char *s;
	long long i;
	int b;

	/* the excursion must not change the stream's state: keep a copy */
	if ((save = online_snapshot(net)) == NULL)
		return rerr_set(e, EXIT_DATA, "out of memory");

	if (op->prime != NULL)
		for (s = op->prime; *s != '\0'; s++)
			online_advance(net, NULL, (unsigned char)*s);
	if (op->prime_file != NULL)
		prime_file(net, op->prime_file, e);
	for (i = 0; i < op->generate && e->status == 0; i++) {
		b = sample(net->t > 0 ? online_output(net) : NULL,
		    op->temperature, &net->rng);
		out_char(b);
		if (b == '\n' && out_flush() != 0)
			break;
		online_advance(net, NULL, b);
	}

	online_restore(net, save);
	out_flush();
	if (e->status == 0 && out_error() && out_error() != EPIPE)
		rerr_set(e, EXIT_DATA, "write error: %s", strerror(out_error()));
	return e->status;
}

void
chars_report_format(const struct charreport *rep, char *buf, size_t n)
{
	double nb = rep->bytes > 0 ? (double)rep->bytes : 1;

	snprintf(buf, n, "bytes %llu  bits/byte %.3f  order-0 %.3f  "
	    "deflate-9 %.3f  bytes/s %.0f",
	    (unsigned long long)rep->bytes, rep->net_bits / nb,
	    rep->order0_bits / nb, 8.0 * (double)rep->deflated / nb,
	    rep->seconds > 0 ? (double)rep->bytes / rep->seconds : 0);
}
