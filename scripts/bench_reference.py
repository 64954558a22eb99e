"""Benchmark: circuitscope's ACDC against the reference Python ACDC on the same weights and data.

Run it through scripts/bench-reference.sh, which checks the environment first. It

1. writes a random model in the ACDC paper's induction shape (2 layers, 8 heads, d_model 512,
   d_head 64, attention only, LN, shortformer, causal, d_vocab 48262, n_ctx 64; normal(0, 0.02)
   weights from a fixed seed, zero biases, LN w = 1, b = 0) and a data set (40 random rows of 40
   tokens from a fixed seed; corrupt = the clean rows under a fixed-point-free permutation; KL at
   the last position) into a work folder outside the repository (reused when already there);
2. runs the reference (tests/reference/run_reference.py, the unmodified reference `step()` loop,
   torch on the CPU with --threads N) and `circuitscope acdc` (rayon, RAYON_NUM_THREADS=N)
   alternately, --runs times each;
3. prints one line per run and a summary: median wall times, the ratio, and whether the two
   circuits are the same edge for edge (tested sequence with decisions, and kept set).

Times: "wall" is the whole process (start-up, imports, weight loading included); "loop" is what
each side times itself: the harness from building TLACDCExperiment (sort pass and corrupted
cache included, the clean base-logits pass of the metric not) to the last step, circuitscope's
`wall_time` from building the run (clean and corrupted caches included) to the end. The summary
uses "loop"; the end-to-end medians follow on a second line.

Forward passes: the reference's are counted by wrapping HookedTransformer.forward in the harness
process (every call: the metric's base pass, the sort pass, the corrupted pass and every metric
evaluation); circuitscope's are its circuit.json `forward_passes` (patched passes) + 2 (the clean
and corrupted runs that fill its caches).

This is a benchmark run by hand, never part of the test suite. Needs torch, safetensors (the
reference venv has both).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "tests" / "reference" / "run_reference.py"

SHAPE = {
    "model_name": "bench-2l8h-paper-shape",
    "n_layers": 2,
    "n_heads": 8,
    "d_model": 512,
    "d_head": 64,
    "d_mlp": None,
    "d_vocab": 48262,
    "d_vocab_out": 48262,
    "n_ctx": 64,
    "act_fn": None,
    "normalization_type": "LN",
    "positional_embedding_type": "shortformer",
    "attention_dir": "causal",
    "attn_only": True,
    "eps": 1e-05,
    "use_attn_scale": True,
    "use_pos_embed": False,
}
WEIGHT_SEED = 0
DATA_SEED = 1
ROWS, TOKENS = 40, 40
STD = 0.02
GENERATOR_VERSION = 1  # bump when the model or data recipe changes


# --------------------------------------------------------------------------
# Model and data
# --------------------------------------------------------------------------


def make_inputs(work: Path) -> tuple[Path, Path]:
    """Write work/model/{config.json,model.safetensors} and work/data.json (reused if current)."""
    import torch
    from safetensors.torch import save_file

    model_dir, data_path, stamp_path = work / "model", work / "data.json", work / "stamp.json"
    stamp = {"version": GENERATOR_VERSION, "shape": SHAPE, "weight_seed": WEIGHT_SEED,
             "data_seed": DATA_SEED, "rows": ROWS, "tokens": TOKENS, "std": STD}
    if (stamp_path.exists() and json.loads(stamp_path.read_text()) == stamp
            and (model_dir / "model.safetensors").exists() and data_path.exists()):
        return model_dir, data_path

    c = SHAPE
    L, H, D, Dh, V, C = c["n_layers"], c["n_heads"], c["d_model"], c["d_head"], c["d_vocab"], c["n_ctx"]
    g = torch.Generator().manual_seed(WEIGHT_SEED)

    def normal(*shape):
        return (torch.randn(*shape, generator=g) * STD).contiguous()

    state = {"embed.W_E": normal(V, D), "pos_embed.W_pos": normal(C, D)}
    for layer in range(L):
        p = f"blocks.{layer}."
        state[p + "ln1.w"] = torch.ones(D)
        state[p + "ln1.b"] = torch.zeros(D)
        for m in "QKV":
            state[p + f"attn.W_{m}"] = normal(H, D, Dh)
            state[p + f"attn.b_{m}"] = torch.zeros(H, Dh)
        state[p + "attn.W_O"] = normal(H, Dh, D)
        state[p + "attn.b_O"] = torch.zeros(D)
    state["ln_final.w"] = torch.ones(D)
    state["ln_final.b"] = torch.zeros(D)
    state["unembed.W_U"] = normal(D, V)
    state["unembed.b_U"] = torch.zeros(V)

    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "config.json").write_text(json.dumps(SHAPE, indent=1) + "\n")
    save_file(state, str(model_dir / "model.safetensors"))

    g = torch.Generator().manual_seed(DATA_SEED)
    clean = torch.randint(0, V, (ROWS, TOKENS), generator=g)
    while True:  # a random fixed-point-free permutation of the rows
        perm = torch.randperm(ROWS, generator=g)
        if not (perm == torch.arange(ROWS)).any():
            break
    data = {"clean": clean.tolist(), "corrupt": clean[perm].tolist(), "corrupt_perm": perm.tolist()}
    data_path.write_text(json.dumps(data) + "\n")
    stamp_path.write_text(json.dumps(stamp) + "\n")
    return model_dir, data_path


# --------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------

# Runs the harness in this process, counting HookedTransformer.forward calls (observation only).
COUNTING_HARNESS = r"""
import atexit, runpy, sys
from transformer_lens import HookedTransformer
calls = [0]
forward = HookedTransformer.forward
def counted(self, *a, **k):
    calls[0] += 1
    return forward(self, *a, **k)
