#!/bin/sh
# Installs the Debian packages luaipc needs to build, test and benchmark.
# Idempotent: when everything is present it returns at once.
set -eu

PACKAGES="lua5.4 liblua5.4-dev libuv1-dev lua-luv lua-luv-dev lua-busted
pkg-config cmake make g++ valgrind clang libclang-rt-14-dev lua-cqueues dpkg-dev"

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
