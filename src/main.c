/*
 * main.c - rnnfilter's command line: the only file that parses argv, prints
 * usage and decides the exit status.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "anomaly.h"
#include "base.h"
#include "chars.h"
#include "dump.h"
#include "keytab.h"
#include "modelio.h"
#include "numeric.h"
#include "opts.h"
#include "output.h"
#include "report.h"
#include "rerr.h"
#include "run.h"

static const char *progname = "rnnfilter";
/* --model's file, links followed (model_path), freed before returning */
static char *model_file;

enum {
	OPT_HEADER = CHAR_MAX + 1, OPT_NO_HEADER, OPT_CELL, OPT_OPTIMIZER,
	OPT_CLIP, OPT_SEED, OPT_HORIZON, OPT_NORMALIZE, OPT_FORECAST,
	OPT_NO_LEARN, OPT_DUMP, OPT_OUTPUT, OPT_REPORT, OPT_GENERATE,
	OPT_TEMPERATURE, OPT_PRIME, OPT_PRIME_FILE, OPT_PER_LINE,
	OPT_PRECISION, OPT_PROGRESS, OPT_WAIT, OPT_CHECKPOINT, OPT_AR_ORDER,
	OPT_INTERVAL, OPT_ALERT, OPT_FORGET_BIAS, OPT_PREDICT, OPT_SHARD,
	OPT_HOLDOFF, OPT_MISSING, OPT_SKIP_BAD, OPT_DECIMAL_COMMA, OPT_THOUSANDS,
	OPT_PERIOD, OPT_GLOBAL, OPT_NO_GLOBAL
};

