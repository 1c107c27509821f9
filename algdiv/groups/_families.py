"""Named families of permutation groups, with closed-form orders and orbitals."""
from __future__ import annotations

import math

import numpy as np

from ._group import PermutationGroup, _as_int
import functools

from ._limits import MEMORY_LIMIT, SizeLimitError, check_bytes, format_bytes
from ._orbitals import canonical_labels

__all__ = [
    "cyclic", "dihedral", "elementary_abelian", "hamming", "tree", "symmetric", "trivial",
    "direct_product", "wreath_product", "from_generators", "closed_orbitals",
]


def _check_degree(degree: int, n_gens: int, what: str) -> None:
    # exact integer arithmetic: degrees such as 2**99999999 overflow a float
    check_bytes(8 * (max(n_gens, 1) + 2) * degree, f"the generators of {what} (N = {degree})")


def _check_bits(k: int, n_gens: int, what: str) -> int:
    """``2**k`` after checking, before computing it, that ``n_gens`` generators on it fit."""
    if k > 62:
        raise SizeLimitError(
            f"{what} acts on 2**{k} points; its generators would need more than 1e19 bytes, "
            f"more than the {format_bytes(MEMORY_LIMIT)} limit (algdiv.groups.MEMORY_LIMIT).")
    n = 1 << k
    _check_degree(n, n_gens, what)
    return n


def _bit_table(n_points: int, func) -> np.ndarray:
    return np.array([func(v) for v in range(n_points)], dtype=np.int32)


def cyclic(n: int) -> PermutationGroup:
    r"""The cyclic group :math:`\mathbb{Z}_n` acting on ``0..n-1`` by ``i -> i + 1 mod n``.

    Its invariant matrices are the circulants :math:`R_{ij} = c(j - i \bmod n)`;
    its matched transform is the DFT (``field="complex"``) or the real Fourier
    basis (``field="real"``).

    Examples
    --------
    >>> from algdiv.groups import cyclic
    >>> G = cyclic(5)
    >>> G.generators
    array([[1, 2, 3, 4, 0]])
    >>> G.order(), G.n_orbitals()
    (5, 5)
    """
    n = _as_int(n, "n", minimum=1)
    _check_degree(n, 1, f"cyclic({n})")
    gens = [np.roll(np.arange(n), -1)] if n > 1 else []
    return PermutationGroup._named(gens, n, name=f"cyclic({n})", family="cyclic",
                                   params={"n": n}, order=n)


def _dihedral_gens(n: int, reflection: np.ndarray) -> list:
    gens = []
    if n > 1:
        gens.append(np.roll(np.arange(n), -1))
    if n > 2 and not np.array_equal(reflection, np.arange(n)):
        gens.append(reflection)
    return gens


def _dihedral_order(n: int) -> int:
    return 2 * n if n > 2 else n


def dihedral(n: int) -> PermutationGroup:
    r"""The dihedral group :math:`D_n` on ``0..n-1``: ``i -> i + 1`` and ``i -> -i (mod n)``.

    Order ``2n`` for ``n >= 3`` (``D_1``, ``D_2`` act as :math:`\mathbb{Z}_1`,
    :math:`\mathbb{Z}_2`).  Invariant matrices are the symmetric circulants; the
    matched transform is the real Fourier basis.  Note that sympy's
    ``DihedralGroup`` uses the reflection ``i -> n - 1 - i``; both generate the
    same group.

    Examples
    --------
    >>> from algdiv.groups import dihedral
    >>> G = dihedral(6)
    >>> G.order(), G.n_orbitals()
    (12, 4)
    """
    n = _as_int(n, "n", minimum=1)
    _check_degree(n, 2, f"dihedral({n})")
    refl = (-np.arange(n)) % n
    return PermutationGroup._named(_dihedral_gens(n, refl), n, name=f"dihedral({n})",
                                   family="dihedral", params={"n": n}, order=_dihedral_order(n))


