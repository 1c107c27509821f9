"""The dihedral group on a symmetric extension: the matched group of the DCT and DST."""
from __future__ import annotations

import math

import numpy as np

from ._families import _dihedral_gens, _dihedral_order
from ._group import PermutationGroup, _as_int
from ._limits import check_bytes

__all__ = ["DCTGroup", "DCTProduct", "dct_group"]

# (kind, type) -> (extension size M(n), smallest n, reflection kind, sign of the mirror)
_EXTENSIONS = {
    ("dct", 1): (lambda n: 2 * n - 2, 2, "whole", +1),
    ("dct", 2): (lambda n: 2 * n, 1, "half", +1),
    ("dst", 1): (lambda n: 2 * n + 2, 1, "whole", -1),
    ("dst", 2): (lambda n: 2 * n, 1, "half", -1),
}


def _extension_entries(kind, type_, n):
    """Positions ``p`` (2, n) and weights ``w`` (2, n) of the two non-zeros per column of E."""
    size_of, _, refl, sign = _EXTENSIONS[(kind, type_)]
    m = size_of(n)
    i = np.arange(n)
    h = np.sqrt(0.5)
    w = np.full((2, n), h)
    w[1] *= sign
    if (kind, type_) == ("dct", 1):
        p = np.stack([i, (m - i) % m])
        w[:, [0, n - 1]] = [[1.0, 1.0], [0.0, 0.0]]  # end points sit on the mirrors
        p[1, [0, n - 1]] = p[0, [0, n - 1]]
    elif (kind, type_) == ("dst", 1):
        p = np.stack([i + 1, m - 1 - i])
    else:  # half-sample: x_ext = [x, +-x reversed]
        p = np.stack([i, m - 1 - i])
    return m, p, w


class DCTGroup(PermutationGroup):
    r"""Dihedral group :math:`D_M` on the ``M``-point symmetric extension of an ``n``-point signal.

    Created by :func:`dct_group`; direct products with such a factor are
    :class:`DCTProduct` (a subclass): every group that acts on an extension of
    the signal rather than on its points is a ``DCTGroup``.  ``degree`` is ``M``; :attr:`signal_size` is
    ``n``; :attr:`extension` is the ``M x n`` isometry :math:`E` (:math:`E^T E = I`)
    that maps a signal to its even (DCT) or odd (DST) extension.
    :meth:`reynolds` and :meth:`is_invariant` take ``n x n`` matrices.
    """

    @property
    def signal_size(self) -> int:
        """Length ``n`` of the signal (the transform size)."""
        return self.params["n"]

    @property
    def extension(self) -> np.ndarray:
        """The ``(M, n)`` isometry :math:`E` onto the symmetric (or antisymmetric) extension."""
        m, p, w = _extension_entries(self.params["kind"], self.params["type"], self.signal_size)
        E = np.zeros((m, self.signal_size))
        cols = np.arange(self.signal_size)
        for a in range(2):
            E[p[a], cols] += w[a]
        return E

    def _extend(self, R):
        m, p, w = _extension_entries(self.params["kind"], self.params["type"], self.signal_size)
        X = np.zeros((m, m), dtype=np.result_type(R, np.float64))
        for a in range(2):
            for b in range(2):
                X[p[a][:, None], p[b][None, :]] += w[a][:, None] * w[b][None, :] * R
        return X, p, w

    def reynolds(self, R) -> np.ndarray:
        r"""Orthogonal projection of an ``n x n`` matrix onto the DCT/DST-invariant matrices.

        The invariant ``n x n`` matrices are :math:`E^T Y E` with :math:`Y` in the
        commutant of :math:`D_M` (symmetric circulants); for the DCT-II they are the
        Toeplitz-plus-Hankel matrices :math:`R_{ij} = c(i-j) + c(i+j+1)`, ``c`` even
        and ``2n``-periodic.  Computed through the extension:

        .. math:: \Pi(R) = E^T \bigl(2\,Y - y_0 P_0 - y_a P_a\bigr) E, \qquad
                  Y = \Pi_{D_M}(E R E^T),

        where :math:`P_0 = 11^T/M` and :math:`P_a = aa^T/M` (``a = (-1)^m``) project on
        the two one-dimensional isotypic components and :math:`y_0, y_a` are
        :math:`Y`'s eigenvalues there.  The factor 2 undoes the averaging of each
        two-dimensional irreducible component over its reflection-odd half:
        :math:`E^T \Pi_{D_M}(E R E^T) E` alone would halve those eigenvalues and
        would not be a projection.

        Examples
        --------
        >>> import numpy as np, scipy.fft
        >>> from algdiv.groups import dct_group
        >>> G = dct_group(4, type=2)
        >>> R = G.reynolds(np.random.default_rng(0).standard_normal((4, 4)))
        >>> D = scipy.fft.dct(np.eye(4), type=2, norm="ortho", axis=0)
        >>> S = D @ R @ D.T
        >>> bool(np.allclose(S, np.diag(np.diag(S))))
        True
        """
        n = self.signal_size
        R = self._check_square(R, n)
        X, p, w = self._extend(R)
        Y = self._reynolds_full(X)
        m = self.degree
        out = np.zeros((n, n), dtype=Y.dtype)
        for a in range(2):
            for b in range(2):
                out += w[a][:, None] * w[b][None, :] * Y[p[a][:, None], p[b][None, :]]
        out *= 2.0
        E = self.extension
        for vec in (np.ones(m), (-1.0) ** np.arange(m)):
            vec = vec / np.sqrt(m)
            u = E.T @ vec
            if np.any(u):
                y = vec @ Y @ vec
                out -= y * np.outer(u, u)
        return out

    def is_invariant(self, R, tol: float = 1e-10) -> bool:
        """Whether the ``n x n`` matrix ``R`` is invariant (relative Frobenius residual <= tol)."""
        from ._group import _as_tol

        R = self._check_square(R, self.signal_size, finite=True)
        tol = _as_tol(tol)
        return self._residual(R, self.reynolds(R), tol)


