/* base.c - the pool of simple online forecasters; see base.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"
#include "real.h"
#include "ser.h"

#define BX_MAXLAGS 80		/* 64 (arm) or 12 short lags + 6 seasonal */
#define BX_NP 84		/* 1 + BX_MAXLAGS, rounded up to a multiple of 4 */
#define BX_MAXG BASE_DSHW_G	/* the most grid rows */

/*
 * 4-double vectors of GCC's vector extensions (one AVX register, or two SSE
 * ones) for the RLS step: each lane does the very operations of a plain
 * loop, in the same order, so the bits are the same.
 */
typedef double v4df __attribute__((vector_size(32)));
#define V4LOAD(v, p) memcpy(&(v), (p), sizeof(v4df))
#define V4STORE(p, v) memcpy((p), &(v), sizeof(v4df))
#define BASE_MIN_QN 5.0		/* scored items before a forecaster is used */
#define AR_P0 1e4		/* RLS starts from P = AR_P0 * I, scaled units */

static const double ses_a[BASE_SES_G] = { 0.05, 0.1, 0.2, 0.3, 0.5, 0.7,
    0.9, 1.0 };
/*
 * The Holt-Winters grids: hw (alpha, beta, gamma) in {0.1, 0.3, 0.6} x
 * {0, 0.02, 0.1} x {0.05, 0.2, 0.5}; dshw (alpha, delta, omega, phi) in
 * {0.01, 0.05, 0.2} x {0.1, 0.3} x {0.1, 0.3} x ds_p, the last varying
 * fastest (tables by row below grid_start()).
 */
static const double ds_p[3] = { 0, 0.8, 0.95 };

static const char *const kind_name[BX_NKIND] = { "naive", "ses", "ar3",
    "ar24", "snaive", "snaive2", "ar3s", "ar12s", "arm", "hw", "dshw" };
static const char *const log_name[BX_NKIND] = { "log naive", "log ses",
    "log ar3", "log ar24", "log snaive", "log snaive2", "log ar3s",
    "log ar12s", "log arm", "log hw", "log dshw" };

/*
 * One forecaster.  Its numbers live in BLK (bx_blk()), laid out by
 * bx_layout() from (kind, h, lags, grid, periods) alone, so that saving and
 * loading are one flat array, and the arrays in it are found from those
 * too: a forecaster keeps no pointers but LZ, the numbers it allocates
 * when it first needs them: an AR's w and P at its first fit (before it, w
 * is 0 and P is AR_P0 I), a Holt-Winters grid when it starts, from m1 or
 * m2 items (before it, zeros).
 * What follows from the state is not kept: the discounted mean q / qn, the
 * weights of the latest combination (base_weights()), an AR's regressor.
 */
struct bx {
	uint64_t t0;		/* item at which a grid started; 0 before;
				 * AR: the first item its lags may read (0,
				 * or the oldest item of an older file's
				 * shorter history) */
	double q, qn;		/* discounted squared error, count */
	double qf, qfn;		/* the same discounted by BASE_LAMBDA_FAST */
	double sae, sse, nsc;	/* all errors, for --report */
	double nfit, c, sc;	/* AR: pairs fitted; z enters as (z - c) / sc,
				 * c the first value and sc = |c| (or 1) */
	double *lz;		/* what is allocated when first needed, NULL
				 * before (its numbers are then their
				 * initial ones): an AR's RLS block at its
				 * first fit, a Holt-Winters grid when it
				 * starts (bx_blk()) */
	unsigned char kind, tr;
	unsigned char nl;	/* AR: lags, as offsets back from the origin */
	unsigned char n;	/* AR: coefficients, 1 + nl */
	unsigned char np;	/* n rounded up to a multiple of 4 */
	unsigned char G;	/* grid rows */
	unsigned char started;
	unsigned char active;	/* fully updated at this item (base_rank) */
	uint16_t m1, m2;	/* integer periods in use */
	uint16_t h;		/* the base's horizon */
	uint16_t head;		/* bytes from the struct to its numbers */
	uint16_t off[];		/* (nl) the lags; BLK follows, in the same
				 * allocation */
};

/* Past P, for the lanes of rls()'s last block (tri_col4()). */
#define BX_RLS_PAD 4

/*
 * BLK, at HEAD bytes from the struct (its numbers, bx_layout()), and the
 * arrays in it and in LZ, found from the shape alone:
 *   pend   (h) forecast after x_s, input units, in BLK;
 *   AR:    LZ w (np), zero past n; P (n (n + 1) / 2) the upper triangle of
 *          the symmetric (n, n) P, row by row, row i P_ii .. P_i,n-1
 *          (tri_at()); then BX_RLS_PAD zeros;
 *   grids: gp (h, G) the rows' forecasts, transformed, only for h > 1
 *          (with h = 1 they follow from the rest, grid_fc()); cum (G) the
 *          rows' |errors|; L, B (G) level and trend, E the same slot
 *          (dshw's error); S (G, m1) hw's seasonals, dshw's daily ones; W
 *          (G, m2) dshw's weekly ones; in BLK after pend for ses, in LZ
 *          for hw and dshw (grid_len()).
 */
static inline double *
bx_blk(const struct bx *x)
{
	return (double *)(void *)((char *)x + x->head);
}

static inline double *bx_pend(const struct bx *x) { return bx_blk(x); }
static inline double *bx_w(const struct bx *x) { return x->lz; }
static inline double *bx_P(const struct bx *x) { return x->lz + x->np; }
static inline double *bx_gp(const struct bx *x)
{
	return x->kind == BX_SES ? bx_blk(x) + x->h : x->lz;
}
/* the rows' forecasts kept: h of them, none for h = 1 */
static inline size_t bx_ngp(const struct bx *x)
{
	return x->h > 1 ? (size_t)x->G * (size_t)x->h : 0;
}
static inline double *bx_cum(const struct bx *x)
{
	return bx_gp(x) + bx_ngp(x);
}
static inline double *bx_L(const struct bx *x) { return bx_cum(x) + x->G; }
static inline double *bx_B(const struct bx *x) { return bx_L(x) + x->G; }
static inline double *bx_E(const struct bx *x) { return bx_B(x); }
static inline double *bx_S(const struct bx *x) { return bx_B(x) + x->G; }
static inline double *bx_W(const struct bx *x)
{
	return bx_S(x) + (size_t)x->G * (size_t)x->m1;
}

static int
iround(double v)
{
	return (int)floor(v + 0.5);
}

/* Smallest multiple of M that reaches H, as an offset back from x_t. */
static int
season_off(int m, int h)
{
	int k = (h + m - 1) / m;

	return k * m - h;
}

static void
add_lag(int *offs, int *nl, int off)
{
	int i;

	for (i = 0; i < *nl; i++)
		if (offs[i] == off)
			return;
	if (*nl < BX_MAXLAGS)
		offs[(*nl)++] = off;
}

/* The lags of an AR KIND from the periods into OFFS: their number. */
static int
ar_lags(int kind, int h, int nper, const int *m, int *offs)
{
	int p, i, j, nl = 0;

	p = kind == BX_AR3 || kind == BX_AR3S ? 3 : kind == BX_ARM ? m[0] :
	    kind == BX_AR24 ? 24 : 12;
	for (i = 0; i < p; i++)
		add_lag(offs, &nl, i);
	if (kind == BX_AR3S || kind == BX_AR12S)
		for (j = 0; j < nper; j++) {
			add_lag(offs, &nl, season_off(m[j], h));
			add_lag(offs, &nl, season_off(m[j], h) + 1);
			add_lag(offs, &nl, season_off(2 * m[j], h));
		}
	return nl;
}

/* The numbers of a grid (all but pend: gp, if kept, to the seasonals). */
static size_t
grid_len(const struct bx *x)
{
	size_t G = (size_t)x->G, gp = bx_ngp(x);

	switch (x->kind) {
	case BX_SES:
		return gp + 2 * G;
	case BX_HW:
		return gp + 3 * G + G * (size_t)x->m1;
	case BX_DSHW:
		return gp + 3 * G + G * (size_t)(x->m1 + x->m2);
	}
	return 0;
}

