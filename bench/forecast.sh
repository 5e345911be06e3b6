#!/bin/sh
# bench/forecast.sh - rnnfilter's one-step forecasts against the best simple
# online method, on the series of issue 10 and the NAB series with a clear
# period.  Its output is bench/forecast.md.
#
# usage: bench/forecast.sh [RNNFILTER [SHARED_DIR]] > bench/forecast.md
#
#   RNNFILTER   the binary to measure [./rnnfilter]
#   SHARED_DIR  the directory holding data/ and peers/forecast_baselines.py
#               [../shared beside the source tree; ../../shared, where the
#               worktrees are, if that is absent]
#   EXTRA_SERIES_OPTS  options of a second rnnfilter run per series, shown as
#               the column "rnnfilter --plain" (the network alone).  Unset:
#               "--predict change" if rnnfilter --help offers it, "--base
#               none" if it mentions --base, "--plain" if it mentions
#               --plain, else no such column.  Set and empty:
#               no such column.
#   BASELINE_PYTHON  a python3 with numpy [/usr/bin/python3]
#
# Each series is scored on items B.. of its target column (rows with an
# empty target are dropped first, as forecast_baselines.py does), the same
# items for every method.  rnnfilter runs with its defaults
# (rnnfilter -q --append -c COLUMN FILE) and its MAE is that of the
# "prediction" column against the target; a missing prediction counts as
# the naive one (the last target), as the baseline script counts a method
# that has no forecast yet.  MAE is divided by the naive forecast's MAE on
# the same items.  Every run is pinned: taskset -c 1 nice.  The NAB series
# are chosen by the rule printed with the output, from their timestamps and
# values; about 5 minutes on one core.
set -eu
LC_ALL=C
export LC_ALL
src=$(cd "$(dirname "$0")/.." && pwd)
prog=${1:-./rnnfilter}
. "$src/bench/shared.sh"
py=${BASELINE_PYTHON:-/usr/bin/python3}
base=$shared/peers/forecast_baselines.py
data=$shared/data
case $prog in */*) ;; *) prog=./$prog ;; esac

skip() {
	echo "forecast.sh: skipped: $*" >&2
	exit 0
}
[ -x "$prog" ] || { echo "forecast.sh: $prog: not an executable" >&2; exit 1; }
[ -r "$base" ] || skip "$base not found"
[ -d "$data/nab/data" ] || skip "$data/nab/data not found"
[ -x "$py" ] || skip "$py not found"
"$py" -c 'import numpy' 2>/dev/null || skip "$py has no numpy"

if command -v taskset >/dev/null 2>&1 && taskset -c 1 true 2>/dev/null; then
	pin="taskset -c 1 nice"
else
	pin="nice"
fi

if [ "${EXTRA_SERIES_OPTS+set}" = set ]; then
	plain=$EXTRA_SERIES_OPTS
elif "$prog" --help | grep -q -e '--predict base|change'; then
	plain="--predict change"
elif "$prog" --help | grep -q -e '--base'; then
	plain="--base none"
elif "$prog" --help | grep -q -e '--plain'; then
	plain="--plain"
else
	plain=
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnf-forecast.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# --- the NAB series with a clear period -------------------------------------
# Writes "name|file|column|periods|from" lines to nab.series and the
# selection table (markdown) to nab.md.
cat >"$tmp/nabsel.py" <<'EOF'
import csv, datetime, glob, os, sys
import numpy as np

root, series_out, table_out = sys.argv[1:4]
DAY = 86400.0
# the day's divisors that timecol_periods() (src/timecol.c) knows
SUBDAY = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30,
          60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800,
          3600, 7200, 10800, 14400, 21600, 28800, 43200]

def near(x, ref):
    return abs(x - ref) <= 0.03 * ref

def periods(sp):
    """timecol_periods() for sub-daily spacings: the day and the week in
    items, up to 2016; (matched spacing, periods) or (None, [])."""
    for c in SUBDAY:
        if near(sp, c):
            return c, [p for p in (DAY / c, 7 * DAY / c) if p <= 2016]
    return None, []

def strength(x, m):
    """Seasonal strength at period m (Wang, Smith and Hyndman 2006):
    1 - var(remainder) / var(detrended), from a classical decomposition
    (trend: centred moving average over m items; seasonal: the mean of the
    detrended series at each phase i mod m)."""
    c = np.cumsum(np.insert(x, 0, 0.0))
    a = (c[m:] - c[:-m]) / m
    tr = 0.5 * (a[:-1] + a[1:]) if m % 2 == 0 else a
    off = m // 2
    d = x[off:off + len(tr)] - tr
    if d.var() == 0:
        return 0.0
    ph = (np.arange(len(d)) + off) % m
    prof = np.bincount(ph, d, m) / np.bincount(ph, None, m)
    r = d - prof[ph]
    return max(0.0, 1.0 - r.var() / d.var())

def secs(s):
    t = datetime.datetime.strptime(s.strip(), "%Y-%m-%d %H:%M:%S")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()

rows_out, table = [], []
for f in sorted(glob.glob(os.path.join(root, "real*", "*.csv"))):
    rows = list(csv.reader(open(f)))[1:]
    t = np.array([secs(r[0]) for r in rows])
    x = np.array([float(r[1]) for r in rows])
    n = len(x)
    dif = t[1:] - t[:-1]
    pos = dif[dif > 0][:32]
    sp = float(np.sort(pos)[(len(pos) - 1) // 2])
    c, per = periods(sp)
    name = os.path.relpath(f, root)
    why = []
    aligned = fday = fweek = float("nan")
    if not per:
        why.append("spacing %gs is not a calendar one" % sp)
    else:
        k = np.round((t - t[0]) / c)
        aligned = float(np.mean(np.mod(k - np.arange(n), DAY / c) == 0))
        if aligned < 0.99:
            why.append("item index off the time of day")
        ms = [int(round(p)) for p in per if n >= 7 * p]
        if not ms:
            why.append("under 7 days")
        fs = {m: strength(x, m) for m in ms}
        fday = fs.get(int(round(per[0])), float("nan"))
        if len(per) > 1:
            fweek = fs.get(int(round(per[1])), float("nan"))
        if fs and max(fs.values()) < 0.5:
            why.append("seasonal strength < 0.5")
    ok = not why
    pstr = ",".join("%d" % round(p) for p in per)
    if ok:
        longest = max(p for p in per if 4 * p <= n)
        rows_out.append("%s|%s|value|%s|%d" % (
            os.path.basename(f)[:-4], f, pstr, 2 * round(longest)))
    fmt = lambda v: "-" if v != v else "%.2f" % v
    table.append("| %s | %d | %gs | %s | %s | %s | %s | %s |" % (
        name, n, sp, pstr or "-", fmt(aligned), fmt(fday), fmt(fweek),
        "yes" if ok else "no: " + "; ".join(why)))
open(series_out, "w").write("".join(r + "\n" for r in rows_out))
open(table_out, "w").write("".join(r + "\n" for r in table))
EOF
$pin "$py" "$tmp/nabsel.py" "$data/nab/data" "$tmp/nab.series" "$tmp/nab.md"

# name|file|target column|periods for the baselines|scored from item
{
	echo "nyc_taxi|$data/nab/data/realKnownCause/nyc_taxi.csv|value|48,336|672"
	echo "airpassengers|$data/airpassengers_monthly.csv|passengers_thousands|12|24"
	echo "co2 weekly|$data/co2_maunaloa_weekly_with_gaps.csv|co2_ppm|52|104"
	echo "sunspots|$data/sunspot_month.csv|sunspots||24"
	echo "msft Close|$data/msft_daily_ohlcv.csv|Close||12"
	grep -v '^nyc_taxi|' "$tmp/nab.series" || true
} >"$tmp/series"

# score COLUMN FROM < rnnfilter --append output: "items mae naive_mae"
score() {
	awk -F, -v col="$1" -v from="$2" '
	function abs(v) { return v < 0 ? -v : v }
	NR == 1 {
		for (i = 1; i <= NF; i++) {
			if ($i == col) c = i
			if ($i == "prediction") p = i
		}
		if (!c || !p) { print "no column " col " or prediction"; exit 1 }
		next
	}
	$c ~ /^[ \t]*$/ { next }
	{
		x = $c + 0
		if (t >= from) {
			f = $p ~ /^[ \t]*$/ ? prev : $p + 0
			e += abs(x - f); nv += abs(x - prev); n++
		}
		prev = x; t++
	}
	END { printf "%d %.9g %.9g\n", t, e / n, nv / n }'
}

# ratio A B: A / B to 3 decimals
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

now() {
	date +%s.%N
}

echo "# One-step forecasts: rnnfilter against the best simple online method"
echo
echo "Generated by \`bench/forecast.sh\` ($($prog --version | head -n 1)," \
	"$(date -u +%Y-%m-%d), pinned with \`$pin\`)."
echo "MAE divided by the naive forecast's MAE on the same items (lower is better),"
echo "each series scored from the item in column \"from\" (rows with an empty target"
echo "dropped first). rnnfilter: \`rnnfilter -q --append -c COLUMN FILE\`, defaults,"
echo "the \"prediction\" column; a missing prediction counts as the naive one."
echo "Simple methods: \`forecast_baselines.py FILE COLUMN [--period P] --from B\`"
echo "(shared/peers), the best of its methods on these items; its periods are in"
echo "the column \"periods\" (issue 10's for its five series, the calendar periods"
echo "of the spacing for NAB)."
if [ -n "$plain" ]; then
	echo "\"rnnfilter --plain\" is the same run with \`$plain\`."
	plainhdr=" rnnfilter --plain |"
	plainsep=" ---: |"
else
	echo "(This binary has no option for the network alone: no \"--plain\" column.)"
	plainhdr=
	plainsep=
fi
echo
echo "| series | rows | periods | from | rnnfilter |$plainhdr best simple | that method | rnnfilter / best |"
echo "| --- | ---: | --- | ---: | ---: |$plainsep ---: | --- | ---: |"

while IFS='|' read -r name file col per from; do
	echo "forecast.sh: $name" >&2
	set -- "$file" "$col" --from "$from"
	[ -z "$per" ] || set -- "$@" --period "$per"
	$pin "$py" "$base" "$@" </dev/null >"$tmp/bl"
	bnaive=$(sed -n '1s/.*naive MAE \([^ ]*\).*/\1/p' "$tmp/bl")
	read -r bname _ bmae _ <<EOF2
