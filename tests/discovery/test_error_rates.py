"""The discovery tests hold their stated error rates under the null hypothesis.

Small sizes and a large level, so that a few hundred replications resolve the rate:
data are drawn from a covariance invariant under the true group G, and the
rejection counts of G are compared with binomial bands (two-sided at 1e-4 where the
test is exact, one-sided where it is conservative by construction).

* stage 1, the likelihood ratio against the saturated model: an exact Monte Carlo
  test (the statistic is pivotal), so its p-values are uniform on the grid
  k / (B + 1) and it rejects with probability floor(a (B + 1)) / (B + 1);
* stage 2, the min-p test against several nested alternatives at once: calibrated
  jointly, so the family of alternatives is rejected with probability at most the level;
* the verdict of ``discover``: a true G is rejected with probability at most ``level``
  (both stages at level / 2).
"""
import numpy as np
import pytest
from scipy import stats

from algdiv.discovery import discover
from algdiv.discovery._thresholds import (BootstrapDraws, bootstrap_lr_threshold, lr_statistic,
                                          minp_lr_test)
from algdiv.discovery._residual import _orbital_mean
from algdiv.discovery._validate import min_boot
from algdiv.groups import dihedral, from_generators


def _band(n, p, alpha=1e-4):
    """Two-sided binomial acceptance band for a count of n trials at rate p."""
    return stats.binom.ppf(alpha / 2, n, p), stats.binom.isf(alpha / 2, n, p)


def _null_samples(rng, n, L):
    """L snapshots from a D_n-invariant (symmetric circulant) covariance."""
    i = np.arange(n)
    d = np.minimum((i[:, None] - i) % n, (i - i[:, None]) % n)
    R = 0.6 ** d + 0.5 * np.eye(n)
    return rng.standard_normal((L, n)) @ np.linalg.cholesky(R).T


def _sample_cov(X):
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / (X.shape[0] - 1), X.shape[0] - 1


def test_stage1_lr_pvalues_are_uniform_under_the_null():
    rng = np.random.default_rng(17)
    n, L, B, reps = 5, 20, 99, 300
    G = dihedral(n)
    labels = G.orbitals()
    counts = np.bincount(labels.ravel())
    pvals, rejected = [], {0.1: 0, 0.3: 0}
    for _ in range(reps):
        Rh, dof = _sample_cov(_null_samples(rng, n, L))
        S = _orbital_mean(labels, counts, Rh)
        stat = lr_statistic(Rh, S, dof)
        draws = BootstrapDraws(n, dof, B, rng)
        W = draws.standard
        null = dof * (np.linalg.slogdet(_orbital_mean(labels, counts, W))[1]
                      - np.linalg.slogdet(W)[1])
        pvals.append((1 + np.sum(null >= stat)) / (B + 1))
        for a in rejected:
            rejected[a] += stat > bootstrap_lr_threshold(labels, counts, draws, a)
    # exact Monte Carlo test: P(reject) = floor(a (B + 1)) / (B + 1) = a here
    for a, k in rejected.items():
        lo, hi = _band(reps, a)
        assert lo <= k <= hi, (a, k, lo, hi)
    # p-values uniform on {1/(B+1), ..., 1}: compare with the continuous uniform, shifted
    # by half a grid step (the discrete law is within 1/(B+1) of it)
    ks = stats.kstest(np.asarray(pvals) - 0.5 / (B + 1), "uniform")
    assert ks.pvalue > 1e-4, ks


def test_stage2_minp_rejects_at_most_level_under_the_null():
    rng = np.random.default_rng(1717)
    n, L, B, reps, level = 6, 30, 99, 300, 0.3
    G = dihedral(n)
    shift2 = np.roll(np.arange(n), -2)
    shift3 = np.roll(np.arange(n), -3)
    refl = (-np.arange(n)) % n
    # three proper subgroups of D_6: their orbitals refine G's (nested alternatives)
    subs = [from_generators([shift2], n), from_generators([shift2, refl], n),
            from_generators([shift3, refl], n)]
    labels = G.orbitals()
    counts = np.bincount(labels.ravel())
    alts = [(H.orbitals(), np.bincount(H.orbitals().ravel())) for H in subs]
    rejected = 0
    for _ in range(reps):
        Rh, dof = _sample_cov(_null_samples(rng, n, L))
        S = _orbital_mean(labels, counts, Rh)
        out = minp_lr_test(Rh, S, labels, counts, alts, BootstrapDraws(n, dof, B, rng), level)
        assert out is not None
        _, stat, tau = out
        rejected += stat > tau
    lo, hi = _band(reps, level)
    # nested alternatives: each statistic is pivotal, so the joint calibration is exact
    assert lo <= rejected <= hi, (rejected, lo, hi)


def test_discover_rejects_a_true_group_at_most_level():
    rng = np.random.default_rng(2017)
    n, L, reps, level = 6, 40, 150, 0.4
    G = dihedral(n)
    shift2 = np.roll(np.arange(n), -2)
    refl = (-np.arange(n)) % n
    cands = [G, from_generators([shift2], n, name="Z3"),
             from_generators([shift2, refl], n, name="D3")]
    false_rejections = 0
    for _ in range(reps):
        res = discover(samples=_null_samples(rng, n, L), candidates=cands, tiers=("catalog",),
                       level=level, rng=rng, n_boot=min_boot(level) * 3)
        row = next(r for r in res.table if r.group is G)
        false_rejections += not row.accepted
    # family-wise over both stages: at most level (one-sided: the split level / 2 + level / 2
    # is conservative)
    assert false_rejections <= stats.binom.isf(1e-4, reps, level), false_rejections


@pytest.mark.parametrize("level", [0.5, 0.3, 0.05, 0.01, 1e-3])
def test_min_boot_is_the_smallest_count_that_can_reject(level):
    from algdiv.discovery._thresholds import mc_quantile

    b = min_boot(level)
    a = level / 2
    # B = b gives a finite stage-1 critical value and a stage-2 rule that can reject; b - 1 not
    assert np.isfinite(mc_quantile(np.arange(b, dtype=float), a))
    assert np.floor(a * (b + 1)) >= 1
    if b > 1:
        assert not (np.isfinite(mc_quantile(np.arange(b - 1, dtype=float), a))
                    and np.floor(a * b) >= 1)