/* The numbers in BLK: pend, and ses's grid. */
static size_t
bx_layout(const struct bx *x)
{
	return x->h + (x->kind == BX_SES ? grid_len(x) : 0);
}

/* The numbers of LZ, once allocated. */
static size_t
lz_len(const struct bx *x)
{
	if (x->nl > 0)
		return (size_t)x->np + (size_t)x->n * (size_t)(x->n + 1) / 2 +
		    BX_RLS_PAD;
	return x->kind == BX_HW || x->kind == BX_DSHW ? grid_len(x) : 0;
}

/* The index of P_ij, i <= j, in an AR's triangle of N rows. */
static size_t
tri_at(int n, int i, int j)
{
	return (size_t)i * (size_t)n - (size_t)i * (size_t)(i - 1) / 2 +
	    (size_t)(j - i);
}

static void
bx_free(struct bx *x)
{
	if (x != NULL)
		free(x->lz);
	free(x);
}

/*
 * LZ with its initial numbers (an AR's w 0 and P AR_P0 I, a grid's zeros),
 * if not there yet: 0, or -1 when out of memory.
 */
static int
lz_new(struct bx *x)
{
	double *P;
	int i;

	if (x->lz != NULL || lz_len(x) == 0)
		return 0;
	if ((x->lz = calloc(lz_len(x), sizeof *x->lz)) == NULL)
		return -1;
	if (x->nl > 0)
		for (i = 0, P = bx_P(x); i < x->n; i++)
			P[tri_at(x->n, i, i)] = AR_P0;
	return 0;
}

/*
 * A forecaster of KIND on transform TR, in one allocation: the struct, its
 * lags and its numbers; NULL when out of memory.
 */
static struct bx *
bx_new(int kind, int tr, int h, int nper, const int *m)
{
	struct bx t, *x;
	int offs[BX_MAXLAGS], i;
	size_t head;

	memset(&t, 0, sizeof t);
	t.h = (uint16_t)h;
	t.kind = (unsigned char)kind;
	t.tr = (unsigned char)tr;
	t.active = 1;
	t.m1 = (uint16_t)(nper > 0 ? m[0] : 0);
	t.m2 = (uint16_t)(nper > 1 ? m[1] : 0);
	if (kind >= BX_AR3 && kind != BX_SNAIVE && kind != BX_SNAIVE2 &&
	    kind != BX_HW && kind != BX_DSHW) {
		t.nl = (unsigned char)ar_lags(kind, h, nper, m, offs);
		t.n = (unsigned char)(1 + t.nl);
		t.np = (unsigned char)((t.n + 3) / 4 * 4);
	}
	t.G = (unsigned char)(kind == BX_SES ? BASE_SES_G : kind == BX_HW ?
	    BASE_HW_G : kind == BX_DSHW ? BASE_DSHW_G : 0);
	/* the numbers start at a multiple of 16 bytes, past the lags */
	head = (sizeof t + (size_t)t.nl * sizeof t.off[0] + 15) / 16 * 16;
	t.head = (uint16_t)head;
	if ((x = calloc(1, head + bx_layout(&t) * sizeof(double))) == NULL)
		return NULL;
	*x = t;
	for (i = 0; i < x->nl; i++)
		x->off[i] = (uint16_t)offs[i];
	return x;
}

/* Is forecaster KIND made for these periods? */
static int
kind_fits(int kind, int tr, int nper, const int *m)
{
	if (tr == 1 && (kind == BX_NAIVE || kind == BX_SNAIVE ||
	    kind == BX_SNAIVE2))
		return 0;	/* the same forecasts as on the values */
	if (tr == 1 && (kind == BX_AR24 || kind == BX_AR12S))
		return 0;	/* little over the values' ar12s, at a cost */
	switch (kind) {
	case BX_SNAIVE: case BX_AR3S: case BX_AR12S: case BX_HW:
		return nper >= 1;
	case BX_SNAIVE2:
		return nper >= 2;
	case BX_ARM:
		return nper >= 1 && m[0] > 12 && m[0] <= BASE_MAX_ARM;
	case BX_DSHW:
		return nper >= 2 && m[1] % m[0] == 0;
	default:
		return 1;
	}
}

/* The history of format 8 and before: every base kept this much. */
static int
hist_max(int h)
{
	return 2 * BASE_MAX_PERIOD + 2 + h;
}

/*
 * The history slots a base keeps, a function of what the model file holds:
 * while it looks for periods, every item so far (the autocorrelation, and
 * the replay of seasonal forecasters made when a period is found, read them
 * back), in doubling steps up to hist_max(); then as many as its
 * forecasters read back: an AR's lags at the origin t - h, snaive's
 * season, a grid's start from its longest period.  AR24: the lags counted
 * of ar24 (12 for the ar12 of a file before BASE_LAYOUT 4).
 */
static int
hist_len_ar(const struct base *b, int ar24)
{
	int L, tr, k, i, h = b->h;

	if (b->find) {
		uint64_t want = b->n + (uint64_t)h + 1, len = 32;

		while (len < want && len < (uint64_t)hist_max(h))
			len *= 2;
		return len < (uint64_t)hist_max(h) ? (int)len : hist_max(h);
	}
	L = h + 1;
	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NKIND; k++) {
			const struct bx *x = b->x[tr][k];

			if (x == NULL)
				continue;
			for (i = 0; i < x->nl; i++)
				if (x->off[i] + h + 1 > L &&
				    (k != BX_AR24 || x->off[i] < ar24))
					L = x->off[i] + h + 1;
			if (k == BX_SNAIVE && season_off(x->m1, h) + 1 > L)
				L = season_off(x->m1, h) + 1;
			if (k == BX_SNAIVE2 && season_off(x->m2, h) + 1 > L)
				L = season_off(x->m2, h) + 1;
			if (k == BX_HW && x->m1 > L)
				L = x->m1;
			if (k == BX_DSHW && x->m2 > L)
				L = x->m2;
		}
	return L;
}

/* The history of the forecasters as they are (ar24's 24 lags). */
static int
hist_len(const struct base *b)
{
	return hist_len_ar(b, 24);
}

/* Keep the history in HL slots, as many of the latest items as fit. */
static int
hist_resize(struct base *b, int hl)
{
	double *nh;
	uint64_t s, keep = b->n;
	int tr;

	if (hl == b->hl)
		return 0;
	if ((nh = calloc(2 * (size_t)hl, sizeof *nh)) == NULL)
		return -1;
	if (keep > (uint64_t)hl)
		keep = (uint64_t)hl;
	if (keep > (uint64_t)b->hl)
		keep = (uint64_t)b->hl;
	for (s = b->n - keep; s < b->n; s++)
		for (tr = 0; tr < 2; tr++)
			nh[(size_t)tr * hl + s % (uint64_t)hl] =
			    b->hist[(size_t)tr * b->hl + s % (uint64_t)b->hl];
	free(b->hist);
	b->hist = nh;
	b->hl = hl;
	return 0;
}

/*
 * Room in the autocorrelation sums for the lags of item T (0..T-1, at most
 * BASE_MAX_PERIOD), in doubling steps from 32: 0, or -1 when out of memory.
 */
static int
acf_resize(struct base *b, uint64_t t)
{
	uint64_t len = 32;
	double *p;

	while (len < t && len < BASE_MAX_PERIOD + 1)
		len *= 2;
	if (len > BASE_MAX_PERIOD + 1)
		len = BASE_MAX_PERIOD + 1;
	if (b->acf != NULL && (uint64_t)b->acfn >= len)
		return 0;
	if ((p = realloc(b->acf, len * sizeof *p)) == NULL)
		return -1;
	memset(p + b->acfn, 0, (len - (uint64_t)b->acfn) * sizeof *p);
	b->acf = p;
	b->acfn = (int)len;
	return 0;
}

static void
acf_drop(struct base *b)
{
	free(b->acf);
	b->acf = NULL;
	b->acfn = 0;
	b->acfd = 0;
}

/*
 * The sums as every layout stores them: BASE_MAX_PERIOD + 1 lags, the sum
 * of d_t, and a slot no sum uses; the lags past those held, and that slot,
 * are 0.
 */
