# Thin wrapper around CMake. Every target first installs missing Debian packages.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps configure build demo test bench clean

all: build

deps:
	@sh scripts/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@rm -rf out/demo
	$(BUILD)/hypercap simulate --out out/demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	@$(BUILD)/bench_engine
	@$(BUILD)/bench_loop data/scenarios/hyperagents-500.json

clean:
	rm -rf $(BUILD) out
