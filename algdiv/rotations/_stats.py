"""Kolmogorov distance with ties, the DKW-Massart band, log-log slopes."""
from __future__ import annotations

import math

import numpy as np

from .._checks import check_real
from ._validate import as_alpha, as_positive_int

__all__ = ["kolmogorov_distance", "dkw_band", "dkw_pvalue", "bernstein_band", "bernstein_pvalue", "loglog_slope"]


def _is_lattice(ref):
    return hasattr(ref, "values") and hasattr(ref, "pmf") and hasattr(ref, "step")


def kolmogorov_distance(samples, cdf, *, snap=1e-6):
    r"""Kolmogorov distance :math:`\sup_t |F_M(t) - F(t)|` between samples and a law.

    ``F_M`` is the empirical CDF of the ``M`` samples. Ties are handled exactly,
    which matters here because structured-rotation outputs are lattice-valued:
    at every atom :math:`x` both one-sided values are compared,

    .. math::

        D_M = \max_x \max\bigl(|G(x) - F(x)|,\; |G(x^-) - F(x^-)|\bigr),
        \qquad G(x) = \#\{X_j \le x\}/M,\; G(x^-) = \#\{X_j < x\}/M ,

    over the atoms of the samples and (for a discrete reference) of ``F``.
    Between consecutive atoms both functions are monotone and one is constant,
    so this maximum is the supremum.

    Parameters
    ----------
    samples : array_like
        Real samples (flattened); at least one, all finite.
    cdf : callable, scipy.stats distribution or LatticeLaw
        The reference law: a continuous CDF ``F(x)`` (a callable or any object
        with a ``cdf`` method), or a discrete :class:`LatticeLaw`, whose jumps are
        handled exactly.
    snap : float, optional
        With a :class:`LatticeLaw` reference only: a sample within
        ``snap * law.step`` of an atom counts as that atom (absorbs float
        rounding of lattice values; a genuinely off-lattice sample stays where
        it is and is penalised). Default ``1e-6``.

    Returns
    -------
    float
        The distance, in [0, 1].

    Raises
    ------
    ValueError
        If ``samples`` is empty or not finite.

    See Also
    --------
    dkw_band : the confidence half-width of this statistic.

    References
    ----------
    .. [1] P. Massart, "The tight constant in the Dvoretzky-Kiefer-Wolfowitz
       inequality", Ann. Probab. 18 (1990) 1269-1283, :doi:`10.1214/aop/1176990746`.

    Examples
    --------
    Two samples at the median of a continuous law: the empirical CDF jumps
    from 0 to 1 there, so the distance is 1/2.

    >>> from algdiv.rotations import kolmogorov_distance, coordinate_marginal
    >>> kolmogorov_distance([0.0, 0.0], coordinate_marginal(16))
    0.5
    """
    x = np.asarray(samples)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"Argument 'samples' must be real numbers, not dtype {x.dtype}.")
    # a private copy: the caller's array is never sorted or written (read-only input works)
    x = np.array(x, dtype=np.float64).ravel()
    snap = check_real(snap, "snap", min=0.0)
    if x.size == 0:
        raise ValueError("Argument 'samples' must hold at least one value, not an empty array.")
    if not np.all(np.isfinite(x)):
        raise ValueError("Argument 'samples' must be finite; it contains NaN or Inf.")
    m = x.size
    if _is_lattice(cdf):
        return _ks_lattice(x, cdf, snap)
    f = cdf.cdf if hasattr(cdf, "cdf") else cdf
    if not callable(f):
        raise TypeError(
            f"Argument 'cdf' must be a callable, a scipy.stats distribution or a LatticeLaw, "
            f"not {type(cdf).__name__}."
        )
    x.sort()
    pts, first = np.unique(x, return_index=True)
    below = first / m                                        # G(x-)
    upto = np.append(first[1:], m) / m                        # G(x)
    fx = np.asarray(f(pts), dtype=np.float64)
    return float(max(np.max(np.abs(upto - fx)), np.max(np.abs(below - fx))))


def _ks_lattice(x, law, snap):
    atoms = np.asarray(law.values, dtype=np.float64)
    cum = np.cumsum(np.asarray(law.pmf, dtype=np.float64))
    # Snap rounding-level deviations onto the lattice.
    j = np.clip(np.searchsorted(atoms, x), 1, atoms.size - 1) if atoms.size > 1 else np.zeros(x.size, int)
    if atoms.size > 1:
        left = atoms[j - 1]
        right = atoms[j]
        near = np.where(np.abs(x - left) <= np.abs(right - x), left, right)
    else:
        near = np.full(x.size, atoms[0])
    close = np.abs(x - near) <= snap * law.step
    x = np.where(close, near, x)
    x.sort()
    m = x.size
    pts = np.union1d(x, atoms)
    g_up = np.searchsorted(x, pts, side="right") / m
    g_below = np.searchsorted(x, pts, side="left") / m
    cum0 = np.concatenate(([0.0], cum))
    f_up = cum0[np.searchsorted(atoms, pts, side="right")]
    f_below = cum0[np.searchsorted(atoms, pts, side="left")]
    return float(max(np.max(np.abs(g_up - f_up)), np.max(np.abs(g_below - f_below))))


