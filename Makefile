# luaipc: a thin wrapper around CMake and busted.
#   make            build build/ipc.so
#   make test       run the test suite (normal build, then ASan+UBSan build)
#   make test-fast  run the test suite on the normal build only
#   make bench      run the benchmarks (BENCH_ARGS="--smoke" for a short run)
#   make demo       run a short demonstration
#   make install    install into the system's Lua 5.4 module folders
#   make clean      remove the build folders

LUA     ?= lua5.4
BUSTED  ?= $(shell command -v busted)
JOBS    ?= 2
LUA_ENV  = LUA_PATH='./lua/?.lua;./lua/?/init.lua;./test/?.lua;;'
ASAN_RT  = $(shell $(CXX) -print-file-name=libasan.so)
UBSAN_RT = $(shell $(CXX) -print-file-name=libubsan.so)

.PHONY: all build build-asan test test-fast test-asan bench demo install clean

all: build

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS) -- --no-print-directory

build-asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DIPC_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS) -- --no-print-directory

test: test-fast test-asan

test-fast: build
	@echo "== test suite (build/) =="
	@$(LUA_ENV) LUA_CPATH='./build/?.so;;' IPC_BUILD=build \
	  $(LUA) $(BUSTED) $(BUSTED_ARGS)

test-asan: build-asan
	@echo "== test suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) =="
	@$(LUA_ENV) LUA_CPATH='./build-asan/?.so;;' IPC_BUILD=build-asan IPC_SANITIZED=1 \
	  LD_PRELOAD='$(ASAN_RT) $(UBSAN_RT)' \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(LUA) $(BUSTED) $(BUSTED_ARGS)

bench: build
	@$(LUA_ENV) LUA_CPATH='./build/?.so;;' $(LUA) bench/run.lua $(BENCH_ARGS)

demo: build
	@$(LUA_ENV) LUA_CPATH='./build/?.so;;' $(LUA) examples/demo.lua

install: build
	cmake --install build

clean:
	rm -rf build build-asan build-bench
