/* dump.c - --dump: a model as one JSON object; see dump.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "base.h"
#include "dump.h"
#include "jsonstr.h"
#include "keytab.h"
#include "opts.h"

static void
put_file(const char *p, size_t len, void *ctx)
{
	fwrite(p, 1, len, ctx);
}

/* The N bytes at S as a JSON string (see jsonstr.h). */
static void
json_str(FILE *f, const char *s, size_t n)
{
	jsonstr_write(s, n, put_file, f);
}

static void
json_cstr(FILE *f, const char *s)
{
	json_str(f, s, strlen(s));
}

/* A column's header name (LEN bytes at NAME), or null when COL < 0 (none). */
static void
json_name(FILE *f, int col, const char *name, int len)
{
	if (col >= 0)
		json_str(f, name, (size_t)len);
	else
		fputs("null", f);
}

static void
json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

static void
json_vec(FILE *f, const real *v, int n)
{
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		json_num(f, (double)v[i]);
	}
	fputc(']', f);
}

/* (rows, cols) as nested arrays; rows 0 is a vector */
static void
json_mat(FILE *f, const real *v, int rows, int cols)
{
	int r;

	if (rows == 0) {
		json_vec(f, v, cols);
		return;
	}
	fputc('[', f);
	for (r = 0; r < rows; r++) {
		if (r > 0)
			fputs(",\n", f);
		json_vec(f, v + (size_t)r * cols, cols);
	}
	fputc(']', f);
}

/* "normalizer":{...} of ST's NIN columns. */
static void
json_norm(FILE *f, const struct stream *st, int nin)
{
	double mean, scale;
	int i;

	fputs("\"normalizer\":{\"n\":[", f);
	for (i = 0; i < nin; i++) {
		fputs(i ? "," : "", f);
		json_num(f, st->norm[i].n);
	}
	fputs("],\"mean\":[", f);
	for (i = 0; i < nin; i++) {
		norm_get(&st->norm[i], &mean, &scale);
		fputs(i ? "," : "", f);
		json_num(f, mean);
	}
	fputs("],\"scale\":[", f);
	for (i = 0; i < nin; i++) {
		norm_get(&st->norm[i], &mean, &scale);
		fputs(i ? "," : "", f);
		json_num(f, scale);
	}
	fputs("]}", f);
}

/*
 * "base":{...} of ST followed by a comma, or nothing for the plain
 * network: the periods, how they were chosen, and each forecaster's errors
 * and weight in the latest combination.
 */
static void
json_base(FILE *f, const struct stream *st)
{
	static const char *src[] = { "none", "data", "time", "given" };
	const struct base *b = st->base;
	struct base_info bi;
	int i;

	if (b == NULL)
		return;
	fputs("\"base\":{\"periods\":[", f);
	for (i = 0; i < b->nper; i++) {
		fputs(i ? "," : "", f);
		json_num(f, b->per[i]);
	}
	fprintf(f, "],\"period_source\":\"%s\",\"items\":%llu,"
	    "\"forecasters\":[", src[b->psrc], (unsigned long long)b->n);
	for (i = 0; base_info(b, i, &bi); i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_str(f, bi.name, strlen(bi.name));
		fputs(",\"mae\":", f);
		json_num(f, bi.mae);
		fputs(",\"weight\":", f);
		json_num(f, bi.weight);
		fputc('}', f);
	}
	fputs("]},", f);
}

/* "params":{...} of network O, followed by a comma. */
static void
json_params(FILE *f, const struct online *o)
{
	const struct shape *sh = &o->cf.shape;
	int i, nt = model_ntensors(sh);

	fputs("\n\"params\":{", f);
	for (i = 0; i < nt; i++) {
		struct tensor_info t;

		model_tensor(sh, i, &t);
		fputs(i ? ",\n" : "\n", f);
		json_cstr(f, t.name);
		fputc(':', f);
		json_mat(f, o->w->param + t.offset, t.rows, t.cols);
	}
	fputs("},", f);
}

/* "state":{...} of network O. */
static void
json_state(FILE *f, const struct online *o)
{
	const struct shape *sh = &o->cf.shape;

	fputs("\n\"state\":{\"h\":", f);
	json_mat(f, o->h, sh->layers, sh->hidden);
	if (sh->cell == CELL_LSTM) {
		fputs(",\n\"c\":", f);
		json_mat(f, o->c, sh->layers, sh->hidden);
	}
	fputc('}', f);
}

