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
import contextlib
import dataclasses
import importlib.metadata
import json
import math
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]  # tests/reference/attribution -> repository root
DTYPE = torch.float64
FRACTIONS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
BUFFER_SUFFIXES = (".mask", ".IGNORE")


# --------------------------------------------------------------------------
# Model and data
# --------------------------------------------------------------------------


def load_model(model_dir: Path):
    """HookedTransformer (float64) from config.json + model.safetensors, with the
    hooks ACDC/EAP need: split q/k/v inputs, per-head results, hook_mlp_in."""
    from safetensors.torch import load_file
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    cfg_json = json.loads((model_dir / "config.json").read_text())
    use_pos_embed = bool(cfg_json.pop("use_pos_embed", False))
    fields = {f.name for f in dataclasses.fields(HookedTransformerConfig)}
    kwargs = {k: v for k, v in cfg_json.items() if k in fields}
    if kwargs.get("attn_only"):
        kwargs["d_mlp"] = None
    kwargs.update(use_attn_result=True, use_split_qkv_input=True, device="cpu", dtype=DTYPE, seed=0)
    with contextlib.redirect_stdout(sys.stderr):
        model = HookedTransformer(HookedTransformerConfig(**kwargs))
    if not model.cfg.attn_only:
        model.set_use_hook_mlp_in(True)
    state = load_file(str(model_dir / "model.safetensors"))
    state = {k: v.to(DTYPE) for k, v in state.items() if not k.endswith(BUFFER_SUFFIXES)}
    expected = {k: v.shape for k, v in model.state_dict().items() if not k.endswith(BUFFER_SUFFIXES)}
    assert set(state) == set(expected), (sorted(set(expected) ^ set(state)))
    for k, v in state.items():
        assert tuple(v.shape) == tuple(expected[k]), k
    model.load_state_dict(state, strict=False)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
        assert p.dtype == DTYPE
    assert not (use_pos_embed and model.cfg.positional_embedding_type == "shortformer")
    return model, use_pos_embed


class Data:
    def __init__(self, path: Path, metric: str):
        raw = json.loads(path.read_text())
        self.raw = raw
        self.clean = torch.tensor(raw["clean"], dtype=torch.long)
        self.corrupt = torch.tensor(raw["corrupt"], dtype=torch.long)
        assert self.clean.shape == self.corrupt.shape
        B, P = self.clean.shape
        if raw.get("positions") is not None:
            positions = raw["positions"]
        elif metric == "l2":
            positions = [list(range(1, P))] * B
        else:
            positions = [[P - 1]] * B
        assert len(positions) == B
        pairs = sorted({(b, p) for b, ps in enumerate(positions) for p in ps})
        self.rows = torch.tensor([b for b, _ in pairs], dtype=torch.long)
        self.pos = torch.tensor([p for _, p in pairs], dtype=torch.long)
        self.correct = self.wrong = None
        if metric == "logit_diff":
            self.correct = torch.tensor(raw["correct"], dtype=torch.long)
            wrong = [w if isinstance(w, list) else [w] for w in raw["wrong"]]
            assert len({len(w) for w in wrong}) == 1, "ragged wrong lists"
            self.wrong = torch.tensor(wrong, dtype=torch.long)  # [B, n_wrong]


# --------------------------------------------------------------------------
# Metrics (minimised; scalars over the whole batch)
# --------------------------------------------------------------------------


class _KL(torch.autograd.Function):
    """mean over pairs of sum_v p_clean (log p_clean - log_softmax(x)).

    The backward is the analytic gradient (softmax(x) - p_clean) / n_pairs,
    which autograd's log_softmax backward also computes up to rounding
    (checked in `check_metric_gradients`). Written out so that at the clean
    logits it is exactly 0 rather than ~1e-18 of rounding noise: EAP with KL is
    then exactly 0 for every edge and its circuits are decided by the canonical
    tie order, not by noise.
    """

    @staticmethod
    def forward(ctx, x, logp_clean):
        logp = F.log_softmax(x, dim=-1)
        ctx.save_for_backward(logp, logp_clean)
        return (logp_clean.exp() * (logp_clean - logp)).sum(-1).mean()

    @staticmethod
    def backward(ctx, g):
        logp, logp_clean = ctx.saved_tensors
        return g * (logp.exp() - logp_clean.exp()) / logp.shape[0], None


