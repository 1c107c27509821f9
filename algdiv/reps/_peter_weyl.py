"""The regular representation and its Peter-Weyl basis (small groups)."""
from __future__ import annotations

import numpy as np

from ..groups import PermutationGroup
from ._irreps import IrreducibleRepresentation, irreps
from ._isotypic import isotypic_decomposition

__all__ = ["regular_group", "regular_irreps", "peter_weyl_basis"]


def regular_group(group: PermutationGroup):
    """``(G_reg, elements)``: the left-regular action of ``group`` on its own elements.

    ``G_reg`` acts on ``0..|G|-1`` (the rows of ``elements = group.elements()``);
    generator ``s`` sends element ``h`` to ``s h`` (``s[h]``).
    """
    if not isinstance(group, PermutationGroup):
        raise TypeError(f"Argument 'group' must be a PermutationGroup, not {type(group).__name__}.")
    elements = group.elements()
    index = {g.tobytes(): i for i, g in enumerate(elements)}
    gens = [[index[s[h].tobytes()] for h in elements] for s in group.generators]
    reg = PermutationGroup(gens, degree=len(elements), name=f"regular({group.name})")
    reg._order = group.order()
    return reg, elements


def regular_irreps(group: PermutationGroup, rng=None) -> list[IrreducibleRepresentation]:
    """Numerical unitary irreps of a small group, one per isomorphism class.

    The left-regular representation contains every irrep ``pi`` with multiplicity
    ``dim(pi)``; :func:`isotypic_decomposition` over the complex field splits it,
    and ``pi(g) = U^H L_g U`` on one copy ``U``.
    """
    reg, elements = regular_group(group)
    index = {g.tobytes(): i for i, g in enumerate(elements)}
    out = []
    for comp in isotypic_decomposition(reg, rng, field="complex"):
        U = comp.copy(0)

        def f(g, U=U):
            g = np.asarray(g)
            lam = np.array([index[g[h].tobytes()] for h in elements])
            PU = np.empty_like(U)
            PU[lam] = U
            return U.conj().T @ PU

        out.append(IrreducibleRepresentation(group.name, comp.label, comp.dim, "C", f,
                                             group.degree))
    return out


def peter_weyl_basis(group: PermutationGroup):
    r"""Orthonormal basis of :math:`\mathbb{C}^G` from irreducible matrix elements.

    Column :math:`(\pi, a, b)` is the function :math:`h \mapsto \sqrt{d_\pi/|G|}\,
    \pi_{ab}(h)` on the elements ``h = group.elements()`` (the row order).  By Schur
    orthogonality the matrix is unitary; it block-diagonalizes the regular
    representation, and for abelian groups it is the character table (DFT for
    :math:`\mathbb{Z}_n`, WHT for :math:`\mathbb{Z}_2^k`).  Closed-form irreps are
    used when they are complete (:math:`\sum_\pi d_\pi^2 = |G|`), numerical ones
    (:func:`regular_irreps`) otherwise.

    Returns
    -------
    B : (|G|, |G|) ndarray
        Unitary; real when every irrep is real.
    labels : list of tuple
        ``(pi.id, a, b)`` per column.

    References
    ----------
    .. [1] P. Diaconis, *Group Representations in Probability and Statistics*,
       IMS Lecture Notes 11, 1988, chapter 2. :doi:`10.1214/lnms/1215467407`

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.groups import dihedral
    >>> from algdiv.reps import peter_weyl_basis
    >>> B, labels = peter_weyl_basis(dihedral(3))
    >>> B.shape, bool(np.allclose(B.conj().T @ B, np.eye(6)))
    ((6, 6), True)
    >>> labels[:3]
    [((0, 0), 0, 0), ((1, 0), 0, 0), ((1, 1), 0, 0)]
    """
    if not isinstance(group, PermutationGroup):
        raise TypeError(f"Argument 'group' must be a PermutationGroup, not {type(group).__name__}.")
    order = group.order()
    from ..groups import ELEMENTS_LIMIT
    from ..groups._limits import check_bytes

    if order <= ELEMENTS_LIMIT:
        check_bytes(48 * order * order, f"the Peter-Weyl basis of {group.name} (|G| = {order})")
    reps = irreps(group)
    if sum(pi.dim ** 2 for pi in reps) != order:
        reps = regular_irreps(group)
    elements = group.elements()
    cols, labels = [], []
    for pi in reps:
        mats = np.array([np.asarray(pi._func(h)) for h in elements])  # (|G|, d, d), elements valid
        scale = np.sqrt(pi.dim / order)
        for a in range(pi.dim):
            for b in range(pi.dim):
                cols.append(scale * mats[:, a, b])
                labels.append((pi.id, a, b))
    B = np.array(cols).T
    if np.allclose(B.imag, 0):
        B = B.real.copy()
    return B, labels
