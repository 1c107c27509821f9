"""Rank-1 lattices: point generation and the fast component-by-component construction."""
from __future__ import annotations

import math
import operator

import numpy as np
import scipy.fft

from .._checks import check_array, check_choice, check_int
from ..groups._limits import check_bytes
from ..transforms._fftbr import bitrev_permutation
from ._kernels import _si_univariate

__all__ = ["lattice", "cbc"]

_ORDERS = ("linear", "radical")


def _as_n(n, *, power_of_two=False, what=""):
    if isinstance(n, (bool, np.bool_)):
        raise TypeError(f"Argument 'n' must be an integer, not bool {n}.")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"Argument 'n' must be an integer, not {type(n).__name__}.") from None
    if n < 1:
        raise ValueError(f"Argument 'n' must be >= 1, not {n}.")
    if power_of_two and n & (n - 1):
        raise ValueError(
            f"Argument 'n' must be a power of 2{what}, not {n}; "
            f"use n = {1 << (n.bit_length() - 1)} or {1 << n.bit_length()}."
        )
    return n


def _as_shift(shift, d, rng, digital=False):
    if shift is None:
        return None
    if isinstance(shift, str):
        if shift != "random":
            raise ValueError(f"Argument 'shift' must be None, 'random' or an array, not {shift!r}.")
        return np.random.default_rng(rng).random(d)
    s = check_array(shift, "shift", shape=(d,), dtype_kind="iuf").astype(float)
    if np.any(~(s >= 0)) or np.any(~(s < 1)):
        raise ValueError("Argument 'shift' must lie in [0, 1).")
    return s


def lattice(n, generating_vector, *, order="linear", shift=None, rng=None):
    r"""Points of a rank-1 lattice, optionally randomly shifted.

    Parameters
    ----------
    n : int
        Number of points (a power of 2 for ``order="radical"``).
    generating_vector : sequence of int, shape (d,)
        The generating vector :math:`g` (e.g. from :func:`cbc`).
    order : {"linear", "radical"}, optional
        "linear": :math:`x_k = \{k g / n + \Delta\}`; "radical": the
        radical-inverse (van der Corput) order :math:`x_k = \{\phi_2(k) g + \Delta\}`,
        :math:`\phi_2(k) = \mathrm{bitrev}_m(k)/n`, whose first :math:`2^j` points
        are themselves a lattice for every :math:`j` (extensible).
    shift : None, "random" or array_like of shape (d,), optional
        The shift :math:`\Delta \in [0,1)^d`; "random" draws it from ``rng``.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    ndarray, shape (n, d)
        Points in :math:`[0, 1)^d`.

    Notes
    -----
    A shift-invariant kernel's Gram matrix on these points is circulant in
    linear order (the cyclic group :math:`\mathbb Z_n` acts by :math:`k \mapsto k+1`)
    and a bit-reversed circulant in radical order; :class:`FastGram` uses that.

    References
    ----------
    .. [1] I. H. Sloan and S. Joe, "Lattice Methods for Multiple Integration",
       Oxford University Press, 1994.

    Examples
    --------
    >>> from algdiv.qmc import lattice
    >>> lattice(4, [1, 3])
    array([[0.  , 0.  ],
           [0.25, 0.75],
           [0.5 , 0.5 ],
           [0.75, 0.25]])
    >>> lattice(4, [1, 3], order="radical")[:, 0]
    array([0.  , 0.5 , 0.25, 0.75])
    """
    order = check_choice(order, "order", _ORDERS)
    n = _as_n(n, power_of_two=order == "radical", what=" for order='radical'")
    g = np.asarray(generating_vector)
    if g.ndim != 1 or g.size == 0 or g.dtype.kind not in "iu":
        raise ValueError(
            f"Argument 'generating_vector' must be a non-empty 1-d sequence of integers, not {generating_vector!r}."
        )
    d = g.size
    # k, k g and the points: 8 n (2 d + 1) bytes, refused before anything of size n exists
    check_bytes(8.0 * n * (2 * d + 1), f"lattice({n}, <{d} components>)")
    g = g.astype(np.int64) % n
    common = math.gcd(n, *(int(v) for v in g))
    if common > 1:
        raise ValueError(
            f"Argument 'generating_vector' must have gcd(n, g_1, ..., g_d) = 1 so that the {n} points "
            f"are distinct, not gcd = {common} (only {n // common} distinct points); "
            f"use n = {n // common} or a vector with a component coprime to n.")
    k = np.arange(n, dtype=np.int64)
    if order == "radical":
        k = bitrev_permutation(n).astype(np.int64)
    x = ((k[:, None] * g[None, :]) % n) / n
    s = _as_shift(shift, d, rng)
    if s is not None:
        x += s
        x %= 1.0
        x[x >= 1.0] = 0.0  # 1 - tiny + shift may round to 1.0
    return x