class Metric:
    def __init__(self, name: str, data: Data, clean_logits: torch.Tensor, autograd_kl: bool = False):
        self.name, self.d, self.autograd_kl = name, data, autograd_kl
        self.clean_sel = clean_logits[data.rows, data.pos].detach()
        self.logp_clean = F.log_softmax(self.clean_sel, dim=-1)

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        d = self.d
        x = logits[d.rows, d.pos]  # [n_pairs, vocab_out]
        if self.name == "kl":
            if self.autograd_kl:
                return (self.logp_clean.exp() * (self.logp_clean - F.log_softmax(x, -1))).sum(-1).mean()
            return _KL.apply(x, self.logp_clean)
        if self.name == "logit_diff":
            correct = x.gather(1, d.correct[d.rows][:, None])[:, 0]
            wrong = x.gather(1, d.wrong[d.rows]).max(dim=1).values
            return -(correct - wrong).mean()
        if self.name == "l2":
            return ((x - self.clean_sel) ** 2).mean()
        raise ValueError(self.name)


# --------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Node:
    hook: str
    head: Optional[int]
    comp: tuple  # ("input", name) | ("head", l, h) | ("mlp", l) | ("logits",)


class Graph:
    """ACDC-granularity ADDITION edges in the canonical order."""

    def __init__(self, cfg, use_pos_embed: bool):
        L, H = cfg.n_layers, cfg.n_heads
        self.n_layers, self.n_heads = L, H
        self.has_mlp = not cfg.attn_only
        resid_post = Node(f"blocks.{L - 1}.hook_resid_post", None, ("logits",))
        downstream: List[Node] = [resid_post]
        edges: List[Tuple[Node, Node]] = []
        for l in reversed(range(L)):
            if self.has_mlp:
                s = Node(f"blocks.{l}.hook_mlp_out", None, ("mlp", l))
                edges += [(s, r) for r in downstream]
                downstream.append(Node(f"blocks.{l}.hook_mlp_in", None, ("mlp", l)))
            qkv = []
            for h in reversed(range(H)):
                s = Node(f"blocks.{l}.attn.hook_result", h, ("head", l, h))
                edges += [(s, r) for r in downstream]
                qkv += [Node(f"blocks.{l}.hook_{x}_input", h, ("head", l, h)) for x in "qkv"]
            downstream += qkv
        self.input_hooks = ["hook_embed", "hook_pos_embed"] if use_pos_embed else ["blocks.0.hook_resid_pre"]
        for name in self.input_hooks:
            s = Node(name, None, ("input", name))
            edges += [(s, r) for r in downstream]
        self.edges = edges
        self.receivers = downstream
        # senders in forward (topological) order
        self.senders = [Node(n, None, ("input", n)) for n in self.input_hooks]
        for l in range(L):
            self.senders += [Node(f"blocks.{l}.attn.hook_result", h, ("head", l, h)) for h in range(H)]
            if self.has_mlp:
                self.senders.append(Node(f"blocks.{l}.hook_mlp_out", None, ("mlp", l)))
        assert {s for s, _ in edges} == set(self.senders)
        self.into: Dict[Node, List[int]] = {r: [] for r in downstream}
        for i, (_, r) in enumerate(edges):
            self.into[r].append(i)
        self.sender_hooks = sorted({s.hook for s in self.senders})
        self.receiver_hooks = sorted({r.hook for r in self.receivers})

    @staticmethod
    def edge_name(e: Tuple[Node, Node]) -> dict:
        s, r = e
        return {"sender": s.hook, "sender_head": s.head, "receiver": r.hook, "receiver_head": r.head}

    def prune(self, kept: Sequence[int]) -> List[int]:
        """MIB / EAP-IG Graph.prune: repeatedly keep only components with a kept
        outgoing edge and (non-input components) a kept incoming edge, then drop
        edges whose sender or receiver component is gone; the logits are always
        alive. Returns the surviving edge indices in canonical order."""
        kept = set(kept)
        while True:
            has_out = {self.edges[i][0].comp for i in kept}
            has_in = {self.edges[i][1].comp for i in kept}

            def alive(c):
                if c[0] == "logits":
                    return True
                return c in has_out and (c[0] == "input" or c in has_in)

            new = {i for i in kept if alive(self.edges[i][0].comp) and alive(self.edges[i][1].comp)}
            if new == kept:
                return sorted(kept)
            kept = new


def pick(acts: Dict[str, torch.Tensor], node: Node) -> torch.Tensor:
    x = acts[node.hook]
    return x if node.head is None else x[:, :, node.head]


# --------------------------------------------------------------------------
# Implementation 1: TransformerLens hooks + autograd (this writes the fixtures)
# --------------------------------------------------------------------------