static void
acf_ser(struct ser *s, struct base *b)
{
	double z, u = 0;
	int L, bad = 0;

	ser_f64s(s, b->acf, (size_t)b->acfn);
	for (L = b->acfn; L <= BASE_MAX_PERIOD; L++) {
		z = 0;
		ser_f64(s, &z);
		bad |= z != 0;
	}
	ser_f64(s, &b->acfd);
	ser_f64(s, &u);
	if (ser_loading(s) && (bad || u != 0))
		ser_fail(s, "base out of range");
}

struct base *
base_new(int h, int find)
{
	struct base *b = calloc(1, sizeof *b);
	int tr, k;

	if (b == NULL)
		return NULL;
	b->h = h;
	b->find = find;
	b->logok = 1;
	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NFIXED; k++)
			if (kind_fits(k, tr, 0, NULL) &&
			    (b->x[tr][k] = bx_new(k, tr, h, 0, NULL)) == NULL)
				goto fail;
	b->hl = hist_len(b);
	b->hist = calloc(2 * (size_t)b->hl, sizeof *b->hist);
	b->pend = calloc(4 * (size_t)h, sizeof *b->pend);
	if (b->hist == NULL || b->pend == NULL || (find && acf_resize(b, 0)))
		goto fail;
	b->dlv = b->pend + h;
	b->pc = b->pend + 2 * h;
	return b;
fail:
	base_free(b);
	return NULL;
}

void
base_free(struct base *b)
{
	int tr, k;

	if (b == NULL)
		return;
	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NKIND; k++)
			bx_free(b->x[tr][k]);
	free(b->hist);
	acf_drop(b);
	free(b->pend);
	free(b);
}

static double bx_push(struct base *b, struct bx *x, uint64_t t, double z,
    int present, int *oom);
static double hist_at(const struct base *b, int tr, uint64_t s);
static void bx_score(struct bx *x, uint64_t slot, double v);

/*
 * New forecasters X take the items still in the history, as if they had
 * been there from the start of it: scored, fitted and forecasting.  *OOM
 * as for bx_push().
 */
static void
replay(struct base *b, struct bx *x, int *oom)
{
	uint64_t h = (uint64_t)b->h, s, s0;
	double f;

	s0 = b->n > (uint64_t)b->hl - h ? b->n - ((uint64_t)b->hl - h) : 0;
	for (s = s0; s < b->n; s++) {
		if (s >= s0 + h)
			bx_score(x, s % h, hist_at(b, 0, s));
		f = bx_push(b, x, s, hist_at(b, x->tr, s), 1, oom);
		bx_pend(x)[s % h] = x->tr ? exp(f) : f;
	}
}

static int
set_periods(struct base *b, int nper, const double *per, int src, int rerun)
{
	struct bx *nx[2][BX_NKIND] = { { NULL } };
	int m[2], tr, k, i, oom = 0;

	for (i = 0; i < nper; i++)
		m[i] = iround(per[i]);
	for (tr = 0; tr < 2; tr++)
		for (k = BX_NFIXED; k < BX_NKIND; k++)
			if ((tr == 0 || b->logok) && kind_fits(k, tr, nper, m) &&
			    (nx[tr][k] = bx_new(k, tr, b->h, nper, m)) == NULL)
				goto fail;
	for (tr = 0; tr < 2; tr++)
		for (k = BX_NFIXED; k < BX_NKIND; k++) {
			bx_free(b->x[tr][k]);
			b->x[tr][k] = nx[tr][k];
			if (rerun && nx[tr][k] != NULL)
				replay(b, nx[tr][k], &oom);
		}
	b->nper = nper;
	for (i = 0; i < 2; i++)
		b->per[i] = i < nper ? per[i] : 0;
	b->psrc = src;
	if (src != BASE_P_DATA || nper == 2) {
		b->find = 0;
		acf_drop(b);
	}
	return hist_resize(b, hist_len(b)) != 0 || oom ? -1 : 0;
fail:
	for (tr = 0; tr < 2; tr++)
		for (k = BX_NFIXED; k < BX_NKIND; k++)
			bx_free(nx[tr][k]);
	return -1;
}

int
base_set_periods(struct base *b, int nper, const double *per, int src)
{
	return set_periods(b, nper, per, src, 1);
}

int
base_due(const struct base *b)
{
	return b->n >= (uint64_t)b->h;
}

double
base_pred(const struct base *b)
{
	return b->dlv[b->n % (uint64_t)b->h];
}

double
base_forecast(const struct base *b)
{
	return b->dlv[(b->n - 1) % (uint64_t)b->h];
}

double
base_rms(const struct base *b)
{
	return b->bn > 0 ? sqrt(b->bq / b->bn) : 0;
}

int
base_season(const struct base *b, int *m, double *xm)
{
	int p = b->nper > 0 ? iround(b->per[0]) : 0;

	/* the history holds x_{n-hl} .. x_{n-1}, n the items taken */
	if (p < 1 || (uint64_t)p > b->n || p > b->hl)
		return 0;
	*m = p;
	*xm = hist_at(b, 0, b->n - (uint64_t)p);
	return 1;
}

/* z_s of transform TR, for s <= the latest item. */
static double
hist_at(const struct base *b, int tr, uint64_t s)
{
	return b->hist[(size_t)tr * b->hl + s % (uint64_t)b->hl];
}

/* phi = (1, z_{s-o} - c for each lag offset o); 0 if a lag is before 0. */
static int
regressor(const struct base *b, const struct bx *x, uint64_t s, double *phi)
{
	const double *z = b->hist + (size_t)x->tr * b->hl;
	long k = (long)(s % (uint64_t)b->hl), j;
	int i;

	phi[0] = 1;
	for (i = 0; i < x->nl; i++) {
		if ((uint64_t)x->off[i] > s || s - (uint64_t)x->off[i] < x->t0)
			return 0;
		/* one division, then offsets within the ring (off < hl) */
		if ((j = k - x->off[i]) < 0)
			j += b->hl;
		phi[1 + i] = (z[j] - x->c) / x->sc;
	}
	return 1;
}

/*
 * P_ji for i = I..I+3 from the triangle (row i at P + RB[i]), whichever
 * half holds them: row j where i >= j, else row i's P_ij.  In a last block
 * that is not whole, the lanes past the last row read the numbers that
 * follow in the block (the next row's, or past the last row BX_RLS_PAD
 * zeros), and are dropped.
 */
static inline void
tri_col4(v4df *q, const double *P, const size_t *rb, int i, int j)
{
	const double *Rj = P + rb[j];

	if (j <= i) {
		v4df c;

		V4LOAD(c, Rj + i);
		*q = c;
	} else if (j >= i + 3) {
		v4df c = { P[rb[i] + j], P[rb[i + 1] + j], P[rb[i + 2] + j],
		    j == i + 3 ? Rj[i + 3] : P[rb[i + 3] + j] };

		*q = c;
	} else {
		v4df c = { P[rb[i] + j], j <= i + 1 ? Rj[i + 1] :
		    P[rb[i + 1] + j], Rj[i + 2], Rj[i + 3] };

		*q = c;
	}
}

/*
 * One RLS step (forgetting factor 1) on (phi, y):
 *   k = P phi / (1 + phi' P phi),  w += k (y - w' phi),
 *   P -= k k' (1 + phi' P phi).
 * P is exactly symmetric: it starts diagonal, and P_ij and P_ji each lose
 * (k_i k_j) (1 + phi' P phi), the same product, so only its upper triangle
 * is kept, row i from P_ii on at P + rb[i] (P_ij at [j], j >= i).  Each
 * element of P phi is summed over j in order, j = 0 first, the same order
 * whichever half its P_ij is read from (tri_col4()), 16 at a time in four
 * registers: four independent chains of additions in flight.  Against the
 * whole matrix read row by row, the half read across rows costs time: the
 * step takes about 1.5 times as long at n = 25 (ar24).
 */
