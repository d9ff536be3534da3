#!/bin/sh
# Fetches Debian 12's source packages through a private apt state under
# $OUT/apt, without changing the system's apt configuration (it is only
# read, to find the Debian mirror; DEBIAN_MIRROR overrides it). Sourced by
# the deps/ scripts: `fetch_sources PACKAGE...` unpacks each package into
# $OUT/src/<package> unless it is there already. Needs $OUT and say().

# The first Debian "bookworm" source of the system's apt configuration, in
# either format; the archive's usual address when there is none.
system_mirror() {
  {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed 's/\[[^]]*\]//' |
      awk '($1 == "deb" || $1 == "deb-src") && $3 == "bookworm" { print $2 }'
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'BEGIN { RS = ""; FS = "\n" }
        { uri = ""; ok = 0
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^URIs:/) { split($i, u, " "); uri = u[2] }
            if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) ok = 1
          }
          if (ok && uri != "") print uri }' "$f"
    done
  } | head -n 1
}

apt_private() {
  apt-get -q -o Dir::Etc::SourceList="$OUT/apt/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$OUT/apt/lists" \
    -o Dir::Cache="$OUT/apt/cache" \
    -o APT::Sandbox::User="$(id -un)" "$@"
}

# Downloads the source packages and unpacks each into src/<package>. When
# the mirror lacks a Debian packaging tarball the upstream one (checked
# against the package's hashes by apt) is used as it is.
fetch_sources() {
  todo=""
  for p in "$@"; do [ -d "$OUT/src/$p" ] || todo="$todo $p"; done
  [ -z "$todo" ] && return 0
  mirror=${DEBIAN_MIRROR:-$(system_mirror)}
  mirror=${mirror:-http://deb.debian.org/debian}
  say "fetching source packages$todo from $mirror"
  mkdir -p "$OUT/apt/lists/partial" "$OUT/apt/cache/archives/partial" \
    "$OUT/src/dl"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
    "$mirror bookworm main" > "$OUT/apt/sources.list"
  apt_private update >/dev/null
  for p in $todo; do
    (cd "$OUT/src/dl" && apt_private source --download-only "$p" \
       >/dev/null 2>&1) || true
    dsc=$(find "$OUT/src/dl" -name "${p}_*.dsc" | head -n 1)
    [ -n "$dsc" ] || { say "no source package $p" >&2; exit 1; }
    rm -rf "$OUT/src/$p.tmp"
    if ! dpkg-source -q --no-check -x "$dsc" "$OUT/src/$p.tmp" \
         >/dev/null 2>&1; then
      orig=$(find "$OUT/src/dl" -name "${p}_*.orig.tar.*" | head -n 1)
      say "$p: Debian's packaging is not on the mirror, using $(basename "$orig")"
      rm -rf "$OUT/src/$p.tmp" && mkdir -p "$OUT/src/$p.tmp"
      tar -xf "$orig" -C "$OUT/src/$p.tmp" --strip-components=1
    fi
    mv "$OUT/src/$p.tmp" "$OUT/src/$p"
  done
}

