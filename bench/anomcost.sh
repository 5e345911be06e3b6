#!/bin/sh
# bench/anomcost.sh - what the anomaly model costs per item against the
# whole per-item cost of rnnfilter at its defaults (issue 11: at most 10%).
# bench/anomcost.c, linked with the built librnncore.a, times anomaly_step()
# alone; rnnfilter is timed on the same kind of series (a half-hourly daily
# pattern with noise, ITEMS items, 200,000 unless told), best of three, both
# pinned to one core when taskset(1) is there.  Run from a built tree:
#
#   sh bench/anomcost.sh [ITEMS] > bench/anomcost.md
set -eu
LC_ALL=C
export LC_ALL
items=${1:-200000}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnfilter-anomcost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 1"
${CC:-cc} -std=c99 -O2 -D_GNU_SOURCE -I"$here/src" "$here/bench/anomcost.c" \
    ./librnncore.a -lm -o "$tmp/anomcost"
awk -v n="$items" 'BEGIN { srand(1); print "t,v"
	for (t = 0; t < n; t++)
		printf "%d,%.4f\n", t, 100 + 10 * sin(2 * 3.14159265358979 * t / 48) + rand() + rand() + rand() - 1.5 }' >"$tmp/in.csv"
best=
for i in 1 2 3; do
	s=$( { /usr/bin/time -f %e $pin ./rnnfilter -q "$tmp/in.csv" >/dev/null; } 2>&1 | tail -n 1)
	best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
done
an=$($pin "$tmp/anomcost" 2000000)
ns=$(echo "$an" | awk '{ print $1 }')
echo "# The anomaly model's cost per item"
echo
echo "Build: $(./rnnfilter --version | head -n 1). Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Machine: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), one core${pin:+ (taskset -c 1)}."
echo "Command: sh bench/anomcost.sh $items."
echo
awk -v s="$best" -v n="$items" -v a="$ns" 'BEGIN {
	per = s / n * 1e9
	print "| | ns per item | items/s |"
	print "| --- | ---: | ---: |"
	printf "| rnnfilter -q, defaults, %d items (best of 3) | %.0f | %.0f |\n", n, per, n / s
	printf "| anomaly_step() alone (bench/anomcost.c) | %.1f | %.0f |\n", a, 1e9 / a
	printf "\nThe anomaly model is %.1f%% of the per-item cost at the defaults;\n", 100 * a / per
	printf "without it rnnfilter would do about %.0f items/s.\n", n / s / (1 - a / per)
}'
echo
echo "anomaly_step(): $an."
