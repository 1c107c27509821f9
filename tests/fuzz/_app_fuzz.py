"""Helpers of the application fuzz tests (quant, qmc, sparse): one call under a time limit.

``probe(fn, *args, **kwargs)`` runs a call with a wall-clock limit, checks that
it either returns or raises one of the documented exceptions (``TypeError``,
``ValueError``, :class:`~algdiv.groups.SizeLimitError`; ``IncompleteRecoveryWarning``
is only a warning), and that no numpy array argument was modified.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np
from hypothesis import strategies as st

from algdiv.groups._limits import SizeLimitError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzz_lib import TimeLimit, time_limit  # noqa: E402

DOCUMENTED = (TypeError, ValueError, SizeLimitError)

#: bad or edge values for scalar arguments
BAD_SCALARS = [None, True, False, 0, -1, 1, 2, 3, 7, 2 ** 40, 2 ** 70, -(2 ** 70), 0.0, 0.5, -0.5, 1.5,
               float("nan"), float("inf"), -float("inf"), 1e308, 1e-320, 1j, "x", "", "random", (),
               [1, 2], np.int64(4), np.float32(0.25)]


def bad_arrays():
    """Arrays that are wrong in kind, shape or values."""
    return [np.array([]), np.zeros((0, 4)), np.array(np.nan), np.full((4, 8), np.nan),
            np.full((4, 8), np.inf), np.array([[1e308, -1e308, 0.0, 1.0]] * 2), np.ones((2, 3, 4)),
            np.array(["a", "b"]), np.array([1, 2], dtype=object), np.arange(8, dtype=np.uint8),
            np.array([True, False]), np.arange(12.0).reshape(3, 4) - 5, np.ones((3, 8), np.complex128)]


def bad_values():
    return st.sampled_from(BAD_SCALARS + bad_arrays())


def _snapshot(values):
    return [(v, v.copy()) for v in values if isinstance(v, np.ndarray)]


def probe(fn, *args, limit=10.0, **kwargs):
    """Call ``fn``; return ``("ok", result)`` or ``("refused", exc)``; fail on anything else.

    Fails the test on an undocumented exception, a run past ``limit`` seconds or
    a modified array argument.
    """
    before = _snapshot(list(args) + list(kwargs.values()))
    try:
        with time_limit(limit), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = ("ok", fn(*args, **kwargs))
    except DOCUMENTED as exc:
        assert str(exc), f"{fn.__name__} raised {type(exc).__name__} with an empty message"
        out = ("refused", exc)
    except TimeLimit:
        raise AssertionError(f"{getattr(fn, '__name__', fn)}{_show(args, kwargs)} ran past {limit} s")
    except Exception as exc:  # noqa: BLE001 - anything else is the failure under test
        raise AssertionError(f"{getattr(fn, '__name__', fn)}{_show(args, kwargs)} raised "
                             f"{type(exc).__name__}: {exc}") from exc
    for arr, copy in before:
        assert arr.shape == copy.shape and np.array_equal(arr, copy, equal_nan=arr.dtype.kind in "fc"), \
            f"{fn.__name__} modified an array argument"
    return out


def _show(args, kwargs):
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def _short(v):
    if isinstance(v, np.ndarray):
        return f"array{v.shape}:{v.dtype}"
    text = repr(v)
    return text if len(text) < 40 else text[:37] + "..."


#: bad or edge values for command-line options
BAD_OPTION_VALUES = ["-1", "0", "1", "3", "63", "1099511627776", "1e30", "nan", "inf", "-inf", "abc", "",
                     "0x10", "2.5", "-0", "999999999999999999999999"]


def run_cli(argv, limit=20.0):
    """``algdiv.cli.main(argv)`` in-process under a time limit: ``(exit code, stdout, stderr)``.

    Fails on a traceback (an exception out of ``main``), a run past ``limit``
    seconds, or an exit code other than 0, 1 (a result that did not converge)
    or 2 with its reason on the last stderr line.
    """
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from algdiv.cli import main

    out, err = io.StringIO(), io.StringIO()
    parser_exit = False
    try:
        with time_limit(limit), redirect_stdout(out), redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rc = main(list(argv))
    except SystemExit as exc:            # argparse: the usage, then one "error:" line, exit 2
        rc, parser_exit = exc.code, True
    except TimeLimit:
        raise AssertionError(f"algdiv {' '.join(argv)} ran past {limit} s")
    except BaseException as exc:  # noqa: BLE001
        raise AssertionError(f"algdiv {' '.join(argv)}: traceback {type(exc).__name__}: {exc}") from exc
    text = err.getvalue()
    assert "Traceback" not in text, text
    assert rc in (0, 1, 2), (argv, rc, text)
    if rc == 2:
        lines = text.strip().splitlines()
        assert lines and "error" in lines[-1], (argv, text)
        assert parser_exit or len(lines) == 1, (argv, text)      # the library's refusal: one line
    return rc, out.getvalue(), text


def check_one_bad_argument(calls, name, data, *, finite=True, elementwise=()):
    """Replace one argument of ``calls[name]`` by a drawn bad or edge value: the call must give a
    result or a documented refusal, in time, without touching its inputs; with ``finite``, a float
    array result must be finite (except for the ``elementwise`` calls: NaN in, NaN out)."""
    from hypothesis import strategies as st

    fn, kw = calls[name]
    arg = data.draw(st.sampled_from(sorted(kw)), label="argument")
    value = data.draw(bad_values(), label="value")
    status, res = probe(fn, **dict(kw, **{arg: value}), limit=10.0)
    if (finite and name not in elementwise and status == "ok" and isinstance(res, np.ndarray)
            and res.dtype.kind == "f"):
        assert np.all(np.isfinite(res)), f"{name}({arg}={value!r}) returned non-finite values"

