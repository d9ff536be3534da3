# luaipc: a thin wrapper around CMake and busted.
#   make            build build/ipc.so
#   make test       the whole suite: normal build, the luv specs without a
#                   loop descriptor (as on Windows), ASan+UBSan build, then
#                   fuzzing smoke, valgrind memcheck and GC stress
#   make test-fast  run the test suite on the normal build only
#   make test-packaging  luarocks make/pack/build, make install/uninstall
#   make bench      run the benchmarks (BENCH_ARGS="--smoke" for a short run;
#                   BENCH_ARGS="--reps 9"; BENCH_ORIGINAL=dir adds the original)
#   make check-musl compile every source against musl's headers
#   make demo       run a short demonstration
#   make install    install into $(DESTDIR)$(PREFIX)/lib/lua/5.4 and
#                   .../share/lua/5.4 (PREFIX=/usr/local), stripped
#   make uninstall  remove what the last make install installed
#   make windows    cross-build build-win/ipc.dll with MinGW-w64 (Lua, libuv
#                   and busted for Wine from deps/windows.sh, cached)
#   make test-windows  the specs that apply to Windows, under Wine
#   make clean      remove the build folders

LUA     ?= lua5.4
BUSTED  ?= $(shell command -v busted)
JOBS    ?= 2
PREFIX  ?= /usr/local
LUA_ENV  = LUA_PATH='./lua/?.lua;./lua/?/init.lua;./test/?.lua;;'
ASAN_RT  = $(shell $(CXX) -print-file-name=libasan.so)
UBSAN_RT = $(shell $(CXX) -print-file-name=libubsan.so)

FORMAT_FILES = $(shell git ls-files 'src/*.cpp' 'src/*.hpp' 'tools/*.cpp' \
  'fuzz/*.cpp' 'bench/c/*.c' 'bench/c/*.h' 'test/windows/*.c')

.PHONY: format format-check

# make format applies .clang-format to every C and C++ source; CI runs
# format-check, which fails on any difference.
format:
	@clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES)

.PHONY: windows test-windows
.PHONY: all build build-asan test test-fast test-no-pollfd test-asan test-packaging test-portable test-other-libuv test-macos-limits check-musl bench bench-build demo install uninstall clean

all: build

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS) -- --no-print-directory

build-asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DIPC_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS) -- --no-print-directory

test: test-fast test-no-pollfd test-asan test-harden test-packaging

# The luv specs again with luaipc's loop descriptor hidden, as it is on
# Windows: the luv driver then ticks a timer instead of polling.
test-no-pollfd: build
	@echo "== luv specs without a loop descriptor (IPC_LOOP_NO_POLLFD=1) =="
	@$(LUA_ENV) LUA_CPATH='./build/?.so;;' IPC_BUILD=build IPC_LOOP_NO_POLLFD=1 \
	  $(LUA) $(BUSTED) test/luv

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

# luarocks make, pack and build; make install and uninstall (~20 s).
test-packaging:
	@echo "== packaging: luarocks and make install =="
	@test/smoke/packaging.sh

# The suite on a build that forces the portable POSIX paths (what macOS
# and FreeBSD run); test-macos-limits adds macOS's limits on top. Tests
# gate on require("ipc").platform and report what they skip as pending.
PORTABLE_RUN = cmake -S . -B $(1) $(2) >/dev/null && \
	cmake --build $(1) -j $(JOBS) -- --no-print-directory && \
	echo "== test suite ($(1)/) ==" && \
	$(LUA_ENV) LUA_CPATH='./$(1)/?.so;;' IPC_BUILD=$(1) $(LUA) $(BUSTED) $(BUSTED_ARGS)

test-portable:
	@$(call PORTABLE_RUN,build-portable,-DIPC_PORTABLE_POSIX=ON)

# luv and luaipc on two different libuvs, as with luv from LuaRocks or
# luvit: ipc.so links a libuv of its own (Debian's libuv1 source, built by
# deps/libuv-static.sh) with hidden symbols; luv keeps the system's.
test-other-libuv:
	@./deps/libuv-static.sh
	@cmake -S . -B build-uvs -DIPC_LIBUV_STATIC=$(CURDIR)/build-uv/prefix >/dev/null
	@cmake --build build-uvs -j $(JOBS) -- --no-print-directory
	@echo "== luv and loop specs with a second libuv (build-uvs/) =="
	@$(LUA_ENV) LUA_CPATH='./build-uvs/?.so;;' IPC_BUILD=build-uvs \
	  $(LUA) $(BUSTED) $(BUSTED_ARGS) test/luv test/loop_spec.lua

# Windows: ipc.dll cross-built with MinGW-w64 against the Lua and libuv
# that deps/windows.sh cross-builds from Debian's source packages (it also
# installs mingw-w64 and wine when they are missing), tested under Wine
# with busted (test/windows/README.md).
WIN_SPECS ?= test/strfile_spec.lua test/shm_spec.lua test/mmap_spec.lua \
  test/sem_spec.lua test/filelock_spec.lua test/regress/13-platform_spec.lua \
  test/proc_spec.lua test/proc_stream_spec.lua test/proc_lines_spec.lua \
  test/proc_windows_spec.lua

windows:
	@./deps/windows.sh
	@cmake -S . -B build-win -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake \
	  -DCMAKE_BUILD_TYPE=Release -DIPC_TOOLS=OFF >/dev/null
	@cmake --build build-win -j $(JOBS)

