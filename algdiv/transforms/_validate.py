"""Argument validation for the public transform functions (done once, at the boundary).

Messages follow ``Argument 'name' must be <expected>, not <got>.``
"""
from __future__ import annotations

import operator
import os

import numpy as np

from .. import _limits
from ._hadamard import split_length
from ._plan import Plan

__all__ = ["as_array", "as_axis", "as_axes", "as_norm", "as_order", "as_out", "as_workers",
           "as_flag", "check_call_args", "as_plan", "wht_length", "int_fits", "check_view_result", "INT64_MAX",
           "MAX_WORKERS", "NCPU"]

INT64_MAX = np.iinfo(np.int64).max
MAX_WORKERS = 256      # larger thread counts mean this many (the C core's cap)


def _cpu_count() -> int:
    """CPUs this process may run on, the same count the C core uses (its affinity mask)."""
    if os.environ.get("ALGDIV_DISABLE_CORE", "") in ("", "0"):
        try:
            from .. import _core
            if _core.ext is not None:
                return int(_core.ext.cpu_count())     # also refreshes the core's own copy
        except ImportError:
            pass
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


NCPU = _cpu_count()
_ORDER_ALIASES = {"natural": "natural", "hadamard": "natural", "sylvester": "natural",
                  "sequency": "sequency", "walsh": "sequency",
                  "dyadic": "dyadic", "paley": "dyadic"}


def as_array(x, name="x", *, allow_int=True) -> np.ndarray:
    """``np.asarray(x)``; TypeError for bool, object, string, datetime or void data."""
    if hasattr(x, "__cuda_array_interface__") and not isinstance(x, np.ndarray):
        raise TypeError(
            f"Argument '{name}' must be a numpy array, not {type(x).__module__}.{type(x).__name__}; "
            "use the GPU functions of algdiv.gpu for device arrays.")
    a = np.asarray(x)
    kind = a.dtype.kind
    if kind in "fc":
        if a.dtype.itemsize > 16 or (kind == "f" and a.dtype.itemsize > 8):
            raise TypeError(
                f"Argument '{name}' must have dtype float32, float64, complex64 or complex128, "
                f"not {a.dtype}; convert it with x.astype(np.float64).")
        return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))
    if kind in "iu" and allow_int:
        return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))
    expected = "an array of numbers (float, complex or integer)" if allow_int else \
        "an array of float or complex numbers"
    raise TypeError(f"Argument '{name}' must be {expected}, not dtype {a.dtype}.")


def as_axis(axis, ndim, name="axis") -> int:
    """Normalised non-negative axis; TypeError if not an int, ValueError if out of range."""
    try:
        if isinstance(axis, (bool, np.bool_)):
            raise TypeError
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"Argument '{name}' must be an integer, not {type(axis).__name__}.") from None
    if ndim == 0:
        raise ValueError("Argument 'x' must have at least 1 dimension, not a scalar.")
    if not -ndim <= ax < ndim:
        raise ValueError(f"Argument '{name}' must be in [-{ndim}, {ndim}) for a {ndim}-d input, not {ax}.")
    return ax % ndim


def as_axes(axes, ndim) -> tuple:
    if ndim == 0:
        raise ValueError("Argument 'x' must have at least 1 dimension, not a scalar.")
    if axes is None:
        return tuple(range(ndim))
    if not isinstance(axes, (tuple, list)) and np.ndim(axes) == 0:
        axes = (axes,)
    out = tuple(as_axis(a, ndim, "axes") for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"Argument 'axes' must not repeat an axis, not {tuple(axes)!r}.")
    return out


def as_norm(norm, allowed=("backward", "ortho", "forward")) -> str:
    if norm is None:
        norm = "backward"
    if norm not in allowed:
        quoted = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"Argument 'norm' must be one of {quoted}, not {norm!r}.")
    return norm


def as_order(order) -> str:
    try:
        return _ORDER_ALIASES[order]
    except (KeyError, TypeError):
        raise ValueError(
            "Argument 'order' must be one of 'natural', 'sequency', 'dyadic' "
            f"(or 'hadamard', 'walsh', 'paley'), not {order!r}.") from None


def as_workers(workers):
    """Thread count: None (the default), or an int in [1, MAX_WORKERS].

    ``workers`` is None, an integer >= 1 (above :data:`MAX_WORKERS` it means
    MAX_WORKERS) or an integer -k with 1 <= k <= NCPU counting back from the
    CPU count (-1: every CPU, as scipy.fft).  The C core applies the same rule
    with the same messages (``algdiv/_core/module.c``, ``resolve_workers``).
    """
    if workers is None:
        return None
    try:
        if isinstance(workers, (bool, np.bool_)):
            raise TypeError
        w = operator.index(workers)
    except TypeError:
        raise TypeError(f"Argument 'workers' must be None or an integer, "
                        f"not {type(workers).__name__}.") from None
    if w >= 1:
        return min(w, MAX_WORKERS)
    if -NCPU <= w <= -1:
        return NCPU + 1 + w
    raise ValueError(f"Argument 'workers' must be None, an integer >= 1, or an integer in "
                     f"[-{NCPU}, -1] (-1: all {NCPU} CPUs), not {int(w)}.")


