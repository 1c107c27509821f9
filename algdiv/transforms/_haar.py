"""Public Haar, Reed-Muller and arithmetic transforms (plans in ``_solvers.py``)."""
from __future__ import annotations

import numpy as np

from ._plan import Problem, get_planner
from . import _validate as V
from ._dispatch import NUMPY as _NUMPY, route as _route

__all__ = ["haar", "ihaar", "reed_muller", "arithmetic", "iarithmetic"]


def _pow2_length(x, ax, axis, what):
    n = x.shape[ax]
    if n < 1 or n & (n - 1):
        nxt = 1 << max(0, (n - 1).bit_length())
        raise ValueError(
            f"Argument 'x' must have a power-of-2 length along axis {axis} for the {what}, "
            f"not {n}; zero-pad to {nxt}.")
    return n


def _haar_call(x, axis, norm, out, plan, inverse):
    x = V.as_array(x)
    ax = V.as_axis(axis, x.ndim)
    norm = V.as_norm(norm)
    n = _pow2_length(x, ax, axis, "Haar transform")
    exact = x.dtype.kind in "iu" and norm == "backward" and not inverse
    V.check_view_result(x, 8 if x.dtype.kind in "iu" else x.dtype.itemsize,
                        "ihaar" if inverse else "haar")
    if exact:
        V.int_fits(x, n) or _overflow(n)
    if x.dtype.kind in "iu":
        dtype = np.dtype(np.int64) if exact else np.dtype(np.float64)
    else:
        dtype = np.dtype(np.float32) if x.dtype == np.float16 else x.dtype
    problem = Problem("haar", n, dtype.name, norm=norm)
    p = V.as_plan(plan, problem) or get_planner().plan(problem)
    res = np.dtype(np.float64) if (inverse and dtype.kind == "i") else dtype
    out = V.as_out(out, x.shape, res)
    return (p.apply_inverse if inverse else p.apply)(x, ax, out)


def _overflow(factor):
    raise ValueError(
        f"Argument 'x' would overflow int64 in an exact transform: max|x| * {factor} exceeds "
        f"{V.INT64_MAX}; convert it to float64 first (x.astype(np.float64)).")


def haar(x, axis=-1, norm="ortho", *, out=None, plan=None):
    r"""Haar wavelet transform (full depth), coarse-to-fine output order.

    Parameters
    ----------
    x : array_like
        Length ``n = 2^k`` along ``axis``; float, complex or integer.
    axis : int, optional
    norm : {"ortho", "backward", "forward"}, optional
        Each level maps a pair ``(a, b)`` to ``c (a + b), c (a - b)`` with
        ``c = 1/sqrt(2)`` ("ortho", default: the matrix is orthonormal),
        ``c = 1`` ("backward": unnormalised, exact on integers) or
        ``c = 1/2`` ("forward").
    out : ndarray, optional
    plan : Plan, optional
        ``plan(Problem("haar", n, dtype, norm=norm))``.

    Returns
    -------
    ndarray
        ``[cA_k, cD_k, cD_{k-1}, ..., cD_1]`` concatenated: exactly
        ``np.concatenate(pywt.wavedec(x, "haar", mode="periodization"))`` for
        ``norm="ortho"``.  O(n) work.

    Notes
    -----
    With :math:`c = 1/\sqrt 2` the level-l detail coefficients are
    :math:`d_{l,j} = 2^{-l/2} \left(\sum_{i \in I_{l,j}^+} x_i - \sum_{i \in I_{l,j}^-} x_i\right)`
    over the two halves of the dyadic block :math:`[j 2^l, (j+1) 2^l)`.

    References
    ----------
    A. Haar, "Zur Theorie der orthogonalen Funktionensysteme", Math. Ann. 69
    (1910) 331-371, doi:10.1007/BF01456326.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import haar, ihaar
    >>> haar(np.array([1, 2, 3, 4]), norm="backward")
    array([10, -4, -1, -1])
    >>> y = haar(np.arange(8.0))
    >>> bool(np.allclose(ihaar(y), np.arange(8.0)))
    True
    """
    if type(x) is not np.ndarray:
        r = _route("haar", haar, x, dict(axis=axis, norm=norm, out=out, plan=plan))
        if r is not _NUMPY:
            return r
    return _haar_call(x, axis, norm, out, plan, False)


def ihaar(y, axis=-1, norm="ortho", *, out=None, plan=None):
    """Inverse of :func:`haar` (coefficients in coarse-to-fine order).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import ihaar
    >>> ihaar(np.array([10, -4, -1, -1]), norm="backward")
    array([1., 2., 3., 4.])
    """
    if type(y) is not np.ndarray:
        r = _route("ihaar", ihaar, y, dict(axis=axis, norm=norm, out=out, plan=plan))
        if r is not _NUMPY:
            return r
    return _haar_call(y, axis, norm, out, plan, True)