static const struct option longopts[] = {
	{ "column", required_argument, NULL, 'c' },
	{ "inputs", required_argument, NULL, 'i' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "header", no_argument, NULL, OPT_HEADER },
	{ "no-header", no_argument, NULL, OPT_NO_HEADER },
	{ "missing", required_argument, NULL, OPT_MISSING },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "decimal-comma", no_argument, NULL, OPT_DECIMAL_COMMA },
	{ "thousands", required_argument, NULL, OPT_THOUSANDS },
	{ "chars", no_argument, NULL, 'C' },
	{ "key", required_argument, NULL, 'k' },
	{ "global", no_argument, NULL, OPT_GLOBAL },
	{ "no-global", no_argument, NULL, OPT_NO_GLOBAL },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "cell", required_argument, NULL, OPT_CELL },
	{ "hidden", required_argument, NULL, 'H' },
	{ "layers", required_argument, NULL, 'L' },
	{ "bptt", required_argument, NULL, 'K' },
	{ "window", required_argument, NULL, 'T' },
	{ "optimizer", required_argument, NULL, OPT_OPTIMIZER },
	{ "lr", required_argument, NULL, 'r' },
	{ "clip", required_argument, NULL, OPT_CLIP },
	{ "forget-bias", required_argument, NULL, OPT_FORGET_BIAS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "horizon", required_argument, NULL, OPT_HORIZON },
	{ "normalize", required_argument, NULL, OPT_NORMALIZE },
	{ "predict", required_argument, NULL, OPT_PREDICT },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "forecast", required_argument, NULL, OPT_FORECAST },
	{ "model", required_argument, NULL, 'm' },
	{ "no-learn", no_argument, NULL, OPT_NO_LEARN },
	{ "dump", no_argument, NULL, OPT_DUMP },
	{ "append", no_argument, NULL, 'a' },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "precision", required_argument, NULL, OPT_PRECISION },
	{ "report", no_argument, NULL, OPT_REPORT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "ar-order", required_argument, NULL, OPT_AR_ORDER },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "alert", required_argument, NULL, OPT_ALERT },
	{ "holdoff", required_argument, NULL, OPT_HOLDOFF },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
	{ "generate", required_argument, NULL, OPT_GENERATE },
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE },
	{ "prime", required_argument, NULL, OPT_PRIME },
	{ "prime-file", required_argument, NULL, OPT_PRIME_FILE },
	{ "per-line", no_argument, NULL, OPT_PER_LINE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char shortopts[] = "c:i:d:Ck:H:L:K:T:r:m:aqhV";

/* --help and --version: exit 0 only if all of it was written. */
static void
exit_written(void)
{
	int err = fflush(stdout) != 0 ? errno : 0;

	if (err == 0 && ferror(stdout))
		err = errno != 0 ? errno : EIO;
	if (err != 0) {
		fprintf(stderr, "%s: write error: %s\n", progname, strerror(err));
		exit(EXIT_DATA);
	}
	exit(0);
}

static void
usage(int status)
{
	static const char *const enum_opts[5] = {
		"cell", "optimizer", "normalize", "predict", "output"
	};
	char enums[5][64];
	struct opts d;
	int i;

	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    progname);
		exit(status);
	}
	opts_init(&d);
	for (i = 0; i < 5; i++)
		opts_enum_list(opts_def(enum_opts[i]), "|", enums[i],
		    sizeof enums[i]);
	printf("Usage: %s [OPTION]... [FILE]...\n", progname);
	printf("An online recurrent network as a filter: reads numbers (CSV) or bytes,\n"
	    "learns as it reads, and writes one prediction per item.\n"
	    "With no FILE, or when FILE is -, read standard input (plain or gzip).\n\n");
	printf("Input:\n"
	    "  -c, --column COL      target column, by header name or 1-based index\n"
	    "                        [close, adj close, adj_close, price or value,\n"
	    "                        else the last numeric column]\n"
	    "  -i, --inputs COLS     further input columns, a comma list [none]\n"
	    "  -d, --delimiter CHAR  field delimiter ('\\t' or tab for a tab) [%c]\n"
	    "      --header, --no-header  whether the first row names the columns\n"
	    "                        [detected]\n"
	    "      --missing LIST    these spellings (a comma list, case-insensitive)\n"
	    "                        are missing values too, as NA,null [only empty fields]\n"
	    "      --skip-bad        skip rows with a bad value or field count, and\n"
	    "                        say how many on standard error [stop at the first]\n"
	    "      --decimal-comma   numbers are written 3,14 (with -d ';', or quoted)\n"
	    "      --thousands CHAR  drop CHAR between groups of three digits [none]\n"
	    "  -C, --chars           character mode: predict the next byte\n"
	    "  -k, --key COL         an independent model per distinct value of COL\n"
	    "      --global, --no-global  with --key, one network (weights and\n"
	    "                        optimizer) learned from all keys, each key with\n"
	    "                        its own state, or one network per key [no-global]\n"
	    "      --shard I/N       only the keys whose hash mod N is I (0 <= I < N)\n",
	    d.delimiter);
	printf("\nThe network:\n"
	    "      --cell %s  recurrent cell [%s]\n"
	    "  -H, --hidden N        hidden units per layer, 1 to %d\n"
	    "                        [%d; %d with --chars]\n"
	    "  -L, --layers N        stacked layers, 1 to %d [%d]\n"
	    "  -K, --bptt K          one update every K scored items, 1 to 100000\n"
	    "                        [%d; %d with --chars]\n"
	    "  -T, --window T        backpropagate through T steps, 1 to 100000,\n"
	    "                        T >= K [K]\n"
	    "      --optimizer %s  [%s]\n"
	    "  -r, --lr RATE         learning rate, 1e-12 to 1000 [%g with adam or\n"
	    "                        rmsprop, %g with adagrad, %g with sgd;\n"
	    "                        %g with adam and --chars]\n"
	    "      --clip NORM       clip the gradient's global norm, 0 to 1e+30,\n"
	    "                        0 for none [%g]\n"
	    "      --forget-bias B   LSTM forget-gate bias at initialisation,\n"
	    "                        -100 to 100 [%g]\n"
	    "      --seed N          seed of the initialisation and sampling,\n"
	    "                        0 to 2^63-1 [%llu]\n"
	    "      --horizon H       predict H items ahead, 1 to %d [%d]\n"
	    "      --normalize %s  online scaling of numbers [%s]\n"
	    "      --predict %s  the network corrects the base\n"
	    "                        forecast (seasonal forecasters combined online),\n"
	    "                        or alone predicts the scaled change from the last\n"
	    "                        item, or the scaled level [%s]\n"
	    "      --period auto|none|LIST  seasonal periods of the base, in items:\n"
	    "                        from the time column or the data, none, or a\n"
	    "                        LIST of one or two, P or P,P2, increasing, 2 to %d\n"
	    "                        (dshw needs P2 a multiple of P) [auto]\n",
	    enums[0], opts_enum_name(opts_def("cell"), d.cell),
	    MODEL_MAX_HIDDEN, d.hidden, CHARS_DEFAULT_HIDDEN,
	    MODEL_MAX_LAYERS, d.layers, d.bptt, CHARS_DEFAULT_BPTT, enums[1],
	    opts_enum_name(opts_def("optimizer"), d.optimizer),
	    optim_default_lr(OPTIM_ADAM),
	    optim_default_lr(OPTIM_ADAGRAD), optim_default_lr(OPTIM_SGD),
	    CHARS_DEFAULT_LR, d.clip, d.forget_bias,
	    (unsigned long long)d.seed, NUM_MAX_HORIZON, d.horizon, enums[2],
	    opts_enum_name(opts_def("normalize"), d.normalize), enums[3],
	    opts_enum_name(opts_def("predict"), d.predict), BASE_MAX_PERIOD);
	printf("\nOutput:\n"
	    "  -a, --append          echo each row and add the columns prediction,\n"
	    "                        forecast, residual, anomaly, lo, hi (and alert)\n"
	    "      --output %s  format of --append rows and --report [%s]\n"
	    "      --precision N     significant digits, 0 to 17, 0 for the fewest\n"
	    "                        that round-trip a float [%d]\n"
	    "      --forecast N      after the input, the forecasts +1 to +N items\n"
	    "                        after the last row (+1 its own forecast),\n"
	    "                        0 to 2^63-1 (needs --horizon 1) [%lld]\n"
	    "      --report          metrics against the naive and AR baselines, and\n"
	    "                        the base's periods and forecasters, on standard\n"
	    "                        error at the end (even with --quiet)\n"
	    "      --ar-order P      order of the AR baseline, 0 to 64 [%d]\n"
	    "      --interval C      coverage of the lo..hi interval, 0.5 to 0.999\n"
	    "                        [%g]; given, --forecast lines have it too\n"
	    "      --alert X         exit 5 if an anomaly score reaches X, 0 to 1\n"
	    "                        [off]\n"
	    "      --holdoff N       after a surprise, N to 2N items in which only a\n"
	    "                        larger one scores, 0 to %d, 0 for none [%lld]\n"
	    "      --progress        a progress table on standard error [when it\n"
	    "                        is a terminal and not --quiet]\n"
	    "  -q, --quiet           no notes on standard error\n",
	    enums[4], opts_enum_name(opts_def("output"), d.output),
	    d.precision, d.forecast, d.ar_order, d.interval, ANOM_HOLDOFF_MAX,
	    d.holdoff);
	printf("\nCharacter mode (with --chars; one line per byte: the byte,\n"
	    "its surprise in bits, the likeliest next byte, its probability):\n"
	    "      --per-line        one line per input line: its mean surprise\n"
	    "                        in bits per byte (with -a: the line, a tab, it)\n"
	    "      --generate N      after the input, write N sampled bytes (and\n"
	    "                        nothing else), 0 to 2^63-1 [%lld]\n"
	    "      --temperature T   sampling temperature, 0 to 100, 0 for the\n"
	    "                        likeliest byte (with --generate) [%g]\n"
	    "      --prime TEXT      feed TEXT (without learning) before generating\n"
	    "      --prime-file FILE feed FILE's bytes before generating\n",
	    d.generate, d.temperature);
	printf("\nThe model file:\n"
	    "  -m, --model FILE      load FILE if it exists, save it on exit\n"
	    "      --no-learn        predict only: weights and FILE (which must\n"
	    "                        exist) stay unchanged\n"
	    "      --dump            print the model in FILE as JSON and exit\n"
	    "      --wait            wait while another run uses FILE [fail at once]\n"
	    "      --checkpoint N    also save FILE every N items, 1 to 2^63-1\n"
	    "                        [only at exit]\n"
	    "An option of the other mode is an error, not ignored.\n");
	printf("\n  -h, --help            print this help and exit\n"
	    "  -V, --version         print the version and exit\n");
	printf("\nExit status: 0 ok (also when the reader of the output went away\n"
	    "early; the model file is then not saved), 1 data, read or write error,\n"
	    "2 usage error, 3 the model file is in use, 4 the model file is bad or\n"
	    "of another shape, 5 an anomaly score reached --alert, 128+N signal N\n"
	    "ended a run with --model (saved).\n"
	    "Full documentation: man rnnfilter\n");
	exit_written();
}

