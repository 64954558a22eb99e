#!/usr/bin/env python3
"""Golden fixtures for Circuitscope, from an independent implementation.

Run by hand, never by CI:

    /root/venv-tl/bin/python tests/golden/generate.py

It writes one folder per fixture under tests/golden/ (see README.md there):

    NAME/config.json         our model config, TransformerLens field names
    NAME/model.safetensors   TransformerLens state dict (float32 params, buffers as TL keeps them)
    NAME/expected.safetensors  tokens (int32), logits and every hook activation (float32)

and hf_gpt2/ with a Hugging Face GPT2LMHeadModel in HF's own names and config.

Reference: TransformerLens 1.6.1 (HookedTransformer, run_with_cache), computed in
float64 from the float32 weights and saved as float32, so the reference is exact
to float32 rounding. A small numpy forward of our own checks TL's logits and the
hook algebra (resid_mid = resid_pre + attn_out, resid_post = resid_mid + mlp_out,
sum of heads' hook_result + b_O = attn_out) before anything is written.
The outputs are deterministic: a rerun writes byte-identical files.
"""

import json
import math
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

import transformers
from transformer_lens import HookedTransformer, HookedTransformerConfig
from transformer_lens.loading_from_pretrained import convert_gpt2_weights
from transformers import GPT2Config, GPT2LMHeadModel

GOLDEN = Path(__file__).resolve().parent
TOL = 1e-5
# One key only: safetensors stores metadata as a hash map, so with several keys
# their order (and the file's bytes) would change from run to run.
METADATA = {"generator": f"tests/golden/generate.py (transformer_lens {version('transformer_lens')}, "
                         f"torch {torch.__version__})"}

# The keys of our config.json, in this order; names as HookedTransformerConfig.
CONFIG_KEYS = [
    "model_name", "n_layers", "n_heads", "d_model", "d_head", "d_mlp", "d_vocab",
    "d_vocab_out", "n_ctx", "act_fn", "normalization_type",
    "positional_embedding_type", "attention_dir", "attn_only", "eps", "use_attn_scale",
]

# Fixtures: our config (CONFIG_KEYS less model_name), a seed and fixed tokens [batch, pos].
FIXTURES = {
    # GPT-2 style: LN, gelu_new, MLPs, standard positions, causal.
    "gpt2_style": dict(
        seed=1001,
        config=dict(n_layers=2, n_heads=3, d_model=24, d_head=8, d_mlp=32, d_vocab=40,
                    d_vocab_out=40, n_ctx=16, act_fn="gelu_new", normalization_type="LN",
                    positional_embedding_type="standard", attention_dir="causal",
                    attn_only=False, eps=1e-5, use_attn_scale=True),
        tokens=[[0, 17, 5, 33, 8, 21, 39, 2],
                [0, 3, 3, 3, 12, 30, 7, 19],
                [38, 1, 22, 9, 16, 35, 4, 28]],
    ),
    # The shape of the ACDC induction model: attention only, LN, shortformer.
    # Rows 0 and 1 repeat a random segment, so induction-like patterns exist.
    "attn_only_shortformer": dict(
        seed=1002,
        config=dict(n_layers=2, n_heads=4, d_model=16, d_head=4, d_mlp=None, d_vocab=40,
                    d_vocab_out=40, n_ctx=14, act_fn=None, normalization_type="LN",
                    positional_embedding_type="shortformer", attention_dir="causal",
                    attn_only=True, eps=1e-5, use_attn_scale=True),
        tokens=[[0, 11, 27, 5, 36, 18, 11, 27, 5, 36, 18, 9],
                [0, 2, 31, 14, 2, 31, 14, 2, 31, 14, 7, 7],
                [0, 39, 20, 8, 24, 13, 1, 33, 16, 29, 10, 4]],
    ),
    # tracr-like: no normalization, relu, MLPs, bidirectional, d_vocab_out != d_vocab.
    "tracr_style": dict(
        seed=1003,
        config=dict(n_layers=2, n_heads=2, d_model=20, d_head=6, d_mlp=32, d_vocab=12,
                    d_vocab_out=7, n_ctx=12, act_fn="relu", normalization_type=None,
                    positional_embedding_type="standard", attention_dir="bidirectional",
                    attn_only=False, eps=1e-5, use_attn_scale=True),
        tokens=[[0, 3, 1, 4, 1, 5, 9, 2],
                [0, 11, 10, 7, 7, 6, 8, 3],
                [0, 2, 2, 2, 5, 10, 11, 1]],
    ),
    # LN weights folded away: LNPre, exact (erf) gelu, MLPs, causal.
    "lnpre": dict(
        seed=1004,
        config=dict(n_layers=3, n_heads=2, d_model=16, d_head=8, d_mlp=40, d_vocab=40,
                    d_vocab_out=40, n_ctx=12, act_fn="gelu", normalization_type="LNPre",
                    positional_embedding_type="standard", attention_dir="causal",
                    attn_only=False, eps=1e-5, use_attn_scale=True),
        tokens=[[0, 7, 14, 21, 28, 35, 3, 10, 17],
                [5, 5, 5, 5, 5, 5, 5, 5, 5],
                [39, 30, 1, 12, 23, 34, 6, 18, 27]],
    ),
}

