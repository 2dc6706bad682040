# The kiosk's two commands: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never

# One feature set for every cargo invocation, so check, test and the app share one build.
FEATURES := --features kiosk-app/custom-protocol
APP := target/debug/kiosk-app
SIM := target/debug/pos-sim

.PHONY: help run test test-long deps ui app fmt-check clippy cargo-test ui-check ui-test bindings check-bindings e2e bench package

help:
	@echo "make run    - install what is missing, build, start the kiosk in demo mode"
	@echo "make test   - every check: fmt, clippy, Rust tests, UI checks, bindings drift, end-to-end"

deps:
	@scripts/deps.sh

ui: deps
	npm --prefix ui run build --silent

app: ui
	cargo build -p kiosk-app -p pos-sim -p printer-sim -p pay-sim -p kioskctl $(FEATURES)

# POS=jupiter runs the demo on the Jupiter simulator instead of r_keeper (ProCart).
# MODE=staff shows the staff tablet, MODE=board the order board display.
# PAY=sbpilot|tbank|yookassa pays through that real provider against its simulator (a card
# terminal's prompts, or an SBP QR that pays itself after a few seconds).
POS ?= procart
MODE ?= customer
PAY ?= simulator
run: app
	scripts/run.sh $(APP) --demo-pos $(POS) --mode $(MODE) --demo-payment $(PAY)

fmt-check:
	cargo fmt --all -- --check

clippy: ui
	cargo clippy --workspace --all-targets $(FEATURES) -- -D warnings

cargo-test: ui
	cargo test --workspace $(FEATURES)

ui-check: deps
	npm --prefix ui run check

ui-test: deps
	npm --prefix ui test

# Regenerates the committed TS bindings from the Rust types.
# Generated into a scratch folder first, so the UI never sees a half-written set.
bindings:
	rm -rf target/bindings-new
	TS_RS_EXPORT_DIR=$(CURDIR)/target/bindings-new cargo test --workspace $(FEATURES) export_bindings -q >/dev/null
	rm -rf ui/src/lib/bindings
	cp -r target/bindings-new ui/src/lib/bindings
	@echo "bindings written to ui/src/lib/bindings"

# Fails when the committed bindings differ from what the Rust types generate.
check-bindings:
	rm -rf target/bindings-check
	TS_RS_EXPORT_DIR=$(CURDIR)/target/bindings-check cargo test --workspace $(FEATURES) export_bindings -q >/dev/null
	@diff -r ui/src/lib/bindings target/bindings-check || { echo "TS bindings drifted from the Rust types: run 'make bindings' and commit"; exit 1; }
	@echo "bindings: up to date"

e2e: app
	tests/e2e/run.sh $(APP) $(SIM)

test: deps fmt-check ui-check ui-test clippy check-bindings cargo-test e2e
	@echo "make test: all checks passed"

# Everything in `make test`, plus the slow variants (the POS down for minutes).
test-long: test
	cargo test -p kioskctl --test fault_matrix $(FEATURES) -- --ignored --nocapture
	cargo test -p kioskctl --test jupiter_fault_matrix $(FEATURES) -- --ignored --nocapture

# Benchmarks: each step in bench/steps/ prints its numbers beside its target and writes
# bench/results/*.json.
bench: app
	scripts/bench.sh

# Release .deb and AppImage with the Tauri bundler, then a check of the .deb unpacked into a
# throwaway root (scripts/package-check.sh). Installs tauri-cli 2.x the first time (~12 min).
package: ui
	scripts/package.sh
	scripts/package-check.sh