RNNF_HOT static void
rls(struct bx *x, const double *phi, double y)
{
	double g[BX_NP], den = 1, e = y;
	double *restrict P = bx_P(x), *restrict w = bx_w(x);
	size_t rb[BX_NP], k;
	int i, j, n = x->n;
	v4df a, a1, a2, a3, p = { 0, 0, 0, 0 };

	for (i = 0, k = 0; i < n; k += (size_t)(n - i), i++)
		rb[i] = k - (size_t)i;
	for (i = 0; i + 12 < n; i += 16) {
		V4LOAD(a, P + i); V4LOAD(a1, P + i + 4);	/* row 0 */
		V4LOAD(a2, P + i + 8); V4LOAD(a3, P + i + 12);
		a *= phi[0]; a1 *= phi[0]; a2 *= phi[0]; a3 *= phi[0];
		for (j = 1; j < n; j++) {
			tri_col4(&p, P, rb, i, j);
			a += p * phi[j];
			tri_col4(&p, P, rb, i + 4, j);
			a1 += p * phi[j];
			tri_col4(&p, P, rb, i + 8, j);
			a2 += p * phi[j];
			tri_col4(&p, P, rb, i + 12, j);
			a3 += p * phi[j];
		}
		V4STORE(g + i, a); V4STORE(g + i + 4, a1);
		V4STORE(g + i + 8, a2); V4STORE(g + i + 12, a3);
	}
	for (; i + 4 < n; i += 8) {
		V4LOAD(a, P + i); V4LOAD(a1, P + i + 4);
		a *= phi[0]; a1 *= phi[0];
		for (j = 1; j < n; j++) {
			tri_col4(&p, P, rb, i, j);
			a += p * phi[j];
			tri_col4(&p, P, rb, i + 4, j);
			a1 += p * phi[j];
		}
		V4STORE(g + i, a); V4STORE(g + i + 4, a1);
	}
	for (; i < n; i += 4) {
		V4LOAD(a, P + i);
		a *= phi[0];
		for (j = 1; j < n; j++) {
			tri_col4(&p, P, rb, i, j);
			a += p * phi[j];
		}
		V4STORE(g + i, a);
	}
	for (i = 0; i < n; i++) {
		den += phi[i] * g[i];
		e -= w[i] * phi[i];
	}
	for (i = 0; i < n; i++) {
		g[i] /= den;
		w[i] += g[i] * e;
	}
	for (i = 0; i < n; i++) {
		double *restrict Ri = P + rb[i], ki = g[i];

		for (j = i; j + 4 <= n; j += 4) {
			V4LOAD(a, g + j);
			V4LOAD(p, Ri + j);
			p -= ki * a * den;
			V4STORE(Ri + j, p);
		}
		for (; j < n; j++)
			Ri[j] -= ki * g[j] * den;
	}
}

/* Grid row with the lowest |error| so far (the first of equals). */
static int
grid_best(const struct bx *x)
{
	double *xcum = bx_cum(x);
	int g, k = 0;

	for (g = 1; g < x->G; g++)
		if (xcum[g] < xcum[k])
			k = g;
	return k;
}

/* Start a Holt-Winters grid at item T from the last m1 (or m2) values. */
static void
grid_start(const struct base *b, struct bx *x, uint64_t t)
{
	int g, i, m = x->kind == BX_HW ? x->m1 : x->m2;
	double mean = 0, *d = bx_S(x);	/* row 0 as scratch, then copied */
	uint64_t s;

	for (s = t + 1 - (uint64_t)m; s <= t; s++)
		mean += hist_at(b, x->tr, s);
	mean /= m;
	if (x->kind == BX_HW) {
		for (s = t + 1 - (uint64_t)m; s <= t; s++)
			d[s % (uint64_t)m] = hist_at(b, x->tr, s) - mean;
	} else {
		int per = x->m2 / x->m1;

		for (i = 0; i < x->m1; i++)
			d[i] = 0;
		for (s = t + 1 - (uint64_t)m; s <= t; s++)
			d[s % (uint64_t)x->m1] += hist_at(b, x->tr, s) / per;
		for (i = 0; i < x->m1; i++)
			d[i] -= mean;
		for (s = t + 1 - (uint64_t)m; s <= t; s++)
			bx_W(x)[s % (uint64_t)m] = hist_at(b, x->tr, s) - mean -
			    d[s % (uint64_t)x->m1];
	}
	for (g = 0; g < x->G; g++) {
		bx_L(x)[g] = mean;
		bx_B(x)[g] = 0;
		bx_cum(x)[g] = 0;
		if (g > 0) {
			memcpy(bx_S(x) + (size_t)g * x->m1, bx_S(x),
			    (size_t)x->m1 * sizeof *bx_S(x));
			if (x->kind == BX_DSHW)
				memcpy(bx_W(x) + (size_t)g * x->m2, bx_W(x),
				    (size_t)x->m2 * sizeof *bx_W(x));
		}
	}
	x->started = 1;
	x->t0 = t;
}

/*
 * The grids' rows take z (UPD 0: the item a grid starts from, which only
 * forecasts) and forecast x_{t+h} into GP.  Row g's parameters are spelt
 * out by row, so that the loops compute no index: ses ses_a[g]; hw
 * (hw_ra[g], hw_rb[g], hw_rg[g]); dshw (ds_ra[g], ds_rd[g], ds_rw[g],
 * ds_p[g % 3]).
 */
#define X3(v) v, v, v
#define X9(v) X3(v), X3(v), X3(v)
#define X6(v) X3(v), X3(v)
#define X12(v) X6(v), X6(v)
static const double hw_ra[BASE_HW_G] = { X9(0.1), X9(0.3), X9(0.6) };
static const double hw_rb[BASE_HW_G] = { X3(0), X3(0.02), X3(0.1), X3(0),
    X3(0.02), X3(0.1), X3(0), X3(0.02), X3(0.1) };
static const double hw_rg[BASE_HW_G] = { 0.05, 0.2, 0.5, 0.05, 0.2, 0.5,
    0.05, 0.2, 0.5, 0.05, 0.2, 0.5, 0.05, 0.2, 0.5, 0.05, 0.2, 0.5,
    0.05, 0.2, 0.5, 0.05, 0.2, 0.5, 0.05, 0.2, 0.5 };
static const double ds_ra[BASE_DSHW_G] = { X12(0.01), X12(0.05), X12(0.2) };
static const double ds_rd[BASE_DSHW_G] = { X6(0.1), X6(0.3), X6(0.1),
    X6(0.3), X6(0.1), X6(0.3) };
static const double ds_rw[BASE_DSHW_G] = { X3(0.1), X3(0.3), X3(0.1),
    X3(0.3), X3(0.1), X3(0.3), X3(0.1), X3(0.3), X3(0.1), X3(0.3), X3(0.1),
    X3(0.3) };

static void
ses_rows(struct bx *x, double z, double *gp, int upd)
{
	double *xL = bx_L(x);
	int g;

	for (g = 0; g < x->G; g++) {
		if (upd)
			xL[g] += ses_a[g] * (z - xL[g]);
		gp[g] = xL[g];
	}
}

/*
 * Column I of four rows of a (G, M) array, from the row at A, and back:
 * the grids below update four rows in the lanes of a vector, each lane
 * with the very operations of the row's scalar loop, in the same order.
 */
static inline void
col4_get(v4df *v, const double *A, size_t m, size_t i)
{
	v4df c = { A[i], A[m + i], A[2 * m + i], A[3 * m + i] };

	*v = c;
}

static inline void
col4_put(double *A, size_t m, size_t i, const v4df *v)
{
	A[i] = (*v)[0];
	A[m + i] = (*v)[1];
	A[2 * m + i] = (*v)[2];
	A[3 * m + i] = (*v)[3];
}

