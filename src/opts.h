/*
 * opts.h - every option of rnnfilter in one struct.  opts_init() holds the
 * defaults (--help prints them from there), opts_check() validates a parsed
 * set and returns a message instead of exiting.
 */
#ifndef RNNF_OPTS_H
#define RNNF_OPTS_H

#include <stdint.h>
#include "model.h"
#include "optim.h"

enum normalize { NORM_RUNNING, NORM_NONE };
/* The network's target: the base forecast's residual, or the plain network's */
enum predict { PREDICT_CHANGE, PREDICT_LEVEL, PREDICT_BASE };
enum outfmt { OUT_CSV, OUT_TSV, OUT_JSONL };
enum header_mode { HEADER_AUTO = -1, HEADER_NO = 0, HEADER_YES = 1 };

/* Bits of opts.given: options that were on the command line. */
enum {
	GIVEN_CELL = 1 << 0,
	GIVEN_HIDDEN = 1 << 1,
	GIVEN_LAYERS = 1 << 2,
	GIVEN_BPTT = 1 << 3,
	GIVEN_WINDOW = 1 << 4,
	GIVEN_HORIZON = 1 << 5,
	GIVEN_INPUTS = 1 << 6,
	GIVEN_COLUMN = 1 << 7,
	GIVEN_NORMALIZE = 1 << 8,
	GIVEN_OPTIMIZER = 1 << 9,
	GIVEN_LR = 1 << 10,
	GIVEN_CLIP = 1 << 11,
	GIVEN_SEED = 1 << 12,
	GIVEN_CHARS = 1 << 13,
	GIVEN_DELIMITER = 1 << 14,
	GIVEN_AR_ORDER = 1 << 15,
	GIVEN_PREDICT = 1 << 16,
	GIVEN_OUTPUT = 1 << 17,
	GIVEN_KEY = 1 << 18,
	GIVEN_INTERVAL = 1 << 19,
	GIVEN_TEMPERATURE = 1 << 20,
	GIVEN_PRECISION = 1 << 21,
	GIVEN_HOLDOFF = 1 << 22,
	GIVEN_PERIOD = 1 << 23,
	GIVEN_GLOBAL = 1 << 24
};

struct opts {
	/* input */
	const char *column;	/* NULL: chosen from the data */
	const char *inputs;	/* comma list, NULL for none */
	unsigned char delimiter;
	enum header_mode header;
	int chars;
	const char *key;	/* --key COL, NULL for one model */
	int global;		/* --global: one network for all keys */
	int shard_i, shard_n;	/* --shard I/N; N 0 for none */
	const char *missing;	/* --missing: comma list of spellings, or NULL */
	int skip_bad;		/* --skip-bad */
	int decimal_comma;	/* --decimal-comma */
	int thousands;		/* --thousands CHAR, 0 for none */

	/* the network */
	int cell;		/* enum cell_kind */
	int hidden;
	int layers;
	int bptt;		/* K */
	int window;		/* T; 0 means K */
	int horizon;
	int optimizer;		/* enum optim_kind */
	double lr;		/* 0 means the optimizer's default */
	double clip;
	double forget_bias;
	uint64_t seed;
	int normalize;		/* enum normalize */
	int predict;		/* enum predict */
	int nperiod;		/* --period: -1 auto, 0 none, or 1..2 given */
	double period[2];

	/* the model file */
	const char *model;
	int no_learn;
	int dump;
	int wait;
	long long checkpoint;	/* 0: only at exit */

	/* output */
	int append;
	int output;		/* enum outfmt */
	int precision;		/* 0: shortest that round-trips a float */
	long long forecast;
	int report;
	int progress;		/* -1: when stderr is a terminal */
	int quiet;
	int ar_order;		/* OPTS_AR_ORDER unless given */
	double interval;	/* coverage of the prediction interval */
	double alert;		/* < 0: off */
	long long holdoff;	/* the anomaly score's hold-off, items */

	/* character mode */
	long long generate;
	double temperature;
	const char *prime;
	const char *prime_file;
	int per_line;

	unsigned given;		/* GIVEN_* bits */
	char *const *files;	/* NULL-terminated; empty means stdin */
};

/*
 * Character-mode defaults that differ from the numeric ones: the best bits
 * per byte of one online pass over Austen at 60k bytes/s or more on one core
 * (bench/chars_defaults.md).  The rate is Adam's; other optimizers keep
 * their own default.
 */
#define OPTS_MAX_INPUTS 64	/* --inputs columns at most */
#define OPTS_AR_ORDER 13	/* --ar-order, by measurement (REPORT) */
#define CHARS_DEFAULT_HIDDEN 96
#define CHARS_DEFAULT_BPTT 32
#define CHARS_DEFAULT_LR 0.01

/*
 * The options that shape a model, and the enum options, declared once:
 * what parses their values, what --help and the messages list, what
 * run.c compares with a loaded model and what it takes from it.
 */
enum opt_kind { OPTK_INT, OPTK_REAL, OPTK_U64, OPTK_ENUM, OPTK_OTHER };

/* How a value on the command line meets the model's (see run.c). */
enum opt_model {
	OPTM_NONE,	/* not stored in the model */
	OPTM_REFUSE,	/* stored: a different value given is a conflict */
	OPTM_REPLACE,	/* stored: a value given replaces the model's (--lr) */
	OPTM_KEEP,	/* stored: the model's value is used, whatever is given */
	OPTM_MODE,	/* --chars against the model's mode */
	OPTM_KEY,	/* --key against the model's key column */
	OPTM_GLOBAL,	/* --global, --no-global against the model's keys */
	OPTM_COLUMNS,	/* -c and -i against the model's columns */
	OPTM_PERIOD	/* --period against the base's periods */
};

/* One value of an enum option; an alias is accepted but never listed. */
struct opt_value {
	const char *name;
	int value;
	int alias;
};

struct opt_def {
	const char *name;	/* the long option, without "--" */
	unsigned given;		/* its GIVEN_ bit, 0 if none */
	enum opt_kind kind;
	size_t off;		/* of its field in struct opts (not OTHER) */
	const struct opt_value *values;	/* OPTK_ENUM: ends with a NULL name */
	enum opt_model model;
	int numeric;		/* the model marks it given only in numeric mode */
};

/* The table, ending with a NULL name, in the order conflicts are checked. */
extern const struct opt_def opts_table[];
/* The entry of the option NAME (it must exist). */
const struct opt_def *opts_def(const char *name);
/* Set D's field in O from ARG: 0, or -1 if ARG is none of its values. */
int opts_parse_enum(const struct opt_def *d, const char *arg, struct opts *o);
/* The name of D's value V (the first, not an alias), or "?". */
const char *opts_enum_name(const struct opt_def *d, int v);
/* D's values as --help and messages list them, "a, b, c" or "a|b|c". */
void opts_enum_list(const struct opt_def *d, const char *sep, char *buf,
    size_t n);
/* Fields of D in O, by kind. */
int *opts_int(const struct opt_def *d, struct opts *o);
double *opts_real(const struct opt_def *d, struct opts *o);
uint64_t *opts_u64(const struct opt_def *d, struct opts *o);

void opts_init(struct opts *o);
/*
 * Settle defaults that depend on other options (the window, character-mode
 * sizes, the learning rate) and check the whole set.  Returns NULL if it is
 * consistent, else a message for a usage error (static storage).
 */
const char *opts_check(struct opts *o);
/* The number of columns --inputs names. */
int opts_ninputs(const struct opts *o);

#endif
