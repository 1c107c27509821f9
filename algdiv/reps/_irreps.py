"""Irreducible representations and characters in closed form for the named families."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..groups import PermutationGroup, SizeLimitError
from ..groups._validate import as_perms

__all__ = [
    "IrreducibleRepresentation", "irreps", "characters", "permutation_character",
    "multiplicities", "isotypic_projectors",
]

#: Largest order for which generic groups get their irreps numerically (regular representation).
NUMERIC_IRREPS_LIMIT = 2000


@dataclass(frozen=True, eq=False)
class IrreducibleRepresentation:
    r"""An irreducible (unitary or orthogonal) representation :math:`\pi` of a finite group.

    Calling it on a group element (a permutation in array form, as stored by
    :class:`algdiv.groups.PermutationGroup`) returns the ``dim x dim`` matrix
    :math:`\pi(g)`; :math:`\pi(gh) = \pi(g)\pi(h)` with :math:`(gh)(i) = g(h(i))`.

    Attributes
    ----------
    id : hashable
        Identifier within the group, e.g. ``k`` for :math:`\mathbb{Z}_n`, ``(j, k)`` for
        :math:`D_n` (escnn's convention), ``"standard"`` for :math:`S_n`.
    dim : int
        Dimension :math:`d_\pi`.
    type : {"R", "C"}
        Whether the matrices are real (``"R"``) or genuinely complex (``"C"``).
    """

    group: str
    id: object
    dim: int
    type: str
    _func: Callable = field(repr=False)
    degree: int | None = field(default=None, repr=False, compare=False)

    def __call__(self, g) -> np.ndarray:
        """The matrix :math:`\\pi(g)`; ``g`` must be a permutation of ``0..N-1`` (array form).

        Raises ValueError/TypeError for anything else (a wrong length, a repeated
        or out-of-range value, non-integers)."""
        g = np.asarray(g)
        if self.degree is not None:
            if g.ndim != 1:
                raise ValueError(f"Argument 'g' must be one permutation (1-D, length {self.degree}), "
                                 f"not shape {g.shape}.")
            g = as_perms(g[None, :], self.degree, "g")[0]
        return np.asarray(self._func(g))

    def character(self, g) -> complex | float:
        """Trace :math:`\\chi_\\pi(g)`."""
        value = np.trace(self(g))
        return float(value.real) if self.type == "R" else complex(value)


def _sign(g) -> int:
    seen = np.zeros(g.size, dtype=bool)
    cycles = 0
    for start in range(g.size):
        if not seen[start]:
            cycles += 1
            j = start
            while not seen[j]:
                seen[j] = True
                j = g[j]
    return -1 if (g.size - cycles) % 2 else 1


def _rot(theta):
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def _irreps_cyclic(G):
    n = G.degree

    def make(k):
        return lambda g: np.array([[np.exp(-2j * np.pi * k * int(g[0]) / n)]])

    return [IrreducibleRepresentation(G.name, k, 1, "R" if (2 * k) % n == 0 else "C", make(k))
            for k in range(n)]


def _irreps_xor(G):
    def make(s):
        return lambda g: np.array([[(-1.0) ** bin(s & int(g[0])).count("1")]])

    return [IrreducibleRepresentation(G.name, s, 1, "R", make(s)) for s in range(G.degree)]


def _dihedral_parts(g, n):
    """``g = r^t s^e`` with ``r: i -> i+1``, ``s: i -> -i``."""
    t = int(g[0])
    e = 0 if n < 3 or int(g[1]) == (t + 1) % n else 1
    return t, e


def _irreps_dihedral(G):
    n = G.degree
    if n < 3:
        return _irreps_cyclic(G)
    out = []

    def one(jr, js):
        def f(g):
            t, e = _dihedral_parts(g, n)
            return np.array([[float(jr ** t * js ** e)]])
        return f

    out.append(IrreducibleRepresentation(G.name, (0, 0), 1, "R", one(1, 1)))
    out.append(IrreducibleRepresentation(G.name, (1, 0), 1, "R", one(1, -1)))
    if n % 2 == 0:
        out.append(IrreducibleRepresentation(G.name, (0, n // 2), 1, "R", one(-1, 1)))
        out.append(IrreducibleRepresentation(G.name, (1, n // 2), 1, "R", one(-1, -1)))

    def two(k):
        def f(g):
            t, e = _dihedral_parts(g, n)
            return _rot(2 * np.pi * k * t / n) @ np.diag([1.0, -1.0 if e else 1.0])
        return f

    for k in range(1, (n + 1) // 2):
        out.append(IrreducibleRepresentation(G.name, (1, k), 2, "R", two(k)))
    return out


def _irreps_symmetric(G):
    import scipy.linalg

    n = G.degree
    out = [IrreducibleRepresentation(G.name, "trivial", 1, "R", lambda g: np.ones((1, 1)))]
    if n >= 2:
        out.append(IrreducibleRepresentation(G.name, "sign", 1, "R", lambda g: np.array([[float(_sign(g))]])))
    if n >= 3:
        Q = scipy.linalg.helmert(n)  # rows: orthonormal basis of the complement of 1
        Q = Q.T

        def std(g):
            inv = np.argsort(g)
            return Q.T @ Q[inv]

        out.append(IrreducibleRepresentation(G.name, "standard", n - 1, "R", std))
        if n >= 4:  # for n = 3 standard (x) sign is isomorphic to standard
            out.append(IrreducibleRepresentation(G.name, "standard*sign", n - 1, "R",
                                                 lambda g: std(g) * _sign(g)))
    return out


def _factor_elements(G, g):
    """Split an element of a direct product (product action) into its factors' elements."""
    parts = []
    stride = G.degree
    for f in G.factors:
        stride //= f.degree
        parts.append((g[np.arange(f.degree) * stride] // stride) % f.degree)
    return parts


def _irreps_direct(G):
    import itertools

    factor_irreps = [irreps(f) for f in G.factors]
    out = []
    for combo in itertools.product(*factor_irreps):
        def f(g, combo=combo):
            mats = [np.asarray(pi._func(h)) for pi, h in zip(combo, _factor_elements(G, g))]
            out_m = mats[0]
            for m in mats[1:]:
                out_m = np.kron(out_m, m)
            return out_m
        typ = "R" if all(pi.type == "R" for pi in combo) else "C"
        out.append(IrreducibleRepresentation(G.name, tuple(pi.id for pi in combo),
                                             math.prod(pi.dim for pi in combo), typ, f))
    return out


_CLOSED = {
    "cyclic": _irreps_cyclic,
    "elementary_abelian": _irreps_xor,
    "dihedral": _irreps_dihedral,
    "symmetric": _irreps_symmetric,
    "trivial": lambda G: [IrreducibleRepresentation(G.name, 0, 1, "R", lambda g: np.ones((1, 1)))],
    "direct": _irreps_direct,
}


def irreps(group: PermutationGroup) -> list[IrreducibleRepresentation]:
    r"""The irreducible representations of ``group``, each as a callable on elements.

    Closed forms (complete lists) for ``cyclic`` (characters
    :math:`e^{-2\pi i k t/n}` of the shift by ``t``: irrep ``k`` acts on the DFT
    basis vector :math:`e^{2\pi i k j/n}`, column ``k`` of the matched
    transform), ``elementary_abelian``
    (:math:`(-1)^{\mathrm{popcount}(s \wedge a)}` of the XOR by ``a``), ``dihedral``
    (four or two 1-dim irreps and the 2-dim rotation/reflection irreps ``(1, k)``),
    ``trivial`` and direct products of these (Kronecker products).  For
    ``symmetric(n)`` the closed forms are the trivial, sign, standard (Helmert
    basis of :math:`1^\perp`) and standard-times-sign irreps: complete for
    ``n <= 3``, a partial list beyond.  Other groups of order at most 2000 get
    numerical unitary irreps from the regular representation
    (:func:`algdiv.reps.regular_irreps`).

    Examples
    --------
    >>> from algdiv.groups import dihedral
    >>> from algdiv.reps import irreps
    >>> [(pi.id, pi.dim) for pi in irreps(dihedral(6))]
    [((0, 0), 1), ((1, 0), 1), ((0, 3), 1), ((1, 3), 1), ((1, 1), 2), ((1, 2), 2)]
    """
    if not isinstance(group, PermutationGroup):
        raise TypeError(f"Argument 'group' must be a PermutationGroup, not {type(group).__name__}.")
    rule = _CLOSED.get(group.family)
    if rule is not None and (group.family != "direct" or all(f.family in _CLOSED for f in group.factors)):
        return _with_degree(rule(group), group.degree)
    if group.order() > NUMERIC_IRREPS_LIMIT:
        raise SizeLimitError(
            f"No closed-form irreps for {group.name}, and its order {group.order()} is above the "
            f"{NUMERIC_IRREPS_LIMIT} of the numerical route; use isotypic_decomposition(group) instead."
        )
    from ._peter_weyl import regular_irreps

    return _with_degree(regular_irreps(group), group.degree)


def _with_degree(reps, degree):
    """Record the degree on each irrep so that calls check their argument."""
    for pi in reps:
        object.__setattr__(pi, "degree", int(degree))
    return reps


def _as_group(group, name="group"):
    if not isinstance(group, PermutationGroup):
        raise TypeError(f"Argument {name!r} must be a PermutationGroup, not {type(group).__name__}.")
    return group


def as_elements(group, elements, name="elements"):
    """``(k, N)`` intp array of elements of ``group`` (array form), checked.

    Each row must be a permutation of ``0..N-1`` that maps every orbital of the
    group to itself (a necessary condition for membership, exact for the named
    families, whose orbital schemes have no further automorphisms).
    """
    n = group.degree
    try:
        E = np.asarray(elements)
    except (ValueError, TypeError):
        raise TypeError(f"Argument {name!r} must be a (k, {n}) integer array of permutations, "
                        f"not a ragged {type(elements).__name__}.") from None
    if E.ndim != 2:
        raise ValueError(f"Argument {name!r} must be 2-D, one element per row (k, {n}), "
                         f"not shape {E.shape}.")
    E = as_perms(E, n, name)
    if group.family != "symmetric" and E.shape[0] and 16 * n * n <= 2**28:
        lab = group.orbitals()
        for i, g in enumerate(E):
            if not np.array_equal(lab[np.ix_(g, g)], lab):
                raise ValueError(f"Argument {name!r}: row {i} is not an element of {group.name} "
                                 f"(it does not preserve the group's orbitals).")
    return E


def characters(group: PermutationGroup, elements=None) -> np.ndarray:
    """Character table values ``chi[p, e]`` of ``irreps(group)[p]`` at ``elements[e]``.

    ``elements`` defaults to ``group.elements()`` (small groups only).

    Raises
    ------
    TypeError
        ``group`` is not a PermutationGroup; ``elements`` not integers.
    ValueError
        A row of ``elements`` is not a permutation of ``0..N-1`` or does not
        preserve the group's orbitals (so it is not an element).

    Examples
    --------
    >>> from algdiv.groups import cyclic
    >>> from algdiv.reps import characters
    >>> characters(cyclic(2)).real
    array([[ 1.,  1.],
           [ 1., -1.]])
    """
    _as_group(group)
    elements = group.elements() if elements is None else as_elements(group, elements)
    reps = irreps(group)
    # elements are checked once above; the irreps' own per-call check is skipped here
    table = np.array([[np.trace(pi._func(g)) for g in elements] for pi in reps], dtype=complex)
    return table


def permutation_character(elements) -> np.ndarray:
    """Character of a permutation action: the number of fixed points of each element.

    ``elements`` is one permutation (1-D) or one per row (2-D), in array form.
    """

    E = np.asarray(elements) if not isinstance(elements, np.ndarray) else elements
    E = np.atleast_2d(E)
    if E.ndim != 2:
        raise ValueError(f"Argument 'elements' must be 1-D or 2-D, not shape {E.shape}.")
    elements = as_perms(E, E.shape[1], "elements")
    return np.sum(elements == np.arange(elements.shape[1]), axis=1)


def _partitions(n, largest=None):
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first, *rest)


def _symmetric_multiplicities(G, reps):
    """Multiplicities in the natural action of S_n by a sum over cycle types (no n! enumeration)."""
    n = G.degree
    out = np.zeros(len(reps))
    total = math.factorial(n)
    for part in _partitions(n):
        counts = {}
        for c in part:
            counts[c] = counts.get(c, 0) + 1
        size = total // math.prod(c ** a * math.factorial(a) for c, a in counts.items())
        fixed = counts.get(1, 0)
        sign = -1 if (n - len(part)) % 2 else 1
        chars = {"trivial": 1, "sign": sign, "standard": fixed - 1, "standard*sign": (fixed - 1) * sign}
        for p, pi in enumerate(reps):
            out[p] += size * chars[pi.id] * fixed
    return np.rint(out / total).astype(int)


def multiplicities(group: PermutationGroup) -> np.ndarray:
    r"""Multiplicity of each irrep of ``irreps(group)`` in the natural permutation action.

    .. math:: m_\pi = \frac{1}{|G|} \sum_{g} \overline{\chi_\pi(g)}\, \mathrm{fix}(g)

    By a sum over cycle types for ``symmetric(n)`` (any ``n``), by enumeration for
    other groups (``|G| <=`` :data:`algdiv.groups.ELEMENTS_LIMIT`).  For large groups
    use :func:`isotypic_decomposition`, which never enumerates.

    Examples
    --------
    >>> from algdiv.groups import dihedral, symmetric
    >>> from algdiv.reps import multiplicities
    >>> multiplicities(dihedral(7)).tolist()
    [1, 0, 1, 1, 1]
    >>> multiplicities(symmetric(30)).tolist()
    [1, 0, 1, 0]
    """
    reps = irreps(_as_group(group))
    if group.family == "symmetric":
        return _symmetric_multiplicities(group, reps)
    elements = group.elements()
    chi = characters(group, elements)
    fix = permutation_character(elements)
    m = (np.conj(chi) @ fix) / group.order()
    return np.rint(m.real).astype(int)


def isotypic_projectors(group: PermutationGroup) -> list[np.ndarray]:
    r"""Isotypic projectors :math:`P_\pi = \frac{d_\pi}{|G|}\sum_g \overline{\chi_\pi(g)} P_g`.

    One ``(N, N)`` matrix per irrep of ``irreps(group)`` (complex for complex
    irreps), by enumeration (small groups).  :math:`P_\pi^2 = P_\pi = P_\pi^H`,
    :math:`\sum_\pi P_\pi = I`, :math:`\mathrm{rank}\,P_\pi = d_\pi m_\pi`.

    References
    ----------
    .. [1] J.-P. Serre, *Linear Representations of Finite Groups*, Springer, 1977,
       section 2.6. :doi:`10.1007/978-1-4684-9458-7`

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.groups import dihedral
    >>> from algdiv.reps import isotypic_projectors
    >>> [int(round(np.trace(P).real)) for P in isotypic_projectors(dihedral(7))]
    [1, 0, 2, 2, 2]
    """
    elements = _as_group(group).elements()
    reps = irreps(group)
    chi = characters(group, elements)
    n = group.degree
    out = []
    cols = np.arange(n)
    for p, pi in enumerate(reps):
        P = np.zeros((n, n), dtype=complex)
        for g, c in zip(elements, chi[p]):
            P[g, cols] += np.conj(c)
        P *= pi.dim / group.order()
        out.append(P.real.copy() if np.allclose(P.imag, 0) else P)
    return out
