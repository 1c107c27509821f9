r"""Representations: irreps, characters, isotypic decompositions, Peter-Weyl bases.

For the named finite families the irreducible representations are known in
closed form (:func:`irreps`); for any finite permutation group the isotypic
components of its action are found numerically through the commutant
(:func:`isotypic_decomposition`), never by enumerating the group.  Compact
groups (SO(2), SO(3)) are known through their irreps (:class:`SO2`, :class:`SO3`,
:func:`funk_hecke`).  The action convention is the one of :mod:`algdiv.groups`.

Examples
--------
>>> from algdiv.groups import tree
>>> from algdiv.reps import isotypic_decomposition
>>> [(c.dim, c.multiplicity) for c in isotypic_decomposition(tree(3))]
[(1, 1), (1, 1), (2, 1), (4, 1)]
"""
from ._compact import SO2, SO3, funk_hecke
from ._irreps import (IrreducibleRepresentation, characters, irreps, isotypic_projectors,
                      multiplicities, permutation_character)
from ._isotypic import Isotypic, isotypic_decomposition, resolution_numeric
from ._peter_weyl import peter_weyl_basis, regular_group, regular_irreps
from ._representation import Representation, permutation_representation

__all__ = [
    "IrreducibleRepresentation", "Representation", "Isotypic",
    "irreps", "characters", "permutation_character", "multiplicities", "isotypic_projectors",
    "isotypic_decomposition", "resolution_numeric", "permutation_representation",
    "peter_weyl_basis", "regular_group", "regular_irreps",
    "SO2", "SO3", "funk_hecke",
]
