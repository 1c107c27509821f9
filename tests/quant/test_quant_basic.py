"""RTN, clip search, Hadamard rotation wrapper, ITQ3_S format."""
import zlib

import numpy as np
import pytest
import scipy.linalg

from algdiv.quant import (
    HadamardRotation, ITQ3SPacked, itq3s_decode, itq3s_encode, itq3s_load, rotated_rtn, rtn,
    rtn_bits_per_weight,
)
from algdiv.quant._itq3s import BLOCK_BYTES, _pack_blocks, _unpack_blocks
from algdiv.testing import fast_tol
from algdiv.transforms import fwht, ifwht, paley_hadamard


def _rtn_loop(w, bits, g, symmetric):
    """Independent scalar reference of rtn along the last axis."""
    out = np.empty_like(w)
    for idx in np.ndindex(w.shape[:-1]):
        for s in range(0, w.shape[-1], g):
            x = w[idx][s:s + g]
            if symmetric:
                st = np.abs(x).max() / (2 ** bits - 1)
                q = np.clip(np.floor(x / (2 * st)), -2 ** (bits - 1), 2 ** (bits - 1) - 1)
                out[idx][s:s + g] = (2 * q + 1) * st
            else:
                st = (x.max() - x.min()) / (2 ** bits - 1)
                z = round(-x.min() / st)
                q = np.clip(np.round(x / st) + z, 0, 2 ** bits - 1)
                out[idx][s:s + g] = (q - z) * st
    return out


@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("bits", [2, 3, 4])
def test_rtn_matches_scalar_reference(bits, symmetric):
    w = np.random.default_rng(bits).standard_normal((3, 5, 64))
    ref = _rtn_loop(w, bits, 16, symmetric)
    np.testing.assert_allclose(rtn(w, bits, 16, symmetric=symmetric), ref, rtol=0, atol=1e-15)
    # any axis: grouping along axis 1 equals moving that axis last
    got = rtn(np.moveaxis(w, -1, 1), bits, 16, axis=1, symmetric=symmetric)
    np.testing.assert_allclose(np.moveaxis(got, 1, -1), ref, rtol=0, atol=1e-15)


def test_rtn_grid_sizes_and_input_untouched():
    w = np.random.default_rng(0).standard_normal((4, 32))
    w0 = w.copy()
    d = rtn(w, 3, 32)
    np.testing.assert_array_equal(w, w0)
    for row in d:                      # at most 2^3 distinct levels per group
        assert len(np.unique(np.round(row, 12))) <= 8
    assert rtn(w.astype(np.float32), 3, 32).dtype == np.float32
    assert rtn_bits_per_weight(3, 64) == 3.5 and rtn_bits_per_weight(4, 32, symmetric=True) == 4.5


def test_mse_clip_not_worse_than_absmax_per_group():
    w = np.random.default_rng(1).standard_t(3, size=(64, 128))
    for sym in (False, True):
        e1 = np.sum((rtn(w, 3, 32, symmetric=sym).reshape(-1, 32) - w.reshape(-1, 32)) ** 2, 1)
        e2 = np.sum((rtn(w, 3, 32, symmetric=sym, clip="mse").reshape(-1, 32)
                     - w.reshape(-1, 32)) ** 2, 1)
        assert np.all(e2 <= e1 + 1e-15) and e2.sum() < 0.95 * e1.sum()


@pytest.mark.parametrize("bad, exc, match", [
    (dict(bits=0), ValueError, "Argument 'bits'"),
    (dict(bits=17), ValueError, "Argument 'bits'"),
    (dict(bits=2.0), TypeError, "Argument 'bits'"),
    (dict(group_size=24), ValueError, "Argument 'group_size'"),
    (dict(group_size=0), ValueError, "Argument 'group_size'"),
    (dict(axis=2), ValueError, "Argument 'axis'"),
    (dict(clip=1.5), ValueError, "Argument 'clip'"),
    (dict(clip="max"), ValueError, "Argument 'clip'"),
])
def test_rtn_bad_input(bad, exc, match):
    kw = dict(bits=3, group_size=16, axis=-1)
    kw.update(bad)
    with pytest.raises(exc, match=match):
        rtn(np.ones((2, 64)), **kw)


