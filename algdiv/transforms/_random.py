r"""Counter-based Rademacher signs and the randomized Hadamard transform ``H D x``.

The generator (docs/transforms.md, "Rademacher generator") is defined in pure
uint64 arithmetic (all operations mod 2^64) so that CPU, CUDA and every dask
chunk produce the same signs from ``(seed, stream, i)``::

    GAMMA = 0x9E3779B97F4A7C15
    mix(z):  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
             z = (z ^ (z >> 27)) * 0x94D049BB133111EB
             return z ^ (z >> 31)                       # splitmix64 finalizer
    key     = mix(seed + GAMMA * (stream + 1))
    word(i) = mix(key + GAMMA * (i + 1))
    sign(i) = +1 if word(i) >> 63 == 0 else -1

Element ``i`` is the flat (C-order) index.  ``word(i)`` is the (i+1)-th output
of splitmix64 seeded with ``key``.
"""
from __future__ import annotations

import functools
import math
import operator

import numpy as np

from .. import _limits
from . import _validate as V
from . import _wht
from ._dispatch import NUMPY as _NUMPY, route as _route
from ._wht import _wht_call, norm_scale

__all__ = ["rademacher", "rademacher_at", "hd"]

GAMMA = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_CHUNK = 1 << 14           # 128 KiB of uint64 temporaries: stays in L2


def _mix_int(z: int) -> int:
    z &= _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer on a uint64 array (in place; wraps mod 2^64)."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(_M1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(_M2)
    z ^= z >> np.uint64(31)
    return z


def _u64(v, name):
    try:
        if isinstance(v, (bool, np.bool_)):
            raise TypeError
        v = operator.index(v)
    except TypeError:
        raise TypeError(f"Argument '{name}' must be an integer, not {type(v).__name__}.") from None
    if not 0 <= v <= _MASK:
        raise ValueError(f"Argument '{name}' must be in [0, 2^64), not {v}.")
    return v


def _key(seed, stream) -> int:
    seed = _u64(seed, "seed")
    stream = _u64(stream, "stream")
    return _mix_int(seed + GAMMA * (stream + 1))


def _signs_from_counters(key: int, idx) -> np.ndarray:
    """int8 signs for flat indices: a uint64 array (any shape) or ``range(size)``."""
    if isinstance(idx, range):
        out = np.empty(len(idx), dtype=np.int8)
        flat_o = out
    else:
        out = np.empty(idx.shape, dtype=np.int8)
        flat_o = out.reshape(-1)
        flat_i = idx.reshape(-1)
    g = np.uint64(GAMMA)
    k = np.uint64(key)
    one = np.uint64(1)
    with np.errstate(over="ignore"):
        for s in range(0, flat_o.size, _CHUNK):
            e = min(s + _CHUNK, flat_o.size)
            if isinstance(idx, range):
                z = np.arange(s + 1, e + 1, dtype=np.uint64)
            else:
                z = flat_i[s:e] + one
            z *= g
            z += k
            _mix(z)
            w = z.view(np.int64)
            w >>= 63                       # arithmetic shift: -1 where the top bit is set, else 0
            w |= 1
            flat_o[s:e] = w
    return out


def rademacher(seed, shape, stream=0) -> np.ndarray:
    r"""Rademacher signs (+1/-1, int8) from the counter-based generator.

    Parameters
    ----------
    seed : int
        In [0, 2^64).
    shape : int or tuple of int
    stream : int, optional
        Independent stream number in [0, 2^64) (e.g. one per layer).

    Returns
    -------
    ndarray of int8, shape ``shape``
        Element with flat C-order index i is ``sign(i)`` of the generator in
        the module docstring, so ``rademacher(seed, (m, n))[r]`` equals
        ``rademacher_at(seed, r * n + np.arange(n))``: any chunk or kernel can
        reproduce any slice from ``(seed, stream, i)`` alone.

    References
    ----------
    G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number
    generators", OOPSLA 2014, doi:10.1145/2660193.2660195.

    Examples
    --------
    >>> from algdiv.transforms import rademacher, rademacher_at
    >>> s = rademacher(42, (2, 4))
    >>> s.dtype, sorted(set(s.ravel().tolist())) <= [-1, 1]
    (dtype('int8'), True)
    >>> bool((rademacher_at(42, [4, 5, 6, 7]) == s[1]).all())
    True
    """
    shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    try:
        shape = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"Argument 'shape' must be an int or a tuple of ints, not {shape!r}.") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"Argument 'shape' must have non-negative entries, not {shape}.")
    key = _key(seed, stream)
    size = math.prod(shape)
    _limits.check_bytes(size, f"rademacher of shape {shape} (int8)")
    return _signs_from_counters(key, range(size)).reshape(shape)


