/*
 * columns.h - numeric mode's columns: whether a file's first row is a
 * header, which columns are the target, the inputs and the key, and where
 * they are in each later file.  See "Columns" in rnnfilter(1).
 *
 * struct columns is the choice, made once for the whole stream and saved
 * with the model; struct colfile is one file's header and where the chosen
 * columns are in it (not saved).
 */
#ifndef RNNF_COLUMNS_H
#define RNNF_COLUMNS_H

#include <stddef.h>
#include "csvin.h"
#include "opts.h"
#include "rerr.h"

struct ser;

#define COLUMNS_MAX_INPUTS OPTS_MAX_INPUTS
#define COLUMNS_NAME_MAX 64

struct columns {
	int ncols;			/* fields per row; 0 before the first row */
	int target;			/* 0-based; -1 before it is chosen */
	int ninputs;
	int input[COLUMNS_MAX_INPUTS];
	char target_name[COLUMNS_NAME_MAX];	/* header name, "" if none */
	int target_name_len;		/* its bytes (it may hold a NUL) */
	/* the inputs' header names, "" if none (only the owner's; saved
	 * from format 3) */
	char input_name[COLUMNS_MAX_INPUTS][COLUMNS_NAME_MAX];
	/* --key: the key column */
	int keycol;			/* 0-based; -1 before it is chosen */
	char key_name[COLUMNS_NAME_MAX];	/* header name, "" if none */
	int key_name_len;
};

/* One file of the stream, as columns_*() below read and fill it. */
struct colfile {
	const struct opts *op;
	struct columns *ch;		/* borrowed: the run's choice */
	int keyed;			/* --key: ch->keycol is chosen too */
	struct rerr *e;			/* borrowed: where errors are set */
	const char *fname;		/* the file's name, for messages */
	void (*note)(const char *line);	/* numstate's (numeric.h) */
	char **names;		/* header names of the current file (nnames) */
	size_t *name_len;
	size_t nnames;
	/*
	 * Where the current file has the chosen columns: a later file's header
	 * may order them otherwise (found by name); else the chosen indexes.
	 */
	int col_target, col_key, col_input[COLUMNS_MAX_INPUTS];
	int moved;		/* the current file's order is not the chosen one */
	char *hdr0;		/* the run's first header, fields NUL-separated */
	size_t hdr0_len;
};

/* No column chosen yet. */
void columns_init(struct columns *c);

/*
 * The columns (format 1) for the model file, checked against the network's
 * NIN inputs, NLEAD of them before the --inputs columns; each bound comes
 * from a value already checked.
 */
void columns_ser(struct ser *s, struct columns *c, int nlead, int nin);
/* The inputs' header names (format 3), after columns_ser(). */
void columns_names_ser(struct ser *s, struct columns *c);

/*
 * Does SPEC (a --column or --inputs item) name the column at 0-based INDEX
 * whose header name is NAME ("" if none)?  An index by its number, a name
 * as csvin_column() matches it.
 */
int columns_names(const char *spec, int index, const char *name);

/* A field as a number, with OP's spellings (--missing, --decimal-comma). */
enum csvin_num columns_number(const struct opts *op, const char *s,
    size_t len, double *v);
/*
 * A hint for a field or row that did not parse: another delimiter, or (with
 * NUMERIC) a local spelling of numbers.  "" when there is none; else a
 * static buffer.
 */
const char *columns_hint(const struct opts *op, const char *s, size_t len,
    int numeric);
/* A field's name for messages: 'Close' with a header, else its number. */
const char *columns_field_name(const struct colfile *f, int col, char *buf,
    size_t n);

/*
 * Is ROW, the file's first, a header?  columns_keep_names() keeps its names
 * for the file (EXIT_DATA out of memory); columns_free_names() frees them.
 */
int columns_detect_header(const struct colfile *f,
    const struct csvin_row *row);
int columns_keep_names(struct colfile *f, const struct csvin_row *row);
void columns_free_names(struct colfile *f);

/*
 * Choose the target, input and key columns, once for the whole stream,
 * from header HDR (NULL if none) and the first data row DATA.  0, or an
 * exit status with F->e set.
 */
int columns_resolve(struct colfile *f, const struct csvin_row *hdr,
    const struct csvin_row *data);
/* Can the columns be chosen from header HDR alone, without a data row? */
int columns_header_decides(const struct colfile *f,
    const struct csvin_row *hdr);
/* The chosen columns where they are: the indexes chosen. */
void columns_map_chosen(struct colfile *f);
/*
 * A later file's header HDR: find the chosen columns in it by their names
 * (columns chosen without a header keep their indexes).  0, or an exit
 * status with F->e set.
 */
int columns_map_by_name(struct colfile *f, const struct csvin_row *hdr);
/* Is header HDR the run's first one, field for field?  Keeps the first. */
int columns_same_header(struct colfile *f, const struct csvin_row *hdr);
/* The column named NAME in the current file's header, or -1. */
int columns_named(const struct colfile *f, const struct csvin_row *row,
    const char *name);
/* ROW has the first row's number of fields: 0, or EXIT_DATA with F->e set. */
int columns_check_width(struct colfile *f, const struct csvin_row *row);

#endif
