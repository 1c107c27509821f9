"""Noise-aware thresholds: bootstrap, moment-matched form, LR statistic, screen."""
import numpy as np
import pytest
from scipy import stats

from algdiv.discovery import planted_covariance, screen_bound
from algdiv.discovery._residual import _orbital_mean
from algdiv.discovery._thresholds import (BootstrapDraws, bootstrap_lr_threshold,
                                          bootstrap_threshold, lr_statistic, moment_threshold)
from algdiv.groups import dihedral, tree


def _lab(G):
    lab = G.orbitals()
    return lab, np.bincount(lab.ravel())


def test_bartlett_draws_have_wishart_moments():
    # E[W] = S and Var(W_ij) = (S_ii S_jj + S_ij^2) / dof (closed form)
    R, _ = planted_covariance("circulant", 8)
    draws = BootstrapDraws(8, 50, 4000, np.random.default_rng(0))
    W = draws.covariances(R)
    se = np.sqrt((np.outer(np.diag(R), np.diag(R)) + R * R) / 50 / 4000)
    assert np.max(np.abs(W.mean(0) - R) / se) < 5
    var = (np.outer(np.diag(R), np.diag(R)) + R * R) / 50
    assert np.max(np.abs(W.var(0) / var - 1)) < 0.2
    # the L < N path (raw normals) has the same mean
    small = BootstrapDraws(8, 5, 4000, np.random.default_rng(1)).covariances(R)
    assert np.max(np.abs(small.mean(0) - R)) < 0.1


def test_moment_threshold_agrees_with_bootstrap():
    rng = np.random.default_rng(0)
    for model, G in (("circulant", dihedral(16)), ("tree", tree(4))):
        R, _ = planted_covariance(model, 16)
        lab, cnt = _lab(G)
        for L in (300, 3000):
            draws = BootstrapDraws(16, L, 2000, rng)
            boot = bootstrap_threshold(R, lab, cnt, draws, 0.05)
            mom = moment_threshold(R, lab, cnt, L, 0.05, np.linalg.norm(R), rng, n_draws=400)
            assert abs(mom / boot - 1) < 0.15, (model, L, mom, boot)
            assert screen_bound(R, L, 0.05) > boot


def test_lr_statistic_null_distribution_is_chi_square():
    # Wilks: L (logdet Pi_G W - logdet W) ~ chi^2 with N(N+1)/2 - (free parameters) df
    R, G = planted_covariance("tree", 8)
    lab, cnt = _lab(G)
    L = 4000
    draws = BootstrapDraws(8, L, 3000, np.random.default_rng(2))
    W = draws.covariances(R)
    P = _orbital_mean(lab, cnt, W)
    stat = np.array([lr_statistic(w, p, L) for w, p in zip(W, P)])
    df = 8 * 9 // 2 - 4        # tree(3): 4 classes on unordered pairs
    assert np.all(stat >= -1e-8)
    assert abs(stat.mean() / df - 1) < 0.05
    q = bootstrap_lr_threshold(lab, cnt, draws, 0.05)
    assert abs(q / stats.chi2.ppf(0.95, df) - 1) < 0.1


@pytest.mark.parametrize("name", ["cyclic", "dihedral", "xor", "tree", "trivial"])
def test_projected_fourth_moment_is_isserlis_summed_densely(name):
    # Independent truth: E||Pi_G(x x^T)||^2 = sum over (ij),(kl) in one orbital of
    # E[x_i x_j x_k x_l] / |O|, with every Isserlis term written out (O(N^4)).
    from algdiv.discovery._residual import _orbital_mean
    from algdiv.discovery._thresholds import projected_fourth_moment
    from algdiv.groups import cyclic, dihedral, elementary_abelian, tree, trivial
    G = {"cyclic": cyclic(8), "dihedral": dihedral(8), "xor": elementary_abelian(3),
         "tree": tree(3), "trivial": trivial(8)}[name]
    lab = G.orbitals()
    cnt = np.bincount(lab.ravel())
    A = np.random.default_rng(3).standard_normal((8, 8))
    S = _orbital_mean(lab, cnt, A @ A.T)
    four = (np.einsum("ij,kl->ijkl", S, S) + np.einsum("ik,jl->ijkl", S, S)
            + np.einsum("il,jk->ijkl", S, S))
    same = (lab[:, :, None, None] == lab[None, None, :, :]) / cnt[lab][:, :, None, None]
    want = float(np.sum(same * four))
    assert projected_fourth_moment(S, lab, cnt) == pytest.approx(want, rel=1e-12)


