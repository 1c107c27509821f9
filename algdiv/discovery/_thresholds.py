"""Noise-aware thresholds for delta: parametric bootstrap and a moment-matched form."""
from __future__ import annotations

import functools
import math

import numpy as np
from scipy import stats

from .._checks import check_int
from ._residual import _orbital_mean

__all__ = ["BootstrapDraws", "bootstrap_threshold", "bootstrap_lr_threshold", "lr_statistic",
           "mc_quantile", "minp_lr_test", "moment_threshold",
           "projected_fourth_moment", "screen_bound"]


def _psd_sqrt(S):
    w, V = np.linalg.eigh(S)
    return V * np.sqrt(np.clip(w, 0.0, None))


class BootstrapDraws:
    r"""Standard-normal building blocks shared by every candidate (common random numbers).

    For ``dof >= N`` the Bartlett factors: lower-triangular ``A`` with
    :math:`A_{ii} = \sqrt{\chi^2_{dof - i}}` and standard normals below, so that
    :math:`C A A^T C^T / dof` is a sample covariance of ``dof`` degrees of freedom
    from :math:`N(0, C C^T)` at :math:`O(N^3)` per draw, independently of L.
    Otherwise the raw normals ``Z`` (B, dof, N).
    """

    def __init__(self, n, dof, n_boot, rng):
        self.dof = int(dof)
        self.n = int(n)
        if self.dof >= self.n:
            A = np.tril(rng.standard_normal((n_boot, n, n)), -1)
            idx = np.arange(n)
            A[:, idx, idx] = np.sqrt(rng.chisquare(self.dof - idx, size=(n_boot, n)))
            self.A, self.Z = A, None
        else:
            self.A, self.Z = None, rng.standard_normal((n_boot, self.dof, n))

    @functools.cached_property
    def standard(self):
        """The B sample covariances from :math:`N(0, I)` (computed once, then shared)."""
        M = self.A if self.A is not None else self.Z.transpose(0, 2, 1)
        return M @ M.transpose(0, 2, 1) / self.dof

    def covariances(self, S):
        """B sample covariances (B, N, N) drawn from N(0, S) with ``dof`` degrees of freedom."""
        C = _psd_sqrt(S)
        if self.A is not None:
            M = C @ self.A
        else:
            M = C @ self.Z.transpose(0, 2, 1)
        return M @ M.transpose(0, 2, 1) / self.dof


def _finer(W, finer):
    """Pi_H W for the finer model H given as (labels, counts), or W itself (saturated)."""
    return W if finer is None else _orbital_mean(finer[0], finer[1], W)


def bootstrap_threshold(S, labels, counts, draws, level, finer=None):
    r"""(1 - level) quantile of :math:`\delta_G(\hat R^*)` over sample covariances
    :math:`\hat R^*` drawn from :math:`N(0, S)`, :math:`S = \Pi_G \hat R` (vectorized).

    With ``finer = (labels_H, counts_H)`` of a group :math:`H \le G` the residual is
    the nested one, :math:`\|\Pi_H \hat R^* - \Pi_G \hat R^*\|_F / \|\hat R^*\|_F`."""
    W = draws.covariances(S)
    res = _finer(W, finer) - _orbital_mean(labels, counts, W)
    deltas = np.sqrt(np.sum(res * res, axis=(1, 2)) / np.sum(W * W, axis=(1, 2)))
    return mc_quantile(deltas, level)


