"""Discrete fractional Fourier transform: group law, DFT, eigen-angles, N % 4 == 0, chirps.

Oracles: the unitary DFT matrix of scipy.fft (norm="ortho"), the Dickinson-
Steiglitz matrix built entrywise here, the continuous Hermite functions
(scipy.special.eval_hermite), and the continuous chirp-to-delta relation.
"""
import math

import numpy as np
import pytest
import scipy.fft
import scipy.special

from algdiv.testing import fast_tol
from algdiv.transforms._frft import (dickinson_steiglitz, frft, frft_matrix, hermite_gauss,
                                     hermite_orders)

SIZES = [9, 11, 16, 18, 22, 64, 256]
TOL = 1e-10


def dft(n):
    return scipy.fft.fft(np.eye(n), norm="ortho", axis=0)


def ds_matrix(n):
    """S built entrywise from its definition (independent of the module)."""
    S = np.zeros((n, n))
    for i in range(n):
        S[i, i] += 2 * math.cos(2 * math.pi * i / n) - 4
        S[i, (i + 1) % n] += 1
        S[(i + 1) % n, i] += 1
    return S


@pytest.mark.parametrize("n", SIZES)
def test_group_law(n):
    rng = np.random.default_rng(n)
    for _ in range(3):
        a, b = rng.uniform(-4.0, 4.0, size=2)
        err = np.linalg.norm(frft_matrix(n, a) @ frft_matrix(n, b) - frft_matrix(n, a + b))  # Frobenius >= 2-norm
        assert err < TOL


@pytest.mark.parametrize("n", SIZES)
def test_integer_orders(n):
    F = dft(n)
    J = np.eye(n)[(-np.arange(n)) % n]                # (J x)[j] = x[-j mod n]
    assert np.abs(frft_matrix(n, 1.0) - F).max() < TOL
    assert np.abs(frft_matrix(n, 0.0) - np.eye(n)).max() < TOL
    assert np.abs(frft_matrix(n, 2.0) - J).max() < TOL
    assert np.abs(frft_matrix(n, -1.0) - F.conj().T).max() < TOL
    assert np.abs(frft_matrix(n, 3.0) - F.conj().T).max() < TOL
    assert np.abs(frft_matrix(n, 4.0) - np.eye(n)).max() < TOL
    assert np.abs(frft_matrix(n, 0.3 + 8.0) - frft_matrix(n, 0.3)).max() < TOL


@pytest.mark.parametrize("n", SIZES)
def test_unitary_and_inverse(n):
    rng = np.random.default_rng(100 + n)
    a = float(rng.uniform(-3, 3))
    Fa = frft_matrix(n, a)
    assert np.abs(Fa.conj().T @ Fa - np.eye(n)).max() < TOL
    assert np.abs(Fa.conj().T - frft_matrix(n, -a)).max() < TOL


@pytest.mark.parametrize("n", list(range(1, 41)) + [64, 100, 128, 256])
def test_eigen_angles(n):
    """F v_k = (-i)^k v_k for every n (the N % 4 == 0 degenerate pair included)."""
    V, k = hermite_gauss(n, return_orders=True)
    expected = list(range(n)) if n % 2 else list(range(n - 1)) + [n]
    if n == 1:
        expected = [0]
    assert k.tolist() == expected
    assert np.abs(V.T @ V - np.eye(n)).max() < 8 * np.finfo(float).eps * n
    assert np.abs(dft(n) @ V - V * (-1j) ** k).max() < TOL
    # and the columns are eigenvectors of the Dickinson-Steiglitz matrix
    D = V.T @ ds_matrix(n) @ V
    assert np.abs(D - np.diag(np.diag(D))).max() < TOL * max(1, n / 16)
    # even orders are even vectors, odd orders odd ones
    flip = V[(-np.arange(n)) % n]
    assert np.abs(flip - V * np.where(k % 2, -1.0, 1.0)).max() < TOL


@pytest.mark.parametrize("n", [8, 16, 64])
def test_degenerate_pair_is_handled(n):
    """For N % 4 == 0, S has a repeated eigenvalue: plain eigh(S) mixes an even
    and an odd vector and fails to diagonalize F; hermite_gauss must not."""
    S = ds_matrix(n)
    assert np.abs(dickinson_steiglitz(n) - S).max() == 0.0
    w, U = np.linalg.eigh(S)
    assert np.min(np.diff(w)) < 1e-10                  # the degenerate pair exists
    V, k = hermite_gauss(n, return_orders=True)
    M = V.conj().T @ dft(n) @ V
    assert np.abs(M - np.diag(np.diag(M))).max() < TOL
    # the F-eigenvalue of each vector follows its parity and order mod 4
    assert np.abs(np.diag(M) - (-1j) ** k).max() < TOL