def rademacher_at(seed, index, stream=0) -> np.ndarray:
    """Signs of the flat indices ``index`` (any shape of non-negative integers).

    ``rademacher_at(seed, range(a, b))`` is ``rademacher(seed, b).ravel()[a:b]``
    without generating the first ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import rademacher, rademacher_at
    >>> bool(np.array_equal(rademacher_at(7, np.arange(10, 20)), rademacher(7, 20)[10:]))
    True
    """
    idx = np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"Argument 'index' must be an array of integers, not dtype {idx.dtype}.")
    if idx.dtype.kind == "i" and idx.size and idx.min() < 0:
        raise ValueError(f"Argument 'index' must be non-negative, not {idx.min()}.")
    return _signs_from_counters(_key(seed, stream), idx.astype(np.uint64))


@functools.lru_cache(maxsize=8)
def _shared_signs(seed, stream, n):
    d = rademacher(seed, n, stream)
    d.setflags(write=False)
    return d


def hd(x, signs=None, seed=None, *, stream=0, per_row=False, offset=0, axis=-1, norm="ortho",
       order="natural", workers=None, out=None):
    r"""Randomized Hadamard transform ``y = H D x`` along ``axis``.

    Parameters
    ----------
    x : array_like
        Length n (as :func:`fwht`) along ``axis``, any batch shape.
    signs : array_like, optional
        The diagonal of D: shape ``(n,)`` (broadcast along ``axis`` to every
        row) or ``x``'s full shape, every value +1 or -1 (integers or floats;
        bool and complex arrays, and any other value, are refused: ``H D``
        must stay orthogonal).  Exactly one of ``signs`` and ``seed``.
    seed : int, optional
        Generate D with the counter-based generator of :func:`rademacher`
        (inside the C kernel when it is available: no sign array is made):
        by default ONE vector ``rademacher_at(seed, offset + arange(n),
        stream)`` shared by every row.  With ``per_row=True`` row r (C order
        of the batch shape, after moving ``axis`` last) uses flat indices
        ``offset + r*n .. offset + r*n + n - 1``; with ``offset=0`` D is
        ``rademacher(seed, batch_shape + (n,), stream)`` moved to ``axis``.
    stream : int, optional
    per_row : bool, optional
    offset : int, optional
        First sign index (``seed=`` only; in [0, 2^64)).  A chunk of rows
        starting at row ``r0`` of a larger batch passes ``offset=r0 * n``
        with ``per_row=True`` and gets the signs the whole batch would.
    axis : int, optional
    norm : {"ortho", "backward", "forward"}, optional
        Default "ortho": ``H D`` is orthogonal.
    order : {"natural", "sequency", "dyadic"}, optional
    workers : int, optional
        Threads, as for :func:`fwht`.
    out : ndarray, optional

    Returns
    -------
    ndarray
        ``fwht(signs * x, axis, norm, order)``.

    References
    ----------
    N. Ailon, B. Chazelle, "The fast Johnson-Lindenstrauss transform and
    approximate nearest neighbors", SIAM J. Comput. 39 (2009) 302-322,
    doi:10.1137/060673096.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import hd, fwht, rademacher
    >>> x = np.arange(8.0)
    >>> bool(np.allclose(hd(x, seed=1), fwht(rademacher(1, 8) * x, norm="ortho")))
    True
    >>> bool(np.isclose(np.linalg.norm(hd(x, seed=1)), np.linalg.norm(x)))
    True
    >>> X = np.ones((4, 8))
    >>> bool(np.array_equal(hd(X, seed=1, per_row=True)[2:],
    ...                     hd(X[2:], seed=1, per_row=True, offset=2 * 8)))
    True
    """
    if type(x) is not np.ndarray:
        r = _route("hd", hd, x, dict(signs=signs, seed=seed, stream=stream, per_row=per_row,
                                     offset=offset, axis=axis, norm=norm, order=order,
                                     workers=workers, out=out))
        if r is not _NUMPY:
            return r
    xa = V.as_array(x)
    ax = V.as_axis(axis, xa.ndim)
    n = xa.shape[ax]
    check_signs_or_seed(signs, seed)
    norm = V.as_norm(norm)
    order = V.as_order(order)
    workers = V.as_workers(workers)
    per_row = V.as_flag(per_row, "per_row")
    _u64(stream, "stream")
    V.check_view_result(xa, xa.dtype.itemsize if xa.dtype.kind in "fc" else 8, "hd")
    if signs is None:
        return _hd_seeded(xa, ax, n, seed, stream, bool(per_row), offset, norm, order, workers, out)
    d = as_hd_signs(np, signs, offset, n, xa.shape)
    if d.shape == (n,):
        d = d.reshape((n,) + (1,) * (xa.ndim - 1 - ax))
    return _hd_signs(xa, d, ax, n, norm, order, workers, out)


