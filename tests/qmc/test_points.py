"""Lattices, CBC, Sobol' matrices, nets, scrambling and interlacing against direct constructions."""
import numpy as np
import pytest
from scipy.stats import qmc

from algdiv.qmc import cbc, digital_net, interlace, lattice, lms, si_kernel, sobol, sobol_matrices


def test_lattice_linear_and_radical(oracles):
    n, g = 32, [1, 7, 13]
    x = lattice(n, g)
    ref = np.array([[(k * gj % n) / n for gj in g] for k in range(n)])
    np.testing.assert_array_equal(x, ref)
    np.testing.assert_array_equal(lattice(n, g, order="radical"), ref[oracles.bitrev(n)])
    # extensible: the first 2^j radical points are the 2^j-point lattice
    np.testing.assert_array_equal(lattice(n, g, order="radical")[:8], lattice(8, g, order="radical"))


def test_lattice_shift():
    s = np.array([0.3, 0.9])
    x = lattice(8, [1, 3], shift=s)
    np.testing.assert_allclose(x, (lattice(8, [1, 3]) + s) % 1, atol=1e-15)
    y = lattice(8, [1, 3], shift="random", rng=3)
    np.testing.assert_allclose(y, lattice(8, [1, 3], shift="random", rng=3))
    assert np.all((y >= 0) & (y < 1))


@pytest.mark.parametrize("n, alpha", [(64, 1), (256, 2), (128, 3), (61, 1), (127, 2), (5, 1)])
def test_fast_cbc_minimizes_the_criterion(n, alpha):
    # each component minimizes sum_k q(k) K(k z / n) over all odd z, given the earlier ones
    d, w = 4, np.array([1.0, 0.7, 0.4, 0.2])
    g = cbc(n, d, alpha=alpha, weights=w)
    assert g[0] == 1 and (n % 2 or np.all(g % 2 == 1))
    univ = si_kernel(alpha).univariate
    k = np.arange(n)
    q = 1 + w[0] * univ(k / n, alpha)
    for j in range(1, d):
        zs = range(1, n, 2) if n % 2 == 0 else range(1, n)
        crit = np.array([np.sum(q * univ((k * z % n) / n, alpha)) for z in zs])
        chosen = np.sum(q * univ((k * g[j] % n) / n, alpha))
        assert chosen <= crit.min() + 1e-12 * np.abs(crit).max()
        q = q * (1 + w[j] * univ((k * g[j] % n) / n, alpha))


def test_sobol_matrices_reproduce_scipy_sobol_in_gray_order():
    d, m = 6, 10
    ref = qmc.Sobol(d, scramble=False, bits=30).random_base2(m)
    x = digital_net(sobol_matrices(d, m), order="gray")
    np.testing.assert_array_equal(x, ref)


def test_digital_net_natural_order_is_the_gf2_product(oracles):
    C = sobol_matrices(3, 5)
    ref = oracles.gf2_points(C.tolist(), 32)
    np.testing.assert_array_equal(digital_net(C), ref)
    np.testing.assert_array_equal(digital_net(C, 12), ref[:12])


def test_digital_shift_is_xor():
    C = sobol_matrices(2, 4)
    s = np.array([0.625, 0.1875])
    x = digital_net(C, shift=s)
    base = np.ldexp(digital_net(C), 53).astype(np.uint64)
    np.testing.assert_array_equal(np.ldexp(x, 53).astype(np.uint64),
                                  base ^ np.ldexp(s, 53).astype(np.uint64))


def _is_digital_net(x):
    ints = np.ldexp(x, 53).astype(np.uint64)
    n = len(x)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return np.array_equal(ints[i] ^ ints[j], ints[i ^ j] ^ ints[0])


def test_lms_keeps_net_and_stratification():
    m, d = 6, 4
    C = lms(sobol_matrices(d, m), rng=5)
    x = digital_net(C)
    assert _is_digital_net(x)
    # each one-dimensional projection of Sobol' is a (0, m, 1)-net; LMS keeps that
    for j in range(d):
        np.testing.assert_array_equal(np.sort(np.floor(x[:, j] * 2 ** m)), np.arange(2 ** m))
    # L is lower unit triangular: the leading 1-digit of every column stays in place
    C0 = sobol_matrices(d, m)
    np.testing.assert_array_equal(np.floor(np.log2(C.astype(float))), np.floor(np.log2(C0.astype(float))))


def test_interlace_digit_order():
    rng = np.random.default_rng(0)
    alpha, d, m = 3, 2, 4
    C = rng.integers(0, 1 << 53, size=(alpha * d, m), dtype=np.uint64)
    out = interlace(C, alpha)
    for j in range(d):
        for b in range(m):
            src = [format(int(C[alpha * j + r, b]), "053b") for r in range(alpha)]
            ref = "".join(src[r][i] for i in range(53) for r in range(alpha))[:53]
            assert format(int(out[j, b]), "053b") == ref


def test_higher_order_sobol_is_a_digital_net():
    x = sobol(64, 2, alpha=2, rng=1)
    assert x.shape == (64, 2) and _is_digital_net(x)


@pytest.mark.filterwarnings("ignore")
def test_qmcpy_interlaced_matches_ours():
    qmcpy = pytest.importorskip("qmcpy")
    net = qmcpy.DigitalNetB2(2, randomize=False, alpha=2, t=52, order="RADICAL INVERSE")
    ours = digital_net(interlace(sobol_matrices(4, 4), 2))
    # qmcpy's Joe-Kuo matrices are the same as SciPy's; compare the leading 26 digits
    assert np.max(np.abs(net(16) - ours)) < 2.0 ** -26


def test_point_errors():
    with pytest.raises(ValueError, match="Argument 'n' must be a power of 2"):
        lattice(12, [1, 5], order="radical")
    with pytest.raises(ValueError, match="Argument 'order'"):
        lattice(8, [1], order="gray")
    with pytest.raises(ValueError, match="Argument 'generating_vector'"):
        lattice(8, [0.5])
    with pytest.raises(ValueError, match="Argument 'shift'"):
        lattice(8, [1, 3], shift=[0.5])
    with pytest.raises(ValueError, match="Argument 'n' must be a power of 2 or a prime"):
        cbc(100, 3)
    with pytest.raises(ValueError, match="Argument 'm'"):
        sobol_matrices(2, 60)
    with pytest.raises(ValueError, match="Argument 'matrices'"):
        interlace(sobol_matrices(3, 2), 2)
    with pytest.raises(ValueError, match="Argument 'n' must be an integer in"):
        digital_net(sobol_matrices(2, 3), 9)
    with pytest.raises(ValueError, match="Argument 'n' must be a power of 2"):
        sobol(12, 2)