def test_rtn_nan_and_types():
    w = np.ones((2, 64))
    w[1, 3] = np.nan
    with pytest.raises(ValueError, match="Argument 'w' must be finite"):
        rtn(w, 3, 16)
    with pytest.raises(TypeError, match="Argument 'w'"):
        rtn(np.array(["a"] * 4), 3, 4)


@pytest.mark.parametrize("n, method, block", [(64, "kron", None), (384, "kron", None),
                                              (1536, "kron", None), (384, "block", None),
                                              (320, "block", 64), (40, "kron", None)])
def test_rotation_matches_dense_and_is_orthonormal(n, method, block):
    r = HadamardRotation(n, method, block)
    # independent dense matrix: Paley/Sylvester Kronecker (or its block diagonal)
    b = r.block
    p = b & -b
    m = b // p
    if m == 1:
        hb = scipy.linalg.hadamard(b)
    else:
        mm = 4 * m
        hb = np.kron(paley_hadamard(mm), scipy.linalg.hadamard(p // 4))
    ref = np.kron(np.eye(n // b), hb / np.sqrt(b))
    a = r.matrix()
    assert np.max(np.abs(a - ref)) <= fast_tol(np.float64, n)
    assert np.max(np.abs(a @ a.T - np.eye(n))) <= fast_tol(np.float64, n) * n
    x = np.random.default_rng(n).standard_normal((3, n, 2))
    np.testing.assert_allclose(r.forward(x, axis=1), np.einsum("ij,ajb->aib", ref, x), atol=1e-12)
    np.testing.assert_allclose(r.inverse(r.forward(x, axis=1), axis=1), x, atol=1e-12)


def test_rotation_bad_input():
    with pytest.raises(ValueError, match="Argument 'n'"):
        HadamardRotation(96 * 3)           # 288 = 9 * 32: no Kronecker form
    with pytest.raises(ValueError, match="Argument 'block'"):
        HadamardRotation(384, "block", 6)
    with pytest.raises(ValueError, match="Argument 'method'"):
        HadamardRotation(64, "dense")
    with pytest.raises(ValueError, match="length 64"):
        HadamardRotation(64).forward(np.ones(32))


@pytest.mark.parametrize("n", [256, 384])
@pytest.mark.parametrize("symmetric", [False, True])
def test_rotation_domain_error_equals_grid_error(n, symmetric):
    """||A^T Q(A w) - w|| == ||Q(A w) - A w|| to 1e-12 (Parseval)."""
    w = np.random.default_rng(n).standard_t(3, size=(16, n))
    y = fwht(w, norm="ortho")
    qy = rtn(y, 3, 32, symmetric=symmetric)
    lhs = np.linalg.norm(ifwht(qy, norm="ortho") - w)
    rhs = np.linalg.norm(qy - y)
    assert abs(lhs - rhs) <= 1e-12 * max(1.0, rhs)
    np.testing.assert_allclose(rotated_rtn(w, 3, 32, symmetric=symmetric),
                               ifwht(qy, norm="ortho"), atol=1e-12)


def test_rotation_helps_heavy_tails():
    rng = np.random.default_rng(5)
    w = rng.standard_t(3, size=(64, 256))
    w[rng.random(w.shape) < 0.01] *= 10
    plain = np.sum((rtn(w, 3, 32, symmetric=True) - w) ** 2)
    rot = np.sum((rotated_rtn(w, 3, 32, symmetric=True) - w) ** 2)
    assert rot < plain / 4


# ---------------------------------------------------------------- ITQ3_S

def test_pack_unpack_lossless():
    rng = np.random.default_rng(7)
    nb = 37
    d16 = rng.standard_normal(nb).astype(np.float16)
    s4 = rng.integers(0, 16, size=(nb, 8)).astype(np.uint8)
    q = rng.integers(-4, 5, size=(nb, 256)).astype(np.int8)
    raw = _pack_blocks(d16, s4, q)
    assert raw.shape == (nb, BLOCK_BYTES) and raw.dtype == np.uint8
    d2, s2, q2 = _unpack_blocks(raw)
    np.testing.assert_array_equal(d2.view(np.uint16), d16.view(np.uint16))
    np.testing.assert_array_equal(s2, s4)
    np.testing.assert_array_equal(q2, q)


def test_byte_layout_by_hand():
    """Decode one block from the documented layout with plain integer arithmetic."""
    w = np.random.default_rng(2).standard_normal((3, 100))   # 300 -> 2 blocks, padded
    p = itq3s_encode(w)
    buf = p.to_bytes()
    assert buf[:4] == b"ITQ3" and int.from_bytes(buf[4:6], "little") == 2
    assert int.from_bytes(buf[6:8], "little") == 256 and buf[8] == 2 and buf[9:12] == bytes(3)
    assert [int.from_bytes(buf[12 + 8 * i:20 + 8 * i], "little") for i in range(2)] == [3, 100]
    assert int.from_bytes(buf[28:36], "little") == 2 and len(buf) == 40 + 2 * 113
    assert int.from_bytes(buf[36:40], "little") == zlib.crc32(buf[:36])
    for b in range(2):
        rec = buf[40 + 113 * b:40 + 113 * (b + 1)]
        assert int.from_bytes(rec[109:], "little") == zlib.crc32(rec[:109])
    blk = buf[40:40 + 109]
    d = float(np.frombuffer(blk[:2], dtype="<f2")[0])
    y = np.empty(256)
    for i in range(256):
        s4 = (blk[2 + (i // 32) // 2] >> (4 * ((i // 32) % 2))) & 0xF
        t = []
        for pos in (i, 256 + i):
            byte = blk[6 + pos // 5]
            t.append((byte // 3 ** (pos % 5)) % 3 - 1)
        y[i] = d * (2 * s4 + 1) * (3 * t[0] + t[1])
    ref = scipy.linalg.hadamard(256) @ y / 16
    np.testing.assert_allclose(itq3s_decode(p).ravel()[:256], ref, atol=1e-12)


def test_itq3s_roundtrip_identity_and_bpw(tmp_path):
    rng = np.random.default_rng(3)
    w = rng.standard_t(3, size=(8, 512))
    p = itq3s_encode(w)
    what = itq3s_decode(p)
    y = fwht(w.reshape(-1, 256), norm="ortho")
    grid_err = np.linalg.norm(p.rotated() - y)
    assert abs(np.linalg.norm(what - w) - grid_err) <= 1e-12 * grid_err
    assert p.nbytes == 40 + 16 * 113
    assert p.bits_per_weight == pytest.approx(8 * p.nbytes / w.size) and p.bits_per_weight > 3.53
    # every rotated value lies on the 9-level grid d (2 s + 1) {-4..4}
    d, s4, q = p.codes()
    assert q.min() >= -4 and q.max() <= 4 and s4.max() <= 15
    # files: atomic save, load, bytes round trip
    f = tmp_path / "w.itq3"
    p.save(f)
    assert [x.name for x in tmp_path.iterdir()] == ["w.itq3"]
    p2 = itq3s_load(f)
    assert p2.to_bytes() == p.to_bytes() and p2.shape == (8, 512)
    np.testing.assert_array_equal(itq3s_decode(p2.to_bytes()), what)
    w0 = w.copy()
    itq3s_encode(w)
    np.testing.assert_array_equal(w, w0)


def test_itq3s_mse_vs_uniform_grid():
    """Gaussian blocks: tern9 + 4-bit sub-scales lands near the 9-level uniform MSE optimum."""
    w = np.random.default_rng(4).standard_normal((64, 256))
    e = np.sum((itq3s_decode(itq3s_encode(w)) - w) ** 2) / np.sum(w ** 2)
    assert 0.015 < e < 0.03        # Lloyd-Max 9-level uniform for N(0,1) is about 0.021


def test_itq3s_bad_input():
    with pytest.raises(ValueError, match="finite"):
        itq3s_encode(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="empty"):
        itq3s_encode(np.zeros(0))
    with pytest.raises(ValueError, match="fp16"):
        itq3s_encode(np.full(256, 1e9))
    with pytest.raises(ValueError, match="magic"):
        ITQ3SPacked(b"GGUF" + bytes(40))
    buf = bytearray(itq3s_encode(np.ones(256)).to_bytes())
    buf[4] = 9
    with pytest.raises(ValueError, match="version 9"):
        ITQ3SPacked(bytes(buf))
    with pytest.raises(ValueError, match="bytes"):
        ITQ3SPacked(itq3s_encode(np.ones(256)).to_bytes()[:-1])
    with pytest.raises(TypeError, match="Argument 'packed'"):
        itq3s_decode(np.ones(3))
