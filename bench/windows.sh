# Sourced by the cold-start and memory steps: builds the kiosk and the empty Tauri window the
# same way and sets APP and EMPTY to them.
#
# BENCH_PROFILE=release (the default) measures what a kiosk runs: `cargo build --release` of
# both, with the UI of `make app` embedded (each is an incremental LTO link of a few minutes
# after a change). BENCH_PROFILE=debug measures the `make app` build instead, beside a debug
# empty window; the debug kiosk binary is ten times the size of the release one, so its code
# alone shows in the memory numbers. KIOSK_APP_BIN overrides the kiosk binary.
export BENCH_PROFILE=${BENCH_PROFILE:-release}
case "$BENCH_PROFILE" in
  release) PROFILE_FLAG=--release; PROFILE_DIR=release ;;
  debug) PROFILE_FLAG=; PROFILE_DIR=debug ;;
  *) echo "BENCH_PROFILE is release or debug, not $BENCH_PROFILE" >&2; exit 1 ;;
esac
[ -f ui/dist/index.html ] || { echo "no ui/dist: run 'make app' first" >&2; exit 1; }
if [ -z "${KIOSK_APP_BIN:-}" ]; then
  cargo build $PROFILE_FLAG -q -p kiosk-app --features kiosk-app/custom-protocol
fi
APP=${KIOSK_APP_BIN:-target/$PROFILE_DIR/kiosk-app}
[ -x "$APP" ] || { echo "no $APP" >&2; exit 1; }
# The empty window: same Tauri, profile and features as the app; never part of `make test`.
cargo build $PROFILE_FLAG -q -p kiosk-bench --bin empty-window \
  --features kiosk-bench/bench-window,kiosk-bench/custom-protocol
EMPTY=target/$PROFILE_DIR/empty-window
