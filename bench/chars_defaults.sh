#!/bin/sh
# bench/chars_defaults.sh - the sweep behind character mode's defaults
# (CHARS_DEFAULT_HIDDEN, CHARS_DEFAULT_BPTT in src/opts.h): bits per byte of
# one online pass over a text, and the speed in bytes per CPU second (user
# time, so that other load on the machine does not count), next to the
# general-purpose compressors and min-char-rnn.
#
#   sh bench/chars_defaults.sh ./rnnfilter [TEXT] > bench/chars_defaults.md
#   SETTINGS='lstm 16 32 0.01' sh bench/chars_defaults.sh ./rnnfilter
#
# Two runs go in parallel (JOBS=1 for one at a time).  Times drift 20-40%
# between runs on shared machines; compare rows of one table only.
set -eu
LC_ALL=C
export LC_ALL
bin=${1:?usage: chars_defaults.sh RNNFILTER [TEXT]}
text=${2:-/work/shared/data/austen_pride_and_prejudice.txt}
jobs=${JOBS:-2}
py=${PYTHON3:-/usr/bin/python3}
peer=${PEER:-/work/shared/peers/numpy_char_rnn.py}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chars-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=$(wc -c <"$text")

# cell hidden K lr [layers], one setting a line; SETTINGS replaces the list
settings=${SETTINGS:-'lstm 16 32 0.01
lstm 24 32 0.01
lstm 24 64 0.01
lstm 32 16 0.01
lstm 32 32 0.01
lstm 32 64 0.01
lstm 32 32 0.003
lstm 32 32 0.02
lstm 32 64 0.02
lstm 48 32 0.01
lstm 48 64 0.02
lstm 64 32 0.01
lstm 64 64 0.02
lstm 128 32 0.01
gru 32 32 0.01
gru 48 32 0.01
rnn 64 32 0.01
rnn 128 32 0.003'}

i=0
echo "$settings" | while read -r cell h k lr layers; do
	i=$((i + 1))
	echo "$i $cell $h $k $lr ${layers:-1}"
done >"$tmp/list"

export bin text tmp
# one line of the list: index cell hidden K lr layers
xargs -P "$jobs" -L 1 sh -c '
	/usr/bin/time -f %U -o "$tmp/$1.time" "$bin" --chars --cell "$2" \
	    --hidden "$3" --bptt "$4" --lr "$5" --layers "$6" --report \
	    --generate 1 \
	    <"$text" >/dev/null 2>"$tmp/$1.rep"' sh <"$tmp/list"

echo "# Character-mode defaults: one online pass over $(basename "$text") ($n bytes)"
echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores;" \
    "build: $("$bin" --version); $(date -u +%Y-%m-%d)."
echo "Bits per byte over every byte of the pass (the first at 8 bits);"
echo "speed in bytes per CPU second (user time), Adam, clip 5."
echo
echo "| cell | hidden | layers | K | lr | bits/byte | bytes/s (CPU) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
while read -r idx cell h k lr layers; do
	bpb=$(sed -n 's/.*bits\/byte \([0-9.]*\).*/\1/p' "$tmp/$idx.rep")
	bps=$(awk -v n="$n" '{ printf "%.0f", n / $1 }' "$tmp/$idx.time")
	echo "| $cell | $h | $layers | $k | $lr | $bpb | $bps |"
done <"$tmp/list"

echo
echo "## Baselines on the same bytes"
echo
echo "| method | bits/byte | bytes/s (CPU) |"
echo "| --- | ---: | ---: |"
sed -n 's/.*order-0 \([0-9.]*\).*/| adaptive order-0 (Laplace) | \1 | |/p' "$tmp/1.rep"
sed -n 's/.*deflate-9 \([0-9.]*\).*/| raw deflate -9 (zlib) | \1 | |/p' "$tmp/1.rep"
for c in "gzip -9" "bzip2 -9" "xz -9"; do
	/usr/bin/time -f %U -o "$tmp/c.time" $c -c <"$text" >"$tmp/c.out"
	awk -v n="$n" -v s="$(wc -c <"$tmp/c.out")" -v c="$c" \
	    -v t="$(cat "$tmp/c.time")" 'BEGIN { printf "| %s | %.3f | %s |\n",
	    c, 8 * s / n, (t > 0 ? sprintf("%.0f", n / t) : "-") }'
done
if "$py" -c 'import numpy' 2>/dev/null && [ -f "$peer" ]; then
	/usr/bin/time -f %U -o "$tmp/p.time" "$py" "$peer" --quiet <"$text" \
	    >/dev/null 2>"$tmp/p.rep"
	echo "| min-char-rnn (numpy, rnn H=100, T=25, Adagrad) | $(sed -n 's/.*mean_bits_per_byte=\([0-9.]*\).*/\1/p' "$tmp/p.rep") | $(awk -v n="$n" '{ printf "%.0f", n / $1 }' "$tmp/p.time") |"
	echo
	echo "min-char-rnn's own summary: $(tr '\n' ' ' <"$tmp/p.rep")"
fi
