#!/usr/bin/env bash
# Frame timing while scrolling a 500-dish grid with pictures in the real kiosk window (dropped
# frames at 60 Hz, cold and warm pictures). Writes bench/results/ui-scroll.json.
# Needs `make app` (the debug app with the UI embedded, and pos-sim); runs under Xvfb with its
# own tauri-driver (tests/e2e/with-driver.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=${KIOSK_APP_BIN:-target/debug/kiosk-app}
SIM=${KIOSK_SIM_BIN:-target/debug/pos-sim}
for bin in "$APP" "$SIM"; do [ -x "$bin" ] || { echo "no $bin: run 'make app' first" >&2; exit 1; }; done
[ -d tests/e2e/node_modules/webdriverio ] || npm --prefix tests/e2e install --no-audit --no-fund --silent
export KIOSK_APP_BIN=$(realpath "$APP") KIOSK_SIM_BIN=$(realpath "$SIM")
# The simulator's demo token; real kiosks read theirs from the OS keyring.
. tests/e2e/sim-token.sh
tests/e2e/with-driver.sh node bench/steps/21-ui-scroll.mjs