def _project_factor(factor, X):
    """Apply ``factor``'s Reynolds projection to each matrix of the batch ``X`` (m, s, s)."""
    if isinstance(factor, DCTGroup):
        return np.stack([factor.reynolds(x) for x in X]) if X.shape[0] else X.astype(float)
    labels = factor.orbitals().ravel()
    counts = np.bincount(labels)
    r = counts.size
    flat = X.reshape(X.shape[0], -1)
    offs = (np.arange(flat.shape[0]) * r)[:, None]
    idx = (labels[None, :] + offs).ravel()

    def means(part):
        sums = np.bincount(idx, weights=part.ravel(), minlength=flat.shape[0] * r)
        return sums.reshape(flat.shape[0], r) / counts

    m = means(flat.real) + 1j * means(flat.imag) if np.iscomplexobj(flat) else means(flat)
    return m[:, labels].reshape(X.shape)


class DCTProduct(DCTGroup):
    r"""A direct product with at least one DCT/DST factor, acting on the product of extensions.

    Created by :func:`~algdiv.groups.direct_product`.  ``degree`` is the product of
    the factors' degrees (extension sizes); :attr:`signal_size` is the product of
    their signal sizes; :attr:`extension` is :math:`E_1 \otimes E_2 \otimes \cdots`
    (an identity for factors that act on the points themselves).  :meth:`reynolds`
    takes ``signal_size x signal_size`` matrices and projects onto
    :math:`\mathcal{A}_1 \otimes \mathcal{A}_2 \otimes \cdots`, the tensor product
    of the factors' invariant matrices: each factor's projection acts on its own
    pair of axes of ``R`` reshaped to ``(n_1, n_2, ..., n_1, n_2, ...)``, and
    projections on different tensor factors commute.  The matched transform is
    the Kronecker product of the factors' transforms, e.g. the 2-D DCT for
    ``direct_product(dct_group(8), dct_group(8))``.

    Examples
    --------
    >>> import numpy as np, scipy.fft
    >>> from algdiv.groups import dct_group, direct_product
    >>> G = direct_product(dct_group(4), dct_group(3))
    >>> G.degree, G.signal_size
    (48, 12)
    >>> R = G.reynolds(np.random.default_rng(0).standard_normal((12, 12)))
    >>> D = np.kron(scipy.fft.dct(np.eye(4), norm="ortho", axis=0),
    ...             scipy.fft.dct(np.eye(3), norm="ortho", axis=0))
    >>> S = D @ R @ D.T
    >>> bool(np.allclose(S, np.diag(np.diag(S))))
    True
    """

    @property
    def signal_size(self) -> int:
        """Length of the (flattened) signal: the product of the factors' signal sizes."""
        return math.prod(getattr(f, "signal_size", f.degree) for f in self.factors)

    @property
    def extension(self) -> np.ndarray:
        """The Kronecker product of the factors' extensions (``degree x signal_size``)."""
        check_bytes(8.0 * self.degree * self.signal_size, f"the extension of {self.name}")
        E = np.ones((1, 1))
        for f in self.factors:
            E = np.kron(E, f.extension if isinstance(f, DCTGroup) else np.eye(f.degree))
        return E

    def reynolds(self, R) -> np.ndarray:
        r"""Orthogonal projection of a ``signal_size x signal_size`` matrix onto the invariant ones.

        :math:`\Pi = \Pi_1 \otimes \Pi_2 \otimes \cdots`, each factor's projection
        applied along its own pair of axes.
        """
        n = self.signal_size
        R = self._check_square(R, n)
        sizes = [getattr(f, "signal_size", f.degree) for f in self.factors]
        k = len(sizes)
        T = np.asarray(R, dtype=np.result_type(R, np.float64)).reshape(sizes + sizes)
        for i, f in enumerate(self.factors):
            moved = np.moveaxis(T, (i, k + i), (-2, -1))
            shape = moved.shape
            out = _project_factor(f, moved.reshape(-1, sizes[i], sizes[i]))
            T = np.moveaxis(out.reshape(shape), (-2, -1), (i, k + i))
        return np.ascontiguousarray(T.reshape(n, n))


