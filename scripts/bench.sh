#!/usr/bin/env bash
# `make bench`: runs every benchmark step in bench/steps/ (in name order). Each step prints a
# table with its targets and writes bench/results/<name>.json; a step exits non-zero when it
# cannot run, never because a target was missed (targets are reported, not asserted).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
failed=0
for step in bench/steps/*.sh; do
  [ -e "$step" ] || continue
  echo "=== bench: $(basename "$step" .sh)"
  if ! bash "$step"; then
    echo "bench: $(basename "$step") could not run" >&2
    failed=1
  fi
done
exit $failed
