#!/usr/bin/env bash
# Builds the wasm module for the page into www/src/pkg and prints the transfer sizes (gzip) of
# the wasm and of the default model.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step "building the wasm module (burn: slow the first time)"
cargo build -p circuitscope-web --lib --target wasm32-unknown-unknown --profile wasm
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/circuitscope_web.wasm"
out=www/src/pkg
mkdir -p "$out"
wasm-bindgen --target web --remove-name-section --out-name circuitscope --out-dir "$out" "$wasm"
step "wasm-opt -Oz (binaryen from npm; Debian's breaks wasm-bindgen output)"
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/circuitscope_bg.wasm" -o "$out/circuitscope_bg.opt.wasm"
mv "$out/circuitscope_bg.opt.wasm" "$out/circuitscope_bg.wasm"

size() { printf '%10d bytes raw %10d bytes gzip  %s\n' "$(stat -c%s "$1")" "$(gzip -9c "$1" | wc -c)" "$1"; }
step "transfer sizes"
size "$out/circuitscope_bg.wasm"
default_model=$(node -e 'console.log(require("./package.json").circuitscope.defaultModel)')
for f in models/"$default_model"/*; do size "$f"; done
