#!/bin/sh
# bench/bench.sh - what `make bench` runs: rnnfilter's speed beside its peers,
# every program pinned to one core (taskset -c CPU, CPU=1 unless told).
#
#   sh bench/bench.sh [RNNFILTER] > bench/bench.md
#
# Numeric mode reads a stream of ITEMS (100,000) real numbers, the Dow Jones
# 30 closes of data/dowjones30_long.csv repeated; the PyTorch peer
# (../shared/peers/torch_online.py, when python3-torch is installed) reads the
# first PEER_ITEMS (20,000) of it with the same cell, H, K, learning rate and
# clip.  Character mode reads a text (TEXT, Pride and Prejudice when present)
# beside min-char-rnn in numpy (on the first PEER_BYTES, 200,000).  Rates are per CPU second (user + system):
# rnnfilter the best of RUNS (3) runs; a peer one run, less a run over the
# first 200 items (2,000 bytes) to take out its start-up.  Peers that are
# absent are skipped.
#
# The arithmetic column counts the multiply-adds of the network per item
# (forward, backward through the gates, weight gradients; the AR baseline,
# parsing and output are not counted), gives them per second and against the
# FMA peak of one core as the issue states it, 16 single-precision
# multiply-adds per cycle with AVX2 FMA, and beside it the AVX-512 one.
# Both are measured, not a clock times a width (/proc/cpuinfo's MHz is not
# the clock the core runs at): bench/fmapeak.c's register-only FMA loops,
# timed by CLOCK_PROCESS_CPUTIME_ID, the best of three runs (of five each),
# multiply-adds per CPU second like every other rate here.  The clock they
# imply (the AVX2 rate over 16) gives the multiply-adds per cycle.
# ../shared/peers/gemv_peak.c, when present, is run too and printed at the
# end: it times itself by the wall clock, so on a shared core its peak is
# lower than fmapeak.c's, never higher.  Absolute rates drift 20-40% on a
# shared machine: compare the ratios of one run.
set -eu
LC_ALL=C
export LC_ALL
bin=${1:-./rnnfilter}
here=$(cd "$(dirname "$0")/.." && pwd)
items=${ITEMS:-100000}
pitems=${PEER_ITEMS:-20000}
runs=${RUNS:-3}
cpu=${CPU:-1}
py=${PYTHON3:-/usr/bin/python3}
peers=${PEERS:-$here/../shared/peers}
[ -d "$peers" ] || peers=/work/shared/peers
text=${TEXT:-$here/../shared/data/austen_pride_and_prejudice.txt}
[ -r "$text" ] || text=/work/shared/data/austen_pride_and_prejudice.txt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnfilter-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

if ! /usr/bin/time -f %U true >/dev/null 2>&1; then
	echo "bench.sh: needs GNU time as /usr/bin/time" >&2
	exit 1
fi
pin=
if command -v taskset >/dev/null 2>&1 && taskset -c "$cpu" true 2>/dev/null; then
	pin="taskset -c $cpu"
fi

# The numeric stream: one number per line.
tail -n +2 "$here/data/dowjones30_long.csv" | cut -d, -f3 >"$tmp/one"
if [ ! -s "$tmp/one" ]; then
	echo "bench.sh: no data in $here/data" >&2
	exit 1
fi
: >"$tmp/stream"
while [ "$(wc -l <"$tmp/stream")" -lt "$items" ]; do
	cat "$tmp/one" >>"$tmp/stream"
done
head -n "$items" "$tmp/stream" >"$tmp/in"
head -n "$pitems" "$tmp/stream" >"$tmp/pin"
head -n 200 "$tmp/stream" >"$tmp/p0"
if [ -r "$text" ]; then
	cp "$text" "$tmp/text"
else	# no text: this very script and the man page, repeated
	for i in 1 2 3 4 5 6 7 8; do
		cat "$0" "$here/man/rnnfilter.1"
	done >"$tmp/text"
fi
tbytes=$(wc -c <"$tmp/text")
head -c 2000 "$tmp/text" >"$tmp/t0"
pbytes=${PEER_BYTES:-200000}
head -c "$pbytes" "$tmp/text" >"$tmp/ptext"
pbytes=$(wc -c <"$tmp/ptext")

mhz=$(sed -n 's/^cpu MHz[[:space:]]*:[[:space:]]*\([0-9.]*\).*/\1/p' /proc/cpuinfo 2>/dev/null | head -1)
mhz=${mhz:-0}

