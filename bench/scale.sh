#!/bin/sh
# bench/scale.sh - rnnfilter with many keys (issue 13): a keyed stream of
# KEYS series (100,000 unless told) of ITEMS (20) items each, at H = 32 with
# Adam, pinned to one core (taskset -c CPU, CPU=1 unless told) and niced.
#
#   sh bench/scale.sh [KEYS [RNNFILTER]] > bench/scale.md
#
# The stream is made here, deterministic from SEED (1): per key a daily
# series (date,key,value, the keys interleaved day by day as a collector
# writes them) of a level drawn log-uniform from 10 to 10,000, a weekly
# shape of its own amplitude and phase, a small trend and Gaussian-like
# noise, all from a Park-Miller generator in awk (the same numbers with
# any awk).  For independent keys, and for the shared network when
# `rnnfilter --help` lists an option for it (--global, or SHARED=OPTION),
# it measures
#   - items per CPU second (user + system) of a learning run without -m;
#   - its peak RSS, and the bytes per key: RSS over the keys, and the RSS
#     above that of a run of one key, over the keys;
#   - the run with -m: its peak RSS (the save's);
#   - the model file's size, per key;
#   - the load time (a --no-learn run over one row, which loads and does
#     not save) and the save time (a run over one row that loads, learns
#     it and saves, less the load), in MB/s of model file too: each the
#     faster of two runs, the file written back (sync) and read into the
#     page cache before them, so that neither waits for the disk.
# Before the KEYS run a probe at 1,000 keys (PROBE) gives the peak RSS per
# key; when KEYS would need more than MEM_MB (half of MemAvailable unless
# told), the run is made at the first of KEYS/10, KEYS/100, ... that fits,
# and the notes say so, with that run's figures scaled up to KEYS.
set -eu
LC_ALL=C
export LC_ALL
keys=${1:-100000}
bin=${2:-./rnnfilter}
here=$(cd "$(dirname "$0")/.." && pwd)
items=${ITEMS:-20}
seed=${SEED:-1}
cpu=${CPU:-1}
probe=${PROBE:-1000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnfilter-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

case $keys in
''|*[!0-9]*|0*) echo "scale.sh: KEYS '$keys' is not a positive count" >&2; exit 2 ;;
esac
if ! /usr/bin/time -f %U true >/dev/null 2>&1; then
	echo "scale.sh: needs GNU time as /usr/bin/time" >&2
	exit 1
fi
if ! "$bin" --version >/dev/null 2>&1; then
	echo "scale.sh: cannot run $bin" >&2
	exit 1
fi
pin="nice -n 10"
if command -v taskset >/dev/null 2>&1 && taskset -c "$cpu" true 2>/dev/null; then
	pin="nice -n 10 taskset -c $cpu"
fi
if [ -z "${MEM_MB:-}" ]; then
	MEM_MB=$(awk '/^MemAvailable:/ { printf "%d", $2 / 2048 }' /proc/meminfo \
	    2>/dev/null || :)
	MEM_MB=${MEM_MB:-4096}
fi
net="-q -H 32 --optimizer adam"
shared=${SHARED:-$("$bin" --help | grep -o -e '--global' | head -n 1 || :)}

# gen N FILE: the stream of N keys.
gen() {
	awk -v keys="$1" -v n="$items" -v seed="$seed" '
	function u() { x = (x * 16807) % 2147483647; return x / 2147483647 }
	BEGIN {
		x = seed % 2147483646 + 1
		for (i = 0; i < 10; i++) u()
		pi2 = 8 * atan2(1, 1)
		for (k = 0; k < keys; k++) {
			lv[k] = exp(log(10) * (1 + 3 * u()))
			am[k] = 0.05 + 0.3 * u()
			ph[k] = 7 * u()
			tr[k] = 0.01 * (u() - 0.5)
			no[k] = 0.01 + 0.05 * u()
		}
		print "date,key,value"
		for (t = 0; t < n; t++) {
			d = sprintf("2026-%02d-%02d", 1 + int(t / 28), 1 + t % 28)
			for (k = 0; k < keys; k++) {
				g = u() + u() + u() + u() - 2
				v = lv[k] * (1 + tr[k] * t + \
				    am[k] * sin(pi2 * (t + ph[k]) / 7) + no[k] * g)
				printf "%s,m%06d,%.5g\n", d, k, v
			}
		}
	}' >"$2"
}

