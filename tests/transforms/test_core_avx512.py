"""The AVX-512 kernel path: bit-identical to the AVX2 path, and right.

The AVX-512 path runs the AVX2 path's butterflies (same additions, same order)
regrouped into radix-16 sweeps and a 16-vector first read, so every float result
must match the AVX2 path's bit for bit; dense ``scipy.linalg.hadamard``
matrices check both.  Skipped where the CPU lacks AVX-512 or the OS does not
save its register state.
"""
import os
import subprocess
import sys

import numpy as np

import algdiv
import pytest
import scipy.linalg

from algdiv import _core

pytestmark = [
    pytest.mark.skipif(_core.ext is None, reason=f"C core not in use: {_core.reason}"),
    pytest.mark.skipif(not _core.has_avx512(), reason="no AVX-512 (or its OS state) here"),
]

F = _core.ext


def _on(path, x, axis=-1, scale=1.0, order=0, workers=1, **kw):
    before = F.path()
    F.set_path(path)
    try:
        return F.execute(x, None, axis, scale, order, workers, **kw)
    finally:
        F.set_path(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int64])
def test_bit_identical_to_avx2_and_dense(dtype):
    rng = np.random.default_rng(20)
    for k in list(range(0, 14)) + [15, 17, 19]:
        for shape, axis in [((1 << k,), -1), ((3, 1 << k), -1), ((1 << k, 3), 0)]:
            x = (rng.integers(-9, 10, shape) if dtype == np.int64
                 else rng.standard_normal(shape) + (1j * rng.standard_normal(shape)
                                                    if dtype == np.complex64 else 0)).astype(dtype)
            for order in (0, 1):
                for scale in ((1.0,) if dtype == np.int64 else (1.0, 0.375)):
                    a = _on("avx2", x, axis, scale, order)
                    b = _on("avx512", x, axis, scale, order)
                    assert np.array_equal(a, b), (k, shape, order, scale)
            if k <= 10:
                H = scipy.linalg.hadamard(1 << k)
                want = np.moveaxis(np.moveaxis(x.astype(np.complex128), axis, -1) @ H.T, -1, axis)
                got = _on("avx512", x, axis)
                tol = 0 if dtype == np.int64 else 8 * k * np.finfo(dtype).eps * np.abs(want).max()
                assert np.abs(got - want).max() <= tol, (k, shape)


def test_signs_and_workers_bit_identical():
    rng = np.random.default_rng(21)
    for n in (1 << 12, 1 << 18, 1 << 21):
        x = rng.standard_normal((2, n)).astype(np.float32)
        s = rng.choice(np.array([-1, 1], np.int8), n)
        outs = [_on(p, x, -1, n ** -0.5, 0, w, signs=s) for p in ("avx2", "avx512") for w in (1, 2)]
        for o in outs[1:]:
            assert np.array_equal(outs[0], o), n
        outs = [_on(p, x, -1, 1.0, 0, 1, seed=5, stream=2) for p in ("avx2", "avx512")]
        assert np.array_equal(outs[0], outs[1]), n


def test_env_var_selects_avx512_and_info_shows_it():
    root = os.path.dirname(os.path.dirname(os.path.abspath(algdiv.__file__)))   # the algdiv this process imported
    env = dict(os.environ, ALGDIV_CORE_PATH="avx512",
               PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = ("import io, algdiv; from algdiv import _core; b = io.StringIO(); "
            "algdiv.show_config(file=b, gpu=False); print(_core.path()); print(b.getvalue())")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=120, cwd=root)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "avx512"
    assert any("kernel path : avx512" in ln and "AVX-512: yes" in ln for ln in lines)
