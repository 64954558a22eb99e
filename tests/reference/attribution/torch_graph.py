"""The torch side of the attribution fixtures (make_attribution.py): a TransformerLens model
loaded from a model folder, the data and metrics, the ACDC graph with its hook points, a runner
that patches edges through hooks, and `Brute`, the independent per-edge patching that checks it."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import sys
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