# run NAME INPUT ARGS...: one pinned run of rnnfilter ARGS over INPUT;
# $tmp/NAME holds "elapsed user system maxrss-kB".
run() {
	_name=$1 _in=$2
	shift 2
	if ! $pin /usr/bin/time -o "$tmp/$_name" -f '%e %U %S %M' \
	    "$bin" "$@" "$_in" >/dev/null 2>"$tmp/$_name.err"; then
		echo "scale.sh: rnnfilter $* failed:" >&2
		cat "$tmp/$_name.err" >&2
		exit 1
	fi
}
# best NAME INPUT ARGS...: run twice, keep the faster in $tmp/NAME, so that
# a run that waits for the disk or the page cache does not stand for all.
best() {
	_b=$1
	shift
	run "$_b" "$@"
	mv "$tmp/$_b" "$tmp/$_b.1"
	run "$_b" "$@"
	awk 'NR == FNR { a = $0; e = $1; next } { print ($1 < e ? $0 : a) }' \
	    "$tmp/$_b.1" "$tmp/$_b" >"$tmp/$_b.2"
	mv "$tmp/$_b.2" "$tmp/$_b"
}
field() { awk -v f="$2" '{ print $f }' "$tmp/$1"; }
cpus() { awk '{ printf "%.2f", $2 + $3 }' "$tmp/$1"; }

# measure LABEL N OPTS: one configuration at N keys; prints a table row.
measure() {
	_label=$1 _n=$2 _opts=$3
	gen "$_n" "$tmp/in.csv"
	_items=$((_n * items))
	printf 'date,key,value\n2026-12-31,m000000,100\n' >"$tmp/one.csv"
	head -n 2 "$tmp/in.csv" >"$tmp/first.csv"
	# shellcheck disable=SC2086
	{
		run one "$tmp/first.csv" $net $_opts -k key
		run learn "$tmp/in.csv" $net $_opts -k key
		rm -f "$tmp/m.rnn"
		run save "$tmp/in.csv" $net $_opts -k key -m "$tmp/m.rnn"
		cp "$tmp/m.rnn" "$tmp/m0.rnn"
		# the file written back and in the page cache, for the
		# load and the save alike
		sync
		cat "$tmp/m.rnn" >/dev/null
		best load "$tmp/one.csv" $net -m "$tmp/m.rnn" --no-learn
		best resave "$tmp/one.csv" $net -m "$tmp/m.rnn"
		sync
	}
	_size=$(wc -c <"$tmp/m0.rnn" | tr -d ' ')
	echo "$_label $_n $_items $_size $(cat "$tmp/one") $(cat "$tmp/learn")" \
	    "$(cat "$tmp/save") $(cat "$tmp/load") $(cat "$tmp/resave")" |
	awk 'function rate(b, w, c) {
		return sprintf("%s / %s", w > 0 ? sprintf("%.0f", b / 1e6 / w) : "-",
		    c > 0 ? sprintf("%.0f", b / 1e6 / c) : "-")
	}
	{
		label = $1; gsub(/_/, " ", label); n = $2; it = $3; size = $4
		rss1 = $8
		lcpu = $10 + $11; lrss = $12
		scpu = $14 + $15; srss = $16
		ld = $17; ldc = $18 + $19
		# the save: a run that loads, takes one row and saves, less
		# the load (the learning runs with and without -m differ by
		# more than a save on a busy machine)
		sv = $21 - ld; if (sv < 0) sv = 0
		svc = $22 + $23 - ldc; if (svc < 0) svc = 0
		printf "| %s | %d | %d | %.0f | %.1f | %.0f | %.0f | %.1f | %.2f | %.0f | %.2f (%.2f) | %s | %.2f (%.2f) | %s |\n",
		    label, n, it, (lcpu > 0 ? it / lcpu : 0), lrss / 1024,
		    lrss * 1024 / n, (lrss - rss1) * 1024 / n, srss / 1024,
		    size / 1e6, size / n,
		    ld, ldc, rate(size, ld, ldc), sv, svc, rate(size, sv, svc)
		printf "%d %.0f %.0f %.0f %.2f %.2f\n", n, lrss, srss, size, ld,
		    sv >"/dev/stderr"
	}' 2>"$tmp/row"
}

