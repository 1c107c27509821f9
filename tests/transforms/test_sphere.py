"""Real spherical-harmonic transform: scipy's harmonics, exact quadrature, fast = dense.

Oracles: scipy.special.sph_harm_y (complex harmonics with the Condon-Shortley
phase), the dense product with Y, and Cartesian closed forms for l <= 1.
"""
import math

import numpy as np
import pytest
from scipy.special import sph_harm_y

from algdiv.testing import fast_tol
from algdiv.transforms._sphere import SphereTransform, real_spherical_harmonics, sh_index


def scipy_real_sh(L, theta, phi):
    cols = []
    for l in range(L + 1):
        for m in range(-l, l + 1):
            z = sph_harm_y(l, abs(m), theta, phi)
            if m == 0:
                cols.append(z.real)
            elif m > 0:
                cols.append(math.sqrt(2) * (-1) ** m * z.real)
            else:
                cols.append(math.sqrt(2) * (-1) ** m * z.imag)
    return np.stack(cols, axis=1)


def test_matches_scipy_sph_harm_y():
    rng = np.random.default_rng(0)
    theta = np.concatenate([[0.0, np.pi, 1e-9], rng.uniform(0, np.pi, 60)])
    phi = np.concatenate([[0.3, 1.0, 2.0], rng.uniform(0, 2 * np.pi, 60)])
    Y = real_spherical_harmonics(12, theta, phi)
    assert Y.shape == (63, 169)
    assert np.abs(Y - scipy_real_sh(12, theta, phi)).max() < 1e-13


def test_low_degrees_are_cartesian():
    rng = np.random.default_rng(1)
    theta, phi = rng.uniform(0, np.pi, 20), rng.uniform(0, 2 * np.pi, 20)
    x, y, z = np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)
    Y = real_spherical_harmonics(1, theta, phi)
    c = math.sqrt(3 / (4 * math.pi))
    assert np.allclose(Y, np.stack([np.full(20, 0.5 / math.sqrt(math.pi)), c * y, c * z, c * x], 1),
                       rtol=0, atol=1e-15)


@pytest.mark.parametrize("L,n_lat,n_lon", [(0, None, None), (1, None, None), (5, None, None),
                                           (8, 12, 30), (32, None, None), (20, 21, 41)])
def test_quadrature_orthonormality(L, n_lat, n_lon):
    T = SphereTransform(L, n_lat, n_lon)
    Y = T.matrix()
    assert Y.shape == (T.n_points, (L + 1) ** 2)
    assert np.abs(Y.T @ (T.weights[:, None] * Y) - np.eye(T.n_coeffs)).max() < 1e-13
    assert abs(T.weights.sum() - 4 * math.pi) < 1e-12
    assert np.allclose(np.linalg.norm(T.points, axis=1), 1.0)
    # grid Y from scipy directly: the grid and the matrix agree
    th = np.arccos(T.points[:, 2])
    ph = np.arctan2(T.points[:, 1], T.points[:, 0])
    if L <= 8:
        assert np.abs(Y - scipy_real_sh(L, th, ph)).max() < 1e-13


@pytest.mark.parametrize("L", [0, 1, 3, 10, 32])
def test_round_trip_band_limited(L):
    """f = Y c built densely from scipy's harmonics: forward recovers c, inverse gives f."""
    rng = np.random.default_rng(L)
    T = SphereTransform(L)
    th = np.arccos(T.points[:, 2])
    ph = np.arctan2(T.points[:, 1], T.points[:, 0])
    Yref = scipy_real_sh(L, th, ph) if L <= 10 else T.matrix()
    c = rng.standard_normal(T.n_coeffs)
    f = Yref @ c
    scale = np.abs(f).max()
    assert np.abs(T.forward(f) - c).max() < 1e-12 * max(1.0, np.abs(c).max())
    assert np.abs(T.inverse(c) - f).max() < 1e-12 * scale
    assert np.abs(T.inverse(T.forward(f)) - f).max() < 1e-12 * scale


