#!/bin/sh
# Runs specs and the hostile-argument matrix under valgrind memcheck against
# the normal build (build/). Any memory error or definite leak fails the run.
# Usage: valgrind/run.sh [spec ...]   (default: the specs listed below that
# exist). Children started by the specs are not traced: the matrix runs each
# module's batch directly under valgrind instead.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build-valgrind  # its logs, apart from the module's build/

BUSTED=${BUSTED:-$(command -v busted)}
export LUA_CPATH='./build/?.so;;'
export LUA_PATH='./lua/?.lua;./lua/?/init.lua;./test/?.lua;;'
export IPC_BUILD=build

VG="valgrind --quiet --error-exitcode=99 --leak-check=full
  --errors-for-leak-kinds=definite --show-leak-kinds=definite
  --track-fds=no --vgdb=no"

if [ $# -eq 0 ]; then
  for s in strfile mmap shm cross/memfile_diff sem filelock proc proc_stream \
    proc_lines luv/proc_stream_luv proc_fork_path proc_detach proc_die_with_parent \
    luv/proc_luv luv/sem_filelock_luv luv/luv_mixed luv/luv_server \
    luv/inside_luv; do
    [ -f "test/${s}_spec.lua" ] && set -- "$@" "test/${s}_spec.lua"
  done
fi

# One valgrind process per spec file, so that what one spec leaves to the
# collector cannot upset the next. Valgrind cannot survive an execve that
# fails in a forked child (E2BIG), and it runs posix_spawn's vfork-style
# clone as a plain fork, so that an exec or chdir failing in the child is
# not reported back (the child exits 127 instead): the tests of start
# failures, of the PATH search past a directory and of scripts without
# "#!" are left to the other runs. Valgrind opens and closes descriptors
# of its own while it runs, so the descriptor counts that specs compare in
# after_each hooks may be off by one here: those hook failures are
# reported, not fatal (the normal and the sanitizer runs check them). Any memcheck error exits with 99 and fails.
for spec in "$@"; do
  status=0
  $VG lua5.4 "$BUSTED" -o TAP --filter-out="command line too long" \
    --filter-out="bad cwd or a missing program" \
    --filter-out="start failure" --filter-out="entries it cannot run" \
    --filter-out="a file that is not executable" \
    --filter-out="without #!" --filter-out="missing program, bad cwd, too long" \
    --filter-out="when the process cannot start" "$spec" \
    >build-valgrind/busted.log 2>&1 || status=$?
  hooks=$(grep -c '^not ok .* after_each$' build-valgrind/busted.log || true)
  others=$(grep '^not ok' build-valgrind/busted.log | grep -vc ' after_each$' || true)
  if [ $status -eq 99 ] || [ $status -gt 128 ] || [ "$others" -ne 0 ] ||
     { [ $status -ne 0 ] && [ "$hooks" -eq 0 ]; }; then
    cat build-valgrind/busted.log
    echo "valgrind: $spec failed ($status)"
    exit 1
  fi
  note=""
  [ "$hooks" -ne 0 ] && note=", $hooks after_each descriptor checks off"
  echo "valgrind: $spec: $(grep -c '^ok' build-valgrind/busted.log) tests passed$note"
done

for m in strfile mmap shm sem filelock proc ipc; do
  out=$($VG lua5.4 test/helpers/harden_misuse.lua "$m" "vg$$" 2>build-valgrind/misuse.log) || {
    cat build-valgrind/misuse.log
    echo "valgrind: hostile-argument matrix of $m failed"
    exit 1
  }
  echo "valgrind: matrix $m: $(echo "$out" | tail -1)"
done
rm -f build-valgrind/busted.log build-valgrind/misuse.log
echo "valgrind: no errors"