/* i1, j1: the seasonal slots of x_t and of x_{t+h}. */
RNNF_HOT static void
hw_rows(struct bx *x, double z, double *gp, int upd, size_t i1, size_t j1,
    double h)
{
	size_t m = (size_t)x->m1;
	double *xL = bx_L(x), *xB = bx_B(x);
	double *S = bx_S(x);
	int g;

	for (g = 0; upd && g + 4 <= x->G; g += 4, S += 4 * m) {
		v4df L, B, a, be, ga, D, Ln, Sj;

		V4LOAD(L, xL + g);
		V4LOAD(B, xB + g);
		V4LOAD(a, hw_ra + g);
		V4LOAD(be, hw_rb + g);
		V4LOAD(ga, hw_rg + g);
		col4_get(&D, S, m, i1);
		Ln = a * (z - D) + (1 - a) * (L + B);
		B = be * (Ln - L) + (1 - be) * B;
		D = ga * (z - Ln) + (1 - ga) * D;
		col4_put(S, m, i1, &D);
		V4STORE(xL + g, Ln);
		V4STORE(xB + g, B);
		col4_get(&Sj, S, m, j1);	/* after the put: j1 may be i1 */
		L = Ln + h * B + Sj;
		V4STORE(gp + g, L);
	}
	for (; g < x->G; g++, S += m) {
		double L = xL[g], B = xB[g];

		if (upd) {
			double a = hw_ra[g], be = hw_rb[g], ga = hw_rg[g];
			double Ln = a * (z - S[i1]) + (1 - a) * (L + B);

			B = be * (Ln - L) + (1 - be) * B;
			S[i1] = ga * (z - Ln) + (1 - ga) * S[i1];
			L = Ln;
			xL[g] = L;
			xB[g] = B;
		}
		gp[g] = L + h * B + S[j1];
	}
}

/* i1, j1 as for hw; i2, j2 the weekly ones; php: ds_p^h. */
RNNF_HOT static void
dshw_rows(struct bx *x, double z, double *gp, int upd, size_t i1, size_t j1,
    size_t i2, size_t j2, const double *php)
{
	size_t m1 = (size_t)x->m1, m2 = (size_t)x->m2;
	double *xL = bx_L(x), *xE = bx_E(x);
	double *S = bx_S(x), *W = bx_W(x);
	int g;

	for (g = 0; upd && g + 4 <= x->G; g += 4, S += 4 * m1, W += 4 * m2) {
		v4df L, E, a, de, om, D, Wj, Sn, Wn;
		v4df ph = { php[g % 3], php[(g + 1) % 3], php[(g + 2) % 3],
		    php[(g + 3) % 3] };

		V4LOAD(L, xL + g);
		V4LOAD(a, ds_ra + g);
		V4LOAD(de, ds_rd + g);
		V4LOAD(om, ds_rw + g);
		col4_get(&D, S, m1, i1);
		col4_get(&Wj, W, m2, i2);
		E = z - (L + D + Wj);
		L = a * (z - D - Wj) + (1 - a) * L;
		Sn = de * (z - L - Wj) + (1 - de) * D;
		Wn = om * (z - L - D) + (1 - om) * Wj;
		col4_put(S, m1, i1, &Sn);
		col4_put(W, m2, i2, &Wn);
		V4STORE(xE + g, E);
		V4STORE(xL + g, L);
		col4_get(&Sn, S, m1, j1);	/* after the puts, as j may be i */
		col4_get(&Wn, W, m2, j2);
		Sn = L + Sn + Wn + ph * E;
		V4STORE(gp + g, Sn);
	}
	for (; g < x->G; g++, S += m1, W += m2) {
		double L = xL[g], E = xE[g];

		if (upd) {
			double a = ds_ra[g], de = ds_rd[g], om = ds_rw[g];
			double D = S[i1], Wj = W[i2];

			E = z - (L + D + Wj);
			L = a * (z - D - Wj) + (1 - a) * L;
			S[i1] = de * (z - L - Wj) + (1 - de) * D;
			W[i2] = om * (z - L - D) + (1 - om) * Wj;
			xE[g] = E;
			xL[g] = L;
		}
		gp[g] = L + S[j1] + W[j2] + php[g % 3] * E;
	}
}

/*
 * With h = 1, the rows' forecasts of item T, made after item T - 1, into
 * OUT: from the state, which has not changed since, by the very operations
 * that made them (hw_rows(), dshw_rows(), ses_rows(); 0 before the first
 * item, as a kept forecast was); zeros for a grid not started.
 */
static void
grid_fc(const struct bx *x, uint64_t t, double *out)
{
	const double *L, *B, *S, *W;
	size_t m1 = x->m1, m2 = x->m2, j1, j2;
	int g;

	if ((x->kind != BX_SES && !x->started) || t == 0) {
		for (g = 0; g < x->G; g++)
			out[g] = 0;
		return;
	}
	L = bx_L(x);
	B = bx_B(x);
	switch (x->kind) {
	case BX_SES:
		for (g = 0; g < x->G; g++)
			out[g] = L[g];
		break;
	case BX_HW:
		j1 = (size_t)(t % (uint64_t)m1);
		for (g = 0, S = bx_S(x); g < x->G; g++, S += m1)
			out[g] = L[g] + 1.0 * B[g] + S[j1];
		break;
	case BX_DSHW:
		j1 = (size_t)(t % (uint64_t)m1);
		j2 = (size_t)(t % (uint64_t)m2);
		for (g = 0, S = bx_S(x), W = bx_W(x); g < x->G; g++, S += m1,
		    W += m2)
			out[g] = L[g] + S[j1] + W[j2] + ds_p[g % 3] * B[g];
		break;
	}
}

/*
 * Item T (value z in the forecaster's transform) for a grid: score the
 * rows' forecasts made H items ago, update each row, forecast x_{t+h};
 * returns the chosen row's forecast.
 */
static double
grid_push(const struct base *b, struct bx *x, uint64_t t, double z,
    int present, int *oom)
{
	uint64_t h = (uint64_t)b->h, ts = t + h;
	double *gp, *xcum, php[3], fc[BX_MAXG];
	int g, upd, m = x->kind == BX_HW ? x->m1 : x->m2, fresh = 0;
	/* the seasonal slots of x_t and of x_{t+h}, once for all rows */
	size_t i1 = 0, j1 = 0, i2 = 0, j2 = 0;

	if (x->kind != BX_SES && !x->started) {
		if (t + 1 < (uint64_t)m)
			return z;
		if (lz_new(x) != 0) {
			*oom = 1;
			return z;
		}
		grid_start(b, x, t);
		fresh = 1;
	}
	gp = h == 1 ? fc : bx_gp(x) + (size_t)(t % h) * x->G;
	xcum = bx_cum(x);
	if (x->kind == BX_SES && t == 0)
		for (g = 0; g < x->G; g++)
			bx_L(x)[g] = z;
	if (!fresh && present && (x->kind == BX_SES || t >= x->t0 + h)) {
		if (h == 1)
			grid_fc(x, t, gp);
		for (g = 0; g < x->G; g++)
			xcum[g] += fabs(gp[g] - z);
	}
	upd = x->kind == BX_SES ? t > 0 : t != x->t0;
	switch (x->kind) {
	case BX_SES:
		ses_rows(x, z, gp, upd);
		break;
	case BX_HW:
		i1 = (size_t)(t % (uint64_t)x->m1);
		j1 = (size_t)(ts % (uint64_t)x->m1);
		hw_rows(x, z, gp, upd, i1, j1, (double)h);
		break;
	case BX_DSHW:
		i1 = (size_t)(t % (uint64_t)x->m1);
		j1 = (size_t)(ts % (uint64_t)x->m1);
		i2 = (size_t)(t % (uint64_t)x->m2);
		j2 = (size_t)(ts % (uint64_t)x->m2);
		for (g = 0; g < 3; g++)
			php[g] = h == 1 ? ds_p[g] : pow(ds_p[g], (double)h);
		dshw_rows(x, z, gp, upd, i1, j1, i2, j2, php);
		break;
	}
	return gp[grid_best(x)];
}

/*
 * Item T for forecaster X: update, and its forecast of x_{t+h}, transformed.
 * *OOM is set when an AR's RLS block cannot be allocated at its first fit
 * (the pair is then not fitted).
 */
