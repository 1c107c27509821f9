"""RotateKV-style KV quantization: exactness of the transforms, RoPE property, ablation order."""
import numpy as np
import pytest

from algdiv.quant import (
    apply_rope, attention_errors, calibrate_reorder, kv_quantize, rtn, sink_tokens_from_hidden,
    synthetic_kv,
)
from algdiv.transforms import fwht


def _rope_dense(x, pos, hd, base):
    """Independent RoPE: explicit 2x2 rotation of every (j, j + hd/2) pair."""
    out = x.copy()
    for t in range(x.shape[0]):
        for h0 in range(0, x.shape[1], hd):
            for j in range(hd // 2):
                th = pos[t] * base ** (-2.0 * j / hd)
                a, b = x[t, h0 + j], x[t, h0 + j + hd // 2]
                out[t, h0 + j] = a * np.cos(th) - b * np.sin(th)
                out[t, h0 + j + hd // 2] = a * np.sin(th) + b * np.cos(th)
    return out


def test_rope_matches_pairwise_rotation():
    x = np.random.default_rng(0).standard_normal((5, 16))
    pos = np.array([0, 1, 7, 100, 3])
    np.testing.assert_allclose(apply_rope(x, pos, 8, 500.0), _rope_dense(x, pos, 8, 500.0),
                               atol=1e-12)


def test_rotation_reorder_round_trip_exact():
    d = synthetic_kv(64, 2, 32, rng=1)
    k = d["k"]
    kr = fwht(k, norm="ortho")                               # grouped heads: one FWHT-64
    perm = calibrate_reorder(kr)
    assert np.array_equal(np.sort(perm), np.arange(64))
    assert np.all(np.diff(kr.sum(0)[perm]) >= 0)             # ascending signed sums
    inv = np.argsort(perm)
    np.testing.assert_allclose(fwht(kr[:, perm][:, inv], norm="ortho"), k, atol=1e-12)
    # at 16 bits the whole pipeline is a near-identity
    r = kv_quantize(k, d["v"], bits=16, group_size=32, head_dim=32, group_heads=2, reorder=True)
    assert np.linalg.norm(r.k - k) / np.linalg.norm(k) < 1e-4
    assert np.linalg.norm(r.v - d["v"]) / np.linalg.norm(d["v"]) < 1e-4


def test_no_rotation_equals_per_token_rtn():
    d = synthetic_kv(32, 1, 64, rng=2)
    r = kv_quantize(d["k"], d["v"], bits=3, group_size=32, rotate=False, clip=False,
                    reorder=False)
    np.testing.assert_allclose(r.k, rtn(d["k"], 3, 32), atol=1e-14)
    kivi = kv_quantize(d["k"], bits=3, group_size=16, rotate=False, clip=False,
                       reorder=False, key_axis="channel")
    np.testing.assert_allclose(kivi.k, rtn(d["k"], 3, 16, axis=0), atol=1e-14)


@pytest.mark.parametrize("pre_rope", [True, False])
def test_rope_after_derotation_keeps_per_position_error(pre_rope):
    d = synthetic_kv(128, 2, 32, rng=3)
    pos = np.arange(128) + 1000
    r = kv_quantize(d["k"], bits=2, group_size=32, head_dim=32, group_heads=2, reorder=True,
                    pre_rope=pre_rope, positions=pos)
    e_pre = np.linalg.norm(r.k - d["k"], axis=1)
    e_post = np.linalg.norm(apply_rope(r.k, pos, 32) - apply_rope(d["k"], pos, 32), axis=1)
    np.testing.assert_allclose(e_post, e_pre, rtol=1e-10, atol=1e-12)
    assert e_pre.min() > 0


def test_sinks_are_exact_and_found_from_hidden():
    d = synthetic_kv(256, 1, 64, rng=4)
    found = sink_tokens_from_hidden(d["hidden"], n=3)
    np.testing.assert_array_equal(found, d["sinks"])
    r = kv_quantize(d["k"], d["v"], bits=2, group_size=64, hidden=d["hidden"], n_sink=3)
    np.testing.assert_array_equal(r.sink_tokens, d["sinks"])
    np.testing.assert_array_equal(r.k[d["sinks"]], d["k"][d["sinks"]])
    np.testing.assert_array_equal(r.v[d["sinks"]], d["v"][d["sinks"]])


def test_cumulative_ablation_order_synthetic():
    """clip, then reorder, then sinks: each lowers K and logit error; sinks lower attention TV."""
    d = synthetic_kv(512, 2, 64, rng=0)
    q, k, v = d["q"], d["k"], d["v"]
    kw = dict(bits=2, group_size=64, head_dim=64, group_heads=2)
    steps = [dict(rotate=True, clip=False, reorder=False), dict(rotate=True, clip=True, reorder=False),
             dict(rotate=True, clip=True, reorder=True),
             dict(rotate=True, clip=True, reorder=True, hidden=d["hidden"])]
    errs = []
    for s in steps:
        r = kv_quantize(k, v, **kw, **s)
        errs.append(attention_errors(q, k, v, r.k, r.v, 64))
    for a, b in zip(errs, errs[1:]):
        assert b["k"] < a["k"] and b["logit"] < a["logit"]
    assert errs[3]["tv"] < errs[2]["tv"]
    base = kv_quantize(k, v, **kw, rotate=False, clip=False, reorder=False)
    assert errs[3]["out"] < attention_errors(q, k, v, base.k, base.v, 64)["out"]


def test_kv_bad_input():
    k = np.ones((8, 64))
    with pytest.raises(ValueError, match="Argument 'head_dim'"):
        kv_quantize(k, head_dim=48)
    with pytest.raises(ValueError, match="Argument 'group_size'"):
        kv_quantize(k, group_size=48)
    with pytest.raises(ValueError, match="Argument 'reorder'"):
        kv_quantize(k, group_size=32, reorder=np.zeros(64, dtype=int))
    with pytest.raises(ValueError, match="Argument 'bits'"):
        kv_quantize(k, bits=0)
    with pytest.raises(ValueError, match="FWHT"):
        kv_quantize(np.ones((8, 72)), head_dim=36, group_size=36)
    with pytest.raises(ValueError, match="Argument 'v'"):
        kv_quantize(k, np.ones((8, 32)), group_size=32)
    with pytest.raises(ValueError, match="Argument 'key_axis'"):
        kv_quantize(k, group_size=32, key_axis="head")
    bad = k.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="Argument 'k' must be finite"):
        kv_quantize(bad, group_size=32)


def test_rotate_keys_or_values_only():
    # rotate="values": keys exactly as without rotation, values exactly as with it (and vice versa)
    from algdiv.quant import kv_quantize
    rng = np.random.default_rng(7)
    k = rng.standard_normal((64, 128)) * np.linspace(0.1, 4.0, 128)
    v = rng.standard_normal((64, 128))
    kw = dict(bits=2, group_size=64, head_dim=64, reorder=False, key_axis="channel")
    both, none = kv_quantize(k, v, rotate=True, **kw), kv_quantize(k, v, rotate=False, **kw)
    vals, keys = kv_quantize(k, v, rotate="values", **kw), kv_quantize(k, v, rotate="keys", **kw)
    np.testing.assert_array_equal(vals.k, none.k)
    np.testing.assert_array_equal(vals.v, both.v)
    np.testing.assert_array_equal(keys.k, both.k)
    np.testing.assert_array_equal(keys.v, none.v)
    assert not np.array_equal(both.v, none.v) and not np.array_equal(both.k, none.k)
    with pytest.raises(ValueError, match="rotate"):
        kv_quantize(k, v, rotate="both", **kw)
