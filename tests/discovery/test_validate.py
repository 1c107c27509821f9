"""Bad input gives a clear ValueError/TypeError; nothing is symmetrized or modified."""
import numpy as np
import pytest

from algdiv.discovery import coloring_index, commutativity_residual, discover
from algdiv.groups import cyclic


@pytest.fixture
def R():
    i = np.arange(6)
    return 0.5 ** np.minimum((i[:, None] - i) % 6, (i - i[:, None]) % 6)


@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 4)), "square"),
    (np.ones(4), "square"),
    (np.ones((2, 2, 2)), "square"),
    (np.ones((1, 1)), "N >= 2"),
    (np.array([[1.0, 0.5], [0.4, 1.0]]), "symmetric"),
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), "NaN or Inf"),
    (np.array([[np.inf, 0.0], [0.0, 1.0]]), "NaN or Inf"),
    (np.zeros((3, 3)), "zero matrix"),
])
def test_bad_covariance(bad, match):
    with pytest.raises(ValueError, match=match):
        discover(bad)
    with pytest.raises(ValueError, match=match):
        commutativity_residual(bad, cyclic(bad.shape[0] if bad.ndim == 2 else 2))


def test_asymmetry_within_tolerance_is_accepted_not_symmetrized(R):
    Rn = R.copy()
    Rn[0, 1] += 1e-13           # below the 1e-8 relative tolerance
    before = Rn.copy()
    res = discover(Rn)
    assert np.array_equal(Rn, before)          # input untouched
    assert res.cov[0, 1] == Rn[0, 1] and res.cov[1, 0] == Rn[1, 0]   # not symmetrized


def test_bad_samples():
    with pytest.raises(ValueError, match="L >= 2"):
        discover(samples=np.ones((1, 5)))
    with pytest.raises(ValueError, match="N >= 2"):
        discover(samples=np.ones((10, 1)))
    with pytest.raises(ValueError, match="2-D"):
        discover(samples=np.ones(10))
    X = np.random.default_rng(0).standard_normal((10, 3))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or Inf"):
        discover(samples=X)


def test_argument_combinations(R):
    with pytest.raises(ValueError, match="exactly one"):
        discover()
    with pytest.raises(ValueError, match="exactly one"):
        discover(R, samples=np.ones((5, 6)))
    with pytest.raises(ValueError, match="n_samples"):
        discover(R, n_samples=1)
    with pytest.raises(ValueError, match="only for 'cov'"):
        discover(samples=np.random.default_rng(0).standard_normal((9, 6)), n_samples=9)
    with pytest.raises(TypeError, match="n_samples"):
        discover(R, n_samples=2.5)
    with pytest.raises(ValueError, match="tiers"):
        discover(R, tiers=("catalog", "magic"))
    with pytest.raises(ValueError, match="level"):
        discover(R, level=1.5)
    with pytest.raises(TypeError, match="real"):
        discover(R.astype(complex))
    with pytest.raises(ValueError, match="acts on 4 points"):
        discover(R, candidates=[cyclic(4)])
    with pytest.raises(TypeError, match="PermutationGroup"):
        commutativity_residual(R, [[1, 0, 2, 3, 4, 5]])
    with pytest.raises(ValueError, match="kind"):
        commutativity_residual(R, cyclic(6), kind="frobenius")
    with pytest.raises(ValueError, match="kind"):
        coloring_index(R, kind="entropy")