# Standard deviations for the random weights, scaled so activations are O(1) and
# attention patterns are neither uniform nor one-hot. QK_GAIN sharpens scores.
QK_GAIN = 1.6
MLP_GAIN = 1.5
BIAS_STD = 0.5
LN_STD = 0.5


def weight_std(name, c):
    """Std of the normal init for TL parameter `name`; LN weights get 1 + LN_STD·N."""
    leaf = name.split(".")[-1]
    n_heads, d_model, d_head = c["n_heads"], c["d_model"], c["d_head"]
    return {
        "W_E": 1.0,
        "W_pos": 0.7,
        "W_Q": QK_GAIN / math.sqrt(d_model),
        "W_K": QK_GAIN / math.sqrt(d_model),
        "W_V": 1.0 / math.sqrt(d_model),
        "W_O": 1.0 / math.sqrt(n_heads * d_head),
        "W_in": MLP_GAIN / math.sqrt(d_model),
        "W_out": 1.0 / math.sqrt(c["d_mlp"] or 1),
        "W_U": 1.0 / math.sqrt(d_model),
        "w": LN_STD,
        "b": LN_STD,
    }.get(leaf, BIAS_STD)  # every other leaf is a bias: b_Q, b_K, b_V, b_O, b_in, b_out, b_U


def tl_config(c, dtype):
    """A HookedTransformerConfig with every hook we record switched on."""
    return HookedTransformerConfig(
        model_name="custom",
        n_layers=c["n_layers"], n_heads=c["n_heads"], d_model=c["d_model"], d_head=c["d_head"],
        d_mlp=c["d_mlp"], d_vocab=c["d_vocab"], d_vocab_out=c["d_vocab_out"], n_ctx=c["n_ctx"],
        act_fn=c["act_fn"], normalization_type=c["normalization_type"],
        positional_embedding_type=c["positional_embedding_type"],
        attention_dir=c["attention_dir"], attn_only=c["attn_only"], eps=c["eps"],
        use_attn_scale=c["use_attn_scale"],
        # The three flags (same as model.set_use_split_qkv_input(True), ...):
        use_split_qkv_input=True,  # blocks.L.hook_{q,k,v}_input [batch, pos, n_heads, d_model]
        use_attn_result=True,  # blocks.L.attn.hook_result [batch, pos, n_heads, d_model]
        use_hook_mlp_in=True,  # blocks.L.hook_mlp_in
        init_weights=False, device="cpu", dtype=dtype,
    )


def random_params(model, c):
    """Draws every parameter (in state-dict order) from the current torch RNG, in float32."""
    params = {}
    for name, p in model.named_parameters():
        x = torch.randn(p.shape, dtype=torch.float32) * weight_std(name, c)
        if name.endswith(("ln1.w", "ln2.w", "ln_final.w")):
            x = x + 1.0
        params[name] = x.contiguous()
    return params


# ---------------------------------------------------------------------------
# An independent numpy forward (float64), written from the definitions, not from TL.