$(sed -n 2p "$tmp/bl")
EOF2
	$pin "$prog" -q --append -c "$col" "$file" </dev/null >"$tmp/out"
	read -r items rmae rnaive <<EOF2
$(score "$col" "$from" <"$tmp/out")
EOF2
	# the same items: both naive MAEs agree
	ok=$(awk -v a="$rnaive" -v b="$bnaive" \
	    'BEGIN { print (a - b < 1e-5 * b && b - a < 1e-5 * b) }')
	if [ "$ok" != 1 ]; then
		echo "forecast.sh: $name: naive MAE $rnaive here, $bnaive in the baselines" >&2
		exit 1
	fi
	pcol=
	if [ -n "$plain" ]; then
		# shellcheck disable=SC2086
		$pin "$prog" -q --append -c "$col" $plain "$file" </dev/null >"$tmp/out"
		read -r _ pmae pnaive <<EOF2
$(score "$col" "$from" <"$tmp/out")
EOF2
		pcol=" $(ratio "$pmae" "$pnaive") |"
	fi
	echo "| $name | $items | ${per:-none} | $from | $(ratio "$rmae" "$rnaive") |$pcol" \
	    "$(ratio "$bmae" "$bnaive") | $bname | $(ratio "$rmae" "$bmae") |"
done <"$tmp/series"

