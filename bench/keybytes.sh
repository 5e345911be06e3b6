#!/bin/sh
# bench/keybytes.sh - the bytes one key of --key takes, by component
# (bench/keybytes.c, linked with the built librnnio.a and librnncore.a),
# and the peak RSS of KEYS keys (2000 unless told) of 20 items against one
# key, and of KEYS / 4 keys of 200 items, at the defaults, with independent
# keys and with --global.  Run from a built tree:
#
#   sh bench/keybytes.sh [KEYS] > bench/keybytes.md
set -eu
LC_ALL=C
export LC_ALL
keys=${1:-2000}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rnnfilter-keybytes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -std=c99 -O2 -D_GNU_SOURCE -I"$here/src" "$here/bench/keybytes.c" \
    ./librnnio.a ./librnncore.a -lz -lm -o "$tmp/keybytes"
echo "# Bytes per key of --key"
echo
echo "Build: $(./rnnfilter --version | head -n 1). Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Command: sh bench/keybytes.sh $keys (heap growth by mallinfo2, malloc's headers included; without glibc's per-thread cache, whose freed blocks mallinfo2 counts as in use)."
echo
GLIBC_TUNABLES=glibc.malloc.tcache_count=0 "$tmp/keybytes"
awk -v keys="$keys" 'BEGIN { print "date,key,value"
	for (t = 0; t < 20; t++) for (k = 0; k < keys; k++)
		printf "2026-01-%02d,k%d,%.3f\n", t + 1, k, \
		    100 + k % 7 + 3 * sin(0.9 * t + k) + 0.1 * t }' >"$tmp/in.csv"
head -n 2 "$tmp/in.csv" >"$tmp/one.csv"
rss() { /usr/bin/time -f %M ./rnnfilter -q -k key "$@" 2>&1 >/dev/null | tail -n 1; }
r1=$(rss "$tmp/one.csv")
rn=$(rss "$tmp/in.csv")
rm=$(rss -m "$tmp/m.rnn" "$tmp/in.csv")
sz=$(wc -c <"$tmp/m.rnn")
gn=$(rss --global "$tmp/in.csv")
gm=$(rss --global -m "$tmp/g.rnn" "$tmp/in.csv")
gz=$(wc -c <"$tmp/g.rnn")
echo
echo "| run | peak RSS KiB |"
echo "| --- | ---: |"
echo "| one key | $r1 |"
echo "| $keys keys | $rn |"
echo "| $keys keys, saved with -m | $rm |"
echo "| $keys keys, --global | $gn |"
echo "| $keys keys, --global, saved with -m | $gm |"
echo
per() {
	awk -v a="$r1" -v b="$2" -v c="$3" -v k="$keys" -v s="$4" -v w="$1" 'BEGIN {
	printf "%s: above one key, %.0f bytes per key; the save adds %.1f MiB;", \
	    w, (b - a) * 1024 / k, (c - b) / 1024
	printf " the model file %d bytes, %.0f per key.\n", s, s / k }'
}
per "Independent keys" "$rn" "$rm" "$sz"
echo
per "--global" "$gn" "$gm" "$gz"
# the same after more items: KEYS / 4 keys of 200 items (the forecasters
# take some of their numbers when they first need them)
k2=$((keys / 4))
awk -v keys="$k2" 'BEGIN { print "date,key,value"
	split("31 28 31 30 31 30 31 31 30 31 30 31", ml, " ")
	mo = 1; d = 1
	for (t = 0; t < 200; t++) {
		for (k = 0; k < keys; k++)
			printf "2026-%02d-%02d,k%d,%.3f\n", mo, d, k, \
			    100 + k % 7 + 3 * sin(0.9 * t + k) + 0.1 * t
		if (++d > ml[mo]) { d = 1; mo++ } } }' >"$tmp/in2.csv"
rn2=$(rss "$tmp/in2.csv")
gn2=$(rss --global "$tmp/in2.csv")
echo
echo "| run, $k2 keys of 200 items | peak RSS KiB | bytes per key above one key |"
echo "| --- | ---: | ---: |"
awk -v a="$r1" -v b="$rn2" -v c="$gn2" -v k="$k2" 'BEGIN {
	printf "| independent | %d | %.0f |\n", b, (b - a) * 1024 / k
	printf "| --global | %d | %.0f |\n", c, (c - a) * 1024 / k }'
