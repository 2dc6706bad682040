#!/usr/bin/env bash
# Starts the kiosk in demo mode. With no display it starts a virtual one (Xvfb, portrait
# 1080x1920 like a kiosk screen) and says so; a screenshot of it can be taken with
# `import -display :N -window root shot.png`.
set -euo pipefail
APP=${1:-target/debug/kiosk-app}
shift || true

if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 90 99); do [ -e "/tmp/.X11-unix/X$n" ] || { DISP=":$n"; break; }; done
  echo "run: no display found; starting the kiosk on a virtual display ${DISP} (Xvfb 1080x1920)."
  echo "run: take a screenshot with: DISPLAY=${DISP} import -window root kiosk.png"
  Xvfb "$DISP" -screen 0 1080x1920x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB=$!
  trap 'kill $XVFB 2>/dev/null || true' EXIT
  export DISPLAY=$DISP
  for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
  matchbox-window-manager -use_titlebar no >/dev/null 2>&1 &
fi
# Software rendering is the reliable choice on kiosk PCs without a GPU driver.
export WEBKIT_DISABLE_DMABUF_RENDERER=1
echo "run: starting the kiosk in demo mode against the built-in POS simulator"
"$APP" --demo "$@"
