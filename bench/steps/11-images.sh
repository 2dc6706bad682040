#!/usr/bin/env bash
# The picture pipeline over 500 generated 1600×1200 JPEGs: pictures and thumbnails per second
# and the peak memory. The pictures are drawn once into target/ and kept (drawing is slow), in
# their own process so the measured peak is the pipeline's. Writes bench/results/11-images.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p kiosk-bench
PICS=target/bench/pictures-1600x1200
target/release/kiosk-bench images-gen "$PICS" 500
target/release/kiosk-bench images "$PICS" --out bench/results
