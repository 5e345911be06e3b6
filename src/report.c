/* report.c - the progress and --report tables; see report.h. */
#include <langinfo.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
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

struct row {
	const char *key;
	double v[3];
};

void
report_print(FILE *fp, const struct opts *op, const struct metrics *m,
    long long keys, uint64_t run_items, double seconds, int utf8)
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
		fputs("]}\n", fp);
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