static double
bx_push(struct base *b, struct bx *x, uint64_t t, double z, int present,
    int *oom)
{
	uint64_t h = (uint64_t)b->h;
	double phi[BX_NP], f;
	const double *w;
	int i;

	switch (x->kind) {
	case BX_NAIVE:
		return z;
	case BX_SNAIVE:
	case BX_SNAIVE2: {
		int m = x->kind == BX_SNAIVE ? x->m1 : x->m2;
		uint64_t o = (uint64_t)season_off(m, b->h);

		return o <= t ? hist_at(b, x->tr, t - o) : z;
	}
	case BX_SES: case BX_HW: case BX_DSHW:
		return grid_push(b, x, t, z, present, oom);
	}
	/* AR: fit z_t on the lags at origin t - h, then forecast */
	if (x->sc == 0) {
		x->c = z;
		x->sc = z != 0 ? fabs(z) : 1;
	}
	if (present && t >= h && (x->active || (t + (uint64_t)(x->kind +
	    BX_NKIND * x->tr)) % BASE_DORM_FIT == 0) &&
	    regressor(b, x, t - h, phi)) {
		if (lz_new(x) != 0)
			*oom = 1;
		else {
			rls(x, phi, (z - x->c) / x->sc);
			x->nfit += 1;
		}
	}
	if (x->nfit < 2.0 * x->n || !regressor(b, x, t, phi))
		return z;
	f = 0;
	for (i = 0, w = bx_w(x); i < x->n; i++)
		f += w[i] * phi[i];
	return x->c + x->sc * f;
}

/* Score forecaster X's forecast of x (made H items ago). */
static void
bx_score(struct bx *x, uint64_t slot, double v)
{
	double e = v - bx_pend(x)[slot];

	x->q = BASE_LAMBDA * x->q + e * e;
	x->qn = BASE_LAMBDA * x->qn + 1;
	x->qf = BASE_LAMBDA_FAST * x->qf + e * e;
	x->qfn = BASE_LAMBDA_FAST * x->qfn + 1;
	x->sae += fabs(e);
	x->sse += e * e;
	x->nsc += 1;
}

/*
 * X with discounted mean squared error V into TOP and MSE, the *NT best so
 * far in increasing order, at most CAP of them; a tie goes after.
 */
static void
rank_insert(struct bx **top, double *mse, int *nt, int cap, struct bx *x,
    double v)
{
	int i;

	for (i = *nt < cap ? (*nt)++ : cap; i > 0 && mse[i - 1] > v; i--) {
		if (i < cap) {
			mse[i] = mse[i - 1];
			top[i] = top[i - 1];
		}
	}
	if (i < cap) {
		mse[i] = v;
		top[i] = x;
	}
}

/*
 * Which forecasters are updated in full at this item: those with fewer than
 * BASE_MIN_QN scored items, and the BASE_NACTIVE with the lowest discounted
 * mean squared error (the combination's BASE_TOPK among them).  The others
 * are dormant: they still forecast and are scored every item, so that one
 * whose error falls back among the best is active again at once, but an AR
 * fits only every BASE_DORM_FIT-th pair and a grid runs its best row only.
 * A function of the scored errors alone, so a loaded model decides the same.
 */
static void
base_rank(struct base *b)
{
	struct bx *top[BASE_NACTIVE];
	double mse[BASE_NACTIVE];
	int nt = 0, tr, k, i;

	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NKIND; k++) {
			struct bx *x = b->x[tr][k];

			if (x == NULL)
				continue;
			x->active = x->qn < BASE_MIN_QN || x->nsc < BASE_DORM_N;
			if (x->active)
				continue;
			rank_insert(top, mse, &nt, BASE_NACTIVE, x, x->q / x->qn);
		}
	for (i = 0; i < nt; i++)
		top[i]->active = 1;
}

/*
 * The combination of the BASE_TOPK forecasters with the lowest squared
 * error discounted by BASE_LAMBDA, or by BASE_LAMBDA_FAST if FAST, of
 * their forecasts in slot SLOT; each one's weight into W at [tr][kind] if
 * W is not NULL (zeroed by the caller).
 */
static double
combine(const struct base *b, uint64_t slot, double naive, int fast,
    double (*w)[BX_NKIND])
{
	struct bx *top[BASE_TOPK];
	double mse[BASE_TOPK], sw = 0, f = 0;
	int nt = 0, tr, k, i;

	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NKIND; k++) {
			struct bx *x = b->x[tr][k];

			if (x == NULL)
				continue;
			if (x->qn < BASE_MIN_QN || !isfinite(bx_pend(x)[slot]))
				continue;
			rank_insert(top, mse, &nt, BASE_TOPK, x,
			    fast ? x->qf / x->qfn : x->q / x->qn);
		}
	if (nt == 0)
		return naive;
	for (i = 0; i < nt; i++)
		sw += 1 / (mse[i] + 1e-300);
	for (i = 0; i < nt; i++) {
		double wt = 1 / (mse[i] + 1e-300) / sw;

		if (w != NULL)
			w[top[i]->tr][top[i]->kind] = wt;
		f += wt * bx_pend(top[i])[slot];
	}
	return f;
}

/*
 * The weights of the latest combination, the one delivered (of the memory
 * that had erred less): all from the state, combine() again.
 */
static void
base_weights(const struct base *b, double (*w)[BX_NKIND])
{
	memset(w, 0, 2 * sizeof *w);
	if (b->n > 0)
		combine(b, (b->n - 1) % (uint64_t)b->h, 0, b->cq[1] < b->cq[0],
		    w);
}

/* r_L of the first differences from the sums, lag L. */
static double
acf_r(const struct base *b, int L)
{
	double nd = (double)b->n - 1, m = b->acfd / nd;
	double v0 = b->acf[0] / nd - m * m, vl;

	if (v0 <= 0 || nd - L < 1)
		return 0;
	vl = (L < b->acfn ? b->acf[L] : 0) / (nd - L) - m * m;
	return vl / v0;
}

/*
 * A local peak of the autocorrelation at L, above the noise, after the
 * autocorrelation has been negative at a shorter lag (a trough between:
 * a smooth series' short lags are no period).
 */
static int
acf_peak(const struct base *b, int L, double *r)
{
	double min = 3 / sqrt((double)b->n - 1);
	int j, trough = 0;

	*r = acf_r(b, L);
	if (min < BASE_ACF_MIN)
		min = BASE_ACF_MIN;
	if (!(*r > min && *r >= acf_r(b, L - 1) && *r >= acf_r(b, L + 1)))
		return 0;
	for (j = 1; j < L && !trough; j++)
		trough = acf_r(b, j) < 0;
	return trough;
}

/*
 * At the checkpoints n = 36 * 2^k: the highest peak becomes the period, or
 * replaces a period found earlier when it is higher by BASE_ACF_GAIN; a
 * multiple of the period whose peak is higher still becomes the second.
 */
static int
acf_decide(struct base *b)
{
	int L, lmax = (int)(b->n / 3), best = 0, m1;
	double r, rbest = 0, per[2];
	uint64_t c;

	for (c = 36; c < b->n; c *= 2)
		;
	if (c != b->n)
		return 0;
	if (lmax > BASE_MAX_PERIOD - 1)
		lmax = BASE_MAX_PERIOD - 1;
	for (L = 2; L <= lmax; L++)
		if (acf_peak(b, L, &r) && r > rbest)
			best = L, rbest = r;
	m1 = b->nper > 0 ? iround(b->per[0]) : 0;
	if (best != 0 && m1 != 0 && best > m1 && best % m1 == 0 &&
	    b->nper == 1) {
		per[0] = b->per[0];
		per[1] = best;
		return base_set_periods(b, 2, per, BASE_P_DATA);
	}
	if (best != 0 && best != m1 && (m1 == 0 || (best % m1 != 0 &&
	    rbest > acf_r(b, m1) + BASE_ACF_GAIN))) {
		per[0] = best;
		return base_set_periods(b, 1, per, BASE_P_DATA);
	}
	if (m1 == 0 || b->nper == 2)
		return 0;
	best = 0;
	rbest = acf_r(b, m1);
	for (L = 2 * m1; L <= lmax; L += m1)
		if (acf_peak(b, L, &r) && r > rbest)
			best = L, rbest = r;
	if (best == 0)
		return 0;
	per[0] = b->per[0];
	per[1] = best;
	return base_set_periods(b, 2, per, BASE_P_DATA);
}

/*
 * Take x_t's first difference into the autocorrelation sums: 0, or -1 when
 * out of memory.
 */
