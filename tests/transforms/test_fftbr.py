"""fftbr / ifftbr against the dense definitions (spec qmc.md, section 4.1)."""
import numpy as np
import pytest

from algdiv.testing import fast_tol
from algdiv.transforms._fftbr import bitrev_permutation, fftbr, ifftbr


def _bitrev_reference(n):
    m = n.bit_length() - 1
    return np.array([int(format(i, f"0{m}b")[::-1], 2) if m else 0 for i in range(n)])


def _dft_matrix(n):
    j = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(j, j) / n)


@pytest.mark.parametrize("n", [1, 2, 4, 16, 256])
def test_bitrev_matches_string_reversal(n):
    np.testing.assert_array_equal(bitrev_permutation(n), _bitrev_reference(n))


@pytest.mark.parametrize("n", [2, 16, 128, 1024])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_fftbr_is_dft_of_bitreversed_input(n, norm):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    scale = {"backward": 1.0, "ortho": 1 / np.sqrt(n), "forward": 1 / n}[norm]
    ref = scale * (_dft_matrix(n) @ x[_bitrev_reference(n)])
    got = fftbr(x, norm=norm)
    assert np.max(np.abs(got - ref)) <= 1e-12 * max(1.0, np.max(np.abs(ref)))
    # ifftbr is the inverse, output bit-reversed: (scaled ifft)[bitrev]
    iscale = {"backward": 1 / n, "ortho": 1 / np.sqrt(n), "forward": 1.0}[norm]
    iref = (iscale * (_dft_matrix(n).conj() @ x))[_bitrev_reference(n)]
    assert np.max(np.abs(ifftbr(x, norm=norm) - iref)) <= 1e-12 * max(1.0, np.max(np.abs(iref)))
    np.testing.assert_allclose(ifftbr(fftbr(x, norm=norm), norm=norm), x, rtol=0,
                               atol=1e-12 * np.max(np.abs(x)))


def test_spec_identities_ortho():
    # fftbr(x) == fft(x[bitrev]) / sqrt(n), ifftbr(y) == (sqrt(n) ifft(y))[bitrev]
    n = 16
    rng = np.random.default_rng(7)
    x = rng.standard_normal(n)
    br = _bitrev_reference(n)
    assert np.max(np.abs(fftbr(x, norm="ortho") - np.fft.fft(x[br]) / np.sqrt(n))) <= 1e-12
    assert np.max(np.abs(ifftbr(x, norm="ortho") - (np.sqrt(n) * np.fft.ifft(x))[br])) <= 1e-12


@pytest.mark.parametrize("axis", [0, 1, -1, -3])
def test_any_axis_matches_moveaxis(axis):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 4, 16))
    ref = np.moveaxis(fftbr(np.moveaxis(x, axis, -1)), -1, axis)
    got = fftbr(x, axis=axis)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, ref, rtol=fast_tol(np.float64, x.shape[axis]), atol=1e-13)
    np.testing.assert_allclose(ifftbr(got, axis=axis), x, atol=1e-13)


def test_doubling_identity():
    rng = np.random.default_rng(5)
    n = 64
    x = rng.standard_normal(2 * n)
    a, b = fftbr(x[:n]), fftbr(x[n:])
    w = np.exp(-1j * np.pi * np.arange(n) / n)
    np.testing.assert_allclose(fftbr(x), np.concatenate([a + w * b, a - w * b]), atol=1e-12)


def test_diagonalizes_bitreversed_circulant():
    n = 32
    rng = np.random.default_rng(11)
    c = rng.standard_normal(n)
    C = np.array([[c[(i - j) % n] for j in range(n)] for i in range(n)])
    br = _bitrev_reference(n)
    K = C[br][:, br]
    y = rng.standard_normal(n)
    fast = ifftbr(fftbr(K[:, 0]) * fftbr(y))
    np.testing.assert_allclose(fast.real, K @ y, atol=1e-12 * np.abs(K).sum())
    assert np.max(np.abs(fast.imag)) <= 1e-12 * np.abs(K).sum()


def test_input_not_modified():
    x = np.arange(8.0)
    before = x.copy()
    fftbr(x)
    ifftbr(x)
    np.testing.assert_array_equal(x, before)


def test_errors():
    with pytest.raises(ValueError, match="Argument 'x' must have a power-of-2 length"):
        fftbr(np.zeros(12))
    with pytest.raises(ValueError, match="Argument 'y' must have a power-of-2 length"):
        ifftbr(np.zeros((4, 6)), axis=1)
    with pytest.raises(ValueError, match="Argument 'norm'"):
        fftbr(np.zeros(4), norm="unitary")
    with pytest.raises(ValueError, match="Argument 'axis'"):
        fftbr(np.zeros(4), axis=2)
    with pytest.raises(ValueError, match="Argument 'n' must be a power of 2"):
        bitrev_permutation(6)