class HookRunner:
    def __init__(self, model, graph: Graph):
        self.model, self.g = model, graph

    def run(self, tokens, removed=(), corrupt=None, add=None, inputs=None, capture=False):
        """One forward pass on `tokens`.

        removed: edge indices s->r whose receiver gets corrupt[s] instead of s's
            live output in this pass: input(r) += corrupt(s) - out_current(s).
        add:     {receiver Node: tensor [B, P, d_model]} added to that input.
        inputs:  {input hook name: tensor} replacing an input node's output.
        capture: also return the (patched) receiver inputs, for autograd.grad.
        """
        g = self.g
        cur: Dict[str, torch.Tensor] = {}
        captured: Dict[str, torch.Tensor] = {}
        patches: Dict[str, List[Tuple[Optional[int], callable]]] = {}
        for i in removed:
            s, r = g.edges[i]
            patches.setdefault(r.hook, []).append((r.head, lambda s=s: corrupt[s] - pick(cur, s)))
        for r, t in (add or {}).items():
            patches.setdefault(r.hook, []).append((r.head, lambda t=t: t))

        def sender_hook(x, hook):
            if inputs is not None and hook.name in inputs:
                x = inputs[hook.name]
            if capture and hook.name in g.input_hooks:
                x = x.detach().requires_grad_(True)  # same values; makes autograd track the pass
            cur[hook.name] = x
            return x

        def receiver_hook(x, hook):
            terms = patches.get(hook.name)
            if terms:
                patch = torch.zeros_like(x)
                for head, term in terms:
                    if head is None:
                        patch = patch + term()
                    else:
                        patch[:, :, head] += term()
                x = x + patch
            if capture:
                captured[hook.name] = x
            return x

        hooks = [(n, sender_hook) for n in g.sender_hooks] + [(n, receiver_hook) for n in g.receiver_hooks]
        logits = self.model.run_with_hooks(tokens, fwd_hooks=hooks)
        return logits, cur, captured

    def outputs(self, tokens) -> Dict[Node, torch.Tensor]:
        with torch.no_grad():
            _, cur, _ = self.run(tokens)
        return {s: pick(cur, s).clone() for s in self.g.senders}

    def receiver_grads(self, tokens, metric, inputs=None) -> Tuple[float, Dict[Node, torch.Tensor]]:
        with torch.enable_grad():
            logits, _, captured = self.run(tokens, inputs=inputs, capture=True)
            names = self.g.receiver_hooks
            for n in names:
                assert captured[n].requires_grad, n
            m = metric(logits)
            grads = torch.autograd.grad(m, [captured[n] for n in names])
        by_name = dict(zip(names, grads))
        return m.item(), {r: pick(by_name, r) for r in self.g.receivers}


# --------------------------------------------------------------------------
# Implementation 2: independent brute force (explicit receiver sums)
# --------------------------------------------------------------------------


