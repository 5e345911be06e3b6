#!/bin/sh
# mkcorpus.sh RNNFILTER - remake the seed corpora of tests/fuzz/corpus from
# the data, the findings' reproducers and the bad-input cases of the tests.
# Each seed starts with its harness's option bytes (see fuzz_*.c).  Run from
# the top of the source tree; the corpora are committed, this is how they
# were made.
set -eu
R=$1
c=tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$c"
mkdir -p "$c/numeric" "$c/chars" "$c/model" "$c/roundtrip"
i=0

# seed HARNESS OPTION-BYTES (printf format) FILE: one seed file
seed() {
	i=$((i + 1))
	{ printf "$2"; cat "$3"; } >"$c/$1/seed-$i"
}

# numeric inputs: the data's first lines, the findings, the bad inputs
n=0
for f in data/*.csv; do
	head -n 12 "$f" >"$tmp/n$n"; n=$((n + 1))
done
grep -v '^timestamp' data/nab/*/*.csv 2>/dev/null | head -n 0 >/dev/null || :
for f in $(find data/nab -name '*.csv' | sort | head -n 3); do
	head -n 10 "$f" >"$tmp/n$n"; n=$((n + 1))
done
for f in tests/findings/*.csv; do
	cp "$f" "$tmp/n$n"; n=$((n + 1))
done
for s in 'date,Close\n1,2\n2,n/a\n3,4\n' 'date,Close\n1,2\n2,nan\n' \
    'date,Close\n1,2\n2,3\n3,-inf\n' '1,2\n3,x\n' 'a,b,c\n1,2,3\n4,5,6,7\n' \
    'a,b\n1,2\n3\n' 'date,note\n2000-01-01,x\n' 'date,Close\n' \
    '\357\273\277a,b\r\n1,2\r\n3,4\r\n' 'n,v\n"a,b",1\n"say ""hi""",2\n' \
    '1e300\n2e300\n' '1\n\n2\n  3 \n0x10\n' 'k,v\na,1\nb,2\na,3\n,4\n' \
    'price,x\n5,1\n6,2\n' 'a,n,b\n5,1,x\n6,2,y\n' '1;2\n3;4\n' \
    'a\tb\n1\t2\n' '1 2\n3 4\n' 'id,v,w\nx,1,2\ny,3,4\nx,5,6\n' ''; do
	printf "$s" >"$tmp/n$n"; n=$((n + 1))
done
seq 1 20 | gzip -c >"$tmp/n$n"; n=$((n + 1))
seq 1 20 | gzip -c | head -c 30 >"$tmp/n$n"; n=$((n + 1))
j=0
while [ "$j" -lt "$n" ]; do
	# options: plain; --append jsonl, two files; --key, --inputs; horizon 2
	case $((j % 4)) in
	0) o='\000\000\000\000\000\000\200' ;;
	1) o='\105\004\006\001\001\003\100' ;;
	2) o='\011\000\006\140\002\005\200' ;;
	3) o='\201\007\001\041\224\011\060' ;;
	esac
	seed numeric "$o" "$tmp/n$j"
	j=$((j + 1))
done

# character mode: text, a binary, lines
head -c 400 README.md >"$tmp/c0"
head -c 300 tests/findings/evil.rnn >"$tmp/c1"
printf 'GET /a\nGET /b\nPOST /c\n\n\377\000x\n' >"$tmp/c2"
head -c 200 man/rnnfilter.1 >"$tmp/c3"
seed chars '\000\000\000\000' "$tmp/c0"
seed chars '\003\005\003\001' "$tmp/c1"
seed chars '\021\101\004\002' "$tmp/c2"
seed chars '\102\322\007\003' "$tmp/c3"

# round trip: numeric and character inputs, cut in two
seed roundtrip '\000\000\000\000\200' "$tmp/n0"
printf 'k,v\na,1\nb,2\na,3\nb,4\na,5\n' >"$tmp/kv0"
seed roundtrip '\010\005\031\000\100' "$tmp/kv0"
seed roundtrip '\001\001\003\000\200' "$tmp/c0"
seed roundtrip '\047\022\001\000\140' "$tmp/c2"

# models: small ones of every kind, raw (0) and as payloads (1: the bytes
# after the magic, without the crc32); the findings' crafted ones
m=0
model() {
	m=$((m + 1))
	rm -f "$tmp/m.rnn"
	"$R" -q -m "$tmp/m.rnn" "$@" >/dev/null
	{ printf '\000'; cat "$tmp/m.rnn"; } >"$c/model/model-$m-raw"
	{ printf '\001'; gzip -dc "$tmp/m.rnn" | tail -c +9 | head -c -4; } \
	    >"$c/model/model-$m-payload"
}
head -n 30 data/msft_daily_ohlcv.csv >"$tmp/msft"
printf 'k,v\na,1\nb,2\na,3\nb,4\na,5\n' >"$tmp/kv"
head -c 60 README.md >"$tmp/text"
model -H 2 -K 2 --ar-order 1 --cell rnn "$tmp/msft"
model -H 2 -K 2 -T 3 --horizon 2 --ar-order 0 --cell gru -c Close -i Open,Volume "$tmp/msft"
model -H 1 -L 2 -K 1 --ar-order 2 --predict level "$tmp/kv" --key k
model -H 1 -K 2 --cell rnn --optimizer sgd --chars --per-line "$tmp/text"
model -H 1 -K 1 --cell gru --optimizer sgd --chars "$tmp/text"
for f in tests/findings/*.rnn; do
	m=$((m + 1))
	{ printf '\000'; cat "$f"; } >"$c/model/finding-$m-raw"
	{ printf '\001'; gzip -dc "$f" | tail -c +9 | head -c -4; } \
	    >"$c/model/finding-$m-payload"
done
du -sh "$c"