def test_fast_equals_dense_on_any_data():
    """Also for data that are not band-limited: forward is exactly Y^T W f."""
    rng = np.random.default_rng(5)
    T = SphereTransform(16, 20, 40)
    Y = T.matrix()
    f = rng.standard_normal((4, T.n_points))
    c = rng.standard_normal((4, T.n_coeffs))
    ref_f = (f * T.weights) @ Y
    ref_c = c @ Y.T
    tol = fast_tol(np.float64, T.n_points, factor=64)
    assert np.linalg.norm(T.forward(f) - ref_f) <= tol * np.linalg.norm(ref_f)
    assert np.linalg.norm(T.inverse(c) - ref_c) <= tol * np.linalg.norm(ref_c)
    # axis handling, complex input, input not modified
    f0 = f.copy()
    assert np.allclose(T.forward(f.T, axis=0), ref_f.T, rtol=0, atol=1e-12)
    assert np.array_equal(f, f0)
    fz = f + 2j * rng.standard_normal(f.shape)
    assert np.allclose(T.forward(fz), (fz * T.weights) @ Y, rtol=0, atol=1e-12)
    cz = c - 1j * c[::-1]
    assert np.allclose(T.inverse(cz[:, None, :]), (cz @ Y.T)[:, None, :], rtol=0, atol=1e-12)


def test_rotation_invariance_of_degree_energy():
    """The energy per degree is SO(3)-invariant (irreducibility of degree blocks)."""
    rng = np.random.default_rng(9)
    L = 6
    T = SphereTransform(L)
    a = rng.standard_normal(3)
    a /= np.linalg.norm(a)
    b = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    b *= np.linalg.det(b)
    k = lambda t: (1 + t) ** 3 * (2 - t) ** 2 + 0.5 * t ** 6  # noqa: E731 - degree 6 = L
    c1 = T.forward(k(T.points @ a))
    c2 = T.forward(k(T.points @ (b @ a)))
    e1 = np.bincount(T.degrees, c1 ** 2)
    e2 = np.bincount(T.degrees, c2 ** 2)
    assert np.allclose(e1, e2, rtol=1e-10, atol=1e-14)


def test_sh_index_and_labels():
    T = SphereTransform(3)
    for idx in range(T.n_coeffs):
        assert sh_index(int(T.degrees[idx]), int(T.orders[idx])) == idx
    with pytest.raises(ValueError, match="Argument 'm'"):
        sh_index(2, 3)


def test_bad_input():
    with pytest.raises(ValueError, match=r"Argument 'n_lat' must be at least L \+ 1 = 33"):
        SphereTransform(32, n_lat=20)
    with pytest.raises(ValueError, match=r"Argument 'n_lon' must be at least 2L \+ 1 = 65"):
        SphereTransform(32, n_lon=64)
    with pytest.raises(ValueError, match="Argument 'L' must be an integer >= 0"):
        SphereTransform(-1)
    with pytest.raises(TypeError, match="Argument 'L' must be an integer"):
        SphereTransform(4.0)
    with pytest.raises(TypeError, match="Argument 'n_lat'"):
        SphereTransform(4, n_lat="10")
    T = SphereTransform(4)
    with pytest.raises(ValueError, match="Argument 'f' must have length"):
        T.forward(np.ones(T.n_points + 1))
    with pytest.raises(ValueError, match="Argument 'c' must have length"):
        T.inverse(np.ones(T.n_coeffs - 1))
    with pytest.raises(ValueError, match="Argument 'axis'"):
        T.forward(np.ones(T.n_points), axis=2)
    with pytest.raises(ValueError, match="Arguments 'theta' and 'phi' must be finite"):
        real_spherical_harmonics(2, [np.nan], [0.0])


def test_cli_sphere(capsys):
    from algdiv.cli import main

    assert main(["sphere", "--degree", "12"]) == 0
    out = capsys.readouterr().out
    assert "L = 12" in out and "Funk-Hecke" in out and "max offdiag" in out
    assert main(["sphere", "--degree", "-2"]) == 2
    assert "--degree must be an integer >= 0" in capsys.readouterr().err
