#!/usr/bin/env bash
# Catalog ingest (ProCart getmenu and Jupiter getTT → checked catalog) of generated menus of
# 500, 5,000 and 20,000 dishes beside a plain serde_json::Value parse of the same bytes.
# Release build: that is what kiosks run. Writes bench/results/10-ingest.{json,png}.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p kiosk-bench
target/release/kiosk-bench ingest --sizes 500,5000,20000 --out bench/results