test-windows: windows
	@echo "== test suite under Wine (build-win/) =="
	@test/windows/busted.sh $(BUSTED_ARGS) $(WIN_SPECS)

test-macos-limits:
	@$(call PORTABLE_RUN,build-macos,-DIPC_PORTABLE_POSIX=ON -DIPC_MACOS_LIMITS=ON)

# A compile check against musl (Debian's musl-dev), catching what only
# glibc has: clang with musl's headers and libc++'s (libc++-14-dev), since
# libstdc++'s headers are configured for glibc and do not compile over
# musl's. CMake picks the sources as for a musl system (its symbol checks
# see musl's headers), and every object is compiled with the project's
# flags; nothing is linked or run, so this proves luaipc's own calls, not
# a musl build at run time.
MUSL_INC   ?= /usr/include/x86_64-linux-musl
LIBCXX_INC ?= /usr/lib/llvm-14/include/c++/v1
MUSL_CXX   ?= clang++
MUSL_SHIM   = $(CURDIR)/build-musl/shim

check-musl:
	@mkdir -p $(MUSL_SHIM)
	@ln -sfn /usr/include/uv.h /usr/include/uv $(MUSL_SHIM)/
	@ln -sfn /usr/include/$$(gcc -print-multiarch)/lua5.4-deb-multiarch.h $(MUSL_SHIM)/
	@cmake -S . -B build-musl -DCMAKE_CXX_COMPILER=$(MUSL_CXX) -DIPC_TOOLS=OFF \
	  -DCMAKE_CXX_FLAGS="-nostdinc -nostdinc++ -D_LIBCPP_HAS_MUSL_LIBC \
	  -isystem $(LIBCXX_INC) -isystem $$($(MUSL_CXX) -print-resource-dir)/include \
	  -isystem $(MUSL_INC) -isystem $(MUSL_SHIM)" >/dev/null
	@echo "== compile check against musl (build-musl/) =="
	@$(MAKE) -C build-musl --no-print-directory \
	  $$($(MAKE) -C build-musl --no-print-directory help | sed -n 's/^\.\.\. \(src\/.*\.o\)$$/\1/p')
	@echo "musl: every source compiles"

# The C baselines and the benchmark's Lua modules: bench/CMakeLists.txt.
bench-build:
	@cmake -S bench -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-bench -j $(JOBS) -- --no-print-directory

bench: build bench-build
	@$(LUA_ENV) LUA_CPATH='./build/?.so;;' $(LUA) bench/run.lua $(BENCH_ARGS)

demo: build
	@$(LUA_ENV) LUA_CPATH='./build/?.so;;' $(LUA) examples/demo.lua

install: build
	DESTDIR='$(DESTDIR)' cmake --install build --prefix '$(PREFIX)' --strip

uninstall:
	DESTDIR='$(DESTDIR)' cmake -DBUILD=build -P cmake/uninstall.cmake

clean:
	rm -rf build build-asan build-bench build-portable build-macos build-musl build-uvs build-fuzz build-valgrind

# ---- Hardening: fuzzing, memcheck, GC stress -------------------------------
#   make fuzz [FUZZ_SECONDS=60]  differential fuzzing of the memory-file engine
#   make test-valgrind           the module specs (luv ones included)
#                                and the hostile-argument matrix under memcheck
#   make test-gcstress           the suite (ASan build) with a full collection
#                                every GCSTRESS_STEP (1000) VM instructions
#   make test-harden             all three, with a short fuzzing run (CI)
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_BIN      = build-fuzz/memfile_fuzz
FUZZ_CI_SECONDS ?= 30
VALGRIND_SPECS ?=
GCSTRESS_STEP  ?= 1000

.PHONY: fuzz fuzz-build test-valgrind test-gcstress test-harden

fuzz-build:
	@cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) -DIPC_FUZZ=ON \
	  -DIPC_TOOLS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-fuzz --target memfile_fuzz -j $(JOBS) -- --no-print-directory

# New inputs go to build-fuzz/corpus; fuzz/corpus is the committed seed.
fuzz: fuzz-build
	@mkdir -p build-fuzz/corpus
	@echo "== fuzzing the memory-file engine for $(FUZZ_SECONDS) s =="
	@$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=1024 -timeout=10 \
	  -print_final_stats=1 -artifact_prefix=build-fuzz/ \
	  build-fuzz/corpus fuzz/corpus

# Every Lua process of the run, children included, loads the hook.
test-gcstress: build-asan
	@echo "== test suite with a full collection every $(GCSTRESS_STEP) instructions (build-asan/) =="
	@$(LUA_ENV) LUA_CPATH='./build-asan/?.so;;' IPC_BUILD=build-asan IPC_SANITIZED=1 \
	  LUA_INIT='@$(CURDIR)/test/helpers/harden_gcstress.lua' IPC_GCSTRESS=$(GCSTRESS_STEP) \
	  LD_PRELOAD='$(ASAN_RT) $(UBSAN_RT)' \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(LUA) $(BUSTED) $(BUSTED_ARGS)

# VALGRIND_SPECS empty: the strfile, mmap, shm, sem, filelock and proc
# specs (the fork path, detach and die_with_parent ones too),
# test/cross/memfile_diff_spec.lua and the specs under test/luv.
test-valgrind: build
	@valgrind/run.sh $(VALGRIND_SPECS)

test-harden:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS)
	@$(MAKE) --no-print-directory test-valgrind
	@$(MAKE) --no-print-directory test-gcstress
