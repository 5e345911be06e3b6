#!/bin/sh
# defaults.sh - choose rnnfilter's numeric defaults by measurement.
#
# usage: bench/defaults.sh [RNNFILTER [DATADIR]] > table.md
#
# Every setting runs over every series below with seeds 1, 2 and 3; the score of
# a setting on a series is its progressive MAE (each prediction scored on the
# item it predicted, before learning from it) divided by the MAE of the naive
# last-value forecast on the same items, averaged over the seeds.  MAE is
# computed here from the --append output (the "prediction" column against the
# target column; rows with an empty target are not scored, and the naive
# forecast is the last non-empty target).  Settings are ranked by the
# geometric mean of that ratio over the series.
#
# Stage 1 is a grid: cell x hidden x K x Adam's lr.  Stage 2 varies the best
# stage-1 setting one option at a time: the other optimizers with their own
# learning rates, --predict level, --clip, two layers, a wider layer, and a
# window T = 2K.  (Each cell with the rest of the winner is in stage 1.)
# Output: a markdown table, best first, on stdout; progress on stderr.
# About 3 minutes of CPU on 2 cores (6 minutes wall on a busy machine).
set -eu
LC_ALL=C
export LC_ALL
here=$(cd "$(dirname "$0")" && pwd)
prog=${1:-./rnnfilter}
data=${2:-$here/../data}
jobs=${JOBS:-2}
seeds=${SEEDS:-"1 2 3"}
case $prog in /*) ;; *) prog=$(pwd)/$prog ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnf-defaults.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# name|file|target column
cat >"$tmp/series" <<EOF
sunspots|$data/sunspot_month.csv|sunspots
airpass|$data/airpassengers_monthly.csv|passengers_thousands
co2|$data/co2_maunaloa_weekly_with_gaps.csv|co2_ppm
msft|$data/msft_daily_ohlcv.csv|Close
ibm|$tmp/ibm.csv|close
taxi|$data/nab/realKnownCause/nyc_taxi.csv|value
ambient|$data/nab/realKnownCause/ambient_temperature_system_failure.csv|value
speed|$data/nab/realTraffic/speed_6005.csv|value
ec2cpu|$data/nab/realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv|value
EOF
# one ticker of the Dow Jones 30
awk -F, 'NR == 1 || $2 == "IBM"' "$data/dowjones30_long.csv" >"$tmp/ibm.csv"

# one job: SETTING-ID SERIES SEED OPTIONS... -> "id series seed ratio"
cat >"$tmp/job" <<'EOF'
#!/bin/sh
id=$1 name=$2 seed=$3
shift 3
line=$(grep "^$name|" "$SERIES")
file=$(echo "$line" | cut -d'|' -f2)
col=$(echo "$line" | cut -d'|' -f3)
"$PROG" -q -a --seed "$seed" -c "$col" "$@" "$file" |
awk -F, -v col="$col" -v id="$id" -v name="$name" -v seed="$seed" '
function abs(v) { return v < 0 ? -v : v }
NR == 1 {
	for (i = 1; i <= NF; i++) {
		if ($i == col) c = i
		if ($i == "prediction") p = i
	}
	next
}
$c == "" { next }
{
	if (have && $p != "") {
		e += abs($p - $c); nv += abs($c - prev); n++
	}
	prev = $c; have = 1
}
END {
	r = (n > 0 && nv > 0 && e == e) ? e / nv : 99
	if (r > 99) r = 99
	printf "%s %s %s %.6f\n", id, name, seed, r
}'
EOF
chmod +x "$tmp/job"
export PROG="$prog" SERIES="$tmp/series"

# run_settings FILE: FILE has "id|options" lines; appends to $tmp/results
run_settings() {
	while IFS='|' read -r id opts; do
		cut -d'|' -f1 "$tmp/series" | while read -r s; do
			for seed in $seeds; do
				echo "$id $s $seed $opts"
			done
		done
	done <"$1" | xargs -P "$jobs" -L 1 "$tmp/job" >>"$tmp/results"
}

# score: "id geomean ratio-per-series..." sorted best first
score() {
	awk -v series="$(cut -d'|' -f1 "$tmp/series" | tr '\n' ' ')" '
	{ sum[$1 " " $2] += $4; cnt[$1 " " $2]++; ids[$1] = 1 }
	END {
		ns = split(series, sn, " ")
		for (id in ids) {
			lg = 0; line = ""
			for (j = 1; j <= ns; j++) {
				k = id " " sn[j]
				r = sum[k] / cnt[k]
				lg += log(r); line = line sprintf(" %.3f", r)
			}
			printf "%s %.4f%s\n", id, exp(lg / ns), line
		}
	}' "$tmp/results" | sort -k2,2g
}

: >"$tmp/results"
# --- stage 1: cell x hidden x K x lr (Adam) ---
n=0
for cell in lstm gru rnn relu; do
	for H in 16 32 64; do
		for K in 8 16 32; do
			for lr in 0.003 0.01 0.03; do
				n=$((n + 1))
				echo "s$n|--cell $cell -H $H -K $K --optimizer adam --lr $lr"
			done
		done
	done
done >"$tmp/stage1"
echo "stage 1: $n settings" >&2
run_settings "$tmp/stage1"
cat "$tmp/stage1" >"$tmp/settings"

# --- stage 2: around the best of stage 1 ---
best=$(score | head -1 | cut -d' ' -f1)
bopts=$(grep "^$best|" "$tmp/settings" | cut -d'|' -f2)
echo "stage 1 best: $bopts" >&2
base=$(echo "$bopts" | sed 's/ --optimizer adam --lr [0-9.]*//')
bK=$(echo "$bopts" | awk '{ print $6 }')
{
	n=0
	for o in "sgd 0.01" "sgd 0.03" "sgd 0.1" "adagrad 0.03" "adagrad 0.1" \
	    "adagrad 0.3" "rmsprop 0.001" "rmsprop 0.003" "rmsprop 0.01"; do
		n=$((n + 1))
		echo "t$n|$base --optimizer ${o% *} --lr ${o#* }"
	done
	echo "t20|$bopts --predict level"
	echo "t21|$bopts --clip 1"
	echo "t22|$bopts --clip 0"
	echo "t23|$bopts -L 2"
	echo "t24|$(echo "$bopts" | sed 's/-H [0-9]*/-H 128/')"
	echo "t25|$bopts -T $((2 * bK))"
} >"$tmp/stage2"
echo "stage 2: $(wc -l <"$tmp/stage2") settings" >&2
run_settings "$tmp/stage2"
cat "$tmp/stage2" >>"$tmp/settings"

# --- the table ---
printf '| setting | geo. mean |'
cut -d'|' -f1 "$tmp/series" | sed 's/.*/ & |/' | tr -d '\n'
echo
printf '| --- | --- |'
cut -d'|' -f1 "$tmp/series" | sed 's/.*/ --- |/' | tr -d '\n'
echo
score | while read -r id rest; do
	opts=$(grep "^$id|" "$tmp/settings" | cut -d'|' -f2)
	echo "$rest" | awk -v o="$opts" '{
		printf "| `%s` |", o
		for (i = 1; i <= NF; i++) printf " %s |", $i
		printf "\n"
	}'
done
