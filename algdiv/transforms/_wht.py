"""Fast Walsh-Hadamard transform: numpy kernels, the "wht" solver and fwht/ifwht/fwhtn.

The numpy kernel is "gemm16" (docs/transforms.md): a row of length 2^k is
viewed as radix-16 digits; one matrix product ``H_16 @ Z.T`` transforms the
fastest digit and rotates it to the slowest position, so ceil(k/4) GEMMs do
the whole transform with no explicit transposes.  Rows of length <= 64 use one
product with the dense Sylvester matrix instead.

Backend dispatch point
----------------------
``_KERNELS`` maps a name to a compiled kernel that a backend (the C core)
installs at import.  The public functions call it directly, skipping the
planner, when the input is a C-contiguous float32/float64 ndarray transformed
along its last axis with natural order and no ``out=``/``plan=``:

* ``_KERNELS["wht"](x, scale, workers) -> y`` where ``x`` is a C-contiguous
  2-D ``(m, n)`` float32/float64 array, ``n`` a power of 2, ``scale`` a Python
  float and ``workers`` None or a nonzero int; returns a new C-contiguous array
  ``scale * x @ H_n`` (natural order, same dtype).  ``x`` must not be modified.
* ``_KERNELS["hd_signs"](x, signs, scale, workers, out=None) -> y``: the same for
  ``scale * (x * signs) @ H_n`` with ``signs`` an int8 ``(n,)`` or ``(m, n)`` array,
  written to ``out`` when given (``x`` itself, or an array sharing no memory with it).
* ``_KERNELS["wht_call"](x, axis, norm, order, out, plan, workers, inverse)``:
  optional, tried first by :func:`fwht`/:func:`ifwht` with their raw
  arguments; does the eligibility checks above itself and returns the result
  or ``NotImplemented`` (then the code below runs).  One C call instead of a
  few Python ones: the per-call cost at n = 2^10 is what it saves.
* ``_KERNELS["hd_seed"](x, axis, scale, order, workers, seed, stream, per_row,
  offset, out=None) -> y``: ``scale * P_order H D x`` along ``axis`` (a power-of-2
  length, float32/64 or complex, any layout) with D generated inside the
  kernel from the counter-based generator at flat indices
  ``offset + i`` (``offset + r n + i`` with ``per_row``, axis last).

Non-numpy input (cupy, dask, torch) is sent elsewhere by
:mod:`algdiv.transforms._dispatch` before any of this.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import os

import numpy as np

from ._hadamard import order_permutation, paley_hadamard, split_length
from ._plan import Plan, Problem, Solver, _dtype_name, get_planner
from . import _validate as V
from ._dispatch import NUMPY as _NUMPY, route as _route

__all__ = ["fwht", "ifwht", "fwhtn", "ifwhtn", "WhtPlan", "WhtSolver", "sylvester"]

_KERNELS: dict = {}          # filled by compiled backends, see the module docstring


# ---------------------------------------------------------------------------
# BLAS threads: 1 by default (small GEMMs get much slower with more threads on
# a loaded machine), ``workers`` otherwise.  Only worth the ~10 us for big data.
# ---------------------------------------------------------------------------
_CONTROLLER = []
_WORKERS = contextvars.ContextVar("algdiv_workers", default=None)   # set by the public functions


def _controller():
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
            _CONTROLLER.append(ThreadpoolController())
        except Exception:            # threadpoolctl missing or unusable: BLAS default
            _CONTROLLER.append(None)
    return _CONTROLLER[0]


def blas_threads(size: int, workers=None):
    """Context limiting BLAS to ``workers`` threads (1 when None) for big inputs.

    ``workers=None`` reads the value the calling public function set (default 1).
    """
    if workers is None:
        workers = _WORKERS.get()
    if size < (1 << 15):
        return contextlib.nullcontext()
    ctl = _controller()
    if ctl is None:
        return contextlib.nullcontext()
    w = 1 if workers is None else (workers if workers > 0 else max(1, (os.cpu_count() or 1) + 1 + workers))
    return ctl.limit(limits=w, user_api="blas")


@functools.lru_cache(maxsize=None)
def _sylvester_int(p: int) -> np.ndarray:
    H = np.ones((1, 1), dtype=np.int64)
    while H.shape[0] < p:
        H = np.block([[H, H], [H, -H]])
    H.setflags(write=False)
    return H


def sylvester(p: int, dtype=np.int64) -> np.ndarray:
    """The Sylvester Hadamard matrix of order p = 2^k (``scipy.linalg.hadamard``)."""
    return _sylvester_int(p).astype(dtype)


@functools.lru_cache(maxsize=512)
def _hmat(p: int, dtype: str, scale: float) -> np.ndarray:
    H = _sylvester_int(p).astype(dtype)
    if scale != 1:
        H *= np.asarray(scale, dtype=H.dtype)
    H.setflags(write=False)
    return H


@functools.lru_cache(maxsize=128)
def _mix(m: int, dtype: str, scale: float, transpose: bool) -> np.ndarray:
    H = paley_hadamard(m)
    H = (H.T if transpose else H).astype(dtype)
    if scale != 1:
        H *= np.asarray(scale, dtype=H.dtype)
    H.setflags(write=False)
    return H


def _wht_pow2(x: np.ndarray, scale) -> np.ndarray:
    """``scale * x @ H_p`` for the rows of the C-contiguous real (M, p) block x."""
    M, p = x.shape
    dt = x.dtype.str
    if p == 1:
        return x * x.dtype.type(scale) if scale != 1 else x.copy()
    if p <= 64:
        return np.matmul(x, _hmat(p, dt, scale))
    k = p.bit_length() - 1
    radices = [4] * (k // 4) + ([k % 4] if k % 4 else [])
    a = x
    for i, r in enumerate(radices):
        R = 1 << r
        # fastest digit transformed and rotated to the slowest position of each row
        a = np.matmul(_hmat(R, dt, scale if i == 0 else 1), a.reshape(M, -1, R).transpose(0, 2, 1))
    return a.reshape(M, p)


def _wht_real(x: np.ndarray, m: int, scale, transpose: bool) -> np.ndarray:
    """``(H_m (x) H_p)`` (``H_m^T`` if transpose) times each row, scaled; x real (M, m p)."""
    if m == 1:
        return _wht_pow2(x, scale)
    M, n = x.shape
    p = n // m
    z = _wht_pow2(x.reshape(M * m, p), 1).reshape(M, m, p)
    y = np.matmul(_mix(m, x.dtype.str, scale, transpose), z)
    return y.reshape(M, n)


def wht_rows(x: np.ndarray, m: int, scale, transpose: bool = False) -> np.ndarray:
    """Natural-order WHT of the rows of a C-contiguous (M, n) block, any supported dtype."""
    if x.dtype.kind == "c":
        yr = _wht_real(np.ascontiguousarray(x.real), m, scale, transpose)
        yi = _wht_real(np.ascontiguousarray(x.imag), m, scale, transpose)
        y = np.empty(x.shape, dtype=x.dtype)
        y.real = yr
        y.imag = yi
        return y
    return _wht_real(x, m, scale, transpose)


def norm_scale(norm: str, n: int, inverse: bool) -> float:
    """Scale factor of the forward (or inverse) transform under scipy's ``norm``."""
    if norm == "ortho":
        return 1.0 / np.sqrt(n)
    if (norm == "backward") == inverse:
        return 1.0 / n
    return 1.0


