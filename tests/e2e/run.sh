#!/usr/bin/env bash
# Runs the end-to-end suite against the real kiosk window: a virtual display (Xvfb), one
# tauri-driver for all tests (each test opens its own app through WebDriver), node's test runner.
# Usage: tests/e2e/run.sh APP_BINARY SIM_BINARY
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export KIOSK_APP_BIN=$(realpath "${1:-target/debug/kiosk-app}")
export KIOSK_SIM_BIN=$(realpath "${2:-target/debug/pos-sim}")
# The simulator's demo token; real kiosks read theirs from the OS keyring.
. "$HERE/sim-token.sh"
# The payment simulators' keys (tests/e2e/specs/pay-*.test.mjs start pay-sim with them and the
# kiosk reads them through --secret-env); real kiosks keep theirs in the OS keyring.
export KIOSK_PAY_KEY=KioskE2eTerminal KIOSK_PAY_SECRET=kiosk-e2e-secret
export WEBKIT_DISABLE_DMABUF_RENDERER=1
TAURI_DRIVER=$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")

in_use() { (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

inner() {
  # A driver someone else left running on the port would silently run our tests on its own
  # display: take a pair of free ports instead (tauri-driver needs PORT and PORT+1).
  if [ -z "${TAURI_DRIVER_PORT:-}" ]; then
    for p in $(seq 4444 2 4640); do
      if ! in_use "$p" && ! in_use $((p + 1)); then TAURI_DRIVER_PORT=$p; break; fi
    done
  fi
  export TAURI_DRIVER_PORT
  "$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port $((TAURI_DRIVER_PORT + 1)) >"$HERE/artifacts/tauri-driver.log" 2>&1 &
  DRIVER_PID=$!
  trap 'kill $DRIVER_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do in_use "$TAURI_DRIVER_PORT" && break; sleep 0.1; done
  kill -0 "$DRIVER_PID" 2>/dev/null || { echo "tauri-driver did not start (port $TAURI_DRIVER_PORT)" >&2; cat "$HERE/artifacts/tauri-driver.log" >&2; exit 1; }
  cd "$HERE"
  # E2E_SPECS narrows the run, e.g. E2E_SPECS="specs/cart.test.mjs".
  # shellcheck disable=SC2086
  node --test --test-concurrency=1 --test-reporter=spec ${E2E_SPECS:-specs/}
}

mkdir -p "$HERE/artifacts"
if [ -n "${E2E_INNER:-}" ]; then
  inner
else
  # xvfb-run is a POSIX sh script that drops exported bash functions: re-enter this script.
  export E2E_INNER=1
  exec xvfb-run -a -s '-screen 0 1920x1920x24' "$0" "$@"
fi
