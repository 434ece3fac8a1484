"""PyTorch twin of memgen's training step, for bench/torch.bench.ts.

The same architecture as libs/model/src/gpt.ts (pre-LN GPT-2: learned positions, causal multi-head
attention, gelu_new MLP, final LayerNorm, unembedding tied to the token embedding), parameters named
and laid out as Hugging Face's GPT2LMHeadModel stores them (Conv1D weights [in, out]), so it loads
memgen's own initial weights. One step = forward, mean next-token cross-entropy, backward,
global-norm clipping, AdamW with decoupled decay on the matrices (not norms, biases or positions).
PyTorch at its idiomatic best on CPU: scaled_dot_product_attention (causal) and the fused AdamW.

Prints one JSON line: {"threads", "ms_per_step", "losses", "decode_tokens_per_s"?}.
"""

import argparse
import json
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file


class Block(torch.nn.Module):
    def __init__(self, d: int, h: int, eps: float):
        super().__init__()
        self.h = h
        self.ln_1 = torch.nn.LayerNorm(d, eps=eps)
        self.c_attn = Conv1D(d, 3 * d)
        self.c_proj_attn = Conv1D(d, d)
        self.ln_2 = torch.nn.LayerNorm(d, eps=eps)
        self.c_fc = Conv1D(d, 4 * d)
        self.c_proj_mlp = Conv1D(4 * d, d)

    def forward(self, x, cache=None):
        B, T, D = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        heads = lambda t: t.view(B, T, self.h, D // self.h).transpose(1, 2)  # noqa: E731
        q, k, v = heads(q), heads(k), heads(v)
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        # With a cache the T new queries see every cached key: causal only within the prompt pass.
        z = F.scaled_dot_product_attention(q, k, v, is_causal=T > 1)
        x = x + self.c_proj_attn(z.transpose(1, 2).reshape(B, T, D))
        return x + self.c_proj_mlp(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Conv1D(torch.nn.Module):
    """GPT-2's linear layer: weight [in, out]."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(n_in, n_out))
        self.bias = torch.nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


class GPT(torch.nn.Module):
    def __init__(self, vocab: int, ctx: int, d: int, layers: int, heads: int, eps: float):
        super().__init__()
        self.wte = torch.nn.Parameter(torch.empty(vocab, d))
        self.wpe = torch.nn.Parameter(torch.empty(ctx, d))
        self.h = torch.nn.ModuleList(Block(d, heads, eps) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(d, eps=eps)

    def forward(self, tokens, start=0, caches=None):
        pos = torch.arange(start, start + tokens.shape[1])
        x = self.wte[tokens] + self.wpe[pos]
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x) @ self.wte.t()

    def load_hf(self, path: str):
        """Copies a GPT2LMHeadModel-named safetensors file into the parameters, checking every name."""
        tensors = load_file(path)
        mine = {"transformer.wte.weight": self.wte, "transformer.wpe.weight": self.wpe}
        mine["transformer.ln_f.weight"], mine["transformer.ln_f.bias"] = self.ln_f.weight, self.ln_f.bias
        for i, b in enumerate(self.h):
            p = f"transformer.h.{i}"
            for name, module in [("ln_1", b.ln_1), ("attn.c_attn", b.c_attn), ("attn.c_proj", b.c_proj_attn),
                                 ("ln_2", b.ln_2), ("mlp.c_fc", b.c_fc), ("mlp.c_proj", b.c_proj_mlp)]:
                mine[f"{p}.{name}.weight"], mine[f"{p}.{name}.bias"] = module.weight, module.bias
        missing = sorted(set(mine) ^ set(tensors))
        if missing:
            raise SystemExit(f"{path}: parameter names differ from the model's: {missing[:5]}")
        with torch.no_grad():
            for name, param in mine.items():
                if tuple(tensors[name].shape) != tuple(param.shape):
                    raise SystemExit(f"{path}: {name} has shape {list(tensors[name].shape)}, expected {list(param.shape)}")
                param.copy_(tensors[name])
        return mine


def is_decayed(name: str) -> bool:
    """The same rule as libs/model/src/params.ts isDecayed."""
    return name.endswith(".weight") and ".ln_" not in name and "ln_f" not in name and "wpe" not in name


def bench_sequences(batch: int, ctx: int, vocab: int) -> torch.Tensor:
    """bench/bench-args.ts benchSetup's token formula: rows of ctx + 1 tokens."""
    rows = [[2 + ((r * 7919 + j * 104729) % (vocab - 2)) for j in range(ctx + 1)] for r in range(batch)]
    return torch.tensor(rows, dtype=torch.long)


def train(model, named, seqs, steps: int, warmup: int):
    decay = [p for n, p in named.items() if is_decayed(n)]
    rest = [p for n, p in named.items() if not is_decayed(n)]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.98), eps=1e-8, fused=True)
    inputs, labels = seqs[:, :-1], seqs[:, 1:]
    losses, times = [], []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        logits = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        opt.step()
        times.append((time.perf_counter() - t0) * 1000)
        losses.append(loss.item())
    return losses, sorted(times[warmup:])[steps // 2]


@torch.no_grad()
def decode_rate(model, batch: int, prompt: int, new: int, repeats: int, warmup: int) -> float:
    """Greedy decoding with a KV cache: tokens generated per second over the batch (median of
    `repeats` after `warmup` untimed runs)."""
    rates = []
    for _ in range(warmup + repeats):
        tokens = torch.tensor([[2 + ((r * 31 + j * 17) % 126) for j in range(prompt)] for r in range(batch)])
        t0 = time.perf_counter()
        caches = [{} for _ in model.h]
        nxt = model(tokens, 0, caches)[:, -1].argmax(-1, keepdim=True)
        for step in range(1, new):
            nxt = model(nxt, prompt + step - 1, caches)[:, -1].argmax(-1, keepdim=True)
        rates.append(batch * new / (time.perf_counter() - t0))
    rates = rates[warmup:]
    return sorted(rates)[len(rates) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", required=True, help="JSON: vocab, ctx, batch, nEmbd, nLayer, nHead, eps")
    ap.add_argument("--weights", required=True, help="safetensors file of the initial weights")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--decode", type=int, default=0, help="also time decoding of this many new tokens")
    ap.add_argument("--decode-repeats", type=int, default=10, help="timed decodes (median)")
    ap.add_argument("--decode-warmup", type=int, default=3, help="untimed decodes before them")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    s = json.loads(a.shape)
    model = GPT(s["vocab"], s["ctx"], s["nEmbd"], s["nLayer"], s["nHead"], s["eps"])
    named = model.load_hf(a.weights)
    out = {"threads": a.threads}
    if a.decode:
        out["decode_tokens_per_s"] = decode_rate(
            model, 64, s["ctx"] - a.decode, a.decode, a.decode_repeats, a.decode_warmup
        )
    else:
        losses, ms = train(model, named, bench_sequences(s["batch"], s["ctx"], s["vocab"]), a.steps, a.warmup)
        out.update(ms_per_step=ms, losses=losses)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
