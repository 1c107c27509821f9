"""SO(2), SO(3) through their irreps; Funk-Hecke eigenvalues of zonal covariances.

Oracles: closed forms (rotation blocks, Weyl characters, the l = 1 Wigner
matrix = R itself, 4 pi i_l(kappa) for exp(kappa t)), scipy.special.sph_harm_y
for the harmonics being rotated, scipy.integrate.quad for the Funk-Hecke
integrals, scipy.stats.kstest for Haar sampling, and the dense zonal matrix
k(x_i . x_j) on the quadrature grid.
"""
import math

import numpy as np
import pytest
import scipy.fft
import scipy.integrate
import scipy.special
import scipy.stats
from scipy.spatial.transform import Rotation

from algdiv.reps._compact import SO2, SO3, funk_hecke
from algdiv.transforms._sphere import SphereTransform, real_spherical_harmonics

EPS = np.finfo(float).eps


# --------------------------------------------------------------------------- SO(2)
def test_so2_irreps_are_homomorphisms_and_orthogonal():
    G = SO2()
    rng = np.random.default_rng(0)
    a, b = G.sample(2, rng=rng)
    for n in range(5):
        D = G.irrep(n, np.array([a, b, a + b]))
        assert D.shape == (3, G.irrep_dim(n), G.irrep_dim(n))
        assert np.allclose(D[0] @ D[1], D[2], atol=1e-14)
        assert np.allclose(D[0].T @ D[0], np.eye(G.irrep_dim(n)), atol=1e-14)
        assert np.isclose(np.trace(D[0]), G.character(n, a))
    z = G.irrep(-3, a, field="complex")
    assert z.shape == (1, 1) and np.isclose(z[0, 0], np.exp(-3j * a))


def test_so2_character_orthogonality_exact_on_equispaced_angles():
    """The N-point rule integrates trigonometric polynomials of degree < N exactly."""
    G = SO2()
    theta = 2 * np.pi * np.arange(16) / 16
    chi = np.stack([G.character(n, theta, field="complex") for n in range(-3, 4)])
    gram = chi.conj() @ chi.T / theta.size
    assert np.abs(gram - np.eye(7)).max() < 1e-14


def test_so2_haar_sampling_is_uniform():
    t = SO2().sample(4000, rng=1)
    assert t.min() >= 0 and t.max() < 2 * np.pi
    assert scipy.stats.kstest(t, scipy.stats.uniform(0, 2 * np.pi).cdf).pvalue > 1e-3


@pytest.mark.parametrize("n", [7, 12])
def test_so2_circle_transform_diagonalizes_stationary_covariances(n):
    """Fourier series on n circle points: the plan's matrix is the DFT (scipy) or
    the real Fourier basis, and it diagonalizes k(theta_i - theta_j) with the
    circle Funk-Hecke eigenvalues (checked against eigvalsh)."""
    theta = 2 * np.pi * np.arange(n) / n
    k = lambda d: np.exp(np.cos(d)) + 0.3 * np.cos(2 * d)          # noqa: E731 - real, even
    K = k(theta[:, None] - theta[None, :])
    Pc = SO2.circle_transform(n, field="complex")
    F = scipy.fft.fft(np.eye(n), norm="ortho", axis=0)
    assert np.abs(Pc.matrix() - F).max() < 1e-14
    lam_c = SO2.circle_eigenvalues(k, n, field="complex")
    M = F @ K @ F.conj().T
    assert np.abs(M - np.diag(lam_c)).max() < 1e-12 * np.abs(lam_c).max()
    A = SO2.circle_transform(n).matrix()
    assert np.abs(A @ A.T - np.eye(n)).max() < 1e-14
    lam = SO2.circle_eigenvalues(k, n)
    assert np.abs(A @ K @ A.T - np.diag(lam)).max() < 1e-12 * np.abs(lam).max()
    assert np.allclose(np.sort(lam), np.linalg.eigvalsh(K), rtol=0, atol=1e-12 * np.abs(lam).max())
    x = np.random.default_rng(n).standard_normal(n)
    assert np.allclose(SO2.circle_transform(n).apply(x), A @ x, rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="Argument 'k' must be real and even"):
        SO2.circle_eigenvalues(np.sin, n)
    with pytest.raises(ValueError, match="Argument 'n' must be an integer >= 1"):
        SO2.circle_transform(0)