#if defined(__GNUC__) || defined(__clang__)
static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
#endif

/* One line "rnnfilter: FMT..." and the hint to --help; exits 2. */
static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(EXIT_USAGE);
	exit(EXIT_USAGE);	/* not reached: usage() exits */
}

/* An enum option's value, by the option table; the values are listed if bad. */
static void
parse_enum(const char *name, const char *arg, struct opts *o)
{
	const struct opt_def *d = opts_def(name);
	char list[128];

	if (opts_parse_enum(d, arg, o) != 0) {
		opts_enum_list(d, ", ", list, sizeof list);
		usage_error("--%s: '%s' is not one of %s", name, arg, list);
	}
	o->given |= d->given;
}

/* Strict integer in [MIN, MAX]; quotes the bad value in the message. */
static long long
num_int(const char *name, const char *s, long long min, long long max)
{
	char *end, range[64];
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max) {
		snprintf(range, sizeof range, "an integer from %lld to %lld",
		    min, max);
		fprintf(stderr, "%s: --%s: '%s' is not %s\n", progname, name,
		    s, range);
		usage(EXIT_USAGE);
	}
	return v;
}

static double
num_real(const char *name, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !(v >= min) ||
	    !(v <= max)) {
		fprintf(stderr, "%s: --%s: '%s' is not a number from %g to %g\n",
		    progname, name, s, min, max);
		usage(EXIT_USAGE);
	}
	return v;
}

