#!/usr/bin/env bash
# Builds the kiosk's release packages with the Tauri bundler: a .deb and an AppImage, with the
# icons from icons/. `make package` runs this, then scripts/package-check.sh.
#
# tauri.conf.json stays at the repository root, the single source. The Tauri CLI wants the
# config beside the app crate with paths relative to it (shared/stack.md §3, option B), so this
# writes src-tauri/tauri.conf.json from the root file with its paths rewritten, uses it for the
# build and removes it afterwards. Plain cargo builds keep reading the root file (build.rs).
#
# The AppImage step needs two prebuilt tools that the bundler (tauri-bundler 2.10) downloads
# from github.com into ~/.cache/tauri the first time, and nothing on crates.io or Debian ships:
#   AppRun-x86_64                       (tauri-apps/binary-releases, tag apprun-old)
#   linuxdeploy-07333c6-x86_64.AppImage (tauri-apps/binary-releases, tag linuxdeploy-07333c6)
# (and, optionally, linuxdeploy-plugin-appimage-x86_64.AppImage). Where github.com cannot be
# reached the .deb is still built and the AppImage is reported as not built (REQUIRE_APPIMAGE=1
# makes that an error); copying those files into ~/.cache/tauri beforehand makes it work offline.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo tauri --version 2>/dev/null | grep -q '^tauri-cli 2\.'; then
  echo "package: installing tauri-cli 2.x from crates.io (about 12 minutes on 2 cores, once)"
  cargo install tauri-cli --version '^2' --locked --quiet
fi
echo "package: $(cargo tauri --version)"

echo "package: building the UI"
npm --prefix ui run build --silent

# kioskctl goes into the .deb beside the app (bundle.linux.deb.files), for `kioskctl doctor`.
echo "package: building kioskctl (release)"
cargo build --release -p kioskctl --quiet

GENERATED=src-tauri/tauri.conf.json   # ignored by git: never edit it, edit the root file
trap 'rm -f "$GENERATED"' EXIT
node -e '
  const fs = require("fs");
  const c = JSON.parse(fs.readFileSync("tauri.conf.json", "utf8"));
  const up = (p) => "../" + p;
  c.build.frontendDist = up(c.build.frontendDist);
  c.bundle.icon = c.bundle.icon.map(up);
  const deb = c.bundle.linux && c.bundle.linux.deb;
  if (deb && deb.files) for (const k of Object.keys(deb.files)) deb.files[k] = up(deb.files[k]);
  fs.writeFileSync(process.argv[1], JSON.stringify(c, null, 2));
' "$GENERATED"

export TAURI_APP_PATH=src-tauri TAURI_FRONTEND_PATH=ui
echo "package: building the release app and the .deb"
cargo tauri build --ci --bundles deb

echo "package: building the AppImage"
if cargo tauri build --ci --bundles appimage >target/appimage-build.log 2>&1; then
  echo "package: AppImage built"
else
  echo "package: the AppImage was NOT built; the bundler said:" >&2
  grep -iE "error|fail|download|linuxdeploy" target/appimage-build.log | tail -5 >&2 || tail -5 target/appimage-build.log >&2
  echo "package: (full log: target/appimage-build.log). The AppImage bundler downloads AppRun-x86_64" >&2
  echo "package: and linuxdeploy-07333c6-x86_64.AppImage from github.com into ~/.cache/tauri;" >&2
  echo "package: copy them there to build the AppImage without that access (see this script's header)." >&2
  if [ "${REQUIRE_APPIMAGE:-0}" = 1 ]; then exit 1; fi
fi

echo "package: results"
ls -l target/release/bundle/deb/*.deb target/release/bundle/appimage/*.AppImage 2>/dev/null || true
