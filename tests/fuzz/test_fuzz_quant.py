"""Bad and edge inputs of algdiv.quant: refused where they enter, corrupted ITQ3 files detected.

The ITQ3 tests read the byte layout of ``docs/quant.md`` with struct and zlib
(independent of the reader) to build version-1 files and to re-seal corrupted
fields under valid checksums, so that each field check is exercised on its own.
"""
import os
import struct
import sys
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from algdiv.cli import main
from algdiv.quant import (
    HadamardRotation, ITQ3SPacked, QWHAAdapter, ada_alloc, apply_rope, attention_errors,
    calibrate_reorder, cloq_adapter, itq3s_decode, itq3s_encode, itq3s_load, kv_quantize, loftq,
    qwha_init, random_position_adapter, rotated_rtn, rtn, rtn_bits_per_weight,
    sink_tokens_from_hidden, spectral_topk_adapter, svd_adapter, synthetic_kv,
)
from algdiv.quant._itq3s import block_crcs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _app_fuzz import BAD_SCALARS, bad_arrays, bad_values, check_one_bad_argument, probe, run_cli  # noqa: E402

RNG = np.random.default_rng(17)
W = RNG.standard_normal((2, 300))            # 600 weights: 3 blocks, the last one padded


# ------------------------------------------------------------------ ITQ3 layout, by hand
def _layout(buf):
    """(version, header length, shape, nblocks, stride) read with struct from the documented layout."""
    version, _, ndim = struct.unpack_from("<HHB", buf, 4)
    shape = struct.unpack_from(f"<{ndim}Q", buf, 12)
    (nb,) = struct.unpack_from("<Q", buf, 12 + 8 * ndim)
    hlen = 12 + 8 * ndim + 8 + (4 if version == 2 else 0)
    return version, hlen, shape, nb, 113 if version == 2 else 109


def _reseal(buf):
    """Recompute the header CRC and every block CRC of a version-2 buffer (zlib)."""
    b = bytearray(buf)
    version, hlen, _, nb, stride = _layout(b)
    assert version == 2
    b[hlen - 4:hlen] = struct.pack("<I", zlib.crc32(bytes(b[:hlen - 4])))
    for i in range(nb):
        o = hlen + i * stride
        b[o + 109:o + 113] = struct.pack("<I", zlib.crc32(bytes(b[o:o + 109])))
    return bytes(b)


def _to_v1(buf):
    """The same codes in a version-1 buffer: no header CRC, 109-byte blocks."""
    _, hlen, shape, nb, _ = _layout(buf)
    head = bytearray(buf[:hlen - 4])
    head[4:6] = struct.pack("<H", 1)
    body = b"".join(buf[hlen + 113 * i:hlen + 113 * i + 109] for i in range(nb))
    return bytes(head) + body


def _block_offset(buf, block):
    _, hlen, _, _, stride = _layout(buf)
    return hlen + block * stride


V2 = itq3s_encode(W).to_bytes()
V1 = _to_v1(V2)


def test_v1_files_still_read_with_the_same_values():
    p1, p2 = ITQ3SPacked(V1), ITQ3SPacked(V2)
    assert (p1.version, p2.version) == (1, 2)
    assert len(V1) == 36 + 3 * 109 and len(V2) == 40 + 3 * 113
    np.testing.assert_array_equal(itq3s_decode(V1), itq3s_decode(V2))
    np.testing.assert_array_equal(p1.blocks(), p2.blocks())
    assert p2.bits_per_weight == pytest.approx(8 * len(V2) / 600)


def test_round_trip_unchanged_by_the_checksums():
    """The decoded values depend only on the codes: v2 = v1 of the same codes = the grid values."""
    p = itq3s_encode(W)
    d, s4, q = p.codes()
    y = d.astype(np.float64)[:, None, None] * (2.0 * s4[:, :, None] + 1) * q.reshape(-1, 8, 32)
    import scipy.linalg
    ref = (y.reshape(-1, 256) @ scipy.linalg.hadamard(256).T / 16).ravel()[:600].reshape(W.shape)
    np.testing.assert_allclose(itq3s_decode(p), ref, atol=1e-12)


