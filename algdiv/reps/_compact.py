"""SO(2) and SO(3) as compact groups known through their irreducible representations.

These groups do not act by permutations, so they live in ``algdiv.reps`` as
plain objects with characters, irrep matrices and Haar sampling. Their
homogeneous spaces carry the continuous members of the catalog: the circle
(Fourier series: the DFT on N equispaced points), the sphere (real spherical
harmonics, :class:`algdiv.transforms._sphere.SphereTransform`) and, through
the metaplectic action, the fractional Fourier transform
(:func:`algdiv.transforms._frft.frft`).
"""
from __future__ import annotations

import math

import numpy as np

from algdiv.transforms._sphere import SphereTransform, real_spherical_harmonics

from .._progress import Ticker, check_progress
from ..groups._limits import check_bytes
from ..transforms._sphere import _as_int  # the same integer validation as the sphere grid

__all__ = ["SO2", "SO3", "funk_hecke"]


def _as_field(field):
    if field not in ("real", "complex"):
        raise ValueError(f"Argument 'field' must be in ['real', 'complex'], not {field!r}.")
    return field


def _as_size(size, per_item=8):
    if size is None:
        return None
    size = _as_int(size, "size", 0)
    check_bytes(per_item * size, f"{size} Haar samples")
    return size


def _as_angles(theta):
    theta = np.asarray(theta)
    if theta.dtype.kind not in "biuf":
        raise TypeError(f"Argument 'theta' must be real angles, not dtype {theta.dtype}.")
    theta = theta.astype(float)
    if not np.all(np.isfinite(theta)):
        raise ValueError("Argument 'theta' must be finite.")
    return theta


