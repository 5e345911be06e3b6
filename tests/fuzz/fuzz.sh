#!/bin/sh
# fuzz.sh - build the libFuzzer harnesses of tests/fuzz with clang, under
# AddressSanitizer and UndefinedBehaviorSanitizer, and run each for
# FUZZ_TIME seconds on a scratch copy of its committed corpus (which is
# never changed).  Without clang or libFuzzer it says so and exits 0.
#
#   sh tests/fuzz/fuzz.sh SRCDIR [HARNESS...]     (what "make fuzz" runs)
#
# Environment: FUZZ_TIME seconds per harness [60], CLANG [clang],
# FUZZ_OUT scratch directory [fuzz-out], FUZZ_FLAGS more libFuzzer flags.
# Prints each harness's final statistics; exits 1 if one found a failure
# (the input is kept as FUZZ_OUT/HARNESS/crash-*).
set -eu
srcdir=${1:-.}
[ $# -gt 0 ] && shift
CLANG=${CLANG:-clang}
time=${FUZZ_TIME:-60}
out=${FUZZ_OUT:-fuzz-out}
flags=${FUZZ_FLAGS:-}
harnesses=${*:-numeric chars model roundtrip}

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: $CLANG not found: skipped (apt-get install clang libclang-rt-14-dev)"
	exit 0
fi
mkdir -p "$out/obj"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d[0] == n; }\n' \
    >"$out/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined "$out/probe.c" \
    -o "$out/probe" >/dev/null 2>&1; then
	echo "fuzz: $CLANG cannot build with libFuzzer: skipped (apt-get install libclang-rt-14-dev)"
	exit 0
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-std=c99 -Wall -Wextra -g -O1 -fno-omit-frame-pointer $san"
cppflags="-I$srcdir/src -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
libs="$(pkg-config --libs zlib 2>/dev/null || echo -lz) -lcsv -lm"

# The library: every source but main.c, instrumented for coverage.
objs=
for c in "$srcdir"/src/*.c; do
	b=$(basename "$c" .c)
	[ "$b" = main ] && continue
	o="$out/obj/$b.o"
	if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ "$0" -nt "$o" ]; then
		"$CLANG" $cflags -fsanitize=fuzzer-no-link $cppflags -c "$c" -o "$o"
	fi
	objs="$objs $o"
done

status=0
for h in $harnesses; do
	"$CLANG" $cflags -fsanitize=fuzzer $cppflags -I"$srcdir/tests/fuzz" \
	    "$srcdir/tests/fuzz/fuzz_$h.c" $objs $libs -o "$out/fuzz_$h"
	mkdir -p "$out/$h/corpus"
	# model files of character mode are some 20 KB; character mode and
	# the round trip learn on every byte, short inputs keep them fast
	case $h in model) len=40000 ;; numeric) len=4096 ;; *) len=1024 ;; esac
	echo "=== fuzz_$h: $time s"
	rc=0
	"$out/fuzz_$h" -max_total_time="$time" -timeout=30 -rss_limit_mb=2048 \
	    -max_len=$len -print_final_stats=1 -artifact_prefix="$out/$h/" \
	    $flags "$out/$h/corpus" "$srcdir/tests/fuzz/corpus/$h" \
	    >"$out/$h.log" 2>&1 || rc=$?
	grep -E '^(stat::|#[0-9]+ +DONE)' "$out/$h.log" || :
	if [ "$rc" -ne 0 ]; then
		echo "fuzz_$h: FAILED (exit $rc); see $out/$h.log"
		grep -E 'ERROR|SUMMARY|fuzz property' "$out/$h.log" | head -n 5 || :
		status=1
	else
		echo "fuzz_$h: ok"
	fi
done
exit "$status"
