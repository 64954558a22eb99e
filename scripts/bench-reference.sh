#!/usr/bin/env bash
# Benchmark by hand (never part of the test suite): a full ACDC run, circuitscope against the
# reference Python implementation (ArthurConmy/Automatic-Circuit-Discovery at bc99ace8, run
# unmodified through tests/reference/run_reference.py), on the same random 2-layer, 8-head model
# in the ACDC paper's induction shape (d_model 512, d_vocab 48262) and the same 40 rows × 40
# tokens; KL at the last position, resample ablation, τ 0.1; each side 3 times, alternating, both
# on the same number of CPU threads. Prints one line per run and the medians, their ratio and
# whether the two circuits are the same edge for edge. Details: scripts/bench_reference.py.
#
#   scripts/bench-reference.sh [--runs 3] [--threads 2] [--tau 0.1] [--only reference|circuitscope]
#
# Environment:
#   ACDC_PYTHON   python with torch==1.13.1, transformer_lens==1.6.1, safetensors
#                 (default /work/venvs/attr/bin/python; tests/reference/attribution/README.md)
#   ACDC_REF      reference checkout at bc99ace8 (default /tmp/acdc-ref)
#   CIRCUITSCOPE  the CLI (default $CARGO_TARGET_DIR/release/circuitscope;
#                 build it with `cargo build --release -p circuitscope-cli`)
#   BENCH_DIR     where the ~200 MB model, the data and the run outputs go (default
#                 ${TMPDIR:-/tmp}/circuitscope-bench-reference; reused between runs)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

ACDC_PYTHON="${ACDC_PYTHON:-/work/venvs/attr/bin/python}"
ACDC_REF="${ACDC_REF:-/tmp/acdc-ref}"
CIRCUITSCOPE="${CIRCUITSCOPE:-$CARGO_TARGET_DIR/release/circuitscope}"
BENCH_DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/circuitscope-bench-reference}"

die() { printf 'bench-reference: %s\n' "$*" >&2; exit 2; }

[[ -x "$ACDC_PYTHON" ]] || die "no python at ACDC_PYTHON=$ACDC_PYTHON (a venv with torch==1.13.1, transformer_lens==1.6.1, safetensors; see tests/reference/attribution/README.md)"
"$ACDC_PYTHON" -c 'import torch, transformer_lens, safetensors' 2>/dev/null \
  || die "ACDC_PYTHON=$ACDC_PYTHON cannot import torch, transformer_lens and safetensors"
[[ -f "$ACDC_REF/acdc/TLACDCExperiment.py" ]] \
  || die "no reference checkout at ACDC_REF=$ACDC_REF (want ArthurConmy/Automatic-Circuit-Discovery at bc99ace8, e.g. git clone it and git checkout bc99ace8)"
[[ -x "$CIRCUITSCOPE" ]] \
  || die "no circuitscope binary at CIRCUITSCOPE=$CIRCUITSCOPE (cargo build --release -p circuitscope-cli)"
ref_commit="$(git -C "$ACDC_REF" rev-parse HEAD 2>/dev/null || echo unknown)"
[[ "$ref_commit" == bc99ace8* ]] \
  || printf 'bench-reference: warning: ACDC_REF is at commit %s, not bc99ace8\n' "$ref_commit" >&2
case "$BENCH_DIR" in
  "$ROOT"|"$ROOT"/*) die "BENCH_DIR=$BENCH_DIR is inside the repository; the weights are ~200 MB, put them elsewhere" ;;
esac

exec "$ACDC_PYTHON" "$ROOT/scripts/bench_reference.py" --reference "$ACDC_REF" \
  --circuitscope "$CIRCUITSCOPE" --work "$BENCH_DIR" "$@"
