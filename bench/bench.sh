#!/bin/sh
# bench/bench.sh - what `make bench` runs: the speed and memory of numeric
# mode on a 100,000-item stream of real data (the Dow Jones 30 closes of
# data/dowjones30_long.csv, from the start again until 100,000 rows; the
# sunspot series if that file is absent).  Wall clock, best of 3, and the
# peak resident set size.
#
#   sh bench/bench.sh [RNNFILTER]
set -eu
LC_ALL=C
export LC_ALL
bin=${1:-./rnnfilter}
here=$(cd "$(dirname "$0")/.." && pwd)
items=${ITEMS:-100000}
runs=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnfilter-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The stream: one number per line.
if [ -r "$here/data/dowjones30_long.csv" ]; then
	src="dowjones30_long.csv, close"
	tail -n +2 "$here/data/dowjones30_long.csv" | cut -d, -f3 >"$tmp/one"
else
	src="sunspot_month.csv, sunspots"
	tail -n +2 "$here/data/sunspot_month.csv" | cut -d, -f3 >"$tmp/one"
fi
if [ ! -s "$tmp/one" ]; then
	echo "bench.sh: no data in $here/data" >&2
	exit 1
fi
: >"$tmp/stream"
while [ "$(wc -l <"$tmp/stream")" -lt "$items" ]; do
	cat "$tmp/one" >>"$tmp/stream"
done
head -n "$items" "$tmp/stream" >"$tmp/in"

# now: seconds since the epoch, with nanoseconds where date(1) has them.
now() {
	date +%s.%N
}

# peak_kb ARGS...: the peak RSS in kB of one run of rnnfilter ARGS.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	peak_kb() {
		/usr/bin/time -o "$tmp/rss" -f %M "$bin" "$@" <"$tmp/in" >/dev/null
		cat "$tmp/rss"
	}
elif [ -r /proc/self/status ]; then
	# VmHWM, read while rnnfilter has had all its input but not its end
	peak_kb() {
		rm -f "$tmp/fifo"
		mkfifo "$tmp/fifo"
		"$bin" "$@" <"$tmp/fifo" >/dev/null &
		exec 3>"$tmp/fifo"
		cat "$tmp/in" >&3
		head -n 20000 "$tmp/in" >&3	# pushes the rest through the pipe
		sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$!/status"
		exec 3>&-
		wait $!
	}
else
	peak_kb() {
		echo n/a
	}
fi

echo "rnnfilter bench: $items items of $src; best of $runs runs"
echo
printf '%-34s %12s %10s %12s\n' "options" "items/s" "seconds" "peak RSS kB"
for opts in "--cell rnn -H 32 -K 16 -q" "--cell gru -H 32 -K 16 -q" \
    "--cell lstm -H 32 -K 16 -q" "-q" "-H 64 -q" "--cell rnn -H 8 -K 4 -q"; do
	best=
	i=0
	while [ "$i" -lt "$runs" ]; do
		t0=$(now)
		# shellcheck disable=SC2086
		"$bin" $opts <"$tmp/in" >/dev/null
		t1=$(now)
		best=$(echo "$t0 $t1 ${best:-}" | awk '{ d = $2 - $1
		    if ($3 == "" || d < $3) d = d; else d = $3; printf "%.4f", d }')
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	rss=$(peak_kb $opts)
	label=$opts
	[ "$opts" != "-q" ] || label="-q (the defaults: lstm -H 32)"
	echo "$best" | awk -v n="$items" -v o="$label" -v r="$rss" \
	    '{ printf "%-34s %12.0f %10.3f %12s\n", o, n / $1, $1, r }'
done
