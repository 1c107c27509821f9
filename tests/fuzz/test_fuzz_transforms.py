"""Bad and edge inputs for algdiv.transforms: regression cases and hypothesis sweeps.

Every public callable of :mod:`algdiv.transforms` must, for any argument,
either return a result or raise a documented exception (``ValueError``,
``TypeError``; ``SizeLimitError`` is a ``ValueError`` too) whose message
names the argument; never modify its inputs; and finish quickly.  The C core
and the numpy fallback must accept and refuse exactly the same inputs, with
the same errors and the same results.
"""
from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algdiv import _core
from algdiv._limits import SizeLimitError
from algdiv.transforms import (
    Problem, SphereTransform, arithmetic, bitrev_permutation, fftbr, frft, frft_matrix, fwht,
    fwhtn, haar, hd, hermite_gauss, iarithmetic, ifftbr, ifwht, ifwhtn, ihaar, paley_hadamard,
    plan, rademacher, rademacher_at, real_spherical_harmonics, reed_muller,
)
from algdiv.transforms import _plan, _solvers, _wht
from algdiv.transforms._validate import NCPU

TIME_LIMIT = 30.0          # seconds for any single call below (generous: CI machines are shared)


def _timed(f, *a, **k):
    t0 = time.perf_counter()
    try:
        return f(*a, **k)
    finally:
        assert time.perf_counter() - t0 < TIME_LIMIT, f"{f.__name__} ran past {TIME_LIMIT} s"


# --------------------------------------------------------------------------- numbered cases
def test_case6_zero_stride_int64_view_is_refused_at_once():
    """fwht of an int64 zero-stride view of 2^40 elements: refused by size, not scanned."""
    x = np.broadcast_to(np.int64(3), (2 ** 40,))
    t0 = time.perf_counter()
    with pytest.raises(SizeLimitError, match=r"fwht of a \(1099511627776,\) int64 view .* TB"):
        fwht(x)
    for f in (ifwht, fwhtn, haar):
        with pytest.raises(SizeLimitError):
            f(x)
    assert time.perf_counter() - t0 < 1.0


def test_case6_overflow_check_reads_only_stored_elements():
    # 2^22 virtual elements of one stored value: the check is O(1) in them, and correct
    big = np.broadcast_to(np.int64(2 ** 50), (4, 2 ** 20))
    with pytest.raises(ValueError, match="Argument 'x' would overflow int64"):
        _timed(fwht, big)
    small = np.broadcast_to(np.arange(4, dtype=np.int64)[:, None], (4, 1024))
    y = fwht(small)
    ref = np.zeros((4, 1024), dtype=np.int64)
    ref[:, 0] = np.arange(4) * 1024
    np.testing.assert_array_equal(y, ref)


@pytest.mark.parametrize("bad,err", [
    (0, ValueError), (2, ValueError), (0.5, ValueError), (np.nan, ValueError),
    (-0.0, ValueError), (True, TypeError), (1j, TypeError), (1 + 0j, TypeError),
])
def test_case7_hd_signs_must_be_plus_minus_one(bad, err):
    x = np.arange(8.0)
    signs = np.ones(8, dtype=np.result_type(type(bad)))
    signs[3] = bad
    with pytest.raises(err, match="Argument 'signs'"):
        hd(x, signs=signs)
    with pytest.raises(err, match="Argument 'signs'"):
        hd(np.ones((2, 8)), signs=np.broadcast_to(signs, (2, 8)))


def test_case7_a_zero_one_mask_is_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"2 \* m - 1"):
        hd(np.ones(8), signs=np.arange(8) % 2 == 0)


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float32, np.float64])
def test_case7_plus_minus_one_signs_are_the_orthogonal_hd(dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 16))
    d = np.where(rng.standard_normal(16) < 0, -1, 1).astype(dtype)
    H = np.array([[(-1) ** bin(i & j).count("1") for j in range(16)] for i in range(16)]) / 4.0
    np.testing.assert_allclose(hd(x, signs=d), (x * d) @ H.T, atol=1e-12)


@pytest.mark.parametrize("call,what", [
    (lambda: frft(np.broadcast_to(0.0, (10 ** 6,)), 0.5), "Hermite-Gauss basis of size n = 1000000"),
    (lambda: hermite_gauss(10 ** 6), "n = 1000000"),
    (lambda: frft_matrix(10 ** 6, 1.0), "n = 1000000"),
    (lambda: SphereTransform(2 ** 40), "SphereTransform"),
    (lambda: SphereTransform(8, n_lon=2 ** 40), "SphereTransform"),
    (lambda: real_spherical_harmonics(2 ** 20, [0.1], [0.2]), "real_spherical_harmonics"),
    (lambda: rademacher(1, (2 ** 20, 2 ** 20)), "rademacher"),
    (lambda: bitrev_permutation(2 ** 40), "bitrev_permutation"),
    (lambda: fwht(np.broadcast_to(1.0, (2 ** 20, 2 ** 20))), "fwht"),
])
def test_case10_size_refused_before_allocating(call, what):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(SizeLimitError, match=what) as info:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 2.0
    assert peak < 50 * 2 ** 20                       # nothing big was allocated first
    msg = str(info.value)
    assert "would need about" in msg and "limit" in msg
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ValueError)


