"""Group-invariant Gram matrices on lattices and digital nets in O(n log n)."""
from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.fft

from ..transforms import fwht, ifwht
from ..transforms._fftbr import bitrev_permutation
from ._kernels import DIGITS

__all__ = ["FastGram", "detect_structure"]  # _merge_halves is shared with _gp

# A lattice point may be off frac(k g / n + x_0) by rounding only. Digital nets are
# compared on their leading 30 binary digits: points made with more than 53 digits
# (QMCPy's default t = 63) are rounded when stored as float64, and a carry can flip
# a run of trailing digits (changing kernel values by about 2^-30 relative at most).
_LATTICE_ATOL = 1e-10
_DIGITAL_SLACK = 1 << (DIGITS - 30)
_N_PAIRS = 48
_EPS = float(np.finfo(np.float64).eps)


def _is_pow2(n):
    return n >= 1 and not n & (n - 1)


def _as_points(points, name="points"):
    x = np.asarray(points)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"Argument '{name}' must be a real array, not dtype {x.dtype}.")
    x = x.astype(np.float64, copy=False)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"Argument '{name}' must be a 2-d array of shape (n, d) with n, d >= 1, not shape {x.shape}.")
    bad = ~((x >= 0) & (x < 1))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"Argument '{name}' must lie in [0, 1); found {float(x[i, j])!r} at row {i}, column {j}."
        )
    return x


