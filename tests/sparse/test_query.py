"""QueryCounter and the planted test signals, against direct evaluation."""
import math

import numpy as np
import pytest
import scipy.linalg

from algdiv.sparse import PlantedSignal, QueryCounter, planted_sparse_signal
from algdiv.testing import assert_close_in_norm, fast_tol


def test_counter_memoizes_and_counts_distinct():
    calls = []

    def f(m):
        calls.append(m.copy())
        return np.sin(m.astype(float))

    q = QueryCounter(f, 10)
    a = q(np.array([5, 3, 5, 900]))
    b = q(np.array([[3, 7], [900, 1]]))
    np.testing.assert_array_equal(a, np.sin([5.0, 3.0, 5.0, 900.0]))
    np.testing.assert_array_equal(b, np.sin([[3.0, 7.0], [900.0, 1.0]]))
    assert q.n_queries == 5 and q.n_requests == 8 and q.n_batches == 2
    # f never sees an index twice
    seen = np.concatenate(calls)
    assert seen.size == np.unique(seen).size == 5
    np.testing.assert_array_equal(q.indices, [1, 3, 5, 7, 900])


def test_counter_fixes_noise_per_index():
    rng = np.random.default_rng(0)
    q = QueryCounter(lambda m: rng.standard_normal(m.shape), 8)
    first = q(np.arange(256))
    again = q(np.arange(256)[::-1])
    np.testing.assert_array_equal(again[::-1], first)


@pytest.mark.parametrize("bad", [-1, 1 << 12, 1 << 40])
def test_counter_refuses_out_of_range(bad):
    q = QueryCounter(lambda m: np.zeros(m.shape), 12)
    with pytest.raises(ValueError, match=r"Argument 'indices' must lie in \[0, 2\*\*12\)"):
        q(np.array([0, bad]))
    assert q.n_queries == 0


def test_counter_bad_results():
    with pytest.raises(ValueError, match="Argument 'f' must return an array of shape"):
        QueryCounter(lambda m: np.zeros(m.size + 1), 5)(np.arange(4))
    with pytest.raises(ValueError, match="Argument 'f' must return an array of shape"):
        QueryCounter(lambda m: np.zeros((m.size, 1)), 5)(np.arange(4))
    with pytest.raises(ValueError, match="Argument 'f' must return finite values, not nan at index 2"):
        QueryCounter(lambda m: np.where(m == 2, np.nan, 1.0), 5)(np.arange(4))
    with pytest.raises(ValueError, match="finite values, not inf"):
        QueryCounter(lambda m: np.full(m.shape, np.inf), 5)(np.arange(4))
    with pytest.raises(TypeError, match="Argument 'f' must return real values"):
        QueryCounter(lambda m: m + 1j, 5)(np.arange(4))
    with pytest.raises(TypeError, match="Argument 'f' must return real numbers"):
        QueryCounter(lambda m: np.array(["a"] * m.size), 5)(np.arange(4))
    with pytest.raises(TypeError, match="Argument 'indices' must be an integer array"):
        QueryCounter(lambda m: m, 5)(np.array([0.5]))
    with pytest.raises(TypeError, match="Argument 'f' must be callable"):
        QueryCounter(3, 5)


@pytest.mark.parametrize("n", [0, 63, -1])
def test_counter_bad_n(n):
    with pytest.raises(ValueError, match="Argument 'n' must be in 1..62"):
        QueryCounter(lambda m: m, n)


def test_planted_signal_matches_dense_hadamard():
    # f = H X with the natural-order (Sylvester) Hadamard matrix: the library's convention.
    n = 7
    sig = planted_sparse_signal(n, 9, amplitudes="uniform12", rng=3)
    X = np.zeros(1 << n)
    X[sig.support] = sig.coefficients
    H = scipy.linalg.hadamard(1 << n)
    assert_close_in_norm(sig(np.arange(1 << n)), H @ X, fast_tol(np.float64, 1 << n))
    mags = np.abs(sig.coefficients)
    assert np.all((mags >= 1) & (mags <= 2))
    assert np.all(np.diff(sig.support) > 0)


def test_planted_noise_level_and_determinism():
    sig = planted_sparse_signal(16, 32, snr=10, rng=4)
    assert sig.sigma == pytest.approx(math.sqrt(32 / 10))
    m = np.arange(1 << 16)
    w = sig(m) - sig.clean(m)
    assert_close_in_norm(w, sig.noise(m), fast_tol(np.float64, 1 << 16))
    # 65536 draws: the sample std is within 2% of sigma, the mean within 4 standard errors
    assert np.std(w) == pytest.approx(sig.sigma, rel=0.02)
    assert abs(np.mean(w)) < 4 * sig.sigma / 256
    np.testing.assert_array_equal(sig.noise(m[::-1])[::-1], sig.noise(m))


def test_planted_large_n_indices():
    sig = PlantedSignal(62, [0, (1 << 61) + 3, (1 << 62) - 1], [1.0, -2.0, 0.5])
    m = np.array([0, 1, (1 << 62) - 1, 1 << 61], dtype=np.int64)
    ref = []
    for mi in m.tolist():
        ref.append(sum(c * (-1) ** bin(k & mi).count("1")
                       for k, c in zip(sig.support.tolist(), sig.coefficients)))
    np.testing.assert_array_equal(sig(m), ref)


def test_planted_bad_input():
    with pytest.raises(ValueError, match="Argument 'sparsity' must be in 1..2\\*\\*n"):
        planted_sparse_signal(4, 17)
    with pytest.raises(ValueError, match="Argument 'amplitudes'"):
        planted_sparse_signal(4, 2, amplitudes="gauss")
    with pytest.raises(TypeError, match="Argument 'sparsity' must be an integer"):
        planted_sparse_signal(4, 2.0)