def dkw_band(m, alpha):
    r"""Half-width :math:`\varepsilon_M(\alpha)` of the DKW-Massart confidence band.

    .. math::

        P\Bigl(\sup_t |F_M(t) - F(t)| > \varepsilon\Bigr) \le 2 e^{-2M\varepsilon^2}
        \quad\Longrightarrow\quad
        \varepsilon_M(\alpha) = \sqrt{\frac{\ln(2/\alpha)}{2M}} .

    With probability at least :math:`1 - \alpha` the true Kolmogorov distance
    lies in :math:`[D_M - \varepsilon_M, D_M + \varepsilon_M]`; for a grid of
    ``n`` dimensions use ``alpha / n`` (Bonferroni).

    Parameters
    ----------
    m : int
        Number of samples, >= 1.
    alpha : float
        Level in (0, 1).

    References
    ----------
    .. [1] P. Massart, Ann. Probab. 18 (1990) 1269-1283, :doi:`10.1214/aop/1176990746`.

    Examples
    --------
    >>> from algdiv.rotations import dkw_band
    >>> round(dkw_band(100_000, 1e-3), 4)
    0.0062
    """
    m = as_positive_int(m, "m")
    alpha = as_alpha(alpha)
    return math.sqrt(math.log(2.0 / alpha) / (2.0 * m))


def dkw_pvalue(m, excess):
    r"""p-value of a Kolmogorov statistic from the DKW-Massart inequality.

    For ``M`` samples of a law :math:`G` and the hypothesis
    :math:`d_K(G, F) \le b`, the statistic :math:`D_M = \sup_t|F_M - F|` exceeds
    ``b`` by ``excess`` :math:`= D_M - b` with probability at most

    .. math::

        p = \min\bigl(1,\ 2 e^{-2M\,\mathrm{excess}_+^2}\bigr)

    (triangle inequality, then [1]_). So :math:`P(p \le a) \le a` for every
    ``a`` under the hypothesis: the p-value is valid (conservative, not exactly
    uniform). ``p <= alpha`` exactly when ``excess > dkw_band(M, alpha)``.

    References
    ----------
    .. [1] P. Massart, Ann. Probab. 18 (1990) 1269-1283, :doi:`10.1214/aop/1176990746`.

    Examples
    --------
    >>> from algdiv.rotations._stats import dkw_pvalue
    >>> from algdiv.rotations import dkw_band
    >>> round(dkw_pvalue(100_000, dkw_band(100_000, 1e-3)), 12)
    0.001
    """
    m = as_positive_int(m, "m")
    e = max(0.0, float(excess))
    return min(1.0, 2.0 * math.exp(-2.0 * m * e * e))


def bernstein_band(n, variance, spread, alpha):
    r"""Half-width :math:`t` of Bernstein's two-sided confidence interval for a mean.

    For ``n`` independent draws with known variance :math:`\sigma^2` and
    :math:`|X - EX| \le b` (``spread``), Bernstein's inequality

    .. math::

        P\bigl(|\bar X - EX| \ge t\bigr) \le
        2\exp\Bigl(-\frac{n t^2}{2\sigma^2 + 2bt/3}\Bigr)

    set equal to ``alpha`` gives :math:`t = \bigl(\tfrac23 bL +
    \sqrt{\tfrac49 b^2L^2 + 8n\sigma^2L}\bigr)/(2n)` with :math:`L = \ln(2/\alpha)`
    ([1]_, Thm. 2.10).

    References
    ----------
    .. [1] S. Boucheron, G. Lugosi, P. Massart, *Concentration Inequalities*,
       Oxford University Press (2013), :doi:`10.1093/acprof:oso/9780199535255.001.0001`.

    Examples
    --------
    >>> from algdiv.rotations._stats import bernstein_band, bernstein_pvalue
    >>> t = bernstein_band(2000, 0.01, 2.0, 1e-3)
    >>> round(bernstein_pvalue(2000, t, 0.01, 2.0), 12)
    0.001
    """
    n = as_positive_int(n, "n")
    alpha = as_alpha(alpha)
    lg = math.log(2.0 / alpha)
    b, v = float(spread), float(variance)
    return (2.0 / 3.0 * b * lg + math.sqrt(4.0 / 9.0 * b * b * lg * lg + 8.0 * n * v * lg)) / (2.0 * n)


def bernstein_pvalue(n, deviation, variance, spread):
    r"""Bernstein p-value :math:`\min(1, 2\exp(-n t^2/(2\sigma^2 + 2bt/3)))` of ``|mean - EX| = t``.

    Valid under the hypothesis (:math:`P(p \le a) \le a`); see :func:`bernstein_band`.
    """
    n = as_positive_int(n, "n")
    t = abs(float(deviation))
    return min(1.0, 2.0 * math.exp(-n * t * t / (2.0 * float(variance) + 2.0 * float(spread) * t / 3.0)))


def loglog_slope(x, y):
    r"""Least-squares slope of :math:`\log y` against :math:`\log x`.

    Points with ``y <= 0`` are left out (a distance of exactly 0 has no
    logarithm); at least two points must remain.

    Examples
    --------
    >>> from algdiv.rotations import loglog_slope
    >>> round(loglog_slope([16, 64, 256], [0.25, 0.125, 0.0625]), 12)
    -0.5
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"Arguments 'x' and 'y' must have the same length, not {x.size} and {y.size}.")
    keep = (y > 0) & (x > 0) & np.isfinite(y)
    if np.count_nonzero(keep) < 2:
        raise ValueError("Arguments 'x' and 'y' must hold at least two points with x > 0 and y > 0.")
    lx, ly = np.log(x[keep]), np.log(y[keep])
    lx = lx - lx.mean()
    return float(np.dot(lx, ly - ly.mean()) / np.dot(lx, lx))