def np_gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def np_gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def np_forward(c, w, tokens):
    """Returns (logits, activations) with TL hook names for the residual-stream hooks."""
    w = {k: v.double().numpy() for k, v in w.items() if v.is_floating_point()}
    tokens = tokens.numpy()
    pos = tokens.shape[1]
    acts = {}

    def norm(x, prefix):
        kind = c["normalization_type"]
        if kind is None:
            return x
        x = x - x.mean(-1, keepdims=True)
        x = x / np.sqrt((x**2).mean(-1, keepdims=True) + c["eps"])
        if kind == "LN":
            x = x * w[prefix + ".w"] + w[prefix + ".b"]
        return x

    act = {"gelu_new": np_gelu_new, "gelu": np_gelu, "relu": lambda x: np.maximum(x, 0.0)}
    embed = w["embed.W_E"][tokens]
    pos_embed = np.broadcast_to(w["pos_embed.W_pos"][:pos], embed.shape)
    shortformer = c["positional_embedding_type"] == "shortformer"
    resid = embed if shortformer else embed + pos_embed
    allowed = np.tril(np.ones((pos, pos), bool)) if c["attention_dir"] == "causal" else np.ones((pos, pos), bool)
    for l in range(c["n_layers"]):
        a = f"blocks.{l}.attn."
        acts[f"blocks.{l}.hook_resid_pre"] = resid
        x = norm(resid, f"blocks.{l}.ln1")
        qk_in = x + pos_embed if shortformer else x
        q = np.einsum("bpm,hmd->bphd", qk_in, w[a + "W_Q"]) + w[a + "b_Q"]
        k = np.einsum("bpm,hmd->bphd", qk_in, w[a + "W_K"]) + w[a + "b_K"]
        v = np.einsum("bpm,hmd->bphd", x, w[a + "W_V"]) + w[a + "b_V"]
        scores = np.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(c["d_head"])
        scores = np.where(allowed, scores, -np.inf)
        scores = scores - scores.max(-1, keepdims=True)
        pattern = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
        z = np.einsum("bkhd,bhqk->bqhd", v, pattern)
        result = np.einsum("bqhd,hdm->bqhm", z, w[a + "W_O"])
        attn_out = result.sum(2) + w[a + "b_O"]
        acts.update({a + "hook_pattern": pattern, a + "hook_result": result,
                     f"blocks.{l}.hook_attn_out": attn_out})
        resid = resid + attn_out
        if not c["attn_only"]:
            m = f"blocks.{l}.mlp."
            acts[f"blocks.{l}.hook_resid_mid"] = resid
            h = act[c["act_fn"]](norm(resid, f"blocks.{l}.ln2") @ w[m + "W_in"] + w[m + "b_in"])
            mlp_out = h @ w[m + "W_out"] + w[m + "b_out"]
            acts[f"blocks.{l}.hook_mlp_out"] = mlp_out
            resid = resid + mlp_out
        acts[f"blocks.{l}.hook_resid_post"] = resid
    logits = norm(resid, "ln_final") @ w["unembed.W_U"] + w["unembed.b_U"]
    return logits, acts


def max_diff(a, b):
    a, b = (x.detach().double().numpy() if torch.is_tensor(x) else x for x in (a, b))
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max())


# ---------------------------------------------------------------------------
# Checks on TL's cache: the algebra our Rust code relies on.

def check_algebra(cache, c, tokens):
    got = lambda name: cache[name].double()
    pos = tokens.shape[1]
    resid0 = got("hook_embed")
    if c["positional_embedding_type"] == "standard":
        resid0 = resid0 + got("hook_pos_embed")
    assert max_diff(got("blocks.0.hook_resid_pre"), resid0) < TOL
    for l in range(c["n_layers"]):
        b = f"blocks.{l}."
        pre = got(b + "hook_resid_pre")
        for s in "qkv":  # the split inputs are copies of resid_pre, one per head
            assert max_diff(got(b + f"hook_{s}_input"), pre[:, :, None, :].expand(-1, -1, c["n_heads"], -1)) < TOL
        attn_out = got(b + "attn.hook_result").sum(2) + cache.model.blocks[l].attn.b_O.double()
        assert max_diff(got(b + "hook_attn_out"), attn_out) < TOL
        pattern = got(b + "attn.hook_pattern")
        assert max_diff(pattern.sum(-1), torch.ones_like(pattern.sum(-1))) < TOL
        if c["attention_dir"] == "causal":
            future = ~torch.tril(torch.ones(pos, pos, dtype=torch.bool))
            assert float(pattern[..., future].abs().max()) == 0.0
        if c["attn_only"]:
            assert max_diff(got(b + "hook_resid_post"), pre + got(b + "hook_attn_out")) < TOL
            assert b + "hook_mlp_in" not in cache.cache_dict and b + "hook_resid_mid" not in cache.cache_dict
        else:
            mid = got(b + "hook_resid_mid")
            assert max_diff(mid, pre + got(b + "hook_attn_out")) < TOL
            assert max_diff(got(b + "hook_mlp_in"), mid) < TOL
            assert max_diff(got(b + "hook_resid_post"), mid + got(b + "hook_mlp_out")) < TOL
        if l + 1 < c["n_layers"]:
            assert max_diff(got(f"blocks.{l + 1}.hook_resid_pre"), got(b + "hook_resid_post")) < TOL


