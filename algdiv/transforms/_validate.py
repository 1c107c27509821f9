"""Argument validation for the public transform functions (done once, at the boundary).

Messages follow ``Argument 'name' must be <expected>, not <got>.``
"""
from __future__ import annotations

import operator

import numpy as np

from ._hadamard import split_length
from ._plan import Plan

__all__ = ["as_array", "as_axis", "as_axes", "as_norm", "as_order", "as_out", "as_workers",
           "as_plan", "wht_length", "int_fits", "INT64_MAX"]

INT64_MAX = np.iinfo(np.int64).max
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
        return a
    if kind in "iu" and allow_int:
        return a
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
    if np.ndim(axes) == 0:
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
    if workers is None:
        return None
    try:
        w = operator.index(workers)
    except TypeError:
        raise TypeError(f"Argument 'workers' must be an integer or None, not {type(workers).__name__}.") from None
    if w == 0:
        raise ValueError("Argument 'workers' must be nonzero (negative counts from the CPU count), not 0.")
    return w


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


def int_fits(x: np.ndarray, factor: int) -> bool:
    """Whether ``max|x| * factor`` fits in int64 (x integer)."""
    if x.size == 0:
        return True
    hi = int(x.max())
    lo = int(x.min())
    return max(abs(hi), abs(lo)) * factor <= INT64_MAX