def reed_muller(x, axis=-1, *, out=None, plan=None):
    r"""Positive-polarity Reed-Muller transform over GF(2) (algebraic normal form).

    Parameters
    ----------
    x : array_like of bool or integers 0/1
        Truth tables of length ``n = 2^k`` along ``axis``; index x's bits are
        the variables (bit 0 = variable 0).
    axis : int, optional
    out : ndarray of uint8, optional
    plan : Plan, optional

    Returns
    -------
    ndarray of uint8
        ``a = M_n f mod 2`` where :math:`M_n[x, s] = 1` iff s is a subset of x,
        i.e. :math:`f(x) = \bigoplus_{s \subseteq x} a_s`.  The transform is its
        own inverse mod 2.  O(n log n) XOR butterflies.

    Raises
    ------
    TypeError
        For float or complex input.
    ValueError
        For values other than 0 and 1, or a length that is not a power of 2.

    References
    ----------
    I. S. Reed, IRE Trans. Inf. Theory 4 (1954) 38-49, doi:10.1109/TIT.1954.1057465.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import reed_muller
    >>> f = np.array([0, 0, 0, 1, 0, 0, 0, 1])     # x0 AND x1
    >>> reed_muller(f)
    array([0, 0, 0, 1, 0, 0, 0, 0], dtype=uint8)
    >>> reed_muller(reed_muller(f))
    array([0, 0, 0, 1, 0, 0, 0, 1], dtype=uint8)
    """
    a = np.asarray(x)
    if a.dtype.kind not in "biu":
        raise TypeError(f"Argument 'x' must be an array of bool or integers 0/1, not dtype {a.dtype}.")
    ax = V.as_axis(axis, a.ndim)
    n = _pow2_length(a, ax, axis, "Reed-Muller transform")
    if a.dtype.kind != "b" and a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(
            f"Argument 'x' must contain only 0 and 1, not values in [{a.min()}, {a.max()}].")
    problem = Problem("reed_muller", n, "uint8")
    p = V.as_plan(plan, problem) or get_planner().plan(problem)
    out = V.as_out(out, a.shape, np.dtype(np.uint8))
    return p.apply(a.astype(np.uint8, copy=False), ax, out)


def _arith_call(x, axis, out, plan, inverse):
    x = V.as_array(x)
    ax = V.as_axis(axis, x.ndim)
    n = _pow2_length(x, ax, axis, "arithmetic transform")
    if x.dtype.kind in "iu":
        V.int_fits(x, n) or _overflow(n)
        dtype = np.dtype(np.int64)
    else:
        dtype = np.dtype(np.float32) if x.dtype == np.float16 else x.dtype
    problem = Problem("arithmetic", n, dtype.name, params=(("inverse", inverse),))
    p = V.as_plan(plan, problem) or get_planner().plan(problem)
    out = V.as_out(out, x.shape, dtype)
    return p.apply(x, ax, out)


def arithmetic(x, axis=-1, *, out=None, plan=None):
    r"""Arithmetic transform ``a = A_n f`` (Moebius inversion on the subset lattice).

    Parameters
    ----------
    x : array_like
        Length ``n = 2^k`` along ``axis``.  Integers give exact int64 (refused
        if ``max|x| * n`` does not fit); floats keep their dtype.
    axis : int, optional
    out : ndarray, optional
    plan : Plan, optional
        ``plan(Problem("arithmetic", n, dtype, params=(("inverse", False),)))``.

    Returns
    -------
    ndarray

    Notes
    -----
    :math:`A_n = \begin{pmatrix}1&0\\-1&1\end{pmatrix}^{\otimes k} = M_n^{-1}` with
    :math:`M_n = \begin{pmatrix}1&0\\1&1\end{pmatrix}^{\otimes k}`, so
    :math:`f(x) = \sum_{s \subseteq x} a_s` (:func:`iarithmetic`).  The WHT
    factors through it: :math:`H_n = M_n D_n M_n^T` with
    :math:`D_n = \mathrm{diag}((-2)^{|s|})` (from :math:`(-1)^x = 1 - 2x`).

    References
    ----------
    K. D. Heidtmann, "Arithmetic spectrum applied to fault detection for
    combinational networks", IEEE Trans. Comput. 40 (1991) 320-324,
    doi:10.1109/12.76409.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import arithmetic, iarithmetic
    >>> f = np.array([0, 0, 0, 1, 0, 0, 0, 1])     # x0 AND x1
    >>> arithmetic(f)
    array([0, 0, 0, 1, 0, 0, 0, 0])
    >>> iarithmetic(arithmetic(f))
    array([0, 0, 0, 1, 0, 0, 0, 1])
    """
    return _arith_call(x, axis, out, plan, False)


def iarithmetic(a, axis=-1, *, out=None, plan=None):
    r"""Inverse arithmetic transform ``f = M_n a``, i.e. :math:`f(x) = \sum_{s \subseteq x} a_s`.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import iarithmetic
    >>> iarithmetic(np.array([1, 1, 1, 1]))
    array([1, 2, 2, 4])
    """
    return _arith_call(a, axis, out, plan, True)
