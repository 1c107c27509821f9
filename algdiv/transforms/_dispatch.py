"""Array-module dispatch for the public transforms (numpy, cupy, dask, torch).

The contract
------------
:func:`array_backend` names the array module of its arguments by the *module
name of their type* (``type(a).__module__``), so it never imports cupy, dask
or torch; it only sees them when the caller already passed one:

* ``"numpy"``: numpy arrays and scalars, and anything that is not an array of
  another module (lists, Python scalars; ``None`` is skipped);
* ``"cupy"``: ``cupy.ndarray``; ``"dask"``: ``dask.array.Array``;
  ``"torch"``: ``torch.Tensor`` (CPU or CUDA).

Mixing two non-numpy kinds, or a non-numpy array with a numpy *array*
(e.g. a cupy ``x`` with a numpy ``out=`` or ``signs=``), is a ``TypeError``
naming both types.  Lists and Python scalars mix with anything.

The public functions ``fwht``, ``ifwht``, ``fwhtn``, ``ifwhtn``, ``hd``,
``haar`` and ``ihaar`` test ``type(x) is np.ndarray`` first (the numpy fast
path pays nothing more); any other ``x`` goes through :func:`route`, which
returns :data:`NUMPY` for numpy-like input (the numpy code then runs) or,
after checking the arguments that do not depend on the data exactly as the
CPU path does (``_validate.check_call_args``: ``norm``, ``order``,
``workers``, ``overwrite_x``, ``per_row``, ``axis``/``axes``), the result of

* cupy: ``importlib.import_module("algdiv.gpu._dispatch").call(name, x, **kwargs)``;
* dask: ``importlib.import_module("algdiv.transforms._dask").map_transform(name, x, **kwargs)``;
* a torch tensor (CPU or CUDA):
  ``importlib.import_module("algdiv.transforms._torch").call(name, func, x, kwargs)``,
  which runs the transform as a differentiable torch custom operator (CPU
  tensors through the numpy/C code on a shared-memory ``x.numpy()`` view, CUDA
  tensors through ``algdiv.gpu._dispatch``; see that module's docstring).

``name`` is the public function's name (``"fwht"``, ...) and ``kwargs`` are
*all* its other parameters by keyword, with the values the caller gave or
their defaults: ``axis`` (``axes`` for fwhtn/ifwhtn), ``norm``, ``order``,
``overwrite_x``, ``workers``, ``out``, ``plan`` for the WHT family; ``signs``,
``seed``, ``stream``, ``per_row``, ``offset``, ``axis``, ``norm``, ``order``,
``out`` for ``hd``; ``axis``, ``norm``, ``out``, ``plan`` for haar/ihaar.  A
receiver refuses what it cannot do (e.g. a CPU ``plan=``) with a ``TypeError``
or ``ValueError`` naming the argument.  A missing receiver module is an
``ImportError`` saying which backend is absent.

Examples
--------
>>> import numpy as np
>>> from algdiv.transforms._dispatch import array_backend
>>> array_backend(np.zeros(3), None, [1, 2])
'numpy'
"""
from __future__ import annotations

import importlib
import sys

import numpy as np

__all__ = ["array_backend", "route", "NUMPY", "KINDS"]

KINDS = ("numpy", "cupy", "dask", "torch")

NUMPY = object()    # route()'s answer: "run the numpy implementation"

_NEUTRAL = ("builtins", "array")        # lists, tuples, Python scalars, array.array


def _kind(a):
    """(kind, counts_for_mixing) of one argument, or None to skip it."""
    if a is None:
        return None
    t = type(a)
    if t is np.ndarray:
        return "numpy", True
    root = t.__module__.partition(".")[0]
    if root == "cupy" or root == "cupyx":
        return "cupy", True
    if root == "dask":
        return "dask", True
    if root == "torch":
        return "torch", True
    if root == "numpy":
        return "numpy", isinstance(a, np.ndarray)   # numpy scalars mix with anything
    if root in _NEUTRAL:
        return None
    return "numpy", isinstance(a, np.ndarray)


def _tname(a) -> str:
    t = type(a)
    return f"{t.__module__}.{t.__qualname__}"


def array_backend(*arrays) -> str:
    """The array module of ``arrays``: ``"numpy"``, ``"cupy"``, ``"dask"`` or ``"torch"``.

    Decided from the type's module name (nothing is imported).  ``None``,
    lists and Python scalars are neutral; numpy arrays mixed with another
    module's arrays, or two different non-numpy modules, raise ``TypeError``.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms._dispatch import array_backend
    >>> array_backend(np.ones(2), np.ones(2))
    'numpy'
    >>> array_backend([1.0, 2.0])
    'numpy'
    """
    kind, first = "numpy", None
    for a in arrays:
        k = _kind(a)
        if k is None or not k[1]:
            continue
        if first is None:
            kind, first = k[0], a
        elif k[0] != kind:
            raise TypeError(
                f"Arrays from different array modules cannot be mixed: {_tname(first)} "
                f"({kind}) and {_tname(a)} ({k[0]}); pass them all as {kind} arrays.")
    return kind


def _receiver(module: str, what: str):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and not module.startswith(exc.name):
            raise
        raise ImportError(f"{what} input needs algdiv's {module} backend, which is not "
                          f"available in this installation ({exc}).") from exc


def _gpu(name, x, kwargs):
    return _receiver("algdiv.gpu._dispatch", f"{_tname(x)}").call(name, x, **kwargs)


def _torch(name, func, x, kwargs):
    mod = sys.modules.get("algdiv.transforms._torch")
    if mod is None:
        mod = _receiver("algdiv.transforms._torch", f"{_tname(x)}")
    return mod.call(name, func, x, kwargs)


def route(name, func, x, kwargs):
    """Send a non-numpy ``x`` to its backend; :data:`NUMPY` when numpy should run.

    ``func`` is the public numpy function (used by the torch receiver); the
    arrays checked for mixing are ``x``, ``kwargs["out"]`` and ``kwargs["signs"]``.
    """
    kind = array_backend(x, kwargs.get("out"), kwargs.get("signs"))
    if kind == "numpy":
        return NUMPY
    from ._validate import check_call_args
    ndim = getattr(x, "ndim", None)
    check_call_args(kwargs, ndim if isinstance(ndim, int) else None)
    if kind == "cupy":
        return _gpu(name, x, kwargs)
    if kind == "dask":
        return _receiver("algdiv.transforms._dask", "dask").map_transform(name, x, **kwargs)
    return _torch(name, func, x, kwargs)
