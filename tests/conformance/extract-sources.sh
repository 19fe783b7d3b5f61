#!/bin/sh
# Extracts from Debian's linux-source-6.1 only the files the conformance suites need, into
#   DEST/tools/include/nolibc/                         nolibc (header-only libc)
#   DEST/tools/testing/selftests/nolibc/nolibc-test.c
#   DEST/tools/testing/selftests/kselftest.h
#   DEST/tools/testing/selftests/{vm,mm}/map_fixed_noreplace.c   (vm/ in 6.1, mm/ later)
# Nothing extracted is committed (DEST is under build/ or .cache/, both git-ignored).
#
#   tests/conformance/extract-sources.sh DEST
#
# The tarball comes from /usr/src/linux-source-6.1.tar.xz when the package is installed,
# otherwise from `apt-get download linux-source-6.1` into .cache/linux-source/ (nothing is
# installed on the host).
set -eu
dest=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=$root/.cache/linux-source

tarball=/usr/src/linux-source-6.1.tar.xz
if [ ! -f "$tarball" ]; then
  tarball=$cache/usr/src/linux-source-6.1.tar.xz
  if [ ! -f "$tarball" ]; then
    mkdir -p "$cache"
    deb=$(ls "$cache"/linux-source-6.1_*.deb 2>/dev/null | tail -1 || true)
    if [ -z "$deb" ]; then
      echo "extract-sources: apt-get download linux-source-6.1 (about 140 MB)" >&2
      if ! (cd "$cache" && apt-get download linux-source-6.1 >&2 2>"$cache/apt.log"); then
        echo "extract-sources: package lists may be empty; running apt-get update" >&2
        apt-get update >&2
        (cd "$cache" && apt-get download linux-source-6.1 >&2)
      fi
      deb=$(ls "$cache"/linux-source-6.1_*.deb | tail -1)
    fi
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache" ./usr/src/linux-source-6.1.tar.xz
  fi
fi

echo "extract-sources: extracting the suites from $tarball" >&2
tmp=$dest.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
tar -xJf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
  '*/tools/include/nolibc/*' \
  '*/tools/testing/selftests/nolibc/nolibc-test.c' \
  '*/tools/testing/selftests/kselftest.h' \
  '*/tools/testing/selftests/*/map_fixed_noreplace.c'
for f in tools/include/nolibc/nolibc.h tools/testing/selftests/nolibc/nolibc-test.c \
         tools/testing/selftests/kselftest.h; do
  [ -f "$tmp/$f" ] || { echo "extract-sources: $f missing from the tarball" >&2; exit 1; }
done
ls "$tmp"/tools/testing/selftests/*/map_fixed_noreplace.c >/dev/null
rm -rf "$dest"
mv "$tmp" "$dest"