def dct_group(n: int, type: int = 2, kind: str = "dct") -> DCTGroup:  # noqa: A002 - scipy's name
    r"""The matched group of the DCT or DST of ``type`` 1 or 2 on ``n`` points.

    The dihedral group acts on the symmetric extension of the signal, not on the
    ``n`` points themselves (no permutation group of ``n`` points has the DCT-II
    as its eigenbasis with ``n`` distinct eigenvalues):

    ========  ===============  =================================  ==========
    transform extension size M reflection generator                subspace
    ========  ===============  =================================  ==========
    DCT-I     2n - 2           whole-sample ``m -> -m``            even
    DCT-II    2n               half-sample ``m -> 2n - 1 - m``     even
    DST-I     2n + 2           whole-sample ``m -> -m``            odd
    DST-II    2n               half-sample ``m -> 2n - 1 - m``     odd
    ========  ===============  =================================  ==========

    with the rotation ``m -> m + 1 (mod M)`` as the other generator.  The matched
    transform is ``scipy.fft.dct(x, type, norm="ortho", orthogonalize=True)`` (or
    ``dst``).

    Parameters
    ----------
    n : int
        Signal length (``n >= 2`` for the DCT-I).
    type : {1, 2}
        Transform type.
    kind : {"dct", "dst"}
        Even (cosine) or odd (sine) extension.

    References
    ----------
    .. [1] G. Strang, "The discrete cosine transform", SIAM Review 41(1):135-147,
       1999. :doi:`10.1137/S0036144598336745`

    Examples
    --------
    >>> from algdiv.groups import dct_group
    >>> G = dct_group(8, type=2)
    >>> G.degree, G.signal_size, G.order()
    (16, 8, 32)
    >>> G.extension.shape
    (16, 8)
    """
    n = _as_int(n, "n", minimum=1)
    from .._checks import check_choice

    type = check_choice(type, "type", (1, 2))  # noqa: A001 - scipy's name
    kind = check_choice(kind, "kind", ("dct", "dst"))
    size_of, n_min, refl, _ = _EXTENSIONS[(kind, type)]
    if n < n_min:
        raise ValueError(f"Argument 'n' must be >= {n_min} for the {kind.upper()}-{'I' * type}, not {n}.")
    m = size_of(n)
    check_bytes(16 * m, f"the generators of dct_group({n})")
    idx = np.arange(m)
    reflection = (-idx) % m if refl == "whole" else (m - 1 - idx)
    gens = _dihedral_gens(m, reflection)
    name = f"dct_group({n}, type={type})" if kind == "dct" else f"dct_group({n}, type={type}, kind='dst')"
    return DCTGroup._named(gens, m, name=name, family="dct",
                           params={"n": n, "type": type, "kind": kind}, order=_dihedral_order(m))