# ---------------------------------------------------------------------------
# plan and solver
# ---------------------------------------------------------------------------
class WhtPlan(Plan):
    """WHT of length m 2^k in any order (numpy gemm16 kernel)."""

    solver = "wht-gemm16"

    def __init__(self, problem: Problem):
        n = problem.n
        self.m, self.p = split_length(n)
        perm = order_permutation(n, problem.order)
        self.perm = perm
        self.iperm = None if perm is None else np.argsort(perm)
        ops = self.flops(n, self.m, self.p) + (n if perm is not None else 0)
        super().__init__(problem, ops)

    @staticmethod
    def flops(n, m, p):
        if p <= 64:
            per = 2 * p
        else:
            k = p.bit_length() - 1
            per = sum(2 << r for r in [4] * (k // 4) + ([k % 4] if k % 4 else []))
        return n * per + (2 * m * n if m > 1 else 0)

    @property
    def inv_in_dtype(self):
        return np.dtype(np.float64) if self.in_dtype.kind == "i" else self.in_dtype

    def _execute(self, x, inverse, overwrite):
        with blas_threads(x.size):
            return self._run_rows(x, inverse)

    def _run_rows(self, x, inverse):
        prob = self.problem
        n = prob.n
        if not inverse:
            y = wht_rows(x, self.m, norm_scale(prob.norm, n, False))
            if self.perm is not None:
                y = np.take(y, self.perm, axis=1)
            return y
        if self.iperm is not None:
            x = np.take(x, self.iperm, axis=1)
        return wht_rows(x, self.m, norm_scale(prob.norm, n, True), transpose=True)

    def matrix(self):
        # the definition is exact in integers: build it there, then scale
        H = sylvester(self.p)
        if self.m > 1:
            H = np.kron(paley_hadamard(self.m), H)
        if self.perm is not None:
            H = H[self.perm]
        if self.in_dtype.kind == "i":
            return H
        return (H * norm_scale(self.problem.norm, self.problem.n, False)).astype(self.in_dtype)


class WhtSolver(Solver):
    name = "wht-gemm16"
    kinds = ("wht",)
    priority = 0
    accepts = ("n = 2^k, or m*2^k with m in {12, 20, 28} in natural order; float32, float64, "
               "complex64, complex128, or int64 with norm='backward'")

    def applicable(self, problem):
        mk = split_length(problem.n)
        if mk is None or (mk[0] > 1 and problem.order != "natural"):
            return False
        dt = np.dtype(problem.dtype)
        if dt.name in ("float32", "float64", "complex64", "complex128"):
            return True
        return dt.name == "int64" and problem.norm == "backward"

    def make_plan(self, problem, planner):
        return WhtPlan(problem)


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------
def _work_dtype(x, integer_exact: bool):
    kind = x.dtype.kind
    if kind in "iu":
        return np.dtype(np.int64) if integer_exact else np.dtype(np.float64)
    if x.dtype == np.float16:
        return np.dtype(np.float32)
    return x.dtype


def _check_int_range(x, factor, name="x"):
    if not V.int_fits(x, factor):
        raise ValueError(
            f"Argument '{name}' would overflow int64 in an exact transform: max|x| * {factor} "
            f"exceeds {V.INT64_MAX}; convert it to float64 first (x.astype(np.float64)).")


_IN_PLACE_CHARS = frozenset("fdFD")       # float32/64, complex64/128: the result dtype is x's


def _in_place_ok(x):
    """overwrite_x=True may write the result into ``x`` itself (same dtype, C order, writeable)."""
    return (type(x) is np.ndarray and x.ndim > 0 and x.dtype.char in _IN_PLACE_CHARS
            and x.dtype.isnative and x.flags.c_contiguous and x.flags.writeable and x.flags.aligned)


def _fast(x, axis, norm, order, out, plan, inverse):
    """The compiled fast path, or None when it does not apply."""
    kern = _KERNELS.get("wht")
    if (kern is None or plan is not None or out is not None or order != "natural"
            or type(x) is not np.ndarray or x.ndim == 0):
        return None
    if (type(axis) is not int or (axis != -1 and axis != x.ndim - 1) or x.dtype.char not in "fd"
            or not x.dtype.isnative or not x.flags.c_contiguous):
        return None
    n = x.shape[-1]
    if n < 1 or n & (n - 1) or norm not in ("backward", "ortho", "forward"):
        return None
    return kern, n


_MEMO: dict = {}


def _wht_plan(n, dtype, order, norm):
    """Planner lookup with a lock-free memo in front (kept valid by the planner's generation)."""
    planner = get_planner()
    key = (n, dtype, order, norm)
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is planner and hit[1] == planner.generation:
        return hit[2]
    gen = planner.generation
    p = planner.plan(Problem("wht", n, _dtype_name(dtype), order, norm))
    if len(_MEMO) > 1024:
        _MEMO.clear()
    _MEMO[key] = (planner, gen, p)
    return p


def _wht_call(x, axis, norm, order, overwrite_x, workers, out, plan, inverse):
    x = V.as_array(x)
    ax = V.as_axis(axis, x.ndim)
    norm = V.as_norm(norm)
    order = V.as_order(order)
    workers = V.as_workers(workers)
    overwrite_x = V.as_flag(overwrite_x, "overwrite_x")
    n = x.shape[ax]
    V.wht_length(n, axis, order)
    exact = x.dtype.kind in "iu" and norm == "backward" and not inverse
    dtype = _work_dtype(x, exact)
    V.check_view_result(x, dtype.itemsize, "ifwht" if inverse else "fwht")
    if exact:
        _check_int_range(x, n)
    if plan is None:
        p = _wht_plan(n, dtype, order, norm)
    else:
        p = V.as_plan(plan, Problem("wht", n, _dtype_name(dtype), order, norm))
    res_dtype = np.dtype(np.float64) if (inverse and dtype.kind == "i") else dtype
    out = V.as_out(out, x.shape, res_dtype)
    token = _WORKERS.set(workers) if workers is not None else None
    try:
        if inverse:
            return p.apply_inverse(x, ax, out, overwrite_x=overwrite_x)
        return p.apply(x, ax, out, overwrite_x=overwrite_x)
    finally:
        if token is not None:
            _WORKERS.reset(token)


def fwht(x, axis=-1, norm="backward", order="natural", overwrite_x=False, workers=None, *,
         out=None, plan=None):
    r"""Fast Walsh-Hadamard transform along one axis.

    Parameters
    ----------
    x : array_like
        Input; float32, float64, complex64, complex128 (preserved) or integer.
        Its length ``n`` along ``axis`` must be ``2^k`` or ``m * 2^k`` with
        m in {12, 20, 28}.  A cupy array (or CUDA torch tensor) runs on the
        GPU, a dask array chunk by chunk and a CPU torch tensor comes back as
        a tensor (:mod:`algdiv.transforms._dispatch`).
    axis : int, optional
        Axis to transform (default last).  Any batch shape and strides.
    norm : {"backward", "ortho", "forward"}, optional
        scipy.fft's normalisation: "backward" (default) leaves the forward
        transform unscaled, "ortho" scales by :math:`1/\sqrt n` (the matrix is
        orthonormal), "forward" by :math:`1/n`.  ``None`` means "backward".
    order : {"natural", "sequency", "dyadic"}, optional
        Output order: natural (Sylvester/Hadamard, ``scipy.linalg.hadamard``),
        sequency (Walsh: output k has k sign changes) or dyadic (Paley: output
        k is natural output ``bitreverse(k)``).  Lengths ``m * 2^k`` with
        m > 1 take natural order only.
    overwrite_x : bool, optional
        Allow the input's memory to be reused (it is never modified otherwise).
        For a C-ordered, writeable float32/float64/complex64/complex128 ``x``
        the transform then runs in place and returns ``x`` itself (one sweep
        over memory fewer than a copy).
    workers : int, optional
        Threads for the kernel (numpy path: BLAS threads; default 1).
    out : ndarray, optional
        Receives the result; must have ``x``'s shape and the result dtype.
    plan : Plan, optional
        A plan from ``plan(Problem("wht", n, dtype, order, norm))``; must
        match the call (ValueError otherwise).

    Returns
    -------
    ndarray
        Same shape; same dtype for floating input.  Integer input with
        ``norm="backward"`` gives exact int64 (refused up front if
        ``max|x| * n`` does not fit); other norms give float64.

    Raises
    ------
    TypeError
        For bool, object, string or long-double input.
    ValueError
        For an unsupported length, axis, norm, order, ``out`` or ``plan``.

    See Also
    --------
    ifwht, fwhtn, hd

    Notes
    -----
    For :math:`n = 2^k` (natural order, ``norm="backward"``)

    .. math:: y_j = \sum_{i=0}^{n-1} (-1)^{\langle i, j\rangle} x_i ,

    with :math:`\langle i, j\rangle` the number of common one bits, i.e.
    ``y = H_n @ x`` with ``H_n = scipy.linalg.hadamard(n)``.  For
    :math:`n = m 2^k` the transform is :math:`(H_m \otimes H_{2^k}) x` with x
    viewed as an ``(m, 2^k)`` array and :math:`H_m` the Paley Hadamard
    matrix of :func:`algdiv.transforms.paley_hadamard`.  With ``norm="ortho"``
    the matrix :math:`A` satisfies :math:`A A^T = I`.

    References
    ----------
    K. G. Beauchamp, *Applications of Walsh and Related Functions*, Academic
    Press, 1984.  R. E. A. C. Paley, J. Math. Phys. 12 (1933) 311-320,
    doi:10.1002/sapm1933121311.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import fwht, ifwht
    >>> fwht(np.array([1, 0, 1, 0]))
    array([2, 2, 0, 0])
    >>> fwht(np.array([1.0, 2.0, 3.0, 4.0]), norm="ortho")
    array([ 5., -1., -2.,  0.])
    >>> fwht(np.array([1.0, 2.0, 3.0, 4.0]), order="sequency")
    array([10., -4.,  0., -2.])
    >>> ifwht(fwht(np.arange(8.0)))
    array([0., 1., 2., 3., 4., 5., 6., 7.])
    """
    if overwrite_x is not False:             # the default costs one identity test
        if overwrite_x is not True:
            overwrite_x = V.as_flag(overwrite_x, "overwrite_x")
        if overwrite_x and out is None and _in_place_ok(x):
            out = x               # the caller lets us destroy x: transform it in place
    if type(x) is not np.ndarray:     # torch, cupy, dask (before the C call: torch.compile)
        r = _route("fwht", fwht, x, dict(axis=axis, norm=norm, order=order,
                   overwrite_x=overwrite_x, workers=workers, out=out, plan=plan))
        if r is not _NUMPY:
            return r
    call = _KERNELS.get("wht_call")
    if call is not None:
        y = call(x, axis, norm, order, out, plan, workers, False)
        if y is not NotImplemented:
            return y
    if type(x) is np.ndarray:
        f = _fast(x, axis, norm, order, out, plan, False)
        if f is not None:
            kern, n = f
            y = kern(x.reshape(-1, n), norm_scale(norm, n, False), workers)
            return y.reshape(x.shape)
    return _wht_call(x, axis, norm, order, overwrite_x, workers, out, plan, False)


def ifwht(x, axis=-1, norm="backward", order="natural", overwrite_x=False, workers=None, *,
          out=None, plan=None):
    r"""Inverse fast Walsh-Hadamard transform along one axis.

    Takes coefficients in ``order`` and returns ``A^{-1} x`` where ``A`` is
    :func:`fwht`'s matrix: for :math:`n = 2^k`, ``H_n x / n`` with
    ``norm="backward"``; for :math:`n = m 2^k` it uses :math:`H_m^T`.
    Parameters, returns and errors as :func:`fwht`; integer input gives float64.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import fwht, ifwht
    >>> x = np.arange(12.0)
    >>> bool(np.allclose(ifwht(fwht(x)), x))
    True
    >>> ifwht(np.array([10.0, -4.0, 0.0, -2.0]), order="walsh")
    array([1., 2., 3., 4.])
    """
    if overwrite_x is not False:             # the default costs one identity test
        if overwrite_x is not True:
            overwrite_x = V.as_flag(overwrite_x, "overwrite_x")
        if overwrite_x and out is None and _in_place_ok(x):
            out = x               # the caller lets us destroy x: transform it in place
    if type(x) is not np.ndarray:     # torch, cupy, dask (before the C call: torch.compile)
        r = _route("ifwht", ifwht, x, dict(axis=axis, norm=norm, order=order,
                   overwrite_x=overwrite_x, workers=workers, out=out, plan=plan))
        if r is not _NUMPY:
            return r
    call = _KERNELS.get("wht_call")
    if call is not None:
        y = call(x, axis, norm, order, out, plan, workers, True)
        if y is not NotImplemented:
            return y
    if type(x) is np.ndarray:
        f = _fast(x, axis, norm, order, out, plan, True)
        if f is not None:
            kern, n = f
            y = kern(x.reshape(-1, n), norm_scale(norm, n, True), workers)
            return y.reshape(x.shape)
    return _wht_call(x, axis, norm, order, overwrite_x, workers, out, plan, True)


def _whtn(x, axes, norm, order, overwrite_x, workers, out, inverse):
    x = V.as_array(x)
    axes = V.as_axes(axes, x.ndim)
    norm = V.as_norm(norm)
    order = V.as_order(order)
    workers = V.as_workers(workers)
    overwrite_x = V.as_flag(overwrite_x, "overwrite_x")
    total = 1
    for a in axes:
        V.wht_length(x.shape[a], a, order)
        total *= x.shape[a]
    exact = x.dtype.kind in "iu" and norm == "backward" and not inverse
    res_dtype = _work_dtype(x, exact)
    V.check_view_result(x, res_dtype.itemsize, "ifwhtn" if inverse else "fwhtn")
    if exact:
        _check_int_range(x, total)
    out = V.as_out(out, x.shape, res_dtype)
    y = x
    call = ifwht if inverse else fwht
    for i, a in enumerate(axes):
        y = call(y, axis=a, norm=norm, order=order, overwrite_x=overwrite_x or i > 0, workers=workers)
    if not axes:
        y = y.astype(res_dtype, copy=True)
    if out is not None:
        np.copyto(out, y)
        return out
    return y


def fwhtn(x, axes=None, norm="backward", order="natural", overwrite_x=False, workers=None, *,
          out=None):
    r"""N-dimensional FWHT: :func:`fwht` along each of ``axes`` (all axes by default).

    The matrix is the Kronecker product of the per-axis matrices.  Integer
    input with ``norm="backward"`` is exact int64 (refused if
    ``max|x| * prod(n_axes)`` does not fit).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import fwhtn
    >>> fwhtn(np.array([[1, 0], [0, 0]]))
    array([[1, 1],
           [1, 1]])
    """
    if type(x) is not np.ndarray:
        r = _route("fwhtn", fwhtn, x, dict(axes=axes, norm=norm, order=order,
                   overwrite_x=overwrite_x, workers=workers, out=out))
        if r is not _NUMPY:
            return r
    return _whtn(x, axes, norm, order, overwrite_x, workers, out, False)


def ifwhtn(x, axes=None, norm="backward", order="natural", overwrite_x=False, workers=None, *,
           out=None):
    """Inverse of :func:`fwhtn`.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import fwhtn, ifwhtn
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> bool(np.allclose(ifwhtn(fwhtn(x)), x))
    True
    """
    if type(x) is not np.ndarray:
        r = _route("ifwhtn", ifwhtn, x, dict(axes=axes, norm=norm, order=order,
                   overwrite_x=overwrite_x, workers=workers, out=out))
        if r is not _NUMPY:
            return r
    return _whtn(x, axes, norm, order, overwrite_x, workers, out, True)

