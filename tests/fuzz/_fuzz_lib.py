"""Shared pieces of the library fuzz tests (groups, reps, bases, discovery, rotations).

``call(fn, *args, **kwargs)`` runs one call under a wall-clock limit and fails
the test unless the call returns or raises a documented exception
(``TypeError``, ``ValueError`` or ``SizeLimitError``, with a message), and
unless every numpy array handed to it is unchanged afterwards.
"""
from __future__ import annotations

import contextlib
import signal
import warnings

import numpy as np
from hypothesis import strategies as st

from algdiv.groups import SizeLimitError

#: the exceptions the public API documents for bad input
ALLOWED = (TypeError, ValueError, SizeLimitError)

#: wall-clock seconds one fuzzed call may take
LIMIT = 20.0

#: scalars that are wrong or at an edge for most integer/real/choice arguments
SCALARS = [None, True, 0, -1, 1, 2, 3, 4, 8, 2**40, 2**70, -(2**63), 0.0, 0.5, -0.5, 2.0,
           float("nan"), float("inf"), -float("inf"), 1e-320, 1j, "", "x", "real", (), [2, 3],
           np.int64(4), np.float32(0.5), object()]


def arrays():
    """Arrays wrong in kind, shape or value, and a few small valid-looking ones."""
    return [np.array([]), np.zeros((0, 3)), np.array(np.nan), np.eye(3), np.eye(4) + 0.5,
            np.full((4, 4), np.nan), np.full((4, 4), np.inf), np.ones((3, 4)), np.ones((2, 2, 2)),
            np.array([[0, 0, 1, 2]]), np.array([[1, 0, 3, 2], [0, 1, 2, 3]]),
            np.array([[-1, 0, 1, 2]]), np.array([[2**40, 0, 1, 2]]), np.array(["a", "b"]),
            np.array([1, 2], dtype=object), np.arange(4, dtype=np.uint8), np.array([True, False]),
            np.ones((4, 4), np.complex128), np.array([[1.0, 2.0], [0.0, 1.0]]),
            np.arange(16.0).reshape(4, 4), np.zeros((4, 4)), np.full((5, 5), 1e308)]


def values():
    """Strategy over :data:`SCALARS` and :func:`arrays`."""
    return st.sampled_from(SCALARS + arrays())


class TimeLimit(Exception):
    """A call ran past its limit."""


@contextlib.contextmanager
def time_limit(seconds):
    """Raise :class:`TimeLimit` in the main thread once ``seconds`` have passed (SIGALRM)."""
    def alarm(signum, frame):
        raise TimeLimit(f"the call ran past {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _label(fn, args, kwargs):
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{getattr(fn, '__qualname__', fn)}({', '.join(parts)})"


def _short(v):
    if isinstance(v, np.ndarray):
        return f"array(shape={v.shape}, dtype={v.dtype})"
    text = repr(v)
    return text if len(text) < 60 else text[:57] + "..."


def call(fn, *args, limit=LIMIT, **kwargs):
    """``("ok", result)`` or ``("refused", exception)``; anything else fails the test."""
    arrays_in = [(a, a.copy()) for a in list(args) + list(kwargs.values()) if isinstance(a, np.ndarray)]
    try:
        with time_limit(limit), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = ("ok", fn(*args, **kwargs))
    except ALLOWED as exc:
        assert str(exc).strip(), f"{_label(fn, args, kwargs)}: {type(exc).__name__} without a message"
        outcome = ("refused", exc)
    except TimeLimit:
        raise AssertionError(f"{_label(fn, args, kwargs)} ran past {limit} s") from None
    except Exception as exc:  # noqa: BLE001 - an undocumented exception is the failure
        raise AssertionError(f"{_label(fn, args, kwargs)} raised {type(exc).__name__}: {exc}") from exc
    for a, before in arrays_in:
        same = a.shape == before.shape and (a.dtype == object or np.array_equal(
            a, before, equal_nan=a.dtype.kind in "fc"))
        assert same, f"{_label(fn, args, kwargs)} modified its input"
    return outcome


def refused(fn, *args, exc=ValueError, match=None, **kwargs):
    """Assert that the call is refused with ``exc`` (and ``match`` in its message)."""
    kind, value = call(fn, *args, **kwargs)
    assert kind == "refused", f"{_label(fn, args, kwargs)} was accepted: {_short(value)}"
    assert isinstance(value, exc), f"{_label(fn, args, kwargs)} raised {type(value).__name__}: {value}"
    if match is not None:
        assert match in str(value), f"{match!r} not in {str(value)!r}"
    return value
