# attn's two commands (see README.md):
#   make demo   builds attn and runs the demo: a Transformer learns to normalise dates
#   make test   builds everything and runs every test, in float32 and in float64
# Both install missing Debian packages when run as root, or print the apt-get line to run.
#
# `make check BUILD=dir FLAGS="-D..."` runs the tests of one more configuration (CI uses it for
# the BLIS and sanitizer builds). Both runs of `make test` use attn's own GEMM; BLIS is opt-in
# (-DATTN_BLIS=ON), and CI runs every test once more with it.
#
# `make fuzz [FUZZ_BUDGET=60] [FUZZ_TARGETS="json ..."]` builds the libFuzzer targets with clang
# and runs each for FUZZ_BUDGET seconds, or executions with a "runs" suffix ("10000000runs");
# tests/fuzz/README.md says how to run a long session and what to do with a finding.

JOBS   ?= $(shell nproc)
# CI sets CI=true: there, warnings are errors.
WERROR := $(if $(CI),ON,OFF)
BUILD  ?= build
FLAGS  ?=

FUZZ_BUDGET  ?= 60
FUZZ_TARGETS ?= json safetensors model_directory checkpoint corpus tokenizer aligned_corpus babi \
                idx netpbm wav sentences

.PHONY: demo test check build fuzz tools-installed doctest-installed clean

tools-installed:
	@tools/ensure-packages.sh g++ cmake make

doctest-installed: tools-installed
	@tools/ensure-packages.sh doctest-dev

build: tools-installed
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DATTN_WERROR=$(WERROR) $(FLAGS)
	cmake --build build -j $(JOBS)

demo: tools-installed
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DATTN_WERROR=$(WERROR)
	cmake --build build -j $(JOBS) --target 06_dates attn
	build/examples/06_dates --out build/demo

test: doctest-installed
	$(MAKE) --no-print-directory build
	ctest --test-dir build -j $(JOBS) --output-on-failure
	$(MAKE) --no-print-directory check BUILD=build/float64 FLAGS="-DATTN_FLOAT64=ON"

check: doctest-installed
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DATTN_WERROR=$(WERROR) $(FLAGS)
	cmake --build $(BUILD) -j $(JOBS) --target attn_tests
	ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

fuzz: tools-installed
	@tools/ensure-packages.sh clang libclang-rt-14-dev
	CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTN_FUZZ=ON
	cmake --build build/fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	tools/fuzz.sh build/fuzz $(FUZZ_BUDGET) $(FUZZ_TARGETS)

clean:
	rm -rf build
