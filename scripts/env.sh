# Sourced by the other scripts: one cargo target directory outside the checkout, so later runs on
# the same machine (and CI after a session) reuse burn's build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/circuitscope/target}"
export PATH="$HOME/.cargo/bin:$PATH"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/lib/chromium/chromium}"
export CHROMIUM_PATH
step() { printf '\n==> %s\n' "$*" >&2; }
# The nightly toolchain the threaded wasm build uses (build-std; scripts/setup.sh installs it).
export NIGHTLY="${NIGHTLY:-nightly-2026-05-20}"
