#!/bin/sh
# Every hypercap command of README.md runs as written (docs/development.md, "README commands"):
# the lines of its ``` blocks that start with build/hypercap, joined over trailing
# backslashes and without their trailing # comments, run in order in a temporary directory
# that holds only build/hypercap (the binary under test), data/ and tests/fixtures/ of this
# checkout, so earlier commands make the files later ones read (dgm.jsonl, out/demo).
#   tests/readme.sh HYPERCAP SOURCE_DIR
# Skipped, and named on stdout: `meter` (it starts a child and forwards to a network
# upstream), commands run through mpirun (the Open MPI build; make test-mpi runs sweeps there)
# and `make test` (it would run this test again); `make demo` runs as the command the
# Makefile's demo target gives, so that `report out/demo` finds its directory.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/build" "$work/tests"
ln -s "$bin" "$work/build/hypercap"
ln -s "$src/data" "$work/data"
ln -s "$src/tests/fixtures" "$work/tests/fixtures"
export SOURCE_DATE_EPOCH=1764547200
# One command per line: the blocks' lines, continuation lines joined, comments cut after
# two spaces and a # (no README command has "  #" inside its arguments).
awk '
	/^```/ { inblock = !inblock; next }
	!inblock { next }
	{
		line = $0
		sub(/[ \t][ \t]+#.*$/, "", line)
		if (cont != "") { cmd = cmd " " line } else { cmd = line }
		if (cmd ~ /\\$/) { sub(/\\$/, "", cmd); cont = 1; next }
		cont = ""
		if (cmd ~ /^[ \t]*$/) next
		print cmd
	}' "$src/README.md" >"$work/commands"
cd "$work"
ran=0
skipped=0
while IFS= read -r cmd; do
	case "$cmd" in
	"build/hypercap meter "*)
		echo "skipped (a meter child and a network upstream): $cmd"
		skipped=$((skipped + 1))
		continue ;;
	mpirun*)
		echo "skipped (the Open MPI build, make test-mpi): $cmd"
		skipped=$((skipped + 1))
		continue ;;
	"make demo"*)
		# what the Makefile's demo target runs, so that `report out/demo` has its input
		cmd=$(sed -n '/^demo:/{n;s/^[[:space:]]*@\$(BUILD)/build/;p;}' "$src/Makefile") ;;
	make*)
		echo "skipped (a make target): $cmd"
		skipped=$((skipped + 1))
		continue ;;
	build/hypercap*) ;;
	*)
		continue ;;
	esac
	echo "running: $cmd"
	if ! sh -c "$cmd" >out.log 2>&1 </dev/null; then
		echo "readme: failed: $cmd" >&2
		cat out.log >&2
		exit 1
	fi
	ran=$((ran + 1))
done <"$work/commands"
if [ "$ran" -lt 15 ]; then
	echo "readme: only $ran commands ran; README.md's blocks were not read as expected" >&2
	exit 1
fi
echo "readme: $ran commands ran, $skipped skipped"