class Brute:
    """Recomputes the model from its weights, building every receiver input as
    the explicit sum over its senders (+ the b_O of the attention layers it
    reads), never through TransformerLens' forward or hooks."""

    def __init__(self, model, graph: Graph):
        self.m, self.g, self.cfg = model, graph, model.cfg

    def ln(self, x, mod):
        if self.cfg.normalization_type is None:
            return x
        assert self.cfg.normalization_type == "LN"
        x = x - x.mean(-1, keepdim=True)
        x = x / (x.pow(2).mean(-1, keepdim=True) + self.cfg.eps).sqrt()
        return x * mod.w + mod.b

    def act(self, x):
        a = self.cfg.act_fn
        if a == "relu":
            return F.relu(x)
        if a == "gelu_new":
            return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))
        if a == "gelu":
            return F.gelu(x)
        raise ValueError(a)

    def forward(self, tokens, removed=frozenset(), corrupt=None, alpha=None, delta=None, inputs=None):
        """Returns (logits, sender outputs). alpha[e] * delta[s] is added to the
        receiver input of every edge e = s->r (for gradients wrt alpha)."""
        m, g, cfg = self.m, self.g, self.cfg
        B, P = tokens.shape
        E = m.W_E[tokens]
        Pos = m.W_pos[:P][None].expand(B, P, cfg.d_model)
        shortformer = cfg.positional_embedding_type == "shortformer"
        if g.input_hooks == ["hook_embed", "hook_pos_embed"]:
            vals = {"hook_embed": E, "hook_pos_embed": Pos}
        else:
            vals = {"blocks.0.hook_resid_pre": E if shortformer else E + Pos}
        if inputs:
            vals.update(inputs)
        cur: Dict[Node, torch.Tensor] = {s: vals[s.hook] for s in g.senders[: len(g.input_hooks)]}

        def receive(r: Node, n_bias_layers: int):
            total = torch.zeros(B, P, cfg.d_model, dtype=DTYPE)
            for l in range(n_bias_layers):
                total = total + m.blocks[l].attn.b_O
            for e in g.into[r]:
                s = g.edges[e][0]
                total = total + (corrupt[s] if e in removed else cur[s])
                if alpha is not None:
                    total = total + alpha[e] * delta[s]
            return total

        for l in range(cfg.n_layers):
            blk, A = m.blocks[l], m.blocks[l].attn
            for h in range(cfg.n_heads):
                x = {c: self.ln(receive(Node(f"blocks.{l}.hook_{c}_input", h, ("head", l, h)), l), blk.ln1)
                     for c in "qkv"}
                if shortformer:
                    x["q"] = x["q"] + Pos
                    x["k"] = x["k"] + Pos
                q = x["q"] @ A.W_Q[h] + A.b_Q[h]
                k = x["k"] @ A.W_K[h] + A.b_K[h]
                v = x["v"] @ A.W_V[h] + A.b_V[h]
                scores = q @ k.transpose(-1, -2) / math.sqrt(cfg.d_head)
                if cfg.attention_dir == "causal":
                    future = torch.triu(torch.ones(P, P, dtype=torch.bool), diagonal=1)
                    scores = scores.masked_fill(future, float("-inf"))
                cur[Node(f"blocks.{l}.attn.hook_result", h, ("head", l, h))] = (scores.softmax(-1) @ v) @ A.W_O[h]
            if g.has_mlp:
                x = self.ln(receive(Node(f"blocks.{l}.hook_mlp_in", None, ("mlp", l)), l + 1), blk.ln2)
                mlp = blk.mlp
                cur[Node(f"blocks.{l}.hook_mlp_out", None, ("mlp", l))] = (
                    self.act(x @ mlp.W_in + mlp.b_in) @ mlp.W_out + mlp.b_out)
        L = cfg.n_layers
        x = receive(Node(f"blocks.{L - 1}.hook_resid_post", None, ("logits",)), L)
        if cfg.normalization_type is not None:
            x = self.ln(x, m.ln_final)
        return x @ m.W_U + m.b_U, cur


# --------------------------------------------------------------------------
# Ablations, scores, faithfulness
# --------------------------------------------------------------------------


def corrupt_outputs(clean_out, corrupt_run_out, ablation):
    out = {}
    for s, c in clean_out.items():
        if ablation == "resample":
            out[s] = corrupt_run_out[s]
        elif ablation == "zero":
            out[s] = torch.zeros_like(c)
        elif ablation == "mean":
            out[s] = corrupt_run_out[s].mean(0, keepdim=True).expand_as(c).clone()
        else:
            raise ValueError(ablation)
    return out


