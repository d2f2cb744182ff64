# Thin wrapper around CMake. Every target first installs missing Debian packages.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps configure build demo test test-sanitize test-mpi fuzz-build fuzz-short fuzz-long \
	lint bench clean

all: build

deps:
	@sh scripts/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

demo: build
	@$(BUILD)/hypercap simulate --runs 20 --out out/demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer, whose
# code runs several times slower: each Check case gets 4 times its timeout.
test-sanitize: deps
	@cmake -S . -B $(BUILD)-asan -DHYPERCAP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS) -- --no-print-directory
	@cd $(BUILD)-asan && CK_TIMEOUT_MULTIPLIER=4 ctest --output-on-failure -j $(JOBS)

# The Open MPI build of hypercap (build-mpi): sweep.csv under mpirun -n 2 and -n 3 must be
# byte-identical to one process's.
test-mpi:
	@sh scripts/deps.sh --mpi
	@cmake -S . -B $(BUILD)-mpi -DHYPERCAP_MPI=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD)-mpi -j $(JOBS) --target hypercap -- --no-print-directory
	@sh tests/sweep_mpi.sh $(BUILD)-mpi/hypercap

# The libFuzzer targets of fuzz/ (clang, ASan, UBSan) in $(BUILD)-fuzz; docs/development.md.
fuzz-build:
	@sh scripts/deps.sh --fuzz
	@cmake -S . -B $(BUILD)-fuzz -DCMAKE_C_COMPILER=clang -DHYPERCAP_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)-fuzz -j $(JOBS) --target fuzzers -- --no-print-directory

# Every fuzz target for 20 s (CI), or for 5 minutes (the runs docs/reliability.md records).
fuzz-short: fuzz-build
	@sh fuzz/run.sh $(BUILD)-fuzz 20

fuzz-long: fuzz-build
	@sh fuzz/run.sh $(BUILD)-fuzz 300

# cppcheck on the profile docs/development.md states; any finding fails.
# variableScope: declarations at the top of a block are house style, not a defect.
# varFuncNullUB: NULL ends the variadic argument lists of the test harness; POSIX defines NULL
# as (void *)0, which is what the callee reads.
lint:
	@sh scripts/deps.sh --lint
	@cppcheck --std=c11 --enable=style,warning,performance,portability --inline-suppr \
		--suppress=variableScope --suppress=varFuncNullUB --error-exitcode=1 --quiet \
		-D_POSIX_C_SOURCE=200809L -DHYPERCAP_VERSION=\"lint\" \
		--include=scripts/cppcheck-cjson.h -I . base sim model trace import replay fit meter reports cli fuzz \
		tests bench

# Benchmarks (bench/README.md; figures in docs/performance.md): a few minutes, a 1 GB
# temporary trace in /tmp (deleted at the end). BENCH_REPEATS=n changes the repeats.
bench: build
	@sh scripts/deps.sh --bench
	@cmake --build $(BUILD) -j $(JOBS) --target benchmarks -- --no-print-directory >/dev/null
	@$(BUILD)/bench_engine bench/mmc_simpy.py
	@$(BUILD)/bench_loop data/scenarios/hyperagents-500.json
	@$(BUILD)/bench_forecast data/scenarios
	@$(BUILD)/bench_growth data/scenarios/hyperagents-500.json
	@$(BUILD)/bench_trace 1024
	@$(BUILD)/bench_fitboot data/dgm-polyglot-initial
	@$(BUILD)/bench_project data/scenarios
	@$(BUILD)/bench_meter

clean:
	rm -rf $(BUILD) $(BUILD)-mpi $(BUILD)-asan $(BUILD)-fuzz out
