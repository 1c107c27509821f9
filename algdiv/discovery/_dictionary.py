"""Dictionaries of candidate generators (permutation arrays) for the DC-GEVP (tier C)."""
from __future__ import annotations

import numpy as np

__all__ = ["generator_dictionary"]

#: transpositions are O(N^2) atoms; beyond this N they make the GEVP too large (d^3)
TRANSPOSITION_MAX_N = 32


def _is_pow2(n):
    return n >= 1 and n & (n - 1) == 0


def dictionary_size(n, transpositions):
    """Number of atoms before duplicates are removed (the cost estimate of the dictionary)."""
    d = 2 * n - 1
    if _is_pow2(n):
        k = n.bit_length() - 1
        d += (n - 1) + (n - 1) + max(k - 1, 0)
    d += sum(n // m - 1 for m in range(2, n // 2 + 1) if n % m == 0) if n <= 10**6 else n * 20
    if transpositions:
        d += n * (n - 1) // 2
    return d


def generator_dictionary(n, *, transpositions=None):
    r"""Candidate generators for the double-commutator eigenproblem on ``n`` points.

    Parameters
    ----------
    n : int
        Number of points, ``n >= 2``.
    transpositions : bool, optional
        Include all :math:`n(n-1)/2` transpositions. Default: only when
        ``n <= 32`` (they dominate the dictionary size ``d`` and the GEVP costs
        :math:`O(d^2 N^2 + d^3)`).

    Raises
    ------
    SizeLimitError
        The dictionary (``d x n`` integers) would pass :data:`algdiv.groups.MEMORY_LIMIT`;
        checked before it is built.

    Returns
    -------
    perms : ndarray of intp, shape (d, n)
        Distinct non-identity permutations in array form (``perm[i] = sigma(i)``).
    names : list of str
        A readable name for each atom: ``shift(k)``, ``reflect(k)`` (i -> k - i),
        ``xor(a)``, ``swap(s, size)`` (subtree swap of the binary tree),
        ``bitswap(b, b+1)`` (exchange of two adjacent bits of the index), ``block(m, a, a+1)``
        (swap of the adjacent blocks a, a + 1 of size m), ``transposition(i, j)``.

    Examples
    --------
    >>> perms, names = generator_dictionary(4)
    >>> names[:4]
    ['shift(1)', 'shift(2)', 'shift(3)', 'reflect(0)']
    >>> perms[0].tolist()
    [1, 2, 3, 0]
    """
    from .._checks import check_bool, check_int
    from ..groups._limits import check_bytes

    n = check_int(n, "n", min=2)
    if transpositions is None:
        transpositions = n <= TRANSPOSITION_MAX_N
    transpositions = check_bool(transpositions, "transpositions")
    check_bytes(16 * dictionary_size(n, transpositions) * n,
                f"generator_dictionary({n}, transpositions={transpositions})")
    i = np.arange(n)
    atoms, names = [], []
    for k in range(1, n):
        atoms.append((i + k) % n)
        names.append(f"shift({k})")
    for k in range(n):
        atoms.append((k - i) % n)
        names.append(f"reflect({k})")
    if _is_pow2(n):
        for a in range(1, n):
            atoms.append(i ^ a)
            names.append(f"xor({a})")
        # subtree swaps of the complete binary tree on the leaves 0..n-1: the node
        # spanning [s, s + 2m) swaps its halves [s, s + m) and [s + m, s + 2m)
        m = 1
        while 2 * m <= n:
            for s in range(0, n, 2 * m):
                p = i.copy()
                p[s:s + m], p[s + m:s + 2 * m] = i[s + m:s + 2 * m], i[s:s + m]
                atoms.append(p)
                names.append(f"swap({s},{2 * m})")
            m *= 2
        # adjacent bit swaps (with the XOR masks they generate the Hamming group)
        k = n.bit_length() - 1
        for b in range(k - 1):
            bits = ((i >> b) ^ (i >> (b + 1))) & 1
            atoms.append(i ^ (bits << b) ^ (bits << (b + 1)))
            names.append(f"bitswap({b},{b + 1})")
    # adjacent block swaps: for each divisor m of n (1 < m < n), swap block a with
    # block a + 1 (adjacent swaps generate every permutation of the blocks)
    for m in range(2, n // 2 + 1):
        if n % m:
            continue
        nb = n // m
        for a in range(nb - 1):
            for b in (a + 1,):
                p = i.copy()
                p[a * m:(a + 1) * m], p[b * m:(b + 1) * m] = (
                    i[b * m:(b + 1) * m], i[a * m:(a + 1) * m])
                atoms.append(p)
                names.append(f"block({m},{a},{b})")
    if transpositions:
        for a in range(n):
            for b in range(a + 1, n):
                p = i.copy()
                p[a], p[b] = b, a
                atoms.append(p)
                names.append(f"transposition({a},{b})")
    perms = np.asarray(atoms, dtype=np.intp)
    # remove duplicates (e.g. shift(n/2) == xor(n/2) for n = 2, subtree swaps that are XORs)
    _, first = np.unique(perms, axis=0, return_index=True)
    keep = np.sort(first)
    return perms[keep], [names[k] for k in keep]
