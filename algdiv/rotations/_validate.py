"""Argument checks shared by :mod:`algdiv.rotations` (validated once, at the public boundary)."""
from __future__ import annotations

import numbers
import operator

import numpy as np

__all__ = ["as_dim", "as_positive_int", "as_alpha", "as_unit_input", "as_shape"]


def _as_int(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Argument {name!r} must be an integer, not {type(value).__name__} {value!r}.")
    return operator.index(value)


def as_dim(d, name="d", *, power_of_two=True, minimum=2):
    """Return ``d`` as an int after checking it is a power of 2 (>= ``minimum``)."""
    d = _as_int(d, name)
    if power_of_two and (d < minimum or d & (d - 1)):
        hint = ""
        if d > minimum:
            hint = f"; pad to {1 << (d - 1).bit_length()}"
        raise ValueError(f"Argument {name!r} must be a power of 2 >= {minimum}, not {d}{hint}.")
    if not power_of_two and d < minimum:
        raise ValueError(f"Argument {name!r} must be an integer >= {minimum}, not {d}.")
    return d


def as_positive_int(value, name, *, minimum=1):
    """Return ``value`` as an int >= ``minimum``."""
    value = _as_int(value, name)
    if value < minimum:
        raise ValueError(f"Argument {name!r} must be an integer >= {minimum}, not {value}.")
    return value


def as_alpha(alpha, name="alpha"):
    """Return ``alpha`` as a float in (0, 1)."""
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise TypeError(f"Argument {name!r} must be a number in (0, 1), not {alpha!r}.") from None
    if not 0.0 < a < 1.0:
        raise ValueError(f"Argument {name!r} must be in (0, 1), not {alpha!r}.")
    return a


def as_unit_input(u, name="u", *, d=None):
    """Return ``u`` as a float64 1-D array of power-of-2 length with a nonzero, finite norm.

    The vector is *not* normalised here: callers decide whether the norm matters.
    """
    arr = np.asarray(u)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Argument {name!r} must be a real array, not dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    if arr.ndim != 1:
        raise ValueError(f"Argument {name!r} must be a 1-D vector, not an array of shape {arr.shape}.")
    n = arr.shape[0]
    if n < 2 or n & (n - 1):
        raise ValueError(f"Argument {name!r} must have a power-of-2 length >= 2, not {n}.")
    if d is not None and arr.shape[0] != d:
        raise ValueError(f"Argument {name!r} must have length d = {d}, not {arr.shape[0]}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Argument {name!r} must be finite; it contains NaN or Inf.")
    norm = float(np.linalg.norm(arr))
    if norm == 0.0:
        raise ValueError(f"Argument {name!r} must be a nonzero vector (its norm is 0).")
    return arr


def as_shape(size, name="size"):
    """``None``, a non-negative int or a tuple of them, as a tuple (``()`` for ``None``)."""
    if size is None:
        return ()
    if isinstance(size, (numbers.Integral, np.integer)) and not isinstance(size, (bool, np.bool_)):
        return (as_positive_int(size, name, minimum=0),)
    try:
        items = tuple(size)
    except TypeError:
        raise TypeError(f"Argument {name!r} must be None, an integer >= 0 or a tuple of them, "
                        f"not {type(size).__name__}.") from None
    return tuple(as_positive_int(v, name, minimum=0) for v in items)
