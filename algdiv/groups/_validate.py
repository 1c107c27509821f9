"""Permutation arrays checked where they enter (shared by groups, reps and discovery)."""
from __future__ import annotations

import numpy as np

__all__ = ["as_perms"]


def as_perms(perms, n, name="perms"):
    """A (d, n) intp array whose rows are permutations of 0..n-1 (array form)."""
    try:
        P = np.asarray(perms)
    except (ValueError, TypeError):
        raise TypeError(f"Argument {name!r} must be a (d, {n}) integer array of permutations, "
                        f"not a ragged {type(perms).__name__}.") from None
    if P.size == 0 and P.ndim <= 2:
        P = P.reshape(0, n).astype(np.intp)
    if P.dtype.kind not in "iu":
        raise TypeError(f"Argument {name!r} must be an integer array of permutations "
                        f"(array form, perm[i] = sigma(i)), not dtype {P.dtype}.")
    if P.ndim != 2 or P.shape[1] != n:
        raise ValueError(f"Argument {name!r} must have shape (d, {n}), not {P.shape}.")
    if P.size:
        if P.min() < 0 or P.max() >= n:
            row = int(np.flatnonzero(((P < 0) | (P >= n)).any(axis=1))[0])
            raise ValueError(f"Argument {name!r} must hold permutations of 0..{n - 1}; row {row} "
                             f"has an entry out of range: {P[row].tolist()[:16]}.")
        S = np.sort(P, axis=1)
        bad = np.flatnonzero((S != np.arange(n)).any(axis=1))
        if bad.size:
            row = int(bad[0])
            raise ValueError(f"Argument {name!r} must hold permutations of 0..{n - 1}; row {row} "
                             f"repeats a value: {P[row].tolist()[:16]}.")
    return np.ascontiguousarray(P, dtype=np.intp)
