/* metrics.c - see metrics.h. */
#include <math.h>
#include <string.h>
#include "metrics.h"
#include "ser.h"

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof *m);
	anomaly_init(&m->an);
}

int
metrics_start(struct metrics *m, int ar_order, int horizon)
{
	return ar_init(&m->arm, ar_order, horizon);
}

void
metrics_free(struct metrics *m)
{
	ar_free(&m->arm);
	anomaly_free(&m->an);
}

static void
errsum_ser(struct ser *s, struct errsum *e)
{
	ser_f64(s, &e->n);
	ser_f64(s, &e->abs);
	ser_f64(s, &e->sq);
	ser_f64(s, &e->ape);
	ser_f64(s, &e->nape);
}

void
metrics_ser(struct ser *s, struct metrics *m, int version)
{
	ser_u64(s, &m->items);
	errsum_ser(s, &m->net);
	errsum_ser(s, &m->naive);
	errsum_ser(s, &m->ar);
	ser_f64(s, &m->loss);
	ser_f64(s, &m->nloss);
	ar_ser(s, &m->arm);
	anomaly_ser(s, &m->an, version);
	ser_f64s(s, m->sp.sum, SPARK_N);
	ser_u64(s, &m->sp.width);
	ser_u64(s, &m->sp.nb);
	ser_u64(s, &m->sp.fill);
	if (ser_loading(s) && (m->sp.nb >= SPARK_N ||
	    (m->sp.width > 0 && m->sp.fill >= m->sp.width)))
		ser_fail(s, "metrics: sparkline out of range");
}

void
metrics_pair(struct metrics *m, double x, double pred, double naive,
    double arp, double loss, int alert)
{
	errsum_score(&m->net, x, pred);
	errsum_score(&m->naive, x, naive);
	errsum_score(&m->ar, x, arp);
	m->loss += loss;
	m->nloss += 1;
	spark_add(&m->sp, fabs(x - pred));
	if (alert)
		m->an.alerts++;
}

void
errsum_add(struct errsum *s, double err)
{
	s->n += 1;
	s->abs += fabs(err);
	s->sq += err * err;
}

void
errsum_score(struct errsum *s, double target, double pred)
{
	double err = target - pred;

	errsum_add(s, err);
	if (target != 0) {
		s->ape += fabs(err / target);
		s->nape += 1;
	}
}

double
errsum_mae(const struct errsum *s)
{
	return s->n > 0 ? s->abs / s->n : NAN;
}

double
errsum_rmse(const struct errsum *s)
{
	return s->n > 0 ? sqrt(s->sq / s->n) : NAN;
}

double
errsum_mape(const struct errsum *s)
{
	return s->nape > 0 ? 100 * s->ape / s->nape : NAN;
}

double
errsum_mase(const struct errsum *s, const struct errsum *naive)
{
	double d = errsum_mae(naive);

	return d > 0 ? errsum_mae(s) / d : NAN;
}

void
spark_add(struct spark *s, double abserr)
{
	int i;

	if (s->width == 0)
		s->width = 1;
	s->sum[s->nb] += abserr;
	if (++s->fill < s->width)
		return;
	s->fill = 0;
	if (++s->nb < SPARK_N)
		return;
	for (i = 0; i < SPARK_N / 2; i++)
		s->sum[i] = s->sum[2 * i] + s->sum[2 * i + 1];
	for (; i < SPARK_N; i++)
		s->sum[i] = 0;
	s->nb = SPARK_N / 2;
	s->width *= 2;
}

int
spark_get(const struct spark *s, double *out)
{
	int i, n = (int)s->nb;

	for (i = 0; i < n; i++)
		out[i] = s->sum[i] / (double)s->width;
	if (s->fill > 0)
		out[n++] = s->sum[s->nb] / (double)s->fill;
	return n;
}

/*
 * Acklam's rational approximation (relative error 1.2e-9), refined by one
 * Halley step on erfc to full double precision.
 */
double
normal_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01,
	    2.209460984245205e+02, -2.759285104469687e+02,
	    1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01,
	    1.615858368580409e+02, -1.556989798598866e+02,
	    6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03,
	    -3.223964580411365e-01, -2.400758277161838e+00,
	    -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03,
	    3.224671290700398e-01, 2.445134137142996e+00,
	    3.754408661907416e+00 };
	double q, r, x, e, u;

	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) *
		    r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r +
		    b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
	}
	e = 0.5 * erfc(-x / M_SQRT2) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}
