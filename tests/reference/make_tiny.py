"""Write tiny cross-implementation fixtures: a random model in our format and a
random data file.

    python tests/reference/make_tiny.py                 # tiny/: 2 layers, 2 heads, attention-only, LN, causal
    python tests/reference/make_tiny.py --variant mlp   # tiny_mlp/: the same plus MLPs (gelu_new), GPT-2-like
    python tests/reference/make_tiny.py --variant tracr # tiny_tracr/: MLPs (relu), no LN, bidirectional,
                                                        #   separate hook_embed/hook_pos_embed nodes

Writes <out>/model/{config.json, model.safetensors} (parameters only, no
attention mask buffers), <out>/data.json (6 rows of 6 tokens; corrupt = the
clean rows under a fixed-point-free permutation; correct/wrong = one random
token per row, for logit_diff runs) and <out>/data_positions.json (the same,
scored at marked positions). Deterministic (seed 0).
"""

import argparse
import json
import math
from pathlib import Path

import torch
from safetensors.torch import save_file

BASE = {
    "n_layers": 2,
    "n_heads": 2,
    "d_model": 16,
    "d_head": 8,
    "d_mlp": None,
    "d_vocab": 20,
    "d_vocab_out": 20,
    "n_ctx": 8,
    "act_fn": "gelu",
    "normalization_type": "LN",
    "positional_embedding_type": "standard",
    "attention_dir": "causal",
    "attn_only": True,
    "eps": 1e-5,
    "use_pos_embed": False,
}
VARIANTS = {
    "attn": BASE,
    "mlp": {**BASE, "attn_only": False, "d_mlp": 32, "act_fn": "gelu_new"},
    "tracr": {**BASE, "attn_only": False, "d_mlp": 32, "act_fn": "relu", "normalization_type": None,
              "attention_dir": "bidirectional", "use_pos_embed": True},
}
BATCH, SEQ = 6, 6


def parameters(cfg: dict, g: torch.Generator) -> dict:
    """TransformerLens names and shapes; weights scaled so attention is peaked
    and edges have effects of varied size (biases and LN affine non-trivial)."""
    L, H, D, Dh, V, N = (cfg[k] for k in ("n_layers", "n_heads", "d_model", "d_head", "d_vocab", "n_ctx"))
    ln = cfg["normalization_type"] == "LN"

    def randn(*shape, scale=1.0, offset=0.0):
        return torch.randn(*shape, generator=g) * scale + offset

    p = {"embed.W_E": randn(V, D), "pos_embed.W_pos": randn(N, D, scale=0.5)}
    for l in range(L):
        b = f"blocks.{l}"
        if ln:
            p[f"{b}.ln1.w"] = randn(D, scale=0.1, offset=1.0)
            p[f"{b}.ln1.b"] = randn(D, scale=0.1)
        for m in "QKV":
            p[f"{b}.attn.W_{m}"] = randn(H, D, Dh, scale=1 / math.sqrt(D))
            p[f"{b}.attn.b_{m}"] = randn(H, Dh, scale=0.1)
        p[f"{b}.attn.W_O"] = randn(H, Dh, D, scale=1 / math.sqrt(Dh))
        p[f"{b}.attn.b_O"] = randn(D, scale=0.1)
        if not cfg["attn_only"]:
            M = cfg["d_mlp"]
            if ln:
                p[f"{b}.ln2.w"] = randn(D, scale=0.1, offset=1.0)
                p[f"{b}.ln2.b"] = randn(D, scale=0.1)
            p[f"{b}.mlp.W_in"] = randn(D, M, scale=1 / math.sqrt(D))
            p[f"{b}.mlp.b_in"] = randn(M, scale=0.1)
            p[f"{b}.mlp.W_out"] = randn(M, D, scale=1 / math.sqrt(M))
            p[f"{b}.mlp.b_out"] = randn(D, scale=0.1)
    if ln:
        p["ln_final.w"] = randn(D, scale=0.1, offset=1.0)
        p["ln_final.b"] = randn(D, scale=0.1)
    p["unembed.W_U"] = randn(D, cfg["d_vocab_out"], scale=2 / math.sqrt(D))
    p["unembed.b_U"] = randn(cfg["d_vocab_out"], scale=0.1)
    return {k: v.float().contiguous() for k, v in p.items()}


def derangement(n: int, g: torch.Generator) -> torch.Tensor:
    while True:
        perm = torch.randperm(n, generator=g)
        if not (perm == torch.arange(n)).any():
            return perm


def main(out: Path, variant: str):
    cfg = VARIANTS[variant]
    g = torch.Generator().manual_seed(0)
    params = parameters(cfg, g)
    clean = torch.randint(0, cfg["d_vocab"], (BATCH, SEQ), generator=g)
    corrupt = clean[derangement(BATCH, g)]
    correct = torch.randint(0, cfg["d_vocab"], (BATCH,), generator=g)
    wrong = (correct + torch.randint(1, cfg["d_vocab"], (BATCH,), generator=g)) % cfg["d_vocab"]

    (out / "model").mkdir(parents=True, exist_ok=True)
    (out / "model" / "config.json").write_text(json.dumps(cfg, indent=1) + "\n")
    save_file(params, str(out / "model" / "model.safetensors"))
    data = {
        "clean": clean.tolist(),
        "corrupt": corrupt.tolist(),
        "correct": correct.tolist(),
        "wrong": wrong.tolist(),
    }
    (out / "data.json").write_text(json.dumps(data) + "\n")
    # The same rows scored at several (row, position) pairs: the induction-style
    # KL path (one mean over all marked pairs, not per row first).
    positions = [[SEQ - 1], [2, SEQ - 1], [1, 3], [0, 4, 5], [3], [1, 2, 3, 4]]
    (out / "data_positions.json").write_text(json.dumps({**data, "positions": positions}) + "\n")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", nargs="?", type=Path, help="default: tests/reference/tiny[_<variant>]")
    p.add_argument("--variant", choices=sorted(VARIANTS), default="attn")
    args = p.parse_args()
    default = Path(__file__).parent / ("tiny" if args.variant == "attn" else f"tiny_{args.variant}")
    main(args.out or default, args.variant)
