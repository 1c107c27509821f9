"""Argument checks shared by the application packages (checked once, where an argument enters).

Every message has one grammar::

    Argument 'bits' must be an integer in [2, 8], not 9.
    Argument 'n_boot' must be an integer >= 200 at level 0.05, not 20.

``why`` appends the reason a bound follows from the other arguments
(``"at level 0.05"``).  Wrong types raise :class:`TypeError`, values out of
range :class:`ValueError`.  Each check returns the value converted
(``int``, ``float``, ``bool`` or ``numpy.ndarray``) and never modifies it.

Examples
--------
>>> from algdiv._checks import check_int
>>> check_int(3, "bits", min=2, max=8)
3
>>> try:
...     check_int(9, "bits", min=2, max=8)
... except ValueError as e:
...     print(e)
Argument 'bits' must be an integer in [2, 8], not 9.
"""
from __future__ import annotations

import math
import numbers
import operator

import numpy as np

__all__ = ["describe", "check_int", "check_real", "check_bool", "check_choice", "check_array"]


def describe(value) -> str:
    """Short text for the ``not <got>`` part: numbers as themselves, other things by type."""
    if isinstance(value, (bool, np.bool_)):
        return f"bool {bool(value)}"
    if isinstance(value, numbers.Number):
        return repr(value.item() if isinstance(value, np.generic) else value)
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "...'"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    return type(value).__name__


def _fmt(v) -> str:
    return repr(v) if isinstance(v, (int, float)) else str(v)


def _range_text(kind, lo, hi, open_lo=False, open_hi=False, why=None) -> str:
    if lo is not None and hi is not None:
        text = f"{kind} in {'(' if open_lo else '['}{_fmt(lo)}, {_fmt(hi)}{')' if open_hi else ']'}"
    elif lo is not None:
        text = f"{kind} {'>' if open_lo else '>='} {_fmt(lo)}"
    elif hi is not None:
        text = f"{kind} {'<' if open_hi else '<='} {_fmt(hi)}"
    else:
        text = kind
    return f"{text} {why}" if why else text


def check_int(value, name, *, min=None, max=None, why=None) -> int:
    """``value`` as an ``int`` in ``[min, max]`` (either bound may be ``None``).

    Python and numpy integers are accepted; ``bool``, floats (even ``2.0``)
    and strings are a :class:`TypeError`.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Argument {name!r} must be {_range_text('an integer', min, max, why=why)}, "
                        f"not {describe(value)}.")
    v = operator.index(value)
    if (min is not None and v < min) or (max is not None and v > max):
        raise ValueError(f"Argument {name!r} must be {_range_text('an integer', min, max, why=why)}, "
                         f"not {v}.")
    return v


def check_real(value, name, *, min=None, max=None, open_min=False, open_max=False, finite=True,
               why=None) -> float:
    """``value`` as a ``float`` in the stated interval; NaN always refused, ``inf`` unless ``finite=False``.

    Python/numpy reals and 0-d real arrays are accepted (``bool``, complex and
    strings are a :class:`TypeError`).
    """
    kind = "a finite number" if finite else "a number"
    text = _range_text(kind, min, max, open_min, open_max, why)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"Argument {name!r} must be {text}, not {describe(value)}.")
    try:
        v = float(value)
    except OverflowError:            # a Python int beyond the float range
        v = math.inf if value > 0 else -math.inf
    bad = math.isnan(v) or (finite and math.isinf(v))
    if min is not None:
        bad = bad or (v <= min if open_min else v < min)
    if max is not None:
        bad = bad or (v >= max if open_max else v > max)
    if bad:
        raise ValueError(f"Argument {name!r} must be {text}, not {describe(value)}.")
    return v


def check_bool(value, name) -> bool:
    """``value`` as a ``bool``: only ``True``/``False`` (or numpy bools); ``0``/``1`` are a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Argument {name!r} must be True or False, not {describe(value)}.")
    return bool(value)


def _family(v):
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, str):
        return "str"
    if isinstance(v, numbers.Number):
        return "number"
    return type(v)


def check_choice(value, name, choices):
    """``value`` if it equals one of ``choices``, else ValueError (TypeError if no choice has its kind).

    Booleans, strings and numbers never match one another (``1`` is not ``True``).
    """
    fam = _family(value)
    for c in choices:
        if _family(c) == fam:
            try:
                if bool(value == c):
                    return c
            except (TypeError, ValueError):
                pass
    listed = ", ".join(repr(c) for c in choices)
    err = ValueError if any(_family(c) == fam for c in choices) else TypeError
    raise err(f"Argument {name!r} must be one of {listed}, not {describe(value)}.")


_KIND_NAMES = {"b": "boolean", "i": "signed integer", "u": "unsigned integer", "f": "float",
               "c": "complex"}


def check_array(x, name, *, ndim=None, dtype_kind=None, finite=False, shape=None) -> np.ndarray:
    """``numpy.asarray(x)`` after checking dtype kind, number of axes, shape and finiteness.

    Parameters
    ----------
    x : array_like
        The argument (not modified, not copied when already an array).
    name : str
        The argument's name in messages.
    ndim : int or tuple of int, optional
        Allowed numbers of axes.
    dtype_kind : str, optional
        Allowed ``dtype.kind`` letters, e.g. ``"fiu"`` for real numbers
        (``"b"`` bool, ``"i"``/``"u"`` integers, ``"f"`` float, ``"c"`` complex).
        Object, string and other dtypes are refused whenever this is given.
    finite : bool
        Refuse NaN and inf entries.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.

    Raises
    ------
    TypeError
        Wrong dtype kind (or data numpy cannot turn into a numeric array).
    ValueError
        Wrong number of axes, shape, or a non-finite entry.
    """
    if hasattr(x, "__cuda_array_interface__") and not isinstance(x, np.ndarray):
        raise TypeError(f"Argument {name!r} must be a numpy array, not "
                        f"{type(x).__module__}.{type(x).__name__}.")
    try:
        a = np.asarray(x)
    except (ValueError, TypeError) as exc:       # ragged nested sequences
        raise TypeError(f"Argument {name!r} must be an array of numbers; numpy could not convert it "
                        f"({exc}).") from None
    if dtype_kind is not None and a.dtype.kind not in dtype_kind:
        wanted = " or ".join(_KIND_NAMES.get(k, k) for k in dtype_kind)
        raise TypeError(f"Argument {name!r} must be an array of {wanted} numbers, not dtype {a.dtype}.")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            wanted = " or ".join(f"{k}-D" for k in allowed)
            raise ValueError(f"Argument {name!r} must be {wanted}, not {a.ndim}-D (shape {a.shape}).")
    if shape is not None:
        if a.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, a.shape)):
            wanted = "(" + ", ".join("*" if s is None else str(s) for s in shape) + \
                     ("," if len(shape) == 1 else "") + ")"
            raise ValueError(f"Argument {name!r} must have shape {wanted}, not {a.shape}.")
    if finite and a.dtype.kind in "fc" and not np.all(np.isfinite(a)):
        raise ValueError(f"Argument {name!r} must be finite; it holds NaN or inf.")
    return a