# ------------------------------------------------------------- case 11: C core == numpy path
@pytest.fixture
def numpy_only(monkeypatch):
    """The numpy fallback alone (as with ALGDIV_DISABLE_CORE=1)."""
    def activate():
        monkeypatch.setattr(_wht, "_KERNELS", {})
        monkeypatch.setattr(_plan, "_PLANNER",
                            _plan.Planner(solvers=[_wht.WhtSolver(), *_solvers.NUMPY_SOLVERS]))
    return activate


def _x(dtype="f8", shape=(3, 16)):
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) % 7 - 3
    dt = np.dtype(dtype)
    if dt.kind == "c":
        a = a + 1j * (a[::-1] if a.ndim == 1 else a[::-1, ::-1])
    return a.astype(dt)


def _cases():
    """(label, function, x, kwargs): one table run against both backends."""
    c = []
    for dt in ("f8", ">f8", "<f8", "f4", ">f4", "c16", ">c16", "c8", "i8", ">i8", "i4", "u1",
               "f2", "?", "O", "U1", "g"):
        c.append((f"fwht dtype {dt}", fwht, _x(dt) if dt not in ("?", "O", "U1") else
                  _x("f8").astype(dt), {}))
    for w in (None, 1, 2, 300, 2 ** 70, -1, -NCPU, -NCPU - 1, -1000, -2 ** 70, 0, True, False,
              np.int64(2), np.int8(-1), 1.0, "2", np.bool_(True)):
        c.append((f"fwht workers={w!r}", fwht, _x(), {"workers": w}))
        c.append((f"ifwht workers={w!r}", ifwht, _x("f4"), {"workers": w}))
        c.append((f"hd workers={w!r}", hd, _x(), {"seed": 1, "workers": w}))
    for ax in (-1, 1, 0, -2, 2, -3, True, False, np.int64(1), 1.0, None, "1"):
        c.append((f"fwht axis={ax!r}", fwht, _x(shape=(16, 16)), {"axis": ax}))
    for ov in (True, False, 1, 0, "yes", None, np.True_):
        c.append((f"fwht overwrite_x={ov!r}", fwht, _x(), {"overwrite_x": ov}))
    for norm in (None, "backward", "ortho", "forward", "unitary", 1, "ORTHO"):
        c.append((f"fwht norm={norm!r}", fwht, _x(), {"norm": norm}))
    for order in ("natural", "sequency", "dyadic", "walsh", "paley", "hadamard", None, 0, "gray"):
        c.append((f"fwht order={order!r}", fwht, _x(), {"order": order}))
    for n in (0, 1, 2, 6, 12, 24, 40, 48, 56, 96):
        c.append((f"fwht n={n}", fwht, _x(shape=(2, n)), {}))
    c.append(("fwht strided", fwht, _x(shape=(4, 32))[:, ::2], {}))
    c.append(("fwht fortran", fwht, np.asfortranarray(_x(shape=(16, 16))), {}))
    c.append(("fwht 0-d", fwht, np.float64(3.0), {}))
    c.append(("fwht list", fwht, [1.0, 2.0, 3.0, 4.0], {}))
    c.append(("fwht out big-endian", fwht, _x(), {"out": np.zeros((3, 16), ">f8")}))
    c.append(("fwht out wrong shape", fwht, _x(), {"out": np.zeros((3, 8))}))
    c.append(("fwht out read-only", fwht, _x(), {"out": np.zeros((3, 16))[...].view()}))
    c.append(("fwht out list", fwht, _x(), {"out": [0.0] * 48}))
    c.append(("fwhtn big-endian", fwhtn, _x(">f8", (4, 8)), {}))
    c.append(("fwhtn axes=True", fwhtn, _x(shape=(4, 8)), {"axes": True}))
    c.append(("ifwhtn workers=-1000", ifwhtn, _x(shape=(4, 8)), {"workers": -1000}))
    c.append(("hd big-endian", hd, _x(">f8"), {"seed": 3}))
    c.append(("hd signs int8", hd, _x(), {"signs": np.array([1, -1] * 8, np.int8)}))
    c.append(("hd signs half", hd, _x(), {"signs": np.full(16, 0.5)}))
    c.append(("hd per_row='x'", hd, _x(), {"seed": 3, "per_row": "x"}))
    c.append(("hd stream=-1", hd, _x(), {"seed": 3, "stream": -1}))
    c[-5:-5] = []
    return c


