"""Full-vector discrepancy: the W2 closed form for e_0, its Monte Carlo check, the f_1 bound."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..transforms import fwht
from ._marginal import expected_abs_coordinate, uniform_rotation, uniform_sphere
from ._sampler import sample_structured
from .._checks import check_choice
from ..groups._limits import check_bytes
from ._validate import as_dim, as_positive_int, as_unit_input

__all__ = [
    "Estimate",
    "wasserstein2_e1",
    "wasserstein2_mc",
    "f1_statistic",
    "f1_lower_bound_e1",
    "f1_lower_bound",
]

_BATCH_BYTES = 32 * 2**20


class Estimate(NamedTuple):
    """A Monte Carlo estimate with its standard error."""

    value: float
    se: float


def wasserstein2_e1(d):
    r"""Exact :math:`W_2` distance between the laws of :math:`T(e_0)` and :math:`Qe_0`.

    :math:`T(e_0) = \pm H\varepsilon/d` is uniform on the :math:`2^d` vertices of
    a rotated cube inscribed in the sphere, :math:`Qe_0` is uniform on the
    sphere. The nearest-vertex cells are the orthants of :math:`H\theta`, whose
    masses equal the target masses :math:`2^{-d}`, so the nearest-vertex map is
    an optimal transport map and

    .. math::

        W_2^2 = 2 - 2\sqrt{d}\,E|\theta_1|
              = 2 - \frac{2\sqrt{d}\,\Gamma(d/2)}{\sqrt{\pi}\,\Gamma((d+1)/2)}
        \;\longrightarrow\; 2 - 2\sqrt{2/\pi},

    so :math:`W_2 \to 0.635792`: the gap does not vanish as ``d`` grows.

    Parameters
    ----------
    d : int
        Dimension, a power of 2 >= 2.

    References
    ----------
    .. [1] T. Zilca, G. Mendelson, arXiv:2604.23418 (2026), Sec. 5 (negative result).

    Examples
    --------
    >>> from algdiv.rotations import wasserstein2_e1
    >>> round(wasserstein2_e1(1024), 5)
    0.63549
    """
    d = as_dim(d)
    return math.sqrt(max(0.0, 2.0 - 2.0 * math.sqrt(d) * expected_abs_coordinate(d)))


def nearest_vertex_sq_law(d):
    r"""Mean, variance and range of the squared nearest-vertex distance for :math:`e_0`.

    For :math:`\theta` uniform on :math:`S^{d-1}` the squared distance to the
    nearest vertex of :math:`T(e_0)`'s cube is :math:`X = 2 - 2\|z\|_1/\sqrt d` with
    :math:`z = H\theta/\sqrt d` again uniform. With :math:`E|z_1| = m_1` and
    :math:`E|z_1z_2| = 2/(\pi d)` (write :math:`z = g/|g|`, :math:`g` Gaussian):

    .. math::

        EX = 2 - 2\sqrt d\,m_1,\qquad
        \operatorname{Var}X = \frac4d\Bigl(1 + \frac{2(d-1)}{\pi} - d^2 m_1^2\Bigr),

    and :math:`X \in [0, 2 - 2/\sqrt d]` (since :math:`1 \le \|z\|_1 \le \sqrt d`).

    Returns
    -------
    mean, variance, spread : float
        ``spread`` bounds :math:`|X - EX|` (for Bernstein's inequality).
    """
    d = as_dim(d)
    m1 = float(expected_abs_coordinate(d))
    mean = 2.0 - 2.0 * math.sqrt(d) * m1
    var = 4.0 / d * (1.0 + 2.0 * (d - 1) / math.pi - (d * m1) ** 2)
    top = 2.0 - 2.0 / math.sqrt(d)
    return mean, max(var, 0.0), max(mean, top - mean)


def f1_lower_bound_e1(d):
    r"""The 1-Lipschitz lower bound :math:`W_1(T(e_0), Qe_0) \ge 1 - \sqrt{d}\,E|\theta_1|`.

    With :math:`f_1(x) = \|Hx\|_1/d` (1-Lipschitz because :math:`H/\sqrt{d}` is
    orthogonal), :math:`f_1(T(e_0)) = 1` exactly and :math:`E f_1(Qe_0) = \sqrt{d}\,
    E|\theta_1|`; Kantorovich-Rubinstein duality gives the bound, which tends
    to :math:`1 - \sqrt{2/\pi} = 0.202115`.

    Examples
    --------
    >>> from algdiv.rotations import f1_lower_bound_e1
    >>> round(f1_lower_bound_e1(16), 5)
    0.18956
    """
    d = as_dim(d)
    return 1.0 - math.sqrt(d) * expected_abs_coordinate(d)


def f1_statistic(x):
    r"""The 1-Lipschitz statistic :math:`f_1(x) = \|Hx\|_1 / d` along the last axis.

    ``H`` is the unnormalised Sylvester-Hadamard matrix (entries :math:`\pm1`),
    so :math:`f_1(x) = \|H_{\mathrm{o}}x\|_1/\sqrt{d}` with the orthonormal
    :math:`H_{\mathrm{o}} = H/\sqrt{d}`, and :math:`|f_1(x) - f_1(y)| \le \|x-y\|_2`.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations import f1_statistic
    >>> float(f1_statistic(np.eye(8)[3]))
    1.0
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0:
        raise ValueError("Argument 'x' must have at least one axis, not a scalar.")
    d = as_dim(x.shape[-1], "x.shape[-1]")
    return np.abs(fwht(x, axis=-1)).sum(axis=-1) / d


def _nearest_support_sq(theta, k):
    """Squared distance from each row of theta to the support of T(u_k), k in {1, 2}."""
    d = theta.shape[-1]
    h = fwht(theta, axis=-1)                            # H theta (unnormalised)
    if k == 1:
        # Vertex y = H sign(H theta) / d; its distance computed explicitly.
        y = fwht(np.sign(h), axis=-1) / d
    else:
        # Support of T(u_2): (sqrt 2 / d) H (eps restricted to the even or odd
        # coordinates); pick the parity class with the larger |.|_1 of H theta.
        even = np.abs(h[..., 0::2]).sum(axis=-1)
        odd = np.abs(h[..., 1::2]).sum(axis=-1)
        mask = np.zeros_like(h)
        mask[even >= odd, 0::2] = 1.0
        mask[even < odd, 1::2] = 1.0
        y = fwht(np.sign(h) * mask, axis=-1) * (math.sqrt(2.0) / d)
    return np.sum((theta - y) ** 2, axis=-1)


def wasserstein2_mc(d, samples=2000, *, k=1, rng=None):
    r"""Monte Carlo :math:`W_2` between :math:`T(u_k)` and :math:`Qu_k`, by the nearest-support map.

    For ``k = 1`` (the input :math:`e_0`) and ``k = 2`` (:math:`(e_0+e_1)/\sqrt2`)
    the law of :math:`T(u_k)` is uniform on a finite set whose nearest-point
    (Voronoi) cells all have the same Haar mass, so the map sending a uniform
    :math:`\theta` to its nearest support point is optimal and

    .. math::

        W_2^2 = E \min_y \|\theta - y\|^2 .

    This function draws ``samples`` uniform :math:`\theta`, builds the nearest
    support point explicitly and averages. It is the independent check of
    :func:`wasserstein2_e1`; for ``k = 2`` it is the only estimate (no closed
    form; the limit is :math:`\sqrt{2 - 2/\sqrt\pi} = 0.93361`).

    Parameters
    ----------
    d : int
        Dimension, a power of 2 >= 2.
    samples : int
        Number of uniform points :math:`\theta`.
    k : {1, 2}
        Which spread input.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    Estimate
        ``(value, se)``: :math:`W_2` and its standard error (delta method).

    Examples
    --------
    >>> from algdiv.rotations import wasserstein2_mc, wasserstein2_e1
    >>> est = wasserstein2_mc(64, 4000, rng=0)
    >>> bool(abs(est.value - wasserstein2_e1(64)) < 4 * est.se)
    True
    """
    d = as_dim(d)
    samples = as_positive_int(samples, "samples", minimum=2)
    k = check_choice(k, "k", (1, 2))
    check_bytes(8 * samples, f"{samples} Wasserstein samples")
    rng = np.random.default_rng(rng)
    batch = w2_batch_size(d)
    sq = np.empty(samples)
    for start in range(0, samples, batch):
        stop = min(samples, start + batch)
        sq[start:stop] = _nearest_support_sq(uniform_sphere(d, stop - start, rng), k)
    return w2_estimate(sq)


def w2_batch_size(d):
    """Uniform points per Monte Carlo batch of :func:`wasserstein2_mc` at dimension ``d`` (32 MiB of work)."""
    return max(1, _BATCH_BYTES // (8 * d * 4))


def nearest_support_sq_batch(start, count, seed_seq, d, k=1):
    """One batch of squared nearest-support distances: ``count`` uniform points from ``seed_seq``.

    The batch draw of :func:`wasserstein2_mc` for batched runs (``start`` is
    unused: the batch's stream is its own ``SeedSequence`` child).
    """
    return _nearest_support_sq(uniform_sphere(d, count, np.random.default_rng(seed_seq)), k)


def w2_estimate(sq):
    """:class:`Estimate` of :math:`W_2 = \\sqrt{E\\,sq}` from squared distances (delta-method SE)."""
    sq = np.asarray(sq, dtype=np.float64)
    mean = float(sq.mean())
    se_sq = float(sq.std(ddof=1)) / math.sqrt(sq.size)
    value = math.sqrt(max(mean, 0.0))
    return Estimate(value, se_sq / (2.0 * value) if value > 0 else se_sq)


def f1_lower_bound(u, samples=2000, *, rotation="structured", blocks=2, seed=None):
    r"""Monte Carlo of the 1-Lipschitz discrepancy :math:`E f_1(R u) - E f_1(Q u)`.

    For any 1-Lipschitz :math:`f`, :math:`W_1(Ru, Qu) \ge |E f(Ru) - E f(Qu)|`
    (Kantorovich-Rubinstein), so ``abs(value)`` is a lower bound on the
    full-vector distance. The difference is returned signed, so that a
    confidence interval can be read off: for dense inputs it is slightly
    negative (the structured rotation spreads them *less* than Haar in
    :math:`\ell_1`), for spiky inputs positive.
    :math:`f_1(x) = \|Hx\|_1/d` (:func:`f1_statistic`); the Haar term is exact,
    :math:`E f_1(Qu) = \|u\|\sqrt{d}\,E|\theta_1|`, the first is averaged over
    ``samples`` draws of the rotation ``R``. For :math:`e_0` and the two-block
    transform every draw gives :math:`f_1 = 1` and the bound is
    :func:`f1_lower_bound_e1`; for dense inputs it decays like :math:`1/d`.

    Parameters
    ----------
    u : array_like
        Nonzero input vector of power-of-2 length ``d``.
    samples : int, optional
        Draws of the rotation (>= 2).
    rotation : {"structured", "haar"}, optional
        ``"structured"``: fresh :math:`d^{-b/2}(HD_b)\cdots(HD_1)` per draw
        (:func:`sample_structured`); ``"haar"``: a Haar matrix per draw
        (:func:`uniform_rotation`, the negative control: the bound must be 0
        within its error; cost :math:`O(d^3)` per draw).
    blocks : int, optional
        Blocks of the structured rotation (default 2).
    seed : int or None, optional
        Seed (of the sign generator, or of ``default_rng`` for ``"haar"``).

    Returns
    -------
    Estimate
        ``(value, se)``.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations import f1_lower_bound, f1_lower_bound_e1
    >>> est = f1_lower_bound(np.eye(64)[0], 100, seed=0)
    >>> bool(abs(est.value - f1_lower_bound_e1(64)) < 1e-12), est.se < 1e-12
    (True, True)
    """
    u = as_unit_input(u)
    d = u.shape[0]
    samples = as_positive_int(samples, "samples", minimum=2)
    rotation = check_choice(rotation, "rotation", ("structured", "haar"))
    check_bytes(8 * samples, f"{samples} rotation draws")
    if rotation == "structured":
        vals = np.empty(samples)
        batch = max(1, _BATCH_BYTES // (8 * d))
        for lo in range(0, samples, batch):
            hi = min(samples, lo + batch)
            vals[lo:hi] = f1_statistic(sample_structured(u, hi - lo, blocks=blocks, coordinate=None, seed=seed,
                                                         start=lo))
    elif rotation == "haar":
        rng = np.random.default_rng(seed)
        vals = np.array([f1_statistic(uniform_rotation(d, rng) @ u) for _ in range(samples)])
    else:
        raise ValueError(f"Argument 'rotation' must be 'structured' or 'haar', not {rotation!r}.")
    haar_mean = float(np.linalg.norm(u)) * math.sqrt(d) * expected_abs_coordinate(d)
    return Estimate(float(vals.mean()) - haar_mean, float(vals.std(ddof=1)) / math.sqrt(samples))
