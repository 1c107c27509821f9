"""The uniform-rotation reference: the exact coordinate law, sphere samples, Haar rotations."""
from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from .._checks import check_real
from ..groups._limits import check_bytes
from ._validate import as_dim, as_positive_int, as_shape

__all__ = [
    "coordinate_marginal",
    "expected_abs_coordinate",
    "sphere_coordinates",
    "uniform_sphere",
    "uniform_rotation",
]


def coordinate_marginal(d, radius=1.0):
    r"""Exact law of one coordinate of a uniformly rotated vector of norm ``radius``.

    If :math:`Q` is Haar-distributed on :math:`O(d)` and :math:`\|u\| = r`, then
    :math:`Qu` is uniform on the sphere of radius :math:`r` and each coordinate
    :math:`X = (Qu)_i` has density proportional to :math:`(1 - x^2/r^2)^{(d-3)/2}`
    on :math:`[-r, r]`, i.e.

    .. math::

        \frac{X/r + 1}{2} \sim \mathrm{Beta}\left(\tfrac{d-1}{2}, \tfrac{d-1}{2}\right).

    Parameters
    ----------
    d : int
        Dimension, any integer >= 2 (not only powers of 2).
    radius : float, optional
        Norm of the rotated vector (default 1).

    Returns
    -------
    scipy.stats.rv_continuous_frozen
        The frozen distribution (``cdf``, ``pdf``, ``ppf``, ``rvs``, ...), with
        mean 0 and variance :math:`r^2/d`.

    Raises
    ------
    ValueError
        If ``d < 2`` or ``radius <= 0``.

    See Also
    --------
    sphere_coordinates : exact samples of the same law.

    References
    ----------
    .. [1] K.-T. Fang, S. Kotz, K. W. Ng, *Symmetric Multivariate and Related
       Distributions*, Chapman & Hall (1990), Sec. 2.4, :doi:`10.1201/9781351077040`.

    Examples
    --------
    >>> from algdiv.rotations import coordinate_marginal
    >>> F = coordinate_marginal(1024)
    >>> float(F.var() * 1024)
    1.0
    >>> float(F.cdf(0.0))
    0.5
    """
    d = as_dim(d, power_of_two=False)
    r = check_real(radius, "radius", min=0.0, open_min=True)
    a = 0.5 * (d - 1)
    return stats.beta(a, a, loc=-r, scale=2.0 * r)


def expected_abs_coordinate(d):
    r"""Closed form of :math:`E|\theta_1|` for :math:`\theta` uniform on :math:`S^{d-1}`.

    .. math::

        E|\theta_1| = \frac{\Gamma(d/2)}{\sqrt{\pi}\,\Gamma((d+1)/2)}
        \;\sim\; \sqrt{2/(\pi d)} .

    Computed as :math:`1/(\sqrt\pi\,(d/2)_{1/2})` with the Pochhammer symbol
    (``scipy.special.poch``), which stays accurate to ~1e-13 relative for any
    ``d >= 1``, where a difference of ``gammaln`` values would lose ~1e-16
    times :math:`\ln\Gamma(d/2)` (1e-3 at :math:`d = 2^{40}`).

    Examples
    --------
    >>> from algdiv.rotations import expected_abs_coordinate
    >>> float(expected_abs_coordinate(2)) * 3.141592653589793 / 2   # E|cos t| = 2/pi
    1.0
    """
    d = as_dim(d, power_of_two=False, minimum=1)
    return 1.0 / (math.sqrt(math.pi) * float(special.poch(d / 2, 0.5)))


def sphere_coordinates(d, size, rng=None):
    r"""Exact samples of one coordinate of a uniform point on :math:`S^{d-1}`.

    Uses :math:`\theta_1 = g / \sqrt{g^2 + \chi^2_{d-1}}` with :math:`g \sim N(0,1)`
    independent of the chi-square variable, so the cost does not grow with ``d``.
    This is the null control (protocol A4) of :func:`verify`.

    Parameters
    ----------
    d : int
        Dimension, >= 2.
    size : int or tuple of int
        Output shape.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    numpy.ndarray
        float64 samples with the law :func:`coordinate_marginal` ``(d)``.

    Examples
    --------
    >>> from algdiv.rotations import sphere_coordinates
    >>> x = sphere_coordinates(64, 100_000, rng=0)
    >>> bool(abs(x.var() * 64 - 1) < 0.02)
    True
    """
    d = as_dim(d, power_of_two=False)
    shape = as_shape(size)
    check_bytes(24 * math.prod(shape), f"{math.prod(shape)} sphere coordinates")
    rng = np.random.default_rng(rng)
    size = shape if size is not None else None
    g = rng.standard_normal(size)
    c = rng.chisquare(d - 1, size)
    return g / np.sqrt(g * g + c)


def uniform_sphere(d, size=None, rng=None):
    r"""Uniform points on the unit sphere :math:`S^{d-1}` (normalised Gaussian vectors).

    Parameters
    ----------
    d : int
        Dimension, >= 1.
    size : int, tuple of int or None
        Batch shape; the result has shape ``(*size, d)``.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations import uniform_sphere
    >>> x = uniform_sphere(8, 5, rng=1)
    >>> np.allclose(np.linalg.norm(x, axis=-1), 1.0)
    True
    """
    d = as_dim(d, power_of_two=False, minimum=1)
    shape = as_shape(size)
    check_bytes(24 * math.prod(shape) * d, f"{math.prod(shape)} points on the sphere in d = {d}")
    rng = np.random.default_rng(rng)
    g = rng.standard_normal(shape + (d,))
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    while np.any(norm == 0):  # probability 0; kept for exactness of the law
        bad = (norm == 0)[..., 0]
        g[bad] = rng.standard_normal((int(bad.sum()), d))
        norm = np.linalg.norm(g, axis=-1, keepdims=True)
    return g / norm


def uniform_rotation(d, rng=None):
    r"""A Haar-distributed orthogonal matrix :math:`Q \in O(d)`.

    Draws a Gaussian matrix :math:`G = QR` (QR decomposition) and returns
    :math:`Q\,\mathrm{diag}(\mathrm{sign}\,R_{ii})`; without this sign fix the
    law of :math:`Q` depends on the QR routine and is not Haar [1]_.

    Parameters
    ----------
    d : int
        Dimension, >= 1 (any integer).
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    numpy.ndarray
        ``(d, d)`` float64 orthogonal matrix; apply it as ``x @ Q.T`` to rows.

    Raises
    ------
    SizeLimitError
        The dense matrices would pass :data:`algdiv.groups.MEMORY_LIMIT`
        (``d`` above about 11500); raised before any allocation.

    References
    ----------
    .. [1] F. Mezzadri, "How to generate random matrices from the classical
       compact groups", Notices AMS 54 (2007) 592-604, arXiv:math-ph/0609050.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations import uniform_rotation
    >>> Q = uniform_rotation(6, rng=0)
    >>> np.allclose(Q.T @ Q, np.eye(6))
    True
    """
    d = as_positive_int(d, "d")
    # the Gaussian matrix, Q, R and LAPACK's work space
    check_bytes(8 * 4 * d * d, f"a uniform rotation in d = {d} (dense d x d matrices)")
    rng = np.random.default_rng(rng)
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    s = np.sign(np.diagonal(r)).copy()
    s[s == 0] = 1.0
    return q * s
