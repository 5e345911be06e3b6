/*
 * keybytes.c - the heap bytes one key of --key takes, by component, at
 * rnnfilter's numeric defaults with -H 32 --optimizer adam (see
 * bench/keybytes.sh): a stream (stream_new, with and without the AR
 * baseline), its base forecasters new and after some items of a daily and
 * a half-hourly series (base_push: forecasters allocate some of their
 * numbers when they first need them), its network (online_new_sharing:
 * what is its own; online_new_tied with --global, without parameters and
 * moments), its anomaly model's warm-up values after some items, and
 * the scratch a run's keys share.  Measured as the growth of
 * mallinfo2()'s allocated bytes, so malloc's own headers are in; the
 * forecasters' rows are base_info()'s bytes, without them.
 */
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "anomaly.h"
#include "base.h"
#include "online.h"
#include "opts.h"
#include "stream.h"

static size_t
used(void)
{
	return mallinfo2().uordblks;
}

/* Item T of the benchmark's daily series (bench/keybytes.sh, key 0). */
static double
daily(int t)
{
	return 100 + 3 * sin(0.9 * t) + 0.1 * t;
}

/* Item T of a half-hourly one: a daily and a weekly pattern. */
static double
halfhour(int t)
{
	return 200 + 20 * sin(2 * M_PI * t / 48) + 5 * sin(2 * M_PI * t / 336) +
	    3 * sin(1.7 * t);
}

/*
 * The heap a base takes after N items of F, its periods NPER PER set from
 * the time column after item 9 (as the spacing of 8 differences gives
 * them), or found in the data when NPER is 0.  With ROWS, its forecasters
 * then, one row each.
 */
static size_t
base_after(int n, int nper, const double *per, double (*f)(int), int rows)
{
	struct base_info bi;
	struct base *b;
	size_t u0 = used(), u;
	int t, i;

	if ((b = base_new(1, 1)) == NULL)
		exit(1);
	for (t = 0; t < n; t++) {
		if (t == 9 && nper > 0 &&
		    base_set_periods(b, nper, per, BASE_P_TIME) != 0)
			exit(1);
		if (base_push(b, f(t), 1) != 0)
			exit(1);
	}
	u = used() - u0;
	for (i = 0; rows && base_info(b, i, &bi); i++)
		printf("| %s | %zu |\n", bi.name, bi.bytes);
	base_free(b);
	return u;
}

/*
 * The heap an anomaly model holds beyond its struct after N items of F (its
 * warm-up's values: allocated at the first item, freed when their tails
 * start), with period 7 from item 9 as base_after() and the naive
 * forecast's residuals.
 */
static size_t
anom_after(int n, double (*f)(int))
{
	struct anomaly a;
	size_t u0 = used(), u;
	double s;
	int t;

	anomaly_init(&a);
	for (t = 1; t <= n; t++)
		if (anomaly_step(&a, f(t), f(t) - f(t - 1), f(t > 7 ? t - 7 : 0),
		    t > 9 ? 7 : 0, 0, &s) < 0)
			exit(1);
	u = used() - u0;
	anomaly_free(&a);
	return u;
}

