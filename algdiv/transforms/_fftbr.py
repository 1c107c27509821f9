"""FFT with bit-reversed input (``fftbr``) and its inverse (``ifftbr``).

These are the transforms that diagonalize a circulant matrix whose rows and
columns are listed in radical-inverse (van der Corput) order, the natural order
of an extensible rank-1 lattice; see :mod:`algdiv.qmc`.
"""
from __future__ import annotations

import functools
import operator

import numpy as np

from .. import _limits

__all__ = ["fftbr", "ifftbr", "bitrev_permutation"]

_NORMS = ("backward", "ortho", "forward")


@functools.lru_cache(maxsize=64)
def _bitrev_cached(m: int) -> np.ndarray:
    idx = np.arange(1 << m, dtype=np.intp)
    rev = np.zeros_like(idx)
    for b in range(m):
        rev |= ((idx >> b) & 1) << (m - 1 - b)
    rev.setflags(write=False)
    return rev


def bitrev_permutation(n: int) -> np.ndarray:
    """Return the bit-reversal permutation of ``range(n)``, ``n = 2**m``.

    Entry ``i`` is ``i`` with its ``m`` binary digits reversed. It is an
    involution, so it is its own inverse.

    Parameters
    ----------
    n : int
        A power of 2.

    Returns
    -------
    ndarray of intp, shape (n,)
        Read-only.

    Examples
    --------
    >>> from algdiv.transforms._fftbr import bitrev_permutation
    >>> bitrev_permutation(8)
    array([0, 4, 2, 6, 1, 5, 3, 7])
    """
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"Argument 'n' must be an integer, not {type(n).__name__}.") from None
    if n < 1 or n & (n - 1):
        raise ValueError(f"Argument 'n' must be a power of 2, not {n!r}.")
    _limits.check_bytes(16.0 * n, f"bitrev_permutation({n})")
    return _bitrev_cached(n.bit_length() - 1)


def _namespace(x):
    """Return ``(xp, fft_module)`` for ``x`` (NumPy/SciPy or CuPy/cupyx)."""
    if type(x).__module__.split(".")[0] == "cupy":
        import cupy
        import cupyx.scipy.fft as cufft

        return cupy, cufft
    import scipy.fft

    return np, scipy.fft


def _as_workers(workers):
    from ._validate import as_workers      # the rule of every algdiv transform
    return as_workers(workers)


def _prepare(x, axis, norm, name):
    if norm is None:
        norm = "backward"
    if norm not in _NORMS:
        raise ValueError(f"Argument 'norm' must be one of {_NORMS}, not {norm!r}.")
    xp, fftmod = _namespace(x)
    if xp is np:
        x = np.asarray(x)
    if x.dtype.kind not in "iufc":
        raise TypeError(f"Argument '{name}' must be an array of numbers (float, complex or "
                        f"integer), not dtype {x.dtype}.")
    if x.ndim == 0:
        raise ValueError(f"Argument '{name}' must have at least one dimension, not a scalar.")
    try:
        if isinstance(axis, (bool, np.bool_)):
            raise TypeError
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"Argument 'axis' must be an integer, not {type(axis).__name__}.") from None
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"Argument 'axis' must lie in [{-x.ndim}, {x.ndim}) for a {x.ndim}-d input, not {axis}."
        )
    n = x.shape[axis]
    if n < 1 or n & (n - 1):
        raise ValueError(
            f"Argument '{name}' must have a power-of-2 length along axis {axis}, not {n}; "
            "pad it or use scipy.fft.fft for other lengths."
        )
    perm = _bitrev_cached(n.bit_length() - 1)
    if xp is not np:
        perm = xp.asarray(perm)
    return xp, fftmod, x, axis, norm, perm


