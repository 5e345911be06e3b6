/* stream.c - one series of numeric mode; see stream.h. */
#include <stdlib.h>
#include <string.h>
#include "base.h"
#include "online.h"
#include "ser.h"
#include "stream.h"

void
stream_conf_opts(struct stream_conf *cf, const struct opts *op)
{
	memset(cf, 0, sizeof *cf);
	cf->horizon = op->horizon;
	cf->norm_off = op->normalize == NORM_NONE;
	cf->ar_order = op->ar_order;
	cf->ar_on = op->report || op->model != NULL;
	cf->base = op->predict == PREDICT_BASE && !op->chars;
	cf->nperiod = op->nperiod;
	cf->period[0] = op->period[0];
	cf->period[1] = op->period[1];
	cf->ninputs = STREAM_MAX_INPUTS;
}

void
stream_conf_init(struct stream_conf *cf, int horizon, int norm_off, int base)
{
	memset(cf, 0, sizeof *cf);
	cf->horizon = horizon;
	cf->norm_off = norm_off;
	cf->ar_order = OPTS_AR_ORDER;
	cf->ar_on = 1;
	cf->base = base;
	cf->nperiod = -1;
	cf->ninputs = STREAM_MAX_INPUTS;
}

int
stream_init(struct stream *st, const struct stream_conf *cf)
{
	int i;

	memset(st, 0, sizeof *st);
	st->nnorm = 1 + cf->ninputs;
	if ((st->norm = malloc((size_t)st->nnorm * sizeof *st->norm)) == NULL)
		return -1;
	for (i = 0; i < st->nnorm; i++)
		norm_init(&st->norm[i], cf->norm_off);
	metrics_init(&st->met);
	st->tcol = -2;
	st->ycol = st->mcol = -1;
	if (stream_horizon(st, cf->horizon) != 0 || metrics_start(&st->met,
	    cf->ar_order, cf->ar_on ? cf->horizon : 0) != 0)
		goto fail;
	if (cf->base) {
		if ((st->base = base_new(cf->horizon, cf->nperiod < 0)) == NULL)
			goto fail;
		if (cf->nperiod >= 0)
			st->tdone = 1;
		else if ((st->tsp = calloc(1, sizeof *st->tsp)) == NULL)
			goto fail;
		if (cf->nperiod > 0 && base_set_periods(st->base, cf->nperiod,
		    cf->period, BASE_P_GIVEN) != 0)
			goto fail;
	}
	return 0;
fail:
	stream_release(st);
	return -1;
}

void
stream_release(struct stream *st)
{
	free(st->pend);
	st->pend = NULL;
	free(st->norm);
	st->norm = NULL;
	metrics_free(&st->met);
	base_free(st->base);
	st->base = NULL;
	free(st->tsp);
	st->tsp = NULL;
}

void
stream_settle(struct stream *st)
{
	st->tdone = 1;
	free(st->tsp);
	st->tsp = NULL;
}

struct stream *
stream_new(const struct stream_conf *cf)
{
	struct stream *st = malloc(sizeof *st);

	if (st != NULL && stream_init(st, cf) != 0) {
		free(st);
		st = NULL;
	}
	return st;
}

void
stream_free(struct stream *st)
{
	if (st == NULL)
		return;
	online_free(st->net);
	stream_release(st);
	free(st);
}

int
stream_horizon(struct stream *st, int h)
{
	struct pending *p;

	if (st->pend != NULL && st->horizon == h)
		return 0;
	if ((p = calloc((size_t)h, sizeof *p)) == NULL)
		return -1;
	free(st->pend);
	st->pend = p;
	st->horizon = h;
	return 0;
}

/* The base's part (none without a base), in base LAYOUT (base_ser()). */
static void
base_part_ser(struct ser *s, struct stream *st, int ncols, int layout)
{
	if (st->base == NULL)
		return;
	ser_int(s, &st->tcol);
	ser_int(s, &st->ycol);
	ser_int(s, &st->mcol);
	ser_int(s, &st->tdone);
	if (ser_loading(s) && (st->tcol < -2 || st->tcol >= ncols ||
	    st->ycol < -1 || st->ycol >= ncols || st->mcol < -1 ||
	    st->mcol >= ncols || (st->tdone != 0 && st->tdone != 1))) {
		ser_fail(s, "the time column is out of range");
		return;
	}
	if (st->tdone) {	/* no spacing kept: a zero one in the file */
		struct tspace z;

		memset(&z, 0, sizeof z);
		tspace_ser(s, &z);
		if (ser_loading(s))
			stream_settle(st);
	} else {
		if (ser_loading(s) && st->tsp == NULL &&
		    (st->tsp = calloc(1, sizeof *st->tsp)) == NULL) {
			ser_fail_nomem(s);
			return;
		}
		tspace_ser(s, st->tsp);
	}
	ser_f64(s, &st->gm);
	ser_f64(s, &st->gv);
	ser_f64(s, &st->gn);
	base_ser(s, st->base, layout);
}

void
stream_ser(struct ser *s, struct stream *st, int ncols, int ninputs,
    struct metrics *met, uint32_t version)
{
	int i, h;

	if (1 + ninputs > st->nnorm) {
		ser_fail(s, "more inputs than the stream normalizes");
		return;
	}
	for (i = 0; i < 1 + ninputs && !ser_failed(s); i++) {
		ser_f64(s, &st->norm[i].n);
		ser_f64(s, &st->norm[i].mean);
		ser_f64(s, &st->norm[i].m2);
		ser_enum(s, &st->norm[i].off, 0, 1);
	}
	h = st->horizon;
	ser_enum(s, &h, 1, STREAM_MAX_HORIZON);
	if (ser_loading(s) && !ser_failed(s) && stream_horizon(st, h) != 0)
		ser_fail_nomem(s);
	for (i = 0; i < st->horizon && !ser_failed(s); i++) {
		ser_f64(s, &st->pend[i].pred);
		ser_f64(s, &st->pend[i].x);
		ser_f64(s, &st->pend[i].base);
		ser_f64(s, &st->pend[i].scale);
		if (st->base != NULL)
			ser_f64(s, &st->pend[i].full);
		else
			st->pend[i].full = st->pend[i].pred;
	}
	metrics_ser(s, met, (int)version);
	if (version >= 6)	/* base layouts: format 6 1, 7 and 8 2, 9 to
				 * 11 3, 12 4 */
		base_part_ser(s, st, ncols, version >= 13 ? BASE_LAYOUT :
		    version >= 12 ? 4 : version >= 9 ? 3 : version >= 7 ? 2 :
		    1);
}
