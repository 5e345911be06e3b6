/*
 * keybytes.c - the heap bytes one key of --key takes, by component, at
 * rnnfilter's numeric defaults with -H 32 --optimizer adam (see
 * bench/keybytes.sh): a stream (stream_new, its base forecasters with and
 * without a weekly period found), its network (online_new_sharing: what is
 * its own; online_new_tied with --global, without parameters and moments),
 * and the scratch a run's keys share.  Measured as the growth of
 * mallinfo2()'s allocated bytes, so malloc's own headers are in.
 */
#include <malloc.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "base.h"
#include "online.h"
#include "opts.h"
#include "stream.h"

static size_t
used(void)
{
	return mallinfo2().uordblks;
}

int
main(int argc, char **argv)
{
	struct opts op;
	struct online_config cf;
	struct stream_conf sc;
	struct online *net, *key, *tied;
	struct stream *st;
	size_t u0, own, scr, plain, base, per, fl, glob;
	double week = 7;

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
	sc.base = 1;
	u0 = used();
	st = stream_new(&sc);
	base = used() - u0 - plain;
	u0 = used();
	base_set_periods(st->base, 1, &week, BASE_P_TIME);
	per = used() - u0;
	stream_free(st);
	printf("| component | bytes |\n| --- | ---: |\n");
	printf("| network, own: parameters, Adam moments, ring, state (H=%d) | %zu |\n",
	    op.hidden, own);
	printf("| of which parameters + Adam moments (the floor) | %zu |\n", fl);
	printf("| network with --global: ring, state (H=%d) | %zu |\n",
	    op.hidden, glob);
	printf("| stream without base: struct, normalizers, pending, metrics | %zu |\n",
	    plain);
	printf("| base forecasters, before a period | %zu |\n", base);
	printf("| base forecasters, more with a weekly period | %zu |\n", per);
	printf("| shared by all keys of a run: gradient and scratch | %zu |\n",
	    scr);
	online_free(tied);
	online_free(key);
	online_free(net);
	return 0;
}
