#!/usr/bin/env bash
# Runs every test: native cargo tests, wasm tests in headless Chromium (WebGPU via SwiftShader and
# CPU), and Playwright end-to-end tests of the page. Installs what it needs first.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" --browser

step "native tests"
cargo test --workspace
cargo build -p circuitscope-cli --bin circuitscope
export CIRCUITSCOPE_BIN="$CARGO_TARGET_DIR/debug/circuitscope"

step "wasm tests in headless Chromium"
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
  cargo test -p circuitscope-web --target wasm32-unknown-unknown --profile wasm

"$ROOT/scripts/build-wasm.sh"
step "page unit tests, build and end-to-end tests"
npm run --silent test:unit
npm run --silent build:web
node --test --test-concurrency=1 tests/e2e/
