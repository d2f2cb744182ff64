#!/bin/sh
# make test-mpi: the Open MPI build of hypercap (argument 1) sweeps one grid as one process
# and under mpirun with 2 and 3 ranks (3 does not divide the 12 points); every sweep.csv must
# be byte-identical to the one-process file. A bad grid must stop every rank with exit 3.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d /tmp/hypercap-mpi-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
mpirun="mpirun --oversubscribe --allow-run-as-root"
passed=0
failed=0
check() { # name, then a command that must succeed
	name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok: $name"
	else
		failed=$((failed + 1))
		echo "FAILED: $name"
	fi
}

cat >grid.json <<'JSON'
{
  "set": { "iterations": 8 },
  "grid": { "domains.paper_review.full_tasks": [40, 80, 120], "children_per_iteration": [1, 2] },
  "zip": [ { "domains.paper_review.model": ["gpt-4o", "claude-sonnet-4-5"],
             "domains.paper_review.screen_tasks": [10, 20] } ]
}
JSON
echo '{ "grid": { "iterations": [8, -1] } }' >bad.json

check "one process" "$bin" sweep grid.json --runs 3 --threads 1 --out one --quiet
check "12 rows and a header" test "$(wc -l <one/sweep.csv)" -eq 13
for n in 2 3; do
	check "mpirun -n $n runs" $mpirun -n $n "$bin" sweep grid.json --runs 3 --threads 1 \
		--out "ranks$n" --quiet
	check "mpirun -n $n: sweep.csv byte-identical" cmp one/sweep.csv "ranks$n/sweep.csv"
done
$mpirun -n 2 "$bin" sweep bad.json --out bad >/dev/null 2>bad.err
check "bad grid under mpirun: exit 3" test $? -eq 3
check "bad grid: one message naming the JSON path" \
	test "$(grep -c 'bad.json: grid.iterations\[1\]' bad.err)" -eq 1
check "bad grid: no results directory" test ! -e bad

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
