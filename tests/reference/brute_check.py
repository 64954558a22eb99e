"""Recompute every metric a reference run recorded, by brute force, from the
closed-form patching rule written in NOTES.md §2–3 (not from the reference's
hooks):

    input(r) = Σ_{s present} out_current(s) + Σ_{s removed} out_corrupt(s) + Σ b_O(earlier layers)
    removed q/k/v edge: hook_q[h] := corrupted-run hook_q[h]

    PYTHONPATH=/tmp/acdc-ref python tests/reference/brute_check.py tests/reference/tiny/kl_tau0.01.json

Prints the largest |brute − reference| over the tested edges (float32: ~1e-7
relative) and exits non-zero if it exceeds --tol.
"""

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
import run_reference as rr  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("run", type=Path)
    p.add_argument("--tol", type=float, default=1e-5, help="relative to max(1, |metric|)")
    p.add_argument("--acdc-ref", default=rr.DEFAULT_REF)
    args = p.parse_args()
    torch.set_grad_enabled(False)
    d = json.loads(args.run.read_text())
    s = d["settings"]
    ref = rr.import_reference(args.acdc_ref)
    dtype = torch.float64 if s["dtype"] == "float64" else torch.float32
    model, _ = rr.load_model(Path(s["model"]), dtype, "cpu")
    data = rr.load_data(Path(s["data"]), "cpu")
    metric = rr.build_metric(s["metric"], ref, model, data, "cpu")
    cfg, upe = model.cfg, s["use_pos_embed"]
    L, H = cfg.n_layers, cfg.n_heads

    # Corrupted run: resample (corrupt rows; with use_pos_embed, W_pos[perm]) or zero.
    cache = {}
    model.reset_hooks()
    if s["zero_ablation"]:
        names = ["hook_result", "mlp_out"] + (["hook_embed", "hook_pos_embed"] if upe else ["blocks.0.hook_resid_pre"])
        model.add_hook(lambda n: any(x in n for x in names), lambda z, hook: torch.zeros_like(z))
    elif upe:
        perm = torch.tensor(d["corruption"]["pos_embed_perm"])

        def scramble(z, hook):
            z[:] = z[0][perm]

        model.add_hook("hook_pos_embed", scramble)
    model.cache_all(cache)
    model(data.corrupt if data.corrupt is not None else data.clean)
    model.reset_hooks()

    def ln(x, m):
        if cfg.normalization_type is None:
            return x
        x = x - x.mean(-1, keepdim=True)
        x = x / (x.pow(2).mean(-1, keepdim=True) + cfg.eps).sqrt()
        return x * m.w + m.b if cfg.normalization_type == "LN" else x

    from transformer_lens.utils import gelu_new

    act = {"relu": F.relu, "gelu": F.gelu, "gelu_new": gelu_new}.get(cfg.act_fn)

    def forward(absent):
        tok = data.clean
        n = tok.shape[1]
        E, P = model.W_E[tok], model.W_pos[:n].expand(tok.shape[0], n, -1)
        if cfg.positional_embedding_type == "shortformer":
            raise NotImplementedError("shortformer")
        cur = {("hook_embed", None): E, ("hook_pos_embed", None): P} if upe else {("blocks.0.hook_resid_pre", None): E + P}
        senders = list(cur)

        def recv(name, h, bias):
            total = bias.clone()
            for sn, sh in senders:
                if (sn, sh, name, h) not in absent:
                    total = total + cur[(sn, sh)]
                else:
                    total = total + (cache[sn] if sh is None else cache[sn][:, :, sh])
            return total

        bias = torch.zeros(cfg.d_model, dtype=dtype)
        for l in range(L):
            blk, A = model.blocks[l], model.blocks[l].attn
            outs = []
            for h in range(H):
                vec = {}
                for m in "qkv":
                    x = ln(recv(f"blocks.{l}.hook_{m}_input", h, bias), blk.ln1)
                    v = x @ getattr(A, "W_" + m.upper())[h] + getattr(A, "b_" + m.upper())[h]
                    if (f"blocks.{l}.hook_{m}_input", h, f"blocks.{l}.attn.hook_{m}", h) in absent:
                        v = cache[f"blocks.{l}.attn.hook_{m}"][:, :, h]
                    vec[m] = v
                scores = vec["q"] @ vec["k"].transpose(-1, -2) / A.attn_scale
                if cfg.attention_dir == "causal":
                    keep = torch.tril(torch.ones(n, n, dtype=torch.bool))
                    scores = torch.where(keep, scores, torch.tensor(-1e5, dtype=scores.dtype))
                outs.append((scores.softmax(-1) @ vec["v"]) @ A.W_O[h])
            for h in range(H):
                cur[(f"blocks.{l}.attn.hook_result", h)] = outs[h]
                senders.append((f"blocks.{l}.attn.hook_result", h))
            bias = bias + A.b_O
            if not cfg.attn_only:
                x = ln(recv(f"blocks.{l}.hook_mlp_in", None, bias), blk.ln2)
                mlp = blk.mlp
                cur[(f"blocks.{l}.hook_mlp_out", None)] = act(x @ mlp.W_in + mlp.b_in) @ mlp.W_out + mlp.b_out
                senders.append((f"blocks.{l}.hook_mlp_out", None))
        r = recv(f"blocks.{L - 1}.hook_resid_post", None, bias)
        return model.unembed(ln(r, model.ln_final) if cfg.normalization_type else r)

    # Edges into skipped receivers never need to be marked absent: such a
    # receiver feeds nothing by the time it is skipped.
    absent, worst = set(), 0.0
    for t in d["tested"]:
        key = (t["sender"], t["sender_head"], t["receiver"], t["receiver_head"])
        m = metric(forward(absent | {key})).item()
        worst = max(worst, abs(m - t["metric_after"]) / max(1.0, abs(t["metric_after"])))
        if t["removed"]:
            absent.add(key)
    final = metric(forward(absent)).item()
    worst = max(worst, abs(final - d["final_metric"]) / max(1.0, abs(d["final_metric"])))
    print(f"{args.run}: {len(d['tested'])} tested edges, max rel |brute - reference| = {worst:.3g}")
    sys.exit(0 if worst <= args.tol else 1)


if __name__ == "__main__":
    main()