def projected_fourth_moment(S, labels, counts):
    r""":math:`E\|\Pi_G(x x^T)\|_F^2` for :math:`x \sim N(0, S)`, S invariant under G, exactly.

    With Isserlis' theorem, :math:`E[x_i x_j x_k x_l] = S_{ij}S_{kl} + S_{ik}S_{jl} +
    S_{il}S_{jk}`, and :math:`\Pi_G` the mean over each orbital O of ordered pairs,

    .. math::

        E\|\Pi_G(x x^T)\|_F^2 = \sum_O \Big[\frac{(\sum_{O} S)^2}{|O|}
            + \sum_{(k,l) \in O} (S_{i_O k} S_{j_O l} + S_{i_O l} S_{j_O k})\Big],

    where :math:`(i_O, j_O)` is any pair of O: by the invariance of S the inner sum
    is the same for every pair of the orbital. :math:`O(N^2)` work.
    """
    n = S.shape[0]
    lab = labels.ravel()
    present = counts > 0
    sums = np.bincount(lab, weights=S.ravel(), minlength=counts.size)
    t1 = float(np.sum(sums[present] ** 2 / counts[present]))
    _, first = np.unique(lab, return_index=True)
    rep = np.zeros(counts.size, dtype=np.intp)
    rep[lab[first]] = first
    I0, J0 = rep[labels] // n, rep[labels] % n
    K = np.arange(n)[:, None]
    L = np.arange(n)[None, :]
    t2 = float(np.sum(S[I0, K] * S[J0, L] + S[I0, L] * S[J0, K]))
    return t1 + t2


def _orbital_gram(X, labels, counts):
    """<Pi_G(x_a x_a^T), x_b x_b^T> for all pairs of rows of X (orbital sums, chunked)."""
    n_draws, n = X.shape
    r = counts.size
    lab = labels.ravel()
    sums = np.empty((n_draws, r))
    for a in range(n_draws):
        sums[a] = np.bincount(lab, weights=np.outer(X[a], X[a]).ravel(), minlength=r)
    keep = counts > 0
    return (sums[:, keep] / counts[keep]) @ sums[:, keep].T


def moment_threshold(S, labels, counts, dof, level, norm_hat, rng, n_draws=64, finer=None):
    r"""Moment-matched (Satterthwaite) threshold, O(n_draws N^2) after one factorization.

    Under :math:`H_0` the residual is :math:`\Pi_\perp E`, :math:`E = \hat R - R`,
    asymptotically Gaussian with covariance :math:`C = C_1/L`, :math:`C_1` the
    covariance of one snapshot's :math:`\Pi_\perp(x x^T)`. Match
    :math:`\|\Pi_\perp E\|_F^2 \approx g\chi^2_h` with
    :math:`g = \operatorname{tr} C^2 / \operatorname{tr} C`,
    :math:`h = (\operatorname{tr} C)^2 / \operatorname{tr} C^2`, where
    :math:`\operatorname{tr} C_1 = E\|Z\|^2` and :math:`\operatorname{tr} C_1^2 =
    E\langle Z, Z'\rangle^2` for independent single-snapshot residuals
    :math:`Z = \Pi_\perp(x x^T)`; both moments are estimated from ``n_draws``
    snapshots of :math:`N(0, S)` -- the first in closed form
    (:func:`projected_fourth_moment`), the second by Monte Carlo (it only sets the
    spread, a second-order effect on the quantile). With ``finer`` (a group :math:`H \le G`),
    :math:`\Pi_\perp` becomes :math:`\Pi_H - \Pi_G` (the nested residual).
    """
    from ._validate import as_level

    dof = check_int(dof, "dof", min=1)
    level = as_level(level)
    n_draws = check_int(n_draws, "n_draws", min=2)
    try:                    # any factor C C^T = S will do; Cholesky is 3x cheaper than eigh
        C = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        C = _psd_sqrt(S)
    X = rng.standard_normal((n_draws, S.shape[0])) @ C.T
    # <Z_a, Z_b> without forming Z: Pi_fine - Pi_G is an orthogonal projection, so
    # <Z_a, Z_b> = <Pi_fine X_a, X_b> - <Pi_G X_a, X_b>, and for orbital sums
    # s_a(O) = sum over O of x_ai x_aj, <Pi_G X_a, X_b> = sum_O s_a(O) s_b(O) / |O|,
    # while <X_a, X_b> = (x_a . x_b)^2: O(n_draws N^2) instead of an n_draws^2 N^2 product
    gram = -_orbital_gram(X, labels, counts)
    gram += (X @ X.T) ** 2 if finer is None else _orbital_gram(X, finer[0], finer[1])
    # tr C_1 = E||Z||^2 in closed form: the Monte Carlo mean of 64 draws is off by a few
    # per cent at N >= 128, more than the whole spread of delta under H0 there
    tr_s = float(np.trace(S))
    full = tr_s * tr_s + 2.0 * float(np.sum(S * S)) if finer is None else \
        projected_fourth_moment(S, finer[0], finer[1])
    tr1 = full - projected_fourth_moment(S, labels, counts)
    off = gram[~np.eye(n_draws, dtype=bool)]
    tr2 = float(np.mean(off * off))
    if tr1 <= 0.0 or tr2 <= 0.0:
        return 0.0
    g = tr2 / tr1 / dof
    h = tr1 * tr1 / tr2
    q = g * stats.chi2.ppf(1.0 - level, h)
    return float(np.sqrt(q) / norm_hat)


