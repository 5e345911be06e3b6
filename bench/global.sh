#!/bin/sh
# bench/global.sh - --global (one network learned from all keys) against
# independent keys (one network per key) and against one run per series, on
# the Dow Jones 30 (one keyed file) and on NAB's 58 files as one keyed
# stream.  Its output is bench/global.md.
#
# usage: bench/global.sh [RNNFILTER [SHARED_DIR]] > bench/global.md
#
#   RNNFILTER   the binary to measure [./rnnfilter]
#   SHARED_DIR  the directory holding data/ [../shared beside the source
#               tree; ../../shared, where the worktrees are, if absent]
#
# Each run is rnnfilter -q -a -k KEY [--global] with the defaults (and once
# more with --predict change, the network alone, where the network is all
# there is to share).  Per key, MAE over the key's items from its second on
# (a missing prediction counts as the naive one, the key's last value, as
# bench/forecast.sh counts it), divided by the naive forecast's MAE on the
# same items.  NAB's files are keyed by their path under data/, in two
# orders: one file after the other (sorted by path), and round-robin (the
# i-th row of every file, then the i+1-th).  One run per series is the
# same as independent keys, row for row (rnnfilter(1), Keys and shards):
# the script checks it on the files, so no third column.  Every run is
# pinned: taskset -c 1 nice.  About 5 minutes of CPU.
set -eu
LC_ALL=C
export LC_ALL
src=$(cd "$(dirname "$0")/.." && pwd)
prog=${1:-./rnnfilter}
. "$src/bench/shared.sh"
data=$shared/data
case $prog in */*) ;; *) prog=./$prog ;; esac
[ -x "$prog" ] || { echo "global.sh: $prog: not an executable" >&2; exit 1; }
if command -v taskset >/dev/null 2>&1 && taskset -c 1 true 2>/dev/null; then
	pin="taskset -c 1 nice"
else
	pin="nice"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnf-global.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# NAB as one keyed stream: file,timestamp,value
(cd "$data/nab/data" && find . -name '*.csv' | sed 's|^\./||' | sort) \
    >"$tmp/nabfiles"
{
	echo "file,timestamp,value"
	while read -r f; do
		awk -v f="$f" 'NR > 1 { print f "," $0 }' "$data/nab/data/$f"
	done <"$tmp/nabfiles"
} >"$tmp/nab_seq.csv"
awk -F, 'NR == 1 { print; next }
	{ n[$1]++; row[$1, n[$1]] = $0; if (n[$1] == 1) order[++nf] = $1
	  if (n[$1] > max) max = n[$1] }
	END { for (i = 1; i <= max; i++) for (j = 1; j <= nf; j++)
		if ((order[j], i) in row) print row[order[j], i] }' \
    "$tmp/nab_seq.csv" >"$tmp/nab_rr.csv"

# score KEYCOL TARGETCOL < rnnfilter -a output: one line per key,
# "key items mae naive_mae"
score() {
	awk -F, -v kc="$1" -v col="$2" '
	function abs(v) { return v < 0 ? -v : v }
	NR == 1 {
		for (i = 1; i <= NF; i++) {
			if ($i == col) c = i
			if ($i == kc) k = i
			if ($i == "prediction") p = i
		}
		next
	}
	$c ~ /^[ \t]*$/ { next }
	{
		key = $k; x = $c + 0
		if (key in prev) {
			f = $p ~ /^[ \t]*$/ ? prev[key] : $p + 0
			e[key] += abs(x - f); nv[key] += abs(x - prev[key])
			n[key]++
		} else
			order[++nk] = key
		prev[key] = x
	}
	END {
		for (i = 1; i <= nk; i++) {
			key = order[i]
			printf "%s %d %.9g %.9g\n", key, n[key], e[key] / n[key],
			    nv[key] / n[key]
		}
	}'
}

# run NAME FILE KEYCOL TARGET OPTS...: time, peak RSS and per-key scores
run() {
	name=$1 file=$2 kc=$3 col=$4
	shift 4
	/usr/bin/time -f '%U %S %M' -o "$tmp/$name.time" $pin "$prog" -q -a \
	    -k "$kc" -c "$col" "$@" -m "$tmp/$name.rnn" "$file" \
	    >"$tmp/$name.out"
	score "$kc" "$col" <"$tmp/$name.out" >"$tmp/$name.score"
}

# summary IND GLOBAL ITEMS: the table row's numbers
summary() {
	paste -d ' ' "$tmp/$1.score" "$tmp/$2.score" | awk \
	    -v ti="$(awk '{ print $1 + $2 }' "$tmp/$1.time")" \
	    -v tg="$(awk '{ print $1 + $2 }' "$tmp/$2.time")" \
	    -v ri="$(cut -d ' ' -f 3 "$tmp/$1.time")" \
	    -v rg="$(cut -d ' ' -f 3 "$tmp/$2.time")" \
	    -v si="$(wc -c <"$tmp/$1.rnn")" -v sg="$(wc -c <"$tmp/$2.rnn")" \
	    -v items="$3" '
	function ratio(a, b) { return b > 0 ? a / b : 1 }
	{
		if ($1 != $5) { print "keys differ: " $1 " " $5; exit 1 }
		a = ratio($3, $4); b = ratio($7, $8)
		si_ += a; sg_ += b; lgi += log(a); lgg += log(b); k++
		ei += $2 * $3; eg += $6 * $7; en += $2 * $4
		if (b < a) w++
	}
	END {
		printf "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d of %d |",
		    k, si_ / k, sg_ / k, exp(lgi / k), exp(lgg / k),
		    ei / en, eg / en, w, k
		printf " %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n",
		    items / ti, items / tg, ri, rg, si / k, sg / k
	}'
}

dj=$data/dowjones30_long.csv
djn=$(($(wc -l <"$dj") - 1))
nabn=$(($(wc -l <"$tmp/nab_seq.csv") - 1))

# one run per NAB file against independent keys, row for row (its output
# line is the -a row's forecast, the prediction of the next item)
run nab_seq_ind "$tmp/nab_seq.csv" file value
: >"$tmp/perfile"
while read -r f; do
	$pin "$prog" -q "$data/nab/data/$f" >>"$tmp/perfile"
done <"$tmp/nabfiles"
cut -d, -f5 "$tmp/nab_seq_ind.out" | tail -n +2 >"$tmp/keyed.pred"
if cmp -s "$tmp/perfile" "$tmp/keyed.pred"; then
	same="equal, row for row"
else
	same="NOT equal"
fi

# --global at the default rate, and at a tenth of it (--lr 0.0003): the
# one network takes an update per key's window, as many more as keys
lr=0.0003
for p in base change; do
	run dj_ind_$p "$dj" ticker close --predict $p
	run dj_glob_$p "$dj" ticker close --predict $p --global
	run dj_glr_$p "$dj" ticker close --predict $p --global --lr $lr
	for o in seq rr; do
		[ "$o$p" = seqbase ] ||
			run nab_${o}_ind_$p "$tmp/nab_$o.csv" file value --predict $p
		run nab_${o}_glob_$p "$tmp/nab_$o.csv" file value --predict $p \
		    --global
		run nab_${o}_glr_$p "$tmp/nab_$o.csv" file value --predict $p \
		    --global --lr $lr
	done
done
mv "$tmp/nab_seq_ind.score" "$tmp/nab_seq_ind_base.score"
mv "$tmp/nab_seq_ind.time" "$tmp/nab_seq_ind_base.time"
mv "$tmp/nab_seq_ind.rnn" "$tmp/nab_seq_ind_base.rnn"

echo "# --global: one network for all keys, against independent keys"
echo
echo "Build: $("$prog" --version | head -n 1). Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Command: \`sh bench/global.sh > bench/global.md\` (load average" \
    "$(cut -d ' ' -f 1 /proc/loadavg) at the end)."
echo
echo "Per key: MAE / naive MAE over its items from the second, a missing"
echo "prediction counted as the naive one.  Columns: the number of keys; the"
echo "mean and the geometric mean over keys of that ratio, independent keys"
echo "(ind) and --global (glob); the pooled ratio (all keys' absolute errors"
echo "over all their naive errors, dominated by the keys of large values);"
echo "the keys where --global has the lower ratio; items per CPU second"
echo "(user + system) of the run (\`taskset -c 1 nice\`, with -m, the save"
echo "included); peak RSS in KiB;"
echo "model file bytes per key."
echo
echo "Dow Jones: data/dowjones30_long.csv, $djn rows, \`-k ticker -c close\`.  NAB: the 58 files"
echo "of data/nab/data as one stream of $nabn rows keyed by the file's path,"
echo "\`-k file -c value\`, one file after the other (seq) or round-robin (rr)."
echo "One run per NAB file and the keyed run with independent keys are $same."
echo
echo "| stream | --predict | --global with | keys | mean ind | mean glob |" \
    "geo ind | geo glob | pooled ind | pooled glob | glob better |" \
    "items/s ind | items/s glob | RSS ind | RSS glob | file B/key ind |" \
    "file B/key glob |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" \
    "---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for p in base change; do
	for g in glob glr; do
		w="defaults"
		[ $g = glr ] && w="--lr $lr"
		echo "| dowjones30 | $p | $w $(summary dj_ind_$p dj_${g}_$p "$djn")"
		for o in seq rr; do
			ind=nab_${o}_ind_$p
			[ "$o$p" = seqbase ] && ind=nab_seq_ind_base
			echo "| nab $o | $p | $w $(summary "$ind" nab_${o}_${g}_$p \
			    "$nabn")"
		done
	done
done
