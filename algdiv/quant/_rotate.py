"""Orthonormal Hadamard rotations for quantization: Kronecker (m * 2^k) or block-diagonal FWHT."""
import numpy as np

from algdiv.transforms import fwht, ifwht

from .._checks import check_array, check_choice, check_int
from ..groups._limits import check_bytes
from ._dask import is_dask

_PALEY = (12, 20, 28)


def _split(n):
    """(m, 2^k) with n = m 2^k and m in {1, 12, 20, 28}, or None."""
    p = n & -n
    odd = n // p
    if odd == 1:
        return (1, p)
    if odd in (3, 5, 7) and p >= 4:       # 12 = 3*4, 20 = 5*4, 28 = 7*4
        return (4 * odd, p // 4)
    return None


class HadamardRotation:
    r"""Orthonormal Hadamard rotation of length ``n`` along one axis, with its exact inverse.

    Parameters
    ----------
    n : int
        Length of the rotated axis.
    method : {"kron", "block"}, optional
        ``"kron"`` (default): one orthonormal transform of length n,
        :math:`H_m \otimes H_{2^k}/\sqrt n` (n must be ``2^k`` or
        ``m 2^k`` with m in {12, 20, 28}; e.g. 384 = 12 * 32).
        ``"block"``: a block-diagonal FWHT with blocks of ``block`` entries
        (default: the largest power of two dividing n, 128 for 384).
    block : int, optional
        Block length for ``method="block"`` (a valid FWHT length dividing n).

    Notes
    -----
    The matrix :math:`A` is orthonormal, :math:`A A^T = I`, so quantizing in
    the rotated domain and rotating back keeps the error norm:
    :math:`\|A^T Q(A w) - w\|_2 = \|Q(A w) - A w\|_2`.

    References
    ----------
    Ashkboos et al., QuaRot, arXiv:2404.00456; Tseng et al., QuIP#,
    arXiv:2402.04396.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import HadamardRotation
    >>> r = HadamardRotation(384)
    >>> x = np.random.default_rng(0).standard_normal((2, 384))
    >>> bool(np.allclose(r.inverse(r.forward(x)), x))
    True
    >>> HadamardRotation(384, method="block").block
    128
    """

    def __init__(self, n, method="kron", block=None):
        n = check_int(n, "n", min=1)
        method = check_choice(method, "method", ("kron", "block"))
        if method == "kron":
            if _split(n) is None:
                raise ValueError(f"Argument 'n' must be 2^k or m*2^k with m in {_PALEY} for "
                                 f"method='kron', not {n!r}; use method='block'.")
            if block is not None and block != n:
                raise ValueError(f"Argument 'block' must be None for method='kron', not {block!r}.")
            block = n
        else:
            if block is None:
                block = n & -n
            block = check_int(block, "block", min=1)
            if block < 1 or n % block or _split(block) is None:
                raise ValueError(f"Argument 'block' must be a valid FWHT length dividing {n}, "
                                 f"not {block!r}.")
        self.n, self.method, self.block = n, method, block

    def __repr__(self):
        return f"HadamardRotation(n={self.n}, method={self.method!r}, block={self.block})"

    def _check(self, a, axis):
        """Shape checks shared by numpy and dask input (``a`` has .ndim and .shape)."""
        if a.ndim == 0:
            raise ValueError("Argument 'x' must have at least one axis, not a scalar.")
        axis = check_int(axis, "axis", min=-a.ndim, max=a.ndim - 1, why=f"for a {a.ndim}-D array")
        if a.shape[axis] != self.n:
            raise ValueError(f"Argument 'x' must have length {self.n} along axis {axis}, "
                             f"not {a.shape[axis]}.")

    def _apply(self, x, axis, inverse):
        if is_dask(x):
            from ._dask import map_quantizer
            self._check(x, axis)
            what = f"HadamardRotation.{'inverse' if inverse else 'forward'}()"
            return map_quantizer(self.inverse if inverse else self.forward, x, axis, what=what)
        a = check_array(x, "x", dtype_kind="iufc")
        self._check(a, axis)
        if a.dtype.kind not in "fc":
            a = a.astype(np.float64)
        f = ifwht if inverse else fwht
        m = np.moveaxis(a, axis, -1)
        shp = m.shape
        y = f(m.reshape(shp[:-1] + (self.n // self.block, self.block)), axis=-1, norm="ortho")
        return np.moveaxis(y.reshape(shp), -1, axis)

    def forward(self, x, axis=-1):
        """Rotate ``x`` along ``axis``: ``A x`` (a new array)."""
        return self._apply(x, axis, False)

    def inverse(self, x, axis=-1):
        """Undo :meth:`forward`: ``A^T x`` (a new array)."""
        return self._apply(x, axis, True)

    def matrix(self):
        """The dense n x n matrix A (for tests); SizeLimitError past the memory limit."""
        check_bytes(8.0 * self.n * self.n, f"HadamardRotation({self.n}).matrix()")
        return self.forward(np.eye(self.n), axis=0)


def rotated_rtn(w, bits, group_size, axis=-1, symmetric=False, *, rotation=None, clip=1.0):
    r"""RTN in a Hadamard-rotated domain: :math:`\hat w = A^T Q(A w)` along ``axis``.

    ``rotation`` is a :class:`HadamardRotation` (default ``"kron"`` of the axis
    length, falling back to ``"block"`` when that length has no Kronecker form).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import rotated_rtn
    >>> w = np.random.default_rng(1).standard_normal((4, 64))
    >>> float(np.round(np.linalg.norm(rotated_rtn(w, 8, 64) - w) / np.linalg.norm(w), 2))
    0.01
    """
    from ._rtn import _as_weights, _check_bits, rtn
    if is_dask(w):
        from ._dask import map_quantizer
        _check_bits(bits)
        return map_quantizer(rotated_rtn, w, axis, what="rotated_rtn()", bits=bits,
                             group_size=group_size, symmetric=symmetric, rotation=rotation, clip=clip)
    a = _as_weights(w)
    axis = check_int(axis, "axis", min=-a.ndim, max=a.ndim - 1, why=f"for a {a.ndim}-D array")
    n = a.shape[axis]
    if a.size == 0:
        raise ValueError(f"Argument 'w' must not be empty, not shape {a.shape}.")
    if rotation is not None and not isinstance(rotation, HadamardRotation):
        raise TypeError(f"Argument 'rotation' must be a HadamardRotation or None, not "
                        f"{type(rotation).__name__}.")
    _check_bits(bits)
    if rotation is None:
        rotation = HadamardRotation(n, "kron" if _split(n) else "block")
    y = rotation.forward(a.astype(np.float64, copy=False), axis=axis)
    return rotation.inverse(rtn(y, bits, group_size, axis=axis, symmetric=symmetric, clip=clip),
                            axis=axis).astype(a.dtype if a.dtype.kind == "f" else np.float64,
                                              copy=False)