# The FMA peaks, in multiply-adds per CPU second: fmapeak.c, the best of
# three pinned runs.
p256=0 p512=0
if ${CC:-cc} -O2 "$here/bench/fmapeak.c" -o "$tmp/fmapeak" 2>/dev/null; then
	for i in 1 2 3; do
		$pin "$tmp/fmapeak" 0.2 5 >>"$tmp/fma" 2>/dev/null || :
	done
	p256=$(awk '$1 == "fma256" && $2 + 0 > m { m = $2 + 0 }
	    END { printf "%.0f", m * 1e9 }' "$tmp/fma")
	p512=$(awk '$1 == "fma512" && $2 + 0 > m { m = $2 + 0 }
	    END { printf "%.0f", m * 1e9 }' "$tmp/fma")
fi
# gemv_peak.c's matrix-vector rates (and its wall-clock peak), printed at
# the end.
if [ -r "$peers/gemv_peak.c" ] && ${CC:-cc} -O3 -march=native \
    "$peers/gemv_peak.c" -o "$tmp/gemv_peak" -lm 2>/dev/null; then
	$pin "$tmp/gemv_peak" 0.3 >"$tmp/peak" 2>&1 || :
fi

# cpu INPUT CMD...: user + system CPU seconds of one pinned run of CMD.
# CPU time, not wall time: the other load on a shared machine does not count
# (the caches it disturbs still do).
cpu() {
	_in=$1
	shift
	$pin /usr/bin/time -o "$tmp/cpu" -f '%U %S' "$@" <"$_in" >/dev/null \
	    2>"$tmp/stderr" || :
	awk '{ printf "%.4f", $1 + $2 }' "$tmp/cpu"
}

# best N INPUT ARGS...: the least CPU time of N runs of rnnfilter ARGS.
best() {
	_n=$1 _in=$2
	shift 2
	_best=
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		_c=$(cpu "$_in" "$bin" "$@")
		_best=$(echo "$_c ${_best:-}" | awk '{ d = $1
		    if ($2 != "" && $2 < d) d = $2; printf "%.4f", d }')
		_i=$((_i + 1))
	done
	echo "$_best"
}

# peer N0 IN0 N1 IN1 CMD...: a peer's items per CPU second, its start-up
# taken out: (N1 - N0) items over the CPU time of IN1 less that of IN0.
peer() {
	_n0=$1 _i0=$2 _n1=$3 _i1=$4
	shift 4
	_c0=$(cpu "$_i0" "$@")
	_c1=$(cpu "$_i1" "$@")
	grep -q '/s=' "$tmp/stderr" || return 0
	echo "$_n0 $_c0 $_n1 $_c1" | awk '$4 > $2 { printf "%.1f", ($3 - $1) / ($4 - $2) }'
}

# rss INPUT ARGS...: peak RSS in kB of one run.
rss() {
	_in=$1
	shift
	$pin /usr/bin/time -o "$tmp/rss" -f %M "$@" <"$_in" >/dev/null 2>&1
	cat "$tmp/rss"
}

# madds CELL H NIN NOUT: the network's multiply-adds per item with one layer
# and T = K: the forward products, W_hh^T (and the head's W^T) back through
# every step, the weight gradients of every step.  A one-hot input costs
# lookups, not products (NIN 0).
madds() {
	echo "$1 $2 $3 $4" | awk '{
		G = ($1 == "lstm") ? 4 : ($1 == "gru") ? 3 : 1
		H = $2; nin = $3; nout = $4
		printf "%d", G * H * (nin + H) + G * H * H + G * H * (nin + H) + 3 * nout * H }'
}

torch_ok=0
if [ -r "$peers/torch_online.py" ] && "$py" -c 'import torch' 2>/dev/null; then
	torch_ok=1
fi
numpy_ok=0
if [ -r "$peers/numpy_char_rnn.py" ] && "$py" -c 'import numpy' 2>/dev/null; then
	numpy_ok=1
fi

echo "# rnnfilter bench"
echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(nproc) cores," \
    "${mhz} MHz (/proc/cpuinfo);" \
    "$(grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo AVX-512 || echo 'AVX2, no AVX-512')."
echo "Build: $("$bin" --version | head -1), $(${CC:-cc} --version 2>/dev/null | head -1)."
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Pinned: ${pin:-no (no taskset)}." \
    "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)."
