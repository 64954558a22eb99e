"""The attribution fixtures' computations (make_attribution.py): `Setup` scores every ADDITION edge
by exact patching, EAP and EAP-IG and measures faithfulness at MIB's sizes; `Checker` recomputes
each value independently; `mib_prune` is MIB's pruning of a circuit from scores."""

from __future__ import annotations

import math
from typing import Dict, List, Sequence

import torch


from torch_graph import DTYPE, FRACTIONS, Data, Metric, Graph, HookRunner, Brute, corrupt_outputs

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
