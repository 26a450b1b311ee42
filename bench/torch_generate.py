"""PyTorch anchor for lrgate's generation bench: greedy decoding of the same tiny GPT with a
preallocated key/value cache under torch.inference_mode().

Run with Debian's python3 (python3-torch). Arguments: threads D L H T batch prompt_len new_tokens.
Prints {"tokens_per_s": …, "threads": …} as JSON; tokens are the new ones of every sequence
(prompt reading included in the time, as in lrgate's figure).
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads, D, L, H, T, B, P, N = (int(a) for a in sys.argv[1:9])
torch.set_num_threads(threads)
torch.manual_seed(1)
V, hd = 96, D // H


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.fc, self.out = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)

    def forward(self, x, k_cache, v_cache, start):
        b, l, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (t.view(b, l, H, hd).transpose(1, 2) for t in (q, k, v))
        k_cache[:, :, start:start + l] = k
        v_cache[:, :, start:start + l] = v
        keys, values = k_cache[:, :, :start + l], v_cache[:, :, :start + l]
        att = (q @ keys.transpose(-2, -1)) / math.sqrt(hd)
        if l > 1:
            mask = torch.ones(l, start + l, dtype=torch.bool).triu(start + 1)
            att = att.masked_fill(mask, float("-inf"))
        y = (att.softmax(-1) @ values).transpose(1, 2).reshape(b, l, D)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, D), nn.Embedding(T, D)
        self.blocks = nn.ModuleList(Block() for _ in range(L))
        self.lnf = nn.LayerNorm(D)

    def forward(self, idx, caches, start):
        x = self.wte(idx) + self.wpe(torch.arange(start, start + idx.shape[1]))
        for block, (kc, vc) in zip(self.blocks, caches):
            x = block(x, kc, vc, start)
        return self.lnf(x[:, -1]) @ self.wte.weight.T


model = GPT().eval()
prompt = torch.randint(0, V, (B, P))


def run():
    caches = [(torch.zeros(B, H, T, hd), torch.zeros(B, H, T, hd)) for _ in range(L)]
    logits = model(prompt, caches, 0)
    for s in range(N):
        nxt = logits.argmax(-1, keepdim=True)
        if s == N - 1:
            break
        logits = model(nxt, caches, P + s)


with torch.inference_mode():
    run()  # warm-up
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
print(json.dumps({"tokens_per_s": B * N / best, "threads": torch.get_num_threads(), "torch": torch.__version__}))
