#!/usr/bin/env bash
# Installs what building and testing need, quickly when it already is:
# the wasm target, the pinned nightly with rust-src (the threaded wasm build), wasm-bindgen-cli at
# Cargo.lock's version, npm packages, and (with --browser) Debian's Chromium and ChromeDriver.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The threaded wasm build (scripts/build-wasm.sh) compiles std with atomics: nightly's build-std.
if ! rustup "+$NIGHTLY" component list --installed 2>/dev/null | grep -q '^rust-src'; then
  step "installing Rust $NIGHTLY with rust-src (for the threaded wasm build; once)"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src
fi

wb_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb_version"; then
  step "installing wasm-bindgen-cli $wb_version (a few minutes, once)"
  # Not --locked: the registry lacks one of its locked dependency versions.
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

if [ ! -x node_modules/.bin/vite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ] && { [ ! -x "$CHROMIUM_PATH" ] || ! command -v chromedriver >/dev/null; }; then
  step "installing Debian's chromium and chromium-driver"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
fi