echo "Numeric stream: $items items (peer: the first $pitems); text: $(basename "$text"), $tbytes bytes (peer: the first $pbytes)."
echo "Rates per CPU second (user + system): rnnfilter the best of $runs runs; a peer"
echo "one run of its stream less one of its first 200 items (2,000 bytes), which"
echo "takes its start-up out."
echo
if [ "$p256" -gt 0 ]; then
	echo "FMA peak of one core, per CPU second (bench/fmapeak.c, register-only loops,"
	echo "CLOCK_PROCESS_CPUTIME_ID, best of 15 runs of 0.2 s):" \
	    "$(echo "$p256" | awk '{ printf "%.1f", $1 / 1e9 }') G multiply-adds/s with AVX2 FMA"
	echo "(the issue's 16 a cycle: a clock of" \
	    "$(echo "$p256" | awk '{ printf "%.2f", $1 / 16e9 }') GHz);" \
	    "$(echo "$p512" | awk '$1 > 0 { printf "%.1f G with AVX-512F (%.1f a cycle at that clock)", $1 / 1e9, 16 * $1 / '"$p256"' }
	    $1 == 0 { printf "no AVX-512F" }')."
	echo "The kernels that run here: $(grep -qw avx512f /proc/cpuinfo 2>/dev/null &&
	    grep -q 'la_gemv\.arch_x86_64_v4' "$bin" 2>/dev/null && echo "the AVX-512 clones" ||
	    echo "the AVX2 clones (or the baseline)")."
else
	echo "FMA peak: not measured (bench/fmapeak.c does not build, or no AVX2 FMA)."
fi
echo
echo "| configuration | rnnfilter items/s | peer | peer items/s | ratio | madds/item | G madds/s | madds/cycle | of AVX2 FMA peak | of AVX-512 peak | peak RSS kB |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"

# The awk function that prints a row of the table.
row='function row(o, rate, ps, pr, m, r,   pk, rt, mc, cy, f2, f5) {
	pk = "-"; rt = "-"; mc = sprintf("%.2f", rate * m / 1e9)
	cy = "-"; f2 = "-"; f5 = "-"
	if (pr != "") {
		pk = sprintf("%.0f", pr); rt = sprintf("%.1fx", rate / pr)
	}
	if (p256 > 0) {
		cy = sprintf("%.1f", 16 * rate * m / p256)
		f2 = sprintf("%.0f%%", 100 * rate * m / p256)
	}
	if (p512 > 0)
		f5 = sprintf("%.0f%%", 100 * rate * m / p512)
	printf "| %s | %.0f | %s | %s | %s | %d | %s | %s | %s | %s | %s |\n", o,
	    rate, ps, pk, rt, m, mc, cy, f2, f5, r
}
'

# numeric NAME CELL H K LR [EXTRA...]
numeric() {
	_name=$1 _cell=$2 _h=$3 _k=$4 _lr=$5
	shift 5
	_t=$(best "$runs" "$tmp/in" -q --cell "$_cell" -H "$_h" -K "$_k" \
	    --optimizer adam --lr "$_lr" "$@")
	_r=$(rss "$tmp/in" "$bin" -q --cell "$_cell" -H "$_h" -K "$_k" \
	    --optimizer adam --lr "$_lr" "$@")
	_ps=- _prate=
	if [ "$torch_ok" = 1 ]; then
		_prate=$(peer 200 "$tmp/p0" "$pitems" "$tmp/pin" "$py" \
		    "$peers/torch_online.py" --cell "$_cell" --hidden "$_h" \
		    --k "$_k" --lr "$_lr" --threads 1)
		[ -z "$_prate" ] || _ps="torch_online.py"
	fi
	_m=$(madds "$_cell" "$_h" 1 1)
	echo "$_t" | awk -v n="$items" -v o="$_name" -v r="$_r" -v ps="$_ps" \
	    -v pr="$_prate" -v m="$_m" -v p256="$p256" -v p512="$p512" "$row"'{
		row(o, n / $1, ps, pr, m, r) }'
}

# The network rows run the plain network (--predict change), the work the
# peer does; the defaults row adds the base forecasters of --predict base,
# whose arithmetic the madds column does not count.
numeric "LSTM H=32 K=16 Adam" lstm 32 16 0.003 --predict change
numeric "LSTM H=128 K=16 Adam" lstm 128 16 0.003 --predict change
numeric "defaults (base + LSTM H=32 K=8 Adam 0.003)" lstm 32 8 0.003

# Character mode with its defaults, beside min-char-rnn (a plain RNN, H 100).
# (--help may wrap the default onto the option's second line)
ch=$("$bin" --help | tr '\n' ' ' | tr -s ' ' |
    sed -n 's/.*-H, --hidden N[^[]*\[[0-9]*; \([0-9]*\) with --chars\].*/\1/p')
[ -n "$ch" ] || { echo "bench.sh: no --chars default in --help" >&2; exit 1; }
t=$(best "$runs" "$tmp/text" --chars -q)
r=$(rss "$tmp/text" "$bin" --chars -q)
ps=- prate=
if [ "$numpy_ok" = 1 ]; then
	prate=$(peer 2000 "$tmp/t0" "$pbytes" "$tmp/ptext" "$py" \
	    "$peers/numpy_char_rnn.py" --quiet)
	[ -z "$prate" ] || ps="numpy_char_rnn.py (rnn H=100)"
