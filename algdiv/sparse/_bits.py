"""Bit-level helpers on n-bit indices stored as ``uint64`` (n <= 62).

Vectors of :math:`\\mathbb{F}_2^n` are Python ints or ``uint64`` arrays; the
inner product is :math:`\\langle k, m\\rangle = \\operatorname{popcount}(k \\,\\&\\, m) \\bmod 2`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["popcount", "parity", "signs", "span_table", "complete_basis", "gf2_solver",
           "gf2_rank", "random_full_rank", "random_joint_hashes", "hash_bins"]

_U64 = np.uint64

_M1, _M2, _M4 = _U64(0x5555555555555555), _U64(0x3333333333333333), _U64(0x0F0F0F0F0F0F0F0F)
_H01 = _U64(0x0101010101010101)


def _popcount_swar(x):
    """Number of set bits of each element of a ``uint64`` array (SWAR, any numpy)."""
    x = np.array(x, dtype=_U64)
    x = x - ((x >> _U64(1)) & _M1)
    x = (x & _M2) + ((x >> _U64(2)) & _M2)
    x = (x + (x >> _U64(4))) & _M4
    return ((x * _H01) >> _U64(56)).astype(np.uint8)


def popcount(x):
    """Number of set bits of each element of a ``uint64`` array."""
    return _BITWISE_COUNT(np.asarray(x, dtype=_U64))


# numpy >= 2.0 has a vectorized popcount; older versions use the SWAR fallback.
_BITWISE_COUNT = getattr(np, "bitwise_count", _popcount_swar)


def parity(x):
    """:math:`\\operatorname{popcount}(x) \\bmod 2` elementwise, as ``uint8``."""
    return popcount(x) & np.uint8(1)


def signs(k, d):
    """Characters :math:`(-1)^{\\langle k, d\\rangle}` (broadcasting ``k`` against ``d``), float64."""
    return 1.0 - 2.0 * parity(np.bitwise_and(k, d))


def span_table(cols):
    """All :math:`2^b` combinations :math:`M\\ell` of the columns ``cols`` (``ell`` in natural order).

    Entry ``ell`` is the XOR of ``cols[t]`` over the set bits ``t`` of ``ell``, so
    the table lists the subspace spanned by the columns in the order matching
    the natural-order Hadamard transform over ``ell``.
    """
    table = np.zeros(1, dtype=_U64)
    for c in cols:
        table = np.concatenate([table, table ^ _U64(c)])
    return table


def _reduce(basis, v):
    """Reduce ``v`` against an echelon ``basis`` ({pivot bit: vector}); return the remainder."""
    while v:
        top = v.bit_length() - 1
        if top not in basis:
            return v
        v ^= basis[top]
    return 0


def _echelon(vectors):
    """Echelon form {pivot: vector} of the span of ``vectors``; None if they are dependent."""
    basis = {}
    for v in vectors:
        r = _reduce(basis, int(v))
        if r == 0:
            return None
        basis[r.bit_length() - 1] = r
    return basis


def complete_basis(cols, n):
    """Unit vectors ``e_i`` (in increasing ``i``) completing ``cols`` to a basis of F_2^n."""
    basis = _echelon(cols)
    if basis is None:
        raise ValueError("the hash columns are linearly dependent")
    extra = []
    for i in range(n):
        r = _reduce(basis, 1 << i)
        if r:
            basis[r.bit_length() - 1] = r
            extra.append(1 << i)
    return extra


def random_full_rank(n, b, rng):
    """``b`` uniformly random linearly independent vectors of F_2^n (as ints)."""
    while True:
        cols = [int(v) for v in rng.integers(0, 1 << n, size=b, dtype=np.int64)]
        if _echelon(cols) is not None:
            return cols


def gf2_rank(vectors):
    """Rank over F_2 of the given vectors (ints)."""
    basis = {}
    for v in vectors:
        r = _reduce(basis, int(v))
        if r:
            basis[r.bit_length() - 1] = r
    return len(basis)


def random_joint_hashes(n, b, stages, rng):
    """Random full-rank hashes whose stacked columns have the largest possible rank.

    Each stage gets ``b`` independent columns, and all ``stages * b`` columns
    together have rank ``min(n, stages * b)``. When ``stages * b >= n`` the
    stages are then jointly injective: two distinct indices never share their
    bin in every stage, so no pair of coefficients can stall the peeling.
    """
    target = min(n, stages * b)
    while True:
        cols = [random_full_rank(n, b, rng) for _ in range(stages)]
        if gf2_rank([c for cc in cols for c in cc]) == target:
            return cols


def gf2_solver(rows, n):
    """Columns ``w_t`` of the inverse of the n x n system with the given ``rows``.

    ``rows`` are n linearly independent vectors :math:`a_t`. The unique ``k`` with
    :math:`\\langle a_t, k\\rangle = c_t` for all ``t`` is :math:`k = \\bigoplus_t c_t w_t`.
    Gauss-Jordan elimination on Python ints (each row carries the combination
    of right-hand sides it represents in its high bits).
    """
    aug = [(int(a) | (1 << (n + t))) for t, a in enumerate(rows)]
    for col in range(n):
        piv = next((r for r in range(col, n) if (aug[r] >> col) & 1), None)
        if piv is None:
            raise ValueError("the offsets' directions do not complete the hash to a basis")
        aug[col], aug[piv] = aug[piv], aug[col]
        for r in range(n):
            if r != col and (aug[r] >> col) & 1:
                aug[r] ^= aug[col]
    # Row ``col`` now reads: k_col = XOR of c_t over the set bits t of (aug >> n).
    w = [0] * n
    for col in range(n):
        comb = aug[col] >> n
        for t in range(n):
            if (comb >> t) & 1:
                w[t] |= 1 << col
    return w


def hash_bins(k, cols):
    """Bin :math:`j = M^T k` of each index in ``k`` (bit ``t`` of j is :math:`\\langle m_t, k\\rangle`)."""
    k = np.asarray(k, dtype=_U64)
    j = np.zeros(k.shape, dtype=np.int64)
    for t, c in enumerate(cols):
        j |= parity(k & _U64(c)).astype(np.int64) << t
    return j
