"""The reference harness's files (run_reference.py): a model folder loaded into TransformerLens, a
data.json read onto the device, and the JSON it writes (graph counts, numbers as the fixtures keep
them, the reference checkout's commit)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import types
from pathlib import Path

import torch

BUFFER_SUFFIXES = (".mask", ".IGNORE")


def load_model(model_dir: Path, dtype: torch.dtype, device: str):
    """Build a HookedTransformer from config.json + model.safetensors.

    Sets the three flags ACDC needs (use_attn_result, use_split_qkv_input,
    use_hook_mlp_in) and asserts that every parameter is loaded exactly.
    """
    from safetensors.torch import load_file
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    cfg_json = json.loads((model_dir / "config.json").read_text())
    use_pos_embed = bool(cfg_json.pop("use_pos_embed", False))
    fields = {f.name for f in dataclasses.fields(HookedTransformerConfig)}
    unknown = sorted(set(cfg_json) - fields)
    if unknown:
        print(f"config.json: ignoring fields unknown to TransformerLens: {unknown}", file=sys.stderr)
    kwargs = {k: v for k, v in cfg_json.items() if k in fields}
    if kwargs.get("attn_only"):
        kwargs["d_mlp"] = None
    kwargs.update(
        use_attn_result=True,
        use_split_qkv_input=True,
        device=device,
        dtype=dtype,
        seed=0,
    )
    cfg = HookedTransformerConfig(**kwargs)
    model = HookedTransformer(cfg)
    if not cfg.attn_only:
        model.set_use_hook_mlp_in(True)

    state = load_file(str(model_dir / "model.safetensors"))
    state = {k: v.to(dtype) for k, v in state.items() if not k.endswith(BUFFER_SUFFIXES)}
    expected = {k: v.shape for k, v in model.state_dict().items() if not k.endswith(BUFFER_SUFFIXES)}
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    assert not missing and not extra, f"state dict mismatch: missing={missing} extra={extra}"
    for k, v in state.items():
        assert tuple(v.shape) == tuple(expected[k]), (k, tuple(v.shape), tuple(expected[k]))
    model.load_state_dict(state, strict=False)
    model.to(device)
    model.eval()

    # The reference enumerates hook names with one forward pass on
    # torch.arange(min(10, d_vocab)) (TLACDCExperiment.reverse_topologically_sort_corr),
    # which crashes when n_ctx < 10. Clip over-long inputs to n_ctx; every real
    # input already fits, and the hook order does not depend on the length.
    n_ctx = cfg.n_ctx
    forward = model.forward

    def clipped_forward(tokens, *args, **kwargs):
        if torch.is_tensor(tokens) and tokens.ndim == 2 and tokens.shape[1] > n_ctx:
            tokens = tokens[:, :n_ctx]
        return forward(tokens, *args, **kwargs)

    model.forward = clipped_forward
    return model, use_pos_embed


def load_data(path: Path, device: str):
    data = json.loads(path.read_text())
    clean = torch.tensor(data["clean"], dtype=torch.long, device=device)
    corrupt = data.get("corrupt")
    corrupt = None if corrupt is None else torch.tensor(corrupt, dtype=torch.long, device=device)
    assert corrupt is None or corrupt.shape == clean.shape, (clean.shape, corrupt.shape)
    mask = None
    if data.get("positions") is not None:
        mask = torch.zeros(clean.shape, dtype=torch.bool, device=device)
        assert len(data["positions"]) == clean.shape[0]
        for row, positions in enumerate(data["positions"]):
            for p in positions:
                mask[row, p] = True
    return types.SimpleNamespace(raw=data, clean=clean, corrupt=corrupt, mask=mask)


def graph_counts(corr, EdgeType) -> dict:
    counts = {"edges": 0, "addition": 0, "direct_computation": 0, "placeholder": 0}
    for edge in corr.all_edges().values():
        counts[edge.edge_type.name.lower()] += 1
        if edge.edge_type != EdgeType.PLACEHOLDER:
            counts["edges"] += 1
    counts["nodes"] = len(corr.nodes())
    return counts


def dump_json(obj: dict) -> str:
    """Top-level keys one per line; each element of a list on its own line."""
    lines = []
    for key, value in obj.items():
        if isinstance(value, list):
            items = [json.dumps(v) for v in value]
            body = "[]" if not items else "[\n  " + ",\n  ".join(items) + "\n ]"
        else:
            body = json.dumps(value)
        lines.append(f" {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}"


def git_commit(path: Path) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except Exception:
        return None
