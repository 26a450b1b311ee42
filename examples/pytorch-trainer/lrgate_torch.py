"""lrgate's model folder, tokenizer, dataset folder and batch sampling, in PyTorch.

Everything here mirrors a file of lrgate (named in each docstring) closely enough that the same
seed gives the same batches and the same weights give the same logits (to float rounding).
"""
import hashlib
import json
import math
import os
import re
import struct
import unicodedata

import torch
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------
# Seeded random numbers: src/util/rng.ts (mulberry32, hashSeed, deriveSeed), 32-bit arithmetic.
M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & M32


def hash_seed(seed):
    h = (seed ^ 0x9E3779B9) & M32
    h = _imul(h ^ (h >> 16), 0x85EBCA6B)
    h = _imul(h ^ (h >> 13), 0xC2B2AE35)
    return (h ^ (h >> 16)) & M32


def derive_seed(seed, purpose):
    h = hash_seed(seed)
    for ch in purpose:
        h = _imul(h ^ ord(ch), 0x01000193)
    return h


class Rng:
    """mulberry32 seeded like lrgate's seededRng(seed)."""

    def __init__(self, seed):
        self.s = hash_seed(seed)

    def next(self):
        self.s = (self.s + 0x6D2B79F5) & M32
        t = self.s
        t = _imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + _imul(t ^ (t >> 7), t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    def int(self, n):
        return math.floor(self.next() * n)


# ---------------------------------------------------------------------------------------------
# Tokenizer: src/model/tokenizer.ts (char-level; NFKD, combining marks stripped, \r dropped, tab → space).
class CharTokenizer:
    def __init__(self, spec):
        self.vocab = spec["vocab"]
        self.unknown = spec["unknown"]
        self.index = {c: i for i, c in enumerate(self.vocab)}
        self.unknown_id = self.index[self.unknown]

    def normalize(self, text):
        text = unicodedata.normalize("NFKD", text)
        text = re.sub("[\u0300-\u036f]", "", text)
        return text.replace("\r", "").replace("\t", " ")

    def encode(self, text):
        return [self.index.get(c, self.unknown_id) for c in self.normalize(text)]


# ---------------------------------------------------------------------------------------------
# Model folder: src/model/io.ts — model.json (weightsManifest), weights.bin (float32 little-endian,
# in manifest order), config.json (the GPT shape), tokenizer.json.
def parameter_shapes(c):
    """src/model/gpt.ts parameterShapes: every weight's name and shape, in saved order."""
    D, V = c["dModel"], c["vocabSize"]
    shapes = [("wte", [V, D]), ("wpe", [c["contextLength"], D])]
    for l in range(c["nLayers"]):
        p = f"h.{l}."
        shapes += [
            (p + "ln1.g", [D]), (p + "ln1.b", [D]),
            (p + "attn.wqkv", [D, 3 * D]), (p + "attn.bqkv", [3 * D]),
            (p + "attn.wo", [D, D]), (p + "attn.bo", [D]),
            (p + "ln2.g", [D]), (p + "ln2.b", [D]),
            (p + "mlp.w1", [D, 4 * D]), (p + "mlp.b1", [4 * D]),
            (p + "mlp.w2", [4 * D, D]), (p + "mlp.b2", [D]),
        ]
    shapes += [("lnf.g", [D]), ("lnf.b", [D])]
    if not c["tiedHead"]:
        shapes.append(("head.w", [D, V]))
    return shapes


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_model_folder(folder):
    """Returns (config, tokenizer spec, manifest, {name: float32 tensor})."""
    with open(os.path.join(folder, "model.json"), encoding="utf-8") as f:
        text = f.read()
    manifest = json.loads(text)
    manifest["_text"] = text  # the bytes as read, so an unchanged manifest is written back as it was
    config = read_json(os.path.join(folder, "config.json"))
    tokenizer = read_json(os.path.join(folder, "tokenizer.json"))
    group = manifest["weightsManifest"][0]
    with open(os.path.join(folder, os.path.basename(group["paths"][0])), "rb") as f:
        data = f.read()
    weights, offset = {}, 0
    for spec in group["weights"]:
        n = math.prod(spec["shape"]) if spec["shape"] else 1
        values = torch.frombuffer(bytearray(data[offset:offset + 4 * n]), dtype=torch.float32)
        weights[spec["name"]] = values.reshape(spec["shape"]).clone()
        offset += 4 * n
    if offset != len(data):
        raise SystemExit(f"{folder}: weights.bin has {len(data)} bytes, model.json describes {offset}")
    return config, tokenizer, manifest, weights


def save_model_folder(folder, config, tokenizer, manifest, weights, metadata=None):
    """Writes an lrgate model folder (atomically: beside it, then renamed) lrgate can load."""
    tmp = folder.rstrip("/") + f".tmp-{os.getpid()}"
    os.makedirs(tmp, exist_ok=True)
    specs = manifest["weightsManifest"][0]["weights"]
    with open(os.path.join(tmp, "weights.bin"), "wb") as f:
        for spec in specs:
            t = weights[spec["name"]].detach().to(torch.float32).contiguous().cpu()
            f.write(t.numpy().astype("<f4").tobytes())
    out = dict(manifest)
    out["weightsManifest"] = [{"paths": ["weights.bin"], "weights": specs}]
    if metadata is not None:
        out["userDefinedMetadata"] = metadata
    with open(os.path.join(tmp, "model.json"), "w", encoding="utf-8") as f:
        # Unchanged metadata: the manifest's own bytes (Python and JavaScript print some numbers differently).
        raw = manifest.get("_text") if metadata is None else None
        f.write(raw if raw is not None else json.dumps({k: v for k, v in out.items() if k != "_text"}, indent=2) + "\n")
    with open(os.path.join(tmp, "config.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(config, indent=2) + "\n")
    with open(os.path.join(tmp, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(tokenizer, separators=(",", ":"), ensure_ascii=False) + "\n")
    # checksums.json last: the sha256 of each file, which lrgate verifies when it loads the folder.
    files = sorted(os.listdir(tmp))
    sums = {}
    for name in files:
        with open(os.path.join(tmp, name), "rb") as f:
            sums[name] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(tmp, "checksums.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"algorithm": "sha256", "files": sums}, indent=2) + "\n")
    # Move the files into place one by one (checksums.json last): the folder may also hold the trainer's checkpoints.
    os.makedirs(folder, exist_ok=True)
    for name in files + ["checksums.json"]:
        os.replace(os.path.join(tmp, name), os.path.join(folder, name))
    os.rmdir(tmp)


# ---------------------------------------------------------------------------------------------
# The GPT: src/model/gpt.ts and src/model/ops/* — pre-norm blocks, causal attention over packed
# q|k|v projections, tanh-GELU MLP, final LayerNorm, tied head; dense layers x [N, Din] · w [Din, Dout].
LAYER_NORM_EPS = 1e-5


def gelu(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


class Gpt(torch.nn.Module):
    def __init__(self, config, weights):
        super().__init__()
        self.config = config
        self.names = [name for name, _ in parameter_shapes(config)]
        for name, shape in parameter_shapes(config):
            w = weights[name]
            if list(w.shape) != shape:
                raise SystemExit(f"weight {name} is shaped {list(w.shape)}, expected {shape}")
            self.register_parameter(name.replace(".", "__"), torch.nn.Parameter(w.clone()))

    def p(self, name):
        return getattr(self, name.replace(".", "__"))

    def named_weights(self):
        return {name: self.p(name) for name in self.names}

    def forward(self, tokens, positions):
        """tokens, positions: (B, T) int64 → logits (B*T, V)."""
        c = self.config
        B, T = tokens.shape
        H, D = c["nHeads"], c["dModel"]
        hd = D // H
        drop = c["dropout"] if self.training else 0.0
        x = (self.p("wte")[tokens.reshape(-1)] + self.p("wpe")[positions.reshape(-1)])  # (B*T, D)
        x = F.dropout(x, drop, self.training)
        mask = torch.triu(torch.full((T, T), -1e9), diagonal=1)
        for l in range(c["nLayers"]):
            w = lambda n: self.p(f"h.{l}.{n}")  # noqa: E731
            h = F.layer_norm(x, (D,), w("ln1.g"), w("ln1.b"), LAYER_NORM_EPS)
            qkv = h @ w("attn.wqkv") + w("attn.bqkv")  # (B*T, 3D)
            q, k, v = qkv.reshape(B, T, 3, H, hd).permute(2, 0, 3, 1, 4)  # each (B, H, T, hd)
            att = torch.softmax(q @ k.transpose(-1, -2) * (1 / math.sqrt(hd)) + mask, dim=-1)
            y = (att @ v).permute(0, 2, 1, 3).reshape(B * T, D)
            x = x + F.dropout(y @ w("attn.wo") + w("attn.bo"), drop, self.training)
            h2 = F.layer_norm(x, (D,), w("ln2.g"), w("ln2.b"), LAYER_NORM_EPS)
            m = gelu(h2 @ w("mlp.w1") + w("mlp.b1")) @ w("mlp.w2") + w("mlp.b2")
            x = x + F.dropout(m, drop, self.training)
        x = F.layer_norm(x, (D,), self.p("lnf.g"), self.p("lnf.b"), LAYER_NORM_EPS)
        return x @ self.p("wte").t() if c["tiedHead"] else x @ self.p("head.w")


def weighted_loss(logits, targets, weights):
    """src/model/ops/cross-entropy.ts: Σ w·nll / Σ w (weight 0 = a prompt position, not counted)."""
    nll = F.cross_entropy(logits, targets.reshape(-1), reduction="none")
    w = weights.reshape(-1)
    return (nll * w).sum() / torch.clamp(w.sum(), min=1e-12)


# ---------------------------------------------------------------------------------------------
# Dataset folder and batches: src/datasets/load.ts (files sorted by name, lines in order),
# src/sweep/training-data.ts, src/model/record-text.ts, src/train/token-stream.ts.
def load_dataset_folder(folder):
    manifest = read_json(os.path.join(folder, "manifest.json"))
    records = []
    for name in sorted(manifest["files"]):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def split_training(records, seed):
    valid = [r for r in records if r["cohort"].startswith("valid:")]
    if valid:
        return [r for r in records if not r["cohort"].startswith("valid:")], valid
    rng = Rng(derive_seed(seed, "valid-split"))
    train, held = [], []
    for r in records:
        (held if rng.next() < 0.05 else train).append(r)
    if held or len(train) < 2:
        return train, held
    return train[1:], train[:1]


def with_context(context, text):
    """A grounded record's prompt: its context, a newline, then the input."""
    if context is None or context.strip() == "":
        return text
    return context + text if context.endswith("\n") else f"{context}\n{text}"


def record_text(r):
    """src/model/record-text.ts: (prompt, completion, generative)."""
    if "input" in r and "reference" in r:
        sep = "" if re.search(r"\s\Z", r["input"]) or re.match(r"\s", r["reference"]) else " "
        return with_context(r.get("context"), r["input"]), f"{sep}{r['reference']}\n", True
    return "\n", r.get("text", ""), False


def token_stream(records, tok):
    """Records packed into one stream; weight 1 on completion tokens (the loss is on the answer only)."""
    tokens, weights, starts = [], [], []
    for r in records:
        prompt, completion, generative = record_text(r)
        head = tok.encode(prompt) if generative else []
        tail = tok.encode(completion if generative else completion + "\n")
        starts.append(len(tokens))
        tokens += head + tail
        weights += [0.0] * len(head) + [1.0] * len(tail)
    return tokens, weights, starts


def _window(stream, start, T):
    tokens, weights, _ = stream
    n = len(tokens)
    idx = [(start + t) % n for t in range(T)]
    nxt = [(start + t + 1) % n for t in range(T)]
    return [tokens[i] for i in idx], [tokens[j] for j in nxt], [weights[j] for j in nxt]


def _batch(stream, starts, T):
    rows = [_window(stream, s, T) for s in starts]
    x = torch.tensor([r[0] for r in rows], dtype=torch.long)
    y = torch.tensor([r[1] for r in rows], dtype=torch.long)
    w = torch.tensor([r[2] for r in rows], dtype=torch.float32)
    pos = torch.arange(T).repeat(len(rows), 1)
    return x, pos, y, w


def training_batch(stream, B, T, seed, step):
    """B windows at random record starts from a generator seeded by (seed, step) alone."""
    rng = Rng(derive_seed(seed, f"batch:{step}"))
    starts = stream[2]
    return _batch(stream, [starts[rng.int(len(starts))] for _ in range(B)], T)


def validation_batches(stream, B, T, max_batches):
    windows, nxt = [], 0
    for s in stream[2]:
        if s < nxt:
            continue
        windows.append(s)
        nxt = s + T
        if len(windows) >= B * max_batches:
            break
    return [_batch(stream, windows[i:i + B], T) for i in range(0, len(windows), B)]
