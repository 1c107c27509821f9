"""Orbits of a permutation group on points and on ordered pairs (orbitals).

The generic routine is a vectorized union-find over the generators, in
``O(#generators * N^2)`` time and never enumerating the group.  Labels are
canonical: ``0..r-1`` numbered by first occurrence in row-major order.
"""
from __future__ import annotations

import numpy as np

from ._limits import check_bytes

__all__ = ["canonical_labels", "pair_orbits", "point_orbits"]


def _union_find(n_items: int, images: list[np.ndarray]) -> np.ndarray:
    """Connected components of ``x ~ img[x]`` for each ``img``; returns min-index roots.

    Hook-and-shortcut: every root is only ever hooked onto a smaller root, so the
    final root of a component is its smallest member.
    """
    itype = np.int32 if n_items < 2**31 else np.int64
    parent = np.arange(n_items, dtype=itype)
    while True:
        changed = False
        for img in images:
            a = parent
            b = parent[img]
            lo = np.minimum(a, b)
            hi = np.maximum(a, b)
            mask = lo != hi
            if mask.any():
                changed = True
                np.minimum.at(parent, hi[mask], lo[mask])
            # Pointer jumping until every item points at a root.
            while True:
                nxt = parent[parent]
                if np.array_equal(nxt, parent):
                    break
                parent = nxt
        if not changed:
            return parent


def _roots_to_labels(roots: np.ndarray) -> np.ndarray:
    """Min-index roots -> labels 0..r-1 in order of first occurrence."""
    is_root = roots == np.arange(roots.size, dtype=roots.dtype)
    rank = np.cumsum(is_root, dtype=np.int64) - 1
    return rank[roots].astype(np.int32)


def point_orbits(generators: np.ndarray, degree: int) -> np.ndarray:
    """Orbit label of each point (``(N,)`` int32, canonical)."""
    roots = _union_find(degree, [np.asarray(g) for g in generators])
    return _roots_to_labels(roots)


def pair_orbits(generators: np.ndarray, degree: int) -> np.ndarray:
    """Orbitals by union-find over the generators: ``(N, N)`` int32 canonical labels.

    The pair ``(i, j)`` (flat index ``i*N + j``) is joined with ``(g(i), g(j))``
    for every generator ``g``.
    """
    n = int(degree)
    m = n * n
    check_bytes(m * 4 * 6 + len(generators) * m * 4, f"orbitals by union-find on N = {n} points")
    itype = np.int32 if m < 2**31 else np.int64
    images = [
        (np.asarray(g, dtype=itype)[:, None] * n + np.asarray(g, dtype=itype)[None, :]).ravel()
        for g in generators
    ]
    roots = _union_find(m, images)
    return _roots_to_labels(roots).reshape(n, n)


def canonical_labels(raw: np.ndarray) -> np.ndarray:
    """Relabel non-negative integer labels to ``0..r-1`` by first occurrence (row-major).

    Examples
    --------
    >>> canonical_labels(np.array([[5, 2], [2, 9]]))
    array([[0, 1],
           [1, 2]], dtype=int32)
    """
    raw = np.asarray(raw)
    flat = raw.ravel()
    m = flat.size
    if m == 0:
        return np.zeros(raw.shape, dtype=np.int32)
    k = int(flat.max()) + 1
    if k <= 4 * m:
        first = np.full(k, m, dtype=np.int64)
        np.minimum.at(first, flat, np.arange(m, dtype=np.int64))
        present = first < m
        order = np.argsort(first[present], kind="stable")
        rank = np.full(k, -1, dtype=np.int32)
        rank[np.flatnonzero(present)[order]] = np.arange(order.size, dtype=np.int32)
        return rank[raw]
    values, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(values.size, dtype=np.int32)
    rank[order] = np.arange(values.size, dtype=np.int32)
    return rank[inverse].reshape(raw.shape)
