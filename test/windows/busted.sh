#!/bin/sh
# Runs busted under Wine with the Windows Lua tree deps/windows.sh builds:
#   test/windows/busted.sh [busted arguments, specs...]
# from the repository's root, with the module from $IPC_WIN_BUILD
# (build-win; relative to the root or absolute) first on package.cpath and the project's Lua files first on
# package.path. Exits with busted's status (failures + errors).
# Paths are given to Lua in Windows form: Wine's Z: drive is the Unix root.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEPS=${IPC_WIN_DEPS:-$ROOT/build-win/deps}
BUILD=${IPC_WIN_BUILD:-build-win}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$DEPS/prefix/bin
if [ ! -x "$BIN/lua.exe" ] || [ ! -f "$DEPS/wine/system.reg" ]; then
  echo "test/windows/busted.sh: run deps/windows.sh first" >&2
  exit 2
fi

win() { printf 'Z:%s' "$1"; }

WINEPREFIX=$DEPS/wine
WINEDEBUG=${WINEDEBUG:--all}
# Children find lua.exe on PATH, as "lua", or through IPC_LUA.
WINEPATH=$(win "$BIN")
IPC_LUA=$(win "$BIN")/lua.exe
LUA_PATH="$(win "$ROOT")/lua/?.lua;$(win "$ROOT")/lua/?/init.lua;$(win "$ROOT")/test/?.lua;;"
LUA_CPATH="$(win "$BUILD")/?.dll;;"
IPC_BUILD=$BUILD
export WINEPREFIX WINEDEBUG WINEPATH IPC_LUA LUA_PATH LUA_CPATH IPC_BUILD

cd "$ROOT"
status=0
wine "$BIN/lua.exe" "$BIN/busted-run.lua" "$@" || status=$?
exit "$status"
