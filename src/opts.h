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
	GIVEN_PERIOD = 1 << 23
};

struct opts {
	/* input */
	const char *column;	/* NULL: chosen from the data */
	const char *inputs;	/* comma list, NULL for none */
	unsigned char delimiter;
	enum header_mode header;
	int chars;
	const char *key;	/* --key COL, NULL for one model */
	int shard_i, shard_n;	/* --shard I/N; N 0 for none */
	const char *missing;	/* --missing: comma list of spellings, or NULL */
	int skip_bad;		/* --skip-bad */
	int decimal_comma;	/* --decimal-comma */
	int thousands;		/* --thousands CHAR, 0 for none */

	/* the network */
	enum cell_kind cell;
	int hidden;
	int layers;
	int bptt;		/* K */
	int window;		/* T; 0 means K */
	int horizon;
	enum optim_kind optimizer;
	double lr;		/* 0 means the optimizer's default */
	double clip;
	double forget_bias;
	uint64_t seed;
	enum normalize normalize;
	enum predict predict;
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
	enum outfmt output;
	int precision;		/* 0: shortest that round-trips a float */
	long long forecast;
	int report;
	int progress;		/* -1: when stderr is a terminal */
	int quiet;
	int ar_order;
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
 * per byte of one online pass over Austen at 50k bytes/s or more on one core
 * (bench/chars_defaults.md).  The rate is Adam's; other optimizers keep
 * their own default.
 */
#define OPTS_MAX_INPUTS 64	/* --inputs columns at most */
#define CHARS_DEFAULT_HIDDEN 80
#define CHARS_DEFAULT_BPTT 32
#define CHARS_DEFAULT_LR 0.01

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
