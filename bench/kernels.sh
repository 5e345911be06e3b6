#!/bin/sh
# bench/kernels.sh - where an item's time goes in the network, kernel by
# kernel, and what fused multiply-adds would take off it (issue 14).
# bench/kernels.c, linked with the built librnncore.a, times each hot kernel
# of an LSTM layer alone at H = 32 and H = 128 (K = 16, Adam); then again
# with the same kernels (src/linalg.c, src/optim.c) compiled with
# -ffp-contract=fast, where the compiler fuses each product and the sum it
# feeds into one FMA: faster, but other bits than the baseline clone's,
# which has no FMA, so rnnfilter does not ship it.  rnnfilter itself is
# timed on bench/bench.sh's stream (--predict change, best of 3, user +
# system seconds) for the share of the whole item the kernels take.  All
# pinned to one core (taskset -c CPU, CPU=1 unless told).  From a built tree:
#
#   sh bench/kernels.sh > bench/kernels.md
set -eu
LC_ALL=C
export LC_ALL
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnfilter-kernels.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cpu=${CPU:-1}
pin=
command -v taskset >/dev/null 2>&1 && taskset -c "$cpu" true 2>/dev/null &&
    pin="taskset -c $cpu"
cc=${CC:-cc}
items=100000

$cc -std=c99 -O2 -I"$here/src" "$here/bench/kernels.c" ./librnncore.a -lm \
    -o "$tmp/shipped"
fma=0
if $cc -std=c99 -O3 -ffp-contract=fast -fno-trapping-math -fno-math-errno \
    -D_POSIX_C_SOURCE=200809L -I"$here/src" -c "$here/src/linalg.c" \
    -o "$tmp/linalg.o" 2>/dev/null &&
    $cc -std=c99 -O3 -ffp-contract=fast -fno-trapping-math -fno-math-errno \
    -D_POSIX_C_SOURCE=200809L -I"$here/src" -c "$here/src/optim.c" \
    -o "$tmp/optim.o" 2>/dev/null &&
    $cc -std=c99 -O2 -I"$here/src" "$here/bench/kernels.c" "$tmp/linalg.o" \
    "$tmp/optim.o" -lm -o "$tmp/fused"; then
	fma=1
fi
$cc -O2 "$here/bench/fmapeak.c" -o "$tmp/fmapeak" 2>/dev/null || :

tail -n +2 "$here/data/dowjones30_long.csv" | cut -d, -f3 >"$tmp/one"
: >"$tmp/in"
while [ "$(wc -l <"$tmp/in")" -lt "$items" ]; do
	cat "$tmp/one" >>"$tmp/in"
done
head -n "$items" "$tmp/in" >"$tmp/in2"

. "$here/bench/cpubest.sh"
# whole H: rnnfilter's ns per item, the best of three runs
whole() {
	cpu_best "$tmp/in2" --cell lstm -H "$1" -K 16 --optimizer adam \
	    --lr 0.003 --predict change |
	    awk -v n="$items" '{ printf "%.0f", $1 / n * 1e9 }'
}

peak=
[ -x "$tmp/fmapeak" ] && peak=$($pin "$tmp/fmapeak" 0.2 5 2>/dev/null |
    awk '$1 == "fma256" { print $2 }') || :

echo "# The network's kernels, one by one"
echo
echo "Build: $(./rnnfilter --version | head -n 1), $($cc --version | head -n 1)." \
    "Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Machine: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), one core${pin:+ ($pin)}." \
    "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Command: sh bench/kernels.sh (bench/kernels.c: each kernel alone, CPU time, the best of 3 x 15 runs)."
[ -n "$peak" ] && echo "AVX2 FMA peak of the core (bench/fmapeak.c): $peak G multiply-adds per CPU second."
echo
for h in 32 128; do
	# three rounds, the two builds taking turns (the host's speed drifts);
	# each kernel's best round counts
	: >"$tmp/s$h"
	: >"$tmp/f$h"
	for _r in 1 2 3; do
		$pin "$tmp/shipped" "$h" >>"$tmp/s$h"
		[ "$fma" = 0 ] || $pin "$tmp/fused" "$h" >>"$tmp/f$h"
	done
	w=$(whole "$h")
	echo "## LSTM H = $h, K = 16, Adam"
	echo
	echo "| kernel | ns a call | calls an item | ns an item | share of the item | G madds/s | of the AVX2 FMA peak | with FMA, ns an item |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk -v w="$w" -v peak="${peak:-0}" '
	FNR == 1 { f++ }
	$1 == "checksum" { next }
	f == 1 && !($1 in at) { at[$1] = ++k; n[k] = $1; ns[k] = $2; per[k] = $3; md[k] = $4 }
	f == 1 && $2 < ns[at[$1]] { ns[at[$1]] = $2 }
	f == 2 && (!($1 in fns) || $2 < fns[$1]) { fns[$1] = $2 }
	END {
		for (i = 1; i <= k; i++) {
			it = ns[i] * per[i]; tot += it
			g = md[i] > 0 ? sprintf("%.1f", md[i] / ns[i]) : "-"
			pk = md[i] > 0 && peak > 0 ? sprintf("%.0f%%", 100 * md[i] / ns[i] / peak) : "-"
			fi = (n[i] in fns) ? sprintf("%.0f", fns[n[i]] * per[i]) : "-"
			if (n[i] in fns) ftot += fns[n[i]] * per[i]
			printf "| %s | %.0f | %s | %.0f | %.0f%% | %s | %s | %s |\n", n[i], ns[i], per[i] == 1 ? "1" : "1/16", it, 100 * it / w, g, pk, fi
		}
		printf "| the six kernels | | | %.0f | %.0f%% | | | %s |\n", tot, 100 * tot / w, (ftot > 0 ? sprintf("%.0f", ftot) : "-")
		printf "| rnnfilter, the whole item | | | %.0f | 100%% | | | |\n", w
		if (ftot > 0)
			printf "\nWith FMA the six kernels would take %.0f ns off an item of %.0f: the item %.0f%% faster.\n", tot - ftot, w, 100 * (w / (w - tot + ftot) - 1)
	}' "$tmp/s$h" "$tmp/f$h"
	echo
done