/*
 * --period auto|none|P[,P2]: up to two increasing numbers from 2 to
 * BASE_MAX_PERIOD (double-seasonal Holt-Winters needs P2 a multiple of P;
 * the other forecasters take any).
 */
static void
parse_period(struct opts *o, const char *arg)
{
	const char *s = arg;
	char *end;
	int n = 0;

	if (strcmp(arg, "auto") == 0) {
		o->nperiod = -1;
		return;
	}
	if (strcmp(arg, "none") == 0) {
		o->nperiod = 0;
		return;
	}
	for (;;) {
		double v;

		errno = 0;
		v = strtod(s, &end);
		if (end == s || errno == ERANGE || !(v >= 2) ||
		    !(v <= BASE_MAX_PERIOD) || n == 2 ||
		    (n == 1 && !(v > o->period[0])) ||
		    (*end != '\0' && *end != ',')) {
			usage_error("--period: '%s' is not auto, none, or one or two increasing periods from 2 to %d",
			    arg, BASE_MAX_PERIOD);
		}
		o->period[n++] = v;
		if (*end == '\0')
			break;
		s = end + 1;
	}
	o->nperiod = n;
}

/* --shard I/N: two strict integers, 0 <= I < N. */
static void
parse_shard(const char *arg, struct opts *o)
{
	const char *s = arg;
	long long i, n;
	char *end;

	errno = 0;
	i = strtoll(s, &end, 10);
	if (end == s || *end != '/' || s[0] < '0' || s[0] > '9' ||
	    errno == ERANGE)
		goto bad;
	s = end + 1;
	n = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || s[0] < '0' || s[0] > '9' ||
	    errno == ERANGE || n < 1 || n > INT_MAX || i >= n)
		goto bad;
	o->shard_i = (int)i;
	o->shard_n = (int)n;
	return;