# --- speed on nyc_taxi --------------------------------------------------------
# speed FILE: "items/s (seconds)" of rnnfilter -q -c value FILE, wall clock,
# the median of 3 runs
speed() {
	: >"$tmp/secs"
	for _ in 1 2 3; do
		t0=$(now)
		$pin "$prog" -q -c value "$1" </dev/null >/dev/null
		t1=$(now)
		echo "$t0 $t1" | awk '{ printf "%.6f\n", $2 - $1 }' >>"$tmp/secs"
	done
	sort -n "$tmp/secs" | sed -n 2p |
	awk -v n="$(awk 'END { print NR - 1 }' "$1")" \
	    '{ printf "%.0f items/s (%d items in %.3f s)", n / $1, n, $1 }'
}
taxi=$data/nab/data/realKnownCause/nyc_taxi.csv
# the same rows 10 times over, to see the rate without the start-up
awk 'NR == 1' "$taxi" >"$tmp/taxi10.csv"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	awk 'NR > 1' "$taxi"
done >>"$tmp/taxi10.csv"
once=$(speed "$taxi")
ten=$(speed "$tmp/taxi10.csv")
echo
echo "Speed on nyc_taxi (\`rnnfilter -q -c value\`, defaults, wall clock, median"
echo "of 3, start-up included): $once; its rows 10 times over: $ten."

cat <<'EOF'

## The NAB series with a clear period

NAB's real series (the `artificial*` folders are synthetic test signals for
anomaly detection, not forecasting data) are taken when all of these hold:

- the spacing of their timestamps (the lower median of the first 32 positive
  differences, as `struct tspace` computes it) is a calendar spacing, whose
  periods are the day and the week in items (`timecol_periods()`: 5 min gives
  288 and 2016, 1 hour 24 and 168);
- the item index keeps the time of day: at least 99% of the rows ("aligned")
  are at the time of day that their index gives (the first row's time plus
  index x spacing, modulo a day), so that a period counted in items is the
  period in time (a missing row shifts all that follow; missing stretches
  that are not whole days, as in realTraffic, break this);
- at least 7 cycles of a period are there (a week of a daily period);
- the seasonal strength at one such period is 0.5 or more: 1 - var(remainder) /
  var(detrended series), from a classical decomposition (trend: the centred
  moving average over one period; seasonal: the mean at each phase), the
  measure of Wang, Smith and Hyndman (2006).  At 0.5 the daily (or weekly)
  profile explains as much of the detrended variance as is left over.  With k
  cycles, pure noise gets about 1/k, so 7 cycles keep noise below 0.15.

They get the baselines' `--period` from their spacing, and are scored from item
2 p, p the longest of their periods with 4 p <= rows (so that every seasonal
method has had two cycles and at least half the series is scored).  F day and
F week are the strengths ("-" where there are under 7 cycles).

| series | rows | spacing | periods | aligned | F day | F week | taken |
| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |
EOF
cat "$tmp/nab.md"
