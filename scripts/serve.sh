#!/usr/bin/env bash
# Builds and serves the playground on localhost with the shipped default model.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build-wasm.sh"
step "building the page"
npm run --silent build:web
port="${PORT:-5173}"
step "serving on http://localhost:$port/  (Ctrl-C stops)"
exec node_modules/.bin/vite preview --config www/vite.config.ts --host 127.0.0.1 --port "$port" --strictPort