def _outcome(f, x, kw):
    xc = x.copy() if isinstance(x, np.ndarray) else x
    kw = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    if kw.get("out") is not None and isinstance(kw["out"], np.ndarray) and kw["out"].base is not None:
        kw["out"].setflags(write=False)
    try:
        y = f(xc, **kw)
    except (ValueError, TypeError) as exc:
        return ("error", type(exc).__name__, str(exc))
    if isinstance(y, np.ndarray):
        assert y.dtype.isnative, "results come back in native byte order"
    return ("ok", np.asarray(y))


@pytest.mark.skipif(_core.ext is None, reason="needs the C core")
def test_case11_c_core_and_numpy_path_agree(numpy_only):
    cases = _cases()
    with_core = [_outcome(f, x, kw) for _, f, x, kw in cases]
    numpy_only()
    without = [_outcome(f, x, kw) for _, f, x, kw in cases]
    assert len(cases) > 100
    n_ok = 0
    for (label, _, _, _), a, b in zip(cases, with_core, without):
        assert a[0] == b[0], f"{label}: C core {a[:2]}, numpy path {b[:2]}"
        if a[0] == "error":
            assert a[1:] == b[1:], label
            assert a[2].startswith(("Argument", "Arguments")), (label, a[2])
        else:
            n_ok += 1
            assert a[1].dtype == b[1].dtype and a[1].shape == b[1].shape, label
            np.testing.assert_allclose(a[1], b[1], rtol=1e-5, atol=1e-4, err_msg=label)
    assert n_ok > 40


@pytest.mark.skipif(_core.ext is None, reason="needs the C core")
def test_case11_specific_answers(numpy_only):
    x = _x()
    for _ in range(2):
        np.testing.assert_array_equal(fwht(x.astype(">f8")), fwht(x))
        np.testing.assert_array_equal(fwht(x.astype(">f4")), fwht(x.astype("f4")))
        np.testing.assert_array_equal(fwht(x, workers=2 ** 70), fwht(x))
        with pytest.raises(ValueError, match=rf"Argument 'workers' must be None, an integer >= 1, "
                                             rf"or an integer in \[-{NCPU}, -1\] .* not -1000\."):
            fwht(x, workers=-1000)
        with pytest.raises(TypeError, match="Argument 'axis' must be an integer, not bool"):
            fwht(_x(shape=(16, 16)), axis=True)
        numpy_only()


def test_case11_gpu_dispatch_runs_the_same_checks(monkeypatch):
    """A cupy-like array reaches the GPU receiver only after the CPU's data-free checks."""
    from algdiv.transforms import _dispatch

    class FakeCupy:
        ndim = 2
        shape = (3, 16)
    FakeCupy.__module__ = "cupy"
    reached = []
    monkeypatch.setattr(_dispatch, "_gpu", lambda name, x, kw: reached.append(name) or "gpu")
    x = FakeCupy()
    for f, kw, err in [(fwht, {"workers": -1000}, ValueError), (fwht, {"axis": True}, TypeError),
                       (fwht, {"norm": "x"}, ValueError), (ifwht, {"overwrite_x": "yes"}, TypeError),
                       (hd, {"seed": 1, "per_row": 2}, TypeError), (fwhtn, {"axes": (0, 0)}, ValueError),
                       (haar, {"axis": 2}, ValueError)]:
        with pytest.raises(err) as gpu_err:
            f(x, **kw)
        with pytest.raises(err) as cpu_err:
            f(np.ones((3, 16)), **kw)
        assert str(gpu_err.value) == str(cpu_err.value)
    assert reached == []
    assert fwht(x, workers=-1) == "gpu"


# --------------------------------------------------------------------------- hypothesis sweeps
WEIRD = st.sampled_from([
    None, True, False, 0, 1, -1, 2, 3, 7, 12, 16, -2 ** 70, 2 ** 70, 1.5, -0.0, math.nan, math.inf,
    1j, "x", "", "ortho", "natural", (), (0, 0), [1, 2], np.int64(4), np.float32(2.0), np.bool_(True),
    b"ab", object(),
])


@st.composite
def arrays(draw):
    dtype = draw(st.sampled_from(["f8", "f4", ">f8", "c16", "i8", ">i4", "u1", "?", "f2", "O"]))
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.sampled_from([0, 1, 2, 3, 4, 8, 12, 16])) for _ in range(ndim))
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) % 5 - 2
    if draw(st.booleans()) and a.size:
        a.flat[0] = draw(st.sampled_from([np.nan, np.inf, 1e300, -1e300, 2.0 ** 62]))
    with np.errstate(all="ignore"):
        a = np.asarray(a.astype(dtype))
    if ndim >= 2 and draw(st.booleans()):
        a = a.T
    if draw(st.booleans()):
        a.setflags(write=False)
    return a