def chain_rows(signs, inverse=False):
    """The rows of signs :func:`hd_chain` reads for the rotation whose diagonals are the
    ``(b, n)`` int8 rows ``signs`` (first applied first), or with ``inverse=True`` for its
    transpose (then ``trailing=True``): the identity, ``D_b, ..., D_2``, then ``D_1``.
    Returns ``(rows, None)``, or ``(None, packed)`` with the rows packed 8 to a byte when
    n is a multiple of 8 (what the kernel reads fastest)."""
    rows = np.asarray(signs, dtype=np.int8)
    if inverse:
        rows = np.concatenate([np.ones((1, rows.shape[1]), np.int8), rows[:0:-1], rows[:1]])
    if rows.shape[1] % 8 == 0:
        return None, np.packbits(rows < 0, axis=1, bitorder="little")
    return rows, None


def hd_chain(x, seed, blocks, workers=None, signs=None, sign_bits=None, trailing=False):
    r"""The chain :math:`y = (n^{-1/2} H D_{b-1}) \cdots (n^{-1/2} H D_0)\,x` along the last axis.

    :math:`D_j` is ``rademacher(seed, n, stream=j)`` (the forward map of
    :class:`algdiv.rotations.StructuredRotation`), or row ``j`` of ``signs``, a
    ``(b, n)`` int8 array of +-1, when given; ``sign_bits`` holds the same rows
    packed, ``np.packbits(signs < 0, axis=1, bitorder="little")`` (their values
    are not checked again, the core checks their sizes: the kernel reads the
    packed rows, else the int8 rows, instead of generating the signs, which is
    cheaper for rows longer than the level-2 block).  ``x`` is a float or
    complex numpy array (not modified); the result is a new array of its dtype.
    With the C core and ``n = 2^k`` it is one call: for rows longer than the L2
    blocks the two halves of neighbouring blocks share a pass over memory
    (``b + 1`` passes instead of ``2b``, docs/engine.md); otherwise it is
    :func:`hd` block after block, with the same result up to rounding.
    ``trailing=True`` (with ``b + 1`` rows of ``signs`` or ``sign_bits``)
    multiplies the result by the diagonal of row ``b``, unscaled:
    :math:`T^\top` of a rotation, whose last factor is a diagonal.
    """
    n = x.shape[-1]
    if trailing and signs is None and sign_bits is None:
        raise ValueError("Argument 'trailing' needs the rows of 'signs' or 'sign_bits'.")
    kern = _wht._KERNELS.get("hd_chain")
    if (kern is not None and (blocks > 1 or trailing) and blocks <= 1024 and n >= 2
            and not n & (n - 1) and x.dtype.char in "fdFD" and x.dtype.isnative):
        return kern(x, norm_scale("ortho", n, False), workers, _u64(seed, "seed"), blocks, signs,
                    sign_bits, trailing)
    if signs is None and sign_bits is not None:
        neg = np.unpackbits(np.asarray(sign_bits, dtype=np.uint8), axis=-1, count=n, bitorder="little")
        signs = np.where(neg, -1, 1).astype(np.int8)
    y = x
    for j in range(blocks):
        if signs is not None:
            y = hd(y, signs=signs[j], norm="ortho", workers=workers, out=y if j else None)
        else:
            y = hd(y, seed=seed, stream=j, norm="ortho", workers=workers, out=y if j else None)
    if trailing:
        np.multiply(y, signs[blocks], out=y)
    return y


def check_signs_or_seed(signs, seed):
    """``ValueError`` unless exactly one of ``hd``'s ``signs`` and ``seed`` is given (CPU and GPU)."""
    if (signs is None) == (seed is None):
        raise ValueError("Arguments 'signs' and 'seed': give exactly one of them, not "
                         + ("both." if signs is not None else "neither."))


def as_hd_signs(xp, signs, offset, n, shape):
    """``hd``'s explicit ``signs`` as an ``xp`` array of shape ``(n,)`` or ``shape`` (the
    checks shared by the CPU and GPU paths: no ``offset``, real integers or floats, one of
    those shapes, every value +1 or -1: TypeError for bool or complex, ValueError otherwise)."""
    if offset != 0:
        raise ValueError(f"Argument 'offset' applies to seed= only; with signs= it must be 0, "
                         f"not {offset!r}.")
    d = xp.asarray(signs)
    if d.dtype.kind not in "iuf":
        hint = "; for a 0/1 mask m pass 2 * m - 1" if d.dtype.kind == "b" else ""
        raise TypeError(f"Argument 'signs' must be an array of +1/-1 integers or floats, "
                        f"not dtype {d.dtype}{hint}.")
    if d.shape != (n,) and tuple(d.shape) != tuple(shape):
        raise ValueError(f"Argument 'signs' must have shape {(n,)} or {tuple(shape)}, "
                         f"not {tuple(d.shape)}.")
    ok = (d == 1) | (d == -1)
    if not bool(ok.all()):
        raise not_pm1_error(d, xp.argwhere(~ok)[0])
    return d


