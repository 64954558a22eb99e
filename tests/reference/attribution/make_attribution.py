"""Reference edge attributions (exact patching, EAP, EAP-IG) and MIB-style
circuit faithfulness, computed with torch autograd on TransformerLens in
float64, written as JSON fixtures for the Rust implementation.

Environment (Python 3.10.13; the same torch/TL pins as ../run_reference.py):

    /root/.pyenv/versions/3.10.13/bin/python -m venv /work/venvs/attr
    /work/venvs/attr/bin/pip install torch==1.13.1 transformer_lens==1.6.1 safetensors==0.8.0 \
        numpy==1.26.4 transformers==4.33.3 datasets==2.14.5 huggingface-hub==0.17.3 \
        tokenizers==0.13.3 fsspec==2023.6.0 pyarrow==14.0.2 typeguard==2.13.3

(the last eight only pin transformer_lens 1.6.1's own imports to versions it
still works with: newer transformers/datasets/pyarrow break `import
transformer_lens`, and 1.6.1 forgets to require typeguard).

Regenerate every fixture (repository root, ~1-2 min on one core):

    /work/venvs/attr/bin/python tests/reference/attribution/make_attribution.py

Options: --only SUBSTRING (regenerate matching configurations), --no-check
(skip the independent cross-checks), --check-only (run the checks, write
nothing). Every fixture value is recomputed by an independent
implementation (see `Brute` and README.md) and the run aborts if they
disagree.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
import time
from pathlib import Path

import torch


sys.path.insert(0, str(Path(__file__).resolve().parent))  # the modules beside this file, however it is run
from attribution_setup import Setup, Checker
from torch_graph import HERE, REPO, load_model, Data, Metric, Graph

def check_metric_gradients(setup: Setup):
    """The hand-written KL backward equals autograd's, on logits away from clean."""
    torch.manual_seed(0)
    d = setup.data
    with torch.no_grad():
        clean_logits, _, _ = setup.runner.run(d.clean)
    x = (clean_logits + 0.3 * torch.randn_like(clean_logits)).requires_grad_(True)
    a = Metric("kl", d, clean_logits)
    b = Metric("kl", d, clean_logits, autograd_kl=True)
    with torch.enable_grad():
        (ga,) = torch.autograd.grad(a(x), [x])
        (gb,) = torch.autograd.grad(b(x), [x])
    assert abs(a(x).item() - b(x).item()) < 1e-15
    return (ga - gb).abs().max().item()


def acdc_replay(setup: Setup, run_file: Path):
    """Replays a reference ACDC run (../<model>/*.json, float32) through the hook
    implementation: every tested ADDITION edge's metric_after must equal
    M(edges ACDC removed so far + this edge), as long as no DIRECT_COMPUTATION
    edge has been removed (those are outside this graph). Returns
    (n compared, max |diff|, first-edge pair)."""
    d = json.loads(run_file.read_text())
    idx = {(e[0].hook, e[0].head, e[1].hook, e[1].head): i for i, e in enumerate(setup.g.edges)}
    removed, n, worst, first = set(), 0, 0.0, None
    # Edges ACDC removed untested when it skipped a receiver are not added to
    # `removed`: such a receiver's component no longer feeds anything kept, so
    # its inputs cannot change M under this rule.
    for t in d["tested"]:
        key = (t["sender"], t["sender_head"], t["receiver"], t["receiver_head"])
        if t["edge_type"] != "ADDITION":
            if t["removed"]:
                break
            continue
        m = setup.evaluate(removed | {idx[key]})
        worst = max(worst, abs(m - t["metric_after"]))
        if first is None:
            first = (key, m - setup.clean_metric, t["metric_after"] - t["metric_before"])
        n += 1
        if t["removed"]:
            removed.add(idx[key])
    return n, worst, first


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def dumps(out: dict) -> str:
    g_lines = []
    for key, value in out.items():
        if key == "edges":
            body = "[\n  " + ",\n  ".join(json.dumps(e) for e in value) + "\n ]"
        elif key == "faithfulness":
            pts = ",\n   ".join(json.dumps(p) for p in value["points"])
            body = ("{\"points\": [\n   " + pts + "\n  ],\n  \"cpr\": " + json.dumps(value["cpr"])
                    + ", \"cmd\": " + json.dumps(value["cmd"]) + "}")
        else:
            body = json.dumps(value)
        g_lines.append(f" {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(g_lines) + "\n}\n"


MODELS = {
    "tiny": ("tests/reference/tiny/model", "tests/reference/tiny/data.json", ["kl", "logit_diff"],
             ["resample", "zero", "mean"]),
    "tiny_mlp": ("tests/reference/tiny_mlp/model", "tests/reference/tiny_mlp/data.json", ["kl", "logit_diff"],
                 ["resample", "zero", "mean"]),
    "tiny_tracr": ("tests/reference/tiny_tracr/model", "tests/reference/tiny_tracr/data.json",
                   ["kl", "logit_diff", "l2"], ["resample", "zero", "mean"]),
    "induction_2l": ("models/induction-2l", "tests/reference/induction_2l/data.json", ["kl"], ["resample"]),
}
METHODS = [("exact", None), ("eap", None), ("eap_ig", 5)]


