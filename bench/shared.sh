# bench/shared.sh - sourced by the bench scripts that read the project's
# reference folder (data sets, NAB, peers): sets $shared to the folder given
# as the script's second argument, else to the "shared" folder beside the
# source tree SRC, else to the one beside its parent (a git worktree kept
# in a folder next to the main checkout).
if [ $# -ge 2 ]; then
	shared=$2
elif [ -d "$src/../shared" ] || [ ! -d "$src/../../shared" ]; then
	shared=$src/../shared
else
	shared=$src/../../shared
fi
