#!/bin/sh
# bench/anomcost.sh - what the anomaly model costs per item against the
# whole per-item cost of rnnfilter at its defaults (issue 11: at most 10%).
# bench/anomcost.c, linked with the built librnncore.a, times anomaly_step()
# alone; rnnfilter is timed on the same kind of series (a half-hourly daily
# pattern with noise, ITEMS items, 200,000 unless told), best of three, both
# pinned to one core (taskset -c CPU, CPU=1 unless told) when taskset(1) is
# there.  Run from a built tree:
#
#   sh bench/anomcost.sh [ITEMS] > bench/anomcost.md
set -eu
LC_ALL=C
export LC_ALL
items=${1:-200000}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnfilter-anomcost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cpu=${CPU:-1}
pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c $cpu"
${CC:-cc} -std=c99 -O2 -D_GNU_SOURCE -I"$here/src" "$here/bench/anomcost.c" \
    ./librnncore.a -lm -o "$tmp/anomcost"
awk -v n="$items" 'BEGIN { srand(1); print "t,v"
	for (t = 0; t < n; t++)
		printf "%d,%.4f\n", t, 100 + 10 * sin(2 * 3.14159265358979 * t / 48) + rand() + rand() + rand() - 1.5 }' >"$tmp/in.csv"
. "$here/bench/cpubest.sh"
best=$(cpu_best "$tmp/in.csv")
plain=$(cpu_best "$tmp/in.csv" --predict change -H 32 -K 16)
an=$($pin "$tmp/anomcost" 2000000)
ns=$(echo "$an" | awk '{ print $1 }')
an0=$($pin "$tmp/anomcost" 2000000 0)
ns0=$(echo "$an0" | awk '{ print $1 }')
echo "# The anomaly model's cost per item"
echo
echo "Build: $(./rnnfilter --version | head -n 1). Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Machine: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), one core${pin:+ ($pin)}."
echo "Command: sh bench/anomcost.sh $items."
echo
awk -v s="$best" -v p="$plain" -v n="$items" -v a="$ns" -v a0="$ns0" 'BEGIN {
	per = s / n * 1e9
	pp = p / n * 1e9
	print "| | ns per item | items/s | share of the anomaly model |"
	print "| --- | ---: | ---: | ---: |"
	printf "| rnnfilter -q, defaults | %.0f | %.0f | %.1f%% |\n", per, n / s, 100 * a / per
	printf "| rnnfilter -q --predict change -H 32 -K 16 (the plain network, the cheapest row of bench/bench.md; no period, so p5 off) | %.0f | %.0f | %.1f%% |\n", pp, n / p, 100 * a0 / pp
	printf "| anomaly_step() alone, p5 on (bench/anomcost.c) | %.1f | %.0f | |\n", a, 1e9 / a
	printf "| anomaly_step() alone, p5 off | %.1f | %.0f | |\n", a0, 1e9 / a0
	printf "\nrnnfilter: %d items, the best of 3 runs, user + system seconds. Without the\n", n
	printf "anomaly model the defaults would do about %.0f items/s.\n", n / s / (1 - a / per)
}'
echo
echo "anomaly_step(), p5 on: $an; p5 off: $an0."
