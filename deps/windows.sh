#!/bin/sh
# Prepares what the Windows build and its tests under Wine stand on, in a
# cache folder ignored by git (build-win/deps by default, IPC_WIN_DEPS to
# change it):
#   prefix/      cross-built Lua 5.4 (bin/lua.exe, bin/lua54.dll,
#                lib/liblua54.dll.a, include/), libuv as a static library
#                (with luv's headers, for luv_ctx_t),
#                pkg-config files for both, and a Lua tree with busted:
#                share/lua/5.4 (pure Lua, copied from the host's busted) and
#                lib/lua/5.4 (lfs, term.core, system.core as DLLs)
#   wine/        a private WINEPREFIX
#   src/, apt/   Debian 12's source packages and the private apt state that
#                fetched them; build/ the intermediate files
# Idempotent: every step is skipped when its result is present. The system's
# apt configuration is only read (to find its Debian mirror), never changed;
# DEBIAN_MIRROR overrides the mirror.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${IPC_WIN_DEPS:-$ROOT/build-win/deps}
PREFIX=$OUT/prefix
JOBS=${JOBS:-2}
HOST=x86_64-w64-mingw32
CC=$HOST-gcc-win32
PACKAGES="mingw-w64 wine wine64 cmake ninja-build dpkg-dev lua-busted lua-luv-dev"
SOURCES="lua5.4 libuv1 lua-filesystem lua-term"
BUSTED_LUA="busted busted.lua cliargs cliargs.lua luassert say pl
mediator.lua term dkjson.lua"

say() { echo "deps(windows): $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else say "run as root (or install sudo) to install: $missing" >&2; exit 1
  fi
}

install_packages() {
  missing=""
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  say "installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

. "$ROOT/deps/debian-source.sh"

# Lua as upstream's "mingw" target builds it: the core and libraries in
# lua54.dll, lua.exe linked to it.
build_lua() {
  [ -f "$PREFIX/bin/lua.exe" ] && return 0
  say "cross-building Lua"
  src=$OUT/src/lua5.4/src obj=$OUT/build/lua
  rm -rf "$obj" && mkdir -p "$obj" "$PREFIX/bin" "$PREFIX/lib" \
    "$PREFIX/include"
  flags="-O2 -Wall -std=gnu99 -DLUA_COMPAT_5_3 -DLUA_BUILD_AS_DLL"
  # shellcheck disable=SC2016 # $0..$3 are the inner shell's
  for f in "$src"/*.c; do
    case $f in */lua.c | */luac.c) ;; *) echo "$f" ;; esac
  done | xargs -P "$JOBS" -n 1 sh -c \
    'exec $0 $1 -c "$3" -o "$2/$(basename "$3" .c).o"' "$CC" "$flags" "$obj"
  $CC -shared -s -o "$PREFIX/bin/lua54.dll" "$obj"/*.o \
    -Wl,--out-implib,"$PREFIX/lib/liblua54.dll.a"
  # shellcheck disable=SC2086
  $CC $flags -s -o "$obj/lua.exe" "$src/lua.c" -L"$PREFIX/lib" -llua54
  for h in lua.h luaconf.h lualib.h lauxlib.h lua.hpp; do
    cp "$src/$h" "$PREFIX/include/"
  done
  mv "$obj/lua.exe" "$PREFIX/bin/lua.exe"
}

build_libuv() {
  [ -f "$PREFIX/lib/libuv.a" ] && return 0
  say "cross-building libuv"
  b=$OUT/build/libuv
  cmake -S "$OUT/src/libuv1" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/mingw-w64.cmake" \
    -DIPC_WIN_PREFIX="$PREFIX" -DLIBUV_BUILD_TESTS=OFF >/dev/null
  cmake --build "$b" --target uv_a -j "$JOBS" >/dev/null
  cp -r "$OUT/src/libuv1/include/." "$PREFIX/include/"
  # luv's public headers (luv_ctx_t) are the same on every platform; the
  # mirror may lack luv's sources, so they come from the host's lua-luv-dev.
  mkdir -p "$PREFIX/include/luv"
  cp -L /usr/include/lua5.4/luv/*.h "$PREFIX/include/luv/"
  cp "$b/libuv_a.a" "$PREFIX/lib/libuv.a"
}

# pkg-config files, so that a build pointed at lib/pkgconfig finds both
# libraries the way it finds them on Linux. libuv is static: its system
# libraries are in Libs.
write_pkgconfig() {
  pc=$PREFIX/lib/pkgconfig
  [ -f "$pc/libuv.pc" ] && return 0
  mkdir -p "$pc"
  cat > "$pc/lua5.4.pc" <<EOF
prefix=$PREFIX
Name: Lua
Description: Lua 5.4, cross-built for Windows (lua54.dll)
Version: 5.4
Cflags: -I\${prefix}/include
Libs: -L\${prefix}/lib -llua54
EOF
  cat > "$pc/libuv.pc" <<EOF
prefix=$PREFIX
Name: libuv
Description: libuv, cross-built for Windows as a static library
Version: $(sed -n 's/^AC_INIT(\[libuv\], \[\([0-9.]*\)\].*/\1/p' \
            "$OUT/src/libuv1/configure.ac")
Cflags: -I\${prefix}/include
Libs: -L\${prefix}/lib -luv -lpsapi -luser32 -ladvapi32 -liphlpapi -luserenv -lws2_32
EOF
}

lua_module() { # name output sources...
  name=$1 out=$PREFIX/lib/lua/5.4/$2; shift 2
  [ -f "$out" ] && return 0
  say "cross-building $name"
  mkdir -p "$(dirname "$out")"
  $CC -O2 -Wall -shared -s -I"$PREFIX/include" -o "$out" "$@" \
    -L"$PREFIX/lib" -llua54
}

busted_tree() {
  share=$PREFIX/share/lua/5.4
  [ -f "$PREFIX/bin/busted-run.lua" ] && return 0
  say "copying busted's Lua files"
  mkdir -p "$share/system"
  for f in $BUSTED_LUA; do cp -rL "/usr/share/lua/5.4/$f" "$share/"; done
  cp -L /usr/share/lua/5.4/system/init.lua "$share/system/"
  cp /usr/bin/busted "$PREFIX/bin/busted-run.lua"
}

wine_prefix() {
  [ -f "$OUT/wine/system.reg" ] && return 0
  say "creating the Wine prefix"
  mkdir -p "$OUT/wine"
  WINEPREFIX=$OUT/wine WINEDEBUG=-all wineboot -i >/dev/null 2>&1
  WINEPREFIX=$OUT/wine wineserver -w
}

install_packages
fetch_sources $SOURCES
build_lua
build_libuv
write_pkgconfig
lua_module lfs lfs.dll "$OUT/src/lua-filesystem/src/lfs.c"
lua_module term.core term/core.dll "$OUT/src/lua-term/core.c"
lua_module system.core system/core.dll "$ROOT/test/windows/system_core.c"
busted_tree
wine_prefix
say "ready in $OUT"
