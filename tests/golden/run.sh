#!/bin/sh
# The outputs whose bytes a refactoring must not change (docs/development.md, "Golden
# outputs"): the four presets, the DGM import, replay, replay --retime (of a fixture with
# start times), fit and sweep, each small enough to run in seconds, with their files' SHA-256
# against tests/golden/outputs.sha256.
#   tests/golden/run.sh HYPERCAP            compare (exit 1 and the differing files on change)
#   tests/golden/run.sh HYPERCAP --update   write outputs.sha256 anew (say why in the commit)
# Plots are left out (their bytes are gnuplot's and fontconfig's, not ours), and so is the
# .hypercap marker, which names the host.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1764547200 # 2025-12-01T00:00:00Z
cd "$work"
# Inputs by relative names: some outputs record where their inputs were, and a checkout may be
# anywhere.
mkdir in
cp "$src"/data/scenarios/*.json in/
cp -R "$src/tests/fixtures/dgm-run" "$src/tests/fixtures/trace/retime-loop.jsonl" in/
run() { "$bin" "$@" --quiet >/dev/null; }
for preset in hyperagents-paper hyperagents-staged hyperagents-500 dgm-polyglot; do
	run simulate "in/$preset.json" --iterations 12 --runs 4 --seed 7 \
		--threads 2 --out "$preset"
done
"$bin" import dgm in/dgm-run -o dgm.jsonl >/dev/null
run replay dgm.jsonl --out replay
run replay in/retime-loop.jsonl --retime --out retime
run fit dgm.jsonl -o fit.json
cat >grid.json <<'GRID'
{"set": {"iterations": 6},
 "grid": {"domains.paper_review.full_tasks": [50, 100],
          "self_modification.caching": ["off", "explicit"]}}
GRID
run sweep grid.json --runs 3 --seed 11 --out sweep
find . -type f ! -path './in/*' ! -name .hypercap ! -name '*.png' ! -name '*.svg' \
	! -name report.html ! -path ./grid.json ! -name outputs.sha256.new |
	LC_ALL=C sort | xargs sha256sum >outputs.sha256.new
if [ "${2:-}" = --update ]; then
	cp outputs.sha256.new "$here/outputs.sha256"
	exit 0
fi
if ! diff -u "$here/outputs.sha256" outputs.sha256.new >&2; then
	echo "golden: the outputs above changed (tests/golden/run.sh)" >&2
	exit 1
fi
echo "golden: $(wc -l <outputs.sha256.new) files byte-identical"