int
dump_json(const struct model *m, FILE *f)
{
	const struct online *o = m->net;
	const struct online_config *cf = &o->cf;
	const struct shape *sh = &cf->shape;
	const struct numstate *st = m->num;
	size_t k;
	int i;

	fprintf(f, "{\"format_version\":%d,", MODEL_FORMAT_VERSION);
	fprintf(f, "\"mode\":\"%s\",", m->mode == MODEL_CHARS ? "chars" : "numeric");
	fprintf(f, "\"cell\":\"%s\",\"nonlinearity\":\"%s\",",
	    cell_name(sh->cell), sh->cell == CELL_RNN_RELU ? "relu" : "tanh");
	fprintf(f, "\"hidden\":%d,\"layers\":%d,\"inputs\":%d,"
	    "\"input_size\":%d,\"output_size\":%d,\"chars\":%s,",
	    sh->hidden, sh->layers, cf->chars ? 0 : st->col.ninputs, sh->nin,
	    sh->nout, cf->chars ? "true" : "false");
	fprintf(f, "\"bptt\":%d,\"window\":%d,\"horizon\":%d,"
	    "\"optimizer\":\"%s\",\"lr\":", cf->bptt, cf->window, cf->horizon,
	    optim_name(cf->optimizer));
	json_num(f, o->w->opt.lr);
	fputs(",\"clip\":", f);
	json_num(f, cf->clip);
	fprintf(f, ",\"seed\":%llu,\"step\":%llu,\"updates\":%llu,"
	    "\"skipped_updates\":%llu,\"state_resets\":%llu,",
	    (unsigned long long)cf->seed, (unsigned long long)o->t,
	    (unsigned long long)o->updates, (unsigned long long)o->skipped,
	    (unsigned long long)o->resets);
	if (m->mode == MODEL_NUMERIC) {
		fprintf(f, "\"normalize\":\"%s\",\"predict\":\"%s\",",
		    opts_enum_name(opts_def("normalize"), m->normalize),
		    opts_enum_name(opts_def("predict"), m->predict));
		fputs("\"column_spec\":", f);
		json_cstr(f, m->column);
		fputs(",\"inputs_spec\":", f);
		json_cstr(f, m->inputs);
		fputs(",\"column\":", f);
		json_name(f, st->col.target, st->col.target_name,
		    st->col.target_name_len);
		fprintf(f, ",\"column_index\":%d,\"input_columns\":[",
		    st->col.target >= 0 ? st->col.target + 1 : 0);
		for (i = 0; i < st->col.ninputs; i++)
			fprintf(f, "%s%d", i ? "," : "", st->col.input[i] + 1);
		fprintf(f, "],\"held_bytes\":%lu,", (unsigned long)st->nheld);
		if (st->keys == NULL) {
			json_norm(f, &st->one, 1 + st->col.ninputs);
			fputc(',', f);
			json_base(f, &st->one);
		}
	}
	if (m->mode == MODEL_NUMERIC && st->keys != NULL) {
		fputs("\"key_spec\":", f);
		json_cstr(f, m->key);
		fputs(",\"key_column\":", f);
		json_name(f, st->col.keycol, st->col.key_name,
		    st->col.key_name_len);
		fprintf(f, ",\"key_column_index\":%d,\"global\":%s,",
		    st->col.keycol + 1, m->global ? "true" : "false");
		/* --global: the keys' one network, its updates those of all */
		if (m->global) {
			fprintf(f, "\"global_updates\":%lld,", o->w->opt.step);
			json_params(f, o);
		}
		fputs("\"keys\":[", f);
		for (k = 0; k < st->keys->n; k++) {
			const struct keyent *ke = &st->keys->ent[k];

			fputs(k ? ",\n{\"key\":" : "\n{\"key\":", f);
			json_str(f, ke->key, ke->len);
			fprintf(f, ",\"step\":%llu,\"updates\":%llu,",
			    (unsigned long long)ke->st->net->t,
			    (unsigned long long)ke->st->net->updates);
			json_norm(f, ke->st, 1 + st->col.ninputs);
			fputc(',', f);
			json_base(f, ke->st);
			if (!m->global)
				json_params(f, ke->st->net);
			json_state(f, ke->st->net);
			fputc('}', f);
		}
		fputs("]}\n", f);
	} else {
		json_params(f, o);
		json_state(f, o);
		fputs("}\n", f);
	}
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}
