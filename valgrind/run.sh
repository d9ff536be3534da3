#!/bin/sh
# Runs specs and the hostile-argument matrix under valgrind memcheck against
# the normal build (build/). Any memory error or definite leak fails the run.
# Usage: valgrind/run.sh [spec ...]   (default: the specs listed below that
# exist). Children started by the specs are not traced: the matrix runs each
# module's batch directly under valgrind instead.
set -eu
cd "$(dirname "$0")/.."

BUSTED=${BUSTED:-$(command -v busted)}
export LUA_CPATH='./build/?.so;;'
export LUA_PATH='./lua/?.lua;./lua/?/init.lua;./test/?.lua;;'
export IPC_BUILD=build

VG="valgrind --quiet --error-exitcode=99 --leak-check=full
  --errors-for-leak-kinds=definite --show-leak-kinds=definite
  --track-fds=no --suppressions=valgrind/lua.supp"

if [ $# -eq 0 ]; then
  for s in strfile mmap shm memfile_diff sem filelock proc; do
    [ -f "test/${s}_spec.lua" ] && set -- "$@" "test/${s}_spec.lua"
  done
fi

status=0
echo "== valgrind: busted $*"
$VG lua5.4 "$BUSTED" -o TAP "$@" >build/valgrind-busted.log 2>&1 || status=$?
grep -E "^(not ok|# )" build/valgrind-busted.log || true
if [ $status -ne 0 ]; then
  cat build/valgrind-busted.log
  echo "valgrind: busted run failed ($status)"
  exit 1
fi

for m in strfile mmap shm sem filelock proc ipc; do
  out=$($VG lua5.4 test/helpers/harden_misuse.lua "$m" "vg$$" 2>build/valgrind-misuse.log) || {
    cat build/valgrind-misuse.log
    echo "valgrind: hostile-argument matrix of $m failed"
    exit 1
  }
  echo "valgrind: matrix $m: $(echo "$out" | tail -1)"
done
rm -f build/valgrind-busted.log build/valgrind-misuse.log
echo "valgrind: no errors"