int
main(int argc, char **argv)
{
	struct opts op;
	struct online_config cf;
	struct stream_conf sc;
	struct online *net, *key, *tied;
	struct stream *st;
	size_t u0, own, scr, plain, arb, base, fl, glob, bd[3], bh[3], bf[3], ad[3];
	double week = 7, hh[2] = { 48, 336 };
	static const int nd[3] = { 20, 100, 1000 }, nh[3] = { 20, 400, 2000 };
	static const int nf[3] = { 20, 200, 1200 };
	int i;

	opts_init(&op);
	op.hidden = argc > 1 ? atoi(argv[1]) : 32;
	op.optimizer = OPTIM_ADAM;
	memset(&cf, 0, sizeof cf);
	cf.shape.cell = op.cell;
	cf.shape.hidden = op.hidden;
	cf.shape.layers = op.layers;
	cf.shape.nin = 6;	/* numeric_nin(PREDICT_BASE, 0) */
	cf.shape.nout = 1;
	cf.bptt = op.bptt;
	cf.window = op.window > 0 ? op.window : op.bptt;
	cf.horizon = op.horizon;
	cf.optimizer = op.optimizer;
	cf.lr = op.lr;
	cf.clip = op.clip;
	cf.seed = op.seed;
	cf.forget_bias = op.forget_bias;
	u0 = used();
	net = online_new(&cf);
	scr = used() - u0;
	u0 = used();
	key = online_new_sharing(&cf, net);
	own = used() - u0;
	scr -= own;
	u0 = used();
	tied = online_new_tied(&cf, net);
	glob = used() - u0;
	fl = (size_t)(3 * model_nparams(&cf.shape)) * sizeof(real);
	stream_conf_opts(&sc, &op);
	sc.ninputs = 0;	/* a key's, without --inputs */
	sc.base = 0;
	u0 = used();
	st = stream_new(&sc);
	plain = used() - u0;
	stream_free(st);
	sc.ar_on = 1;
	u0 = used();
	st = stream_new(&sc);
	arb = used() - u0 - plain;
	stream_free(st);
	sc.ar_on = 0;
	sc.base = 1;
	u0 = used();
	st = stream_new(&sc);
	base = used() - u0 - plain;
	stream_free(st);
	for (i = 0; i < 3; i++) {
		bd[i] = base_after(nd[i], 1, &week, daily, 0);
		bh[i] = base_after(nh[i], 2, hh, halfhour, 0);
		bf[i] = base_after(nf[i], 0, NULL, daily, 0);
		ad[i] = anom_after(nd[i], daily);
	}
	printf("| component | bytes |\n| --- | ---: |\n");
	printf("| network, own: parameters, Adam moments, ring, state (H=%d) | %zu |\n",
	    op.hidden, own);
	printf("| of which parameters + Adam moments (the floor) | %zu |\n", fl);
	printf("| network with --global: ring, state (H=%d) | %zu |\n",
	    op.hidden, glob);
	printf("| stream: struct (of which the anomaly model %zu), normalizer, pending | %zu |\n",
	    sizeof(struct anomaly), plain);
	for (i = 0; i < 3; i++)
		printf("| anomaly model's warm-up values after %d items, daily | %zu |\n",
		    nd[i], ad[i]);
	printf("| AR(%d) baseline, with --report or a model file | %zu |\n",
	    op.ar_order, arb);
	printf("| base forecasters, new, and the time spacing until the periods are settled | %zu |\n",
	    base);
	for (i = 0; i < 3; i++)
		printf("| base after %d items, daily (period 7 from the time column) | %zu |\n",
		    nd[i], bd[i]);
	for (i = 0; i < 3; i++)
		printf("| base after %d items, half-hourly (periods 48, 336 from the time column) | %zu |\n",
		    nh[i], bh[i]);
	for (i = 0; i < 3; i++)
		printf("| base after %d items, daily, no time column (periods from the data) | %zu |\n",
		    nf[i], bf[i]);
	printf("| shared by all keys of a run: gradient and scratch | %zu |\n",
	    scr);
	printf("\nA key at the defaults, daily, after 20, 100 and 1000 items "
	    "(network + stream with its anomaly model + base; + the AR baseline with -m):\n\n");
	printf("| key | %d items | %d items | %d items |\n| --- | ---: | ---: | ---: |\n",
	    nd[0], nd[1], nd[2]);
	printf("| independent | %zu | %zu | %zu |\n", own + plain + ad[0] + bd[0],
	    own + plain + ad[1] + bd[1], own + plain + ad[2] + bd[2]);
	printf("| independent, -m | %zu | %zu | %zu |\n", own + plain + arb + ad[0] + bd[0],
	    own + plain + arb + ad[1] + bd[1], own + plain + arb + ad[2] + bd[2]);
	printf("| --global | %zu | %zu | %zu |\n", glob + plain + ad[0] + bd[0],
	    glob + plain + ad[1] + bd[1], glob + plain + ad[2] + bd[2]);
	printf("| stream + base | %zu | %zu | %zu |\n", plain + ad[0] + bd[0],
	    plain + ad[1] + bd[1], plain + ad[2] + bd[2]);
	printf("\nThe forecasters after %d daily items (bytes each, malloc's "
	    "headers not counted):\n\n| forecaster | bytes |\n| --- | ---: |\n",
	    nd[2]);
	base_after(nd[2], 1, &week, daily, 1);
	printf("\nThe forecasters after %d half-hourly items:\n\n"
	    "| forecaster | bytes |\n| --- | ---: |\n", nh[2]);
	base_after(nh[2], 2, hh, halfhour, 1);
	online_free(tied);
	online_free(key);
	online_free(net);
	return 0;
}