def test_sizes_not_divisible_by_4_need_no_split():
    """For N = 9, 11, 18, 22 (spec T-FrFT) the descending eigenvectors of S give
    the eigenvalue (-i)^k for the first floor(N/2) vectors."""
    for n in (9, 11, 18, 22):
        w, U = np.linalg.eigh(ds_matrix(n))
        U = U[:, ::-1][:, : n // 2]
        M = U.T @ dft(n) @ U
        assert np.abs(M - np.diag((-1j) ** np.arange(n // 2))).max() < TOL


def test_hermite_gauss_approximates_continuous_functions():
    """Column k -> psi_k(x_j) sqrt(dx), x_j = j sqrt(2 pi / N), with O(1/N) error
    (Candan-Kutay-Ozaktas): same sign, and 4x smaller when N grows 4x."""
    errors = {}
    for n in (64, 256):
        V = hermite_gauss(n)
        dx = math.sqrt(2 * math.pi / n)
        j = np.arange(n)
        x = np.where(j < n // 2, j, j - n) * dx
        for order in range(6):
            psi = (scipy.special.eval_hermite(order, x) * np.exp(-x * x / 2)
                   / math.sqrt(2.0 ** order * math.factorial(order) * math.sqrt(math.pi)))
            errors[n, order] = np.linalg.norm(V[:, order] - psi * math.sqrt(dx))
    for order in range(6):
        assert errors[64, order] < 0.05
        assert 3.0 < errors[64, order] / errors[256, order] < 5.0


def test_frft_matches_matrix_along_axes():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 18, 4)) + 1j * rng.standard_normal((3, 18, 4))
    x0 = x.copy()
    a = 0.731
    y = frft(x, a, axis=1)
    ref = np.einsum("ij,ajb->aib", frft_matrix(18, a), x)
    assert np.linalg.norm(y - ref) <= fast_tol(np.float64, 18) * np.linalg.norm(ref)
    assert np.array_equal(x, x0)                          # input untouched
    assert np.allclose(frft(y, -a, axis=1), x, rtol=0, atol=1e-12)
    xr = rng.standard_normal(64)
    assert np.linalg.norm(frft(xr, 1) - scipy.fft.fft(xr, norm="ortho")) < 1e-12 * np.linalg.norm(xr)
    assert frft(xr, 0.5).dtype == np.complex128
    assert np.allclose(frft(xr.astype(np.int64), 0.2), frft(xr.astype(np.int64).astype(float), 0.2))


def test_chirp_concentrates_at_matching_order():
    """A chirp exp(i c x^2 / 2) becomes a spike at order a0 with cot(a0 pi/2) = -c."""
    n = 256
    j = np.arange(n)
    x = np.where(j < n // 2, j, j - n) * math.sqrt(2 * math.pi / n)
    orders = np.linspace(0.0, 2.0, 201)
    for a0 in (0.6, 1.5):
        c = -1.0 / math.tan(a0 * math.pi / 2)
        sig = np.exp(0.5j * c * x * x) * np.exp(-x * x / (2 * 12.0 ** 2))
        Y = np.stack([frft(sig, a) for a in orders])
        conc = np.max(np.abs(Y) ** 2, axis=1) / np.sum(np.abs(sig) ** 2)
        best = orders[np.argmax(conc)]
        assert abs(best - a0) <= 0.025
        assert np.argmax(np.abs(Y[np.argmax(conc)])) == 0          # spike at x = 0
        assert conc.max() > 20 * conc[0]                            # far above the chirp itself


@pytest.mark.parametrize("bad", [2.5, "16", None, 16.0])
def test_bad_size_type(bad):
    with pytest.raises(TypeError, match="Argument 'n'"):
        frft_matrix(bad, 0.5)
    with pytest.raises(TypeError, match="Argument 'n'"):
        hermite_gauss(bad)


@pytest.mark.parametrize("bad", [0, -3])
def test_bad_size_value(bad):
    with pytest.raises(ValueError, match="Argument 'n' must be an integer >= 1"):
        frft_matrix(bad, 0.5)
    with pytest.raises(ValueError, match="Argument 'n'"):
        hermite_orders(bad)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_bad_order_value(bad):
    with pytest.raises(ValueError, match="Argument 'a' must be a finite"):
        frft(np.ones(4), bad)
    with pytest.raises(ValueError, match="Argument 'a'"):
        frft_matrix(4, bad)


@pytest.mark.parametrize("bad", [1j, "0.5", None, [0.5]])
def test_bad_order_type(bad):
    with pytest.raises(TypeError, match="Argument 'a' must be a real number"):
        frft(np.ones(4), bad)


def test_bad_array():
    with pytest.raises(ValueError, match="Argument 'x'"):
        frft(np.ones((3, 0)), 0.5)
    with pytest.raises(ValueError, match="Argument 'x'"):
        frft(3.0, 0.5)
    with pytest.raises(TypeError, match="Argument 'x'"):
        frft(np.array(["a", "b"]), 0.5)
    with pytest.raises(ValueError, match="Argument 'axis'"):
        frft(np.ones(4), 0.5, axis=1)
    with pytest.raises(TypeError, match="Argument 'axis'"):
        frft(np.ones(4), 0.5, axis=0.0)


def test_cli_frft(tmp_path, capsys):
    from algdiv.cli import main

    assert main(["frft", "--n", "64", "--order", "0.3", "--chirp", "0.6"]) == 0
    out = capsys.readouterr().out
    assert "F^1 - DFT" in out and "chirp made for order 0.6" in out
    x = np.random.default_rng(2).standard_normal((2, 12))
    np.save(tmp_path / "x.npy", x)
    assert main(["frft", "--input", str(tmp_path / "x.npy"), "--order", "0.25",
                 "--out", str(tmp_path / "y.npy")]) == 0
    assert np.allclose(np.load(tmp_path / "y.npy"), frft(x, 0.25), rtol=0, atol=1e-13)
    capsys.readouterr()
    assert main(["frft", "--order", "nan"]) == 2
    assert "--order must be a finite real number" in capsys.readouterr().err
    assert main(["frft", "--n", "0"]) == 2
    assert "--n must be an integer >= 1" in capsys.readouterr().err