bad:
	fprintf(stderr, "%s: --shard: '%s' is not I/N with 0 <= I < N\n",
	    progname, arg);
	usage(EXIT_USAGE);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	argv[0] = (char *)progname;	/* getopt's messages name it so */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'c':	/* --column */
			o->column = optarg;
			o->given |= GIVEN_COLUMN;
			break;
		case 'i':	/* --inputs */
			o->inputs = optarg;
			o->given |= GIVEN_INPUTS;
			break;
		case 'd':	/* --delimiter */
			if (strcmp(optarg, "\\t") == 0 || strcmp(optarg, "tab") == 0)
				o->delimiter = '\t';
			else if (strlen(optarg) == 1 && optarg[0] != '"' &&
			    optarg[0] != '\n' && optarg[0] != '\r')
				o->delimiter = (unsigned char)optarg[0];
			else
				usage_error("--delimiter: '%s' is not one character",
				    optarg);
			o->given |= GIVEN_DELIMITER;
			break;
		case OPT_HEADER:	/* --header */
			o->header = HEADER_YES;
			break;
		case OPT_NO_HEADER:	/* --no-header */
			o->header = HEADER_NO;
			break;
		case OPT_MISSING:	/* --missing */
			o->missing = optarg;
			break;
		case OPT_SKIP_BAD:	/* --skip-bad */
			o->skip_bad = 1;
			break;
		case OPT_DECIMAL_COMMA:	/* --decimal-comma */
			o->decimal_comma = 1;
			break;
		case OPT_THOUSANDS:	/* --thousands */
			if (strlen(optarg) != 1 || (optarg[0] >= '0' &&
			    optarg[0] <= '9') || optarg[0] == '-' ||
			    optarg[0] == '+' || optarg[0] == '"')
				usage_error("--thousands: '%s' is not one character other than a digit, a sign or a quote",
				    optarg);
			o->thousands = (unsigned char)optarg[0];
			break;
		case 'C':	/* --chars */
			o->chars = 1;
			o->given |= GIVEN_CHARS;
			break;
		case 'k':	/* --key */
			o->key = optarg;
			o->given |= GIVEN_KEY;
			break;
		case OPT_GLOBAL:	/* --global */
			o->global = 1;
			o->given |= GIVEN_GLOBAL;
			break;
		case OPT_NO_GLOBAL:	/* --no-global */
			o->global = 0;
			o->given |= GIVEN_GLOBAL;
			break;
		case OPT_SHARD:	/* --shard */
			parse_shard(optarg, o);
			break;
		case OPT_CELL:	/* --cell */
			parse_enum("cell", optarg, o);
			break;
		case 'H':	/* --hidden */
			o->hidden = (int)num_int("hidden", optarg, 1, MODEL_MAX_HIDDEN);
			o->given |= GIVEN_HIDDEN;
			break;
		case 'L':	/* --layers */
			o->layers = (int)num_int("layers", optarg, 1, MODEL_MAX_LAYERS);
			o->given |= GIVEN_LAYERS;
			break;
		case 'K':	/* --bptt */
			o->bptt = (int)num_int("bptt", optarg, 1, 100000);
			o->given |= GIVEN_BPTT;
			break;
		case 'T':	/* --window */
			o->window = (int)num_int("window", optarg, 1, 100000);
			o->given |= GIVEN_WINDOW;
			break;
		case OPT_OPTIMIZER:	/* --optimizer */
			parse_enum("optimizer", optarg, o);
			break;
		case 'r':	/* --lr */
			o->lr = num_real("lr", optarg, 1e-12, 1e3);
			o->given |= GIVEN_LR;
			break;
		case OPT_CLIP:	/* --clip */
			o->clip = num_real("clip", optarg, 0, 1e30);
			o->given |= GIVEN_CLIP;
			break;
		case OPT_FORGET_BIAS:	/* --forget-bias */
			o->forget_bias = num_real("forget-bias", optarg, -100, 100);
			break;
		case OPT_SEED:	/* --seed */
			o->seed = (uint64_t)num_int("seed", optarg, 0, LLONG_MAX);
			o->given |= GIVEN_SEED;
			break;
		case OPT_HORIZON:	/* --horizon */
			o->horizon = (int)num_int("horizon", optarg, 1, NUM_MAX_HORIZON);
			o->given |= GIVEN_HORIZON;
			break;
		case OPT_NORMALIZE:	/* --normalize */
			parse_enum("normalize", optarg, o);
			break;
		case OPT_PREDICT:	/* --predict */
			parse_enum("predict", optarg, o);
			break;
		case OPT_PERIOD:	/* --period */
			parse_period(o, optarg);
			o->given |= GIVEN_PERIOD;
			break;
		case OPT_FORECAST:	/* --forecast */
			o->forecast = num_int("forecast", optarg, 0, LLONG_MAX);
			break;
		case 'm':	/* --model */
			o->model = optarg;
			break;
		case OPT_NO_LEARN:	/* --no-learn */
			o->no_learn = 1;
			break;
		case OPT_DUMP:	/* --dump */
			o->dump = 1;
			break;
		case 'a':	/* --append */
			o->append = 1;
			break;
		case OPT_OUTPUT:	/* --output */
			parse_enum("output", optarg, o);
			break;
		case OPT_PRECISION:	/* --precision */
			o->precision = (int)num_int("precision", optarg, 0, 17);
			o->given |= GIVEN_PRECISION;
			break;
		case OPT_REPORT:	/* --report */
			o->report = 1;
			break;
		case OPT_PROGRESS:	/* --progress */
			o->progress = 1;
			break;
		case OPT_AR_ORDER:	/* --ar-order */
			o->ar_order = (int)num_int("ar-order", optarg, 0, 64);
			o->given |= GIVEN_AR_ORDER;
			break;
		case OPT_INTERVAL:	/* --interval */
			o->interval = num_real("interval", optarg, 0.5, 0.999);
			o->given |= GIVEN_INTERVAL;
			break;
		case OPT_ALERT:	/* --alert */
			o->alert = num_real("alert", optarg, 0, 1);
			break;
		case OPT_HOLDOFF:	/* --holdoff */
			o->holdoff = num_int("holdoff", optarg, 0, ANOM_HOLDOFF_MAX);
			o->given |= GIVEN_HOLDOFF;
			break;
		case OPT_WAIT:	/* --wait */
			o->wait = 1;
			break;
		case OPT_CHECKPOINT:	/* --checkpoint */
			o->checkpoint = num_int("checkpoint", optarg, 1, LLONG_MAX);
			break;
		case OPT_GENERATE:	/* --generate */
			o->generate = num_int("generate", optarg, 0, LLONG_MAX);
			break;
		case OPT_TEMPERATURE:	/* --temperature */
			o->temperature = num_real("temperature", optarg, 0, 100);
			o->given |= GIVEN_TEMPERATURE;
			break;
		case OPT_PRIME:	/* --prime */
			o->prime = optarg;
			break;
		case OPT_PRIME_FILE:	/* --prime-file */
			o->prime_file = optarg;
			break;
		case OPT_PER_LINE:	/* --per-line */
			o->per_line = 1;
			break;
		case 'q':	/* --quiet */
			o->quiet = 1;
			break;
		case 'h':	/* --help */
			usage(0);
			break;
		case 'V':	/* --version */
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit_written();
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	o->files = argv + optind;
}