def _h0_rejections(R, G, stat_and_tau, L=400, trials=300, seed=0):
    """Rejections of a true G over independent seeded H0 data sets."""
    from algdiv.discovery._validate import sample_covariance
    rng = np.random.default_rng(seed)
    C = np.linalg.cholesky(R)
    lab, cnt = _lab(G)
    hits = 0
    for _ in range(trials):
        Rh, dof = sample_covariance(rng.standard_normal((L, R.shape[0])) @ C.T)
        S = _orbital_mean(lab, cnt, Rh)
        draws = BootstrapDraws(R.shape[0], dof, 200, rng)
        stat, tau = stat_and_tau(Rh, S, lab, cnt, draws, dof)
        hits += stat > tau
    return hits


def _binom_upper(level, trials):
    """A loose one-sided upper limit (mean + 3 sd) on H0 rejections at ``level``."""
    return level * trials + 3 * np.sqrt(level * (1 - level) * trials)


def test_pivotal_lr_threshold_holds_its_level():
    # The LR threshold comes from draws under R = I (the statistic is pivotal); the
    # rejection rate of a true G over fresh data must not exceed the level, and its
    # Monte Carlo critical value makes it at most level also with B = 200 draws.
    R, G = planted_covariance("xor", 16, 11)

    def f(Rh, S, lab, cnt, draws, dof):
        return lr_statistic(Rh, S, dof), bootstrap_lr_threshold(lab, cnt, draws, 0.05)

    hits = _h0_rejections(R, G, f)
    assert 2 <= hits <= _binom_upper(0.05, 300), hits


def test_common_refinement_matches_pairs_of_labels():
    from algdiv.discovery._discover import _common_refinement
    a, b = tree(3).orbitals(), dihedral(8).orbitals()
    lab, cnt = _common_refinement(a, b)
    cells = {}
    for x, y, z in zip(a.ravel(), b.ravel(), lab.ravel()):
        assert cells.setdefault((x, y), z) == z        # one label per pair of labels
    assert len(set(cells.values())) == len(cells) == cnt.size
    assert np.array_equal(np.bincount(lab.ravel()), cnt)


def test_mc_quantile_is_the_exact_monte_carlo_critical_value():
    from algdiv.discovery._thresholds import mc_quantile
    s = np.arange(1.0, 200.0)                      # B = 199: (B + 1)(1 - 0.05) = 190
    assert mc_quantile(s[::-1], 0.05) == 190.0
    assert mc_quantile(s, 0.001) == np.inf         # too few draws to reject at 0.001


def test_orbital_gram_matches_the_dense_inner_products():
    # <Pi_G(x_a x_a^T), x_b x_b^T> from orbital sums against the projection formed densely
    from algdiv.discovery._thresholds import _orbital_gram
    from algdiv.groups import hamming
    X = np.random.default_rng(5).standard_normal((7, 16))
    for G in (hamming(4), tree(4), dihedral(16)):
        lab, cnt = _lab(G)
        XX = X[:, :, None] * X[:, None, :]
        dense = np.einsum("aij,bij->ab", _orbital_mean(lab, cnt, XX), XX)
        np.testing.assert_allclose(_orbital_gram(X, lab, cnt), dense, rtol=1e-12, atol=1e-12)
