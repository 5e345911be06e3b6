/* columns.c - numeric mode's header and column choice; see columns.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "columns.h"
#include "ser.h"

void
columns_init(struct columns *c)
{
	memset(c, 0, sizeof *c);
	c->target = -1;
	c->keycol = -1;
}

void
columns_ser(struct ser *s, struct columns *ch, int nlead, int nin)
{
	int i;

	ser_enum(s, &ch->ncols, 0, 1 << 30);
	ser_enum(s, &ch->target, -1, ch->ncols - 1);
	ser_enum(s, &ch->ninputs, 0, nin - 1);
	if (ser_loading(s) && !ser_failed(s) && ch->target >= 0 &&
	    nlead + ch->ninputs != nin)
		ser_fail(s, "the input columns do not match the network");
	for (i = 0; i < ch->ninputs && !ser_failed(s); i++)
		ser_enum(s, &ch->input[i], 0, ch->ncols - 1);
	ser_name(s, ch->target_name, sizeof ch->target_name,
	    &ch->target_name_len);
}

void
columns_names_ser(struct ser *s, struct columns *ch)
{
	int i;

	for (i = 0; i < ch->ninputs && !ser_failed(s); i++)
		ser_str(s, ch->input_name[i], sizeof ch->input_name[i]);
}

int
columns_names(const char *spec, int index, const char *name)
{
	struct csvin_row one;
	char *f[1];
	size_t len[1];

	if (index < 0)
		return 0;
	if (spec[0] != '\0' && spec[strspn(spec, "0123456789")] == '\0')
		return csvin_column(NULL, (size_t)index + 1, spec) == index;
	f[0] = (char *)name;
	len[0] = strlen(name);
	one.nfields = 1;
	one.field = f;
	one.len = len;
	one.line = 0;
	one.raw = NULL;
	one.rawlen = 0;
	return name[0] != '\0' && csvin_column(&one, 1, spec) == 0;
}

/* A field's name for messages: 'Close' with a header, else its number. */
const char *
columns_field_name(const struct colfile *f, int col, char *buf, size_t n)
{
	if (f->names != NULL && (size_t)col < f->nnames &&
	    f->names[col] != NULL)
		snprintf(buf, n, "'%s'", f->names[col]);
	else
		snprintf(buf, n, "%d", col + 1);
	return buf;
}

/* Is S one of --missing's spellings (trimmed, ASCII case-insensitive)? */
static int
is_missing(const struct opts *op, const char *s, size_t len)
{
	const char *t = op->missing, *e;
	size_t n;

	if (t == NULL)
		return 0;
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (; *t != '\0'; t = *e != '\0' ? e + 1 : e) {
		if ((e = strchr(t, ',')) == NULL)
			e = t + strlen(t);
		n = (size_t)(e - t);
		if (n > 0 && n == len && strncasecmp(t, s, n) == 0)
			return 1;
	}
	return 0;
}

/* A field as a number, with the options' spellings. */
enum csvin_num
columns_number(const struct opts *op, const char *s, size_t len, double *v)
{
	if (is_missing(op, s, len))
		return CSVIN_NUM_EMPTY;
	return csvin_number_local(s, len, op->decimal_comma, op->thousands, v);
}

static int
is_number_field(const struct colfile *f, const struct csvin_row *row, int col)
{
	double v;

	return columns_number(f->op, row->field[col], row->len[col], &v) !=
	    CSVIN_NUM_BAD;
}

/*
 * A hint for a field or row that did not parse: another delimiter, or a
 * local spelling of numbers.  "" when there is none.
 */
const char *
columns_hint(const struct opts *op, const char *s, size_t len, int numeric)
{
	static char buf[80];
	static const char cand[] = "\t;|";
	const char *c, *comma, *dot;

	for (c = cand; *c != '\0'; c++)
		if (*c != op->delimiter && memchr(s, *c, len) != NULL) {
			snprintf(buf, sizeof buf, " (is the delimiter %s? try -d %s)",
			    *c == '\t' ? "a tab" : *c == ';' ? "';'" : "'|'",
			    *c == '\t' ? "tab" : *c == ';' ? "';'" : "'|'");
			return buf;
		}
	if (!numeric)
		return "";
	comma = memchr(s, ',', len);
	dot = memchr(s, '.', len);
	if (comma != NULL && dot != NULL && op->thousands == 0)
		return comma < dot ? " (thousands separators? try --thousands ,)" :
		    " (thousands separators? try --decimal-comma --thousands .)";
	if (comma != NULL && !op->decimal_comma)
		return op->delimiter == ',' ?
		    " (a decimal comma? try -d ';' --decimal-comma)" :
		    " (a decimal comma? try --decimal-comma)";
	return "";
}