# --------------------------------------------------------------------------- SO(3)
@pytest.mark.parametrize("l", [0, 1, 2, 4, 7])
def test_so3_irreps(l):
    G = SO3()
    R = G.sample(4, rng=l)
    D = G.irrep(l, R)
    d = 2 * l + 1
    assert D.shape == (4, d, d) and G.irrep_dim(l) == d
    tol = 64 * EPS * d
    assert np.abs(G.irrep(l, R[0] @ R[1]) - D[0] @ D[1]).max() < tol          # homomorphism
    assert np.abs(np.swapaxes(D, 1, 2) @ D - np.eye(d)).max() < tol           # orthogonal
    assert np.abs(G.irrep(l, np.eye(3)) - np.eye(d)).max() < tol             # identity
    assert np.abs(G.irrep(l, R[2].T) - D[2].T).max() < tol                    # inverse
    assert np.abs(np.trace(D, axis1=1, axis2=2) - G.character(l, R)).max() < 1e-12 * d
    # Weyl's closed form of the character
    w = G.angle(R)
    assert np.allclose(G.character(l, R), np.sin((l + 0.5) * w) / np.sin(w / 2), atol=1e-10)


def test_so3_irrep_rotates_scipy_harmonics():
    """Y(R^{-1} x) = Y(x) D(R), with Y from scipy.special.sph_harm_y."""
    G = SO3()
    rng = np.random.default_rng(3)
    R = G.sample(rng=rng)
    x = rng.standard_normal((40, 3))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = x @ R                                                       # rows R^T x
    sph = lambda v: (np.arccos(v[:, 2]), np.arctan2(v[:, 1], v[:, 0]))  # noqa: E731
    for l in (1, 3, 5):
        def real_y(v):
            th, ph = sph(v)
            cols = []
            for m in range(-l, l + 1):
                z = scipy.special.sph_harm_y(l, abs(m), th, ph)
                cols.append(z.real if m == 0 else
                            math.sqrt(2) * (-1) ** m * (z.real if m > 0 else z.imag))
            return np.stack(cols, 1)
        assert np.abs(real_y(y) - real_y(x) @ G.irrep(l, R)).max() < 1e-12


def test_so3_l1_is_the_rotation_in_yzx_order():
    G = SO3()
    R = Rotation.random(3, random_state=4).as_matrix()              # scipy's rotations
    P = np.eye(3)[[1, 2, 0]]                                         # (x, y, z) -> (y, z, x)
    assert np.abs(G.irrep(1, R) - P @ R @ P.T).max() < 1e-14


def test_so3_haar_sampling():
    """Rotation angle density (1 - cos w) / pi; characters average to delta_{l0}."""
    G = SO3()
    R = G.sample(4000, rng=5)
    assert np.abs(np.swapaxes(R, 1, 2) @ R - np.eye(3)).max() < 1e-14
    assert np.allclose(np.linalg.det(R), 1.0)
    w = G.angle(R)
    cdf = lambda t: (t - np.sin(t)) / np.pi                         # noqa: E731
    assert scipy.stats.kstest(w, cdf).pvalue > 1e-3
    # character orthogonality E[chi_l chi_l'] = delta (Monte Carlo, 5 sigma)
    chi = np.stack([G.character(l, R) for l in range(4)])
    gram = chi @ chi.T / w.size
    assert np.abs(gram - np.eye(4)).max() < 5 * 3 / math.sqrt(w.size)
    # and the sample agrees with scipy's quaternion convention for its rotation
    q = np.random.default_rng(6).standard_normal(4)
    q /= np.linalg.norm(q)
    R1 = G.sample(rng=6)
    assert np.abs(R1 - Rotation.from_quat([q[1], q[2], q[3], q[0]]).as_matrix()).max() < 1e-14