static int
acf_add(struct base *b, uint64_t t)
{
	double d, *s;
	int L;

	if (t == 0)
		return 0;
	if (acf_resize(b, t) != 0)
		return -1;
	s = b->acf;
	d = hist_at(b, 0, t) - hist_at(b, 0, t - 1);
	b->acfd += d;
	for (L = 0; L < b->acfn && (uint64_t)L < t; L++)
		s[L] += d * (hist_at(b, 0, t - L) - hist_at(b, 0, t - L - 1));
	return 0;
}

int
base_push(struct base *b, double x, int present)
{
	uint64_t t = b->n, h = (uint64_t)b->h, slot = t % h;
	double comb, e, naive, en, ec, d, se, ts;
	int tr, k, finding = b->find, oom = 0;

	if (!present)
		x = t >= h ? b->dlv[slot] : t > 0 ? hist_at(b, 0, t - 1) : 0;
	if (t >= h && present) {
		naive = hist_at(b, 0, t - h);
		for (tr = 0; tr < 2; tr++)
			for (k = 0; k < BX_NKIND; k++)
				if (b->x[tr][k] != NULL)
					bx_score(b->x[tr][k], slot, x);
		/* the gate: does the combination beat the naive forecast? */
		en = fabs(x - naive);
		ec = fabs(x - b->pend[slot]);
		d = en - ec;
		b->gn = BASE_GATE_LAMBDA * b->gn + 1;
		b->gm += (d - b->gm) / b->gn;
		b->gv += (d * d - b->gv) / b->gn;
		e = x - b->dlv[slot];
		b->bq = BASE_LAMBDA * b->bq + e * e;
		b->bn = BASE_LAMBDA * b->bn + 1;
		for (k = 0; k < 2; k++) {
			e = x - b->pc[2 * slot + (uint64_t)k];
			b->cq[k] = BASE_CHOICE_LAMBDA * b->cq[k] + e * e;
		}
	}
	if (b->logok && !(x > 0)) {
		b->logok = 0;
		for (k = 0; k < BX_NKIND; k++) {
			bx_free(b->x[1][k]);
			b->x[1][k] = NULL;
		}
	}
	b->hist[t % (uint64_t)b->hl] = x;
	b->hist[(size_t)b->hl + t % (uint64_t)b->hl] = b->logok ? log(x) : 0;
	base_rank(b);
	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NKIND; k++) {
			struct bx *bx = b->x[tr][k];
			double f;

			if (bx == NULL)
				continue;
			f = bx_push(b, bx, t, hist_at(b, tr, t), present, &oom);
			bx_pend(bx)[slot] = tr ? exp(f) : f;
		}
	/* the memory whose combination has erred less */
	k = b->cq[1] < b->cq[0];
	b->pc[2 * slot + (uint64_t)!k] = combine(b, slot, x, !k, NULL);
	comb = b->pc[2 * slot + (uint64_t)k] = combine(b, slot, x, k, NULL);
	b->pend[slot] = comb;
	se = b->gn > 1 ? sqrt(fmax(b->gv - b->gm * b->gm, 0) / b->gn) : 0;
	ts = se > 0 ? b->gm / se : b->gm > 0 ? INFINITY : 0;
	b->dlv[slot] = b->gn > 1 && ts > BASE_GATE_T ? comb : x;
	b->n++;
	if (b->find && b->acf != NULL) {
		if (acf_add(b, t) != 0 || acf_decide(b) != 0)
			return -1;
		if (b->n >= BASE_ACF_N) {
			b->find = 0;
			acf_drop(b);
		}
	}
	/* room for the next item, or the history's final size */
	if (finding && hist_resize(b, hist_len(b)) != 0)
		return -1;
	return oom ? -1 : 0;
}

int
base_info(const struct base *b, int i, struct base_info *info)
{
	double w[2][BX_NKIND];
	int tr, k;

	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NKIND; k++) {
			const struct bx *x = b->x[tr][k];

			if (x == NULL || i-- > 0)
				continue;
			info->name = tr ? log_name[k] : kind_name[k];
			info->mae = x->nsc > 0 ? x->sae / x->nsc : NAN;
			info->rmse = x->nsc > 0 ? sqrt(x->sse / x->nsc) : NAN;
			info->n = x->nsc;
			base_weights(b, w);
			info->weight = w[tr][k];
			info->bytes = x->head + bx_layout(x) * sizeof(double) +
			    (x->lz != NULL ? lz_len(x) * sizeof(double) : 0);
			return 1;
		}
	return 0;
}

