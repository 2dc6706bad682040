#!/usr/bin/env bash
# Cold start under Xvfb, median of 5: the kiosk from its snapshot and picture cache (500-dish
# generated menu, POS gone) to the menu's first picture on screen, beside an empty Tauri window
# built the same way (debug + custom-protocol, like `make app`). Writes
# bench/results/12-cold-start.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=${KIOSK_APP_BIN:-target/debug/kiosk-app}
[ -x "$APP" ] || { echo "no $APP: run 'make app' first" >&2; exit 1; }
cargo build --release -q -p kiosk-bench
# The empty window: same Tauri, same profile and features as the app; never part of `make test`.
cargo build -q -p kiosk-bench --bin empty-window --features kiosk-bench/bench-window,kiosk-bench/custom-protocol
SEED=target/bench/seed-500
target/release/kiosk-bench seed --dishes 500 --dir "$SEED"
xvfb-run -a -s '-screen 0 1080x1920x24' \
  target/release/kiosk-bench coldstart --app "$APP" --empty target/debug/empty-window \
  --config "$SEED/kiosk.toml" --runs 5 --out bench/results
