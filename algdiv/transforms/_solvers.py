"""numpy/scipy solvers for every kind except "wht" (see ``_wht.py``).

Each plan's matrix is the *analysis* matrix A (``apply`` computes ``A x``).
"""
from __future__ import annotations

import math

import numpy as np
import scipy.fft as sfft

from ._plan import Plan, Solver
from ._wht import blas_threads

__all__ = [
    "HaarPlan", "DftPlan", "RdftPlan", "DctPlan", "HelmertPlan", "KronPlan", "DensePlan",
    "IdentityPlan", "ReedMullerPlan", "ArithmeticPlan", "NUMPY_SOLVERS",
]


def _is_pow2(n):
    return n >= 1 and n & (n - 1) == 0


def _log2(n):
    return max(1, math.ceil(math.log2(max(n, 2))))


_REAL = ("float32", "float64")
_FLOATS = ("float32", "float64", "complex64", "complex128")


# ---------------------------------------------------------------------------
# Haar
# ---------------------------------------------------------------------------
class HaarPlan(Plan):
    """Haar transform, coarse-to-fine ``[cA_k, cD_k, ..., cD_1]`` (pywt.wavedec order).

    Level l maps each pair ``(a, b)`` to ``c (a + b)`` (approximation) and
    ``c (a - b)`` (detail), with ``c = 1/sqrt(2)`` for ``norm="ortho"``,
    ``c = 1`` for "backward" and ``c = 1/2`` for "forward"; the inverse uses the
    matching scale so that ``apply_inverse(apply(x)) == x``.
    """

    solver = "haar-pyramid"

    def __init__(self, problem):
        super().__init__(problem, 3 * problem.n)

    @property
    def inv_in_dtype(self):
        return np.dtype(np.float64) if self.in_dtype.kind == "i" else self.in_dtype

    def _c(self, inverse):
        norm = self.problem.norm
        if norm == "ortho":
            return 1 / math.sqrt(2)
        return 0.5 if (norm == "forward") != inverse else 1

    def _execute(self, x, inverse, overwrite):
        M, n = x.shape
        if inverse:
            return self._inverse(x)
        c = self._c(False)
        y = np.empty_like(x)
        a = x
        length = n
        while length > 1:
            pairs = a.reshape(M, length // 2, 2)
            e, o = pairs[:, :, 0], pairs[:, :, 1]
            s = e + o
            d = y[:, length // 2:length]
            np.subtract(e, o, out=d)
            if c != 1:
                s *= c
                d *= c
            a = s
            length //= 2
        y[:, :1] = a
        return y

    def _inverse(self, y):
        M, n = y.shape
        c = self._c(True)
        a = y[:, :1].copy()
        length = 1
        while length < n:
            d = y[:, length:2 * length]
            nxt = np.empty((M, 2 * length), dtype=a.dtype)
            np.add(a, d, out=nxt[:, 0::2])
            np.subtract(a, d, out=nxt[:, 1::2])
            if c != 1:
                nxt *= c
            a = nxt
            length *= 2
        return a


class HaarSolver(Solver):
    name = "haar-pyramid"
    kinds = ("haar",)
    accepts = "n = 2^k; float32, float64, complex64, complex128, or int64 with norm='backward'"

    def applicable(self, p):
        if not _is_pow2(p.n):
            return False
        return p.dtype in _FLOATS or (p.dtype == "int64" and p.norm == "backward")

    def make_plan(self, p, planner):
        return HaarPlan(p)


# ---------------------------------------------------------------------------
# DFT, real Fourier basis, DCT/DST
# ---------------------------------------------------------------------------
class DftPlan(Plan):
    """``scipy.fft.fft(x, norm=norm)``; real input is promoted to complex."""

    solver = "dft-scipy"

    def __init__(self, problem):
        super().__init__(problem, 5 * problem.n * _log2(problem.n))

    @property
    def in_dtype(self):
        return np.result_type(np.dtype(self.problem.dtype), np.complex64)

    def _execute(self, x, inverse, overwrite):
        f = sfft.ifft if inverse else sfft.fft
        return f(x, axis=-1, norm=self.problem.norm, overwrite_x=overwrite)


class DftSolver(Solver):
    name = "dft-scipy"
    kinds = ("dft",)
    accepts = "any n; float32, float64, complex64, complex128"

    def applicable(self, p):
        return p.dtype in _FLOATS

    def make_plan(self, p, planner):
        return DftPlan(p)


class RdftPlan(Plan):
    r"""Real Fourier basis (orthonormal), via ``rfft``.

    Rows: :math:`1/\sqrt N`; for k = 1..ceil(N/2)-1 the pair
    :math:`\sqrt{2/N}\cos(2\pi k n/N)`, :math:`\sqrt{2/N}\sin(2\pi k n/N)`;
    then :math:`(-1)^n/\sqrt N` for even N.
    """

    solver = "rdft-scipy"

    def __init__(self, problem):
        super().__init__(problem, 3 * problem.n * _log2(problem.n))

    def _execute(self, x, inverse, overwrite):
        M, N = x.shape
        K = (N + 1) // 2            # number of cos/sin pairs is K - 1
        if not inverse:
            X = sfft.rfft(x, axis=-1)
            y = np.empty_like(x)
            y[:, 0] = X[:, 0].real / math.sqrt(N)
            s = math.sqrt(2.0 / N)
            y[:, 1:2 * K - 1:2] = s * X[:, 1:K].real
            y[:, 2:2 * K - 1:2] = -s * X[:, 1:K].imag
            if N % 2 == 0:
                y[:, N - 1] = X[:, N // 2].real / math.sqrt(N)
            return y
        ctype = np.result_type(x.dtype, np.complex64)
        X = np.zeros((M, N // 2 + 1), dtype=ctype)
        X[:, 0] = x[:, 0] * math.sqrt(N)
        s = math.sqrt(N / 2.0)
        X[:, 1:K].real = s * x[:, 1:2 * K - 1:2]
        X[:, 1:K].imag = -s * x[:, 2:2 * K - 1:2]
        if N % 2 == 0:
            X[:, N // 2] = x[:, N - 1] * math.sqrt(N)
        return sfft.irfft(X, n=N, axis=-1).astype(x.dtype, copy=False)


class RdftSolver(Solver):
    name = "rdft-scipy"
    kinds = ("rdft",)
    accepts = "any n; float32, float64; norm='ortho'"

    def applicable(self, p):
        return p.dtype in _REAL

    def make_plan(self, p, planner):
        return RdftPlan(p)


class DctPlan(Plan):
    """``scipy.fft.dct``/``dst`` of the given type (orthogonalized for norm="ortho")."""

    solver = "dct-scipy"

    def __init__(self, problem):
        super().__init__(problem, 3 * problem.n * _log2(problem.n))
        self.type = problem.param("type", 2)
        self.solver = f"{problem.kind}{self.type}-scipy"

    def _execute(self, x, inverse, overwrite):
        p = self.problem
        if p.kind == "dct":
            f = sfft.idct if inverse else sfft.dct
        else:
            f = sfft.idst if inverse else sfft.dst
        orth = p.norm == "ortho"
        return f(x, type=self.type, axis=-1, norm=p.norm, overwrite_x=overwrite, orthogonalize=orth)


class DctSolver(Solver):
    name = "dct-scipy"
    kinds = ("dct", "dst")
    accepts = "params type in 1..4 (n >= 2 for DCT-I); float32, float64, complex64, complex128"

    def applicable(self, p):
        t = p.param("type", 2)
        if t not in (1, 2, 3, 4) or p.dtype not in _FLOATS:
            return False
        return not (p.kind == "dct" and t == 1 and p.n < 2)

    def make_plan(self, p, planner):
        return DctPlan(p)


# ---------------------------------------------------------------------------
# Helmert
# ---------------------------------------------------------------------------
class HelmertPlan(Plan):
    r"""``scipy.linalg.helmert(n, full=True)`` in O(n) via cumulative sums.

    Row 0 is :math:`1/\sqrt n`; row i >= 1 has :math:`1/\sqrt{i(i+1)}` in
    columns 0..i-1 and :math:`-i/\sqrt{i(i+1)}` in column i.
    """

    solver = "helmert-cumsum"

    def __init__(self, problem):
        super().__init__(problem, 4 * problem.n)
        i = np.arange(1, problem.n, dtype=np.float64)
        self._w = 1.0 / np.sqrt(i * (i + 1))

    def _execute(self, x, inverse, overwrite):
        M, n = x.shape
        w = self._w.astype(x.real.dtype)
        idx = np.arange(1, n, dtype=w.dtype)
        y = np.empty_like(x)
        if not inverse:
            cs = np.cumsum(x, axis=-1)
            y[:, 0] = cs[:, -1] / np.sqrt(x.real.dtype.type(n))
            y[:, 1:] = (cs[:, :-1] - idx * x[:, 1:]) * w
            return y
        t = x[:, 1:] * w                                 # weights of rows 1..n-1
        tail = np.cumsum(t[:, ::-1], axis=-1)[:, ::-1]    # tail[:, j-1] = sum_{i >= j} t_i
        y[:, :] = (x[:, :1] / np.sqrt(x.real.dtype.type(n)))
        y[:, :-1] += tail
        y[:, 1:] -= idx * t
        return y


class HelmertSolver(Solver):
    name = "helmert-cumsum"
    kinds = ("helmert",)
    accepts = "any n; float32, float64, complex64, complex128; norm='ortho'"

    def applicable(self, p):
        return p.dtype in _FLOATS

    def make_plan(self, p, planner):
        return HelmertPlan(p)


# ---------------------------------------------------------------------------
# Kronecker products, dense, identity
# ---------------------------------------------------------------------------
class KronPlan(Plan):
    """``A = A_1 (x) A_2 (x) ...``: each factor applied along its axis of the reshaped input."""

    solver = "kron"

    def __init__(self, problem, children):
        n = problem.n
        ops = sum((n // c.problem.n) * c.ops for c in children)
        super().__init__(problem, ops, children)
        dt = np.dtype(problem.dtype)
        for c in children:
            dt = np.result_type(dt, c.out_dtype)
        self._out = dt

    @property
    def out_dtype(self):
        return self._out

    @property
    def inv_in_dtype(self):
        return self._out

    def _execute(self, x, inverse, overwrite):
        M = x.shape[0]
        shape = (M,) + tuple(c.problem.n for c in self.children)
        a = x.reshape(shape)
        for i, c in enumerate(self.children):
            f = c.apply_inverse if inverse else c.apply
            a = f(a, axis=i + 1, overwrite_x=overwrite or i > 0)
        return np.ascontiguousarray(a).reshape(M, -1)

    def describe(self):
        inner = "".join(" " + c.describe() for c in self.children)
        return f"(kron {self.problem.n}{inner})"


class KronSolver(Solver):
    name = "kron"
    kinds = ("kron",)
    accepts = "children that can each be planned"

    def make_plan(self, p, planner):
        children = [planner.plan(c) for c in p.children]
        return KronPlan(p, children)


class DensePlan(Plan):
    """An explicit matrix ``A`` given at plan time (``apply_inverse`` solves with its LU)."""

    solver = "dense-gemm"

    def __init__(self, problem, matrix):
        super().__init__(problem, 2 * problem.n * problem.n)
        dt = np.result_type(np.dtype(problem.dtype), matrix.dtype, np.float32)
        self._A = np.array(matrix, dtype=dt)
        self._A.setflags(write=False)
        self._lu = None

    @property
    def in_dtype(self):
        return np.result_type(np.dtype(self.problem.dtype), np.float32) \
            if self._A.dtype.kind != "c" else self._A.dtype

    @property
    def out_dtype(self):
        return self._A.dtype

    def _execute(self, x, inverse, overwrite):
        if not inverse:
            with blas_threads(x.size * self.problem.n // 16):
                return x @ self._A.T
        import warnings

        import scipy.linalg as sl
        if self._lu is None:
            with warnings.catch_warnings():      # singularity is reported as a ValueError below
                warnings.simplefilter("ignore", sl.LinAlgWarning)
                self._lu = sl.lu_factor(self._A)
            if np.any(np.diag(self._lu[0]) == 0):
                raise ValueError(f"the matrix of plan {self.problem} is singular; it has no inverse.")
        return sl.lu_solve(self._lu, x.T).T

    def matrix(self):
        return self._A.copy()


class DenseSolver(Solver):
    name = "dense-gemm"
    kinds = ("dense",)
    accepts = "a square numeric matrix given with plan(..., matrix=M)"

    def make_plan(self, p, planner, matrix=None):
        if matrix is None:
            return None
        return DensePlan(p, np.asarray(matrix))


class IdentityPlan(Plan):
    solver = "identity"

    def __init__(self, problem):
        super().__init__(problem, 0)

    def _execute(self, x, inverse, overwrite):
        return x if overwrite else x.copy()


class IdentitySolver(Solver):
    name = "identity"
    kinds = ("identity",)
    accepts = "any n and dtype"

    def make_plan(self, p, planner):
        return IdentityPlan(p)


# ---------------------------------------------------------------------------
# Reed-Muller (GF(2)) and arithmetic transforms
# ---------------------------------------------------------------------------
def _butterflies(a, op):
    """Apply ``hi = op(hi, lo)`` to every bit of the rows of ``a`` (in place), O(n log n)."""
    M, n = a.shape
    h = 1
    while h < n:
        v = a.reshape(M, n // (2 * h), 2, h)
        op(v[:, :, 1, :], v[:, :, 0, :], out=v[:, :, 1, :])
        h *= 2
    return a


class ReedMullerPlan(Plan):
    r"""Positive-polarity Reed-Muller transform over GF(2): ``a = M_n f mod 2``.

    :math:`M_n = \begin{pmatrix}1&0\\1&1\end{pmatrix}^{\otimes k}`, so
    :math:`M_n[x, s] = 1` iff s is a subset of x (bitwise).  Self-inverse mod 2.
    Input and output are uint8 0/1 arrays.
    """

    solver = "reed-muller-xor"

    def __init__(self, problem):
        super().__init__(problem, (problem.n // 2) * _log2(problem.n))

    @property
    def in_dtype(self):
        return np.dtype(np.uint8)

    def _execute(self, x, inverse, overwrite):
        a = x if overwrite else x.copy()
        np.bitwise_and(a, 1, out=a)
        return _butterflies(a, np.bitwise_xor)


class ReedMullerSolver(Solver):
    name = "reed-muller-xor"
    kinds = ("reed_muller",)
    accepts = "n = 2^k (any integer dtype; computed in uint8)"

    def applicable(self, p):
        return _is_pow2(p.n)

    def make_plan(self, p, planner):
        return ReedMullerPlan(p)


class ArithmeticPlan(Plan):
    r"""Arithmetic transform :math:`A_n = \begin{pmatrix}1&0\\-1&1\end{pmatrix}^{\otimes k} = M_n^{-1}`.

    With ``params (("inverse", True),)`` the plan's matrix is :math:`M_n`
    itself (over the integers): :math:`f(x) = \sum_{s \subseteq x} a_s`.
    Exact in int64; float dtypes allowed.
    """

    solver = "arithmetic-butterfly"

    def __init__(self, problem):
        super().__init__(problem, (problem.n // 2) * _log2(problem.n))
        self.inverse = bool(problem.param("inverse", False))

    def _execute(self, x, inverse, overwrite):
        a = x if overwrite else x.copy()
        sub = self.inverse == inverse          # forward A_n subtracts; M_n adds
        return _butterflies(a, np.subtract if sub else np.add)


class ArithmeticSolver(Solver):
    name = "arithmetic-butterfly"
    kinds = ("arithmetic",)
    accepts = "n = 2^k; int64, float32, float64, complex64, complex128"

    def applicable(self, p):
        return _is_pow2(p.n) and (p.dtype in _FLOATS or p.dtype == "int64")

    def make_plan(self, p, planner):
        return ArithmeticPlan(p)


NUMPY_SOLVERS = [
    HaarSolver(), DftSolver(), RdftSolver(), DctSolver(), HelmertSolver(), KronSolver(),
    DenseSolver(), IdentitySolver(), ReedMullerSolver(), ArithmeticSolver(),
]