def test_every_single_bit_flip_of_a_v2_file_is_refused():
    """Case 4: CRC-32 detects every single-bit error, in the header and in the blocks."""
    buf = itq3s_encode(RNG.standard_normal((2, 3))).to_bytes()
    assert len(buf) == 40 + 113
    for pos in range(len(buf)):
        for bit in range(8):
            bad = bytearray(buf)
            bad[pos] ^= 1 << bit
            with pytest.raises(ValueError):
                ITQ3SPacked(bytes(bad))


def test_flipped_data_bit_names_the_block():
    bad = bytearray(V2)
    bad[_block_offset(V2, 1) + 40] ^= 0x04
    with pytest.raises(ValueError, match=r"ITQ3 block 1: CRC-32 mismatch"):
        ITQ3SPacked(bytes(bad))


def test_flipped_shape_byte_is_refused():
    """Case 4: (2, 300) read as (2, 301) (the same block count)."""
    bad = bytearray(V2)
    bad[20] ^= 0x01                          # low byte of the second length: 300 -> 301
    with pytest.raises(ValueError, match="header CRC-32 mismatch"):
        ITQ3SPacked(bytes(bad))
    bad1 = bytearray(V1)
    bad1[20] = 0xFF                          # version 1: a length that changes the block count
    with pytest.raises(ValueError, match="header inconsistent"):
        ITQ3SPacked(bytes(bad1))


def _set_scale(buf, block, u16):
    b = bytearray(buf)
    o = _block_offset(buf, block)
    b[o:o + 2] = struct.pack("<H", u16)
    return bytes(b)


FIELD_CASES = [
    ("inf scale", lambda b: _set_scale(b, 2, 0x7C00), r"block 2: super-scale d is inf \(must be finite\)"),
    ("nan scale", lambda b: _set_scale(b, 0, 0x7E00), r"block 0: super-scale d is nan"),
    ("negative scale", lambda b: _set_scale(b, 1, 0xBC00), r"block 1: super-scale d is -1.0 \(must be > 0\)"),
    ("negative zero", lambda b: _set_scale(b, 1, 0x8000), r"block 1: super-scale d is -0.0"),
    ("zero scale, codes", lambda b: _set_scale(b, 0, 0x0000), r"block 0: super-scale d is 0 but the codes"),
]


def _set_byte(buf, block, offset, value):
    b = bytearray(buf)
    b[_block_offset(buf, block) + offset] = value
    return bytes(b)


