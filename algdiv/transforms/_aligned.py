"""Arrays whose data start on a cache-line boundary, for large in-place transforms."""
from __future__ import annotations

import operator

import numpy as np

__all__ = ["empty_aligned"]


def empty_aligned(shape, dtype=np.float64, *, align=64):
    r"""A new uninitialised C-contiguous array whose data start on an ``align``-byte boundary.

    numpy places large arrays 16 bytes past a page boundary, so a 512-bit vector
    load of such an array straddles two cache lines.  The results that
    :func:`fwht` and :func:`hd` allocate are already aligned; allocate the arrays
    you transform *in place* (``out=x``, ``overwrite_x=True``) with this
    function to give the kernels the same alignment (the role of
    ``pyfftw.empty_aligned``); docs/engine.md has the measured difference.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the array (non-negative).
    dtype : data-type, optional
        Element type (default float64); any fixed-size numpy dtype.
    align : int, optional
        Alignment in bytes: a power of 2 from 1 to 4096 (default 64, a cache line).

    Returns
    -------
    numpy.ndarray
        Uninitialised, writeable and C-contiguous, with ``a.ctypes.data % align == 0``
        (an empty array has no data to align, and numpy may place its pointer anywhere).
        Its ``base`` is the byte buffer it views (``a.flags.owndata`` is False).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import empty_aligned, fwht
    >>> x = empty_aligned(1 << 16, np.float32)
    >>> x.ctypes.data % 64, x.shape, x.dtype
    (0, (65536,), dtype('float32'))
    >>> x[:] = 1.0
    >>> y = fwht(x, out=x)
    >>> float(y[0]), float(abs(y[1:]).max())
    (65536.0, 0.0)
    """
    if isinstance(shape, (bool, np.bool_)):
        raise TypeError("Argument 'shape' must be an int or a tuple of ints, not bool.")
    try:
        dims = (operator.index(shape),)
    except TypeError:
        if not isinstance(shape, (tuple, list)):
            raise TypeError(f"Argument 'shape' must be an int or a tuple of ints, not "
                            f"{type(shape).__name__}.") from None
        try:
            dims = tuple(operator.index(d) for d in shape)
        except TypeError:
            raise TypeError(f"Argument 'shape' must hold only ints, not {shape!r}.") from None
        if any(isinstance(d, (bool, np.bool_)) for d in shape):
            raise TypeError(f"Argument 'shape' must hold only ints, not {shape!r}.")
    if any(d < 0 for d in dims):
        raise ValueError(f"Argument 'shape' must hold non-negative sizes, not {dims}.")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"Argument 'dtype' must be a numpy data type, not {dtype!r}.") from None
    if dt.itemsize == 0 or dt.hasobject:
        raise TypeError(f"Argument 'dtype' must be a fixed-size type without Python objects, "
                        f"not {dt}.")
    if isinstance(align, (bool, np.bool_)):
        raise TypeError("Argument 'align' must be an int, not bool.")
    try:
        align = operator.index(align)
    except TypeError:
        raise TypeError(f"Argument 'align' must be an int, not {type(align).__name__}.") from None
    if not 1 <= align <= 4096 or align & (align - 1):
        raise ValueError(f"Argument 'align' must be a power of 2 from 1 to 4096, not {align}.")
    count = 1
    for d in dims:
        count *= d
    nbytes = count * dt.itemsize
    raw = np.empty(nbytes + align, dtype=np.uint8)
    start = (-raw.ctypes.data) % align
    return raw[start:start + nbytes].view(dt).reshape(dims)
