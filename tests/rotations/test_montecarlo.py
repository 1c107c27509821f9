"""Monte Carlo checks (protocol A2-A7): the library's samples against exact laws."""
import math

import numpy as np
import pytest

from algdiv.rotations import (
    coordinate_marginal,
    dkw_band,
    f1_lower_bound,
    f1_lower_bound_e1,
    kolmogorov_distance,
    lattice_law,
    sample_structured,
    sphere_coordinates,
    spread_input,
    uniform_rotation,
    wasserstein2_e1,
    wasserstein2_mc,
)


def _a2(dims, samples, alpha):
    for d in dims:
        for k in (1, 2, 4):
            x = sample_structured(spread_input(d, k), samples, seed=1000 * d + k)
            dm = kolmogorov_distance(x, lattice_law(d, k))
            assert dm <= dkw_band(samples, alpha), (d, k, dm)


def test_a2_samples_match_lattice_law_quick():
    _a2((16, 64, 256), 50_000, 1e-3 / 9)


@pytest.mark.slow
def test_a2_samples_match_lattice_law_full():
    # Protocol A2 as the issue states it: M = 200,000, alpha = 1e-3 / 12.
    _a2((16, 64, 256, 1024), 200_000, 1e-3 / 12)


def test_a2_has_power():
    # The same statistic separates neighbouring oracles: u_2 samples are not u_4's law.
    x = sample_structured(spread_input(64, 2), 50_000, seed=5)
    assert kolmogorov_distance(x, lattice_law(64, 4)) > 3 * dkw_band(50_000, 1e-3)


@pytest.mark.parametrize("d", [16, 64, 256, 1024])
def test_dense_inputs_below_inverse_sqrt_d(d):
    m = 20_000
    flat = np.full(d, 1 / math.sqrt(d))
    gauss = np.random.default_rng(d).standard_normal(d)
    for u in (flat, gauss):
        x = sample_structured(u, m, seed=d + 7)
        dm = kolmogorov_distance(x, coordinate_marginal(d, radius=np.linalg.norm(u)))
        assert dm < 1 / math.sqrt(d), (d, dm)


def test_controls():
    m, alpha = 20_000, 1e-3 / 6
    eps = dkw_band(m, alpha)
    for d in (64, 1024):
        ref = coordinate_marginal(d)
        bound = 1 / math.sqrt(d)
        # Null: exact sphere samples pass.
        assert kolmogorov_distance(sphere_coordinates(d, m, rng=d), ref) <= eps
        # Negative: one block, and a missing second diagonal, fail: LCL above the rate.
        one = sample_structured(spread_input(d, 1), m, blocks=1, seed=d)
        assert kolmogorov_distance(one, ref) - eps > bound
        nod = sample_structured(spread_input(d, 1), m, seed=d, omit_diagonal=(1,))
        assert kolmogorov_distance(nod, ref) - eps > bound
        # ... and the one-block law is the two-atom law +-1/sqrt(d), so D ~ P(|Z| > 1)/2 + ...
        assert set(np.round(one * math.sqrt(d), 12)) == {-1.0, 1.0}


def test_w2_closed_form_values():
    # Spec A.4: exact W_2 of e_0 (5 digits) and the limit sqrt(2 - 2 sqrt(2/pi)).
    table = {16: 0.61573, 64: 0.63086, 256: 0.63456, 1024: 0.63549, 4096: 0.63571, 16384: 0.63577}
    for d, want in table.items():
        assert wasserstein2_e1(d) == pytest.approx(want, abs=6e-6)
    limit = math.sqrt(2 - 2 * math.sqrt(2 / math.pi))
    assert wasserstein2_e1(2**40) == pytest.approx(limit, rel=1e-9)
    assert all(wasserstein2_e1(2**m) >= 0.60 for m in range(6, 21))


@pytest.mark.parametrize("d", [16, 64, 1024])
def test_w2_monte_carlo_within_three_se(d):
    est = wasserstein2_mc(d, 2000, rng=d)
    assert abs(est.value - wasserstein2_e1(d)) <= 3 * est.se
    assert 0 < est.se < 0.01


def test_w2_u2_larger_than_e1():
    for d in (64, 256):
        est = wasserstein2_mc(d, 1000, k=2, rng=d)
        assert est.value - 3 * est.se >= 0.85
        assert est.value > wasserstein2_e1(d)


def test_f1_lower_bound():
    limit = 1 - math.sqrt(2 / math.pi)
    for m in range(6, 21):
        lb = f1_lower_bound_e1(2**m)
        assert 0.19 <= lb < limit
    assert f1_lower_bound_e1(16) == pytest.approx(0.18956, abs=6e-6)
    assert f1_lower_bound_e1(1024) == pytest.approx(0.20192, abs=6e-6)
    # Monte Carlo through the library: f_1(T(e_0)) = 1 exactly for every draw.
    est = f1_lower_bound(spread_input(256, 1), 200, seed=1)
    assert est.value == pytest.approx(f1_lower_bound_e1(256), abs=1e-12) and est.se < 1e-12
    # Negative control: a true Haar rotation gives no discrepancy.
    haar = f1_lower_bound(np.full(64, 0.125), 1500, rotation="haar", seed=2)
    assert abs(haar.value) <= 3 * haar.se
    # Dense input: the bound all but vanishes (spec: ~0.0005 at d = 1024).
    flat = f1_lower_bound(np.full(1024, 1 / 32), 1000, seed=3)
    assert abs(flat.value) < 0.002 and flat.se < 0.001


def test_uniform_rotation_is_haar():
    d, m = 4, 4000
    rng = np.random.default_rng(8)
    qs = np.array([uniform_rotation(d, rng) for _ in range(m)])
    np.testing.assert_allclose(qs @ qs.transpose(0, 2, 1), np.broadcast_to(np.eye(d), qs.shape), atol=1e-13)
    eps = dkw_band(m, 1e-4)
    ref = coordinate_marginal(d)
    # Every entry of a Haar matrix has the sphere-coordinate law; the diagonal is
    # where a missing sign fix shows (numpy's QR makes diag(R) negative).
    for i, j in [(0, 0), (1, 1), (3, 3), (0, 2)]:
        assert kolmogorov_distance(qs[:, i, j], ref) <= eps
    q_nofix = np.array([np.linalg.qr(rng.standard_normal((d, d)))[0] for _ in range(m)])
    assert kolmogorov_distance(q_nofix[:, 0, 0], ref) > eps


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: wasserstein2_e1(100), "Argument 'd' must be a power of 2"),
        (lambda: wasserstein2_mc(64, 1), "Argument 'samples' must be an integer >= 2"),
        (lambda: wasserstein2_mc(64, 10, k=4), "Argument 'k' must be one of 1, 2"),
        (lambda: f1_lower_bound(np.zeros(8), 10), "Argument 'u' must be a nonzero"),
        (lambda: f1_lower_bound(np.ones(8), 10, rotation="dense"), "Argument 'rotation'"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