def _powers_of_five(n):
    """5^a mod n for a < n/4 (n = 2^m >= 8), by doubling (int64 is exact for n <= 2^31)."""
    length = n // 4
    p = np.ones(1, dtype=np.int64)
    step = 5
    while p.size < length:
        p = np.concatenate([p, (p * step) % n])
        step = (step * step) % n
    return p[:length]


def _is_prime(n):
    if n < 2:
        return False
    for p in range(2, math.isqrt(n) + 1):
        if n % p == 0:
            return False
    return True


def _primitive_root(p):
    """Smallest generator of the multiplicative group mod the prime p."""
    factors, m, f = set(), p - 1, 2
    while f * f <= m:
        while m % f == 0:
            factors.add(f)
            m //= f
        f += 1
    if m > 1:
        factors.add(m)
    for r in range(2, p):
        if all(pow(r, (p - 1) // q, p) != 1 for q in factors):
            return r
    return 1  # p = 2


def _powers(r, length, n):
    """r^a mod n for a < length, by doubling (int64 is exact for n <= 2^31)."""
    out = np.ones(1, dtype=np.int64)
    step = r % n
    while out.size < length:
        out = np.concatenate([out, (out * step) % n])
        step = (step * step) % n
    return out[:length]


def _cbc_prime(n, d, alpha, w):
    """Fast CBC for prime n: one cyclic correlation over (Z/n)^* = <r> per component."""
    g = np.ones(d, dtype=np.int64)
    k = np.arange(n, dtype=np.int64)
    q = 1.0 + w[0] * _si_univariate(alpha, k / n)
    if n <= 3:
        return g
    p = _powers(_primitive_root(n), n - 1, n)          # r^a, a = 0..n-2
    w_hat = scipy.fft.rfft(_si_univariate(alpha, p / n))
    for j in range(1, d):
        crit = scipy.fft.irfft(np.conj(scipy.fft.rfft(q[p])) * w_hat, n - 1)
        z = int(p[int(np.argmin(crit))])
        g[j] = z
        q *= 1.0 + w[j] * _si_univariate(alpha, ((k * z) % n) / n)
    return g


def cbc(n, d, *, alpha=1, weights=1.0):
    r"""Generating vector of a rank-1 lattice by the fast CBC construction.

    Component-by-component: :math:`g_1 = 1`, then each :math:`g_j` (odd,
    :math:`< n`) minimizes the squared worst-case error in the weighted Korobov
    space of smoothness :math:`\alpha` (the space of :func:`si_kernel`),

    .. math::

        e^2(g) = -1 + \frac1n \sum_{k=0}^{n-1}\prod_{j=1}^d
            \bigl(1 + \gamma_j \tilde K_\alpha(\{k g_j / n\})\bigr),

    given the earlier components.

    Parameters
    ----------
    n : int
        Number of points, a power of 2 or a prime, at most 2**30.
    d : int
        Dimension.
    alpha : int, optional
        Smoothness 1..5.
    weights : float or sequence of float, optional
        Product weights :math:`\gamma_j`.

    Returns
    -------
    ndarray of int64, shape (d,)

    Notes
    -----
    For prime n the candidates :math:`z = r^b` (r a primitive root) turn the
    search into one cyclic correlation of length n - 1 over :math:`(\mathbb Z/n)^*`.
    The odd residues mod :math:`n = 2^m` are :math:`\{\pm 5^a\}`, and
    :math:`\tilde K_\alpha(t) = \tilde K_\alpha(1-t)`. Writing :math:`k = 2^s u` with
    :math:`u` odd, the search over :math:`z = 5^b` is, for each level :math:`s`, a
    cyclic correlation of length :math:`2^{m-s}/4` over the group :math:`\langle 5\rangle`,
    computed by FFT (Nuyens and Cools): :math:`O(d\, n \log n)` in all, instead of
    :math:`O(d\, n^2)`.

    References
    ----------
    .. [1] D. Nuyens and R. Cools, "Fast component-by-component construction of
       rank-1 lattice rules with a non-prime number of points", J. Complexity
       22 (2006) 4-28, doi:10.1016/j.jco.2005.07.002.
    .. [2] D. Nuyens and R. Cools, "Fast algorithms for component-by-component
       construction of rank-1 lattice rules in shift-invariant reproducing
       kernel Hilbert spaces", Math. Comp. 75 (2006) 903-920,
       doi:10.1090/S0025-5718-06-01785-6.

    Examples
    --------
    >>> from algdiv.qmc import cbc
    >>> g = cbc(1024, 3)
    >>> int(g[0]), bool((g % 2 == 1).all())
    (1, True)
    """
    n = _as_n(n)
    if n & (n - 1) and not _is_prime(n):
        raise ValueError(
            f"Argument 'n' must be a power of 2 or a prime for the fast CBC construction, not {n}."
        )
    if n > 1 << 30:
        raise ValueError(f"Argument 'n' must be at most 2**30, not {n}.")
    d = check_int(d, "d", min=1)
    alpha = check_int(alpha, "alpha", min=1, max=5)
    # the criterion, the product q and the per-level spectra: about 6 arrays of n float64
    check_bytes(8.0 * 6 * n + 8.0 * d, f"cbc({n}, {d})")
    w = check_array(weights, "weights", ndim=(0, 1), dtype_kind="iuf").astype(float)
    w = np.broadcast_to(w, (d,)) if w.ndim == 0 else w
    if w.shape != (d,) or np.any(~(w >= 0)) or not np.all(np.isfinite(w)):
        raise ValueError(f"Argument 'weights' must be a scalar or {d} finite values >= 0, not {weights!r}.")

    if n & (n - 1):
        return _cbc_prime(n, d, alpha, w)
    g = np.ones(d, dtype=np.int64)
    k = np.arange(n, dtype=np.int64)
    q = 1.0 + w[0] * _si_univariate(alpha, k / n)   # the product over the components fixed so far
    if n < 8:  # every odd z is 1 or -1 mod n: all equivalent
        return g
    m = n.bit_length() - 1
    p_top = _powers_of_five(n)
    levels = []
    for s in range(m - 2):              # levels N = n / 2^s >= 8
        big = n >> s
        p = p_top[: big // 4] % big
        base = _si_univariate(alpha, p / big)
        levels.append((s, big, p, scipy.fft.rfft(base)))
    for j in range(1, d):
        crit = np.zeros(n // 4)
        for s, big, p, w_hat in levels:
            length = big // 4
            qq = q[p << s] + q[(big - p) << s]
            f = scipy.fft.irfft(np.conj(scipy.fft.rfft(qq)) * w_hat, length)
            crit += np.tile(f, (n // 4) // length)
        z = int(p_top[int(np.argmin(crit))])
        g[j] = z
        q *= 1.0 + w[j] * _si_univariate(alpha, ((k * z) % n) / n)
    return g
