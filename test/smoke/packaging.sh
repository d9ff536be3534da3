#!/bin/bash
# Packaging checks (make test-packaging, part of make test). Nothing is
# downloaded: the rockspecs' sources are pointed at a local clone.
#   0. luarocks lint accepts both rockspecs;
#   1. luarocks --lua-version 5.4 make in this checkout, into a temporary
#      tree, leaves git status as it was (build.luarocks/ is ignored);
#   2. in a clone with a pure-Lua module added to lua/ipc/, the versioned
#      rockspec (source: the clone's `git archive` laid out as GitHub's
#      release archive of the tag) and the scm rockspec (source: the clone)
#      are packed with luarocks pack, and each .src.rock is built with
#      luarocks build in another folder;
#   3. from an empty folder, with no LUA_PATH/LUA_CPATH but what luarocks
#      path gives for the tree, require "ipc.proc" finds the tree's ipc.so
#      and runs a child, and the pure-Lua modules come from the tree;
#   4. make install PREFIX=/tmp/x DESTDIR=... from the clone puts a stripped
#      ipc.so in lib/lua/5.4 and the Lua modules in share/lua/5.4/ipc, and
#      make uninstall leaves DESTDIR empty.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VERSION=$(sed -n 's/^project(luaipc VERSION \([^ )]*\).*/\1/p' CMakeLists.txt)
rocks() { luarocks --lua-version 5.4 "$@"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Every luarocks, cmake and compiler message goes here; shown on failure.
LOG=$TMP/log

fail() {
  echo "packaging: FAIL: $*" >&2
  echo "---- last output:" >&2
  tail -n 40 "$LOG" >&2
  exit 1
}
step() { echo "packaging: $*"; echo "==== $*" >>"$LOG"; }
quiet() { "$@" >>"$LOG" 2>&1; }

# The folder in which modules are looked up: empty, no Lua search path in
# the environment but the one the tree gives.
mkdir "$TMP/empty"
CHECK=$ROOT/test/smoke/packaging_check.lua
check_tree() {  # TREE MODULES...
  # shellcheck disable=SC2016 # expanded by the inner shell
  (cd "$TMP/empty" &&
    env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LUA_INIT \
      bash -c 'eval "$(luarocks --lua-version 5.4 --tree "$1" path)" && lua5.4 "$0" "$@"' \
      "$CHECK" "$1" "$VERSION" "${@:2}") >>"$LOG" 2>&1 ||
    fail "the modules installed in $1 do not load as they should (see the output)"
}

# No debug information in SO; with "stripped", no symbol table either.
check_elf() {  # SO [stripped]
  local sections
  sections=$(readelf -S -W "$1") || fail "readelf $1"
  if grep -q '\.debug_' <<<"$sections"; then fail "$1 has debug information"; fi
  if [ "${2:-}" = stripped ] && grep -q '\.symtab' <<<"$sections"; then
    fail "$1 is not stripped"
  fi
}

# The pure-Lua modules of a source folder, as module names.
lua_modules() {
  local f
  for f in "$1"/lua/ipc/*.lua; do [ -e "$f" ] && echo "ipc.$(basename "$f" .lua)"; done
  return 0
}

step "luarocks lint of both rockspecs"
for spec in "luaipc-$VERSION-1.rockspec" luaipc-scm-1.rockspec; do
  quiet rocks lint "$spec" || fail "luarocks lint $spec"
done

step "luarocks make in the checkout"
before=$(git status --porcelain)
quiet rocks make --tree "$TMP/tree-make" "luaipc-scm-1.rockspec" ||
  fail "luarocks make"
[ "$(git status --porcelain)" = "$before" ] || fail "luarocks make left files git does not ignore"
git check-ignore -q build.luarocks || fail "git does not ignore build.luarocks/"
mapfile -t MODULES < <(lua_modules "$ROOT")
check_tree "$TMP/tree-make" "${MODULES[@]}"
check_elf "$TMP/tree-make/lib/lua/5.4/ipc.so"

step "a clone with a pure-Lua module in lua/ipc/"
quiet git clone -q "$ROOT" "$TMP/clone" || fail "git clone"
(
  cd "$TMP/clone"
  mkdir -p lua/ipc
  echo 'return { _VERSION = require("ipc")._VERSION, probe = true }' >lua/ipc/packaging_probe.lua
  git add lua/ipc/packaging_probe.lua
  git -c user.name=test -c user.email=test@localhost commit -qm probe
) >>"$LOG" 2>&1 || fail "committing the probe module in the clone"
mapfile -t MODULES < <(lua_modules "$TMP/clone")
# GitHub's archive of tag vX.Y.Z unpacks into luaipc-X.Y.Z/.
git -C "$TMP/clone" archive --format=tar.gz --prefix="luaipc-$VERSION/" \
  -o "$TMP/v$VERSION.tar.gz" HEAD || fail "git archive"

# Copies of the two rockspecs whose source is the clone.
mkdir "$TMP/specs" "$TMP/elsewhere"
url_re='^\(source = {\)\{0,1\}\( *\)url = "[^"]*"'
sed "s|$url_re|\1\2url = \"file://$TMP/v$VERSION.tar.gz\"|" \
  "luaipc-$VERSION-1.rockspec" >"$TMP/specs/luaipc-$VERSION-1.rockspec"
sed "s|$url_re|\1\2url = \"git+file://$TMP/clone\"|" \
  luaipc-scm-1.rockspec >"$TMP/specs/luaipc-scm-1.rockspec"
for v in "$VERSION-1" scm-1; do
  grep -q "url = \"[^\"]*file://$TMP/" "$TMP/specs/luaipc-$v.rockspec" ||
    fail "could not point luaipc-$v.rockspec's source.url at the clone"
done

for v in "$VERSION-1" scm-1; do
  step "luarocks pack and build of luaipc-$v.rockspec"
  (cd "$TMP/specs" && quiet rocks pack "luaipc-$v.rockspec") || fail "luarocks pack luaipc-$v"
  [ -f "$TMP/specs/luaipc-$v.src.rock" ] || fail "luarocks pack made no luaipc-$v.src.rock"
  (cd "$TMP/elsewhere" && quiet rocks build --tree "$TMP/tree-$v" "$TMP/specs/luaipc-$v.src.rock") ||
    fail "luarocks build luaipc-$v.src.rock"
  check_tree "$TMP/tree-$v" "${MODULES[@]}"
  check_elf "$TMP/tree-$v/lib/lua/5.4/ipc.so"
done

step "make install PREFIX=/tmp/x DESTDIR=... and make uninstall"
STAGE=$TMP/stage
mkdir "$STAGE"
quiet make -C "$TMP/clone" install PREFIX=/tmp/x DESTDIR="$STAGE" || fail "make install"
# Exactly ipc.so and the Lua modules, in Lua's layout under the prefix.
expected=(tmp/x/lib/lua/5.4/ipc.so)
for m in "${MODULES[@]}"; do expected+=("tmp/x/share/lua/5.4/${m//.//}.lua"); done
installed=$(cd "$STAGE" && find . -type f | sed 's|^\./||' | sort)
[ "$installed" = "$(printf '%s\n' "${expected[@]}" | sort)" ] ||
  fail "make install wrote [$installed], not [${expected[*]}]"
check_elf "$STAGE/tmp/x/lib/lua/5.4/ipc.so" stripped
(cd "$TMP/empty" && env -u LUA_INIT -u LUA_PATH_5_4 -u LUA_CPATH_5_4 \
  LUA_PATH="$STAGE/tmp/x/share/lua/5.4/?.lua;;" LUA_CPATH="$STAGE/tmp/x/lib/lua/5.4/?.so;;" \
  lua5.4 "$CHECK" "$STAGE" "$VERSION" "${MODULES[@]}") >>"$LOG" 2>&1 ||
  fail "the modules make install installed do not load as they should"
quiet make -C "$TMP/clone" uninstall DESTDIR="$STAGE" || fail "make uninstall"
left=$(cd "$STAGE" && find . -mindepth 1)
[ -z "$left" ] || fail "make uninstall left: $left"

echo "packaging: all checks passed"
