"""The one-call C fast path (``wht_call``) and ``workers=`` reaching the C plans."""
import numpy as np
import pytest
import scipy.linalg as sl

from algdiv import _core
from algdiv.testing import fast_tol
from algdiv.transforms import fwht, fwhtn, hd, ifwht

pytestmark = pytest.mark.skipif(_core.ext is None, reason=f"C core not in use: {_core.reason}")


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
@pytest.mark.parametrize("inverse", [False, True])
def test_matches_dense(dtype, norm, inverse):
    n = 64
    x = np.random.default_rng(0).standard_normal((2, 3, n)).astype(dtype)
    x0 = x.copy()
    y = _core.ext.wht_call(x, -1, norm, "natural", None, None, None, inverse)
    s = {None: 1.0, "backward": 1.0, "ortho": n ** -0.5, "forward": 1.0 / n}[norm]
    if inverse:
        s = {None: 1.0 / n, "backward": 1.0 / n, "ortho": n ** -0.5, "forward": 1.0}[norm]
    assert y.dtype == dtype and y.shape == x.shape and np.array_equal(x, x0)
    assert rel(y, x.astype(np.float64) @ sl.hadamard(n) * s) <= fast_tol(dtype, n)


def read_only(a):
    a.setflags(write=False)
    return a


NOT_ELIGIBLE = [
    dict(x=np.ones(8).view(np.ndarray)[::2]),                   # not contiguous
    dict(x=np.ones((8, 4)), axis=0),
    dict(x=np.ones((8, 4)), axis=np.int64(-1)),                # not a Python int: general path
    dict(x=np.ones(12)),                                       # m * 2^k
    dict(x=np.ones(8), order="sequency"),
    dict(x=np.ones(8), norm="bogus"),
    dict(x=np.ones(8), out=np.empty(8, np.float32)),
    dict(x=np.ones(8), out=np.empty(4)),
    dict(x=np.ones(8), out=np.empty(16)[::2]),
    dict(x=np.ones(8), out=np.empty((1, 8))),
    dict(x=np.ones(8), out=np.empty(8).view(np.recarray)),
    dict(x=np.ones(8), out=read_only(np.ones(8))),
    dict(x=np.ones(8, np.complex128)),
    dict(x=np.ones(8, np.int64)),
    dict(x=np.ones(8, ">f8")),
    dict(x=np.ones(8).view(np.recarray)),                      # a subclass
    dict(x=[1.0, 2.0]),
    dict(x=np.float64(1.0)),
    dict(x=np.ones(0)),
]


@pytest.mark.parametrize("case", range(len(NOT_ELIGIBLE)))
def test_not_eligible_returns_notimplemented(case):
    kw = dict(axis=-1, norm="backward", order="natural", out=None, plan=None)
    kw.update(NOT_ELIGIBLE[case])
    x = kw.pop("x")
    args = (x, kw["axis"], kw["norm"], kw["order"], kw["out"], kw["plan"], None, False)
    assert _core.ext.wht_call(*args) is NotImplemented


def test_public_functions_agree_with_the_general_path():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 1024)).astype(np.float32)
    for norm in ("backward", "ortho", "forward"):
        fast = fwht(x, norm=norm)
        slow = fwht(x, axis=1, norm=norm, out=np.empty_like(x))      # not the fast path
        assert np.array_equal(fast, slow)
        assert rel(ifwht(fast, norm=norm), x) <= fast_tol(np.float32, 1024)
    with pytest.raises(ValueError, match="Argument 'workers'"):
        fwht(x, workers=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_and_in_place(dtype):
    x = np.random.default_rng(3).standard_normal((4, 256)).astype(dtype)
    want = x.astype(np.float64) @ sl.hadamard(256) / 16
    out = np.empty_like(x)
    x0 = x.copy()
    assert _core.ext.wht_call(x, -1, "ortho", "natural", out, None, None, False) is out
    assert np.array_equal(x, x0) and rel(out, want) <= fast_tol(dtype, 256)
    assert fwht(x, norm="ortho", out=x) is x                   # in place
    assert rel(x, want) <= fast_tol(dtype, 256)
    assert ifwht(x, norm="ortho", out=x) is x
    assert rel(x, x0) <= fast_tol(dtype, 256)


def test_workers_reach_the_c_plans(monkeypatch):
    seen = []
    real = _core.ext.execute

    def spy(*args, **kw):
        seen.append(args[5])
        return real(*args, **kw)

    monkeypatch.setattr(_core.ext, "execute", spy)
    x = np.random.default_rng(2).standard_normal((16, 8))
    y = fwht(x, axis=0, workers=2)
    assert seen and seen[-1] == 2
    assert rel(y, sl.hadamard(16) @ x) <= fast_tol(np.float64, 16)
    fwhtn(x, workers=3)
    assert seen[-1] == 3
    fwht(x, axis=0)
    assert seen[-1] is None
    hd(x, seed=1, axis=0, workers=2)
    assert seen[-1] == 2