def test_so3_bad_input():
    G = SO3()
    with pytest.raises(ValueError, match="Argument 'R' must hold rotation matrices"):
        G.irrep(1, np.diag([1.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match=r"Argument 'R' must have shape \(\.\.\., 3, 3\)"):
        G.character(1, np.eye(2))
    with pytest.raises(ValueError, match="Argument 'l' must be an integer >= 0"):
        G.irrep(-1, np.eye(3))
    with pytest.raises(TypeError, match="Argument 'l'"):
        G.irrep(1.5, np.eye(3))
    with pytest.raises(ValueError, match="Argument 'field'"):
        SO2().irrep(1, 0.0, field="quaternion")
    with pytest.raises(ValueError, match="Argument 'theta' must be finite"):
        SO2().character(1, np.inf)


# --------------------------------------------------------------------------- Funk-Hecke
def test_funk_hecke_exp_closed_form():
    lam = funk_hecke(lambda t: np.exp(2 * t), 8)
    ref = 4 * np.pi * scipy.special.spherical_in(np.arange(9), 2.0)
    assert np.abs(lam - ref).max() <= 1e-12 * ref[0]


def test_funk_hecke_matches_adaptive_quadrature():
    k = lambda t: 1.0 / (1.25 - t)                                  # noqa: E731 - Poisson-like kernel
    lam = funk_hecke(k, 4, n_quad=400)
    for l in range(5):
        ref = 2 * np.pi * scipy.integrate.quad(
            lambda t: k(t) * scipy.special.eval_legendre(l, t), -1, 1, epsabs=1e-14, epsrel=1e-13)[0]
        assert abs(lam[l] - ref) <= 1e-11 * lam[0]


def test_zonal_covariance_is_diagonal_in_sh_basis():
    """K_ij = exp(2 x_i . x_j) on a 40 x 80 grid: Y^T W K W Y = diag(lambda_l)."""
    L = 8
    T = SphereTransform(L, n_lat=40, n_lon=80)
    Y = T.matrix()
    K = np.exp(2.0 * (T.points @ T.points.T))
    WY = T.weights[:, None] * Y
    M = WY.T @ K @ WY
    lam = 4 * np.pi * scipy.special.spherical_in(np.arange(L + 1), 2.0)
    assert np.abs(M - np.diag(lam[T.degrees])).max() <= 1e-12 * lam[0]
    # Funk-Hecke as an eigen-relation of the integral operator (spec T-SH)
    KWY = K @ WY
    for l in range(4):
        cols = T.degrees == l
        err = np.linalg.norm(KWY[:, cols] - lam[l] * Y[:, cols]) / np.linalg.norm(lam[l] * Y[:, cols])
        assert err < 1e-12
    # the fast transform applied to the columns of K gives the same diagonal
    assert np.abs(T.forward(T.forward(K, axis=0)) - M).max() <= 1e-12 * lam[0]


def test_funk_hecke_bad_input():
    with pytest.raises(TypeError, match="Argument 'k' must be a callable"):
        funk_hecke(3.0, 4)
    with pytest.raises(ValueError, match="Argument 'k' must return real values"):
        funk_hecke(lambda t: 1.0, 4)
    with pytest.raises(ValueError, match="Argument 'k' must be finite"):
        funk_hecke(lambda t: 1.0 / (1.0 - t * t) * np.inf, 2)
    with pytest.raises(ValueError, match="Argument 'L'"):
        funk_hecke(np.exp, -2)
    with pytest.raises(TypeError, match="Argument 'n_quad'"):
        funk_hecke(np.exp, 2, n_quad=3.5)


def test_real_harmonics_of_zonal_function_only_m0():
    """A function of z alone (rotation-invariant about the pole) has only m = 0 terms."""
    T = SphereTransform(10)
    c = T.forward(np.exp(T.points[:, 2]))
    assert np.abs(c[T.orders != 0]).max() < 1e-14
    np.testing.assert_allclose(real_spherical_harmonics(0, 0.1, 0.2), [[0.5 / math.sqrt(math.pi)]])
