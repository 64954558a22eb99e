#!/usr/bin/env bash
# Builds the page's wasm module three times and prints the transfer sizes (gzip) of each and of
# the default model:
# - www/src/pkg: with WebGPU (and the CPU), one thread;
# - www/src/pkg-cpu: the CPU only, one thread: a quarter of the size (burn's WebGPU compiler is
#   most of the module), for pages that will not use WebGPU and are not cross-origin isolated;
# - www/src/pkg-threads: the CPU only, threads (atomics and a shared memory; rayon's pool on Web
#   Workers through wasm-bindgen-rayon), for cross-origin isolated pages. std itself must be built
#   with atomics, which needs nightly's build-std (the pinned nightly: scripts/env.sh); wgpu could
#   not be in it anyway (its browser objects are not `Send`, which atomics would require).
# The worker loads one of them (www/src/worker/wasm.ts); the first two build on stable Rust.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# wasm-bindgen's glue for a built module into www/src/pkg*/, shrunk by wasm-opt, with a
# package.json naming its entry (wasm-bindgen-rayon's pool workers import their package by folder).
bind() {
  local wasm=$1 out=$2
  shift 2
  mkdir -p "$out"
  wasm-bindgen --target web --remove-name-section --out-name circuitscope --out-dir "$out" "$wasm"
  # binaryen from npm; Debian's breaks wasm-bindgen output.
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue "$@" \
    "$out/circuitscope_bg.wasm" -o "$out/circuitscope_bg.opt.wasm"
  mv "$out/circuitscope_bg.opt.wasm" "$out/circuitscope_bg.wasm"
  printf '{ "name": "circuitscope-wasm", "type": "module", "main": "circuitscope.js", "types": "circuitscope.d.ts" }\n' \
    > "$out/package.json"
}

step "building the one-thread wasm module (burn: slow the first time)"
cargo build -p circuitscope-web --lib --target wasm32-unknown-unknown --profile wasm
step "wasm-bindgen and wasm-opt -Oz: www/src/pkg"
bind "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/circuitscope_web.wasm" www/src/pkg

step "building the CPU-only wasm module"
cargo build -p circuitscope-web --lib --no-default-features --target wasm32-unknown-unknown --profile wasm-cpu
step "wasm-bindgen and wasm-opt -Oz: www/src/pkg-cpu"
bind "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-cpu/circuitscope_web.wasm" www/src/pkg-cpu

step "building the threaded wasm module ($NIGHTLY, build-std; slow the first time)"
# RUSTFLAGS replaces .cargo/config.toml's, so simd128 is named again. The linker is told what
# wasm-bindgen's thread support needs: a shared, imported memory (its maximum the whole 4 GiB a
# wasm32 heap can have, as the one-thread build grows to) and the thread-local storage exports.
RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128" \
  cargo "+$NIGHTLY" rustc -Z build-std=std,panic_abort \
  -p circuitscope-web --lib --no-default-features --crate-type cdylib --target wasm32-unknown-unknown --profile wasm-threads -- \
  -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
  -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base
step "wasm-bindgen and wasm-opt -Oz: www/src/pkg-threads"
bind "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-threads/circuitscope_web.wasm" www/src/pkg-threads --enable-threads

size() { printf '%10d bytes raw %10d bytes gzip  %s\n' "$(stat -c%s "$1")" "$(gzip -9c "$1" | wc -c)" "$1"; }
step "transfer sizes"
size www/src/pkg/circuitscope_bg.wasm
size www/src/pkg-cpu/circuitscope_bg.wasm
size www/src/pkg-threads/circuitscope_bg.wasm
default_model=$(node -e 'console.log(require("./package.json").circuitscope.defaultModel)')
for f in models/"$default_model"/*; do size "$f"; done
