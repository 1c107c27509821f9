"""Base-2 digital nets: generating matrices (Sobol'), scrambling, interlacing, points.

A generating matrix :math:`C_j` (53 x m over GF(2)) is stored as m column
integers: column b is the integer whose binary digits, most significant first,
are the 53 rows, so its value as a point coordinate is ``c / 2**53``. An array
of matrices has shape (d, m) and dtype uint64.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._checks import check_int
from ..groups._limits import check_bytes
from ._kernels import DIGITS

__all__ = ["sobol_matrices", "digital_net", "lms", "interlace", "sobol"]

_ORDERS = ("natural", "gray")
_ONE = np.uint64(1)


def _as_int(value, name, lo=None, hi=None):
    return check_int(value, name, min=lo, max=hi)


def sobol_matrices(d, m):
    r"""Sobol' generating matrices, read off the public output of SciPy's generator.

    Parameters
    ----------
    d : int
        Dimension, 1..21201 (SciPy's direction numbers, Joe and Kuo).
    m : int
        Number of columns, 0..32 (nets of up to :math:`2^m` points; SciPy's
        generator fast-forwards with 32-bit direction numbers only).

    Returns
    -------
    ndarray of uint64, shape (d, m)
        Column integers with 53 digits (see the module notes).

    Notes
    -----
    :class:`scipy.stats.qmc.Sobol` (unscrambled) emits point k as
    :math:`C\,\mathrm{bits}(\mathrm{gray}(k))` (Antonov-Saleev Gray-code order),
    and :math:`\mathrm{gray}(2^{b+1}-1) = 2^b`, so column :math:`b` of every
    :math:`C_j` is the point of index :math:`2^{b+1}-1`. Sobol' matrices are upper
    triangular: column b has digits only in rows 1..b+1, so
    ``bits=32`` reads it exactly for every m <= 32. No table is shipped and no private
    attribute is read.

    References
    ----------
    .. [1] S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
       two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654,
       doi:10.1137/070709359.

    Examples
    --------
    >>> from algdiv.qmc import sobol_matrices
    >>> C = sobol_matrices(2, 3)
    >>> [[int(c) >> 50 for c in row] for row in C]   # first three digits of each column
    [[4, 2, 1], [4, 6, 5]]
    """
    from scipy.stats import qmc

    d = _as_int(d, "d", 1, 21201)
    m = _as_int(m, "m", 0, 32)
    check_bytes(8.0 * d * m + 8.0 * d * 64, f"sobol_matrices({d}, {m})")
    out = np.zeros((d, m), dtype=np.uint64)
    # 32 bits whatever m: SciPy initialises higher dimensions wrongly for bits < 3, and
    # column b holds digits in rows 1..b+1 only, so more bits read it exactly too
    engine = qmc.Sobol(d, scramble=False, bits=32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "balance properties ... power of 2": not relevant here
        for b in range(m):
            engine.reset()
            engine.fast_forward((1 << (b + 1)) - 1)
            out[:, b] = np.ldexp(engine.random(1)[0], DIGITS).astype(np.uint64)
    return out


def _as_matrices(matrices):
    C = np.asarray(matrices)
    if C.ndim != 2 or C.dtype.kind not in "iu":
        raise ValueError(
            f"Argument 'matrices' must be a 2-d integer array (d, m) of column integers, "
            f"not {C.dtype} of shape {C.shape}."
        )
    if C.dtype.kind == "i" and np.any(C < 0):
        raise ValueError("Argument 'matrices' must hold non-negative column integers.")
    C = C.astype(np.uint64)
    if np.any(C >> np.uint64(DIGITS)):
        raise ValueError(f"Argument 'matrices' must hold column integers below 2**{DIGITS}.")
    return C


def digital_net(matrices, n=None, *, order="natural", shift=None, rng=None):
    r"""Points of a base-2 digital net, optionally digitally shifted.

    Parameters
    ----------
    matrices : array_like of int, shape (d, m)
        Generating matrices as column integers (e.g. :func:`sobol_matrices`).
    n : int, optional
        Number of points, at most :math:`2^m` (default :math:`2^m`). The first
        :math:`2^j` points form a digital net for every :math:`j` (in both orders).
    order : {"natural", "gray"}, optional
        "natural" (radical-inverse): :math:`x_k = C\,\mathrm{bits}(k) \oplus \Delta`;
        "gray": :math:`x_k = C\,\mathrm{bits}(k \oplus (k \gg 1)) \oplus \Delta`,
        SciPy's order.
    shift : None, "random" or array_like, optional
        Digital shift :math:`\Delta`: floats in [0, 1) or column-style integers
        below :math:`2^{53}`; "random" draws 53 random digits from ``rng``.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    ndarray, shape (n, d)
        Points in :math:`[0, 1)^d`, exact binary fractions.

    Notes
    -----
    In both orders :math:`x_i \oplus x_j = x_{i \oplus j} \oplus x_0`: the index set
    is the group :math:`\mathbb Z_2^m` under XOR, and the Gram matrix of a digitally
    shift-invariant kernel is a dyadic convolution, diagonalized by the
    Walsh-Hadamard transform (:class:`FastGram`).

    References
    ----------
    .. [1] J. Dick and F. Pillichshammer, "Digital Nets and Sequences",
       Cambridge University Press, 2010, doi:10.1017/CBO9780511761188.

    Examples
    --------
    >>> from algdiv.qmc import sobol_matrices, digital_net
    >>> digital_net(sobol_matrices(2, 2))
    array([[0.  , 0.  ],
           [0.5 , 0.5 ],
           [0.25, 0.75],
           [0.75, 0.25]])
    """
    C = _as_matrices(matrices)
    d, m = C.shape
    if order not in _ORDERS:
        raise ValueError(f"Argument 'order' must be one of {_ORDERS}, not {order!r}.")
    n = 1 << m if n is None else _as_int(n, "n", 1, 1 << m)
    # the column integers (doubled as they are built) and the float points
    check_bytes(8.0 * n * d * 3, f"digital_net of {n} points in {d} dimensions")
    mm = max(n - 1, 0).bit_length()
    ints = np.zeros((1, d), dtype=np.uint64)
    for b in range(mm):   # natural order by doubling: index k + 2^b has column b added
        ints = np.concatenate([ints, ints ^ C[:, b]])
    ints = ints[:n] if order == "natural" else ints[np.arange(n) ^ (np.arange(n) >> 1)]
    if shift is not None:
        ints ^= _as_digital_shift(shift, d, rng)
    return np.ldexp(ints.astype(np.float64), -DIGITS)


def _as_digital_shift(shift, d, rng):
    if isinstance(shift, str):
        if shift != "random":
            raise ValueError(f"Argument 'shift' must be None, 'random' or an array, not {shift!r}.")
        return np.random.default_rng(rng).integers(0, 1 << DIGITS, size=d, dtype=np.uint64)
    s = np.asarray(shift)
    if s.shape != (d,):
        raise ValueError(f"Argument 'shift' must have shape ({d},), not {s.shape}.")
    if s.dtype.kind == "f":
        if np.any(~(s >= 0)) or np.any(~(s < 1)):
            raise ValueError("Argument 'shift' must lie in [0, 1).")
        return np.ldexp(s, DIGITS).astype(np.uint64)
    return _as_matrices(s[:, None])[:, 0]


def _bits(C):
    """(d, m) column integers -> (d, DIGITS, m) digits, row 0 = most significant."""
    shifts = np.arange(DIGITS - 1, -1, -1, dtype=np.uint64)
    return ((C[:, None, :] >> shifts[None, :, None]) & _ONE).astype(np.int64)


def _pack(bits):
    shifts = np.arange(DIGITS - 1, -1, -1, dtype=np.uint64)
    return np.bitwise_or.reduce(bits.astype(np.uint64) << shifts[None, :, None], axis=1)


def lms(matrices, rng=None):
    r"""Linear matrix scrambling: :math:`C_j \mapsto L_j C_j` over GF(2).

    Each :math:`L_j` is a random 53 x 53 lower-triangular matrix with unit
    diagonal (Matousek), so the result is again a digital net with the same
    t-value, and the dyadic Gram structure is kept (unlike Owen's nested
    scrambling, which :class:`FastGram` refuses).

    Parameters
    ----------
    matrices : array_like of int, shape (d, m)
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    ndarray of uint64, shape (d, m)

    References
    ----------
    .. [1] J. Matousek, "On the L2-discrepancy for anchored boxes",
       J. Complexity 14 (1998) 527-556, doi:10.1006/jcom.1998.0489.

    Examples
    --------
    >>> from algdiv.qmc import sobol_matrices, lms
    >>> C = lms(sobol_matrices(3, 4), rng=0)
    >>> C.shape, C.dtype.name
    ((3, 4), 'uint64')
    """
    C = _as_matrices(matrices)
    d = C.shape[0]
    gen = np.random.default_rng(rng)
    L = np.tril(gen.integers(0, 2, size=(d, DIGITS, DIGITS)), -1) + np.eye(DIGITS, dtype=np.int64)
    return _pack((L @ _bits(C)) & 1)


def interlace(matrices, alpha):
    r"""Interlace the generating matrices of a ``d * alpha``-dimensional net.

    Dick's digit interlacing of factor :math:`\alpha` gives a higher-order
    digital net, matched to :func:`dsi_kernel` of order :math:`\alpha`: row
    :math:`\alpha(i-1) + r` of output matrix :math:`j` is row :math:`i` of input
    matrix :math:`\alpha(j-1) + r` (:math:`r = 1..\alpha`), keeping 53 rows.

    Parameters
    ----------
    matrices : array_like of int, shape (d * alpha, m)
    alpha : int
        Interlacing factor, >= 1.

    Returns
    -------
    ndarray of uint64, shape (d, m)

    References
    ----------
    .. [1] J. Dick, "Walsh spaces containing smooth functions and quasi-Monte
       Carlo rules of arbitrary high order", SIAM J. Numer. Anal. 46 (2008)
       1519-1553, doi:10.1137/060666639.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.qmc import interlace
    >>> a = np.array([[1 << 52], [0]], dtype=np.uint64)    # first row set in matrix 1 only
    >>> int(interlace(a, 2)[0, 0]) == 1 << 52
    True
    """
    C = _as_matrices(matrices)
    alpha = _as_int(alpha, "alpha", 1, DIGITS)
    if C.shape[0] % alpha:
        raise ValueError(
            f"Argument 'matrices' must have a multiple of alpha={alpha} rows (dimensions), not {C.shape[0]}."
        )
    bits = _bits(C)                                      # (d*alpha, DIGITS, m)
    d = C.shape[0] // alpha
    bits = bits.reshape(d, alpha, DIGITS, -1)            # [j, r, i, col]
    out = np.swapaxes(bits, 1, 2).reshape(d, alpha * DIGITS, -1)[:, :DIGITS]
    return _pack(out)


def sobol(n, d, *, alpha=1, order="natural", randomize="lms", rng=None):
    r"""A (higher-order) Sobol' net of ``n = 2**m`` points, randomized.

    Parameters
    ----------
    n : int
        Number of points, a power of 2 up to :math:`2^{32}` (within the memory limit).
    d : int
        Dimension.
    alpha : int, optional
        Interlacing factor (1: classical Sobol'; >= 2: higher order).
    order : {"natural", "gray"}, optional
    randomize : {"lms", "shift", None}, optional
        "lms": linear matrix scrambling and a digital shift; "shift": a digital
        shift only; None: the plain net.
    rng : optional

    Returns
    -------
    ndarray, shape (n, d)

    Examples
    --------
    >>> from algdiv.qmc import sobol
    >>> sobol(4, 2, randomize=None)[:, 0]
    array([0.  , 0.5 , 0.25, 0.75])
    """
    n = _as_int(n, "n", 1)
    if n & (n - 1):
        raise ValueError(f"Argument 'n' must be a power of 2, not {n}.")
    if randomize not in ("lms", "shift", None):
        raise ValueError(f"Argument 'randomize' must be 'lms', 'shift' or None, not {randomize!r}.")
    alpha = _as_int(alpha, "alpha", 1, DIGITS)
    d = _as_int(d, "d", 1)
    check_bytes(8.0 * n * d * 3, f"sobol({n}, {d})")
    gen = np.random.default_rng(rng)
    C = sobol_matrices(d * alpha, n.bit_length() - 1)
    if randomize == "lms":
        C = lms(C, rng=gen)
    C = interlace(C, alpha)
    return digital_net(C, n, order=order, shift=None if randomize is None else "random", rng=gen)
