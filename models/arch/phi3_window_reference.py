#!/usr/bin/env python3
"""Greedy references for phi3-ref.gguf with a sliding window on every layer, in float64 NumPy.

The forward pass follows llama.cpp's phi3 graph (fused attn_qkv and gate+up ffn_up, NEOX RoPE,
grouped-query attention, RMSNorm); a window W makes a query at p see p-W+1..p on every layer.
Run without --window it must reproduce phi3-references.json (llama.cpp, no window) exactly.

usage: phi3_window_reference.py MODEL.gguf REFERENCES.json [--window W --tokens N --out OUT.json]
"""
import argparse
import json
import struct

import numpy as np

SCALARS = {0: '<B', 1: '<b', 2: '<H', 3: '<h', 4: '<I', 5: '<i', 6: '<f', 7: '<?', 10: '<Q', 11: '<q', 12: '<d'}


def read_gguf(path):
    data = open(path, 'rb').read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, data, pos)[0]
        pos += struct.calcsize(fmt)
        return v

    def string():
        nonlocal pos
        n = take('<Q')
        s = data[pos:pos + n].decode('utf-8')
        pos += n
        return s

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            et = take('<I')
            return [value(et) for _ in range(take('<Q'))]
        return take(SCALARS[t])

    assert data[:4] == b'GGUF'
    pos = 4
    take('<I')
    n_tensors, n_kv = take('<Q'), take('<Q')
    meta = {}
    for _ in range(n_kv):
        key = string()
        meta[key] = value(take('<I'))
    infos = []
    for _ in range(n_tensors):
        name = string()
        dims = [take('<Q') for _ in range(take('<I'))]
        ttype, offset = take('<I'), take('<Q')
        assert ttype == 0, name + ' is not float32'
        infos.append((name, dims, offset))
    align = meta.get('general.alignment', 32)
    start = (pos + align - 1) // align * align
    tensors = {}
    for name, dims, offset in infos:
        count = int(np.prod(dims))
        a = np.frombuffer(data, '<f4', count, start + offset).astype(np.float64)
        tensors[name] = a.reshape(list(reversed(dims)))
    return meta, tensors


def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def neox_rope(x, positions, dims, base):
    # x: (n, heads, head_dim); rotates pairs (i, i + dims/2) of the first dims values.
    half = dims // 2
    freqs = base ** (-np.arange(half, dtype=np.float64) * 2 / dims)
    angles = positions[:, None] * freqs[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    out = x.copy()
    a, b = x[..., :half], x[..., half:dims]
    out[..., :half] = a * cos - b * sin
    out[..., half:dims] = a * sin + b * cos
    return out


def logits_all(meta, t, tokens, window):
    n_layer = meta['phi3.block_count']
    dim = meta['phi3.embedding_length']
    heads = meta['phi3.attention.head_count']
    kv_heads = meta['phi3.attention.head_count_kv']
    head_dim = dim // heads
    eps = meta['phi3.attention.layer_norm_rms_epsilon']
    base = meta.get('phi3.rope.freq_base', 10000.0)
    rope_dims = meta.get('phi3.rope.dimension_count', head_dim)
    ffn = meta['phi3.feed_forward_length']
    n = len(tokens)
    pos = np.arange(n, dtype=np.float64)
    x = t['token_embd.weight'][tokens]
    mask = np.tril(np.ones((n, n), dtype=bool))
    if window:
        mask &= (np.arange(n)[:, None] - np.arange(n)[None, :]) < window
    group = heads // kv_heads
    for l in range(n_layer):
        p = 'blk.%d.' % l
        h = rms_norm(x, t[p + 'attn_norm.weight'], eps)
        qkv = h @ t[p + 'attn_qkv.weight'].T
        q = qkv[:, :dim].reshape(n, heads, head_dim)
        k = qkv[:, dim:dim + kv_heads * head_dim].reshape(n, kv_heads, head_dim)
        v = qkv[:, dim + kv_heads * head_dim:].reshape(n, kv_heads, head_dim)
        q, k = neox_rope(q, pos, rope_dims, base), neox_rope(k, pos, rope_dims, base)
        out = np.zeros((n, heads, head_dim))
        for hd in range(heads):
            s = q[:, hd, :] @ k[:, hd // group, :].T / np.sqrt(head_dim)
            s = np.where(mask, s, -np.inf)
            s = np.exp(s - s.max(axis=1, keepdims=True))
            s /= s.sum(axis=1, keepdims=True)
            out[:, hd, :] = s @ v[:, hd // group, :]
        x = x + out.reshape(n, dim) @ t[p + 'attn_output.weight'].T
        h = rms_norm(x, t[p + 'ffn_norm.weight'], eps)
        gu = h @ t[p + 'ffn_up.weight'].T
        gate, up = gu[:, :ffn], gu[:, ffn:]
        x = x + (gate / (1 + np.exp(-gate)) * up) @ t[p + 'ffn_down.weight'].T
    x = rms_norm(x, t['output_norm.weight'], eps)
    return x @ t['output.weight'].T


def greedy(meta, t, prompt, count, window):
    tokens = list(prompt)
    ids, margins = [], []
    for _ in range(count):
        last = logits_all(meta, t, tokens, window)[-1]
        order = np.argsort(-last, kind='stable')
        ids.append(int(order[0]))
        margins.append(float(last[order[0]] - last[order[1]]))
        tokens.append(int(order[0]))
    return ids, margins


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model')
    ap.add_argument('references')
    ap.add_argument('--window', type=int, default=0)
    ap.add_argument('--tokens', type=int, default=32)
    ap.add_argument('--out')
    a = ap.parse_args()
    meta, t = read_gguf(a.model)
    refs = json.load(open(a.references))
    file = a.model.split('/')[-1]
    prompts = []
    for p in refs['prompts']:
        ids, margins = greedy(meta, t, p['prompt_token_ids'], a.tokens, a.window)
        expected = p['greedy'][file]['token_ids']
        n = min(len(expected), len(ids))
        if not a.window:
            print(p['name'], 'matches llama.cpp' if ids[:n] == expected[:n] else 'DIFFERS', ids[:n])
        print(p['name'], 'smallest top1-top2 margin %.5f' % min(margins))
        prompts.append({'name': p['name'], 'prompt_token_ids': p['prompt_token_ids'],
                        'token_ids': ids, 'top1_top2_margins': margins})
    if a.out:
        json.dump({'model': file, 'window': a.window, 'generated_tokens': a.tokens,
                   'reference': 'float64 NumPy, models/arch/phi3_window_reference.py',
                   'decoding': 'greedy argmax, ties to lower id', 'prompts': prompts},
                  open(a.out, 'w'), indent=1)


if __name__ == '__main__':
    main()