def elementary_abelian(k: int) -> PermutationGroup:
    r"""The elementary abelian group :math:`\mathbb{Z}_2^k` on ``2**k`` points by XOR.

    Generators ``i -> i XOR 2**b`` for ``b = 0..k-1``.  Invariant matrices are
    :math:`R_{ij} = r(i \oplus j)`; the matched transform is the Walsh-Hadamard
    transform (natural order).

    Examples
    --------
    >>> from algdiv.groups import elementary_abelian
    >>> G = elementary_abelian(2)
    >>> G.generators
    array([[1, 0, 3, 2],
           [2, 3, 0, 1]])
    >>> G.orbitals()
    array([[0, 1, 2, 3],
           [1, 0, 3, 2],
           [2, 3, 0, 1],
           [3, 2, 1, 0]], dtype=int32)
    """
    k = _as_int(k, "k", minimum=0)
    n = _check_bits(k, k, f"elementary_abelian({k})")
    idx = np.arange(n)
    gens = [idx ^ (1 << b) for b in range(k)]
    return PermutationGroup._named(gens, n, name=f"elementary_abelian({k})",
                                   family="elementary_abelian", params={"k": k}, order=n)


def _bit_permutation(k: int, perm) -> np.ndarray:
    """Point permutation of ``0..2**k-1`` moving bit ``b`` to bit ``perm[b]``."""
    idx = np.arange(1 << k)
    out = np.zeros_like(idx)
    for b in range(k):
        out |= ((idx >> b) & 1) << perm[b]
    return out


def hamming(k: int) -> PermutationGroup:
    r"""The hyperoctahedral group :math:`\mathbb{Z}_2^k \rtimes S_k` on ``2**k`` points.

    Acts by XOR translations and permutations of the ``k`` bits (the automorphism
    group of the Hamming cube).  Generators: XOR with 1, the bit swap ``(0 1)``
    and the bit cycle ``b -> b + 1 mod k``.  Orbitals are the Hamming distances
    :math:`\mathrm{popcount}(i \oplus j)`; invariant matrices are diagonalized by the
    WHT with ``k + 1`` distinct eigenvalues (Krawtchouk polynomials).

    Examples
    --------
    >>> from algdiv.groups import hamming
    >>> G = hamming(3)
    >>> G.order(), G.n_orbitals()
    (48, 4)
    """
    k = _as_int(k, "k", minimum=0)
    n = _check_bits(k, 3, f"hamming({k})")
    idx = np.arange(n)
    gens = [idx ^ 1] if k >= 1 else []
    if k >= 2:
        gens.append(_bit_permutation(k, [1, 0, *range(2, k)]))
    if k >= 3:
        gens.append(_bit_permutation(k, [(b + 1) % k for b in range(k)]))
    return PermutationGroup._named(gens, n, name=f"hamming({k})", family="hamming",
                                   params={"k": k}, order=n * math.factorial(k))


def tree(k: int) -> PermutationGroup:
    r"""Automorphisms of the binary tree of depth ``k`` acting on its ``2**k`` leaves.

    The iterated wreath product :math:`\mathbb{Z}_2 \wr \mathbb{Z}_2 \wr \cdots \wr
    \mathbb{Z}_2` (``k`` factors), of order :math:`2^{2^k - 1}`.  Generators: one
    subtree swap per level, at the leftmost node of each depth ``d``: the two halves
    of ``[0, 2**(k-d))`` are exchanged.  These generate the whole group: the swaps
    below the root generate the tree group on the left half by induction, and
    conjugating by the root swap gives it on the right half.

    Orbitals are the ultrametric distances :math:`\mathrm{bit\_length}(i \oplus j)`
    (``0`` on the diagonal); the matched transform is the orthonormal Haar
    transform.

    References
    ----------
    .. [1] R. Foote, G. Mirchandani, D. N. Rockmore, D. Healy, T. Olson, "A wreath
       product group approach to signal and image processing. I. Multiresolution
       analysis", IEEE Trans. Signal Process. 48(1):102-132, 2000.
       :doi:`10.1109/78.815483`

    Examples
    --------
    >>> from algdiv.groups import tree
    >>> tree(2).generators
    array([[2, 3, 0, 1],
           [1, 0, 2, 3]])
    >>> tree(12).order() == 2**4095
    True
    """
    k = _as_int(k, "k", minimum=0)
    n = _check_bits(k, k, f"tree({k})")
    idx = np.arange(n)
    gens = []
    for depth in range(k):
        size = 1 << (k - depth)
        g = idx.copy()
        g[:size] ^= size >> 1
        gens.append(g)
    return PermutationGroup._named(gens, n, name=f"tree({k})", family="tree",
                                   params={"k": k}, order=1 << (n - 1))