void
columns_free_names(struct colfile *f)
{
	size_t i;

	if (f->names == NULL)
		return;
	for (i = 0; i < f->nnames; i++)
		free(f->names[i]);
	free(f->names);
	free(f->name_len);
	f->names = NULL;
	f->name_len = NULL;
	f->nnames = 0;
}

int
columns_keep_names(struct colfile *f, const struct csvin_row *row)
{
	size_t i;

	columns_free_names(f);
	f->names = calloc(row->nfields, sizeof *f->names);
	f->name_len = calloc(row->nfields, sizeof *f->name_len);
	if (f->names == NULL || f->name_len == NULL)
		return rerr_set(f->e, EXIT_DATA, "out of memory");
	f->nnames = row->nfields;
	/* a name is its bytes: a NUL inside it is one of them */
	for (i = 0; i < row->nfields; i++) {
		if ((f->names[i] = malloc(row->len[i] + 1)) == NULL)
			return rerr_set(f->e, EXIT_DATA, "out of memory");
		memcpy(f->names[i], row->field[i], row->len[i] + 1);
		f->name_len[i] = row->len[i];
	}
	return 0;
}

/* Is the file's first row a header?  See "Columns" in rnnfilter(1). */
int
columns_detect_header(const struct colfile *f, const struct csvin_row *row)
{
	const char *spec = f->op->column;
	size_t i;
	int bad = 0;

	if (f->op->header != HEADER_AUTO)
		return f->op->header == HEADER_YES;
	if (f->ch->target >= 0 && (size_t)f->ch->target < row->nfields)
		return !is_number_field(f, row, f->ch->target);
	if (spec != NULL && spec[strspn(spec, "0123456789")] != '\0')
		return 1;
	if (spec != NULL) {
		long c = csvin_column(NULL, row->nfields, spec);

		return c >= 0 && !is_number_field(f, row, (int)c);
	}
	for (i = 0; i < row->nfields; i++) {
		if (is_number_field(f, row, (int)i))
			return 0;
		bad = 1;
	}
	return bad;
}

/* Field COL of HDR into a name buffer of COLUMNS_NAME_MAX bytes, cut if
 * longer. */
static void
copy_name(char *buf, int *len, const struct csvin_row *hdr, int col)
{
	size_t n = hdr->len[col];

	if (n > COLUMNS_NAME_MAX - 1)
		n = COLUMNS_NAME_MAX - 1;
	memcpy(buf, hdr->field[col], n);
	buf[n] = '\0';
	*len = (int)n;
}

static long
preferred_column(const struct csvin_row *hdr, int keycol)
{
	static const char *pref[] = {
		"close", "adj close", "adj_close", "price", "value", NULL
	};
	int i;

	for (i = 0; pref[i] != NULL; i++) {
		long c = csvin_column(hdr, hdr->nfields, pref[i]);

		if (c >= 0 && c != keycol)
			return c;
	}
	return -1;
}

static int
resolve_one(struct colfile *f, const struct csvin_row *hdr, size_t nf,
    const char *spec, int *out)
{
	long c = csvin_column(hdr, nf, spec);

	if (c < 0) {
		if (spec[0] != '\0' && spec[strspn(spec, "0123456789")] == '\0' &&
		    strtoul(spec, NULL, 10) == 0)
			return rerr_set(f->e, EXIT_USAGE,
			    "column %s: columns are numbered from 1", spec);
		if (spec[strspn(spec, "0123456789")] == '\0')
			return rerr_set(f->e, EXIT_DATA,
			    "%s: column %s is beyond the %zu fields of a row",
			    f->fname, spec, nf);
		return rerr_set(f->e, EXIT_DATA, "%s: no column named '%s'",
		    f->fname, spec);
	}
	*out = (int)c;
	return 0;
}