class Setup:
    """Everything for one (model, data, metric, ablation), via TL hooks."""

    def __init__(self, model, graph, data: Data, metric_name: str, ablation: str):
        self.model, self.g, self.data, self.ablation = model, graph, data, ablation
        self.runner = HookRunner(model, graph)
        self.B = data.clean.shape[0]
        with torch.no_grad():
            clean_logits, _, _ = self.runner.run(data.clean)
        self.metric = Metric(metric_name, data, clean_logits)
        self.clean_out = self.runner.outputs(data.clean)
        self.corrupt_run_out = self.runner.outputs(data.corrupt)
        self.corrupt = corrupt_outputs(self.clean_out, self.corrupt_run_out, ablation)
        self.delta = {s: self.corrupt[s] - self.clean_out[s] for s in graph.senders}
        self.clean_metric = self.metric(clean_logits).item()

    def evaluate(self, removed, add=None) -> float:
        with torch.no_grad():
            logits, _, _ = self.runner.run(self.data.clean, removed=removed, corrupt=self.corrupt, add=add)
        return self.metric(logits).item()

    def scores_exact(self) -> List[float]:
        return [self.evaluate({i}) - self.clean_metric for i in range(len(self.g.edges))]

    def _edge_scores(self, grads) -> List[float]:
        return [(self.delta[s] * grads[r]).sum().item() / self.B for s, r in self.g.edges]

    def scores_eap(self) -> List[float]:
        m, grads = self.runner.receiver_grads(self.data.clean, self.metric)
        assert m == self.clean_metric
        if self.metric.name in ("kl", "l2"):
            assert all(bool((gr == 0).all()) for gr in grads.values()), "gradient at the clean model not exactly 0"
        return self._edge_scores(grads)

    def ig_inputs(self, k: int, steps: int) -> Dict[str, torch.Tensor]:
        out = {}
        for s in self.g.senders[: len(self.g.input_hooks)]:
            c, x = self.corrupt[s], self.clean_out[s]
            out[s.hook] = c + (k / steps) * (x - c)
        return out

    def scores_eap_ig(self, steps: int) -> List[float]:
        total = None
        for k in range(steps):
            _, grads = self.runner.receiver_grads(self.data.clean, self.metric, inputs=self.ig_inputs(k, steps))
            total = grads if total is None else {r: total[r] + grads[r] for r in grads}
        return self._edge_scores({r: t / steps for r, t in total.items()})

    def faithfulness(self, scores: List[float]):
        n_edges = len(self.g.edges)
        everything = set(range(n_edges))
        m_full = self.evaluate(set())
        assert m_full == self.clean_metric
        m_empty = self.evaluate(everything)
        order = sorted(range(n_edges), key=lambda i: -abs(scores[i]))  # stable: ties in canonical order
        points = []
        for x in FRACTIONS:
            n = int(math.floor(x * n_edges))
            kept = self.g.prune(order[:n])
            m = self.evaluate(everything - set(kept))
            # |score| gap across the top-n cut: the selection is stable under
            # score noise smaller than this (None when n is 0 or every edge)
            margin = abs(scores[order[n - 1]]) - abs(scores[order[n]]) if 0 < n < n_edges else None
            points.append({"fraction": x, "n": n, "cut_margin": margin, "kept": kept, "metric": m,
                           "f": (m - m_empty) / (m_full - m_empty) + 0.0})  # + 0.0: no -0.0
        cpr = cmd = 0.0
        for a, b in zip(points, points[1:]):
            dx = b["fraction"] - a["fraction"]
            cpr += dx * (a["f"] + b["f"]) / 2
            cmd += dx * (abs(1 - a["f"]) + abs(1 - b["f"])) / 2
        return m_full, m_empty, points, cpr, cmd


# --------------------------------------------------------------------------
# Independent checks
# --------------------------------------------------------------------------


