#!/usr/bin/env bash
# Cold start under Xvfb, median of 9 (BENCH_RUNS; 5 proved too few on a shared machine): the
# kiosk from its snapshot and picture cache (500-dish generated menu, POS gone) to the menu's
# first picture on screen, beside an empty Tauri window built the same way (release by default,
# BENCH_PROFILE=debug for the `make app` build; see bench/windows.sh), runs alternating.
# Writes bench/results/12-cold-start.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p kiosk-bench
source bench/windows.sh
SEED=target/bench/seed-500
target/release/kiosk-bench seed --dishes 500 --dir "$SEED"
xvfb-run -a -s '-screen 0 1080x1920x24' \
  target/release/kiosk-bench coldstart --app "$APP" --empty "$EMPTY" \
  --config "$SEED/kiosk.toml" --runs "${BENCH_RUNS:-9}" --out bench/results
