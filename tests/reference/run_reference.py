"""Run the reference ACDC (ArthurConmy/Automatic-Circuit-Discovery) on a model in
our format and record every edge it tests, in visit order.

The reference is imported, not copied: put a checkout on PYTHONPATH (or pass
--acdc-ref). Its `step()` loop runs unmodified; we only wrap three methods to
observe it (see `Recording` below). Metrics come from the reference's own
functions (acdc/acdc_utils.py), or are compiled at run time from the reference
source file when they live inside task modules with heavy imports.

Usage (venv with torch==1.13.1, transformer_lens==1.6.1):

    PYTHONPATH=/tmp/acdc-ref python tests/reference/run_reference.py \
        --model tests/reference/tiny/model --data tests/reference/tiny/data.json \
        --tau 0.01 --metric kl --out tests/reference/tiny/kl_tau0.01.json

Model folder: config.json (HookedTransformerConfig field names, plus optional
"use_pos_embed") and model.safetensors (TransformerLens state-dict names; the
attention buffers `*.mask` / `*.IGNORE` are skipped if present).

Data file: {"clean": [[ids]], "corrupt": [[ids]], "positions": [[pos..] per row]
(optional, default: the last position), "correct": [...], "wrong": [...]}.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.metadata
import io
import json
import os
import sys
import time
import types
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))  # reference_io.py, however this file is run
from reference_io import load_model, load_data, graph_counts, dump_json, git_commit  # noqa: E402

DEFAULT_REF = os.environ.get("ACDC_REF", "/tmp/acdc-ref")


# --------------------------------------------------------------------------
# Importing the reference
# --------------------------------------------------------------------------


def import_reference(ref_dir: str):
    """Import the reference's acdc package without its plotting stack.

    acdc/acdc_graphics.py needs pygraphviz, cmapy and plotly only to draw
    pictures; TLACDCExperiment.step() calls `show` after each node. We replace
    that module with no-ops, which changes nothing the algorithm computes.
    """
    if ref_dir and ref_dir not in sys.path:
        sys.path.insert(0, ref_dir)
    graphics = types.ModuleType("acdc.acdc_graphics")
    graphics.show = lambda *a, **k: None
    graphics.log_metrics_to_wandb = lambda *a, **k: None
    graphics.build_colorscheme = lambda *a, **k: {}
    sys.modules["acdc.acdc_graphics"] = graphics
    import acdc  # noqa: F401  (runs check_transformer_lens_version)
    from acdc import acdc_utils
    from acdc.TLACDCCorrespondence import TLACDCCorrespondence
    from acdc.TLACDCEdge import EdgeType
    from acdc.TLACDCExperiment import TLACDCExperiment

    return types.SimpleNamespace(
        utils=acdc_utils,
        Correspondence=TLACDCCorrespondence,
        EdgeType=EdgeType,
        Experiment=TLACDCExperiment,
        dir=Path(acdc.__file__).resolve().parent.parent,
    )


def reference_function(ref_root: Path, rel_path: str, name: str, namespace: dict):
    """Compile one function, by name, out of a reference source file.

    Used for metrics that live in task modules whose imports (tracr, the GPT-2
    tokenizer, IOI datasets) we do not want; nested definitions are found too.
    """
    source = (ref_root / rel_path).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            node.decorator_list = []
            module = ast.Module(body=[node], type_ignores=[])
            ns = dict(namespace)
            exec(compile(module, f"{rel_path}::{name}", "exec"), ns)
            return ns[name]
    raise KeyError(f"{name} not found in {rel_path}")


# --------------------------------------------------------------------------
# Metrics (all minimised, all the reference's own code)
# --------------------------------------------------------------------------

METRICS = ["kl", "logit_diff", "frac_correct", "docstring", "greaterthan", "l2", "l2_elem0", "nll", "match_nll"]


def build_metric(name: str, ref, model, data, device: str):
    u = ref.utils
    with torch.no_grad():
        base_logits = model(data.clean)
    base_logprobs = F.log_softmax(base_logits, dim=-1)
    last_only = data.mask is None
    if name in ("logit_diff", "frac_correct", "docstring", "greaterthan"):
        assert last_only or all(p == [data.clean.shape[1] - 1] for p in data.raw["positions"]), (
            f"the reference's {name} metric reads the last position only"
        )

    def tensor(key):
        return torch.tensor(data.raw[key], dtype=torch.long, device=device)

    if name == "kl":  # acdc_utils.kl_divergence, IOI/docstring style or induction (mask) style
        if last_only:
            return partial(u.kl_divergence, base_model_logprobs=base_logprobs[:, -1], last_seq_element_only=True)
        return partial(
            u.kl_divergence,
            base_model_logprobs=base_logprobs,
            mask_repeat_candidates=data.mask,
            last_seq_element_only=False,
        )
    if name == "logit_diff":  # ioi/utils.py -> acdc_utils.logit_diff_metric
        return partial(u.logit_diff_metric, correct_labels=tensor("correct"), wrong_labels=tensor("wrong"))
    if name == "frac_correct":
        return partial(u.frac_correct_metric, correct_labels=tensor("correct"), wrong_labels=tensor("wrong"))
    if name == "docstring":  # docstring/utils.py::raw_docstring_metric, "wrong" is [batch][n_wrong]
        fn = reference_function(ref.dir, "acdc/docstring/utils.py", "raw_docstring_metric", {"torch": torch})
        return partial(fn, correct_labels=tensor("correct"), wrong_labels=tensor("wrong"))
    if name == "greaterthan":
        # greaterthan/utils.py::greaterthan_metric; "gt_tokens" = the 100 ids of "00".."99";
        # the reference reads the YY token at position 7 of each clean row.
        gt = tensor("gt_tokens")
        inv = torch.zeros(max(50290, model.cfg.d_vocab), dtype=torch.long)
        inv[gt.cpu()] = torch.arange(len(gt))
        consts = types.SimpleNamespace(TOKENS_TENSOR=gt.cpu(), INV_TOKENS_TENSOR=inv)
        holder = types.SimpleNamespace(get=lambda device: consts)
        fn = reference_function(
            ref.dir, "acdc/greaterthan/utils.py", "greaterthan_metric",
            {"torch": torch, "F": F, "GreaterThanConstants": holder},
        )
        return partial(fn, tokens=data.clean.cpu())
    if name in ("l2", "l2_elem0"):  # tracr_task/utils.py::l2_metric (reverse: all outputs; proportion: output 0)
        fn = reference_function(ref.dir, "acdc/tracr_task/utils.py", "l2_metric", {"torch": torch})
        if name == "l2":
            return partial(fn, model_out=base_logits[:, 1:], take_element_zero=False)
        return partial(fn, model_out=base_logits[:, 1:, 0])
    if name == "nll":  # labels = "correct" ([batch] at the last position, or [batch][pos] with positions)
        return partial(u.negative_log_probs, labels=tensor("correct"), mask_repeat_candidates=data.mask,
                       last_seq_element_only=last_only)
    if name == "match_nll":
        return u.MatchNLLMetric(labels=tensor("correct"),
                                base_model_logprobs=base_logprobs[:, -1] if last_only else base_logprobs,
                                mask_repeat_candidates=data.mask, last_seq_element_only=last_only)
    raise ValueError(name)


# --------------------------------------------------------------------------
# Observing the reference's step loop
# --------------------------------------------------------------------------


def head_of(index) -> int | None:
    t = index.hashable_tuple
    return t[2] if len(t) == 3 else None


def make_recording_class(ref):
    class Recording(ref.Experiment):
        """TLACDCExperiment with three observation points; the algorithm is untouched.

        - update_cur_metric(recalc_metric=True, recalc_edges=False) is called by
          step() exactly once per tested edge, right after `edge.present = False`.
        - corr.remove_edge marks that pending edge removed.
        - current_node_connected() returning False means the receiver was skipped
          and its incoming edges removed untested.
        """

        _records = None

        def _init_recording(self):
            self._records = {"tested": [], "skipped": [], "visited": []}
            remove_edge = self.corr.remove_edge

            def recording_remove_edge(child_name, child_index, parent_name, parent_index):
                tested = self._records["tested"]
                key = (parent_name, head_of(parent_index), child_name, head_of(child_index))
                if tested and tested[-1]["removed"] is None and tested[-1]["_key"] == key:
                    tested[-1]["removed"] = True
                return remove_edge(child_name, child_index, parent_name, parent_index)

            self.corr.remove_edge = recording_remove_edge

        def update_cur_metric(self, recalc_metric=True, recalc_edges=True, initial=False):
            before = getattr(self, "cur_metric", None)
            super().update_cur_metric(recalc_metric=recalc_metric, recalc_edges=recalc_edges, initial=initial)
            if self._records is None or not (recalc_metric and not recalc_edges):
                return
            node = self.current_node
            pending = [
                (sender_name, sender_index)
                for sender_name, by_index in self.corr.edges[node.name][node.index].items()
                for sender_index, edge in by_index.items()
                if not edge.present
            ]
            assert len(pending) == 1, pending
            sender_name, sender_index = pending[0]
            self._finish_pending()
            key = (sender_name, head_of(sender_index), node.name, head_of(node.index))
            self._records["tested"].append({
                "_key": key,
                "sender": sender_name,
                "sender_head": head_of(sender_index),
                "receiver": node.name,
                "receiver_head": head_of(node.index),
                "edge_type": self.corr.edges[node.name][node.index][sender_name][sender_index].edge_type.name,
                "metric_before": before,
                "metric_after": self.cur_metric,
                "removed": None,
            })

        def _finish_pending(self):
            tested = self._records["tested"]
            if tested and tested[-1]["removed"] is None:
                tested[-1]["removed"] = False

        def current_node_connected(self):
            node = self.current_node
            incoming = sum(
                1
                for by_index in self.corr.edges[node.name][node.index].values()
                for edge in by_index.values()
                if edge.edge_type != ref.EdgeType.PLACEHOLDER
            )
            connected = super().current_node_connected()
            if not connected and self._records is not None:
                self._records["skipped"].append({
                    "receiver": node.name,
                    "receiver_head": head_of(node.index),
                    "edges_removed": incoming,
                    "metric_after": self.cur_metric,
                })
            return connected

        def step(self, *args, **kwargs):
            if self.current_node is not None:
                self._records["visited"].append(
                    {"receiver": self.current_node.name, "receiver_head": head_of(self.current_node.index)}
                )
            result = super().step(*args, **kwargs)
            self._finish_pending()
            return result

    return Recording


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, required=True, help="folder with config.json + model.safetensors")
    p.add_argument("--data", type=Path, required=True, help="data.json")
    p.add_argument("--tau", type=float, required=True, help="ACDC threshold")
    p.add_argument("--metric", choices=METRICS, default="kl")
    p.add_argument("--zero-ablation", action="store_true")
    p.add_argument("--indices-mode", choices=["normal", "reverse"], default="normal",
                   help="main.py default is normal (TLACDCExperiment's own default is reverse)")
    p.add_argument("--names-mode", choices=["normal", "reverse"], default="normal")
    p.add_argument("--abs-value-threshold", action="store_true")
    p.add_argument("--use-pos-embed", action="store_true",
                   help="separate hook_embed/hook_pos_embed nodes (default: config.json's use_pos_embed)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default); 1 is fastest for tiny models")
    p.add_argument("--acdc-ref", default=DEFAULT_REF, help="reference checkout (added to sys.path)")
    p.add_argument("--out", type=Path, help="output JSON (default: stdout)")
    p.add_argument("--verbose", action="store_true", help="show the reference's own prints")
    args = p.parse_args(argv)

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)  # as main.py; the receiver hooks write in place
    torch.manual_seed(1234)  # main.py's --seed default
    ref = import_reference(args.acdc_ref)
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    with contextlib.redirect_stdout(sys.stderr):  # TransformerLens prints "Moving model to device"
        model, cfg_use_pos_embed = load_model(args.model, dtype, args.device)
    use_pos_embed = args.use_pos_embed or cfg_use_pos_embed
    data = load_data(args.data, args.device)
    metric = build_metric(args.metric, ref, model, data, args.device)
    if data.corrupt is None and not args.zero_ablation:
        raise SystemExit("resample ablation needs 'corrupt' rows in the data file")

    graph = graph_counts(ref.Correspondence.setup_from_model(model, use_pos_embed=use_pos_embed), ref.EdgeType)

    corruption = {"kind": "zero" if args.zero_ablation else "resample"}
    if use_pos_embed and not args.zero_ablation:
        # TLACDCExperiment.setup_corrupted_cache scrambles positions in the corrupted
        # run: hook_pos_embed := shuffle_tensor(z[0], seed=49), i.e. W_pos[perm] for
        # every row. Record perm so an implementation without torch's RNG can match.
        seq = data.clean.shape[1]
        corruption["pos_embed_perm"] = ref.utils.shuffle_tensor(torch.arange(seq), seed=49).tolist()
        torch.manual_seed(1234)

    Recording = make_recording_class(ref)
    quiet = contextlib.nullcontext() if args.verbose else contextlib.redirect_stdout(io.StringIO())
    start = time.time()
    with quiet:
        model.reset_hooks()
        exp = Recording(
            model=model,
            ds=data.clean,
            ref_ds=data.corrupt,
            threshold=args.tau,
            metric=metric,
            second_metric=None,
            verbose=args.verbose,
            hook_verbose=False,
            zero_ablation=args.zero_ablation,
            abs_value_threshold=args.abs_value_threshold,
            indices_mode=args.indices_mode,
            names_mode=args.names_mode,
            use_pos_embed=use_pos_embed,
            online_cache_cpu=True,
            corrupted_cache_cpu=True,
            add_sender_hooks=True,
            add_receiver_hooks=False,
            remove_redundant=False,
            using_wandb=False,
        )
        initial_metric = exp.cur_metric
        exp._init_recording()
        while exp.current_node is not None:
            exp.step(testing=False)
    wall = time.time() - start

    kept = [
        {"sender": s, "sender_head": head_of(si), "receiver": r, "receiver_head": head_of(ri)}
        for (r, ri, s, si), edge in exp.corr.all_edges().items()
        if edge.present and edge.edge_type != ref.EdgeType.PLACEHOLDER
    ]
    tested = exp._records["tested"]
    kept_keys = {(e["sender"], e["sender_head"], e["receiver"], e["receiver_head"]) for e in kept}
    tested_kept = {t["_key"] for t in tested if not t["removed"]}
    assert kept_keys == tested_kept, (kept_keys ^ tested_kept)
    for t in tested:
        del t["_key"]
    assert len(tested) + sum(s["edges_removed"] for s in exp._records["skipped"]) == graph["edges"]
    assert len(kept) == exp.count_no_edges()

    out = {
        "settings": {
            "tau": args.tau,
            "metric": args.metric,
            "zero_ablation": args.zero_ablation,
            "indices_mode": args.indices_mode,
            "names_mode": args.names_mode,
            "abs_value_threshold": args.abs_value_threshold,
            "use_pos_embed": use_pos_embed,
            "dtype": args.dtype,
            "device": args.device,
            "model": str(args.model),
            "data": str(args.data),
            "reference_commit": git_commit(ref.dir),
            "torch": torch.__version__,
            "transformer_lens": importlib.metadata.version("transformer_lens"),
        },
        "graph": graph,
        "corruption": corruption,
        "initial_metric": initial_metric,
        "tested": tested,
        "skipped": exp._records["skipped"],
        "visited": exp._records["visited"],
        "kept": kept,
        "final_metric": exp.cur_metric,
    }
    text = dump_json(out)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    else:
        print(text)
    print(
        f"graph {graph['edges']} edges; tested {len(tested)}, skipped {len(exp._records['skipped'])} receivers, "
        f"kept {len(kept)}; final metric {exp.cur_metric:.6g}; wall {wall:.2f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