class SO2:
    r"""The rotation group SO(2) of the circle, through its irreps.

    Elements are angles :math:`\theta` (radians). Complex irreps are the
    characters :math:`\chi_n(\theta) = e^{in\theta}`, :math:`n \in \mathbb Z`;
    the real irreps are the trivial one (``n = 0``) and, for ``n >= 1``, the
    2-D rotations :math:`\begin{pmatrix}\cos n\theta & -\sin n\theta\\
    \sin n\theta & \cos n\theta\end{pmatrix}` (the pair ``{n, -n}`` of complex
    characters).

    Notes
    -----
    On the circle sampled at ``N`` equispaced points, SO(2) restricts to the
    cyclic group Z_N, and the matched transform of every stationary
    covariance ``k(theta - phi)`` is the Fourier series truncated to ``N``
    terms: the unitary DFT (complex) or the real Fourier basis (``"rdft"``
    plan kind) of :mod:`algdiv.transforms`. Its eigenvalues are the Fourier
    coefficients of ``k``, the circle's Funk-Hecke formula.

    References
    ----------
    M. Sugiura, *Unitary Representations and Harmonic Analysis*, 2nd ed.,
    North-Holland, 1990, ch. 1, doi:10.1016/S0924-6509(09)70011-9.

    Examples
    --------
    >>> import numpy as np
    >>> G = SO2()
    >>> bool(np.allclose(G.irrep(3, 0.4) @ G.irrep(3, 0.5), G.irrep(3, 0.9)))
    True
    >>> complex(G.character(2, np.pi / 2, field="complex")).real
    -1.0
    """

    name = "SO(2)"

    def __repr__(self) -> str:
        return "SO2()"

    @staticmethod
    def irrep_dim(n, field="real") -> int:
        """Dimension of irrep ``n``: 1 (complex, or ``n = 0``) or 2 (real ``n >= 1``)."""
        _as_field(field)
        if field == "complex":
            _as_int(n, "n", -(1 << 62))
            return 1
        return 1 if _as_int(n, "n", 0) == 0 else 2

    def irrep(self, n, theta, field="real"):
        """Matrix of irrep ``n`` at angle(s) ``theta``: shape ``theta.shape + (d, d)``."""
        _as_field(field)
        theta = _as_angles(theta)
        if field == "complex":
            n = _as_int(n, "n", -(1 << 62))
            return np.exp(1j * n * theta)[..., None, None]
        n = _as_int(n, "n", 0)
        if n == 0:
            return np.ones(theta.shape + (1, 1))
        c, s = np.cos(n * theta), np.sin(n * theta)
        return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)

    def character(self, n, theta, field="real"):
        """Character of irrep ``n``: ``exp(i n theta)`` (complex) or ``2 cos(n theta)`` (real, ``n >= 1``)."""
        _as_field(field)
        theta = _as_angles(theta)
        if field == "complex":
            return np.exp(1j * _as_int(n, "n", -(1 << 62)) * theta)
        n = _as_int(n, "n", 0)
        return np.ones_like(theta) if n == 0 else 2.0 * np.cos(n * theta)

    def sample(self, size=None, rng=None):
        """Haar-random angles, uniform on ``[0, 2 pi)``."""
        return np.random.default_rng(rng).uniform(0.0, 2.0 * np.pi, _as_size(size))

    @staticmethod
    def circle_transform(n, field="real"):
        r"""Fourier series on ``n`` equispaced points of the circle, as a transform plan.

        Returns the plan of :mod:`algdiv.transforms` whose matrix is the real
        Fourier basis (``"rdft"``: rows ``1/sqrt(n)``, then ``cos, sin`` pairs
        of frequency ``1, 2, ...``, then the alternating row for even ``n``)
        or the unitary DFT (``field="complex"``, ``"dft"`` with
        ``norm="ortho"``). It diagonalizes every stationary covariance
        ``k(theta_i - theta_j)`` (see :meth:`circle_eigenvalues`).

        Examples
        --------
        >>> import numpy as np
        >>> P = SO2.circle_transform(8)
        >>> bool(np.allclose(P.matrix() @ P.matrix().T, np.eye(8)))
        True
        """
        from algdiv.transforms import Problem, plan

        n = _as_int(n, "n", 1)
        if _as_field(field) == "complex":
            return plan(Problem("dft", n, dtype="complex128", norm="ortho"))
        return plan(Problem("rdft", n))

    @staticmethod
    def circle_eigenvalues(k, n, field="real"):
        r"""Eigenvalues of the stationary covariance ``K_ij = k(2 pi (i - j) / n)`` on the circle.

        .. math::

            \lambda_m = \sum_{j=0}^{n-1} k(2\pi j/n)\, e^{-2\pi i jm/n},

        the circle's Funk-Hecke formula, in the row order of
        :meth:`circle_transform` (each ``cos``/``sin`` pair shares one value
        for a real even ``k``).

        Examples
        --------
        >>> import numpy as np
        >>> k = lambda t: np.exp(np.cos(t))
        >>> t = 2 * np.pi * np.arange(6) / 6
        >>> K = k(t[:, None] - t[None, :])
        >>> A = SO2.circle_transform(6).matrix()
        >>> bool(np.allclose(A @ K @ A.T, np.diag(SO2.circle_eigenvalues(k, 6))))
        True
        """
        if not callable(k):
            raise TypeError(f"Argument 'k' must be a callable k(theta), not {type(k).__name__}.")
        n = _as_int(n, "n", 1)
        kt = np.asarray(k(2.0 * np.pi * np.arange(n) / n))
        if kt.shape != (n,) or kt.dtype.kind not in "biufc" or not np.all(np.isfinite(kt)):
            raise ValueError(f"Argument 'k' must return {n} finite numbers for {n} angles.")
        lam = np.fft.fft(kt)
        if _as_field(field) == "complex":
            return lam
        if np.iscomplexobj(kt) or np.abs(kt - kt[(-np.arange(n)) % n]).max() > 1e-12 * np.abs(kt).max():
            raise ValueError("Argument 'k' must be real and even (k(-t) = k(t)) for field='real'.")
        order = [0] + [m for f in range(1, (n + 1) // 2) for m in (f, f)] + ([n // 2] if n % 2 == 0 else [])
        return lam.real[order]


def _as_rotations(R):
    R = np.asarray(R)
    if R.dtype.kind not in "biuf":
        raise TypeError(f"Argument 'R' must be a real array of rotation matrices, not dtype {R.dtype}.")
    R = R.astype(float)
    if R.ndim < 2 or R.shape[-2:] != (3, 3):
        raise ValueError(f"Argument 'R' must have shape (..., 3, 3), not {R.shape}.")
    if not np.all(np.isfinite(R)):
        raise ValueError("Argument 'R' must be finite.")
    err = np.abs(np.swapaxes(R, -1, -2) @ R - np.eye(3)).max(initial=0.0)
    det = np.linalg.det(R) if R.size else np.ones(0)
    if err > 1e-8 or np.any(np.abs(det - 1.0) > 1e-8):
        raise ValueError(
            f"Argument 'R' must hold rotation matrices (R^T R = I, det R = 1), "
            f"not matrices with max |R^T R - I| = {err:.1e}."
        )
    return R


class SO3:
    r"""The rotation group SO(3), through its irreps (real Wigner D-matrices).

    Elements are 3 x 3 rotation matrices. Irrep ``l >= 0`` has dimension
    ``2l + 1``; in the basis of real spherical harmonics of degree ``l``
    (:func:`algdiv.transforms._sphere.real_spherical_harmonics`) it is the
    real orthogonal matrix

    .. math::

        D^l_{m'm}(R) = \int_{S^2} Y_{lm'}(x)\, Y_{lm}(R^{-1}x)\,dx,

    i.e. :math:`(\rho(R)Y_{lm})(x) = Y_{lm}(R^{-1}x) = \sum_{m'} Y_{lm'}(x)
    D^l_{m'm}(R)`, a homomorphism: ``D(R1 @ R2) = D(R1) @ D(R2)``. The
    integral is evaluated exactly by the degree-``l`` quadrature of
    :class:`SphereTransform` (a rotated harmonic is still band-limited to
    ``l``), so ``D^l`` is exact to rounding; cost ``O(l^4)`` per matrix. For
    ``l = 1`` it is ``R`` itself with the axes ordered ``(y, z, x)``.

    The character depends on the rotation angle :math:`\omega` only:
    :math:`\chi_l(\omega) = 1 + 2\sum_{k=1}^{l}\cos k\omega
    = \sin((l+\tfrac12)\omega)/\sin(\omega/2)`.

    References
    ----------
    M. A. Blanco, M. Florez and M. Bermejo, J. Mol. Struct. THEOCHEM
    419:19-27, 1997, doi:10.1016/S0166-1280(97)00185-1.
    K. Shoemake, "Uniform random rotations", Graphics Gems III, 124-132, 1992,
    doi:10.1016/B978-0-08-050755-2.50036-1.

    Examples
    --------
    >>> import numpy as np
    >>> G = SO3()
    >>> R1, R2 = G.sample(2, rng=0)
    >>> D = lambda R: G.irrep(2, R)
    >>> bool(np.allclose(D(R1 @ R2), D(R1) @ D(R2)))
    True
    >>> bool(np.isclose(np.trace(D(R1)), G.character(2, R1)))
    True
    """

    name = "SO(3)"

    def __init__(self):
        self._grids = {}

    def __repr__(self) -> str:
        return "SO3()"

    @staticmethod
    def irrep_dim(l) -> int:
        """Dimension ``2l + 1`` of irrep ``l``."""
        return 2 * _as_int(l, "l", 0) + 1

    @staticmethod
    def angle(R):
        """Rotation angle ``omega`` in ``[0, pi]`` of each rotation matrix."""
        R = _as_rotations(R)
        tr = np.trace(R, axis1=-2, axis2=-1)
        return np.arccos(np.clip(0.5 * (tr - 1.0), -1.0, 1.0))

    def character(self, l, R):
        """Character ``chi_l(R) = 1 + 2 sum_{k=1}^l cos(k omega)``."""
        l = _as_int(l, "l", 0)
        w = self.angle(R)
        k = np.arange(1, l + 1)
        return 1.0 + 2.0 * np.cos(np.multiply.outer(w, k)).sum(axis=-1)

    def irrep(self, l, R):
        """Real Wigner matrix ``D^l(R)``, shape ``R.shape[:-2] + (2l+1, 2l+1)``."""
        l = _as_int(l, "l", 0)
        R = _as_rotations(R)
        batch = R.shape[:-2]
        if l not in self._grids:
            self._grids[l] = SphereTransform(l)
        T = self._grids[l]
        # R^{-1} x = R^T x for every grid point x, for every R in the batch.
        y = np.einsum("...ji,pj->...pi", R, T.points)
        theta = np.arccos(np.clip(y[..., 2], -1.0, 1.0))
        phi = np.arctan2(y[..., 1], y[..., 0])
        Y = real_spherical_harmonics(l, theta, phi)[:, l * l:]          # (batch*P, 2l+1)
        Y = Y.reshape(*batch, T.n_points, 2 * l + 1)
        # Project each rotated harmonic (a column) onto degree l: Y^T W Y_rot.
        D = T.forward(Y, axis=-2)[..., l * l:, :]
        return D

    def sample(self, size=None, rng=None):
        """Haar-random rotations (normalized Gaussian quaternions), shape ``(size, 3, 3)`` or ``(3, 3)``."""
        size = _as_size(size, per_item=8 * 13)
        q = np.random.default_rng(rng).standard_normal((1 if size is None else size, 4))
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        w, x, y, z = q.T
        R = np.empty((q.shape[0], 3, 3))
        R[:, 0, 0] = 1 - 2 * (y * y + z * z)
        R[:, 0, 1] = 2 * (x * y - z * w)
        R[:, 0, 2] = 2 * (x * z + y * w)
        R[:, 1, 0] = 2 * (x * y + z * w)
        R[:, 1, 1] = 1 - 2 * (x * x + z * z)
        R[:, 1, 2] = 2 * (y * z - x * w)
        R[:, 2, 0] = 2 * (x * z - y * w)
        R[:, 2, 1] = 2 * (y * z + x * w)
        R[:, 2, 2] = 1 - 2 * (x * x + y * y)
        return R[0] if size is None else R


def _legendre_rule(n, ticker):
    r"""Gauss-Legendre nodes (descending) and weights in :math:`O(n^2)` vector work.

    Tricomi's asymptotic nodes :math:`x_k \approx (1 - \tfrac{1}{8n^2} + \tfrac{1}{8n^3})
    \cos\frac{\pi(k - 1/4)}{n + 1/2}` are refined by three Newton steps on
    :math:`P_n` (three-term recurrence), and :math:`w = 2/((1 - x^2) P_n'(x)^2)`;
    the eigenvalue route costs :math:`O(n^3)` (minutes at n = 6000). Each
    recurrence reports to ``ticker`` every 256 degrees.
    """
    k = np.arange(1, n + 1)
    x = np.cos(np.pi * (k - 0.25) / (n + 0.5)) * (1.0 - 1.0 / (8.0 * n * n) + 1.0 / (8.0 * n ** 3))

    def p_and_dp(x):
        p0, p1 = np.ones_like(x), x.copy()
        for j in range(2, n + 1):
            p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
            if j % 256 == 0:
                ticker.step(256)
        return p1, n * (x * p1 - p0) / (x * x - 1.0)

    for _ in range(3):
        p, dp = p_and_dp(x)
        x = x - p / dp
    _, dp = p_and_dp(x)
    return x, 2.0 / ((1.0 - x * x) * dp * dp)


def funk_hecke(k, L, *, n_quad=None, progress=None):
    r"""Eigenvalues of the zonal kernel ``k(x . y)`` on the unit sphere (Funk-Hecke).

    Parameters
    ----------
    k : callable
        Vectorized real function on ``[-1, 1]``.
    L : int
        Maximum degree, ``L >= 0``.
    n_quad : int, optional
        Gauss-Legendre nodes for the integrals (default ``2 L + 64``; the
        rule is exact when ``k`` is a polynomial of degree ``< 2 n_quad - L``).
    progress : callable, optional
        ``progress(done, total, label)`` over the degrees (:mod:`algdiv._progress`):
        the work is :math:`O((L + n_{quad}) n_{quad})` vector operations, minutes for
        ``L`` near ``10^5``.

    Raises
    ------
    TypeError
        ``k`` is not callable; ``L``/``n_quad`` not integers.
    ValueError
        ``L < 0``, ``n_quad < 1``, or ``k`` returns non-finite or wrongly shaped values.
    SizeLimitError
        The quadrature vectors would pass :data:`algdiv.groups.MEMORY_LIMIT`
        (``L`` above about 2.7e7); raised before any allocation.

    Returns
    -------
    lam : ndarray, shape (L + 1,)
        :math:`\lambda_l = 2\pi\int_{-1}^{1} k(t) P_l(t)\,dt`, so that

        .. math::

            \int_{S^2} k(x\cdot y)\, Y_{lm}(y)\,dy = \lambda_l\, Y_{lm}(x)

        for every spherical harmonic of degree ``l``: an isotropic covariance
        is diagonal in the spherical-harmonic basis with eigenvalue
        ``lam[l]`` of multiplicity ``2l + 1``.

    Notes
    -----
    For ``k(t) = exp(kappa t)``, :math:`\lambda_l = 4\pi\, i_l(\kappa)`
    (modified spherical Bessel function, ``scipy.special.spherical_in``).

    References
    ----------
    C. Müller, *Spherical Harmonics*, Lecture Notes in Mathematics 17,
    Springer, 1966, doi:10.1007/BFb0094775.

    Examples
    --------
    >>> import numpy as np, scipy.special
    >>> lam = funk_hecke(lambda t: np.exp(2 * t), 4)
    >>> bool(np.allclose(lam, 4 * np.pi * scipy.special.spherical_in(np.arange(5), 2.0)))
    True
    """
    if not callable(k):
        raise TypeError(f"Argument 'k' must be a callable k(t) on [-1, 1], not {type(k).__name__}.")
    L = _as_int(L, "L", 0)
    n_quad = 2 * L + 64 if n_quad is None else _as_int(n_quad, "n_quad", 1)
    check_progress(progress)
    # nodes, weights, k(t) and the three-term recurrence's vectors: ~10 float64 per node
    check_bytes(80 * n_quad + 8 * (L + 1), f"funk_hecke with L = {L} and {n_quad} quadrature nodes")
    ticker = Ticker(progress, 4 * n_quad + L + 1, "Funk-Hecke")
    t, w = _legendre_rule(n_quad, ticker)
    kt = np.asarray(k(t))
    if kt.shape != t.shape or kt.dtype.kind not in "biuf":
        raise ValueError(
            f"Argument 'k' must return real values of the same shape as its input "
            f"({t.shape}), not {kt.dtype} of shape {kt.shape}."
        )
    if not np.all(np.isfinite(kt)):
        raise ValueError("Argument 'k' must be finite on [-1, 1].")
    lam = np.empty(L + 1)
    p0, p1 = np.ones_like(t), t
    wk = w * kt
    for l in range(L + 1):
        lam[l] = 2.0 * math.pi * float(wk @ p0)
        p0, p1 = p1, ((2 * l + 3) * t * p1 - (l + 1) * p0) / (l + 2)
        if l % 256 == 255:
            ticker.step(256)
    ticker.finish()
    return lam
