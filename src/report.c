/* report.c - the progress and --report tables; see report.h. */
#include <langinfo.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include "base.h"
#include "report.h"

double
report_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
report_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0);
}

static long
peak_kib(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return ru.ru_maxrss;	/* KiB on Linux and the BSDs */
}

/* The sparkline of the bucket means V[N]: 8 block levels, or 10 ASCII. */
static void
sparkline(FILE *fp, const double *v, int n, int utf8)
{
	static const char *blocks[] = { "\xe2\x96\x81", "\xe2\x96\x82",
	    "\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
	    "\xe2\x96\x87", "\xe2\x96\x88" };
	static const char ascii[] = " .:-=+*#%@";
	int i, levels = utf8 ? 8 : 10;
	double lo = INFINITY, hi = -INFINITY;

	for (i = 0; i < n; i++) {
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	for (i = 0; i < n; i++) {
		int k = hi > lo ?
		    (int)lround((v[i] - lo) / (hi - lo) * (levels - 1)) : 0;

		if (utf8)
			fputs(blocks[k], fp);
		else
			fputc(ascii[k], fp);
	}
}

/* A number for a table cell: %.6g, or an empty/null/"-" mark if undefined. */
static const char *
cell(char *buf, size_t n, double v, const char *undef)
{
	if (!isfinite(v))
		return undef;
	snprintf(buf, n, "%.6g", v);
	return buf;
}

/* The name of a base's period source (enum base_psrc). */
static const char *
psrc_name(int src)
{
	switch (src) {
	case BASE_P_DATA:
		return "data";
	case BASE_P_TIME:
		return "time";
	case BASE_P_GIVEN:
		return "given";
	default:
		return "none";
	}
}

/* The pool's naive forecaster's MAE, the MASE denominator of the bases. */
static double
base_naive_mae(const struct base *bs)
{
	struct base_info in;
	int i;

	for (i = 0; base_info(bs, i, &in); i++)
		if (strcmp(in.name, "naive") == 0)
			return in.mae;
	return NAN;
}

/*
 * The base's periods and forecasters after the main table, in OP's form;
 * with --key (KEYS >= 0) only that they are per key.  Nothing for the plain
 * network.
 */
static void
report_bases(FILE *fp, const struct opts *op, const struct base *bs,
    long long keys, int machine)
{
	struct base_info in;
	double nmae;
	char b[6][32];
	int i, j;

	if (op->predict != PREDICT_BASE || (bs == NULL && keys < 0))
		return;
	if (machine && op->output == OUT_JSONL) {
		if (keys >= 0) {
			fputs(",\"periods\":{\"source\":\"key\",\"values\":[]},"
			    "\"bases\":[]", fp);
			return;
		}
		fprintf(fp, ",\"periods\":{\"source\":\"%s\",\"values\":[",
		    psrc_name(bs->psrc));
		for (j = 0; j < bs->nper; j++)
			fprintf(fp, "%s%.6g", j ? "," : "", bs->per[j]);
		fputs("]},\"bases\":[", fp);
		nmae = base_naive_mae(bs);
		for (i = 0; base_info(bs, i, &in); i++)
			fprintf(fp, "%s{\"name\":\"%s\",\"mae\":%s,\"rmse\":%s,"
			    "\"mase\":%s,\"scored\":%s,\"weight\":%s}",
			    i ? "," : "", in.name,
			    cell(b[0], sizeof b[0], in.mae, "null"),
			    cell(b[1], sizeof b[1], in.rmse, "null"),
			    cell(b[2], sizeof b[2], nmae > 0 ? in.mae / nmae :
			    NAN, "null"),
			    cell(b[3], sizeof b[3], in.n, "null"),
			    cell(b[4], sizeof b[4], in.weight, "null"));
		fputc(']', fp);
	} else if (machine) {
		int d = op->output == OUT_TSV ? '\t' : ',';

		if (keys >= 0) {
			fprintf(fp, "period_source%ckey%ckey%ckey\n", d, d, d);
			return;
		}
		fprintf(fp, "period_source%c%s%c%s%c%s\n", d,
		    psrc_name(bs->psrc), d, psrc_name(bs->psrc), d,
		    psrc_name(bs->psrc));
		fputs("periods", fp);
		for (i = 0; i < 3; i++) {
			fputc(d, fp);
			for (j = 0; j < bs->nper; j++)
				fprintf(fp, "%s%.6g", j ? " " : "",
				    bs->per[j]);
		}
		fprintf(fp, "\n\nbase%cmae%crmse%cmase%cweight%cscored\n",
		    d, d, d, d, d);
		nmae = base_naive_mae(bs);
		for (i = 0; base_info(bs, i, &in); i++)
			fprintf(fp, "%s%c%s%c%s%c%s%c%s%c%s\n", in.name,
			    d, cell(b[0], sizeof b[0], in.mae, ""),
			    d, cell(b[1], sizeof b[1], in.rmse, ""),
			    d, cell(b[2], sizeof b[2], nmae > 0 ?
			    in.mae / nmae : NAN, ""),
			    d, cell(b[3], sizeof b[3], in.weight, ""),
			    d, cell(b[4], sizeof b[4], in.n, ""));
	} else {
		static const char *const how[] = { "none",
		    "found in the data", "from the time column", "given" };

		if (keys >= 0) {
			fputs("base forecasters and periods: per key, not "
			    "shown\n", fp);
			return;
		}
		fputs("periods", fp);
		for (j = 0; j < bs->nper; j++)
			fprintf(fp, "%s%.6g", j ? ", " : " ", bs->per[j]);
		if (bs->nper > 0)
			fprintf(fp, " (%s)\n", how[bs->psrc >= 0 &&
			    bs->psrc <= BASE_P_GIVEN ? bs->psrc : 0]);
		else
			fputs(bs->find ? " none found in the data\n" :
			    " none\n", fp);
		fprintf(fp, "%-10s %11s %11s %11s %11s %11s\n", "base", "MAE",
		    "RMSE", "MASE", "weight", "scored");
		nmae = base_naive_mae(bs);
		for (i = 0; base_info(bs, i, &in); i++)
			fprintf(fp, "%-10s %11s %11s %11s %11s %11s\n", in.name,
			    cell(b[0], sizeof b[0], in.mae, "-"),
			    cell(b[1], sizeof b[1], in.rmse, "-"),
			    cell(b[2], sizeof b[2], nmae > 0 ? in.mae / nmae :
			    NAN, "-"),
			    cell(b[3], sizeof b[3], in.weight, "-"),
			    cell(b[4], sizeof b[4], in.n, "-"));
	}
}

struct row {
	const char *key;
	double v[3];
};

void
report_print(FILE *fp, const struct opts *op, const struct metrics *m,
    const struct base *bs, long long keys, uint64_t run_items,
    double seconds, int utf8)
{
	const struct errsum *es[3] = { &m->net, &m->naive, &m->ar };
	const char *names[3] = { "rnnfilter", "naive", "ar" };
	double spark[SPARK_N], ips = seconds > 0 ? run_items / seconds : NAN;
	char b[4][32], arname[16];
	struct row rows[11];
	int i, j, nr = 0, ns = spark_get(&m->sp, spark);
	long kib = peak_kib();
	int machine = (op->given & GIVEN_OUTPUT) || op->output != OUT_CSV;

#define ROW(k, a, bb, c) do { rows[nr].key = (k); rows[nr].v[0] = (a); \
	rows[nr].v[1] = (bb); rows[nr].v[2] = (c); nr++; } while (0)
#define SAME(k, a) ROW(k, (double)(a), (double)(a), (double)(a))
	SAME("items", m->items);
	SAME("scored", m->net.n);
	SAME("mape_skipped", m->net.n - m->net.nape);
	ROW("mae", errsum_mae(es[0]), errsum_mae(es[1]), errsum_mae(es[2]));
	ROW("rmse", errsum_rmse(es[0]), errsum_rmse(es[1]), errsum_rmse(es[2]));
	ROW("mape", errsum_mape(es[0]), errsum_mape(es[1]), errsum_mape(es[2]));
	ROW("mase", errsum_mase(es[0], es[1]), errsum_mase(es[1], es[1]),
	    errsum_mase(es[2], es[1]));
	SAME("ar_order", m->arm.p);
	SAME("items_per_s", round(ips));
	SAME("peak_kib", kib);
	if (keys >= 0)
		SAME("keys", keys);
#undef SAME
#undef ROW

	if (machine && op->output == OUT_JSONL) {
		fputc('{', fp);
		for (i = 0; i < nr; i++) {
			if (i >= 3 && i <= 6)
				continue;
			fprintf(fp, "%s\"%s\":%s", i ? "," : "", rows[i].key,
			    cell(b[0], sizeof b[0], rows[i].v[0], "null"));
		}
		for (j = 0; j < 3; j++) {
			fprintf(fp, ",\"%s\":{", names[j]);
			for (i = 3; i <= 6; i++)
				fprintf(fp, "%s\"%s\":%s", i > 3 ? "," : "",
				    rows[i].key, cell(b[0], sizeof b[0],
				    rows[i].v[j], "null"));
			fputc('}', fp);
		}
		fputs(",\"error_buckets\":[", fp);
		for (i = 0; i < ns; i++)
			fprintf(fp, "%s%s", i ? "," : "",
			    cell(b[0], sizeof b[0], spark[i], "null"));
		fputc(']', fp);
		report_bases(fp, op, bs, keys, machine);
		fputs("}\n", fp);
	} else if (machine) {
		int d = op->output == OUT_TSV ? '\t' : ',';

		fprintf(fp, "metric%crnnfilter%cnaive%car\n", d, d, d);
		for (i = 0; i < nr; i++) {
			fputs(rows[i].key, fp);
			for (j = 0; j < 3; j++)
				fprintf(fp, "%c%s", d, cell(b[j], sizeof b[j],
				    rows[i].v[j], ""));
			fputc('\n', fp);
		}
		report_bases(fp, op, bs, keys, machine);
	} else {
		snprintf(arname, sizeof arname, "AR(%d)", m->arm.p);
		fprintf(fp, "items %llu, scored %.0f, MAPE skipped %.0f "
		    "(target 0)\n", (unsigned long long)m->items, m->net.n,
		    m->net.n - m->net.nape);
		fprintf(fp, "%-10s %11s %11s %11s %11s\n", "", "MAE", "RMSE",
		    "MAPE%", "MASE");
		for (j = 0; j < 3; j++) {
			fprintf(fp, "%-10s", j == 2 ? arname : names[j]);
			for (i = 3; i <= 6; i++)
				fprintf(fp, " %11s", cell(b[0], sizeof b[0],
				    rows[i].v[j], "-"));
			fputc('\n', fp);
		}
		fprintf(fp, "items/s %s, peak memory %ld KiB\n",
		    cell(b[0], sizeof b[0], round(ips), "-"), kib);
		if (keys >= 0)
			fprintf(fp, "keys %lld\n", keys);
		if (ns > 0) {
			fputs("MAE ", fp);
			sparkline(fp, spark, ns, utf8);
			fprintf(fp, " (%d buckets of %llu scored)\n", ns,
			    (unsigned long long)m->sp.width);
		}
		report_bases(fp, op, bs, keys, machine);
	}
	fflush(fp);
}

