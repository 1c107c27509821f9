r"""Matched transforms: the orthonormal basis a symmetry group determines.

:func:`matched_transform` maps a :class:`~algdiv.groups.PermutationGroup` to a
:class:`Transform` whose basis diagonalizes every covariance invariant under the
group (the classical transform for the named families: DFT, real Fourier,
DCT/DST, WHT, Haar, Helmert, KLT), with a fast plan for it.  :func:`klt` is the
trivial-group limit; :func:`resolution` counts the distinct eigenvalues of a
generic invariant covariance.  Orientation: ``T.forward(x) = B^H x`` where the
columns of ``B = T.matrix`` are the basis vectors.

Examples
--------
>>> import numpy as np
>>> from algdiv.bases import matched_transform
>>> from algdiv.groups import tree
>>> T = matched_transform(tree(3))
>>> T.forward(np.ones(8)) * np.sqrt(8) / 8
array([1., 0., 0., 0., 0., 0., 0., 0.])
>>> T.resolution, T.plan.problem.kind
(4, 'haar')
"""
from ._matched import matched_transform
from ._resolution import ChainReport, check_chain, resolution, resolution_table, subgroup_chains
from ._transform import Transform, klt

__all__ = [
    "matched_transform", "klt", "Transform",
    "resolution", "resolution_table", "subgroup_chains", "check_chain", "ChainReport",
]
