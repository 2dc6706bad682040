#!/usr/bin/env bash
# Checks the .deb that scripts/package.sh built, the way a fresh Debian 12 kiosk would get it:
# its metadata and dependencies (each must be a package Debian has), its files, and that the
# installed binaries start: it unpacks the package into a throwaway root (`dpkg -x`) and runs
# `kiosk-app --version` and `kioskctl --version` from there, with every shared library found.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || { echo "package-check: no .deb in target/release/bundle/deb: run make package" >&2; exit 1; }
echo "package-check: $DEB ($(du -h "$DEB" | cut -f1))"

fail() { echo "package-check: FAIL: $*" >&2; exit 1; }

dpkg-deb --info "$DEB" | sed -n '/Package:/,$p'
depends=$(dpkg-deb --field "$DEB" Depends)
[ -n "$depends" ] || fail "the package declares no dependencies"
for dep in $(echo "$depends" | tr ',' '\n' | sed 's/(.*)//; s/|.*//' | xargs); do
  apt-cache show "$dep" >/dev/null 2>&1 || fail "dependency $dep is not a Debian package here (apt-get update?)"
done
echo "package-check: dependencies known to apt: $depends"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
dpkg -x "$DEB" "$ROOT"
for f in usr/bin/kiosk-app usr/bin/kioskctl; do
  [ -x "$ROOT/$f" ] || fail "$f missing or not executable"
done
ls "$ROOT"/usr/share/applications/*.desktop >/dev/null 2>&1 || fail "no .desktop file"
ls "$ROOT"/usr/share/icons/hicolor/*/apps/* >/dev/null 2>&1 || fail "no icons"

if ldd "$ROOT/usr/bin/kiosk-app" | grep -q "not found"; then
  ldd "$ROOT/usr/bin/kiosk-app" | grep "not found" >&2
  fail "kiosk-app needs libraries that are not installed"
fi
want=$(grep -m1 '"version"' tauri.conf.json | sed 's/.*: *"\(.*\)".*/\1/')
got=$("$ROOT/usr/bin/kiosk-app" --version) || fail "kiosk-app --version failed"
[ "$got" = "kiosk-app $want" ] || fail "kiosk-app --version said '$got', expected 'kiosk-app $want'"
got_ctl=$("$ROOT/usr/bin/kioskctl" --version) || fail "kioskctl --version failed"
echo "package-check: $got; $got_ctl"
echo "package-check: release binary $(du -h "$ROOT/usr/bin/kiosk-app" | cut -f1), installed size $(du -sh "$ROOT" | cut -f1)"

APPIMAGE=$(ls -t target/release/bundle/appimage/*.AppImage 2>/dev/null | head -1 || true)
if [ -n "$APPIMAGE" ]; then
  "$APPIMAGE" --appimage-extract-and-run --version 2>/dev/null | grep -q "kiosk-app $want" \
    && echo "package-check: $APPIMAGE runs ($(du -h "$APPIMAGE" | cut -f1))" \
    || fail "$APPIMAGE --version failed"
else
  echo "package-check: no AppImage to check (see make package's output)"
fi
echo "package-check: ok"
