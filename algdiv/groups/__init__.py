r"""Finite permutation groups acting on the indices ``0..N-1``.

Action convention (stated once, used throughout algdiv)
-------------------------------------------------------
A permutation :math:`\sigma` of ``{0..N-1}`` is stored in array form,
``perm[i] = sigma(i)`` (sympy's ``array_form``).  Its matrix is
:math:`P_\sigma e_i = e_{\sigma(i)}`, i.e. ``P[perm[i], i] = 1``; on vectors
``(P x)[perm] = x``.  Composition is :math:`(gh)(i) = g(h(i))`, i.e. ``g[h]``
(sympy's ``a*b`` is the other order).  A matrix :math:`R` is *G-invariant* when
:math:`P_g R P_g^T = R` for all :math:`g`, i.e. ``R[perm][:, perm] == R`` for every
generator; the Reynolds operator :meth:`PermutationGroup.reynolds` projects onto
these matrices by averaging over orbitals.

Families
--------
=============================  ============================  =========================
constructor                    action                        matched transform
=============================  ============================  =========================
``cyclic(n)``                  ``i -> i+1 mod n``            DFT / real Fourier
``dihedral(n)``                ``i -> i+1``, ``i -> -i``     real Fourier
``elementary_abelian(k)``      XOR on ``2**k`` points        WHT
``hamming(k)``                 XOR and bit permutations      WHT (k+1 eigenvalues)
``tree(k)``                    subtree swaps, ``2**k`` leaves Haar
``symmetric(n)``               all permutations              Helmert
``trivial(n)``                 identity                      KLT
``dct_group(n, type, kind)``   dihedral on the extension     DCT / DST
``direct_product(*G)``         product action                Kronecker product
                               (of extensions with DCT/DST)  (2-D DCT for two DCTs)
``wreath_product(G, H)``       G in blocks, H permutes them  composition rule
=============================  ============================  =========================

Examples
--------
>>> import numpy as np
>>> from algdiv.groups import tree
>>> G = tree(2)
>>> G.order(), G.orbitals()
(8, array([[0, 1, 2, 2],
       [1, 0, 2, 2],
       [2, 2, 0, 1],
       [2, 2, 1, 0]], dtype=int32))
>>> g = G.generators[0]
>>> R = G.reynolds(np.arange(16.0).reshape(4, 4))
>>> bool(np.allclose(R[g][:, g], R))
True
"""
from ._dct import DCTGroup, DCTProduct, dct_group
from ._families import (cyclic, dihedral, direct_product, elementary_abelian, from_generators,
                        hamming, symmetric, tree, trivial, wreath_product)
from ._group import CAYLEY_LIMIT, ELEMENTS_LIMIT, PermutationGroup
from ._limits import MEMORY_LIMIT, SizeLimitError
from ._file import load_group, save_group
from ._parse import GROUP_GRAMMAR, parse_group

__all__ = [
    "PermutationGroup", "DCTGroup", "DCTProduct", "SizeLimitError",
    "cyclic", "dihedral", "elementary_abelian", "hamming", "tree", "symmetric", "trivial",
    "direct_product", "wreath_product", "from_generators", "dct_group",
    "parse_group", "GROUP_GRAMMAR", "save_group", "load_group", "MEMORY_LIMIT", "ELEMENTS_LIMIT", "CAYLEY_LIMIT",
]