/* The signal that asks the run to stop (SIGINT, SIGTERM, SIGHUP), or 0. */
static volatile sig_atomic_t stop;
/* SIGUSR1 asks for a checkpoint. */
static volatile sig_atomic_t checkpoint_asked;

static void
on_stop(int sig)
{
	if (stop == 0)
		stop = sig;
}

static void
on_usr1(int sig)
{
	checkpoint_asked = 1;
}

/*
 * Without SA_RESTART, so that a read blocked on a quiet pipe returns and the
 * run can save and end; SIGUSR1 restarts, so that it never fails a write
 * (its checkpoint is taken after the next item).
 */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * The files the run will read, checked before it starts, so that a missing
 * one fails the run before it has written or learned anything.  Only
 * existence and permission: opening a FIFO here would take its data.
 */
static int
check_files(const struct opts *op, struct rerr *e)
{
	char *const *f;
	struct stat sb;

	for (f = op->files; *f != NULL; f++)
		if (strcmp(*f, "-") != 0 && (stat(*f, &sb) != 0 ||
		    access(*f, R_OK) != 0))
			return rerr_set(e, EXIT_DATA, "%s: %s", *f,
			    strerror(errno));
	if (op->prime_file != NULL && strcmp(op->prime_file, "-") != 0 &&
	    (stat(op->prime_file, &sb) != 0 ||
	    access(op->prime_file, R_OK) != 0))
		return rerr_set(e, EXIT_DATA, "%s: %s", op->prime_file,
		    strerror(errno));
	return 0;
}

/* A note of the run's on stderr. */
static void
note(const char *line)
{
	fprintf(stderr, "%s: %s\n", progname, line);
}