def symmetric(n: int) -> PermutationGroup:
    r"""The symmetric group :math:`S_n` on ``0..n-1`` (generators ``(0 1)`` and the n-cycle).

    Invariant matrices are :math:`aI + bJ`; the matched transform is the Helmert
    basis.

    Examples
    --------
    >>> from algdiv.groups import symmetric
    >>> symmetric(4).order(), symmetric(4).n_orbitals()
    (24, 2)
    """
    n = _as_int(n, "n", minimum=1)
    _check_degree(n, 2, f"symmetric({n})")
    gens = []
    if n >= 2:
        t = np.arange(n)
        t[[0, 1]] = [1, 0]
        gens.append(t)
    if n >= 3:
        gens.append(np.roll(np.arange(n), -1))
    return PermutationGroup._named(gens, n, name=f"symmetric({n})", family="symmetric",
                                   params={"n": n}, order=functools.partial(math.factorial, n))


def trivial(n: int) -> PermutationGroup:
    """The trivial group on ``n`` points (no generators; its matched transform is the KLT).

    Examples
    --------
    >>> from algdiv.groups import trivial
    >>> G = trivial(3)
    >>> G.generators.shape, G.order(), G.n_orbitals()
    ((0, 3), 1, 9)
    """
    n = _as_int(n, "n", minimum=1)
    _check_degree(n, 0, f"trivial({n})")
    return PermutationGroup._named(np.zeros((0, n), dtype=np.intp), n, name=f"trivial({n})",
                                   family="trivial", params={"n": n}, order=1)


def _as_group(g, name):
    if not isinstance(g, PermutationGroup):
        raise TypeError(f"Argument {name!r} must be a PermutationGroup, not {type(g).__name__}.")
    return g