HookedTransformer.forward = counted
atexit.register(lambda: print(f"BENCH_FORWARD_PASSES {calls[0]}", file=sys.stderr))
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def timed(cmd: list, env: dict) -> tuple:
    """Run cmd; return (process, wall seconds, CPU seconds user + sys, 1-minute load average before)."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, wall, cpu, load


def run_reference(py: str, ref: str, model: Path, data: Path, tau: float, threads: int, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=ref + os.pathsep + os.environ.get("PYTHONPATH", ""),
               OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    cmd = [py, "-c", COUNTING_HARNESS, str(HARNESS), "--model", str(model), "--data", str(data),
           "--tau", str(tau), "--metric", "kl", "--threads", str(threads), "--acdc-ref", ref,
           "--out", str(out)]
    proc, wall, cpu, load = timed(cmd, env)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"reference run failed (exit {proc.returncode}): {' '.join(cmd[:2])} ... {' '.join(cmd[3:])}")
    passes = loop = None
    for line in proc.stderr.splitlines():
        if line.startswith("BENCH_FORWARD_PASSES "):
            passes = int(line.split()[1])
        if line.startswith("graph ") and " wall " in line:
            loop = float(line.rsplit(" wall ", 1)[1].split()[0])
    result = json.loads(out.read_text())
    return {"wall": wall, "cpu": cpu, "load": load, "loop": loop, "passes": passes, "result": result}


def run_ours(binary: str, model: Path, data: Path, tau: float, threads: int, out: Path) -> dict:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    cmd = [binary, "acdc", "--model", str(model), "--data", str(data), "--tau", str(tau),
           "--metric", "kl", "--ablation", "resample", "--out", str(out)]
    proc, wall, cpu, load = timed(cmd, env)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"circuitscope run failed (exit {proc.returncode}): {' '.join(cmd)}")
    result = json.loads(out.read_text())
    return {"wall": wall, "cpu": cpu, "load": load, "loop": result["wall_time"], "passes": result["forward_passes"] + 2, "result": result}


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


def key(e: dict) -> tuple:
    return (e["sender"], e["sender_head"], e["receiver"], e["receiver_head"])


def name(k: tuple) -> str:
    s, sh, r, rh = k
    return f"{s}{'' if sh is None else f'[{sh}]'} -> {r}{'' if rh is None else f'[{rh}]'}"


def compare(ref: dict, ours: dict, tau: float) -> dict:
    """Edge-for-edge comparison of the reference's harness output with circuitscope's circuit.json."""
    rt = [key(t) + (bool(t["removed"]),) for t in ref["tested"]]
    ot = [key(t) + (bool(t["removed"]),) for t in ours["tested"]]
    rk, ok = {key(e) for e in ref["kept"]}, {key(e) for e in ours["kept"]}
    first = next((i for i, (a, b) in enumerate(zip(rt, ot)) if a != b), None)
    if first is None and len(rt) != len(ot):
        first = min(len(rt), len(ot))
    n = len(rt) if first is None else first
    gaps = [abs(a["metric_after"] - b["metric_after"]) for a, b in zip(ref["tested"][:n], ours["tested"][:n])]
    deltas = [t["metric_after"] - t["metric_before"] for t in ref["tested"]]
    return {
        "same_tested": first is None,
        "same_kept": rk == ok,
        "first_difference": first,
        "ref_only": sorted(rk - ok, key=str),
        "ours_only": sorted(ok - rk, key=str),
        "max_metric_gap": max(gaps, default=0.0),
        "min_margin": min((abs(d - tau) for d in deltas), default=None),
        "tested": len(rt),
        "kept": len(rk),
        "removed": sum(1 for t in rt if t[4]),
        "skipped": len(ref["skipped"]),
        "skipped_edges": sum(s["edges_removed"] for s in ref["skipped"]),
    }


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reference", required=True, help="reference checkout (ArthurConmy/Automatic-Circuit-Discovery)")
    p.add_argument("--circuitscope", required=True, help="the release circuitscope binary")
    p.add_argument("--work", type=Path, required=True, help="folder for the model, data and run outputs")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="CPU threads for both sides (torch / rayon)")
    p.add_argument("--tau", type=float, default=0.1)
    p.add_argument("--only", choices=["reference", "circuitscope"], help="time one side only")
    args = p.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    model, data = make_inputs(args.work.resolve())
    print(f"model {model} ({(model / 'model.safetensors').stat().st_size / 1e6:.0f} MB), data {data} "
          f"[{time.perf_counter() - t0:.1f} s]; {args.threads} threads each", flush=True)

    sides = ["reference", "circuitscope"] if args.only is None else [args.only]
    runs = {s: [] for s in sides}
    for i in range(1, args.runs + 1):  # alternate, so drift in machine load hits both sides alike
        for side in sides:
            out = args.work / f"{side}-{i}.json"
            if side == "reference":
                r = run_reference(sys.executable, args.reference, model, data, args.tau, args.threads, out)
            else:
                r = run_ours(args.circuitscope, model, data, args.tau, args.threads, out)
            runs[side].append(r)
            res = r["result"]
            print(f"{side:>12} run {i}: wall {r['wall']:7.2f} s, loop {r['loop']:7.2f} s, "
                  f"CPU {r['cpu']:7.1f} s ({r['cpu'] / r['wall']:.2f} cores), load before {r['load']:.1f}, "
                  f"{r['passes']} forward passes ({r['loop'] / r['passes'] * 1e3:.1f} ms each in the loop), "
                  f"tested {len(res['tested'])}, kept {len(res['kept'])}, final KL {res['final_metric']:.6g} "
                  f"-> {out}", flush=True)

    # Every run of a side must give the same circuit (both are deterministic).
    for side, rs in runs.items():
        first = [key(t) + (t["removed"],) for t in rs[0]["result"]["tested"]]
        for r in rs[1:]:
            if [key(t) + (t["removed"],) for t in r["result"]["tested"]] != first:
                print(f"WARNING: {side} runs disagree with each other", flush=True)

    med = {s: {k: statistics.median(r[k] for r in rs) for k in ("wall", "loop", "cpu")} for s, rs in runs.items()}
    label = (f"2L8H paper shape, {ROWS}x{TOKENS}, KL, resample, tau {args.tau:g}, {args.threads} threads")
    if args.only:
        s = args.only
        print(f"{label}: {s} {med[s]['loop']:.2f} s loop, {med[s]['wall']:.2f} s wall (median of {args.runs})")
        return

    c = compare(runs["reference"][0]["result"], runs["circuitscope"][0]["result"], args.tau)
    same = c["same_tested"] and c["same_kept"]
    if not same:
        print(f"circuits differ: tested sequences first differ at index {c['first_difference']}; "
              f"kept only by the reference: {[name(k) for k in c['ref_only']]}; "
              f"kept only by circuitscope: {[name(k) for k in c['ours_only']]}")
    print(f"reference: tested {c['tested']} (removed {c['removed']}), skipped {c['skipped']} receivers "
          f"({c['skipped_edges']} edges), kept {c['kept']}; passes {runs['reference'][0]['passes']} vs "
          f"circuitscope {runs['circuitscope'][0]['passes']}; max |metric_after| gap over the common "
          f"prefix {c['max_metric_gap']:.2e}; closest decision |delta - tau| {c['min_margin']:.2e}")
    rl, ol = med["reference"]["loop"], med["circuitscope"]["loop"]
    rw, ow = med["reference"]["wall"], med["circuitscope"]["wall"]
    rc, oc = med["reference"]["cpu"], med["circuitscope"]["cpu"]
    print(f"end to end (process wall, start-up and weight loading included): reference {rw:.1f} s, "
          f"circuitscope {ow:.1f} s (median of {args.runs}) -> {rw / ow:.1f}x; process CPU time "
          f"(user + sys): reference {rc:.0f} s, circuitscope {oc:.0f} s -> {rc / oc:.1f}x")
    print(f"{label}: reference {rl:.1f} s, circuitscope {ol:.2f} s (median of {args.runs}) -> {rl / ol:.1f}x; "
          f"same circuit: {'yes' if same else 'NO'} ({c['kept']} kept)")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