def as_flag(value, name) -> bool:
    """``value`` as a bool; TypeError unless it is True or False (numpy bools included)."""
    if value is True or value is False or isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"Argument '{name}' must be True or False, not {value!r}.")


def as_out(out, shape, dtype):
    if out is None:
        return None
    if not isinstance(out, np.ndarray):
        raise TypeError(f"Argument 'out' must be a numpy array, not {type(out).__name__}.")
    if out.shape != tuple(shape):
        raise ValueError(f"Argument 'out' must have shape {tuple(shape)}, not {out.shape}.")
    if out.dtype != dtype:
        raise ValueError(f"Argument 'out' must have dtype {np.dtype(dtype)}, not {out.dtype}.")
    if not out.flags.writeable:
        raise ValueError("Argument 'out' must be writeable, not a read-only array.")
    return out


def as_plan(plan, problem):
    """Check that a user-given plan was made for ``problem``."""
    if plan is None:
        return None
    if not isinstance(plan, Plan):
        raise TypeError(f"Argument 'plan' must be an algdiv.transforms.Plan, not {type(plan).__name__}.")
    if plan.problem.key() != problem.key():
        raise ValueError(
            f"Argument 'plan' must be a plan for {problem}, not one for {plan.problem}.")
    return plan


def wht_length(n: int, axis: int, order: str):
    """``(m, 2^k)`` for an accepted FWHT length; ValueError naming the accepted ones."""
    mk = split_length(n)
    if mk is None:
        nxt = 1
        while nxt < n:
            nxt *= 2
        cands = [nxt] + [m * 2 ** k for m in (12, 20, 28) for k in range(0, 64)
                         if m * 2 ** k >= n and m * 2 ** k < nxt]
        raise ValueError(
            f"Argument 'x' must have length 2^k or m*2^k with m in {{12, 20, 28}} along axis {axis}, "
            f"not {n}; zero-pad to {min(cands)}.")
    if mk[0] != 1 and order != "natural":
        raise ValueError(
            f"Argument 'order' must be 'natural' for length {n} = {mk[0]}*2^{mk[1].bit_length() - 1}, "
            f"not {order!r} (orders apply to lengths 2^k only).")
    return mk


def _distinct(x: np.ndarray) -> np.ndarray:
    """``x`` with its zero-stride (broadcast) axes cut to length 1: the same values, O(memory)."""
    if 0 not in x.strides or x.size == 0:
        return x
    return x[tuple(slice(0, 1) if st == 0 else slice(None) for st in x.strides)]


def int_fits(x: np.ndarray, factor: int) -> bool:
    """Whether ``max|x| * factor`` fits in int64 (x integer); reads each stored element once."""
    x = _distinct(x)
    if x.size == 0:
        return True
    hi = int(x.max())
    lo = int(x.min())
    return max(abs(hi), abs(lo)) * factor <= INT64_MAX


def check_view_result(x: np.ndarray, itemsize: int, what: str) -> None:
    """SizeLimitError when the result of a transform of the view ``x`` (``x.size`` elements of
    ``itemsize`` bytes) passes the memory limit and ``x`` holds fewer distinct elements than
    that (a broadcast or overlapping view): refused before anything is allocated.

    An input that holds its elements in memory is never refused: its result is no larger.
    """
    nbytes = x.size * itemsize
    if nbytes <= _limits.MEMORY_LIMIT or x.ndim == 0:
        return
    held = 1
    for n, st in zip(x.shape, x.strides):
        if st != 0:
            held *= n
    span = sum((n - 1) * abs(st) for n, st in zip(x.shape, x.strides)) // max(x.itemsize, 1) + 1
    if min(held, span) < x.size:
        _limits.check_bytes(nbytes, f"{what} of a {x.shape} {x.dtype} view holding "
                            f"{min(held, span)} distinct element(s)")


def check_call_args(kwargs: dict, ndim=None) -> None:
    """The checks of the keyword arguments that do not need the data, as the CPU path makes
    them: ``norm``, ``order``, ``workers``, ``overwrite_x``, ``per_row`` and (given ``ndim``)
    ``axis``/``axes``.  :func:`algdiv.transforms._dispatch.route` runs it before handing a
    cupy, torch or dask array to its backend, so every backend refuses the same arguments
    with the same errors (also where the backend is missing)."""
    if "norm" in kwargs:
        as_norm(kwargs["norm"])
    if "order" in kwargs:
        as_order(kwargs["order"])
    as_workers(kwargs.get("workers"))
    for flag in ("overwrite_x", "per_row"):
        if flag in kwargs:
            as_flag(kwargs[flag], flag)
    if ndim is not None:
        if "axis" in kwargs:
            as_axis(kwargs["axis"], ndim)
        if "axes" in kwargs:
            as_axes(kwargs["axes"], ndim)
