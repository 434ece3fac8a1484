"""Independent reference: Hugging Face GPT-2 semantics in numpy, reading a memgen checkpoint directory.

Usage: python3 gpt2_numpy_reference.py CHECKPOINT_DIR TOKEN_ID...
Prints the logits of every position as JSON. Uses only json, struct and numpy, so it shows that a
checkpoint is readable without memgen and that its names/layouts mean what Hugging Face means.
"""
import json
import math
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(raw[base + begin : base + end], dtype="<f4").reshape(info["shape"])
    return out


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def main():
    ckpt, ids = sys.argv[1], [int(t) for t in sys.argv[2:]]
    cfg = json.load(open(f"{ckpt}/config.json"))
    w = {k: v.astype(np.float64) for k, v in read_safetensors(f"{ckpt}/model.safetensors").items()}
    eps, n_head, d = cfg["layer_norm_epsilon"], cfg["n_head"], cfg["n_embd"]
    T, dh = len(ids), d // n_head
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][np.arange(T)]
    causal = np.tril(np.ones((T, T), dtype=bool))
    for i in range(cfg["n_layer"]):
        p = f"transformer.h.{i}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: [d, 3d]
        q, k, v = np.split(qkv, 3, axis=-1)
        heads = lambda t: t.reshape(T, n_head, dh).transpose(1, 0, 2)
        q, k, v = heads(q), heads(k), heads(v)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
        s = np.where(causal, s, -np.inf)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        z = (a @ v).transpose(1, 0, 2).reshape(T, d)
        x = x + z @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = gelu_new(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    logits = x @ w["transformer.wte.weight"].T  # tied head
    print(json.dumps(logits.tolist()))


main()