def configurations():
    """(model key, model dir, data file, method, steps, metric, ablation, suffix)"""
    for key, (mdir, data, metrics, ablations) in MODELS.items():
        for metric in metrics:
            for ablation in ablations:
                for method, steps in METHODS:
                    yield key, mdir, data, method, steps, metric, ablation, ""
    yield "tiny", MODELS["tiny"][0], MODELS["tiny"][1], "eap_ig", 3, "logit_diff", "resample", "_m3"
    for metric in ("kl", "logit_diff"):
        for method, steps in METHODS:
            yield ("tiny", MODELS["tiny"][0], "tests/reference/tiny/data_positions.json", method, steps, metric,
                   "resample", "_positions")


ACDC_RUNS = {  # reference ACDC fixtures whose semantics match ours (no position scrambling)
    ("tiny", "kl", "resample", ""): "tests/reference/tiny/kl_tau0.01.json",
    ("tiny", "kl", "zero", ""): "tests/reference/tiny/kl_tau0.01_zero.json",
    ("tiny", "logit_diff", "resample", ""): "tests/reference/tiny/logit_diff_tau0.1.json",
    ("tiny", "kl", "resample", "_positions"): "tests/reference/tiny/kl_tau0.01_positions.json",
    ("tiny_mlp", "kl", "resample", ""): "tests/reference/tiny_mlp/kl_tau0.01.json",
    ("tiny_mlp", "kl", "zero", ""): "tests/reference/tiny_mlp/kl_tau0.01_zero.json",
    ("tiny_tracr", "l2", "zero", ""): "tests/reference/tiny_tracr/l2_tau1_zero.json",
    ("induction_2l", "kl", "resample", ""): "tests/reference/induction_2l/kl_tau0.05.json",
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", help="only configurations whose output path contains this")
    p.add_argument("--no-check", action="store_true")
    p.add_argument("--check-only", action="store_true")
    p.add_argument("--tol", type=float, default=1e-9, help="max relative disagreement between implementations")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.set_grad_enabled(False)

    models, setups, report = {}, {}, []
    failures = []
    t0 = time.time()
    for key, mdir, data_file, method, steps, metric, ablation, suffix in configurations():
        rel = f"{key}/{method}_{metric}_{ablation}{suffix}.json"
        if args.only and args.only not in rel:
            continue
        if mdir not in models:
            model, upe = load_model(REPO / mdir)
            models[mdir] = (model, upe, Graph(model.cfg, upe))
        model, upe, graph = models[mdir]
        skey = (mdir, data_file, metric, ablation)
        if skey not in setups:
            setups[skey] = Setup(model, graph, Data(REPO / data_file, metric), metric, ablation)
        s = setups[skey]
        if method == "exact":
            scores = s.scores_exact()
        elif method == "eap":
            scores = s.scores_eap()
        else:
            scores = s.scores_eap_ig(steps)
        m_full, m_empty, points, cpr, cmd = s.faithfulness(scores)
        line = f"{rel}: {len(scores)} edges, M(N)={m_full:.6g} M(empty)={m_empty:.6g} CPR={cpr:.4f} CMD={cmd:.4f}"
        if not args.no_check:
            worst = Checker(s).check(method, steps, scores, m_full, m_empty, points)
            fd = worst.pop("fd_forward", None)
            bad = {k: v for k, v in worst.items() if v > {"fd_central": 1e-6, "fd_central_abs": 1e-9}.get(k, args.tol)}
            line += "\n    checks: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items())
            if fd:
                line += "\n    eap vs forward difference (eps=1e-6): " + ", ".join(
                    f"edge {i}: {a:.6g} / {b:.6g}" for i, a, b in fd)
            if bad:
                failures.append((rel, bad))
                line += f"\n    FAILED: {bad}"
            run = ACDC_RUNS.get((key, metric, ablation, suffix))
            if run and method == "exact":
                n, w, first = acdc_replay(s, REPO / run)
                line += (f"\n    ACDC replay {run}: {n} tested ADDITION edges, max |metric - reference| = {w:.2e};"
                         f" first edge {first[0]}: exact {first[1]:.8g} vs ACDC delta {first[2]:.8g}")
                if w > 1e-5 * max(1.0, abs(m_empty)):
                    failures.append((rel, {"acdc_replay": w}))
            if key == "tiny" and method == "exact" and metric == "kl" and ablation == "resample" and not suffix:
                line += f"\n    KL backward vs autograd: max |diff| {check_metric_gradients(s):.1e}"
        print(line, flush=True)
        if args.check_only:
            continue
        out = {
            "model": mdir,
            "data": data_file,
            "method": method.replace("_", "-"),
            "steps": steps,
            "metric": metric,
            "ablation": ablation,
            "clean_metric": m_full,
            "ablated_metric": m_empty,
            "edges": [{**Graph.edge_name(e), "score": sc} for e, sc in zip(graph.edges, scores)],
            "faithfulness": {
                "points": [{**pt, "kept": [Graph.edge_name(graph.edges[i]) for i in pt["kept"]]} for pt in points],
                "cpr": cpr,
                "cmd": cmd,
            },
        }
        path = HERE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(out))
    print(f"done in {time.time() - t0:.1f} s; torch {torch.__version__}, transformer_lens "
          f"{importlib.metadata.version('transformer_lens')}", flush=True)
    if failures:
        print(f"CHECKS FAILED: {failures}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
