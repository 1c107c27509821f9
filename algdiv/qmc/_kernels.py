"""Shift-invariant and digitally shift-invariant product kernels on [0, 1)^d."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._checks import check_array, check_int

__all__ = ["si_kernel", "dsi_kernel", "ProductKernel", "bernoulli_poly"]

#: Digits kept when a point of [0, 1) is read as a binary integer: every float64
#: in [0, 1) with at most 53 fractional binary digits is read exactly.
DIGITS = 53


def _bernoulli_numbers(nmax):
    """Exact B_0..B_nmax (B_1 = -1/2) from the recurrence sum_k C(n+1,k) B_k = 0."""
    b = [Fraction(1)]
    for n in range(1, nmax + 1):
        b.append(-sum(math.comb(n + 1, k) * b[k] for k in range(n)) / (n + 1))
    return b


_BN = _bernoulli_numbers(10)


def _bernoulli_coeffs(n):
    """Coefficients of B_n(t), highest power first (exact fractions)."""
    return [math.comb(n, k) * _BN[k] for k in range(n + 1)]


def bernoulli_poly(n, t):
    r"""Evaluate the Bernoulli polynomial :math:`B_n(t)`, ``0 <= n <= 10``.

    Parameters
    ----------
    n : int
        Degree, 0..10.
    t : array_like
        Points.

    Returns
    -------
    ndarray
        :math:`B_n(t) = \sum_k \binom{n}{k} B_k t^{n-k}` (with :math:`B_1 = -1/2`).

    Examples
    --------
    >>> from algdiv.qmc import bernoulli_poly
    >>> round(float(bernoulli_poly(2, 0.5)), 12)  # t^2 - t + 1/6
    -0.083333333333
    """
    n = check_int(n, "n", min=0, max=10)
    t = check_array(t, "t", dtype_kind="iuf").astype(float)    # NaN propagates, as in numpy
    out = np.zeros_like(t)
    for c in _bernoulli_coeffs(int(n)):
        out = out * t + float(c)
    return out


# K_alpha(t) = (-1)^(alpha+1) (2 pi)^(2 alpha) / (2 alpha)! B_(2 alpha)(t), as float polynomials.
_SI_POLY = {
    a: [(-1) ** (a + 1) * (2 * math.pi) ** (2 * a) / math.factorial(2 * a) * float(c)
        for c in _bernoulli_coeffs(2 * a)]
    for a in range(1, 6)
}


def _si_univariate(alpha, t):
    out = np.full_like(t, _SI_POLY[alpha][0])
    for c in _SI_POLY[alpha][1:]:
        out *= t
        out += c
    return out


def _to_int(x):
    """floor(x 2^53) as uint64 (exact for float64 in [0, 1))."""
    return np.ldexp(x, DIGITS).astype(np.uint64)


def _dsi_univariate(alpha, xi):
    """Order-alpha digital kernel of the XOR ``xi`` (uint64, DIGITS digits)."""
    shape = np.shape(xi)
    xi = np.atleast_1d(xi)
    return _dsi_univariate_1d(alpha, xi).reshape(shape)


def _dsi_univariate_1d(alpha, xi):
    v = np.ldexp(xi.astype(np.float64), -DIGITS)
    zero = xi == 0
    _, e = np.frexp(v)          # v = f 2^e, f in [1/2, 1): first 1-digit at position 1 - e
    beta = (1 - e).astype(np.float64)
    beta[zero] = 0.0
    if alpha == 1:
        out = 1.0 - 3.0 * np.ldexp(1.0, -(1 - e))
        out[zero] = 1.0
        return out
    t1 = np.ldexp(1.0, -(1 - e))
    t1[zero] = 0.0
    if alpha == 2:
        return -beta * v + 2.5 * (1 - t1) - 1
    t2 = t1 * t1
    if alpha == 3:
        return beta * v * v - 5 * (1 - t1) * v + 43 / 18 * (1 - t2) - 1
    t3 = t2 * t1
    # sum_{a>=0} wal_{2^a}(v) / 8^a = sum_a (1 - 2 digit_{a+1}(v)) / 8^a; 19 terms reach 8^-18 < eps.
    walsum = np.zeros_like(v)
    for a in range(19):
        digit = ((xi >> np.uint64(DIGITS - 1 - a)) & np.uint64(1)).astype(np.float64)
        walsum += (1 - 2 * digit) * 8.0 ** (-a)
    return (-2 / 3 * beta * v ** 3 + 5 * (1 - t1) * v * v - 43 / 9 * (1 - t2) * v
            + 701 / 294 * (1 - t3) + beta * (walsum / 48 - 1 / 42) - 1)


def _as_param(value, name, *, integer=False, allowed=None):
    arr = np.asarray(value)
    if arr.ndim > 1:
        raise ValueError(f"Argument '{name}' must be a scalar or a 1-d sequence, not shape {arr.shape}.")
    if integer:
        if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(arr == np.round(arr))):
            raise TypeError(f"Argument '{name}' must hold integers, not {value!r}.")
        arr = arr.astype(int)
        bad = [a for a in np.atleast_1d(arr).tolist() if a not in allowed]
        if bad:
            raise ValueError(f"Argument '{name}' must be in {sorted(allowed)}, not {bad[0]!r}.")
    else:
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"Argument '{name}' must be real numbers, not {value!r}.")
        arr = arr.astype(float)
        if np.any(~np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"Argument '{name}' must be finite and >= 0, not {value!r}.")
    return arr


class ProductKernel:
    r"""A product-weighted (digitally) shift-invariant kernel on :math:`[0,1)^d`.

    .. math::

        k(x, z) = S \prod_{j=1}^d \bigl(1 + \gamma_j \tilde K_{\alpha_j}(x_j \ominus z_j)\bigr),

    with :math:`\ominus` the difference mod 1 (``invariance="shift"``) or the
    bitwise XOR (``invariance="digital"``). Build one with :func:`si_kernel`
    or :func:`dsi_kernel`. Calls broadcast over leading axes; the last axis is
    the dimension, so a dense Gram matrix is ``k(p[:, None], p[None])``.

    Attributes
    ----------
    invariance : {"shift", "digital"}
    alpha : ndarray of int, scalar or shape (d,)
    weights : ndarray, scalar or shape (d,)
    scale : float
    """

    def __init__(self, invariance, alpha, weights, scale):
        self.invariance = invariance
        allowed = range(1, 6) if invariance == "shift" else range(1, 5)
        self.alpha = _as_param(alpha, "alpha", integer=True, allowed=allowed)
        self.weights = _as_param(weights, "weights")
        scale = _as_param(scale, "scale")
        if scale.ndim or not scale > 0:
            raise ValueError(f"Argument 'scale' must be a positive scalar, not {scale!r}.")
        self.scale = float(scale)
        dims = {a.shape[0] for a in (self.alpha, self.weights) if a.ndim == 1}
        if len(dims) > 1:
            raise ValueError(
                f"Arguments 'alpha' and 'weights' must have the same length, not {sorted(dims)}."
            )
        self.d = dims.pop() if dims else None
        self._params = {}       # d -> (alphas, weights) as Python lists, for fast calls

    def __repr__(self):
        fn = "si_kernel" if self.invariance == "shift" else "dsi_kernel"
        a = self.alpha.tolist()
        w = self.weights.tolist()
        return f"{fn}(alpha={a!r}, weights={w!r}, scale={self.scale!r})"

    def with_params(self, *, weights=None, scale=None):
        """Return a copy with new ``weights`` and/or ``scale`` (for fitting)."""
        return ProductKernel(
            self.invariance, self.alpha,
            self.weights if weights is None else weights,
            self.scale if scale is None else scale,
        )

    def _dim_params(self, d):
        if self.d is not None and self.d != d:
            raise ValueError(
                f"Points must have dimension {self.d} (the length of the kernel's alpha/weights), not {d}."
            )
        cached = self._params.get(d)
        if cached is None:
            cached = self._params[d] = ([int(a) for a in np.broadcast_to(self.alpha, (d,))],
                                        [float(w) for w in np.broadcast_to(self.weights, (d,))])
        return cached

    def univariate(self, t, alpha):
        r"""The one-dimensional kernel :math:`\tilde K_\alpha` at ``t`` (a difference or XOR in [0, 1))."""
        t = np.asarray(t, dtype=float)
        if self.invariance == "shift":
            return _si_univariate(int(alpha), t % 1.0)
        return _dsi_univariate(int(alpha), _to_int(t))

    def __call__(self, x, z):
        x = np.asarray(x, dtype=float)
        z = np.asarray(z, dtype=float)
        if x.ndim == 0 or z.ndim == 0:
            raise ValueError("Arguments 'x' and 'z' must have a last axis of length d, not scalars.")
        if x.shape[-1] != z.shape[-1]:
            raise ValueError(
                f"Arguments 'x' and 'z' must have the same dimension (last axis), not {x.shape[-1]} and {z.shape[-1]}."
            )
        d = x.shape[-1]
        alpha, weights = self._dim_params(d)
        shape = np.broadcast_shapes(x.shape[:-1], z.shape[:-1])
        out = np.full(shape, self.scale)
        if self.invariance == "shift":
            for j in range(d):
                t = x[..., j] - z[..., j]
                t -= np.floor(t)                      # (x - z) mod 1, faster than np.mod
                factor = _si_univariate(alpha[j], t)
                factor *= weights[j]
                factor += 1.0
                out *= factor
        else:
            for j in range(d):
                xi = _to_int(x[..., j]) ^ _to_int(z[..., j])
                factor = _dsi_univariate(alpha[j], xi)
                factor *= weights[j]
                factor += 1.0
                out *= factor
        return out


def si_kernel(alpha=1, weights=1.0, scale=1.0):
    r"""Shift-invariant product kernel for rank-1 lattices (Bernoulli polynomials).

    Parameters
    ----------
    alpha : int or sequence of int, optional
        Smoothness per dimension, 1..5 (a scalar applies to every dimension).
    weights : float or sequence of float, optional
        Product weights :math:`\gamma_j \ge 0`.
    scale : float, optional
        Overall scale :math:`S > 0`.

    Returns
    -------
    ProductKernel
        ``k(x, z)``, broadcasting over leading axes.

    Notes
    -----
    .. math::

        k(x, z) = S \prod_j \bigl(1 + \gamma_j \tilde K_{\alpha_j}((x_j - z_j) \bmod 1)\bigr),
        \qquad
        \tilde K_\alpha(t) = \frac{(-1)^{\alpha+1}(2\pi)^{2\alpha}}{(2\alpha)!} B_{2\alpha}(t)
        = \sum_{h \ne 0} \frac{e^{2\pi i h t}}{|h|^{2\alpha}},

    the reproducing kernel of the weighted Korobov space of smoothness
    :math:`\alpha`. Every :math:`\tilde K_\alpha` integrates to 0, so
    :math:`\int k(x, z)\,dz = S`.

    References
    ----------
    .. [1] J. Dick, F. Y. Kuo, I. H. Sloan, "High-dimensional integration: the
       quasi-Monte Carlo way", Acta Numerica 22 (2013) 133-288,
       doi:10.1017/S0962492913000044.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.qmc import si_kernel
    >>> k = si_kernel(alpha=1, weights=[1.0, 0.5])
    >>> float(k(np.array([0.0, 0.0]), np.array([0.0, 0.0])))  # (1 + pi^2/3)(1 + pi^2/6)
    11.346...
    >>> p = np.array([[0.0, 0.0], [0.5, 0.25]])
    >>> k(p[:, None], p[None]).shape
    (2, 2)
    """
    return ProductKernel("shift", alpha, weights, scale)


def dsi_kernel(alpha=1, weights=1.0, scale=1.0):
    r"""Digitally shift-invariant product kernel for base-2 digital nets.

    Parameters
    ----------
    alpha : int or sequence of int, optional
        Order per dimension, 1..4 (orders >= 2 are the higher-order kernels
        matched to interlaced nets, see :func:`interlace`).
    weights : float or sequence of float, optional
        Product weights :math:`\gamma_j \ge 0`.
    scale : float, optional
        Overall scale :math:`S > 0`.

    Returns
    -------
    ProductKernel

    Notes
    -----
    :math:`k(x, z) = S\prod_j (1 + \gamma_j \tilde K_{\alpha_j}(x_j \oplus z_j))`, with
    :math:`\oplus` the digitwise XOR. Let :math:`\beta(x) = -\lfloor\log_2 x\rfloor`
    (the position of the first 1-digit) and :math:`t_\nu(x) = 2^{-\nu\beta(x)}`,
    :math:`\beta(0) = t_\nu(0) = 0`. Then

    .. math::

        \tilde K_1(x) &= 1 - 3\cdot 2^{-\beta(x)} \quad (\tilde K_1(0) = 1),\\
        \tilde K_2(x) &= -\beta x + \tfrac52 (1 - t_1) - 1,\\
        \tilde K_3(x) &= \beta x^2 - 5(1 - t_1)x + \tfrac{43}{18}(1 - t_2) - 1,\\
        \tilde K_4(x) &= -\tfrac23\beta x^3 + 5(1 - t_1)x^2 - \tfrac{43}{9}(1 - t_2)x
            + \tfrac{701}{294}(1 - t_3)
            + \beta\Bigl(\tfrac1{48}\sum_{a\ge0}\frac{\mathrm{wal}_{2^a}(x)}{8^a} - \tfrac1{42}\Bigr) - 1.

    As Walsh series, :math:`\tilde K_1 = \sum_{k\ge1} 2\cdot4^{-\mu_1(k)}\mathrm{wal}_k` and
    :math:`\tilde K_\alpha = \sum_{k\ge1} 2^{-\mu_\alpha(k)}\mathrm{wal}_k` for
    :math:`\alpha \ge 2`, with :math:`\mu_\alpha(k)` Dick's weight (the sum of the
    :math:`\alpha` largest 1-bit positions of k, counted from 1). Points are read
    with 53 binary digits, exactly for float64 values in [0, 1).

    References
    ----------
    .. [1] J. Dick, "Walsh spaces containing smooth functions and quasi-Monte
       Carlo rules of arbitrary high order", SIAM J. Numer. Anal. 46 (2008)
       1519-1553, doi:10.1137/060666639.
    .. [2] J. Dick, "The decay of the Walsh coefficients of smooth functions",
       Bull. Aust. Math. Soc. 80 (2009) 430-453, doi:10.1017/S0004972709000392.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.qmc import dsi_kernel
    >>> k = dsi_kernel(alpha=1)
    >>> float(k(np.array([0.75]), np.array([0.25])))  # 1 + (1 - 3/2)
    0.5
    """
    return ProductKernel("digital", alpha, weights, scale)
