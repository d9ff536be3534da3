#!/bin/sh
# Installs the Debian 12 packages luaipc needs.
#   deps/install.sh          what building and using it needs
#   deps/install.sh --test   that, and what make test needs on top
#   deps/install.sh --list [--test]   prints the package names, installs nothing
# Idempotent: when everything is present it returns at once.
set -eu

# Building ipc.so (g++, CMake, pkg-config, the Lua 5.4 and libuv headers)
# and running it (lua5.4).
BUILD="lua5.4 liblua5.4-dev libuv1-dev pkg-config cmake make g++"
# make test: the busted suite, valgrind, clang's libFuzzer and sanitizer
# runtimes for the fuzzing smoke, luv and cqueues for the specs inside
# those event loops, dpkg-dev for the second libuv of make test-other-libuv
# (deps/libuv-static.sh), luarocks and git for the packaging checks, and
# musl's headers with libc++'s for the compile check of make check-musl.
TEST="lua-busted valgrind clang libclang-rt-14-dev lua-luv lua-cqueues dpkg-dev
luarocks git clang-format musl-dev libc++-14-dev"

PACKAGES=$BUILD
LIST=""
for a in "$@"; do
  case "$a" in
    --test) PACKAGES="$BUILD $TEST" ;;
    --list) LIST=1 ;;
    *) echo "usage: deps/install.sh [--test] [--list]" >&2; exit 2 ;;
  esac
done

if [ -n "$LIST" ]; then
  # shellcheck disable=SC2086 # one line, one space between names
  echo $PACKAGES
  exit 0
fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=$(command -v sudo || true)
  if [ -z "$SUDO" ]; then
    echo "deps: missing packages:$missing" >&2
    echo "deps: run this script as root (or install sudo) to install them" >&2
    exit 1
  fi
else
  SUDO=""
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
