/* rowout.c - numeric mode's output rows; see rowout.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "jsonstr.h"
#include "output.h"
#include "rowout.h"

void
rowout_init(struct rowout *ro, const struct opts *op)
{
	memset(ro, 0, sizeof *ro);
	ro->op = op;
	rowout_name_added(ro, NULL);
}

void
rowout_names(struct rowout *ro, char *const *names, const size_t *name_len,
    size_t n)
{
	ro->names = names;
	ro->name_len = name_len;
	ro->nnames = n;
}

void
rowout_number(double v, int precision, double scale)
{
	char b[OUT_NUMBER_MAX];
	int n = out_number(b, v, precision, scale);

	out_write(b, (size_t)n);
}

void
rowout_field(const char *s, size_t len, int delim)
{
	size_t i;

	if (memchr(s, delim, len) == NULL && memchr(s, '"', len) == NULL &&
	    memchr(s, '\n', len) == NULL && memchr(s, '\r', len) == NULL) {
		out_write(s, len);
		return;
	}
	out_char('"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			out_char('"');
		out_char(s[i]);
	}
	out_char('"');
}

int
rowout_delim(const struct opts *op)
{
	return op->output == OUT_TSV ? '\t' : op->delimiter;
}

static const char *const added[ROWOUT_NADDED] = {
	"prediction", "forecast", "residual", "anomaly", "lo", "hi", "alert"
};

static int
nadded(const struct opts *op)
{
	return op->alert >= 0 ? ROWOUT_NADDED : ROWOUT_NADDED - 1;
}

void
rowout_name_added(struct rowout *ro, const struct csvin_row *hdr)
{
	size_t f, n;
	int i;

	for (i = 0; i < ROWOUT_NADDED; i++) {
		ro->added_as[i] = added[i];
		n = strlen(added[i]);
		for (f = 0; hdr != NULL && f < hdr->nfields; f++)
			if (hdr->len[f] == n && memcmp(hdr->field[f], added[i],
			    n) == 0) {
				snprintf(ro->added_buf[i], sizeof ro->added_buf[i],
				    "rnnfilter_%s", added[i]);
				ro->added_as[i] = ro->added_buf[i];
				break;
			}
	}
}

void
rowout_end(struct rowout *ro)
{
	if (ro->crlf)
		out_char('\r');
	out_char('\n');
}

void
rowout_header(struct rowout *ro, const struct csvin_row *hdr)
{
	int d = rowout_delim(ro->op), i;

	if (ro->op->output == OUT_JSONL)
		return;
	rowout_row(ro, hdr);
	for (i = 0; i < nadded(ro->op); i++) {
		if (i > 0)
			out_char(d);
		out_str(ro->added_as[i]);
	}
	rowout_end(ro);
}

void
rowout_opt(const struct opts *op, int defined, double v, double scale)
{
	if (defined && isfinite(v))
		rowout_number(v, op->precision, scale);
	else if (op->output == OUT_JSONL)
		out_str("null");
}

/*
 * An anomaly score: with six significant digits of 1 - V (0.99999912 for a
 * tail probability of 8.8e-7), so that scores near 1 stay distinct; or with
 * --precision's digits.
 */
static void
put_score(const struct opts *op, double v)
{
	char b[64];
	int p = op->precision, n;

	if (v == 0) {	/* most items, with the hold-off */
		out_char('0');
		return;
	}
	if (p == 0) {
		p = 6;
		if (v < 1 && v > 0.9)
			p += (int)floor(-log10(1 - v));
		if (p > 17)
			p = 17;
	}
	n = snprintf(b, sizeof b, "%.*g", p, v);
	out_write(b, (size_t)n);
}

void
rowout_added(const struct opts *op, const char *const *names,
    const struct item *it, double fc, int has_fc, double scale)
{
	double old = it->scale > 0 ? it->scale : scale;
	double v[ROWOUT_NADDED];
	int def[ROWOUT_NADDED], i, d = rowout_delim(op);

	if (names == NULL)
		names = added;

	v[0] = it->pred, def[0] = it->scored;
	v[1] = fc, def[1] = has_fc;
	v[2] = it->res, def[2] = it->has_res;
	v[3] = it->an, def[3] = it->has_an;
	v[4] = it->lo, def[4] = it->has_int;
	v[5] = it->hi, def[5] = it->has_int;
	v[6] = it->has_an && it->an >= op->alert, def[6] = it->has_an;
	for (i = 0; i < nadded(op); i++) {
		if (op->output == OUT_JSONL) {
			out_str(",\"");
			out_str(names[i]);
			out_str("\":");
		} else if (i > 0)
			out_char(d);
		/* the anomaly score and the flag are no values of the series */
		if (i == 3 && def[i])
			put_score(op, v[i]);
		else
			rowout_opt(op, def[i], v[i], i == 6 ? 0 : i == 1 ? scale :
			    old);
	}
}

static void
put_out(const char *p, size_t len, void *ctx)
{
	out_write(p, len);
}

void
rowout_json_string(const char *s, size_t len)
{
	jsonstr_write(s, len, put_out, NULL);
}

void
rowout_row(struct rowout *ro, const struct csvin_row *row)
{
	int d = rowout_delim(ro->op);
	size_t f, n = row->rawlen;

	ro->crlf = 0;
	/* verbatim: the bytes as read, without their line end */
	if (ro->op->output != OUT_JSONL && row->raw != NULL &&
	    d == ro->op->delimiter) {
		if (n > 0 && (row->raw[n - 1] == '\n' || row->raw[n - 1] == '\r')) {
			ro->crlf = row->raw[n - 1] == '\r';
			n--;
		}
		out_write(row->raw, n);
		out_char(d);
		return;
	}
	if (ro->op->output != OUT_JSONL) {
		for (f = 0; f < row->nfields; f++) {
			rowout_field(row->field[f], row->len[f], d);
			out_char(d);
		}
		return;
	}
	out_char('{');
	for (f = 0; f < row->nfields; f++) {
		char nb[32];

		if (f > 0)
			out_char(',');
		if (ro->names != NULL && f < ro->nnames)
			rowout_json_string(ro->names[f], ro->name_len[f]);
		else {
			snprintf(nb, sizeof nb, "c%zu", f + 1);
			rowout_json_string(nb, strlen(nb));
		}
		out_char(':');
		rowout_json_string(row->field[f], row->len[f]);
	}
}
