#!/usr/bin/env bash
# Runs a command with a virtual display (Xvfb, 1920x1920) and one tauri-driver on a free pair of
# ports (exported as TAURI_DRIVER_PORT), for scripts that drive the real kiosk window outside the
# test runner (the UI benchmarks). Usage: tests/e2e/with-driver.sh COMMAND [ARGS...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export WEBKIT_DISABLE_DMABUF_RENDERER=1
TAURI_DRIVER=$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")

in_use() { (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

if [ -z "${WITH_DRIVER_INNER:-}" ]; then
  export WITH_DRIVER_INNER=1
  exec xvfb-run -a -s '-screen 0 1920x1920x24' "$0" "$@"
fi

for p in $(seq 4480 2 4680); do
  if ! in_use "$p" && ! in_use $((p + 1)); then TAURI_DRIVER_PORT=$p; break; fi
done
export TAURI_DRIVER_PORT
mkdir -p "$HERE/artifacts"
"$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port $((TAURI_DRIVER_PORT + 1)) >"$HERE/artifacts/tauri-driver-bench.log" 2>&1 &
DRIVER_PID=$!
trap 'kill $DRIVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do in_use "$TAURI_DRIVER_PORT" && break; sleep 0.1; done
kill -0 "$DRIVER_PID" 2>/dev/null || { echo "tauri-driver did not start" >&2; exit 1; }
"$@"