FIELD_CASES += [
    ("trit byte 243", lambda b: _set_byte(b, 1, 6 + 10, 243), r"block 1: trit byte 10 is 243 \(must be <= 242\)"),
    ("trit byte 255", lambda b: _set_byte(b, 2, 6, 255), r"block 2: trit byte 0 is 255"),
    ("padding digits", lambda b: _set_byte(b, 0, 108, 121 - 81), r"block 0: padding digits"),
    ("padding digit 0", lambda b: _set_byte(b, 2, 108, 116), r"block 2: padding digits"),
]


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("name,corrupt,message", FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
def test_each_field_check_on_its_own(version, name, corrupt, message):
    """Case 4: fields that pass the CRC (re-sealed) or have none (v1) are still checked."""
    bad = corrupt(V2)
    bad = _reseal(bad) if version == 2 else _to_v1(bad)
    with pytest.raises(ValueError, match=message):
        ITQ3SPacked(bad)
    with pytest.raises(ValueError, match=message):
        itq3s_decode(bad)


@pytest.mark.parametrize("version", [1, 2])
def test_reserved_header_bytes(version):
    bad = bytearray(V2)
    bad[10] = 1
    bad = _reseal(bytes(bad)) if version == 2 else _to_v1(bytes(bad))
    with pytest.raises(ValueError, match="reserved bytes 9-11 must be zero, not 000100"):
        ITQ3SPacked(bad)


def test_header_fields():
    with pytest.raises(ValueError, match="bad magic"):
        ITQ3SPacked(b"ITQ4" + V2[4:])
    for version in (0, 3, 65535):
        bad = bytearray(V2)
        bad[4:6] = struct.pack("<H", version)
        with pytest.raises(ValueError, match=f"version {version}"):
            ITQ3SPacked(bytes(bad))
    bad = bytearray(V2)
    bad[6:8] = struct.pack("<H", 128)
    with pytest.raises(ValueError, match="block size 128"):
        ITQ3SPacked(bytes(bad))
    with pytest.raises(ValueError, match="implies"):
        ITQ3SPacked(V2 + b"\0")
    with pytest.raises(ValueError, match="implies"):
        ITQ3SPacked(V2[:-1])
    with pytest.raises(ValueError, match="truncated"):
        ITQ3SPacked(V2[:30])
    zero_dim = bytearray(V1)
    zero_dim[20:28] = struct.pack("<Q", 0)
    with pytest.raises(ValueError, match="header"):
        ITQ3SPacked(bytes(zero_dim))
    huge = bytearray(V1)                     # a shape claiming 2^40 weights: refused by length
    huge[12:28] = struct.pack("<QQ", 1 << 20, 1 << 20)
    huge[28:36] = struct.pack("<Q", 1 << 32)
    with pytest.raises(ValueError, match="implies"):
        ITQ3SPacked(bytes(huge))
    with pytest.raises(TypeError, match="Argument 'buffer' must be bytes"):
        ITQ3SPacked(5)
    with pytest.raises(TypeError, match="Argument 'dtype'"):
        itq3s_decode(V2, dtype=np.int32)


def test_block_crcs_table_recurrence_matches_zlib():
    """The array-module CRC (what the GPU path runs) equals zlib's on random rows."""
    import types
    xp = types.SimpleNamespace(asarray=np.asarray, ascontiguousarray=np.ascontiguousarray,
                               full=np.full, uint32=np.uint32)
    rows = RNG.integers(0, 256, (50, 109), dtype=np.uint8)
    want = np.array([zlib.crc32(r.tobytes()) for r in rows], dtype=np.uint32)
    np.testing.assert_array_equal(block_crcs(rows, xp=xp), want)
    np.testing.assert_array_equal(block_crcs(rows), want)


def test_cli_decode_refuses_a_corrupted_file(tmp_path, capsys):
    """Case 4: ``algdiv quant decode`` of a corrupted file: exit 2, one line, no output."""
    src, out = tmp_path / "w.itq3", tmp_path / "w.npy"
    bad = bytearray(V2)
    bad[_block_offset(V2, 2) + 7] ^= 0x80
    src.write_bytes(bytes(bad))
    assert main(["quant", "decode", str(src), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ITQ3 block 2: CRC-32 mismatch" in err
    assert not out.exists()
    (tmp_path / "v1.itq3").write_bytes(V1)
    assert main(["quant", "info", str(tmp_path / "v1.itq3")]) == 0
    assert "ITQ3 v1 (no checksums)" in capsys.readouterr().out
    assert main(["quant", "decode", str(tmp_path / "v1.itq3"), str(out)]) == 0
    np.testing.assert_array_equal(np.load(out), itq3s_decode(V2, np.float32))
    with pytest.raises(ValueError, match="CRC-32"):
        itq3s_load(src)


@settings(max_examples=60)
@given(pos=st.integers(0, len(V2) - 1), xor=st.integers(1, 255))
def test_random_byte_corruption_is_refused(pos, xor):
    bad = bytearray(V2)
    bad[pos] ^= xor
    with pytest.raises(ValueError):
        ITQ3SPacked(bytes(bad))


@settings(max_examples=60)
@given(block=st.integers(0, 2), data=st.binary(min_size=109, max_size=109))
def test_resealed_random_blocks_decode_finite_or_are_refused(block, data):
    """Any payload under a valid CRC: refused with a field message, or decoded to finite values."""
    b = bytearray(V2)
    o = _block_offset(V2, block)
    b[o:o + 109] = data
    status, res = probe(itq3s_decode, _reseal(bytes(b)))
    if status == "ok":
        assert np.all(np.isfinite(res))
    else:
        assert isinstance(res, ValueError) and f"ITQ3 block {block}:" in str(res)


# ------------------------------------------------------------------ case 9 regressions
def test_rtn_near_the_float_limit_is_finite():
    """Case 9: max - min overflowed to inf and every value became NaN."""
    x = np.array([1e308, -1e308, 0.0, 1.0])
    s = 1e308 / 7 + 1e308 / 7               # the scale (max - min) / 7 without forming max - min
    np.testing.assert_allclose(rtn(x, 3, 4), [3 * s, -4 * s, 0.0, 0.0], rtol=1e-15)
    # power-of-2 rescaling is exact on this grid: the same as quantizing x / 2^600
    np.testing.assert_array_equal(rtn(x, 3, 4), rtn(x * 2.0 ** -600, 3, 4) * 2.0 ** 600)
    np.testing.assert_array_equal(rtn(x, 3, 4, symmetric=True),
                                  rtn(x * 2.0 ** -600, 3, 4, symmetric=True) * 2.0 ** 600)
    assert np.all(np.isfinite(rtn(x, 3, 4, clip="mse")))
    with pytest.raises(ValueError, match="float64 limit"):
        rtn(np.array([1.7e308, -1.7e308, 0.0, 1.0]), 3, 4)


def test_case9_quant_parameters_refused():
    e = RNG.standard_normal((8, 16))
    with pytest.raises(ValueError, match=r"^Argument 'rank' must be an integer in \[0, 8\]"):
        svd_adapter(e, -1)
    with pytest.raises(ValueError, match="Argument 'rho' must be >= 0"):
        ada_alloc([1.0, -2.0, 3.0], 4, 4)
    with pytest.raises(ValueError, match=r"Argument 'budget' must be an integer in \[0, 12\]"):
        ada_alloc([1.0, 2.0, 3.0], -1, 4)
    with pytest.raises(ValueError, match="Argument 'cap' must be an integer >= 0"):
        ada_alloc([1.0, 2.0, 3.0], 1, -4)
    w = RNG.standard_normal((16, 32))
    wq = rtn(w, 2, 16)
    with pytest.raises(ValueError, match="Argument 'alpha' must be a finite number >= 0, not nan"):
        qwha_init(w, wq, 1, alpha=np.nan)
    with pytest.raises(ValueError, match="Argument 'damp' must be a finite number >= 0, not -1"):
        qwha_init(w, wq, 1, calib=RNG.standard_normal((40, 32)), damp=-1)
    x = RNG.standard_normal((40, 32))
    c = x.T @ x
    c[0, 0] = -50.0                          # an indefinite "second moment"
    with pytest.raises(ValueError, match="positive semidefinite"):
        qwha_init(w, wq, 1, calib_gram=c)
    with pytest.raises(ValueError, match="symmetric"):
        cloq_adapter(w - wq, 2, x.T @ x + np.triu(np.ones((32, 32)), 1))
    k = RNG.standard_normal((16, 64))
    with pytest.raises(ValueError, match="Argument 'rope_base' must be a finite number > 1"):
        kv_quantize(k, pre_rope=False, rope_base=0)
    with pytest.raises(ValueError, match=r"Argument 'sink_tokens' must hold token indices in \[0, 15\], not -1"):
        kv_quantize(k, sink_tokens=[-1])
    with pytest.raises(ValueError, match="Argument 'n' must be an integer >= 0"):
        sink_tokens_from_hidden(k, -1)
    assert sink_tokens_from_hidden(k, 0).size == 0


def test_large_alpha_allocation_does_not_overflow():
    """(||c*_i|| / max)^alpha: alpha = 1000 gives the same budget as the limit (largest rows first)."""
    w = RNG.standard_normal((16, 32))
    ad = qwha_init(w, rtn(w, 2, 16), 1, alpha=1000.0)
    assert ad.budget == 48 and np.all(np.isfinite(ad.values))


# ------------------------------------------------------------------ every public callable
_w = RNG.standard_normal((8, 32))
_k = RNG.standard_normal((16, 64))
_rot = HadamardRotation(32)
CALLS = {
    "rtn": (rtn, dict(w=_w, bits=3, group_size=16, axis=-1, symmetric=False, clip=1.0, clip_grid=None)),
    "rtn_mse": (rtn, dict(w=_w, bits=3, group_size=16, clip="mse", clip_grid=[0.8, 1.0])),
    "rtn_bits_per_weight": (rtn_bits_per_weight, dict(bits=3, group_size=64, symmetric=False, scale_bits=16)),
    "HadamardRotation": (HadamardRotation, dict(n=384, method="block", block=128)),
    "forward": (_rot.forward, dict(x=_w, axis=-1)),
    "rotated_rtn": (rotated_rtn, dict(w=_w, bits=3, group_size=16, axis=-1, symmetric=False,
                                      rotation=None, clip=1.0)),
    "itq3s_encode": (itq3s_encode, dict(w=_w)),
    "itq3s_decode": (itq3s_decode, dict(packed=V2, dtype=np.float32)),
    "qwha_init": (qwha_init, dict(w=_w, w_quantized=rtn(_w, 2, 16), rank=1, calib=None, calib_gram=None,
                                  alpha=1.0, select="score", refine=True, allocation="ada", rotation=None,
                                  damp=1e-4)),
    "ada_alloc": (ada_alloc, dict(rho=[1.0, 2.0, 3.0], budget=5, cap=3)),
    "svd_adapter": (svd_adapter, dict(error=_w, rank=2)),
    "loftq": (loftq, dict(w=_w, bits=2, group_size=16, rank=1, iters=2, symmetric=False)),
    "cloq_adapter": (cloq_adapter, dict(error=_w, rank=1, calib_gram=np.eye(32), damp=1e-4)),
    "random_position_adapter": (random_position_adapter, dict(error=_w, budget=10, rng=0, rotation=None)),
    "spectral_topk_adapter": (spectral_topk_adapter, dict(error=_w, budget=10, kind="dct")),
    "QWHAAdapter": (QWHAAdapter, dict(indices=[[0, 1], [3, 4]], values=[1.0, 2.0], shape=(8, 32),
                                      rotation=_rot)),
    "kv_quantize": (kv_quantize, dict(k=_k, v=_k, bits=2, group_size=32, head_dim=32, group_heads=1,
                                      rotate=True, clip=True, reorder=True, sink_tokens=[0], hidden=None,
                                      n_sink=2, key_axis="token", pre_rope=True, positions=None,
                                      rope_base=10000.0)),
    "calibrate_reorder": (calibrate_reorder, dict(k_rotated=_k)),
    "sink_tokens_from_hidden": (sink_tokens_from_hidden, dict(hidden=_k, n=3)),
    "apply_rope": (apply_rope, dict(x=_k, positions=np.arange(16), head_dim=32, base=10000.0, inverse=False)),
    "synthetic_kv": (synthetic_kv, dict(tokens=16, n_kv_heads=1, head_dim=8, n_q_heads=None, d_model=16,
                                        rng=0)),
    "attention_errors": (attention_errors, dict(q=_k, k=_k, v=_k, k_hat=_k, v_hat=_k, head_dim=32,
                                                positions=None, rope_base=10000.0)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_valid_base_call(name):
    fn, kw = CALLS[name]
    assert probe(fn, **kw)[0] == "ok"


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=25)
@given(data=st.data())
def test_one_bad_argument(name, data):
    """Each argument replaced by a bad or edge value: a result or a documented refusal, in time."""
    check_one_bad_argument(CALLS, name, data, finite=False)


@pytest.mark.parametrize("name", ["rtn", "kv_quantize", "qwha_init", "rotated_rtn", "svd_adapter"])
@settings(max_examples=15)
@given(data=st.data())
def test_two_bad_arguments(name, data):
    fn, kw = CALLS[name]
    args = data.draw(st.lists(st.sampled_from(sorted(kw)), min_size=2, max_size=2, unique=True))
    bad = {a: data.draw(bad_values()) for a in args}
    probe(fn, **dict(kw, **bad), limit=10.0)


def test_bad_values_cover_the_documented_refusals():
    """Sanity of the pools: a few values each pool holds are refused by rtn."""
    assert probe(rtn, _w, 3, 16, clip=float("nan"))[0] == "refused"
    assert probe(rtn, _w, 17, 16)[0] == "refused"
    assert all(isinstance(a, np.ndarray) for a in bad_arrays()) and len(BAD_SCALARS) > 20


# ------------------------------------------------------------------ chunked (dask) reads
def test_dask_reads_check_the_blocks_they_read(tmp_path):
    """Each task checks its own blocks: a corrupted block fails only the chunk that holds it."""
    pytest.importorskip("dask")
    from algdiv.quant import itq3s_load_dask
    w = RNG.standard_normal((10, 256))                      # 10 blocks
    good = tmp_path / "good.itq3"
    itq3s_encode(w).save(good)
    lazy = itq3s_load_dask(good, blocks_per_chunk=3)
    np.testing.assert_array_equal(lazy.compute(), itq3s_decode(itq3s_load(good)))
    np.testing.assert_array_equal(itq3s_load_dask(good, dtype=np.float32).compute(),
                                  itq3s_decode(itq3s_load(good), np.float32))
    raw = bytearray(good.read_bytes())
    raw[_block_offset(bytes(raw), 7) + 20] ^= 0x01
    bad = tmp_path / "bad.itq3"
    bad.write_bytes(bytes(raw))
    lazy = itq3s_load_dask(bad, blocks_per_chunk=3).reshape(-1)   # header fine: opens
    np.testing.assert_array_equal(lazy[:6 * 256].compute(), itq3s_decode(itq3s_load(good)).ravel()[:1536])
    with pytest.raises(ValueError, match="ITQ3 block 7: CRC-32 mismatch"):
        lazy[6 * 256:].compute()
    v1 = tmp_path / "v1.itq3"
    v1.write_bytes(_to_v1(good.read_bytes()))
    np.testing.assert_array_equal(itq3s_load_dask(v1, blocks_per_chunk=4).compute(),
                                  itq3s_decode(itq3s_load(good)))
    hdr = bytearray(good.read_bytes())
    hdr[20] ^= 0x01
    (tmp_path / "hdr.itq3").write_bytes(bytes(hdr))
    with pytest.raises(ValueError, match="header CRC-32"):
        itq3s_load_dask(tmp_path / "hdr.itq3")
    (tmp_path / "short.itq3").write_bytes(good.read_bytes()[:-5])
    with pytest.raises(ValueError, match="implies"):
        itq3s_load_dask(tmp_path / "short.itq3")
    with pytest.raises(ValueError, match="Argument 'blocks_per_chunk'"):
        itq3s_load_dask(good, blocks_per_chunk=0)


@settings(max_examples=30)
@given(action=st.sampled_from(["encode", "decode", "info"]),
       content=st.sampled_from(["missing", "dir", "empty", "junk", "npy-nan", "npy-text", "npy-0d",
                                "itq3-cut", "itq3-flip", "itq3-v1"]),
       data=st.data())
def test_cli_quant_bad_files(tmp_path_factory, action, content, data):
    """``algdiv quant`` on bad input files: exit 2 and one line (or 0 for the valid v1 file)."""
    d = tmp_path_factory.mktemp("cli")
    src = d / "in.bin"
    if content == "dir":
        src.mkdir()
    elif content == "empty":
        src.write_bytes(b"")
    elif content == "junk":
        src.write_bytes(data.draw(st.binary(min_size=1, max_size=300)))
    elif content == "npy-nan":
        np.save(d / "x.npy", np.array([1.0, np.nan]))
        src = d / "x.npy"
    elif content == "npy-text":
        np.save(d / "x.npy", np.array(["a", "b"]))
        src = d / "x.npy"
    elif content == "npy-0d":
        np.save(d / "x.npy", np.array(3.0))
        src = d / "x.npy"
    elif content == "itq3-cut":
        src.write_bytes(V2[:data.draw(st.integers(0, len(V2) - 1))])
    elif content == "itq3-flip":
        b = bytearray(V2)
        b[data.draw(st.integers(0, len(V2) - 1))] ^= data.draw(st.integers(1, 255))
        src.write_bytes(bytes(b))
    elif content == "itq3-v1":
        src.write_bytes(V1)
    rc, _, _ = run_cli(["quant", action, str(src), str(d / "out.npy")])
    valid = content == "itq3-v1" and action != "encode"
    assert rc == (0 if valid else 2)