/* Equal bits, or NaN both: the two halves of a P that every version made. */
static int
same_f64(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/*
 * An AR's numbers as every layout stores them: its pending forecasts (h),
 * w and the whole (n, n) P, w and P's rows padded with zeros to np (in
 * layout 1, format 6, not padded).  Every version made P symmetric (each
 * update subtracts the same k_i k_j (1 + phi' P phi) from P_ij and P_ji),
 * so a loaded P must be, and only its upper triangle is kept; the pads
 * were never read.  Before its first fit (nfit 0) an AR has no RLS block:
 * it is saved as w 0 and P AR_P0 I, and loaded without one when it is so.
 */
static void
ar_ser(struct ser *s, struct bx *x, int h, int v1)
{
	double r[BX_NP];
	int i, j, n = x->n, row = v1 ? x->n : x->np, bad = 0, init;

	ser_f64s(s, bx_pend(x), (size_t)h);
	if (ser_loading(s) && lz_new(x) != 0) {
		ser_fail_nomem(s);
		return;
	}
	if (x->lz == NULL) {	/* saving, before the first fit */
		memset(r, 0, sizeof r);
		ser_f64s(s, r, (size_t)row);
		for (i = 0; i < n; i++) {
			r[i] = AR_P0;
			ser_f64s(s, r, (size_t)row);
			r[i] = 0;
		}
		return;
	}
	ser_f64s(s, bx_w(x), (size_t)row);
	for (i = 0; i < n; i++) {
		if (!ser_loading(s))
			for (j = 0; j < row; j++)
				r[j] = j >= n ? 0 : j < i ?
				    bx_P(x)[tri_at(n, j, i)] :
				    bx_P(x)[tri_at(n, i, j)];
		ser_f64s(s, r, (size_t)row);
		if (!ser_loading(s))
			continue;
		for (j = 0; j < i; j++)
			bad |= !same_f64(r[j], bx_P(x)[tri_at(n, j, i)]);
		for (j = i; j < n; j++)
			bx_P(x)[tri_at(n, i, j)] = r[j];
	}
	if (v1)
		for (j = n; j < x->np; j++)
			bx_w(x)[j] = 0;
	if (bad)
		ser_fail(s, "base forecaster out of range");
	if (!ser_loading(s) || ser_failed(s) || x->nfit != 0)
		return;
	for (init = 1, i = 0; i < x->np && init; i++)
		init = same_f64(bx_w(x)[i], 0);
	for (i = 0; i < n && init; i++)
		for (j = i; j < n && init; j++)
			init = same_f64(bx_P(x)[tri_at(n, i, j)], i == j ?
			    AR_P0 : 0);
	if (init) {
		free(x->lz);
		x->lz = NULL;
	}
}

/*
 * The history in layouts 1 and 2 (formats 6 to 8): hist_max() slots of
 * each transform, of which the latest items that fit are kept.
 */
static void
hist_ser_v2(struct ser *s, struct base *b)
{
	size_t L = (size_t)hist_max(b->h);
	double *old = malloc(2 * L * sizeof *old);
	uint64_t i, keep = b->n < (uint64_t)b->hl ? b->n : (uint64_t)b->hl;
	int tr;

	if (old == NULL) {
		ser_fail_nomem(s);
		return;
	}
	ser_f64s(s, old, 2 * L);
	if (keep > L)
		keep = L;
	for (i = b->n - keep; i < b->n && !ser_failed(s); i++)
		for (tr = 0; tr < 2; tr++)
			b->hist[(size_t)tr * b->hl + i % (uint64_t)b->hl] =
			    old[(size_t)tr * L + i % L];
	free(old);
}

/*
 * A forecaster's counts and scores.  Before layout 5 there is no fast
 * discounted error: it starts as the slow one.
 */
static void
bx_head_ser(struct ser *s, struct bx *x, int layout, double *weight)
{
	int started = x->started;

	ser_u64(s, &x->t0);
	ser_int(s, &started);
	if (ser_loading(s) && started != 0 && started != 1)
		ser_fail(s, "base forecaster out of range");
	x->started = (unsigned char)(started != 0);
	ser_f64(s, &x->q);
	ser_f64(s, &x->qn);
	if (layout >= 5) {
		ser_f64(s, &x->qf);
		ser_f64(s, &x->qfn);
	} else if (ser_loading(s)) {
		x->qf = x->q;
		x->qfn = x->qn;
	}
	ser_f64(s, &x->sae);
	ser_f64(s, &x->sse);
	ser_f64(s, &x->nsc);
	ser_f64(s, &x->nfit);
	ser_f64(s, &x->c);
	ser_f64(s, &x->sc);
	ser_f64(s, weight);
}

/*
 * The ar12 of a file before layout 4, in the place of ar24 X: X starts
 * afresh (no scores, no fits, the P and w of bx_new()), with lags no older
 * than item T0, the oldest of the file's history; only ar12's pending
 * forecasts are kept, to be scored as X's first.
 */
static void
ar12_ser(struct ser *s, struct base *b, struct bx *x, int layout, uint64_t t0)
{
	size_t n = 13, np = 16, len = layout == 1 ? n + n * n : np + n * np;
	double *skip = malloc(len * sizeof *skip), weight;

	if (skip == NULL) {
		ser_fail_nomem(s);
		return;
	}
	bx_head_ser(s, x, layout, &weight);
	ser_f64s(s, bx_pend(x), (size_t)b->h);
	ser_f64s(s, skip, len);	/* its w and P */
	free(skip);
	if (x->t0 > b->n || x->started != 0)
		ser_fail(s, "base forecaster out of range");
	x->q = x->qn = x->qf = x->qfn = x->sae = x->sse = x->nsc = x->nfit = 0;
	free(x->lz);
	x->lz = NULL;
	x->t0 = t0;
}

/*
 * A grid as every layout stores it: pend, the rows' forecasts (h, G), then
 * its other numbers.  With h = 1 the forecasts are not kept: they are
 * saved as grid_fc() makes them again, and skipped when loaded.  A
 * Holt-Winters grid's numbers are all zero before it starts, when it has
 * no LZ (and it is loaded without one when they are).  T: the items taken.
 */
static void
grid_ser(struct ser *s, struct bx *x, uint64_t t)
{
	size_t i, n = grid_len(x);
	double z = 0, fc[BX_MAXG], *g;
	int zero, ses = x->kind == BX_SES;

	ser_f64s(s, bx_pend(x), x->h);
	if (ser_loading(s) && !ses && lz_new(x) != 0) {
		ser_fail_nomem(s);
		return;
	}
	g = ses ? bx_blk(x) + x->h : x->lz;
	if (x->h == 1) {
		if (!ser_loading(s))
			grid_fc(x, t, fc);
		ser_f64s(s, fc, x->G);
	}
	if (g == NULL) {	/* saving, before it starts */
		for (i = 0; i < n; i++)
			ser_f64(s, &z);
		return;
	}
	ser_f64s(s, g, n);
	if (!ser_loading(s) || ser_failed(s) || ses || x->started)
		return;
	for (zero = 1, i = 0; i < n && zero; i++)
		zero = same_f64(g[i], 0);
	if (zero) {
		free(x->lz);
		x->lz = NULL;
	}
}

/* WEIGHT: its weight in the latest combination, saved (not loaded). */
static void
bx_ser(struct ser *s, struct base *b, struct bx *x, int layout,
    double weight)
{
	bx_head_ser(s, x, layout, &weight);
	if (x->nl > 0)
		ar_ser(s, x, b->h, layout == 1);
	else if (x->G > 0)
		grid_ser(s, x, b->n);
	else
		ser_f64s(s, bx_blk(x), bx_layout(x));
	if (ser_loading(s) && x->t0 > b->n)
		ser_fail(s, "base forecaster out of range");
}

/*
 * The base: the horizon and periods first, checked, from which every
 * forecaster's layout follows; then the numbers.  A loaded base has the
 * forecasters its periods and log flag imply, so their presence is not
 * stored.
 */
void
base_ser(struct ser *s, struct base *b, int layout)
{
	int h = b->h, nper = b->nper, logok = b->logok, find = b->find;
	int i, tr, k, hasacf = b->acf != NULL;
	double per[2] = { b->per[0], b->per[1] }, w[2][BX_NKIND];
	uint64_t t0;

	if (layout != BASE_LAYOUT && (layout < 1 || layout > 4 ||
	    !ser_loading(s))) {
		ser_fail(s, "base layout unknown");
		return;
	}
	ser_int(s, &h);
	ser_int(s, &nper);
	ser_f64s(s, per, 2);
	ser_int(s, &b->psrc);
	ser_int(s, &find);
	ser_int(s, &logok);
	ser_int(s, &hasacf);
	ser_u64(s, &b->n);
	if (ser_loading(s)) {
		if (h != b->h || nper < 0 || nper > 2 || (logok != 0 &&
		    logok != 1) || (find != 0 && find != 1) ||
		    (hasacf != 0 && hasacf != 1) || b->psrc < BASE_P_NONE ||
		    b->psrc > BASE_P_GIVEN) {
			ser_fail(s, "base out of range");
			return;
		}
		for (i = 0; i < nper; i++)
			if (!(per[i] >= 2 && per[i] <= BASE_MAX_PERIOD)) {
				ser_fail(s, "base period out of range");
				return;
			}
		if (nper == 2 && per[1] < per[0]) {
			ser_fail(s, "base period out of range");
			return;
		}
		b->logok = logok;
		if (!logok)
			for (k = 0; k < BX_NKIND; k++) {
				bx_free(b->x[1][k]);
				b->x[1][k] = NULL;
			}
		if (set_periods(b, nper, per, b->psrc, 0) != 0) {
			ser_fail_nomem(s);
			return;
		}
		b->find = find;
		acf_drop(b);
		if (hasacf && acf_resize(b, b->n) != 0) {
			ser_fail_nomem(s);
			return;
		}
	}
	/* layout 3's history was sized to an ar12 */
	if (ser_loading(s) && hist_resize(b, layout == 3 ? hist_len_ar(b, 12) :
	    hist_len(b)) != 0) {
		ser_fail_nomem(s);
		return;
	}
	if (layout < 3)
		hist_ser_v2(s, b);
	else
		ser_f64s(s, b->hist, 2 * (size_t)b->hl);
	t0 = b->n - (b->n < (uint64_t)b->hl ? b->n : (uint64_t)b->hl);
	if (b->acf != NULL)
		acf_ser(s, b);
	ser_f64s(s, b->pend, 2 * (size_t)b->h);
	ser_f64(s, &b->gm);
	ser_f64(s, &b->gv);
	ser_f64(s, &b->gn);
	ser_f64(s, &b->bq);
	ser_f64(s, &b->bn);
	if (layout >= 5) {
		ser_f64s(s, b->pc, 2 * (size_t)b->h);
		ser_f64s(s, b->cq, 2);
	} else if (ser_loading(s)) {
		/* both memories made the file's combination; slow is chosen */
		for (i = 0; i < h; i++)
			b->pc[2 * i] = b->pc[2 * i + 1] = b->pend[i];
		b->cq[0] = b->cq[1] = 0;
	}
	/* the weights are saved, for an older reader's report, not loaded */
	base_weights(b, w);
	for (tr = 0; tr < 2; tr++)
		for (k = 0; k < BX_NKIND; k++) {
			if (b->x[tr][k] == NULL)
				continue;
			if (layout < 4 && k == BX_AR24)
				ar12_ser(s, b, b->x[tr][k], layout, t0);
			else
				bx_ser(s, b, b->x[tr][k], layout, w[tr][k]);
		}
	if (ser_loading(s) && layout == 3 && !ser_failed(s) &&
	    hist_resize(b, hist_len(b)) != 0)
		ser_fail_nomem(s);
}