def screen_bound(R_hat, dof, level):
    r"""Upper bound on every candidate's threshold, for cheap rejection.

    :math:`E\|\Pi_\perp E\|_F^2 \le E\|E\|_F^2 = (\operatorname{tr}(R)^2 + \|R\|_F^2)/L`,
    and for a scaled :math:`\chi^2_h` the (1 - level) quantile over the mean is
    largest at h = 1. A candidate whose :math:`\delta` exceeds this bound is
    rejected without computing its own threshold.
    """
    from ._validate import as_covariance, as_level

    R_hat = as_covariance(R_hat, "R_hat")
    dof = check_int(dof, "dof", min=1)
    level = as_level(level)
    tr = float(np.trace(R_hat))
    nrm2 = float(np.sum(R_hat * R_hat))
    mean = (tr * tr + nrm2) / dof
    return float(np.sqrt(stats.chi2.ppf(1.0 - level, 1) * mean / nrm2))


def _logdet(M):
    sign, ld = np.linalg.slogdet(M)
    return np.where(sign > 0, ld, -np.inf)


def lr_statistic(R_alt, S, dof):
    r"""Gaussian likelihood-ratio statistic of :math:`H_0: R \in \mathrm{Comm}(G)`.

    For an invariant normal model the maximum-likelihood covariance is the group
    average :math:`S = \Pi_G \hat R` (Andersson 1975, doi:10.1214/aos/1176343009),
    :math:`\operatorname{tr}(S^{-1}\hat R) = N`, and against the saturated model
    :math:`\Lambda = L (\log\det S - \log\det \hat R) \ge 0`. Against a finer
    invariant model :math:`H \le G`, ``R_alt`` is :math:`\Pi_H \hat R` (its MLE) and
    :math:`\Lambda_{G|H} = L (\log\det \Pi_G \hat R - \log\det \Pi_H \hat R)`.
    """
    return float(dof * (_logdet(S) - _logdet(R_alt)))


def mc_quantile(stats_, level):
    r"""Critical value of the Monte Carlo test: the :math:`\lceil (B+1)(1-\alpha)\rceil`-th
    smallest of B null draws (infinite when that exceeds B), so that for a continuous
    statistic the test rejects with probability at most :math:`\alpha` exactly, not only
    as :math:`B \to \infty` (Davison and Hinkley 1997, section 4.2.1)."""
    s = np.sort(np.asarray(stats_, dtype=np.float64))
    k = math.ceil((s.size + 1) * (1.0 - level))
    return float(s[k - 1]) if k <= s.size else float("inf")


