"""Array-module dispatch of the public transforms (fake cupy / dask / torch classes)."""
import inspect
import sys
import types

import numpy as np
import pytest
import scipy.linalg as sl

from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import fwht, fwhtn, haar, hd, ifwht, ifwhtn, ihaar
from algdiv.transforms._dispatch import NUMPY, array_backend, route

PUBLIC = {"fwht": fwht, "ifwht": ifwht, "fwhtn": fwhtn, "ifwhtn": ifwhtn, "hd": hd,
          "haar": haar, "ihaar": ihaar}


def fake_array_class(module, name="ndarray", **attrs):
    """A class whose type looks like ``module.name`` (what array_backend inspects)."""
    cls = type(name, (), {"__init__": lambda self, a=None: setattr(self, "a", a), **attrs})
    cls.__module__ = module
    return cls


CupyArray = fake_array_class("cupy._core.core")
DaskArray = fake_array_class("dask.array.core", "Array")


@pytest.fixture
def receivers(monkeypatch):
    """Fake GPU and dask receiver modules that record their calls."""
    calls = []
    gpu = types.ModuleType("algdiv.gpu._dispatch")
    gpu.call = lambda name, x, **kw: calls.append(("gpu", name, x, kw)) or "gpu-result"
    dsk = types.ModuleType("algdiv.transforms._dask")
    dsk.map_transform = lambda name, x, **kw: calls.append(("dask", name, x, kw)) or "dask-result"
    monkeypatch.setitem(sys.modules, "algdiv.gpu._dispatch", gpu)
    monkeypatch.setitem(sys.modules, "algdiv.transforms._dask", dsk)
    return calls


def test_array_backend_kinds():
    assert array_backend(np.ones(2), None, [1.0], 3, np.float32(2)) == "numpy"
    assert array_backend() == "numpy"
    assert array_backend(CupyArray(), None, 2.0) == "cupy"
    assert array_backend(DaskArray()) == "dask"
    assert array_backend(fake_array_class("torch", "Tensor")()) == "torch"
    assert array_backend(CupyArray(), np.float64(1.0)) == "cupy"      # numpy scalars are neutral


def test_array_backend_refuses_mixing():
    with pytest.raises(TypeError, match=r"cupy\._core\.core\.ndarray \(cupy\) and numpy\.ndarray"):
        array_backend(CupyArray(), np.ones(2))
    with pytest.raises(TypeError, match=r"numpy\.ndarray \(numpy\) and cupy"):
        array_backend(np.ones(2), CupyArray())
    with pytest.raises(TypeError, match="dask.array.core.Array"):
        array_backend(CupyArray(), DaskArray())


def test_numpy_like_input_runs_numpy():
    assert route("fwht", fwht, [1.0, 2.0], {"out": None}) is NUMPY
    assert fwht([1.0, 2.0, 3.0, 4.0]).tolist() == [10.0, -2.0, -4.0, 0.0]
    assert haar((1.0, 1.0)).tolist() == pytest.approx([2 ** 0.5, 0.0])


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_cupy_goes_to_gpu_with_every_keyword(receivers, name):
    func = PUBLIC[name]
    x = CupyArray()
    assert func(x) == "gpu-result"
    kind, got_name, got_x, kw = receivers[-1]
    assert (kind, got_name, got_x) == ("gpu", name, x)
    params = list(inspect.signature(func).parameters)
    assert set(kw) == set(params[1:])
    for key, p in inspect.signature(func).parameters.items():
        if key in kw:
            assert kw[key] == p.default


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_dask_goes_to_map_transform(receivers, name):
    x = DaskArray()
    assert PUBLIC[name](x) == "dask-result"
    assert receivers[-1][:3] == ("dask", name, x)


def test_keyword_values_reach_the_receiver(receivers):
    x = CupyArray()
    fwht(x, 0, "ortho", "sequency", True, 2)
    assert receivers[-1][3] == dict(axis=0, norm="ortho", order="sequency", overwrite_x=True,
                                    workers=2, out=None, plan=None)
    hd(x, seed=5, stream=1, per_row=True, offset=64, axis=0, norm="forward")
    kw = receivers[-1][3]
    assert (kw["seed"], kw["stream"], kw["per_row"], kw["offset"], kw["axis"], kw["norm"]) == (
        5, 1, True, 64, 0, "forward")


def test_cupy_with_numpy_out_or_signs_is_refused(receivers):
    with pytest.raises(TypeError, match="cannot be mixed"):
        fwht(CupyArray(), out=np.zeros(4))
    with pytest.raises(TypeError, match="cannot be mixed"):
        hd(CupyArray(), signs=np.ones(4, np.int8))
    with pytest.raises(TypeError, match="cannot be mixed"):
        haar(DaskArray(), out=np.zeros(4))
    assert receivers == []


def test_missing_receiver_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "algdiv.gpu._dispatch", None)
    monkeypatch.setitem(sys.modules, "algdiv.transforms._dask", None)
    with pytest.raises(ImportError, match="algdiv.gpu._dispatch backend"):
        fwht(CupyArray())
    with pytest.raises(ImportError, match="algdiv.transforms._dask backend"):
        ihaar(DaskArray())


FakeTensor = fake_array_class("torch", "Tensor")


@pytest.fixture
def torch_receiver(monkeypatch):
    """A fake ``algdiv.transforms._torch`` receiver that records its calls."""
    calls = []
    mod = types.ModuleType("algdiv.transforms._torch")
    mod.call = lambda name, func, x, kw: calls.append((name, func, x, kw)) or "torch-result"
    monkeypatch.setitem(sys.modules, "algdiv.transforms._torch", mod)
    return calls


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_torch_tensors_go_to_the_torch_receiver(name, torch_receiver, receivers):
    x = FakeTensor(np.ones(4))
    assert PUBLIC[name](x) == "torch-result"
    got_name, func, got_x, kw = torch_receiver[-1]
    assert (got_name, func, got_x) == (name, PUBLIC[name], x)
    params = set(inspect.signature(PUBLIC[name]).parameters) - {"x", "y"}
    assert set(kw) == params
    assert receivers == []                     # neither the GPU nor the dask receiver


def test_torch_with_numpy_signs_is_refused(torch_receiver):
    with pytest.raises(TypeError, match="cannot be mixed"):
        hd(FakeTensor(np.ones(4)), signs=np.ones(4, np.int8))
    assert torch_receiver == []


def test_missing_torch_receiver_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "algdiv.transforms._torch", None)
    with pytest.raises(ImportError, match="algdiv.transforms._torch backend"):
        fwht(FakeTensor(np.ones(4)))