/* Choose the target and input columns, once for the whole stream. */
int
columns_resolve(struct colfile *f, const struct csvin_row *hdr,
    const struct csvin_row *data)
{
	struct columns *ch = f->ch;
	const struct opts *op = f->op;
	size_t nf = data->nfields;
	char nb[COLUMNS_NAME_MAX + 8];
	int auto_chosen = 0;

	if (f->keyed) {
		if (resolve_one(f, hdr, nf, op->key, &ch->keycol))
			return f->e->status;
		if (hdr != NULL)
			copy_name(ch->key_name, &ch->key_name_len, hdr,
			    ch->keycol);
	}
	if (op->column != NULL) {
		if (resolve_one(f, hdr, nf, op->column, &ch->target))
			return f->e->status;
		if (ch->target == ch->keycol)
			return rerr_set(f->e, EXIT_USAGE,
			    "--key: column %s is the target itself", op->key);
	} else {
		long c = hdr != NULL ? preferred_column(hdr, ch->keycol) : -1;

		if (c < 0)
			for (c = (long)nf - 1; c >= 0; c--)
				if (c != ch->keycol &&
				    is_number_field(f, data, (int)c) &&
				    data->len[c] > 0)
					break;
		if (c < 0) {
			const char *hint = "";
			size_t i;

			for (i = 0; i < nf && hint[0] == '\0'; i++)
				hint = columns_hint(f->op, data->field[i],
				    data->len[i], 1);
			return rerr_set(f->e, EXIT_DATA,
			    "%s:%lu: no numeric column to predict; name one with --column%s",
			    f->fname, data->line, hint);
		}
		ch->target = (int)c;
		auto_chosen = 1;
	}
	if (op->inputs != NULL) {
		char *list = strdup(op->inputs), *tok, *save = NULL;

		if (list == NULL)
			return rerr_set(f->e, EXIT_DATA, "out of memory");
		ch->ninputs = 0;
		for (tok = strtok_r(list, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			int c = -1, i;

			if (resolve_one(f, hdr, nf, tok, &c))
				break;
			if (c == ch->target)
				rerr_set(f->e, EXIT_USAGE,
				    "--inputs: column %s is the target itself", tok);
			if (c == ch->keycol)
				rerr_set(f->e, EXIT_USAGE,
				    "--inputs: column %s is the --key column", tok);
			for (i = 0; i < ch->ninputs; i++)
				if (ch->input[i] == c)
					rerr_set(f->e, EXIT_USAGE,
					    "--inputs: column %s is named twice", tok);
			if (f->e->status == 0 &&
			    ch->ninputs == COLUMNS_MAX_INPUTS)
				rerr_set(f->e, EXIT_USAGE,
				    "--inputs: more than %d columns",
				    COLUMNS_MAX_INPUTS);
			if (f->e->status)
				break;
			snprintf(ch->input_name[ch->ninputs],
			    COLUMNS_NAME_MAX, "%s",
			    hdr != NULL ? hdr->field[c] : "");
			ch->input[ch->ninputs++] = c;
		}
		free(list);
		if (f->e->status)
			return f->e->status;
	}
	if (hdr != NULL)
		copy_name(ch->target_name, &ch->target_name_len, hdr,
		    ch->target);
	if (auto_chosen && nf > 1 && !op->quiet && f->note != NULL) {
		char line[sizeof nb + 64];

		snprintf(line, sizeof line, "predicting column %s (%d of %zu)",
		    columns_field_name(f, ch->target, nb, sizeof nb),
		    ch->target + 1, nf);
		f->note(line);
	}
	return 0;
}

/* The chosen columns where they are: the indexes chosen. */
void
columns_map_chosen(struct colfile *f)
{
	const struct columns *ch = f->ch;
	int i;

	f->col_target = ch->target;
	f->col_key = ch->keycol;
	for (i = 0; i < ch->ninputs; i++)
		f->col_input[i] = ch->input[i];
	f->moved = 0;
}

/*
 * The field of HDR named NAME (trimmed, ASCII case-insensitive, the first
 * that matches; a name cut to COLUMNS_NAME_MAX - 1 bytes when saved matches by
 * its start), or -1.
 */
static int
find_name(const struct csvin_row *hdr, const char *name)
{
	size_t n = strlen(name), i, l;
	int cut = n == COLUMNS_NAME_MAX - 1;
	const char *f;

	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	while (n > 0 && (*name == ' ' || *name == '\t'))
		name++, n--;
	for (i = 0; i < hdr->nfields; i++) {
		f = hdr->field[i];
		l = hdr->len[i];
		while (l > 0 && (f[l - 1] == ' ' || f[l - 1] == '\t'))
			l--;
		while (l > 0 && (*f == ' ' || *f == '\t'))
			f++, l--;
		if ((l == n || (cut && l > n)) && strncasecmp(f, name, n) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * A later file's header HDR: find the chosen columns in it by their names
 * (columns chosen without a header keep their indexes).
 */
int
columns_map_by_name(struct colfile *f, const struct csvin_row *hdr)
{
	const struct columns *ch = f->ch;
	const char *what = NULL, *name = NULL;
	int i, c;

	columns_map_chosen(f);
	if (ch->target_name[0] != '\0') {
		if ((c = find_name(hdr, ch->target_name)) < 0)
			what = "target", name = ch->target_name;
		f->col_target = c;
	}
	for (i = 0; i < ch->ninputs && what == NULL; i++)
		if (ch->input_name[i][0] != '\0') {
			if ((c = find_name(hdr, ch->input_name[i])) < 0)
				what = "input", name = ch->input_name[i];
			f->col_input[i] = c;
		}
	if (what == NULL && f->keyed && ch->key_name[0] != '\0') {
		if ((c = find_name(hdr, ch->key_name)) < 0)
			what = "key", name = ch->key_name;
		f->col_key = c;
	}
	if (what != NULL)
		return rerr_set(f->e, EXIT_DATA,
		    "%s:%lu: the header has no column named '%s' (the %s column "
		    "chosen before)", f->fname, hdr->line, name, what);
	f->moved = f->col_target != ch->target || f->col_key != ch->keycol;
	for (i = 0; i < ch->ninputs; i++)
		f->moved |= f->col_input[i] != ch->input[i];
	return 0;
}

/* Is header HDR the run's first one, field for field?  Keeps the first. */
int
columns_same_header(struct colfile *f, const struct csvin_row *hdr)
{
	size_t i, n = 0;
	char *b, *p;

	for (i = 0; i < hdr->nfields; i++)
		n += hdr->len[i] + 1;
	if ((b = malloc(n + 1)) == NULL)
		return 1;
	for (p = b, i = 0; i < hdr->nfields; i++) {
		memcpy(p, hdr->field[i], hdr->len[i]);
		p += hdr->len[i];
		*p++ = '\0';
	}
	if (f->hdr0 == NULL) {
		f->hdr0 = b;
		f->hdr0_len = n;
		return 1;
	}
	i = n == f->hdr0_len && memcmp(b, f->hdr0, n) == 0;
	free(b);
	return (int)i;
}

/* Can the columns be chosen from header HDR alone, without a data row? */
int
columns_header_decides(const struct colfile *f, const struct csvin_row *hdr)
{
	long kc = -1;

	if (f->op->column != NULL)
		return 1;
	if (f->keyed &&
	    (kc = csvin_column(hdr, hdr->nfields, f->op->key)) < 0)
		return 1;	/* columns_resolve() names the missing key */
	return preferred_column(hdr, kc) >= 0;
}

/* Parse field COL of ROW into *V; *PRESENT is 0 for an empty field. */

/* The column named NAME in the current file's header, or -1. */
int
columns_named(const struct colfile *f, const struct csvin_row *row,
    const char *name)
{
	struct csvin_row hdr = *row;

	hdr.field = f->names;
	hdr.len = f->name_len;
	return (int)csvin_column(&hdr, row->nfields, name);
}
int
columns_check_width(struct colfile *f, const struct csvin_row *row)
{
	if (f->ch->ncols == 0)
		f->ch->ncols = (int)row->nfields;
	if (row->nfields != (size_t)f->ch->ncols) {
		const char *hint = "";
		size_t i;

		/* a row cut at decimal commas, or one wide field */
		for (i = 0; i < row->nfields && hint[0] == '\0'; i++)
			hint = columns_hint(f->op, row->field[i], row->len[i],
			    0);
		return rerr_set(f->e, EXIT_DATA,
		    "%s:%lu: %zu field%s where the first row had %d%s", f->fname,
		    row->line, row->nfields, row->nfields == 1 ? "" : "s",
		    f->ch->ncols, hint);
	}
	return 0;
}

