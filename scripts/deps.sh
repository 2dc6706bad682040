#!/usr/bin/env bash
# Installs what building, running and testing the kiosk needs, and only what is missing:
# Debian packages (WebKitGTK, Xvfb, the WebKit WebDriver, keyring tools), tauri-driver, and the
# npm packages of the UI and of the end-to-end tests. Safe to run again: it checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # building the Tauri app
  libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev file curl
  # running headless, end-to-end tests, screenshots
  xvfb xauth webkit2gtk-driver x11-utils xdotool imagemagick matchbox-window-manager
  fonts-dejavu-core
  # the OS keyring (Secret Service) for secrets; kiosk-engine's tests/keyring.rs runs a real
  # gnome-keyring-daemon in private sessions started with dbus-run-session (package dbus-daemon)
  dbus dbus-daemon dbus-x11 gnome-keyring libsecret-tools
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node: vite 8 needs node 20.19 or newer.
if ! command -v node >/dev/null; then
  echo "deps: Node.js 20.19+ is required (with npm 10+) and is not installed" >&2
  exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  echo "deps: Node.js 20.19+ is required, found $(node --version)" >&2
  exit 1
}

# tauri-driver (pinned to 2.x: crates.io already has a 3.0 alpha).
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "deps: installing tauri-driver 2.x (about a minute)"
  cargo install tauri-driver --version '^2' --locked --quiet
fi

# npm packages, reinstalled only when the lock file changed.
npm_install() {
  local dir=$1
  local stamp="$dir/node_modules/.kiosk-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}
npm_install ui
npm_install tests/e2e