# fit LABEL OPTS: the key count to run at: KEYS, or the first of KEYS/10,
# KEYS/100, ... that fits in MEM_MB by the probe's peak RSS per key (the
# save's); prints that count, the MiB KEYS would need, and kB per key.
fit() {
	_p=$probe
	[ "$keys" -lt "$_p" ] && _p=$keys
	gen "$_p" "$tmp/in.csv"
	rm -f "$tmp/m.rnn"
	# shellcheck disable=SC2086
	run probe "$tmp/in.csv" $net $2 -k key -m "$tmp/m.rnn"
	awk -v p="$_p" -v k="$keys" -v mem="$MEM_MB" '{
		per = $4 / p	# kB per key, the save peak
		need = per * k / 1024
		n = k
		while (n > 1 && per * n / 1024 > mem) n = int(n / 10)
		printf "%d %.0f %.1f\n", n, need, per
	}' "$tmp/probe"
}

echo "# rnnfilter with many keys"
echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(nproc) cores," \
    "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) of memory, load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Build: $("$bin" --version | head -n 1). Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Command: sh bench/scale.sh $keys; pinned: $pin; rnnfilter $net -k key."
echo "Stream: $items items per key, a daily weekly-seasonal series per key (seed $seed), the keys interleaved day by day."
echo
echo "| configuration | keys | items | items/s | peak RSS MiB | RSS B/key | above 1 key B/key | with -m: peak RSS MiB | model MB | model B/key | load s (CPU) | load MB/s wall / CPU | save s (CPU) | save MB/s wall / CPU |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
notes=
for conf in independent shared; do
	opts=
	if [ "$conf" = shared ]; then
		if [ -z "$shared" ]; then
			notes="$notes
The shared network: not available (no --global option in rnnfilter --help)."
			continue
		fi
		opts=$shared
	fi
	set -- $(fit "$conf" "$opts")
	n=$1
	if [ "$n" -lt "$keys" ]; then
		notes="$notes
$conf: $keys keys would need about $2 MiB at the save's peak ($3 kB per key at $probe keys), more than MEM_MB=$MEM_MB; measured at $n keys."
	fi
	measure "$conf${opts:+_($opts)}" "$n" "$opts"
	if [ "$n" -lt "$keys" ]; then
		notes="$notes
$(awk -v k="$keys" -v c="$conf" '{ f = k / $1
	printf "%s at %d keys, the %d-key row times %d: peak RSS %.1f GiB, with -m %.1f GiB, model file %.1f GB, load %.0f s, save %.0f s.", c, k, $1, f, $2 * f / 1048576, $3 * f / 1048576, $4 * f / 1e9, $5 * f, $6 * f }' "$tmp/row")"
	fi
done
echo
echo "Items/s per CPU second of the learning run without -m. Bytes per key: the"
echo "peak RSS over the keys, and the RSS above a run of one key over the keys."
echo "Load: a --no-learn run over one row (load, no save), start-up included;"
echo "save: a run over one row that loads the model, learns the row and saves"
echo "it (the fsync included), less the load run; each the faster of two runs, with"
echo "the file written back and in the page cache before them;"
echo "wall-clock seconds (CPU seconds in parentheses), and MB of model file per"
echo "second of each: on a busy machine a niced run waits, and the CPU figure is"
echo "the one to compare."
printf '%s\n' "$notes" | sed '/^$/d'
