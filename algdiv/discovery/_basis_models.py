r"""Candidates whose invariant covariances are the matrices diagonal in one fixed basis.

The DCT/DST groups act on a symmetric extension of the signal, not on its points, so
their invariant ``n x n`` covariances are no orbital pattern: they are exactly the
matrices :math:`Q \operatorname{diag}(\lambda) Q^T` with :math:`Q` the orthonormal
DCT (or DST) basis, ``n`` free parameters. A direct product of DCT groups (the 2-D
DCT of image blocks) has :math:`Q = Q_1 \otimes Q_2`. In the rotated coordinates
:math:`Q^T x` the model is "independent coefficients", so every statistic of the
discovery test has a closed or basis-free form:

* the projection keeps the diagonal of :math:`Q^T \hat R Q`;
* the likelihood-ratio statistic under :math:`H_0` with :math:`R = I` has the law of
  :math:`L(\sum_i \log W_{ii} - \log\det W)` for a standard Wishart ``W`` whatever
  ``Q`` is (a standard Wishart matrix is rotation invariant), so the shared draws
  calibrate it;
* the delta bootstrap draws from :math:`N(0, \operatorname{diag}(s))` directly in the
  rotated coordinates;
* the moment-matched threshold has :math:`E\|Z\|^2 = (\sum s)^2 - \sum s^2` and
  :math:`E\langle Z, Z'\rangle^2 = 2[(\sum s^2)^2 - \sum s^4]` for the off-diagonal
  part ``Z`` of one snapshot's :math:`x x^T`.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from ._thresholds import _logdet, mc_quantile

__all__ = ["signal_basis", "signal_size", "dct_candidates", "is_basis_model", "score_basis_model",
           "basis_estimate"]


def _dct_matrix(G):
    import scipy.fft as sfft

    n, t, kind = G.params["n"], G.params["type"], G.params["kind"]
    func = sfft.dct if kind == "dct" else sfft.dst
    # columns are the basis vectors: Q^T x = dct(x)
    return func(np.eye(n), type=t, norm="ortho", orthogonalize=True, axis=0).T


def is_basis_model(G) -> bool:
    """Whether ``G`` is a DCT/DST group or a direct product of them (of any depth)."""
    from algdiv.groups import DCTGroup

    if G.family == "direct":
        return bool(G.factors) and all(is_basis_model(f) for f in G.factors)
    return isinstance(G, DCTGroup)


def signal_size(G) -> int:
    """The signal length of a basis model: ``n``, or the product of the factors' ``n``."""
    if G.family == "direct":
        return int(np.prod([signal_size(f) for f in G.factors]))
    return int(G.params["n"])


def signal_basis(G):
    """The orthonormal basis ``Q`` (columns) of a DCT group or a product of them, else None."""
    if not is_basis_model(G):
        return None
    if G.family == "direct":
        Q = np.ones((1, 1))
        for f in G.factors:
            Q = np.kron(Q, signal_basis(f))
        return Q
    return _dct_matrix(G)


def dct_candidates(n):
    """``dct_group(n, 2)``, ``dct_group(n, 1)`` and, for each factorization ``n = a b``
    (``a, b >= 2``), the product ``dct_group(a, 2) x dct_group(b, 2)`` (2-D DCT-II of
    ``a x b`` blocks, row-major)."""
    from algdiv.groups import dct_group, direct_product

    from ._catalog import _factor_pairs

    out = [dct_group(n, 2)]
    if n >= 3:
        out.append(dct_group(n, 1))
    out += [direct_product(dct_group(a, 2), dct_group(b, 2)) for a, b in _factor_pairs(n)]
    return out


def basis_estimate(Q, R):
    """The projection of ``R`` on the model: :math:`Q \\operatorname{diag}(\\operatorname{diag}(Q^T R Q)) Q^T`."""
    s = np.einsum("ij,ik,kj->j", Q, R, Q)
    return (Q * s) @ Q.T


def score_basis_model(Q, R, dof, *, test, threshold, level, bound, draws, rng):
    """``(delta, statistic, threshold, method, S)`` of the model "diagonal in Q" for ``R``.

    ``draws`` is a callable returning the shared :class:`BootstrapDraws` (made on first
    use); ``level`` is the level of this one test; ``bound`` the screen bound (or None).
    """
    Rq = Q.T @ R @ Q
    s = np.diag(Rq).copy()
    nR = float(np.linalg.norm(R))
    off = Rq - np.diag(s)
    delta = float(np.linalg.norm(off) / nR) if nR > 0 else 0.0
    S = (Q * s) @ Q.T
    if dof is None:
        from ._discover import EXACT_RTOL

        return delta, delta, EXACT_RTOL, "exact", S
    if bound is not None and delta > bound:
        return delta, delta, bound, "screen", S
    if threshold == "bootstrap":
        D = draws()
        if test == "lr":
            W = D.standard
            diag = np.diagonal(W, axis1=1, axis2=2)
            null = D.dof * (np.sum(np.log(diag), axis=1) - _logdet(W))
            stat = float(dof * (np.sum(np.log(s)) - _logdet(Rq)))
            return delta, stat, mc_quantile(null, level), "lr-bootstrap", S
        W = D.covariances(np.diag(s))
        offw = W.copy()
        idx = np.arange(W.shape[1])
        offw[:, idx, idx] = 0.0
        deltas = np.sqrt(np.sum(offw * offw, axis=(1, 2)) / np.sum(W * W, axis=(1, 2)))
        return delta, delta, mc_quantile(deltas, level), "delta-bootstrap", S
    s2 = s * s
    tr1 = float(np.sum(s) ** 2 - np.sum(s2))
    tr2 = float(2.0 * (np.sum(s2) ** 2 - np.sum(s2 * s2)))
    if tr1 <= 0.0 or tr2 <= 0.0:
        return delta, delta, 0.0, "delta-moments", S
    g = tr2 / tr1 / dof
    h = tr1 * tr1 / tr2
    tau = float(np.sqrt(g * stats.chi2.ppf(1.0 - level, h)) / nR)
    return delta, delta, tau, "delta-moments", S
