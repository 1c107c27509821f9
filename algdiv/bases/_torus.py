"""The real Fourier basis of a torus Z_{n_1} x ... x Z_{n_d}: the n-D FFT, then each pair
of conjugate characters {k, -k} turned into its cosine and sine (a 2 x 2 change of basis)."""
from __future__ import annotations

import math

import numpy as np
import scipy.fft as sfft

from ..transforms import Plan, Problem

__all__ = ["TorusRealFourierPlan", "conjugate_index"]


def conjugate_index(moduli):
    """Index of the character ``-k`` for each ``k`` (row-major multi-indices)."""
    K = np.array(np.unravel_index(np.arange(math.prod(moduli)), moduli))
    mod = np.asarray(moduli)[:, None]
    return np.ravel_multi_index(tuple((-K) % mod), moduli).astype(np.intp)


class TorusRealFourierPlan(Plan):
    r"""Real orthonormal Fourier basis of a torus, through one complex n-D FFT.

    With :math:`X_k = N^{-1/2}\sum_x x_x e^{-2\pi i k\cdot x/n}` (``scipy.fft.fftn``,
    ``norm="ortho"``), the coefficients are :math:`X_k` for self-conjugate ``k``
    (``k = -k``), and for each pair with ``k < -k`` (row-major index)
    :math:`\sqrt2\,\mathrm{Re}\,X_k` at ``k`` and :math:`\sqrt2\,\mathrm{Im}\,X_k` at
    ``-k``: the basis vectors :math:`\sqrt{2/N}\cos(2\pi k\cdot x/n)` and
    :math:`-\sqrt{2/N}\sin(2\pi k\cdot x/n)`.  The character ``k`` and its conjugate stay
    in one real irreducible component of any group of torus automorphisms, so the basis
    diagonalizes every real symmetric covariance invariant under the translations.
    Stored as a dense plan by :meth:`algdiv.Transform.save` (its problem kind is ``"dense"``).
    """

    solver = "torus-rfft"

    def __init__(self, moduli):
        moduli = tuple(int(m) for m in moduli)
        n = math.prod(moduli)
        super().__init__(Problem("dense", n), 5 * n * max(1, math.ceil(math.log2(max(n, 2)))))
        self.moduli = moduli
        neg = conjugate_index(moduli)
        idx = np.arange(n)
        self._self = idx[idx == neg]
        self._lo = idx[idx < neg]
        self._hi = neg[self._lo]

    def _execute(self, x, inverse, overwrite):
        m, n = x.shape[0], self.problem.n
        axes = tuple(range(1, len(self.moduli) + 1))
        r2 = math.sqrt(2.0)
        if not inverse:
            X = sfft.fftn(x.reshape((m, *self.moduli)), axes=axes, norm="ortho").reshape(m, n)
            y = np.empty((m, n), dtype=x.dtype)
            y[:, self._self] = X[:, self._self].real
            y[:, self._lo] = r2 * X[:, self._lo].real
            y[:, self._hi] = r2 * X[:, self._lo].imag
            return y
        X = np.empty((m, n), dtype=np.result_type(x.dtype, np.complex64))
        X[:, self._self] = x[:, self._self]
        X[:, self._lo] = (x[:, self._lo] + 1j * x[:, self._hi]) / r2
        X[:, self._hi] = np.conj(X[:, self._lo])
        out = sfft.ifftn(X.reshape((m, *self.moduli)), axes=axes, norm="ortho").real
        return np.ascontiguousarray(out.reshape(m, n), dtype=x.dtype)
