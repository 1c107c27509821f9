"""Fast Gaussian-process regression and Bayesian cubature on lattices and digital nets."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import scipy.fft
import scipy.optimize
import scipy.stats

from .._checks import check_choice, check_int, check_real
from ..groups._limits import check_bytes
from .._progress import Ticker, check_progress
from ..transforms import fwht
from ..transforms._fftbr import bitrev_permutation
from ._fastgram import FastGram, _as_points, _merge_halves
from ._kernels import DIGITS, ProductKernel, dsi_kernel, si_kernel
from ._lattice import cbc, lattice
from ._nets import sobol

__all__ = ["FastGP", "cubature", "CubatureResult", "worst_case_error"]

_LOG_W_BOUNDS = (math.log(1e-8), math.log(1e4))
_LOG_ETA_BOUNDS = (math.log(1e-12), math.log(1.0))


def _univariate_table(kernel, x):
    """U[k, j] = K_alpha_j(x_kj (-) x_0j): independent of weights and scale."""
    n, d = x.shape
    alpha = np.broadcast_to(kernel.alpha, (d,))
    if kernel.invariance == "shift":
        t = (x - x[0]) % 1.0
    else:
        ints = np.ldexp(x, DIGITS).astype(np.uint64)
        t = np.ldexp((ints ^ ints[0]).astype(np.float64), -DIGITS)
    return np.stack([kernel.univariate(t[:, j], alpha[j]) for j in range(d)], axis=1)


class FastGP:
    r"""Gaussian-process regression on a lattice or digital net in O(n log n).

    The model is :math:`f = m + g`, :math:`g \sim \mathrm{GP}(0, S\,\tilde k_\gamma)`,
    observed with noise variance :math:`S\eta`, where :math:`\tilde k_\gamma` is the
    kernel with scale 1 and weights :math:`\gamma`. The constant mean :math:`m` has
    a flat prior and :math:`S` is profiled out, so fitting maximizes

    .. math::

        -\tfrac{n-1}{2}\log\Bigl(\sum_{k\ne0}\frac{|\hat y_k|^2}{n\lambda_k}\Bigr)
        - \tfrac12\sum_{k\ne0}\log\lambda_k

    over :math:`\log\gamma` (and :math:`\log\eta` with ``fit_nugget=True``), with
    :math:`\hat y = T y` and :math:`\lambda = T\kappa + \eta` for the matched
    transform T (FFT or FWHT). Because the eigenvectors do not depend on the
    hyperparameters, :math:`\hat y` is computed once; every likelihood and
    gradient evaluation costs d + 1 transforms of length n.

    Parameters
    ----------
    points : array_like, shape (n, d)
        A lattice or digital net (see :class:`FastGram`).
    y : array_like, shape (n,)
        Observations.
    kernel : ProductKernel, optional
        Initial kernel (its alpha is kept; weights are the starting point).
        Default: ``si_kernel(1)`` on a lattice, ``dsi_kernel(1)`` on a net.
    nugget : float, optional
        Relative noise :math:`\eta` (initial value if ``fit_nugget``).
    fit : bool, optional
        Maximize the marginal likelihood over the weights (L-BFGS-B).
    fit_nugget : bool, optional
        Also fit :math:`\eta`.

    Attributes
    ----------
    kernel : ProductKernel
        The fitted kernel (weights :math:`\gamma`, scale :math:`S`).
    mean : float
        :math:`\hat m` (the sample mean: the constant is an eigenvector).
    nugget : float
        :math:`\eta` (relative).
    gram : FastGram
        :math:`S(\tilde K + \eta I)`.

    References
    ----------
    .. [1] R. Jagadeeswaran and F. J. Hickernell, "Fast automatic Bayesian
       cubature using lattice sampling", Stat. Comput. 29 (2019) 1215-1229,
       doi:10.1007/s11222-019-09895-9.
    .. [2] C. E. Rasmussen and C. K. I. Williams, "Gaussian Processes for
       Machine Learning", MIT Press, 2006, chapter 5.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.qmc import FastGP, lattice, cbc
    >>> x = lattice(256, cbc(256, 2), shift="random", rng=0)
    >>> f = lambda x: np.sin(2 * np.pi * x[:, 0]) + x[:, 1] ** 2
    >>> gp = FastGP(x, f(x))
    >>> xt = np.random.default_rng(1).random((5, 2))
    >>> bool(np.max(np.abs(gp.predict(xt) - f(xt))) < 0.05)
    True
    """

    def __init__(self, points, y, kernel=None, *, nugget=1e-8, fit=True, fit_nugget=False,
                 rng=0, workers=None):
        x = _as_points(points)
        y = np.asarray(y, dtype=float)
        if y.shape != (x.shape[0],):
            raise ValueError(f"Argument 'y' must have shape ({x.shape[0]},), not {y.shape}.")
        if not np.all(np.isfinite(y)):
            raise ValueError("Argument 'y' must be finite.")
        if x.shape[0] < 2:
            raise ValueError(f"Argument 'points' must hold at least 2 points, not {x.shape[0]}.")
        kernel, base = self._initial(kernel, x, rng, workers)
        self._build(x, y, kernel, base, _univariate_table(kernel, x), base._forward(y),
                    nugget, fit, fit_nugget, rng, workers)

    def _build(self, x, y, kernel, base, U, yhat, nugget, fit, fit_nugget, rng, workers):
        if not isinstance(nugget, numbers.Real) or not nugget > 0:
            raise ValueError(f"Argument 'nugget' must be a real > 0, not {nugget!r}.")
        self.workers = workers
        self._rng = rng
        self.points, self.y, self._base, self._U, self._yhat = x, y, base, U, yhat
        self.n, self.d = x.shape
        self._alpha = kernel.alpha
        self._mult = base._multiplicity().copy()
        self._mult[0] = 0.0                         # the mean mode is profiled out
        self._power = np.abs(yhat) ** 2
        w0 = np.broadcast_to(kernel.weights, (self.d,)).astype(float)
        theta = np.log(np.clip(w0, 1e-8, 1e4))
        log_eta = math.log(nugget)
        if fit:
            theta, log_eta = self._fit(theta, log_eta, fit_nugget)
        self._set(theta, log_eta)

    @staticmethod
    def _initial(kernel, x, rng, workers):
        if kernel is None:
            errors = []
            for k in (si_kernel(1), dsi_kernel(1)):
                try:
                    return k, FastGram(k, x, rng=rng, workers=workers)
                except ValueError as exc:
                    errors.append(str(exc))
            raise ValueError("Argument 'points' is neither a lattice nor a digital net: " + errors[-1])
        if not isinstance(kernel, ProductKernel):
            raise TypeError(
                f"Argument 'kernel' must be a ProductKernel (si_kernel or dsi_kernel), not {type(kernel).__name__}."
            )
        kernel = kernel.with_params(scale=1.0)
        return kernel, FastGram(kernel, x, rng=rng, workers=workers)

    # -- likelihood ---------------------------------------------------------------
    def _lam_tilde(self, w):
        factors = 1.0 + self._U * w
        return self._base._spectrum(np.prod(factors, axis=1)), factors

    def _objective(self, params, fit_nugget, log_eta_fixed):
        d, n = self.d, self.n
        w = np.exp(params[:d])
        log_eta = params[d] if fit_nugget else log_eta_fixed
        eta = math.exp(log_eta)
        lam_t, factors = self._lam_tilde(w)
        lam = lam_t + eta
        if not np.all(lam[1:] > 0):
            return 1e300, np.zeros_like(params)
        q = float(np.sum(self._mult * self._power / (n * lam)))
        if not q > 0:
            return 1e300, np.zeros_like(params)
        value = 0.5 * (n - 1) * math.log(q / (n - 1)) + 0.5 * float(np.sum(self._mult * np.log(lam)))
        dl = self._mult * (-0.5 * (n - 1) * self._power / (n * lam * lam * q) + 0.5 / lam)
        grad = np.zeros_like(params)
        # d kappa / d gamma_j = U_j prod_{l != j} (1 + gamma_l U_l), by prefix/suffix products
        pre = np.cumprod(np.concatenate([np.ones((n, 1)), factors[:, :-1]], axis=1), axis=1)
        suf = np.cumprod(np.concatenate([np.ones((n, 1)), factors[:, :0:-1]], axis=1), axis=1)[:, ::-1]
        dkappa = self._U * pre * suf * w
        for j in range(d):
            grad[j] = float(np.sum(dl * self._base._spectrum(dkappa[:, j])))
        if fit_nugget:
            grad[d] = float(np.sum(dl)) * eta
        return value, grad

    def _fit(self, theta, log_eta, fit_nugget):
        # Two starts, the given weights and weights 1: the likelihood can also have a
        # boundary optimum that explains the data as noise (weights -> 0, S -> large).
        bounds = [_LOG_W_BOUNDS] * self.d + ([_LOG_ETA_BOUNDS] if fit_nugget else [])
        best = None
        for start in (theta, np.zeros(self.d)):
            x0 = np.append(start, log_eta) if fit_nugget else start
            res = scipy.optimize.minimize(self._objective, x0, args=(fit_nugget, log_eta), jac=True,
                                          method="L-BFGS-B", bounds=bounds, options={"maxiter": 200})
            if best is None or res.fun < best.fun:
                best = res
            if np.allclose(start, 0.0):
                break
        return best.x[: self.d], (best.x[self.d] if fit_nugget else log_eta)

    def neg_log_likelihood(self, weights=None, nugget=None):
        """The profiled negative log marginal likelihood (up to a constant) and its gradient.

        Returns ``(value, gradient)``; the gradient is with respect to
        ``log(weights)`` (and ``log(nugget)``, last, when ``nugget`` is given).
        """
        w = np.broadcast_to(self.kernel.weights if weights is None else np.asarray(weights, float), (self.d,))
        params = np.log(w)
        if nugget is not None:
            return self._objective(np.append(params, math.log(nugget)), True, None)
        return self._objective(params, False, math.log(self.nugget))

    def _set(self, theta, log_eta):
        n = self.n
        w = np.exp(theta)
        eta = math.exp(log_eta)
        lam_t, _ = self._lam_tilde(w)
        q = float(np.sum(self._mult * self._power / (n * (lam_t + eta))))
        scale = max(q / (n - 1), np.finfo(float).tiny)
        self.nugget = eta
        self.kernel = ProductKernel(self._base.kernel.invariance, self._alpha, w, scale)
        self.mean = float(np.mean(self.y))
        self._lam_t = lam_t
        self.gram = FastGram._from_state(self.kernel, scale * eta, self._rng, self.workers,
                                         self.points, self._base._s, scale * lam_t)
        self._coef = self.gram.solve(self.y - self.mean)

    # -- predictions --------------------------------------------------------------
    def predict(self, x, return_std=False):
        r"""Posterior mean (and standard deviation) of f at ``x`` (shape (p, d)).

        Cost O(p n) for the mean and O(p n log n) for the standard deviation;
        rows are processed in blocks to bound memory.
        """
        x = _as_points(x, "x")
        if x.shape[1] != self.d:
            raise ValueError(f"Argument 'x' must have dimension {self.d}, not {x.shape[1]}.")
        block = max(1, (1 << 21) // self.n)
        means, stds = [], []
        n = self.n
        lam0 = float(self.gram._lam[0]) + self.gram.nugget      # eigenvalue of the constant vector
        for lo in range(0, x.shape[0], block):
            kx = self.kernel(x[lo:lo + block, None, :], self.points[None])          # (b, n)
            means.append(self.mean + kx @ self._coef)
            if return_std:
                sol = self.gram.solve(kx.T)                                          # (n, b)
                var = self.kernel(x[lo:lo + block], x[lo:lo + block])               # k(x, x)
                var = var - np.einsum("bn,nb->b", kx, sol)
                var += (1 - sol.sum(axis=0)) ** 2 * lam0 / n        # flat prior on the mean
                stds.append(np.sqrt(np.maximum(var, 0)))
        mean = np.concatenate(means)
        return (mean, np.concatenate(stds)) if return_std else mean

    def integral(self):
        r"""Posterior mean and standard deviation of :math:`\int_{[0,1]^d} f`.

        Every :math:`\tilde K_\alpha` integrates to 0, so :math:`\int k(x, z)\,dz = S`
        and the constant vector is the eigenvector of :math:`\lambda_0`. With the
        flat prior on m this gives the sample mean and

        .. math:: \sigma^2 = S\Bigl(\frac{\lambda_0}{n} - 1\Bigr),
            \qquad \lambda_0 = \sum_k \tilde k(x_k, x_0) + \eta .

        Returns
        -------
        (float, float)
        """
        lam0 = float(self._lam_t[0]) + self.nugget
        var = self.kernel.scale * max(lam0 / self.n - 1.0, 0.0)
        return self.mean, math.sqrt(var)

    def double(self, new_points, new_y, *, refit=True):
        """Add the next n points of the extensible sequence (n -> 2n).

        The transform of the data and the kernel tables are extended with one
        transform of the new half and an O(n) merge; ``refit`` re-optimizes the
        hyperparameters from the current ones.
        """
        new = _as_points(new_points, "new_points")
        new_y = np.asarray(new_y, dtype=float)
        if new_y.shape != (new.shape[0],):
            raise ValueError(f"Argument 'new_y' must have shape ({new.shape[0]},), not {new_y.shape}.")
        base2 = self._base.double(new)
        x = base2.points
        n = self.n
        U2 = np.concatenate([self._U, _univariate_table(self._base.kernel, np.concatenate([x[:1], new]))[1:]])
        kind = base2._s.kind
        if kind == "digital":
            b = fwht(new_y)
        else:
            b = scipy.fft.rfft(np.take(new_y, bitrev_permutation(n)), workers=self.workers)
        yhat2 = _merge_halves(self._yhat, b, n, kind)
        gp = FastGP.__new__(FastGP)
        gp._build(x, np.concatenate([self.y, new_y]), self.kernel, base2, U2, yhat2,
                  self.nugget, refit, False, self._rng, self.workers)
        return gp


def worst_case_error(kernel, points):
    r"""Worst-case integration error of the equal-weight rule on ``points``, O(n).

    For a reproducing kernel with :math:`\int k(x, z)\,dz = S` (every
    :func:`si_kernel` and :func:`dsi_kernel`),

    .. math:: e^2 = \frac1{n^2}\sum_{i,j} k(x_i, x_j) - S = \frac{\lambda_0}{n} - S,

    where :math:`\lambda_0 = \sum_k k(x_k, x_0)` is the eigenvalue of the constant
    vector.

    Examples
    --------
    >>> from algdiv.qmc import worst_case_error, lattice, cbc, si_kernel
    >>> k = si_kernel(1, weights=0.1)
    >>> e64 = worst_case_error(k, lattice(64, cbc(64, 3, weights=0.1)))
    >>> e1024 = worst_case_error(k, lattice(1024, cbc(1024, 3, weights=0.1)))
    >>> bool(e1024 < e64 / 8)
    True
    """
    if not isinstance(kernel, ProductKernel):
        raise TypeError(f"Argument 'kernel' must be a ProductKernel, not {type(kernel).__name__}.")
    G = FastGram(kernel, points)
    e2 = float(G._lam[0]) / G.n - kernel.scale
    return math.sqrt(max(e2, 0.0))


@dataclass
class CubatureResult:
    """Result of :func:`cubature`."""

    estimate: float
    error: float
    n: int
    std: float
    converged: bool
    kernel: ProductKernel
    history: list = field(default_factory=list)   # (n, estimate, error) per step


def cubature(f, d, *, abs_tol=1e-3, rel_tol=0.0, points="lattice", alpha=1, n_init=256,
             n_max=1 << 16, confidence=0.99, periodize=None, rng=None, progress=None):
    r"""Bayesian quasi-Monte Carlo cubature of f over :math:`[0,1]^d`, doubling n until the
    credible-interval half-width meets the tolerance.

    Parameters
    ----------
    f : callable
        ``f(x)`` for x of shape (n, d), returning shape (n,).
    d : int
        Dimension.
    abs_tol, rel_tol : float, optional
        Stop when the half-width is at most ``max(abs_tol, rel_tol * |estimate|)``.
    points : {"lattice", "sobol"}, optional
        A shifted radical-inverse lattice from :func:`cbc` with
        :func:`si_kernel`, or an LMS-scrambled, digitally shifted Sobol' net
        (interlaced for ``alpha >= 2``) with :func:`dsi_kernel`.
    alpha : int, optional
        Smoothness (lattice 1..5, sobol 1..4).
    n_init, n_max : int, optional
        Powers of 2: the first and the largest sample sizes.
    confidence : float, optional
        Level of the credible interval (default 0.99).
    periodize : {None, "baker"}, optional
        "baker" integrates :math:`f(1 - |2x - 1|)` instead (the same integral;
        the tent map makes f periodic, which lattice rules and shift-invariant
        kernels need for fast convergence).
    rng : optional
        Randomization seed.
    progress : callable or None, optional
        ``progress(done, total, label)`` after each sample size (``total`` =
        the number of doublings from ``n_init`` to ``n_max``, plus one; the
        last call has ``done == total``, also when the tolerance is met early).

    Returns
    -------
    CubatureResult

    Notes
    -----
    Each step doubles n with :meth:`FastGP.double` (one transform of the new
    half and an O(n) merge, then a warm-started refit) and reports the
    posterior of the integral, :meth:`FastGP.integral`.

    References
    ----------
    .. [1] R. Jagadeeswaran and F. J. Hickernell, "Fast automatic Bayesian
       cubature using lattice sampling", Stat. Comput. 29 (2019) 1215-1229,
       doi:10.1007/s11222-019-09895-9.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.qmc import cubature
    >>> f = lambda x: np.exp(x.sum(axis=1))          # integral (e - 1)^2
    >>> res = cubature(f, 2, abs_tol=1e-5, alpha=2, periodize="baker", rng=1)
    >>> res.converged, res.n, abs(res.estimate - (np.e - 1) ** 2) < res.error
    (True, 8192, True)
    """
    if not callable(f):
        raise TypeError(f"Argument 'f' must be callable, not {type(f).__name__}.")
    d = check_int(d, "d", min=1)
    for name, v in (("n_init", n_init), ("n_max", n_max)):
        v = check_int(v, name, min=2)
        if v & (v - 1):
            raise ValueError(f"Argument '{name}' must be a power of 2 >= 2, not {v!r}.")
    if n_init > n_max:
        raise ValueError(f"Argument 'n_init' must be an integer <= n_max = {n_max}, not {n_init}.")
    abs_tol = check_real(abs_tol, "abs_tol", min=0)
    rel_tol = check_real(rel_tol, "rel_tol", min=0)
    if abs_tol == 0 and rel_tol == 0:
        raise ValueError("Arguments 'abs_tol' and 'rel_tol' are both 0: no estimate can meet that; "
                         "give a positive tolerance.")
    confidence = check_real(confidence, "confidence", min=0, max=1, open_min=True, open_max=True)
    points = check_choice(points, "points", ("lattice", "sobol"))
    alpha = check_int(alpha, "alpha", min=1, max=5 if points == "lattice" else 4,
                      why=f"for points={points!r}")
    periodize = check_choice(periodize, "periodize", (None, "baker"))
    # the n_max points, the GP's values, transforms and weights: about 6 n_max d float64
    check_bytes(8.0 * n_max * (d + 6), f"cubature up to n_max = {n_max} points in {d} dimensions")
    gen = np.random.default_rng(rng)
    if points == "lattice":
        kernel = si_kernel(alpha)
        x_all = lattice(n_max, cbc(n_max, d, alpha=alpha), order="radical", shift="random", rng=gen)
    else:
        kernel = dsi_kernel(alpha)
        x_all = sobol(n_max, d, alpha=alpha, randomize="lms", rng=gen)
    z = float(scipy.stats.norm.ppf(0.5 + confidence / 2))

    def evaluate(x):
        v = np.asarray(f(x if periodize is None else 1.0 - np.abs(2.0 * x - 1.0)), dtype=float)
        if v.shape != (x.shape[0],):
            raise ValueError(f"Argument 'f' must return shape ({x.shape[0]},), not {v.shape}.")
        return v

    n = n_init
    ticker = Ticker(check_progress(progress), (n_max // n_init).bit_length(), f"n = {n}")
    gp = FastGP(x_all[:n], evaluate(x_all[:n]), kernel)
    history = []
    while True:
        est, std = gp.integral()
        err = z * std
        history.append((n, est, err))
        ticker.step(label=f"n = {n}")
        if err <= max(abs_tol, rel_tol * abs(est)) or 2 * n > n_max:
            ticker.finish()
            return CubatureResult(est, err, n, std, err <= max(abs_tol, rel_tol * abs(est)),
                                  gp.kernel, history)
        new = x_all[n:2 * n]
        gp = gp.double(new, evaluate(new))
        n *= 2