def bootstrap_lr_threshold(labels, counts, draws, level, finer=None):
    r"""(1 - level) critical value of :math:`\Lambda` (or :math:`\Lambda_{G|H}` with
    ``finer``) under :math:`H_0: R \in \mathrm{Comm}(G)`.

    The statistic is pivotal: for :math:`A` in the commutant,
    :math:`\Pi_G(A W A^T) = A\,\Pi_G(W)\,A^T` (and likewise for :math:`H \le G`), so
    with :math:`W = R^{1/2} W_0 R^{1/2}` the determinants' ratio does not depend on R.
    Its null distribution is therefore exactly that under :math:`R = I`, from the
    shared Wishart draws :attr:`BootstrapDraws.standard` (no estimated nuisance
    parameter, unlike a bootstrap from :math:`\Pi_G \hat R`)."""
    W = draws.standard
    stat = draws.dof * (_logdet(_orbital_mean(labels, counts, W)) - _logdet(_finer(W, finer)))
    return mc_quantile(stat, level)


def minp_lr_test(R_hat, S, labels, counts, alternatives, draws, level):
    r"""Stage-2 test of :math:`H_0: R \in \mathrm{Comm}(G)` against several alternatives at once.

    Each alternative is a partition :math:`P_j` of the ordered pairs refining G's
    orbitals (a finer group's orbitals, or their common refinement with G's), with the
    statistic :math:`\Lambda_j = L(\log\det \Pi_G \hat R - \log\det \Pi_{P_j} \hat R)`.
    The test rejects when the smallest of their bootstrap p-values is small for a
    minimum of p-values: the min-p resampling method (Westfall and Young 1993,
    *Resampling-Based Multiple Testing*, section 2.6), calibrated jointly on the same
    parametric draws from :math:`N(0, \Pi_G \hat R)`, so that a true G is rejected with
    probability ``level`` whatever the number of alternatives and their correlation.

    Parameters
    ----------
    R_hat, S : ndarray (N, N)
        The sample covariance and :math:`\Pi_G \hat R`.
    labels, counts : G's orbital labels and their sizes.
    alternatives : list of (labels, counts)
    draws : BootstrapDraws
    level : float

    Returns
    -------
    (j, statistic, threshold) or None
        The alternative with the smallest p-value, its :math:`\Lambda_j` and the critical
        value that the joint calibration implies for it: G is rejected iff
        statistic > threshold (iff some alternative exceeds its own). None when no
        alternative's :math:`\Pi_{P_j} \hat R` is positive definite.
    """
    dof = draws.dof
    base = float(_logdet(S))
    obs, alts, idx = [], [], []
    for j, (pl, pc) in enumerate(alternatives):
        ld = float(_logdet(_orbital_mean(pl, pc, R_hat)))
        if np.isfinite(ld):
            obs.append(dof * (base - ld))
            alts.append((pl, pc))
            idx.append(j)
    if not alts:
        return None
    obs = np.asarray(obs)
    W = draws.covariances(S)
    wb = _logdet(_orbital_mean(labels, counts, W))
    null = np.stack([dof * (wb - _logdet(_orbital_mean(pl, pc, W))) for pl, pc in alts])
    null = np.nan_to_num(null, nan=np.inf, neginf=np.inf)   # alt not PD: +inf, conservative
    m, B = null.shape
    srt = np.sort(null, axis=1)
    # p-value of x in row j: #{b: null[j, b] >= x} / B
    p_null = np.stack([B - np.searchsorted(srt[i], null[i], side="left") for i in range(m)]) / B
    p_obs = np.array([B - np.searchsorted(srt[i], obs[i], side="left") for i in range(m)]) / B
    minp = np.sort(p_null.min(axis=0))
    # Monte Carlo test: reject iff 1 + #{b: minp_b <= min p_obs} <= level (B + 1)
    allowed = math.floor(level * (B + 1)) - 1     # < B since level < 1
    best = int(np.lexsort((-obs, p_obs))[0])       # smallest p (rejects if any does)
    if allowed < 0:                                # too few draws to reject at this level
        return idx[best], float(obs[best]), float("inf")
    # reject iff min p_obs < c = minp[allowed], i.e. iff p_obs[best] < c, i.e. iff
    # obs[best] > srt[best][B - cB] (p-values are multiples of 1/B, at least 1/B)
    n_c = int(round(minp[allowed] * B))
    return idx[best], float(obs[best]), float(srt[best, B - n_c])