def pattern_stats(cache, c):
    """Mean and extremes of each attention row's largest weight, over rows that see ≥ 3 keys."""
    maxes = []
    for l in range(c["n_layers"]):
        p = cache[f"blocks.{l}.attn.hook_pattern"].double()
        rows = slice(2, None) if c["attention_dir"] == "causal" else slice(None)
        maxes.append(p[:, :, rows, :].max(-1).values.flatten())
    m = torch.cat(maxes)
    return float(m.mean()), float(m.min()), float(m.max())


# ---------------------------------------------------------------------------

def write_json(path, obj):
    path.write_text(json.dumps(obj, indent=2) + "\n")


def tl_fixture(name, spec):
    c = dict(spec["config"])
    torch.manual_seed(spec["seed"])
    model32 = HookedTransformer(tl_config(c, torch.float32))
    params = random_params(model32, c)
    model32.load_state_dict(params, strict=False)
    # The state dict as TL saves it: float32 parameters plus TL's buffers
    # (blocks.L.attn.mask bool [n_ctx, n_ctx], blocks.L.attn.IGNORE float32 []).
    state = {k: v.detach().clone().contiguous() for k, v in model32.state_dict().items()}
    buffers = sorted(set(state) - set(params))

    # The reference run: the same float32 values, computed in float64.
    model64 = HookedTransformer(tl_config(c, torch.float64))
    model64.load_state_dict({k: v.double() if v.is_floating_point() and k in params else v
                             for k, v in state.items()})
    model64.eval()
    tokens = torch.tensor(spec["tokens"], dtype=torch.long)
    assert tokens.shape[1] <= c["n_ctx"] and int(tokens.max()) < c["d_vocab"]
    with torch.no_grad():
        logits, cache = model64.run_with_cache(tokens)
        logits32 = model32(tokens)  # how far plain float32 TL is from the reference

    check_algebra(cache, c, tokens)
    np_logits, np_acts = np_forward(c, params, tokens)
    diff_logits = max_diff(logits, np_logits)
    diff_acts = max(max_diff(cache[k], v) for k, v in np_acts.items())
    assert diff_logits < TOL and diff_acts < TOL, (diff_logits, diff_acts)
    mean_max, min_max, max_max = pattern_stats(cache, c)
    assert 0.3 < mean_max < 0.9 and max_max > 0.9, "attention patterns too uniform or too sharp"
    print(f"[{name}] max |TL logits - numpy logits| = {diff_logits:.3e}; "
          f"TL float32 vs float64 logits: {max_diff(logits32, logits):.3e}; "
          f"max over resid/attn/mlp hooks = {diff_acts:.3e}; "
          f"logit std {float(logits.std()):.2f}; pattern row max mean {mean_max:.2f} "
          f"(min {min_max:.2f}, max {max_max:.2f}); buffers kept: {', '.join(buffers)}")

    out = GOLDEN / name
    out.mkdir(exist_ok=True)
    write_json(out / "config.json", {"model_name": name, **{k: c[k] for k in CONFIG_KEYS[1:]}})
    save_file(state, out / "model.safetensors", metadata=METADATA)
    HookedTransformer(tl_config(c, torch.float32)).load_state_dict(load_file(out / "model.safetensors"))  # strict
    expected = {"tokens": tokens.to(torch.int32), "logits": logits.float().contiguous()}
    for k, v in cache.cache_dict.items():
        # LayerNorm hooks are left out: with split q/k/v inputs ln1 runs three
        # times per block and the cache keeps only the last (value) call.
        if ".hook_scale" not in k and ".hook_normalized" not in k:
            expected[k] = v.float().contiguous()
    save_file(expected, out / "expected.safetensors", metadata=METADATA)