def _merge_halves(a, b, n, kind):
    """Spectrum of [u, v] (length 2n) from the spectra a of u and b of v, in O(n).

    Digital: Walsh spectra, [a + b, a - b]. Lattice: rfft half-spectra of the
    bit-reversed halves; returns the rfft half (n + 1 entries) of the doubled
    sequence, a + w b with w_k = exp(-i pi k / n) (decimation in time).
    """
    if kind == "digital":
        return np.concatenate([a + b, a - b])
    k = np.arange(n + 1)
    kk = k % n
    sym = np.minimum(kk, n - kk)

    def full(h):  # entries kk of the full Hermitian spectrum from the rfft half
        h = np.asarray(h)[sym]
        return np.where(kk > n // 2, np.conj(h), h)

    return full(a) + np.exp(-1j * np.pi * k / n) * full(b)


class _Structure:
    """A point set recognized as a group orbit: how indices combine."""

    def __init__(self, kind, n, order, generator=None, note=""):
        self.kind = kind              # "lattice" | "digital"
        self.n = n
        self.order = order            # lattice: "linear" | "radical"; digital: "natural/gray"
        self.generator = generator    # lattice: generating vector g (int64)
        self.note = note

    def combine(self, i, j):
        """Index r with K[i, j] = K[r, 0] for an invariant kernel."""
        n = self.n
        if self.kind == "digital":
            return i ^ j
        if self.order == "linear":
            return (i - j) % n
        br = bitrev_permutation(n)
        return br[(br[i] - br[j]) % n]

    def __repr__(self):
        if self.kind == "digital":
            return f"base-2 digital net of {self.n} points (natural or Gray-code order)"
        return f"rank-1 lattice of {self.n} points in {self.order} order, g = {self.generator.tolist()}"


def _lattice_mismatch(x, idx, g, n, rows):
    """Rows (of ``rows``) whose point is not frac(idx g / n + x_0), by rounding at most."""
    k = idx[rows, None] * g[None, :]
    k = k & (n - 1) if _is_pow2(n) else k % n
    diff = x[rows] - x[0] - k * (1.0 / n)
    diff -= np.rint(diff)
    return np.abs(diff) > _LATTICE_ATOL


def _check_lattice(x, order):
    n, d = x.shape
    if order == "radical" and not _is_pow2(n):
        return None, f"n = {n} is not a power of 2 (needed for radical-inverse order)"
    if n == 1:
        return _Structure("lattice", 1, order, np.zeros(d, dtype=np.int64)), ""
    idx = np.arange(n, dtype=np.int64) if order == "linear" else bitrev_permutation(n).astype(np.int64)
    k1 = 1 if order == "linear" else n // 2
    h = ((x[k1] - x[0]) % 1.0) * n
    g = np.rint(h).astype(np.int64) % n
    if np.max(np.abs(h - np.rint(h))) > n * _LATTICE_ATOL:
        return None, f"point {k1} - point 0 is not a multiple of 1/n"
    chunks = [slice(lo, min(n, lo + (1 << 16))) for lo in range(0, n, 1 << 16)]
    if n > 4096:                                                 # fail fast on a few points
        chunks.insert(0, np.unique(np.array([2, 3, n // 3, n - 1])))
    for rows in chunks:                                         # chunks bound the temporaries
        bad = _lattice_mismatch(x, idx, g, n, rows)
        if bad.any():
            i = int(np.arange(n)[rows][np.nonzero(bad.any(axis=1))[0][0]])
            return None, f"point {i} is not frac(k g/n + x_0) with g = {g.tolist()}"
    return _Structure("lattice", n, order, g), ""


def _check_digital(x):
    n, d = x.shape
    if not _is_pow2(n):
        return None, f"n = {n} is not a power of 2"
    ints = np.ldexp(x, DIGITS).astype(np.uint64)
    v = np.bitwise_xor(ints, ints[0], out=ints)
    expect = np.empty_like(v)
    expect[0] = 0
    for b in range(n.bit_length() - 1):
        h = 1 << b
        np.bitwise_xor(expect[:h], v[h], out=expect[h:2 * h])
    np.bitwise_xor(expect, v, out=expect)
    if expect.max() >= _DIGITAL_SLACK:                   # a difference in the leading 30 digits
        bad = (expect >= np.uint64(_DIGITAL_SLACK)).any(axis=1)
        i = int(np.nonzero(bad)[0][0])
        count = int(bad.sum())
        first = DIGITS - int(expect.max()).bit_length() + 1   # leading digit that differs
        if count <= max(1, n // 64) and first >= 12:   # rounded many-digit points
            return None, (f"{count} of {n} points break the XOR structure only from binary digit {first} on "
                          f"(first: point {i}): float64 rounding of points made with more than 53 digits "
                          "(e.g. QMCPy's default t=63); generate them with at most 52 digits "
                          "(QMCPy: DigitalNetB2(..., t=52))")
        return None, (f"point {i} XOR point 0 is not the XOR of the points 2^b XOR point 0 over the "
                      "bits b of i (the points are not GF(2)-linear in their index, e.g. Owen-scrambled)")
    return _Structure("digital", n, "natural", None), ""


def _candidates(x, kernel):
    """Structure checks, in the order suggested by the kernel's declared invariance."""
    checks = [("lattice, linear order", lambda: _check_lattice(x, "linear")),
              ("lattice, radical-inverse order", lambda: _check_lattice(x, "radical")),
              ("digital net", lambda: _check_digital(x))]
    if getattr(kernel, "invariance", None) == "digital":
        checks = checks[2:] + checks[:2]
    return checks


def _kernel_matches(kernel, x, s, rng):
    """Check k(x_i, x_j) == k(x_r, x_0) == k(x_j, x_i) on random pairs (and a few fixed ones)."""
    n = x.shape[0]
    if n == 1:
        return True, ""
    i = np.concatenate([[1, n - 1, n // 2], rng.integers(0, n, _N_PAIRS)])
    j = np.concatenate([[n - 1, 1, 1], rng.integers(0, n, _N_PAIRS)])
    r = s.combine(i, j)
    p = i.size
    a = np.concatenate([x[i], x[j], x[r], x[:1]])          # one kernel call for every check
    b = np.concatenate([x[j], x[i], np.broadcast_to(x[0], (p, x.shape[1])), x[:1]])
    vals = np.asarray(kernel(a, b), dtype=float)
    if vals.shape != (3 * p + 1,):
        raise ValueError(
            f"Argument 'kernel' must map points of shape (p, d), (p, d) to values of shape (p,), "
            f"not {vals.shape} for p = {3 * p + 1}."
        )
    kij, kji, kr0 = vals[:p], vals[p:2 * p], vals[2 * p:3 * p]
    scale = max(np.max(np.abs(kij)), abs(vals[-1]), 1e-300)
    tol = 1e-8 * scale
    if np.max(np.abs(kij - kji)) > tol:
        q = int(np.argmax(np.abs(kij - kji)))
        return False, (f"the kernel is not symmetric: k(x_{i[q]}, x_{j[q]}) = {kij[q]:.6g} "
                       f"but k(x_{j[q]}, x_{i[q]}) = {kji[q]:.6g}")
    if np.max(np.abs(kij - kr0)) > tol:
        q = int(np.argmax(np.abs(kij - kr0)))
        return False, (f"k(x_{i[q]}, x_{j[q]}) = {kij[q]:.6g} differs from k(x_{r[q]}, x_0) = {kr0[q]:.6g}, "
                       "so the kernel is not invariant under this group")
    return True, ""


def detect_structure(kernel, points, *, rng=0):
    """Find the group under which ``kernel``'s Gram matrix on ``points`` is invariant.

    Returns a short description (see :attr:`FastGram.structure`); raises
    ValueError with the reasons when there is none. O(n d) plus O(1) kernel
    evaluations. See :class:`FastGram` for the checks.

    Examples
    --------
    >>> from algdiv.qmc import detect_structure, lattice, si_kernel
    >>> detect_structure(si_kernel(1), lattice(8, [1, 3]))
    'lattice-linear'
    """
    return FastGram(kernel, points, rng=rng).structure


class FastGram:
    r"""The Gram matrix of an invariant kernel on a lattice or digital net, in O(n log n).

    Parameters
    ----------
    kernel : callable
        ``kernel(x, z)`` broadcasting over leading axes (last axis = dimension),
        e.g. :func:`si_kernel` or :func:`dsi_kernel`; any symmetric kernel with
        the matching invariance is accepted.
    points : array_like, shape (n, d)
        Points in :math:`[0,1)^d`: a rank-1 lattice in linear order (any n) or
        radical-inverse order, or a base-2 digital net in natural or Gray-code
        order (n a power of 2), each possibly (digitally) shifted or linearly
        scrambled.
    nugget : float, optional
        :math:`\eta \ge 0` added to the diagonal: the matrix is :math:`K + \eta I`.
    rng : optional
        Seed for the random pairs of the invariance check (deterministic by
        default).
    workers : int, optional
        Threads for :mod:`scipy.fft`.

    Attributes
    ----------
    n, d : int
    structure : {"lattice-linear", "lattice-radical", "digital"}
    generating_vector : ndarray or None
        :math:`g` of a detected lattice.
    nugget : float

    Raises
    ------
    ValueError
        If the points are not in [0, 1), or form neither a lattice nor a digital
        net, or the kernel's Gram matrix is not invariant under the group they
        carry (e.g. a shift-invariant kernel on a digital net, or Owen-scrambled
        points); the message lists each failed check.

    Notes
    -----
    *Lattice.* If :math:`x_k = \{k g/n + \Delta\}` and :math:`k(x, z)` depends on
    :math:`(x - z) \bmod 1` only, :math:`K_{ij} = \kappa_{(i-j) \bmod n}` is
    circulant: the cyclic group :math:`\mathbb Z_n` acts by :math:`k \mapsto k+1`
    and its matched transform, the DFT, diagonalizes it,
    :math:`\lambda = \mathrm{FFT}(\kappa)`. In radical-inverse order the same
    holds with :func:`~algdiv.transforms.fftbr` (the rows and columns are
    bit-reversed).

    *Digital net.* If :math:`x_i \oplus x_j = x_{i\oplus j} \oplus x_0` and
    :math:`k(x, z)` depends on :math:`x \oplus z` only, :math:`K_{ij} = \kappa_{i\oplus j}`:
    the group :math:`\mathbb Z_2^m` acts by XOR and the Walsh-Hadamard transform
    diagonalizes it, :math:`\lambda = H\kappa`.

    Then :math:`K y = T^{-1}(\lambda \cdot T y)`, :math:`K^{-1} y = T^{-1}(T y / \lambda)`
    and :math:`\log\det K = \sum_k \log\lambda_k`. Detection costs O(n d): the
    point structure is verified for every point (x_k against the formula
    implied by x_0 and the generators), and the kernel's invariance and symmetry
    on about 50 random pairs, :math:`k(x_i, x_j) = k(x_r, x_0)` with
    :math:`r = i - j` or :math:`i \oplus j`.

    References
    ----------
    .. [1] R. Jagadeeswaran and F. J. Hickernell, "Fast automatic Bayesian
       cubature using lattice sampling", Stat. Comput. 29 (2019) 1215-1229,
       doi:10.1007/s11222-019-09895-9.
    .. [2] R. Jagadeeswaran and F. J. Hickernell, "Fast automatic Bayesian
       cubature using Sobol' sampling", in Advances in Modeling and
       Simulation, Springer (2022), doi:10.1007/978-3-031-10193-9_15.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.qmc import FastGram, lattice, si_kernel
    >>> k = si_kernel(alpha=1, weights=0.5)
    >>> x = lattice(16, [1, 7], shift="random", rng=0)
    >>> G = FastGram(k, x)
    >>> G.structure
    'lattice-linear'
    >>> K = k(x[:, None], x[None])
    >>> y = np.arange(16.0)
    >>> bool(np.allclose(G.matvec(y), K @ y)), bool(np.allclose(G.solve(y), np.linalg.solve(K, y)))
    (True, True)
    >>> bool(np.isclose(G.logdet(), np.linalg.slogdet(K)[1]))
    True
    """

    def __init__(self, kernel, points, nugget=0.0, *, rng=0, workers=None):
        self._setup(kernel, nugget, rng, workers)
        x = _as_points(points)
        kd = getattr(kernel, "d", None)
        if kd is not None and kd != x.shape[1]:
            raise ValueError(
                f"Argument 'points' must have dimension {kd} to match the kernel, not {x.shape[1]}."
            )
        self.points = x
        self.n, self.d = x.shape
        self._s = self._detect(kernel, x, np.random.default_rng(rng))
        kappa = np.asarray(kernel(x, x[:1]), dtype=float).reshape(self.n)
        self._lam = self._spectrum(kappa)

    def _setup(self, kernel, nugget, rng, workers):
        if not callable(kernel):
            raise TypeError(f"Argument 'kernel' must be callable k(x, z), not {type(kernel).__name__}.")
        if not isinstance(nugget, numbers.Real) or not nugget >= 0 or not math.isfinite(nugget):
            raise ValueError(f"Argument 'nugget' must be a finite real >= 0, not {nugget!r}.")
        self.kernel = kernel
        self.nugget = float(nugget)
        self.workers = workers
        self._rng_seed = rng

    @classmethod
    def _from_state(cls, kernel, nugget, rng, workers, points, structure, lam):
        """A FastGram from verified points and a computed spectrum (no detection)."""
        self = cls.__new__(cls)
        self._setup(kernel, nugget, rng, workers)
        self.points, self._s, self._lam = points, structure, lam
        self.n, self.d = points.shape
        return self

    # -- detection ------------------------------------------------------------
    @staticmethod
    def _detect(kernel, x, rng):
        reasons = []
        for name, check in _candidates(x, kernel):
            s, why = check()
            if s is None:
                reasons.append(f"{name}: {why}")
                continue
            ok, why = _kernel_matches(kernel, x, s, rng)
            if ok:
                return s
            reasons.append(f"{s!r}: {why}")
        raise ValueError(
            "FastGram needs a kernel whose Gram matrix is invariant under the group the points carry "
            "(shift-invariant kernel on a rank-1 lattice, digitally shift-invariant kernel on a base-2 "
            "digital net); here: " + "; ".join(reasons) + "."
        )

    @property
    def structure(self):
        s = self._s
        return "digital" if s.kind == "digital" else f"lattice-{s.order}"

    @property
    def generating_vector(self):
        return None if self._s.kind == "digital" else self._s.generator.copy()

    def group(self):
        """The permutation group of the indices that leaves the Gram matrix invariant.

        Returns an :class:`algdiv.groups.PermutationGroup` (cyclic of order n
        for a lattice, :math:`\\mathbb Z_2^m` by XOR for a digital net), with
        the action convention of :mod:`algdiv.groups`.
        """
        from ..groups import from_generators

        n = self.n
        idx = np.arange(n)
        if self._s.kind == "digital":
            gens = [idx ^ (1 << b) for b in range(n.bit_length() - 1)]
            name = f"xor(Z_2^{n.bit_length() - 1})"
        elif self._s.order == "linear":
            gens, name = [(idx + 1) % n], f"cyclic({n})"
        else:
            br = bitrev_permutation(n)
            gens, name = [br[(br + 1) % n]], f"bitrev-cyclic({n})"
        return from_generators(np.array(gens, dtype=np.intp).reshape(-1, n), n, name=name)

    # -- spectra ----------------------------------------------------------------
    def _to_linear(self, y):
        if self._s.kind == "lattice" and self._s.order == "radical":
            return np.take(y, bitrev_permutation(self.n), axis=0)
        return y

    _from_linear = _to_linear   # bit reversal is an involution

    def _spectrum(self, kappa):
        """Eigenvalues without nugget: rfft half-spectrum (lattice) or Walsh spectrum."""
        if self._s.kind == "digital":
            return fwht(kappa, axis=0)
        return scipy.fft.rfft(self._to_linear(kappa), workers=self.workers).real

    def _forward(self, y):
        if self._s.kind == "digital":
            return fwht(y, axis=0)
        return scipy.fft.rfft(self._to_linear(y), axis=0, workers=self.workers)

    def _inverse(self, yh):
        if self._s.kind == "digital":
            return ifwht(yh, axis=0)
        return self._from_linear(scipy.fft.irfft(yh, self.n, axis=0, workers=self.workers))

    def _multiplicity(self):
        """How often each stored eigenvalue occurs in the full spectrum."""
        lam = self._lam
        if self._s.kind == "digital":
            return np.ones(lam.size)
        mult = np.full(lam.size, 2.0)
        mult[0] = 1.0
        if self.n % 2 == 0:
            mult[-1] = 1.0
        return mult

    def eigenvalues(self):
        r"""All n eigenvalues of :math:`K + \eta I`, in the transform's order.

        For a lattice entry k belongs to the Fourier mode k (``fft`` order; for
        radical order the ``fftbr`` order, which is the same); for a digital net
        to the Walsh function k (natural Sylvester order). Sort them to compare
        with ``numpy.linalg.eigvalsh``.
        """
        lam = self._lam
        if self._s.kind == "lattice":
            k = np.arange(self.n)
            lam = lam[np.minimum(k, self.n - k)]
        return lam + self.nugget

    def min_eigenvalue(self):
        """Smallest eigenvalue of :math:`K + \\eta I` (O(n))."""
        return float(self._lam.min()) + self.nugget

    def _check_pd(self, what):
        lam = self._lam + self.nugget
        lo, hi = float(lam.min()), float(lam.max())
        # refused at or below the rounding level of the computed spectrum (about eps * lambda_max)
        if not lo > 4 * _EPS * hi:
            raise np.linalg.LinAlgError(
                f"Cannot {what}: the Gram matrix is not (numerically) positive definite; its smallest "
                f"eigenvalue is {lo:.3e} (largest {hi:.3e}). Add a nugget of about {max(abs(lo), 1e-12 * hi) * 10:.0e} "
                "or remove repeated points."
            )
        return lam

    def _as_y(self, y, name):
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != self.n:
            raise ValueError(f"Argument '{name}' must have length {self.n} along axis 0, not shape {y.shape}.")
        if y.dtype.kind == "c":
            return y, True
        if y.dtype.kind not in "iufb":
            raise TypeError(f"Argument '{name}' must be numeric, not dtype {y.dtype}.")
        return y.astype(np.float64, copy=False), False

    def _apply(self, y, lam_factor, name):
        y, cplx = self._as_y(y, name)
        if cplx:
            return self._apply(y.real, lam_factor, name) + 1j * self._apply(y.imag, lam_factor, name)
        f = lam_factor.reshape((-1,) + (1,) * (y.ndim - 1))
        return self._inverse(self._forward(y) * f)

    def matvec(self, y):
        r""":math:`(K + \eta I)\,y` for y of shape (n,) or (n, ...): O(n log n).

        Examples
        --------
        >>> import numpy as np
        >>> from algdiv.qmc import FastGram, sobol, dsi_kernel
        >>> x = sobol(8, 2, rng=1)
        >>> k = dsi_kernel(1)
        >>> y = np.ones(8)
        >>> bool(np.allclose(FastGram(k, x).matvec(y), k(x[:, None], x[None]) @ y))
        True
        """
        return self._apply(y, self._lam + self.nugget, "y")

    def solve(self, y):
        r""":math:`(K + \eta I)^{-1} y`, O(n log n).

        Raises
        ------
        numpy.linalg.LinAlgError
            (a ValueError) if the matrix is not numerically positive definite;
            the message gives the smallest eigenvalue.
        """
        lam = self._check_pd("solve")
        return self._apply(y, 1.0 / lam, "y")

    def logdet(self):
        r""":math:`\log\det(K + \eta I) = \sum_k \log\lambda_k`, O(n)."""
        lam = self._check_pd("take the log-determinant")
        return float(np.sum(self._multiplicity() * np.log(lam)))

    def trace_inverse(self):
        r""":math:`\mathrm{tr}\,(K + \eta I)^{-1} = \sum_k 1/\lambda_k`, O(n)."""
        lam = self._check_pd("invert")
        return float(np.sum(self._multiplicity() / lam))

    def with_nugget(self, nugget):
        """The same Gram matrix with another nugget (no recomputation)."""
        return FastGram._from_state(self.kernel, nugget, self._rng_seed, self.workers,
                                    self.points, self._s, self._lam)

    def double(self, new_points):
        r"""Extend from n to 2n points: one transform of the new half, an O(n) merge.

        Parameters
        ----------
        new_points : array_like, shape (n, d)
            Points n..2n-1 of the extensible sequence: the next half of a
            radical-inverse lattice or of a digital net (natural or Gray order).

        Returns
        -------
        FastGram
            For the 2n points (same kernel and nugget). The structure of all 2n
            points is verified (O(n d)).

        Raises
        ------
        ValueError
            For a lattice in linear order (not extensible: use radical order),
            or if the 2n points are not the doubled lattice or net.

        Notes
        -----
        With :math:`A = T_n(\kappa_{0:n})`, :math:`B = T_n(\kappa_{n:2n})`, the
        doubled spectrum is :math:`[A + \omega B, A - \omega B]` with
        :math:`\omega_k = e^{-\pi i k/n}` (``fftbr``) or :math:`\omega = 1` (FWHT).

        Examples
        --------
        >>> import numpy as np
        >>> from algdiv.qmc import FastGram, lattice, si_kernel
        >>> x = lattice(16, [1, 5], order="radical")
        >>> k = si_kernel(2)
        >>> G8 = FastGram(k, x[:8]).double(x[8:])
        >>> bool(np.allclose(np.sort(G8.eigenvalues()), np.sort(FastGram(k, x).eigenvalues())))
        True
        """
        s = self._s
        if s.kind == "lattice" and s.order == "linear" and self.n > 1:
            raise ValueError(
                "A lattice in linear order cannot be doubled in place (its first n points are not "
                "the even points of the 2n lattice); generate it with order='radical'."
            )
        new = _as_points(new_points, "new_points")
        if new.shape != self.points.shape:
            raise ValueError(f"Argument 'new_points' must have shape {self.points.shape}, not {new.shape}.")
        x = np.concatenate([self.points, new])
        n = self.n
        if s.kind == "digital":
            s2, why = _check_digital(x)
        else:
            s2, why = _check_lattice(x, "radical")
        if s2 is None:
            raise ValueError(f"The {2 * n} points are not a doubled {s!r}: {why}.")
        ok, why = _kernel_matches(self.kernel, x, s2, np.random.default_rng(self._rng_seed))
        if not ok:
            raise ValueError(f"The kernel is not invariant on the {2 * n} points: {why}.")
        kappa_new = np.asarray(self.kernel(new, x[:1]), dtype=float).reshape(n)
        a = self._lam
        if s.kind == "digital":
            lam = _merge_halves(a, fwht(kappa_new), n, "digital")
        else:
            b = scipy.fft.rfft(np.take(kappa_new, bitrev_permutation(n)), workers=self.workers)
            lam = _merge_halves(a, b, n, "lattice").real
        return FastGram._from_state(self.kernel, self.nugget, self._rng_seed, self.workers, x, s2, lam)

    def dense(self):
        """The dense matrix :math:`K + \\eta I` (O(n^2), for tests and small n)."""
        x = self.points
        return np.asarray(self.kernel(x[:, None], x[None]), dtype=float) + self.nugget * np.eye(self.n)

    def __repr__(self):
        return f"FastGram(n={self.n}, d={self.d}, structure={self.structure!r}, nugget={self.nugget!r})"
