#!/bin/sh
# Runs every libFuzzer target of a fuzz build for SECONDS each, one after another, and prints
# one line per target: runs, runs per second, coverage (edges), features, corpus size, result.
# usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# Seeds are read from fuzz/corpus/<target without fuzz_>/ (never written); what the run
# adds goes to BUILD_DIR/fuzz-corpus/<name>/, crashes to BUILD_DIR/fuzz-crashes/, logs to
# BUILD_DIR/fuzz-logs/. Exits 1 when any target crashed, leaked or timed out.
set -eu
build=$1
seconds=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
targets=${*:-$(cd "$build/fuzz" && ls fuzz_* | grep -v '\.' )}
mkdir -p "$build/fuzz-corpus" "$build/fuzz-crashes" "$build/fuzz-logs"
failed=0
printf '%-22s %10s %7s %6s %6s %6s %s\n' target runs exec/s cov ft corpus result
for t in $targets; do
	name=${t#fuzz_}
	log=$build/fuzz-logs/$name.log
	mkdir -p "$build/fuzz-corpus/$name"
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb: a parser must not need 2 GB.
	if "$build/fuzz/$t" "$build/fuzz-corpus/$name" "$src/corpus/$name" \
		-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
		-print_final_stats=1 -artifact_prefix="$build/fuzz-crashes/$name-" \
		>"$log" 2>&1; then
		result=ok
	else
		result="FAILED (see $log)"
		failed=1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	printf '%-22s %10s %7s %6s %6s %6s %s\n' "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" \
		"${ft:-?}" "${corp:-?}" "$result"
done
exit $failed
