"""Structured Hadamard rotations T = d^(-b/2) (H D_b) ... (H D_1) as operators."""
from __future__ import annotations


import numpy as np

from ..transforms import rademacher
from ..transforms._random import chain_rows, hd_chain
from ..groups._limits import check_bytes
from ._validate import as_dim, as_positive_int

__all__ = ["StructuredRotation", "structured_rotation", "as_seed"]

_SEED_MAX = 2**63


def as_seed(seed, name="seed"):
    """A non-negative int seed; ``None`` draws one from the OS entropy pool."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % _SEED_MAX)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"Argument {name!r} must be a non-negative integer or None, not {type(seed).__name__}.")
    seed = int(seed)
    if not 0 <= seed < _SEED_MAX:
        raise ValueError(f"Argument {name!r} must be in [0, 2**63), not {seed}.")
    return seed


class StructuredRotation:
    r"""The orthogonal operator :math:`T = d^{-b/2} (H D_b) \cdots (H D_1)`.

    ``H`` is the unnormalised Sylvester-Hadamard matrix of order ``d`` and
    :math:`D_j = \mathrm{diag}(s_j)` are Rademacher sign diagonals drawn by the
    counter-based :func:`algdiv.transforms.rademacher` with ``stream = j - 1``,
    so a seed fixes ``T`` on every backend. Build it with
    :func:`structured_rotation`.

    Attributes
    ----------
    d, blocks, seed : int
    signs : numpy.ndarray
        Read-only ``(blocks, d)`` int8 array of +-1; row ``j`` is the
        diagonal of :math:`D_{j+1}` (applied ``j``-th, first row first).
    """

    def __init__(self, d, blocks, seed):
        self.d = d
        self.blocks = blocks
        self.seed = seed
        signs = np.stack([np.asarray(rademacher(seed, (d,), stream=j), dtype=np.int8) for j in range(blocks)])
        signs.setflags(write=False)
        self.signs = signs
        # the same signs packed 8 to a byte, which the kernel reads: an eighth of the memory
        # traffic, and whole words of signs where the first read or the merged pass of a chain
        # needs them (docs/engine.md); the core takes packed rows when d is a multiple of 8
        _, self._sign_bits = chain_rows(signs)
        self._inverse_rows = None

    def __repr__(self):
        return f"StructuredRotation(d={self.d}, blocks={self.blocks}, seed={self.seed})"

    def _gpu(self, x, name, inverse):
        """cupy input: the fused GPU kernels (algdiv.gpu.rotation), same signs, cupy output."""
        if x.ndim == 0 or x.shape[-1] != self.d:
            raise ValueError(
                f"Argument {name!r} must have last axis of length d = {self.d}, not shape {tuple(x.shape)}."
            )
        if x.dtype.kind not in "biuf":
            raise TypeError(f"Argument {name!r} must be a real cupy array on the GPU, not dtype {x.dtype}.")
        from ..gpu import rotation
        return rotation(x, self.seed, self.blocks, inverse=inverse)

    def _torch(self, x, name, inverse):
        """torch input: the differentiable ``algdiv::rotation`` operator (CPU or CUDA tensor)."""
        from ..transforms._torch import rotation
        return rotation(x, self.d, self.seed, self.blocks, inverse, name)

    def _check(self, x, name):
        x = np.asarray(x)
        if x.ndim == 0 or x.shape[-1] != self.d:
            raise ValueError(
                f"Argument {name!r} must have last axis of length d = {self.d}, not shape {tuple(x.shape)}."
            )
        if x.dtype.kind not in "biufc":
            raise TypeError(f"Argument {name!r} must be numeric, not dtype {x.dtype}.")
        if x.dtype.kind in "biu":
            x = x.astype(np.float64)
        return x

    def apply(self, x):
        r"""Apply ``T`` along the last axis: :math:`y = d^{-b/2}(HD_b)\cdots(HD_1)x`.

        Parameters
        ----------
        x : array_like
            Last axis of length ``d``; any leading batch shape. Integer input
            is promoted to float64; float32/complex stay in their precision.

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``; ``x`` is not modified.  A cupy ``x`` runs on the GPU
            (:func:`algdiv.gpu.rotation`: two blocks per fused kernel, signs generated
            in the kernel) and gives a cupy array of its dtype.  A torch tensor gives a
            tensor of its dtype, differentiable (the backward applies :math:`T^\top`;
            CUDA tensors run the same GPU kernels).
        """
        root = type(x).__module__.partition(".")[0]
        if root == "cupy":
            return self._gpu(x, "x", False)
        if root == "torch":
            return self._torch(x, "x", False)
        # D_j = rademacher(seed, d, stream=j) = signs[j]: the kernel reads the rows of signs
        return hd_chain(self._check(x, "x"), self.seed, self.blocks, signs=self.signs,
                        sign_bits=self._sign_bits)

    __call__ = apply

    def inverse(self, y):
        r"""Apply :math:`T^{-1} = T^\top = d^{-b/2} (D_1 H) \cdots (D_b H)` along the last axis."""
        root = type(y).__module__.partition(".")[0]
        if root == "cupy":
            return self._gpu(y, "y", True)
        if root == "torch":
            return self._torch(y, "y", True)
        x = self._check(y, "y")
        # H and D_j are symmetric: T^T = D_1 (H D_2 / sqrt(d)) ... (H D_b / sqrt(d)) (H / sqrt(d)),
        # one call of the core: a chain whose first diagonal is the identity, its rows
        # D_b ... D_2, and the trailing diagonal D_1 (the rows made on the first call)
        if self._inverse_rows is None:
            self._inverse_rows = chain_rows(self.signs, inverse=True)
        rows, bits = self._inverse_rows
        return hd_chain(x, self.seed, self.blocks, signs=rows, sign_bits=bits, trailing=True)

    def matrix(self):
        """The dense ``d x d`` matrix of ``T`` (for tests and small ``d``)."""
        return self.apply(np.eye(self.d)).T


def structured_rotation(d, blocks=2, seed=None):
    r"""A seeded structured Hadamard rotation :math:`T = d^{-b/2} (H D_b)\cdots(H D_1)`.

    Two blocks (the default) give the transform studied by Zilca and
    Mendelson [1]_, :math:`T(u) = d^{-1} H D_2 H D_1 u`: every coordinate of
    :math:`T(u)` is within :math:`O(d^{-1/2})` of the uniform-rotation marginal
    in Kolmogorov distance (:func:`lattice_law`, :func:`verify`), while the
    full vector stays a constant :math:`W_2` away (:func:`wasserstein2_e1`).

    Parameters
    ----------
    d : int
        Dimension, a power of 2 >= 2.
    blocks : int, optional
        Number of ``H D`` blocks, >= 1 (default 2).
    seed : int or None, optional
        Seed of the counter-based sign generator; block ``j`` (0-based, applied
        first when ``j = 0``) uses ``rademacher(seed, (d,), stream=j)``.
        ``None`` draws a seed, readable afterwards as ``T.seed``.

    Returns
    -------
    StructuredRotation
        ``T(x)`` / ``T.apply(x)``, ``T.inverse(y)``, ``T.signs``, ``T.matrix()``.

    Raises
    ------
    ValueError
        If ``d`` is not a power of 2 or ``blocks < 1``.

    References
    ----------
    .. [1] T. Zilca, G. Mendelson, "Approximating Uniform Random Rotations by
       Two-Block Structured Hadamard Rotations in High Dimensions",
       arXiv:2604.23418 (2026).
    .. [2] N. Ailon, B. Chazelle, "The fast Johnson-Lindenstrauss transform and
       approximate nearest neighbors", SIAM J. Comput. 39 (2009) 302-322,
       :doi:`10.1137/060673096`.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations import structured_rotation
    >>> T = structured_rotation(8, seed=7)
    >>> x = np.arange(8.0)
    >>> y = T(x)
    >>> bool(np.isclose(np.linalg.norm(y), np.linalg.norm(x)))
    True
    >>> np.allclose(T.inverse(y), x)
    True
    >>> np.allclose(T.matrix() @ T.matrix().T, np.eye(8))
    True
    """
    d = as_dim(d)
    blocks = as_positive_int(blocks, "blocks")
    check_bytes(9 * blocks * d, f"the signs of a {blocks}-block rotation in d = {d}")
    return StructuredRotation(d, blocks, as_seed(seed))