def not_pm1_error(d, first, hint=""):
    """The ``ValueError`` for a sign array ``d`` whose entry at index ``first`` is not +-1."""
    where = tuple(int(i) for i in first)
    return ValueError(f"Argument 'signs' must hold only +1 and -1 (D must be orthogonal), "
                      f"not {float(d[where])!r} at index {where if len(where) > 1 else where[0]}"
                      f"{hint}.")


def _hd_signs(xa, d, ax, n, norm, order, workers, out):
    """hd with an explicit sign array ``d`` (broadcastable along ``ax``)."""
    kern = _wht._KERNELS.get("hd_signs")
    if (kern is not None and order == "natural" and ax == xa.ndim - 1
            and xa.dtype.char in "fd" and xa.flags.c_contiguous and n >= 1 and not n & (n - 1)
            and d.dtype == np.int8 and (d.ndim == 1 or d.shape == xa.shape)
            and _kernel_out_ok(xa, out)):
        m = xa.size // n if n else 0
        dd = np.ascontiguousarray(d.reshape(-1, n) if d.shape == xa.shape else d.reshape(n))
        y = kern(xa.reshape(m, n), dd, norm_scale(norm, n, False), workers,
                 None if out is None else out.reshape(m, n))
        return y.reshape(xa.shape) if out is None else out
    return _hd_numpy(xa, d, ax, norm, order, workers, out)


def _hd_numpy(xa, d, ax, norm, order, workers, out):
    if xa.dtype.kind in "iu":
        xa = xa.astype(np.float64)
    dx = xa * d.astype(xa.dtype if xa.dtype.kind in "fc" else np.float64, copy=False)
    return _wht_call(dx, ax, norm, order, True, workers, out, None, False)


_ORDER_CODES = {"natural": 0, "sequency": 1, "dyadic": 2}


def _kernel_out_ok(xa, out):
    """Whether the fused kernel can write ``hd``'s result to ``out`` itself.

    ``out`` None, or a native, aligned, writeable C-contiguous array of the
    result's shape and dtype that is ``xa`` itself (in place) or shares no
    memory with it; anything else takes the general path, which checks it.
    """
    if out is None:
        return True
    res = np.dtype(np.float64) if xa.dtype.kind in "iu" else xa.dtype
    return (type(out) is np.ndarray and out.shape == xa.shape and out.dtype == res
            and out.dtype.isnative and out.flags.c_contiguous and out.flags.aligned
            and out.flags.writeable
            and (out is xa or not np.may_share_memory(out, xa)))


def _hd_seeded(xa, ax, n, seed, stream, per_row, offset, norm, order, workers, out):
    """hd with D from the generator: in the C kernel when it applies, else numpy signs."""
    seed = _u64(seed, "seed")
    stream = _u64(stream, "stream")
    offset = _u64(offset, "offset")
    order = V.as_order(order)
    kern = _wht._KERNELS.get("hd_seed")
    if (kern is not None and n >= 1 and not n & (n - 1)
            and (xa.dtype.char in "fdFD" or xa.dtype.kind in "iu")
            and (not per_row or ax == xa.ndim - 1) and _kernel_out_ok(xa, out)):
        if xa.dtype.kind in "iu":
            xa = xa.astype(np.float64)
        elif not xa.dtype.isnative:
            xa = xa.astype(xa.dtype.newbyteorder("="))
        return kern(xa, ax, norm_scale(norm, n, False), _ORDER_CODES[order], workers, seed,
                    stream, per_row, offset, out)
    key = _key(seed, stream)
    if per_row:
        moved = np.moveaxis(xa, ax, -1).shape
        idx = np.arange(xa.size, dtype=np.uint64).reshape(moved) + np.uint64(offset)
        d = np.moveaxis(_signs_from_counters(key, idx), -1, ax)
    elif offset == 0:
        d = _shared_signs(seed, stream, n)
    else:
        d = _signs_from_counters(key, np.arange(n, dtype=np.uint64) + np.uint64(offset))
    if not per_row:
        d = d.reshape((n,) + (1,) * (xa.ndim - 1 - ax))
    return _hd_signs(xa, d, ax, n, norm, order, workers, out)