void
progress_init(struct progress *p, FILE *fp, int on)
{
	memset(p, 0, sizeof *p);
	p->on = on;
	p->next = 1;
	p->fp = fp;
	p->t0 = report_clock();
}

static void
progress_header(struct progress *p)
{
	fprintf(p->fp, "%-12s %-12s %12s %12s %12s %10s\n"
	    "%-12s %-12s %12s %12s %12s\n",
	    "average", "since", "items", "current", "current", "items/s",
	    "loss", "last", "", "target", "prediction");
}

static void
progress_line(struct progress *p, double x, int has_x, double pred,
    int has_pred)
{
	char b[4][32];
	double dt = report_clock() - p->t0;

	fprintf(p->fp, "%-12s %-12s %12llu %12s %12s %10.0f\n",
	    cell(b[0], sizeof b[0], p->nloss > 0 ? p->loss / p->nloss : NAN,
	    "-"),
	    cell(b[1], sizeof b[1], p->lnloss > 0 ? p->lloss / p->lnloss : NAN,
	    "-"),
	    (unsigned long long)p->items,
	    cell(b[2], sizeof b[2], has_x ? x : NAN, "-"),
	    cell(b[3], sizeof b[3], has_pred ? pred : NAN, "-"),
	    dt > 0 ? (double)p->items / dt : 0.0);
	fflush(p->fp);
	p->lloss = p->lnloss = 0;
}

void
progress_item(struct progress *p, int scored, double loss, double x,
    int has_x, double pred, int has_pred)
{
	if (!p->on)
		return;
	if (p->items++ == 0)
		progress_header(p);
	p->x = x;
	p->has_x = has_x;
	p->pred = pred;
	p->has_pred = has_pred;
	if (scored) {
		p->loss += loss;
		p->nloss += 1;
		p->lloss += loss;
		p->lnloss += 1;
	}
	if (p->items == p->next) {
		progress_line(p, x, has_x, pred, has_pred);
		p->next *= 2;
	}
}

void
progress_end(struct progress *p)
{
	if (!p->on || p->items == 0 || p->items == p->next / 2)
		return;
	progress_line(p, p->x, p->has_x, p->pred, p->has_pred);
}