def fftbr(x, axis=-1, norm="backward", workers=None):
    r"""FFT of an input given in bit-reversed order; output in natural order.

    Parameters
    ----------
    x : array_like
        Input; its length along ``axis`` must be a power of 2, ``n = 2**m``.
    axis : int, optional
        Axis of the transform (default last).
    norm : {"backward", "ortho", "forward"}, optional
        Normalization, exactly as in :func:`scipy.fft.fft`: "backward" (the
        default) leaves the forward transform unscaled, "ortho" scales by
        :math:`1/\sqrt{n}` (a unitary map), "forward" by :math:`1/n`.
    workers : int, optional
        Passed to :func:`scipy.fft.fft`.

    Returns
    -------
    ndarray, complex
        Same shape as ``x``.

    Raises
    ------
    ValueError
        If the length along ``axis`` is not a power of 2, or ``norm`` or
        ``axis`` is invalid.

    See Also
    --------
    ifftbr : the inverse.
    algdiv.transforms.fwht : the Walsh-Hadamard analogue for digital nets.

    Notes
    -----
    With :math:`r(j)` the reversal of the :math:`m` binary digits of
    :math:`j` and the "backward" norm,

    .. math::

        y_k = \sum_{j=0}^{n-1} x_{r(j)}\, e^{-2\pi i jk/n},

    so ``fftbr(x) == scipy.fft.fft(x[bitrev], norm=norm)``. A circulant
    matrix :math:`C` (first column :math:`c`) written in bit-reversed order,
    :math:`K = C[r][:, r]`, is diagonalized by it:
    :math:`K y = \mathrm{ifftbr}(\mathrm{fftbr}(K_{:,0})\,\mathrm{fftbr}(y))`.
    Doubling: for :math:`x = [x_1, x_2]` of length :math:`2n`,
    ``fftbr(x) == [A + w B, A - w B]`` with ``A = fftbr(x1)``, ``B = fftbr(x2)``
    and :math:`w_k = e^{-\pi i k/n}` (unnormalized), which is what makes
    radical-inverse lattices extensible.

    References
    ----------
    .. [1] J. W. Cooley and J. W. Tukey, "An algorithm for the machine
       calculation of complex Fourier series", Math. Comp. 19 (1965) 297-301,
       doi:10.1090/S0025-5718-1965-0178586-1.
    .. [2] R. Jagadeeswaran and F. J. Hickernell, "Fast automatic Bayesian
       cubature using lattice sampling", Stat. Comput. 29 (2019) 1215-1229,
       doi:10.1007/s11222-019-09895-9.

    Examples
    --------
    >>> import numpy as np, scipy.fft
    >>> from algdiv.transforms._fftbr import fftbr, ifftbr
    >>> x = np.arange(8.0)
    >>> np.allclose(fftbr(x), scipy.fft.fft(x[[0, 4, 2, 6, 1, 5, 3, 7]]))
    True
    >>> np.allclose(ifftbr(fftbr(x, norm="ortho"), norm="ortho"), x)
    True
    """
    xp, fftmod, x, axis, norm, perm = _prepare(x, axis, norm, "x")
    workers = _as_workers(workers)
    xr = xp.take(x, perm, axis=axis)
    if xp is np:
        return fftmod.fft(xr, axis=axis, norm=norm, workers=workers, overwrite_x=True)
    return fftmod.fft(xr, axis=axis, norm=norm, overwrite_x=True)


def ifftbr(y, axis=-1, norm="backward", workers=None):
    r"""Inverse of :func:`fftbr`: input in natural order, output bit-reversed.

    Parameters
    ----------
    y : array_like
        Input; its length along ``axis`` must be a power of 2.
    axis : int, optional
        Axis of the transform (default last).
    norm : {"backward", "ortho", "forward"}, optional
        As in :func:`scipy.fft.ifft` ("backward": scaled by :math:`1/n`).
    workers : int, optional
        Passed to :func:`scipy.fft.ifft`.

    Returns
    -------
    ndarray, complex
        Same shape as ``y``; ``ifftbr(fftbr(x, norm=s), norm=s) == x``.

    Raises
    ------
    ValueError
        As :func:`fftbr`.

    See Also
    --------
    fftbr

    Notes
    -----
    ``ifftbr(y) == scipy.fft.ifft(y, norm=norm)[bitrev]`` along ``axis``:

    .. math::

        x_{r(j)} = \frac{1}{n}\sum_{k=0}^{n-1} y_k\, e^{2\pi i jk/n}
        \quad\text{("backward")}.

    References
    ----------
    .. [1] J. W. Cooley and J. W. Tukey, Math. Comp. 19 (1965) 297-301,
       doi:10.1090/S0025-5718-1965-0178586-1.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms._fftbr import fftbr, ifftbr
    >>> y = np.array([1.0, 2.0, 3.0, 4.0])
    >>> np.allclose(fftbr(ifftbr(y)), y)
    True
    """
    xp, fftmod, y, axis, norm, perm = _prepare(y, axis, norm, "y")
    workers = _as_workers(workers)
    if xp is np:
        z = fftmod.ifft(y, axis=axis, norm=norm, workers=workers)
    else:
        z = fftmod.ifft(y, axis=axis, norm=norm)
    return xp.take(z, perm, axis=axis)
