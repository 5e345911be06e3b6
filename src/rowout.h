/*
 * rowout.h - numeric mode's output rows: the prediction of each row, and
 * with --append the row itself (csv, tsv or jsonl) and the added columns.
 * Everything is written through output.h's buffer.
 */
#ifndef RNNF_ROWOUT_H
#define RNNF_ROWOUT_H

#include <stddef.h>
#include "csvin.h"
#include "opts.h"

#define ROWOUT_NADDED 7		/* prediction, ..., alert */

/* What the protocol step found out about one item, for the output. */
struct item {
	int scored;		/* a prediction was due: PRED */
	int has_res;		/* and the target is present: RES, LOSS */
	int has_an;		/* and past the warm-up: AN */
	int has_int;		/* scored, past the warm-up: LO, HI */
	double pred, res, an, lo, hi, loss;
	double scale;		/* the normalizer's scale behind PRED */
};

struct rowout {
	const struct opts *op;
	/* the current file's header names (borrowed, NULL without one),
	 * the keys of a jsonl row */
	char *const *names;
	const size_t *name_len;
	size_t nnames;
	/* the added columns' names: prefixed when the input has the name */
	const char *added_as[ROWOUT_NADDED];
	char added_buf[ROWOUT_NADDED][24];
	int crlf;		/* the row being written ended with a CR */
};

/* RO for OP, without header names: the added columns' own names. */
void rowout_init(struct rowout *ro, const struct opts *op);
/* The current file's header names for jsonl rows (NULL: none). */
void rowout_names(struct rowout *ro, char *const *names,
    const size_t *name_len, size_t n);
/*
 * The added columns' names for header HDR: "rnnfilter_prediction" where
 * HDR already has a column "prediction", so that no name is repeated.
 */
void rowout_name_added(struct rowout *ro, const struct csvin_row *hdr);

/* The --append header line for HDR (nothing in jsonl). */
void rowout_header(struct rowout *ro, const struct csvin_row *hdr);
/*
 * The row's own fields, each followed by the delimiter (jsonl: "{" and its
 * members): its bytes as read when the delimiter allows.  rowout_end()
 * ends the line as the row's ended.
 */
void rowout_row(struct rowout *ro, const struct csvin_row *row);
void rowout_end(struct rowout *ro);
/*
 * The added columns of an --append row, named NAMES in jsonl (NULL: their
 * own names); FC is the forecast, written with the series' SCALE of now,
 * the others with the scale they were made with (it->scale, when known),
 * so that a value has the same digits as a forecast and as the next row's
 * prediction.
 */
void rowout_added(const struct opts *op, const char *const *names,
    const struct item *it, double fc, int has_fc, double scale);

/* The output's delimiter: a tab for --output tsv, else --delimiter. */
int rowout_delim(const struct opts *op);
/* V with PRECISION digits (0: those of SCALE's; see out_number()). */
void rowout_number(double v, int precision, double scale);
/* A number, or nothing (csv, tsv) or null (jsonl) when undefined. */
void rowout_opt(const struct opts *op, int defined, double v, double scale);
/* A field for --append: quoted when it holds the delimiter or a quote. */
void rowout_field(const char *s, size_t len, int delim);
/* A JSON string, valid whatever the bytes (see jsonstr.h). */
void rowout_json_string(const char *s, size_t len);

#endif
