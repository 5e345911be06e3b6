# bench/cpubest.sh - sourced by bench scripts that time ./rnnfilter itself.
# cpu_best FILE ARGS...: the least of three runs' user + system seconds of
# ./rnnfilter -q ARGS FILE, pinned by $pin (empty: not pinned).
cpu_best() {
	_f=$1
	shift
	_b=
	for _i in 1 2 3; do
		_s=$( { /usr/bin/time -f '%U %S' $pin ./rnnfilter -q "$@" "$_f" \
		    >/dev/null; } 2>&1 | tail -n 1 | awk '{ print $1 + $2 }')
		_b=$(awk -v a="$_b" -v b="$_s" 'BEGIN { print (a == "" || b < a) ? b : a }')
	done
	echo "$_b"
}
