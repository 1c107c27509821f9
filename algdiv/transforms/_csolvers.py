"""The C core's solvers: WHT plans run by ``algdiv._core._fwht``.

Imported by :mod:`algdiv.transforms._wht` at the end of its import.  When the
extension is in use (``algdiv._core.available()``) this module

* registers the solver ``"wht-c"``: the Walsh-Hadamard transform of length
  ``2^k`` or ``m 2^k`` (m in {12, 20, 28}, natural order), every order, every
  norm, float32/float64/complex64/complex128 and exact int64 (``norm="backward"``);
  its plans report ``n log2(2^k) (+ 2 m n for the H_m mix, + n for an order
  permutation)`` operations, below the numpy ``wht-gemm16``'s count, so the
  planner prefers them;
* fills the fast-path table ``_wht._KERNELS`` (``"wht"`` and ``"hd"``) with the
  C entry points, which the public functions call before any Python-level
  validation for C-contiguous float32/float64 input along the last axis.

The kernels themselves (schedule, SIMD, threads) are described in
``docs/engine.md``.
"""
from __future__ import annotations

import numpy as np

from .. import _core
from ._hadamard import paley_hadamard, split_length
from ._plan import Plan, Solver, register_solver
from ._wht import _KERNELS, _WORKERS, norm_scale

__all__ = ["CWhtPlan", "CWhtSolver", "ORDER_CODES"]

ORDER_CODES = {"natural": 0, "sequency": 1, "dyadic": 2}
_DTYPES = ("float32", "float64", "complex64", "complex128")


class CWhtPlan(Plan):
    """WHT of length ``m 2^k`` by the C core (any order for ``m = 1``)."""

    solver = "wht-c"

    def __init__(self, problem):
        n = problem.n
        self.m, self.p = split_length(n)
        self.order_code = ORDER_CODES[problem.order]
        k = self.p.bit_length() - 1
        ops = n * k + (2 * self.m * n if self.m > 1 else 0) + (n if self.order_code else 0)
        super().__init__(problem, ops)

    @property
    def inv_in_dtype(self):
        return np.dtype(np.float64) if self.in_dtype.kind == "i" else self.in_dtype

    def _hm(self, inverse):
        if self.m == 1:
            return None
        H = paley_hadamard(self.m)
        return np.ascontiguousarray((H.T if inverse else H).astype(np.int8))

    def _scale(self, inverse):
        if self.in_dtype.kind == "i" and not inverse:
            return 1.0
        return float(norm_scale(self.problem.norm, self.problem.n, inverse))

    # Threads: the caller's ``workers=`` reaches plans through the ``_WORKERS``
    # context variable (None: the kernel's default, one thread below twice the L2 size of data).
    # The Sylvester matrix and its sequency/dyadic row permutations are
    # symmetric, so the inverse is the forward transform in the same order with
    # the inverse scale (and H_m^T for the m x m mix).
    def _execute(self, x, inverse, overwrite):
        out = x if overwrite and x.flags.writeable else None
        return _core.ext.execute(x, out, -1, self._scale(inverse), self.order_code,
                                 _WORKERS.get(), None, None, 0, self._hm(inverse))

    def _run(self, x, axis, out, inverse, overwrite):
        """Straight to the kernel for native-dtype input: any axis, strides, ``out``."""
        dt = self.inv_in_dtype if inverse else self.in_dtype
        if type(x) is not np.ndarray or x.dtype != dt or x.ndim == 0:
            return super()._run(x, axis, out, inverse, overwrite)
        ax = axis + x.ndim if axis < 0 else axis
        if not 0 <= ax < x.ndim or x.shape[ax] != self.problem.n:
            return super()._run(x, axis, out, inverse, overwrite)   # raises the usual errors
        direct_out = None
        if out is not None:
            if (isinstance(out, np.ndarray) and out.dtype == dt and out.shape == x.shape
                    and out.flags.c_contiguous and out.flags.writeable and out.flags.aligned):
                direct_out = out
            else:
                y = self._run(x, axis, None, inverse, overwrite)
                if out.shape != y.shape:
                    raise ValueError(f"Argument 'out' must have shape {y.shape}, not {out.shape}.")
                np.copyto(out, y, casting="same_kind")
                return out
        elif overwrite and x.flags.c_contiguous and x.flags.writeable and x.flags.aligned:
            direct_out = x
        return _core.ext.execute(x, direct_out, ax, self._scale(inverse), self.order_code,
                                 _WORKERS.get(), None, None, 0, self._hm(inverse))


class CWhtSolver(Solver):
    """Applies to every WHT problem the C core runs."""

    name = "wht-c"
    kinds = ("wht",)
    priority = 10
    accepts = ("n = 2^k (any order), or m*2^k with m in {12, 20, 28} (natural order); "
               "float32, float64, complex64, complex128, or int64 with norm='backward'")

    def applicable(self, problem):
        if _core.ext is None:
            return False
        mk = split_length(problem.n)
        if mk is None or (mk[0] > 1 and problem.order != "natural"):
            return False
        if problem.order not in ORDER_CODES:
            return False
        if problem.dtype in _DTYPES:
            return True
        return problem.dtype == "int64" and problem.norm == "backward"

    def make_plan(self, problem, planner):
        return CWhtPlan(problem)


def _hd_seed(x, axis, scale, order, workers, seed, stream, per_row, offset, out=None):
    """``_KERNELS["hd_seed"]``: scale * P_order H D x along ``axis``, D generated in the kernel
    (into ``out`` when given: ``x`` itself, or an array that shares no memory with it)."""
    return _core.ext.execute(x, out, axis, scale, order, workers, None, seed, stream, None,
                             per_row, offset)


def _hd_chain(x, scale, workers, seed, blocks, signs=None, sign_bits=None, trailing=False):
    """``_KERNELS["hd_chain"]``: (scale H D_{b-1}) ... (scale H D_0) x along the last axis,
    D_j from stream j of ``seed``: read from row j of the packed ``sign_bits`` (b, n / 8)
    or of the int8 ``signs`` (b, n) when given, or generated in the kernel, into a new
    array (one call: long rows run b + 1 passes over memory instead of 2 b); ``trailing``:
    then times the diagonal of row b (b + 1 rows given)."""
    rows = None if sign_bits is not None else signs
    return _core.ext.execute(x, None, -1, scale, 0, workers, rows, seed, 0, None, False, 0, blocks,
                             sign_bits, trailing)


def _hd_signs(x, signs, scale, workers, out=None):
    """``_KERNELS["hd_signs"]``: scale * H D x along the last axis of a C-contiguous (m, n)
    ``x``, D from ``signs`` (n, or (m, n) int8), into ``out`` when given (``x`` itself, or
    an array that shares no memory with it)."""
    return _core.ext.execute(x, out, -1, scale, 0, workers, signs)


def _install():
    if _core.ext is None:
        return
    _KERNELS["wht"] = _core.ext.wht
    _KERNELS["hd_seed"] = _hd_seed
    _KERNELS["hd_signs"] = _hd_signs
    _KERNELS["hd_chain"] = _hd_chain
    _KERNELS["wht_call"] = _core.ext.wht_call
    try:
        register_solver(CWhtSolver())
    except ValueError:      # already registered (a reload)
        pass


_install()
