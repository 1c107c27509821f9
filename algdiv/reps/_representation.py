"""Representations stored in decomposed form: irreps plus a change of basis (escnn-style)."""
from __future__ import annotations

import numpy as np
import scipy.linalg

from ..groups import PermutationGroup
from ._irreps import IrreducibleRepresentation
from ._isotypic import isotypic_decomposition

__all__ = ["Representation", "permutation_representation"]


class Representation:
    r"""A representation :math:`\rho(g) = Q \bigl(\bigoplus_i \psi_i(g)\bigr) Q^H`.

    Parameters
    ----------
    group : PermutationGroup
    irreps : list of IrreducibleRepresentation
        The irreducible blocks :math:`\psi_i`, in order (repeats allowed).
    change_of_basis : (n, n) array
        Unitary (orthogonal) :math:`Q`; its columns are grouped by block.
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.groups import cyclic
    >>> from algdiv.reps import permutation_representation
    >>> rho = permutation_representation(cyclic(4))
    >>> g = cyclic(4).generators[0]
    >>> P = np.zeros((4, 4)); P[g, np.arange(4)] = 1
    >>> bool(np.allclose(rho(g), P))
    True
    >>> [pi.dim for pi in rho.irreps]
    [1, 1, 2]
    """

    def __init__(self, group, irreps, change_of_basis, name=None):
        if not isinstance(group, PermutationGroup):
            raise TypeError(f"Argument 'group' must be a PermutationGroup, not {type(group).__name__}.")
        irreps = list(irreps)
        for i, pi in enumerate(irreps):
            if not isinstance(pi, IrreducibleRepresentation):
                raise TypeError(f"irreps[{i}] must be an IrreducibleRepresentation, not {type(pi).__name__}.")
        Q = np.asarray(change_of_basis)
        size = sum(pi.dim for pi in irreps)
        if Q.shape != (size, size):
            raise ValueError(f"Argument 'change_of_basis' must have shape ({size}, {size}) to match the "
                             f"irreps' total dimension, not {Q.shape}.")
        if not np.allclose(Q.conj().T @ Q, np.eye(size), atol=1e-8):
            raise ValueError("Argument 'change_of_basis' must be unitary (orthogonal).")
        self.group = group
        self.irreps = irreps
        self.change_of_basis = Q
        self.name = name or f"representation of {group.name}"

    @property
    def size(self) -> int:
        """Dimension of the representation space."""
        return self.change_of_basis.shape[0]

    @property
    def change_of_basis_inv(self) -> np.ndarray:
        """:math:`Q^{-1} = Q^H`."""
        return self.change_of_basis.conj().T

    def block(self, g) -> np.ndarray:
        r""":math:`\bigoplus_i \psi_i(g)` (block diagonal)."""
        return scipy.linalg.block_diag(*[pi(g) for pi in self.irreps])

    def __call__(self, g) -> np.ndarray:
        Q = self.change_of_basis
        out = Q @ self.block(g) @ Q.conj().T
        return out.real if np.isrealobj(Q) and all(pi.type == "R" for pi in self.irreps) else out

    def __repr__(self):
        return f"Representation({self.name}, size={self.size}, irreps={len(self.irreps)})"


def permutation_representation(group: PermutationGroup, rng=None, *, field: str = "real") -> Representation:
    """The natural permutation representation of ``group``, decomposed numerically.

    The irreps are those of :func:`isotypic_decomposition` (one numerical irrep
    per isotypic component, repeated ``multiplicity`` times) and ``Q`` stacks the
    components' aligned bases, so that ``rho(g) == P_g`` exactly up to rounding.
    """
    comps = isotypic_decomposition(group, rng, field=field)
    irreps = []
    for c in comps:
        typ = "C" if np.iscomplexobj(c.basis) else "R"
        pi = IrreducibleRepresentation(group.name, c.label, c.dim, typ, c.matrix)
        irreps.extend([pi] * c.multiplicity)
    Q = np.hstack([c.basis for c in comps])
    return Representation(group, irreps, Q, name=f"permutation representation of {group.name}")