fi
m=$(madds lstm "$ch" 0 256)
echo "$t" | awk -v n="$tbytes" -v o="--chars defaults (LSTM H=$ch), bytes/s" \
    -v r="$r" -v ps="$ps" -v pr="$prate" -v m="$m" -v p256="$p256" \
    -v p512="$p512" "$row"'{
	row(o, n / $1, ps, pr, m, r) }'

# LSTM 80, the character mode's default when issue 14 was filed (its target
# of 150,000 bytes/s is for that network).
t=$(best "$runs" "$tmp/text" --chars -q -H 80)
r=$(rss "$tmp/text" "$bin" --chars -q -H 80)
m=$(madds lstm 80 0 256)
echo "$t" | awk -v n="$tbytes" -v o="--chars -H 80, bytes/s" \
    -v r="$r" -v ps="$ps" -v pr="$prate" -v m="$m" -v p256="$p256" \
    -v p512="$p512" "$row"'{
	row(o, n / $1, ps, pr, m, r) }'

[ "$torch_ok" = 1 ] || echo "
torch_online.py skipped: no python3-torch (or no peers directory)."
[ "$numpy_ok" = 1 ] || echo "
numpy_char_rnn.py skipped: no python3-numpy (or no peers directory)."

# Memory flat in stream length; start-up.
head -n $((items / 10)) "$tmp/in" >"$tmp/in10"
head -n 1 "$tmp/in" >"$tmp/in1"
r10=$(rss "$tmp/in10" "$bin" -q)
r100=$(rss "$tmp/in" "$bin" -q)
# start-up and exit: the wall clock of 100 runs over one item, in a row,
# divided by 100 (the shell's fork and exec included, nothing else)
_t0=$(date +%s%N)
for i in $(seq 100); do
	"$bin" -q <"$tmp/in1" >/dev/null
done
_t1=$(date +%s%N)
st=$(((_t1 - _t0) / 100000))
# allocation calls, counted by tests/malloccount.so (make check builds it)
shim=${SHIM:-$(dirname "$bin")/tests/malloccount.so}
allocs() {
	rm -f "$tmp/mc"
	MALLOCCOUNT_OUT="$tmp/mc" LD_PRELOAD="$shim" "$bin" "$@" >/dev/null \
	    2>&1 || :
	cat "$tmp/mc" 2>/dev/null || echo "?"
}
echo
echo "Peak RSS with the defaults: $r10 kB for $((items / 10)) items, $r100 kB for $items."
echo "Start-up and exit, one item, the defaults: $st us wall clock (the mean of"  \
    "100 runs in a row, the shell's fork and exec included)."
if [ -r "$shim" ]; then
	a1=$(allocs -q <"$tmp/in1")
	a10=$(allocs -q <"$tmp/in10")
	a100=$(allocs -q <"$tmp/in")
	c1=$(head -c 1000 "$tmp/text" | allocs -q --chars)
	cn=$(allocs -q --chars <"$tmp/text")
	if [ "$a10" = "$a100" ] && [ "$c1" = "$cn" ] && [ "$a100" != "?" ]; then
		same="equal counts for the short and the long stream: none per item"
	else
		same="the long stream makes more: allocation on the per-item path"
	fi
	echo "Heap allocation calls (malloc, calloc, realloc, posix_memalign;" \
	    "tests/malloccount.so):" \
	    "defaults $a1 for 1 item, $a10 for $((items / 10)), $a100 for $items;" \
	    "--chars $c1 for 1000 bytes, $cn for $tbytes ($same)."
else
	echo "The allocation calls of a run do not grow with the stream (tests/alloc.test)."
fi
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)."

# The FMA loops' own lines, and the machine's matrix-vector rates.
echo
echo "bench/fmapeak.c, pinned, three runs (G multiply-adds per CPU second, then"
echo "per wall-clock second, of each run's best of five):"
echo
echo '```'
grep -v '^#' "$tmp/fma" 2>/dev/null || :
echo '```'
if [ -s "$tmp/peak" ]; then
	echo
	echo "gemv_peak.c (W of 4H x 2H, float32, -O3 -march=native), pinned; its"
	echo "fma lines are GFLOP/s (two per multiply-add) per wall-clock second:"
	echo
	echo '```'
	cat "$tmp/peak"
	echo '```'
else
	echo
	echo "gemv_peak.c skipped: absent or does not build."
fi
