#!/bin/sh
# coverage.sh - line and region coverage of the library by the fuzz corpora:
# each harness built with clang's source-based coverage (no sanitizer), run
# once over its corpus directories, the profiles merged, and llvm-cov's
# report for the files under src/.
#
#   sh tests/fuzz/coverage.sh SRCDIR OUT HARNESS:DIR[:DIR...]...
#
# e.g. sh tests/fuzz/coverage.sh . cov numeric:tests/fuzz/corpus/numeric
# Environment: CLANG [clang], LLVM_PROFDATA [llvm-profdata], LLVM_COV
# [llvm-cov].  Prints a report per harness, then one for all together.
set -eu
srcdir=$1 out=$2
shift 2
CLANG=${CLANG:-clang}
PROFDATA=${LLVM_PROFDATA:-llvm-profdata}
COV=${LLVM_COV:-llvm-cov}
mkdir -p "$out/obj"
cflags="-std=c99 -g -O1 -fprofile-instr-generate -fcoverage-mapping"
cppflags="-I$srcdir/src -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
libs="$(pkg-config --libs zlib 2>/dev/null || echo -lz) -lcsv -lm"
objs=
for c in "$srcdir"/src/*.c; do
	b=$(basename "$c" .c)
	[ "$b" = main ] && continue
	"$CLANG" $cflags $cppflags -c "$c" -o "$out/obj/$b.o"
	objs="$objs $out/obj/$b.o"
done
bins= profs=
for spec in "$@"; do
	h=${spec%%:*}
	dirs=$(echo "${spec#*:}" | tr ':' ' ')
	"$CLANG" $cflags -fsanitize=fuzzer $cppflags -I"$srcdir/tests/fuzz" \
	    "$srcdir/tests/fuzz/fuzz_$h.c" $objs $libs -o "$out/cov_$h"
	LLVM_PROFILE_FILE="$out/$h.profraw" "$out/cov_$h" -runs=0 \
	    -rss_limit_mb=4096 -max_len=40000 $dirs >"$out/$h.runlog" 2>&1
	"$PROFDATA" merge -sparse "$out/$h.profraw" -o "$out/$h.profdata"
	echo "=== fuzz_$h: $(ls $dirs | wc -l) inputs"
	"$COV" report "$out/cov_$h" -instr-profile="$out/$h.profdata" \
	    $(ls "$srcdir"/src/*.c | grep -v '/main\.c$')
	bins="$bins -object $out/cov_$h"
	profs="$profs $out/$h.profraw"
done
"$PROFDATA" merge -sparse $profs -o "$out/all.profdata"
echo "=== all harnesses together"
set -- $bins
shift
"$COV" report "$@" -instr-profile="$out/all.profdata" \
    $(ls "$srcdir"/src/*.c | grep -v '/main\.c$')