ANY = st.one_of(WEIRD, arrays())

# (callable, names of its arguments after the data array); the data array itself is drawn
# from arrays() and every other argument either keeps a valid default or becomes ANY.
SIGNATURES = [
    (fwht, {"axis": -1, "norm": "backward", "order": "natural", "overwrite_x": False, "workers": None,
            "out": None, "plan": None}),
    (ifwht, {"axis": -1, "norm": "backward", "order": "natural", "overwrite_x": False, "workers": None}),
    (fwhtn, {"axes": None, "norm": "backward", "order": "natural", "workers": None, "out": None}),
    (ifwhtn, {"axes": None, "norm": "ortho", "order": "sequency"}),
    (hd, {"seed": 1, "stream": 0, "per_row": False, "offset": 0, "axis": -1, "norm": "ortho",
          "order": "natural", "workers": None, "out": None}),
    (haar, {"axis": -1, "norm": "ortho", "out": None, "plan": None}),
    (ihaar, {"axis": -1, "norm": "ortho"}),
    (reed_muller, {"axis": -1}),
    (arithmetic, {"axis": -1}),
    (iarithmetic, {"axis": -1}),
    (fftbr, {"axis": -1, "norm": "backward", "workers": None}),
    (ifftbr, {"axis": -1, "norm": "ortho", "workers": None}),
    (frft, {"a": 0.5, "axis": -1}),
]
SCALAR_CALLS = [
    (rademacher, {"seed": 1, "shape": (2, 3), "stream": 0}),
    (rademacher_at, {"seed": 1, "index": [0, 5], "stream": 0}),
    (paley_hadamard, {"m": 12}),
    (bitrev_permutation, {"n": 8}),
    (hermite_gauss, {"n": 8}),
    (frft_matrix, {"n": 8, "a": 0.3}),
    (real_spherical_harmonics, {"L": 3, "theta": [0.1], "phi": [0.2]}),
    (SphereTransform, {"L": 3, "n_lat": None, "n_lon": None}),
    (lambda kind, n, dtype, norm: plan(Problem(kind, n, dtype=dtype, norm=norm)),
     {"kind": "dct", "n": 8, "dtype": "float64", "norm": "ortho"}),
]


def _check_call(f, args, kwargs):
    before = [(a, a.copy()) for a in [*args, *kwargs.values()] if isinstance(a, np.ndarray)]
    t0 = time.perf_counter()
    try:
        f(*args, **kwargs)
    except (ValueError, TypeError) as exc:          # the documented exceptions
        msg = str(exc)
        assert msg, f"empty message from {type(exc).__name__}"
        assert "Traceback" not in msg
    elapsed = time.perf_counter() - t0
    assert elapsed < TIME_LIMIT, f"ran {elapsed:.1f} s"
    for a, copy in before:                          # no input is modified (no overwrite_x here)
        np.testing.assert_array_equal(a, copy)
        assert a.dtype == copy.dtype


@settings(max_examples=300)
@given(data=st.data())
def test_array_functions_refuse_cleanly(data):
    f, defaults = data.draw(st.sampled_from(SIGNATURES), label="function")
    x = data.draw(arrays(), label="x")
    kwargs = dict(defaults)
    for name in data.draw(st.sets(st.sampled_from(sorted(defaults)), max_size=2), label="changed"):
        kwargs[name] = data.draw(ANY, label=name)
    if isinstance(kwargs.get("out"), np.ndarray) and kwargs["out"].dtype == object:
        kwargs["out"] = None
    _check_call(f, (x,), kwargs)


@settings(max_examples=150)
@given(data=st.data())
def test_size_and_parameter_functions_refuse_cleanly(data):
    f, defaults = data.draw(st.sampled_from(SCALAR_CALLS), label="function")
    kwargs = dict(defaults)
    for name in data.draw(st.sets(st.sampled_from(sorted(defaults)), min_size=1, max_size=2),
                          label="changed"):
        kwargs[name] = data.draw(st.one_of(WEIRD, st.sampled_from([2 ** 40, 10 ** 6, -5, 2 ** 20])),
                                 label=name)
    _check_call(f, (), kwargs)


@settings(max_examples=60)
@given(x=arrays(), axis=WEIRD)
def test_sphere_transform_methods_refuse_cleanly(x, axis):
    T = SphereTransform(3)
    for method in (T.forward, T.inverse):
        _check_call(method, (x,), {"axis": axis})