def hf_fixture(name="hf_gpt2", seed=1005):
    """A Hugging Face GPT-2 in HF's own names and config, with HF's logits."""
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=40, n_positions=16, n_embd=16, n_layer=2, n_head=2)
    hf = GPT2LMHeadModel(config).eval()
    d_model = config.n_embd
    with torch.no_grad():  # HF inits LN to (1, 0) and biases to 0: make them non-trivial too
        for pname, p in hf.named_parameters():  # lm_head.weight is tied to wte, listed once
            if pname.endswith("wte.weight"):  # also the unembedding: keep logits moderate
                std = 0.5
            elif pname.endswith("wpe.weight"):
                std = 0.7
            elif pname.endswith("c_attn.weight"):  # Conv1D [d_model, 3 d_model]: q, k | v
                p[:, : 2 * d_model] = torch.randn(d_model, 2 * d_model) * QK_GAIN / math.sqrt(d_model)
                p[:, 2 * d_model:] = torch.randn(d_model, d_model) / math.sqrt(d_model)
                continue
            elif pname.endswith("c_fc.weight"):
                std = MLP_GAIN / math.sqrt(d_model)
            elif pname.endswith("c_proj.weight"):
                std = 1.0 / math.sqrt(p.shape[0])
            else:
                std = BIAS_STD
            p.copy_(torch.randn(p.shape) * std + (1.0 if ".ln_" in pname and pname.endswith(".weight") else 0.0))

    out = GOLDEN / name
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        hf.save_pretrained(tmp, safe_serialization=True)
        for f in ("config.json", "model.safetensors"):  # generation_config.json is not needed
            shutil.copyfile(Path(tmp) / f, out / f)
    saved = load_file(out / "model.safetensors")

    tokens = torch.tensor([[0, 17, 5, 33, 8, 21, 39, 2, 14, 26, 30],
                           [1, 1, 2, 3, 5, 8, 13, 21, 34, 15, 9],
                           [22, 10, 10, 4, 37, 18, 25, 0, 6, 31, 12]], dtype=torch.long)
    with torch.no_grad():
        logits32 = hf(tokens).logits
        hf64 = GPT2LMHeadModel.from_pretrained(out, torch_dtype=torch.float64).eval()
        logits = hf64(tokens).logits
    assert logits.dtype == torch.float64
    save_file({"tokens": tokens.to(torch.int32), "logits": logits.float().contiguous()},
              out / "expected.safetensors", metadata=METADATA)

    # The same weights through TL's own GPT-2 conversion, no folding or centering.
    cfg = HookedTransformerConfig(
        n_layers=config.n_layer, n_heads=config.n_head, d_model=d_model, d_head=d_model // config.n_head,
        d_mlp=4 * d_model, d_vocab=config.vocab_size, n_ctx=config.n_positions, act_fn="gelu_new",
        normalization_type="LN", eps=config.layer_norm_epsilon, original_architecture="GPT2LMHeadModel",
        init_weights=False, device="cpu", dtype=torch.float64)
    tl = HookedTransformer(cfg)
    tl.load_and_process_state_dict(convert_gpt2_weights(hf64, cfg), fold_ln=False,
                                   center_writing_weights=False, center_unembed=False,
                                   fold_value_biases=False)
    with torch.no_grad():
        tl_logits = tl(tokens)
    diff = max_diff(tl_logits, logits)
    assert diff < TOL, diff
    print(f"[{name}] max |TL logits - HF logits| = {diff:.3e} (float64); "
          f"HF float32 vs float64: {max_diff(logits32, logits):.3e}; logit std {float(logits.std()):.2f}; "
          f"saved tensors: {len(saved)} ({'with' if 'lm_head.weight' in saved else 'without'} lm_head.weight)")


def main():
    print(f"transformer_lens {version('transformer_lens')}, torch {torch.__version__}, "
          f"transformers {transformers.__version__}, numpy {np.__version__}")
    for name, spec in FIXTURES.items():
        tl_fixture(name, spec)
    hf_fixture()
    for f in GOLDEN.glob("*/*"): f.chmod(0o644)  # safetensors writes 0600


if __name__ == "__main__":
    main()
