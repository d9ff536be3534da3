#!/bin/sh
# Builds a libuv of its own for luaipc from Debian 12's libuv1 source
# package, as a static, position-independent library in build-uv/prefix
# (IPC_UV_DEPS to move it). Linked into ipc.so with its symbols hidden
# (cmake -DIPC_LIBUV_STATIC=build-uv/prefix), it gives the situation of
# luv from LuaRocks or luvit: luv and luaipc on two different libuvs in one
# process. Idempotent: quick when the library is there.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${IPC_UV_DEPS:-$ROOT/build-uv}
PREFIX=$OUT/prefix
JOBS=${JOBS:-2}

say() { echo "deps(libuv): $*"; }

[ -f "$PREFIX/lib/libuv.a" ] && exit 0
. "$ROOT/deps/debian-source.sh"
command -v dpkg-source >/dev/null || {
  say "dpkg-source is missing (Debian: dpkg-dev)" >&2; exit 1; }
fetch_sources libuv1
say "building a static libuv"
cmake -S "$OUT/src/libuv1" -B "$OUT/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_C_VISIBILITY_PRESET=hidden \
  -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF >/dev/null
cmake --build "$OUT/build" --target uv_a -j "$JOBS" >/dev/null 2>&1
mkdir -p "$PREFIX/lib" "$PREFIX/include"
cp -r "$OUT/src/libuv1/include/." "$PREFIX/include/"
cp "$OUT/build/libuv_a.a" "$PREFIX/lib/libuv.a"
say "done: $PREFIX"
