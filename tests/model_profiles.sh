#!/bin/sh
# The o3-mini reasoning share of data/models/ recomputed from DGM's logs, without hypercap:
# over every LLM call printed in the agent logs (predictions/initial_0/<task>.md, a
# ResponseUsage each), the sum of reasoning_tokens over the sum of output_tokens.
# Expected: 255 calls, 166,592 of 232,566 output tokens (data/README.md), 0.7163.
# Usage: model_profiles.sh SOURCE_DIR
set -eu
src=$1
logs=$src/data/dgm-polyglot-initial/predictions/initial_0
profiles=$src/data/models/models-2026-12-06.json

measured=$(for f in "$logs"/*.md; do
	case $f in *_eval.md) continue ;; esac
	grep -o 'output_tokens=[0-9]*, output_tokens_details=OutputTokensDetails(reasoning_tokens=[0-9]*)' "$f"
done | awk -F'[=,)]' '{ out += $2; reasoning += $5; n++ }
	END { printf "%d %d %d %.4f\n", n, out, reasoning, reasoning / out }')
echo "calls, output, reasoning, share: $measured"
[ "$measured" = "255 232566 166592 0.7163" ] || { echo "FAIL: the logs changed"; exit 1; }

# the profile's value: the first reasoning_share after "name": "o3-mini"
profile=$(sed -n '/"name": "o3-mini"/,/"reasoning_share"/p' "$profiles" |
	grep -o '"reasoning_share": { "value": [0-9.]*' | grep -o '[0-9.]*$')
echo "data/models o3-mini reasoning_share: $profile"
[ "$profile" = "${measured##* }" ] || { echo "FAIL: profile $profile, logs ${measured##* }"; exit 1; }
echo ok
