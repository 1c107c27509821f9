"""FastGram against dense matrices: eigenvalues, matvec, solve, logdet, doubling, refusals."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import scipy.fft
from scipy.stats import qmc

from algdiv.qmc import (FastGram, cbc, detect_structure, digital_net, dsi_kernel, interlace,
                        lattice, lms, si_kernel, sobol, sobol_matrices)
from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import fwht
from algdiv.transforms._fftbr import fftbr

W5 = np.array([1.0, 0.5, 0.25, 0.125, 0.0625])


def _lattice_case(n, d, alpha, order, seed):
    x = lattice(n, cbc(n, d, alpha=min(alpha, 5)), order=order, shift="random", rng=seed)
    return si_kernel(alpha, W5[:d]), x


def _net_case(n, d, alpha, order, seed, interlaced=1):
    C = lms(sobol_matrices(d * interlaced, n.bit_length() - 1), rng=seed)
    x = digital_net(interlace(C, interlaced), order=order, shift="random", rng=seed)
    return dsi_kernel(alpha, W5[:d]), x


CASES = [
    ("lattice", 64, 1, 1, "linear"), ("lattice", 256, 2, 2, "radical"), ("lattice", 1024, 3, 1, "radical"),
    ("lattice", 256, 4, 3, "linear"), ("lattice", 512, 5, 2, "linear"), ("lattice", 128, 3, 5, "radical"),
    ("net", 64, 1, 1, "natural"), ("net", 256, 2, 2, "gray"), ("net", 1024, 3, 1, "natural"),
    ("net", 256, 4, 3, "gray"), ("net", 512, 5, 4, "natural"), ("net", 128, 2, 2, "natural", 2),
    ("net", 256, 3, 3, "natural", 3),
]
SMALL = [c for c in CASES if c[1] <= 256]


def _make(case, seed=0):
    kind, n, d, alpha, order, *inter = case
    if kind == "lattice":
        return _lattice_case(n, d, alpha, order, seed)
    return _net_case(n, d, alpha, order, seed, *(inter or [1]))


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_eigenvalues_match_dense(case):
    k, x = _make(case)
    G = FastGram(k, x)
    assert G.structure.startswith("lattice" if case[0] == "lattice" else "digital")
    K = k(x[:, None], x[None])
    dense = np.linalg.eigvalsh(K)
    fast = np.sort(G.eigenvalues())
    assert np.max(np.abs(dense - fast)) <= 1e-8 * dense[-1]


@pytest.mark.slow
def test_eigenvalues_match_dense_4096():
    k, x = _net_case(4096, 2, 2, "gray", 3)
    K = k(x[:, None], x[None])
    dense = np.linalg.eigvalsh(K)
    assert np.max(np.abs(dense - np.sort(FastGram(k, x).eigenvalues()))) <= 1e-8 * dense[-1]


@pytest.mark.parametrize("case", SMALL, ids=lambda c: "-".join(map(str, c)))
def test_matvec_solve_logdet_match_dense(case):
    k, x = _make(case, seed=1)
    n = len(x)
    eta = 1e-3
    G = FastGram(k, x, nugget=eta)
    K = k(x[:, None], x[None]) + eta * np.eye(n)
    rng = np.random.default_rng(2)
    y = rng.standard_normal((n, 3))
    tol = fast_tol(np.float64, n, factor=64)
    assert_close_in_norm(G.matvec(y), K @ y, tol, axis=0)
    lam = np.linalg.eigvalsh(K)
    assert_close_in_norm(G.solve(y), np.linalg.solve(K, y), tol * lam[-1] / lam[0], axis=0)
    assert_close_in_norm(G.matvec(y[:, 0]), K @ y[:, 0], tol)
    assert abs(G.logdet() - np.linalg.slogdet(K)[1]) <= 1e-9 * n
    assert abs(G.trace_inverse() - np.trace(np.linalg.inv(K))) <= 1e-8 * np.trace(np.linalg.inv(K))
    np.testing.assert_allclose(G.dense(), K, rtol=1e-14)
    z = y[:, 0] + 1j * y[:, 1]
    assert_close_in_norm(G.matvec(z), K @ z, tol)


def test_non_power_of_two_lattices():
    for n in (12, 31):
        x = lattice(n, [1, 5], shift="random", rng=n)
        k = si_kernel(1, [1.0, 0.3])
        G = FastGram(k, x)
        K = k(x[:, None], x[None])
        assert np.max(np.abs(np.sort(G.eigenvalues()) - np.linalg.eigvalsh(K))) <= 1e-10 * np.abs(K).sum()
        y = np.arange(n, dtype=float)
        assert_close_in_norm(G.solve(y), np.linalg.solve(K, y), 1e-9)


def test_spec_protocol_lattice():
    # spec 4.4.2: d = 3, alpha = [1, 2, 2], gamma = [1, .5, .25]; radical order, lambda = sqrt(n) fftbr(K[:, 0])
    k = si_kernel([1, 2, 2], [1, 0.5, 0.25])
    for n in (64, 256):
        x = lattice(n, cbc(n, 3), order="radical", shift="random", rng=7)
        K = k(x[:, None], x[None])
        lam = np.sqrt(n) * fftbr(K[:, 0], norm="ortho")
        assert np.max(np.abs(lam.imag)) <= 1e-13 * np.max(np.abs(lam))
        np.testing.assert_allclose(np.sort(lam.real), np.linalg.eigvalsh(K), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(FastGram(k, x).eigenvalues(), lam.real, rtol=1e-12, atol=1e-12 * n)


def test_spec_protocol_scipy_sobol():
    # spec 4.4.3: scipy's scrambled Sobol' (LMS + digital shift, Gray order) is a digital net
    k = dsi_kernel(1, [1, 0.5, 0.25])
    x = qmc.Sobol(3, scramble=True, bits=30, seed=7).random_base2(10)
    G = FastGram(k, x, nugget=1e-8)
    assert G.structure == "digital"
    K = k(x[:, None], x[None])
    np.testing.assert_allclose(G.eigenvalues() - 1e-8, fwht(K[:, 0]), rtol=1e-12, atol=1e-12 * 1024)
    ints = np.ldexp(x, 53).astype(np.uint64)
    i, j = np.meshgrid(np.arange(64), np.arange(64), indexing="ij")
    np.testing.assert_array_equal(ints[i] ^ ints[j], ints[i ^ j] ^ ints[0])
    assert 0.05 < G.min_eigenvalue() < 0.2   # spec: lambda_min = 0.079 at n = 1024


def test_group_invariance_with_algdiv_groups():
    for k, x in (_lattice_case(16, 2, 1, "linear", 0), _lattice_case(16, 2, 2, "radical", 0),
                 _net_case(16, 2, 1, "gray", 0)):
        G = FastGram(k, x)
        grp = G.group()
        K = k(x[:, None], x[None])
        assert grp.is_invariant(K)
        assert grp.order() == 16
        # and a generic symmetric matrix is not invariant
        R = np.random.default_rng(0).standard_normal((16, 16))
        assert not grp.is_invariant(R + R.T)


@pytest.mark.parametrize("kind", ["lattice", "net"])
def test_doubling_equals_direct(kind):
    n = 256
    if kind == "lattice":
        k = si_kernel([1, 2], [0.9, 0.3])
        x = lattice(2 * n, cbc(2 * n, 2), order="radical", shift="random", rng=1)
    else:
        k = dsi_kernel([2, 1], [0.9, 0.3])
        x = sobol(2 * n, 2, rng=1)
    G = FastGram(k, x[:n], nugget=1e-6).double(x[n:])
    direct = FastGram(k, x, nugget=1e-6)
    np.testing.assert_allclose(G.eigenvalues(), direct.eigenvalues(), rtol=1e-12, atol=1e-12 * n)
    y = np.random.default_rng(0).standard_normal(2 * n)
    assert_close_in_norm(G.solve(y), direct.solve(y), fast_tol(np.float64, 2 * n, factor=1e4))
    assert G.structure == direct.structure


def test_refusals():
    rng = np.random.default_rng(0)
    net = sobol(64, 2, rng=0)
    lat = lattice(64, [1, 19], shift="random", rng=0)
    with pytest.raises(ValueError, match="not invariant under this group"):
        FastGram(si_kernel(1), net)                    # SI kernel on a digital net
    with pytest.raises(ValueError, match="not invariant under this group"):
        FastGram(dsi_kernel(1), lat)                   # DSI kernel on a lattice
    with pytest.raises(ValueError, match="not GF\\(2\\)-linear.*not a multiple of 1/n"):
        FastGram(dsi_kernel(1), rng.random((64, 2)))  # random points
    with pytest.raises(ValueError, match="n = 48 is not a power of 2"):
        FastGram(dsi_kernel(1), net[:48])
    with pytest.raises(ValueError, match="not symmetric"):
        FastGram(lambda a, b: np.exp(-np.sum(((a - b) % 1) ** 2, -1)), lat)


def test_rounding_like_damage_is_explained():
    x = sobol(64, 2, rng=0)
    ints = np.ldexp(x, 53).astype(np.uint64)
    ints[5, 0] ^= np.uint64(1 << (53 - 20))              # flip binary digit 20 of one coordinate
    with pytest.raises(ValueError, match="1 of 64 points break the XOR structure only from binary digit 20"):
        FastGram(dsi_kernel(1), np.ldexp(ints.astype(float), -53))


@settings(max_examples=20)
@given(m=st.integers(1, 7), d=st.integers(1, 4), alpha=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       net=st.booleans())
def test_random_point_sets_match_dense(m, d, alpha, seed, net):
    n = 1 << m
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.1, 1.0, d)
    if net:
        C = lms(sobol_matrices(d, m), rng=rng)
        x = digital_net(C, order=["natural", "gray"][seed % 2], shift="random", rng=rng)
        k = dsi_kernel(alpha, w)
    else:
        g = 2 * rng.integers(0, n, d) + 1
        x = lattice(n, g, order=["linear", "radical"][seed % 2], shift="random", rng=rng)
        k = si_kernel(alpha, w)
    K = k(x[:, None], x[None])
    dense = np.linalg.eigvalsh(K)
    G = FastGram(k, x)
    assert np.max(np.abs(np.sort(G.eigenvalues()) - dense)) <= 1e-8 * dense[-1]
    y = rng.standard_normal(n)
    assert_close_in_norm(G.matvec(y), K @ y, fast_tol(np.float64, n, factor=64))


def test_owen_scrambled_net_is_refused(oracles):
    x = oracles.owen_scramble(digital_net(sobol_matrices(2, 6)), 10, np.random.default_rng(3))
    with pytest.raises(ValueError, match="GF\\(2\\)-linear"):
        FastGram(dsi_kernel(1), x)


def test_qmcpy_owen_scrambled_is_refused():
    qmcpy = pytest.importorskip("qmcpy")
    x = qmcpy.DigitalNetB2(2, seed=7, randomize="NUS")(64)
    with pytest.raises(ValueError, match="GF\\(2\\)-linear"):
        FastGram(dsi_kernel(1), x)
    # while its LMS + digital shift points are accepted, also with 63 digits rounded to float64
    x = qmcpy.DigitalNetB2(3, seed=7)(1024)
    k = dsi_kernel([1, 2, 3], [1, 0.5, 0.25])
    G = FastGram(k, x)
    dense = np.linalg.eigvalsh(k(x[:, None], x[None]))
    assert np.max(np.abs(np.sort(G.eigenvalues()) - dense)) <= 1e-8 * dense[-1]
    assert FastGram(dsi_kernel(1), qmcpy.DigitalNetB2(5, seed=1)(1 << 16)).structure == "digital"
    assert FastGram(si_kernel(1), qmcpy.Lattice(2, seed=7)(64)).structure == "lattice-radical"


def test_input_errors():
    k = si_kernel(1, [1, 1])
    x = lattice(8, [1, 3])
    with pytest.raises(ValueError, match="must lie in \\[0, 1\\); found 1.5 at row 2, column 0"):
        FastGram(k, np.where(np.arange(8)[:, None] == 2, 1.5, x))
    with pytest.raises(ValueError, match="shape \\(n, d\\)"):
        FastGram(k, x[:, 0])
    with pytest.raises(ValueError, match="dimension 2 to match the kernel"):
        FastGram(k, lattice(8, [1, 3, 5]))
    with pytest.raises(ValueError, match="Argument 'nugget'"):
        FastGram(k, x, nugget=-1.0)
    with pytest.raises(TypeError, match="Argument 'kernel'"):
        FastGram("si", x)
    with pytest.raises(ValueError, match="Argument 'y' must have length 8"):
        FastGram(k, x).solve(np.ones(7))
    with pytest.raises(ValueError, match="linear order cannot be doubled"):
        FastGram(k, x).double(x)
    with pytest.raises(ValueError, match="not a doubled"):
        FastGram(k, lattice(8, [1, 3], order="radical")).double(x[::-1] * 0.999)


def test_not_positive_definite_reports_smallest_eigenvalue():
    x = np.tile(lattice(4, [1]), (2, 1))               # {2k/8}: 4 points twice, singular Gram
    np.testing.assert_array_equal(x, (np.arange(8)[:, None] * 2 % 8) / 8)
    G = FastGram(si_kernel(1), x)
    with pytest.raises(np.linalg.LinAlgError, match="smallest eigenvalue is"):
        G.solve(np.ones(8))
    with pytest.raises(ValueError, match="positive definite"):
        G.logdet()
    assert G.with_nugget(1e-3).logdet() < np.inf


def test_detect_structure_names():
    assert detect_structure(si_kernel(1), lattice(8, [1, 3], order="radical")) == "lattice-radical"
    assert detect_structure(dsi_kernel(1), sobol(8, 2, rng=0)) == "digital"


def test_rfft_path_equals_plain_fft():
    # the circulant eigenvalues are fft(first column in linear order)
    k, x = _lattice_case(64, 2, 1, "linear", 0)
    np.testing.assert_allclose(FastGram(k, x).eigenvalues(), scipy.fft.fft(k(x, x[:1])).real, atol=1e-11)
