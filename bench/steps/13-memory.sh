#!/usr/bin/env bash
# Memory (PSS summed over the app and all its WebKit processes, from /proc/*/smaps_rollup) of the
# kiosk with a 500-dish menu with pictures after browsing every category, beside an empty Tauri
# window measured the same way (both through tauri-driver + WebKitWebDriver under Xvfb), in
# alternating rounds. Both are built the same way (release by default; see bench/windows.sh).
# Writes bench/results/13-memory.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d tests/e2e/node_modules/webdriverio ] || npm --prefix tests/e2e install --no-audit --no-fund --silent
cargo build --release -q -p kiosk-bench
source bench/windows.sh
SEED=target/bench/seed-500
[ -f "$SEED/kiosk.toml" ] || target/release/kiosk-bench seed --dishes 500 --dir "$SEED"
export KIOSK_APP_BIN=$(realpath "$APP") EMPTY_BIN=$(realpath "$EMPTY") BENCH_PROFILE
export KIOSK_CONFIG=$(realpath "$SEED/kiosk.toml") KIOSK_POS_TOKEN=bench
export WEBKIT_DISABLE_DMABUF_RENDERER=1
xvfb-run -a -s '-screen 0 1080x1920x24' node bench/steps/13-memory.mjs