/* --dump: the model in OP->model as JSON on standard output. */
static int
dump_model(const struct opts *op)
{
	struct model m;
	struct rerr e;
	int found = 0;

	memset(&e, 0, sizeof e);
	if (run_load(op->model, &m, &found, &e) != 0) {
		fprintf(stderr, "%s: %s\n", progname, e.msg);
		return e.status;
	}
	if (!found) {
		fprintf(stderr, "%s: %s: %s\n", progname, op->model,
		    strerror(ENOENT));
		return EXIT_DATA;
	}
	if (dump_json(&m, stdout) != 0) {
		fprintf(stderr, "%s: write error: %s\n", progname,
		    strerror(errno));
		run_release(&m);
		return EXIT_DATA;
	}
	run_release(&m);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts op;
	struct rerr e;
	struct model mdl;
	struct run_ckpt ckpt;
	struct run_end end;
	int lockfd;
	const char *msg;

	setlocale(LC_CTYPE, "");	/* only to choose the sparkline's glyphs */
	opts_init(&op);
	parse_args(argc, argv, &op);
	if ((msg = opts_check(&op)) != NULL) {
		fprintf(stderr, "%s: %s\n", progname, msg);
		usage(EXIT_USAGE);
	}
	memset(&e, 0, sizeof e);
	if (op.model != NULL) {
		/* through a symbolic link: its target is read, locked, replaced */
		if (model_path(op.model, &model_file, &e) != 0) {
			fprintf(stderr, "%s: %s\n", progname, e.msg);
			return e.status;
		}
		op.model = model_file;
	}
	if (op.dump) {
		int rc = dump_model(&op);

		free(model_file);
		return rc;
	}
	signal(SIGPIPE, SIG_IGN);
	out_init();
	if (check_files(&op, &e) != 0) {
		fprintf(stderr, "%s: %s\n", progname, e.msg);
		free(model_file);
		return e.status;
	}

	if (op.model != NULL && !op.no_learn)
		catch_signals();
	memset(&mdl, 0, sizeof mdl);
	if (run_open(&op, &mdl, &lockfd, &stop, &e) != 0) {
		run_release(&mdl);
		model_unlock(lockfd);
		if (e.status == 0) {
			free(model_file);
			return 128 + stop;	/* a signal while waiting for the lock */
		}
		fprintf(stderr, "%s: %s\n", progname, e.msg);
		free(model_file);
		if (e.status == EXIT_USAGE)
			usage(EXIT_USAGE);
		return e.status;
	}
	if (lockfd >= 0) {
		ckpt.path = op.model;
		ckpt.every = op.checkpoint;
		ckpt.asked = &checkpoint_asked;
	}
	run_input(&op, &mdl, lockfd >= 0 ? &ckpt : NULL, note, &stop, &end,
	    &e);
	if (!op.chars && mdl.num->skipped > 0 && !op.quiet)
		fprintf(stderr, "%s: skipped %lld bad row%s, the first: %s\n",
		    progname, mdl.num->skipped, mdl.num->skipped == 1 ? "" : "s",
		    mdl.num->first_skip.msg);
	run_output(&op, &mdl, lockfd >= 0 ? op.model : NULL, &stop, &end, &e);
	if (end.closed && !op.quiet)
		fprintf(stderr, "%s: %s: not saved: the output was closed early\n",
		    progname, op.model);
	if (e.status != 0) {
		fprintf(stderr, "%s: %s\n", progname, e.msg);
		if (e.status == EXIT_USAGE)
			fprintf(stderr, "Try '%s --help' for more information.\n",
			    progname);
	}
	if (op.report && op.chars) {
		char line[256];

		chars_report_format(&end.crep, line, sizeof line);
		fprintf(stderr, "%s: %s\n", progname, line);
	} else if (op.report)	/* asked for: --quiet does not silence it */
		report_print(stderr, &op, numstate_totals(mdl.num),
		    mdl.num->one.base,
		    mdl.num->keys != NULL ? (long long)mdl.num->keys->n : -1,
		    numstate_totals(mdl.num)->items - end.items, end.secs,
		    report_utf8());
	/* a stop signal's status wins over --alert's */
	if (!op.chars && e.status == 0 && !stop && op.alert >= 0 &&
	    numstate_totals(mdl.num)->an.alerts > end.alerts)
		e.status = EXIT_ALERT;
	run_release(&mdl);
	model_unlock(lockfd);
	free(model_file);
	return stop && e.status == 0 ? 128 + stop : e.status;
}
