"""Write the ACDC paper's IOI and greater-than datasets for GPT-2 small, as the reference builds
them, to models/gpt2/data/{ioi,greater-than}.json (read by crate/src/tasks/paper.rs).

Run by hand, never in CI (no network, no weights needed):

    PYTHONPATH=/tmp/acdc-ref /root/venv-tl/bin/python tests/reference/make_gpt2_task_data.py

The reference (ArthurConmy/Automatic-Circuit-Discovery, torch 1.13.1 for its torch.randint
stream) is imported and its own task functions run unmodified: `acdc/ioi/utils.py::
get_all_ioi_things` and `acdc/greaterthan/utils.py::get_all_greaterthan_things`, with
num_examples = 100 as `acdc/main.py` uses for both. Three things are swapped, none of which
changes a token:
- GPT-2's tokenizer is models/gpt2/tokenizer.json (the Hugging Face hub is out of reach), handed
  out wherever the reference asks for `AutoTokenizer.from_pretrained("gpt2")`;
- `get_gpt2_small` returns a stand-in with that tokenizer whose forward pass gives zero logits
  (the tasks run GPT-2 only for the clean log-probs of the KL metric, which we do not keep);
- modules missing from that venv that build no data are stubbed: matplotlib and IPython (imported,
  unused), acdc_graphics (drawing), and acdc/docstring/utils.py, of which these tasks use only
  `AllDataThings`, a plain record. (The reference's "S2 index has been computed as the same for S
  and S2" warning is its own, from the ABC prompts' word indices, which we do not use.)
We keep the validation half (the rows ACDC runs on): token ids of clean and corrupted prompts,
the answers, and the reference's own prompt text. The metrics are checked here against the
reference's on random logits, so the Rust side's logit_diff / prob_diff read the same thing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import torch

REF = Path(next((p for p in sys.path if (Path(p) / "acdc" / "ioi").is_dir()), "/tmp/acdc-ref"))
REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "models" / "gpt2" / "data"
NUM_EXAMPLES = 100  # acdc/main.py: TASK == "ioi" and TASK == "greaterthan"
D_VOCAB = 50257


def gpt2_tokenizer():
    """models/gpt2/tokenizer.json with the settings of `AutoTokenizer.from_pretrained("gpt2")`
    (TransformerLens 1.6.1's `set_tokenizer` and IOIDataset both set pad = eos)."""
    from transformers import GPT2TokenizerFast

    t = GPT2TokenizerFast(tokenizer_file=str(REPO / "models/gpt2/tokenizer.json"),
                          bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>")
    t.pad_token = t.eos_token
    assert t.padding_side == "right" and t.encode(" Mary") == [5335] and t.encode("01") == [486]
    return t


TOKENIZER = gpt2_tokenizer()


class StandInGpt2:
    """What the task functions use of `get_gpt2_small()`: its tokenizer, device and a forward
    pass (only for the KL metric's clean log-probs, which we discard)."""

    tokenizer = TOKENIZER
    cfg = types.SimpleNamespace(device="cpu")

    def __call__(self, tokens):
        return torch.zeros(*tokens.shape, D_VOCAB)


def import_reference():
    for name in ["matplotlib", "matplotlib.pyplot", "IPython", "acdc.acdc_graphics"]:
        sys.modules[name] = types.ModuleType(name)
    docstring = types.ModuleType("acdc.docstring.utils")
    docstring.AllDataThings = lambda **fields: types.SimpleNamespace(**fields)
    sys.modules["acdc.docstring.utils"] = docstring
    sys.path.insert(0, str(REF))
    import acdc.greaterthan.utils as gt
    import acdc.ioi.ioi_dataset as ioi_dataset
    import acdc.ioi.utils as ioi

    class AutoTokenizer:
        @staticmethod
        def from_pretrained(name):
            assert name == "gpt2", name
            return TOKENIZER

    ioi_dataset.AutoTokenizer = AutoTokenizer
    ioi.get_gpt2_small = gt.get_gpt2_small = lambda device="cuda": StandInGpt2()
    return ioi, ioi_dataset, gt


def rows(t: torch.Tensor) -> list[list[int]]:
    return [[int(x) for x in r] for r in t]


def ioi_data(ioi, ioi_dataset) -> dict:
    things = ioi.get_all_ioi_things(NUM_EXAMPLES, "cpu", "logit_diff")
    clean, corrupt = rows(things.validation_data), rows(things.validation_patch_data)
    io, s = things.validation_labels.tolist(), things.validation_metric.keywords["wrong_labels"].tolist()
    # The reference's own sentences: the same IOIDataset and ABC flips get_all_ioi_things builds
    # (same arguments, same seeds), whose token ids must be the ones above.
    ds = ioi_dataset.IOIDataset(prompt_type="ABBA", N=NUM_EXAMPLES * 2, nb_templates=1, seed=0)
    abc = (ds.gen_flipped_prompts(("IO", "RAND"), seed=1).gen_flipped_prompts(("S", "RAND"), seed=2)
           .gen_flipped_prompts(("S1", "RAND"), seed=3))
    assert rows(ds.toks[:NUM_EXAMPLES, :-1]) == clean and rows(abc.toks[:NUM_EXAMPLES, :-1]) == corrupt
    clean_text, corrupt_text = [], []
    for i in range(NUM_EXAMPLES):
        p, q = ds.ioi_prompts[i], abc.ioi_prompts[i]
        assert p["text"].endswith(" " + p["IO"]) and TOKENIZER.encode(" " + p["IO"]) == [io[i]]
        assert TOKENIZER.encode(" " + p["S"]) == [s[i]] and p["IO"] != p["S"]
        clean_text.append(p["text"][: -len(p["IO"]) - 1])
        corrupt_text.append(q["text"][: q["text"].rindex(" ")])
        assert TOKENIZER.encode(clean_text[-1]) == clean[i] and TOKENIZER.encode(corrupt_text[-1]) == corrupt[i]
    # Our logit_diff: −mean(logit[IO] − logit[S]) at the last position.
    logits = torch.randn(NUM_EXAMPLES, len(clean[0]), D_VOCAB)
    last = logits[:, -1]
    ours = -(last[range(NUM_EXAMPLES), io] - last[range(NUM_EXAMPLES), s]).mean()
    assert torch.allclose(ours, things.validation_metric(logits)), "logit diff differs from the reference's"
    return {
        "task": "ioi",
        "source": source("acdc/ioi/utils.py::get_all_ioi_things(num_examples=100): IOIDataset(prompt_type=\"ABBA\", "
                          "N=200, nb_templates=1, seed=0); ABC = gen_flipped_prompts ((IO, RAND), seed=1), "
                          "((S, RAND), seed=2), ((S1, RAND), seed=3); validation half, rows 0..100"),
        "clean": clean,
        "corrupt": corrupt,
        "io": io,
        "s": s,
        "cleanText": clean_text,
        "corruptText": corrupt_text,
    }


def greater_than_data(gt) -> dict:
    things = gt.get_all_greaterthan_things(NUM_EXAMPLES, "greaterthan", device="cpu")
    clean, corrupt = rows(things.validation_data), rows(things.validation_patch_data)
    constants = gt.GreaterThanConstants.get("cpu")
    year_tokens = [constants.TOKENS[i] for i in range(100)]
    _, prompts = gt.get_year_data(NUM_EXAMPLES * 2, StandInGpt2())  # reseeds (54): the same prompts
    yy_position = 7  # greaterthan_metric reads tokens[:, 7]
    for i in range(NUM_EXAMPLES):
        assert TOKENIZER.encode(prompts[i]) == clean[i]
        yy = constants.INV_TOKENS[clean[i][yy_position]]
        # greaterthan_metric drops the "≤ YY" term when YY is 00; no row has it, so the metric is
        # exactly P(> YY) − P(≤ YY).
        assert yy > 0 and corrupt[i][yy_position] == 486 == year_tokens[1]
        assert [j for j, (a, b) in enumerate(zip(clean[i], corrupt[i])) if a != b] in ([yy_position], [])
    # Our prob_diff: −mean(Σ_{y > YY} p(y) − Σ_{y ≤ YY} p(y)) at the last position.
    logits = torch.randn(NUM_EXAMPLES, len(clean[0]), D_VOCAB)
    probs = logits[:, -1].softmax(-1)
    ours = []
    for i in range(NUM_EXAMPLES):
        yy = year_tokens.index(clean[i][yy_position])
        ours.append(probs[i, year_tokens[yy + 1:]].sum() - probs[i, year_tokens[: yy + 1]].sum())
    assert torch.allclose(-torch.stack(ours).mean(), things.validation_metric(logits)), "prob diff differs"
    return {
        "task": "greater-than",
        "source": source("acdc/greaterthan/utils.py::get_all_greaterthan_things(num_examples=100): "
                          "get_year_data(200) with torch.random.manual_seed(54); corrupted = position 7 set to "
                          "486 (\"01\"); validation half, rows 0..100"),
        "yyPosition": yy_position,
        "yearTokens": year_tokens,
        "clean": clean,
        "corrupt": corrupt,
        "cleanText": prompts[:NUM_EXAMPLES],
    }


def source(what: str) -> str:
    commit = subprocess.run(["git", "-C", str(REF), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    return f"ArthurConmy/Automatic-Circuit-Discovery@{commit[:8]} {what}; torch {torch.__version__}"


def dump_json(obj: dict) -> str:
    """Top-level keys one per line; each element of a list on its own line."""
    lines = []
    for key, value in obj.items():
        if isinstance(value, list) and value and isinstance(value[0], (list, str)):
            body = "[\n  " + ",\n  ".join(json.dumps(v, separators=(",", ":")) for v in value) + "\n ]"
        else:
            body = json.dumps(value, separators=(",", ":"))
        lines.append(f" {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main():
    ioi, ioi_dataset, gt = import_reference()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in [("ioi", ioi_data(ioi, ioi_dataset)), ("greater-than", greater_than_data(gt))]:
        path = OUT / f"{name}.json"
        path.write_text(dump_json(data))
        print(f"{path.relative_to(REPO)}: {len(data['clean'])} rows of {len(data['clean'][0])} tokens, "
              f"{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