def direct_product(*groups) -> PermutationGroup:
    r"""Direct product :math:`G_1 \times G_2 \times \cdots` in the *product action*.

    Acts on :math:`N_1 N_2 \cdots` points; the point :math:`(x_1, x_2, \ldots)` has
    index ``x_1 * (N_2 N_3 ...) + x_2 * (N_3 ...) + ...`` (first factor slowest, as
    :func:`numpy.kron`), so the commutant is :math:`\mathrm{Comm}(G_1) \otimes
    \mathrm{Comm}(G_2)` and the matched basis is the Kronecker product of the
    factors' bases.  (sympy's ``DirectProduct`` uses the disjoint-union action,
    on :math:`N_1 + N_2` points: a different group action.)

    Examples
    --------
    >>> from algdiv.groups import cyclic, direct_product, elementary_abelian
    >>> G = direct_product(cyclic(4), elementary_abelian(1))
    >>> G.degree, G.order(), G.name
    (8, 8, 'direct(cyclic(4), elementary_abelian(1))')
    """
    if not groups:
        raise ValueError("direct_product() needs at least one group.")
    groups = tuple(_as_group(g, f"groups[{i}]") for i, g in enumerate(groups))
    degrees = [g.degree for g in groups]
    n = math.prod(degrees)
    _check_degree(n, sum(g.generators.shape[0] for g in groups) + 2, "a direct product")
    idx = np.arange(n)
    gens = []
    stride = n
    for g, d in zip(groups, degrees):
        stride //= d
        coord = (idx // stride) % d
        for s in g.generators:
            gens.append(idx + (s[coord] - coord) * stride)
    name = "direct(" + ", ".join(g.name for g in groups) + ")"
    cls = PermutationGroup
    if any(hasattr(g, "signal_size") for g in groups):
        from ._dct import DCTProduct as cls   # acts on the product of the extensions
    return cls._named(gens, n, name=name, family="direct", params={},
                                   factors=groups, order=math.prod(g.order() for g in groups))


def wreath_product(inner, outer) -> PermutationGroup:
    r"""Wreath product :math:`G \wr H` in its imprimitive action: ``inner`` acts within blocks.

    ``inner`` (degree ``k``) acts independently inside each of the ``m`` blocks,
    ``outer`` (degree ``m``) permutes the blocks; point ``(block b, position p)``
    has index ``b * k + p``.  Order :math:`|G|^m |H|`.  Invariant matrices are
    :math:`I_m \otimes B + C \otimes J_k / k` (``B`` in Comm(inner), ``C`` in
    Comm(outer)) for transitive ``inner``.

    Examples
    --------
    >>> from algdiv.groups import cyclic, symmetric, wreath_product
    >>> G = wreath_product(cyclic(5), symmetric(3))
    >>> G.degree, G.order() == 5**3 * 6
    (15, True)
    """
    inner = _as_group(inner, "inner")
    outer = _as_group(outer, "outer")
    k, m = inner.degree, outer.degree
    n = k * m
    _check_degree(n, inner.generators.shape[0] * m + outer.generators.shape[0] + 2, "a wreath product")
    idx = np.arange(n)
    block, pos = idx // k, idx % k
    gens = []
    # Inner generators in one block per outer orbit suffice: conjugating by the
    # outer group carries them to every block of that orbit.
    out_orbits = outer.orbits()
    reps = [int(np.flatnonzero(out_orbits == o)[0]) for o in range(int(out_orbits.max()) + 1)]
    for b in reps:
        for s in inner.generators:
            g = idx.copy()
            g[b * k:(b + 1) * k] = b * k + s
            gens.append(g)
    for h in outer.generators:
        gens.append(h[block] * k + pos)
    name = f"wreath({inner.name}, {outer.name})"
    return PermutationGroup._named(gens, n, name=name, family="wreath", params={},
                                   factors=(inner, outer), order=inner.order() ** m * outer.order())


def from_generators(perms, degree=None, *, name=None) -> PermutationGroup:
    """The group generated by ``perms`` (array forms or sympy Permutations).

    Its order comes from Schreier-Sims (sympy), its orbitals from union-find.

    Examples
    --------
    >>> from algdiv.groups import from_generators
    >>> G = from_generators([[1, 0, 2, 3], [0, 1, 3, 2]])
    >>> G.order(), G.orbits()
    (4, array([0, 0, 1, 1], dtype=int32))
    """
    return PermutationGroup(perms, degree, name=name)


# -- closed forms ------------------------------------------------------------------


def _outer_diff(n):
    idx = np.arange(n, dtype=np.int64)
    return (idx[None, :] - idx[:, None]) % n


def _orb_cyclic(g):
    return _outer_diff(g.degree), True


def _orb_dihedral(g):
    n = g.degree
    d = _outer_diff(n)
    return np.minimum(d, n - d) if n > 2 else d, True


def _xor_table(g):
    idx = np.arange(g.degree, dtype=np.int64)
    return np.bitwise_xor.outer(idx, idx)


def _orb_xor(g):
    return _xor_table(g), True


def _orb_hamming(g):
    table = _bit_table(g.degree, lambda v: bin(v).count("1"))
    return table[_xor_table(g)], True


def _orb_tree(g):
    table = _bit_table(g.degree, int.bit_length)
    return table[_xor_table(g)], True


def _orb_symmetric(g):
    n = g.degree
    return 1 - np.eye(n, dtype=np.int64), True


def _orb_trivial(g):
    n = g.degree
    return np.arange(n * n, dtype=np.int64).reshape(n, n), True


def _orb_direct(g):
    labels = None
    size = 1
    for f in g.factors:
        lf = f.orbitals().astype(np.int64)
        if labels is None:
            labels, size = lf, f.degree
            continue
        r = int(lf.max()) + 1
        d = f.degree
        labels = (labels[:, None, :, None] * r + lf[None, :, None, :]).reshape(size * d, size * d)
        labels = canonical_labels(labels).astype(np.int64)
        size *= d
    return labels, True


def _orb_wreath(g):
    inner, outer = g.factors
    k, m = inner.degree, outer.degree
    lin = inner.orbitals().astype(np.int64)
    lout = outer.orbitals().astype(np.int64)
    r_in = int(lin.max()) + 1
    r_out = int(lout.max()) + 1
    o = inner.orbits().astype(np.int64)
    q = int(o.max()) + 1
    # Pairs in different blocks: the base group moves both positions independently,
    # so only (outer orbital, inner point orbits) survive.
    cross = r_out * r_in + lout[:, None, :, None] * (q * q) + (o[:, None] * q + o[None, :])[None, :, None, :]
    same = np.diagonal(lout)[:, None, None] * r_in + lin[None, :, :]
    labels = cross.reshape(m * k, m * k)
    view = labels.reshape(m, k, m, k)
    b = np.arange(m)
    view[b, :, b, :] = same
    return labels, False


_ORBITAL_RULES = {
    "cyclic": _orb_cyclic,
    "dihedral": _orb_dihedral,
    "dct": _orb_dihedral,
    "elementary_abelian": _orb_xor,
    "hamming": _orb_hamming,
    "tree": _orb_tree,
    "symmetric": _orb_symmetric,
    "trivial": _orb_trivial,
    "direct": _orb_direct,
    "wreath": _orb_wreath,
}


def closed_orbitals(group):
    """``(labels, canonical)`` from the family's closed form, or ``None`` (use union-find)."""
    rule = _ORBITAL_RULES.get(group.family)
    return None if rule is None else rule(group)