class Checker:
    def __init__(self, setup: Setup):
        self.s = setup
        self.b = Brute(setup.model, setup.g)
        d = setup.data
        with torch.no_grad():
            clean_logits, self.clean_out = self.b.forward(d.clean)
            _, corrupt_run_out = self.b.forward(d.corrupt)
        self.metric = Metric(setup.metric.name, d, clean_logits, autograd_kl=True)
        self.corrupt = corrupt_outputs(self.clean_out, corrupt_run_out, setup.ablation)
        self.delta = {s: self.corrupt[s] - self.clean_out[s] for s in setup.g.senders}
        self.worst = {}

    def record(self, what, a, b, scale=1.0):
        err = abs(a - b) / max(scale, abs(b))
        self.worst[what] = max(self.worst.get(what, 0.0), err)

    def M(self, removed=frozenset()) -> float:
        with torch.no_grad():
            logits, _ = self.b.forward(self.s.data.clean, removed=removed, corrupt=self.corrupt)
        return self.metric(logits).item()

    def grad_scores(self, inputs=None) -> List[float]:
        n = len(self.s.g.edges)
        alpha = torch.zeros(n, dtype=DTYPE, requires_grad=True)
        with torch.enable_grad():
            logits, _ = self.b.forward(self.s.data.clean, corrupt=self.corrupt, alpha=alpha,
                                       delta=self.delta, inputs=inputs)
            (g,) = torch.autograd.grad(self.metric(logits), [alpha])
        return (g / self.s.B).tolist()

    def check(self, method, steps, scores, m_full, m_empty, points):
        s, g = self.s, self.s.g
        B = s.B
        base = self.M()
        self.record("clean_metric", base, m_full)
        self.record("ablated_metric", self.M(frozenset(range(len(g.edges)))), m_empty)
        # every score, recomputed independently; the scale is the largest |score|
        scale = max(max(abs(x) for x in scores), 1e-6 * abs(m_empty - m_full))
        if method == "exact":
            for i, x in enumerate(scores):
                self.record("score", self.M(frozenset({i})) - base, x, scale)
        elif method == "eap":
            for a, x in zip(self.grad_scores(), scores):
                self.record("score", a, x, scale)
        else:
            acc = [0.0] * len(scores)
            for k in range(steps):
                inputs = {}
                for node in g.senders[: len(g.input_hooks)]:
                    c, x = self.corrupt[node], self.clean_out[node]
                    inputs[node.hook] = c + (k / steps) * (x - c)
                acc = [a + b for a, b in zip(acc, self.grad_scores(inputs))]
            for a, x in zip(acc, scores):
                self.record("score", a / steps, x, scale)
        for p, x in zip(points, FRACTIONS):
            n = int(math.floor(x * len(g.edges)))
            order = sorted(range(len(g.edges)), key=lambda i: (-abs(scores[i]), i))
            if mib_prune(g, order[:n]) != p["kept"]:
                self.worst["prune"] = float("inf")
            self.record("circuit_metric", self.M(frozenset(range(len(g.edges))) - set(p["kept"])), p["metric"])
        # M(empty): the resample value is the plain corrupted run; for zero/mean
        # it is the model with every sender's output replaced by its ablated value.
        with torch.no_grad():
            if s.ablation == "resample":
                plain = s.metric(s.model(s.data.corrupt)).item()
            else:
                repl = {}
                for n in g.senders:
                    if n.head is None:
                        repl[n.hook] = s.corrupt[n]
                for name in {n.hook for n in g.senders if n.head is not None}:
                    heads = sorted((n for n in g.senders if n.hook == name), key=lambda n: n.head)
                    repl[name] = torch.stack([s.corrupt[n] for n in heads], dim=2)
                plain = s.metric(s.model.run_with_hooks(
                    s.data.clean, fwd_hooks=[(n, lambda x, hook: repl[hook.name]) for n in g.sender_hooks])).item()
        self.record("ablated_vs_plain_run", plain, m_empty)
        # EAP: finite differences through the hook implementation (eps = 1e-6).
        if method == "eap":
            eps = 1e-6
            for i in sorted({0, len(g.edges) // 2, len(g.edges) - 1, max(range(len(scores)), key=lambda j: abs(scores[j]))}):
                snd, rcv = g.edges[i]
                fwd = (s.evaluate(set(), add={rcv: eps * s.delta[snd]}) - m_full) / eps / B
                cen = (s.evaluate(set(), add={rcv: eps * s.delta[snd]})
                       - s.evaluate(set(), add={rcv: -eps * s.delta[snd]})) / (2 * eps) / B
                self.worst.setdefault("fd_forward", [])
                self.worst["fd_forward"].append((i, scores[i], fwd))
                if any(scores):
                    self.record("fd_central", cen, scores[i], scale)
                else:  # kl / l2: the gradient at the clean model is exactly 0
                    self.record("fd_central_abs", cen, 0.0)
        return self.worst


def mib_prune(g: Graph, kept: Sequence[int]) -> List[int]:
    """Second implementation of the pruning, written as MIB's tensor code:
    in_graph[forward node, backward node], forward_to_backward[f, b] = 1 when
    receiver b is an input of component f."""
    fwd = sorted({s.comp for s, _ in g.edges})
    bwd = sorted(set(g.receivers), key=g.receivers.index)
    fi = {c: i for i, c in enumerate(fwd)}
    bi = {r: i for i, r in enumerate(bwd)}
    in_graph = torch.zeros(len(fwd), len(bwd), dtype=torch.bool)
    for e in kept:
        s, r = g.edges[e]
        in_graph[fi[s.comp], bi[r]] = True
    f2b = torch.zeros(len(fwd), len(bwd), dtype=torch.bool)
    for r in bwd:
        if r.comp in fi:
            f2b[fi[r.comp], bi[r]] = True
    is_input = torch.tensor([c[0] == "input" for c in fwd])
    is_logits = torch.tensor([r.comp == ("logits",) for r in bwd])
    nodes = torch.zeros(len(fwd), dtype=torch.bool)
    while True:
        with_out = in_graph.any(dim=1)
        with_in = (f2b.float() @ in_graph.any(dim=0).float()) > 0
        new_nodes = with_out & (with_in | is_input)
        same = bool((new_nodes == nodes).all())
        nodes = new_nodes
        backward_alive = ((nodes.float() @ f2b.float()) > 0) | is_logits
        in_graph &= nodes[:, None] & backward_alive[None, :]
        if same:
            break
    return [i for i, (s, r) in enumerate(g.edges) if in_graph[fi[s.comp], bi[r]]]


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
