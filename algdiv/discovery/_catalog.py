"""Tier A: the catalog of candidate groups for N points."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["catalog", "unordered_orbital_count", "symmetric_orbitals"]


def _is_pow2(n):
    return n >= 2 and n & (n - 1) == 0


def _factor_pairs(n):
    """``(a, n // a)`` for every divisor ``2 <= a <= n / 2``, ascending (O(sqrt n) work)."""
    small = [a for a in range(2, math.isqrt(n) + 1) if n % a == 0]
    divs = sorted(set(small) | {n // a for a in small})
    return [(a, n // a) for a in divs]


def catalog_size(n, dct=True):
    """Number of groups :func:`catalog` builds for ``n`` points (before duplicates are dropped),
    the DCT models (``dct=True``) included."""
    pairs = len(_factor_pairs(n))
    return 3 + (n >= 3) + 3 * _is_pow2(n) + 7 * pairs + (dct and 1 + (n >= 3) + pairs)


def catalog_bytes(n):
    """Working set of :func:`catalog`: the orbitals (int32, N x N) of every group and its key, the
    generators, and the temporaries of one duplicate check."""
    floor = 72 * n * n            # the three groups every catalog holds, and the temporaries
    if floor > 2**40:             # refused anyway: skip the O(sqrt n) count of the divisors
        return floor
    return (8 * catalog_size(n, dct=False) + 48) * n * n


def catalog(n, *, dct=True, progress=None):
    r"""Candidate groups for tier A, built for ``n`` points.

    The list holds the trivial and symmetric groups, ``cyclic(n)``,
    ``dihedral(n)``; for :math:`n = 2^k` also ``elementary_abelian(k)``,
    ``hamming(k)`` and ``tree(k)``; and for every factorization :math:`n = a b`
    (:math:`a, b \ge 2`) the direct products ``cyclic(a) x cyclic(b)``,
    ``dihedral(a) x dihedral(b)``, ``symmetric(a) x symmetric(b)`` (product action,
    index ``x b + y``) and the wreath products ``X(a) wr Y(b)`` with
    X, Y in {cyclic, symmetric} (X acts inside ``b`` blocks of size ``a``, Y
    permutes the blocks). Candidates with the same orbitals are the same
    constraint on a symmetric covariance (e.g. ``cyclic(n)`` and ``dihedral(n)``:
    a real symmetric circulant is dihedral-invariant); only the one of largest
    order is kept.

    With ``dct=True`` the list ends with the DCT groups of the signal:
    ``dct_group(n, 2)``, ``dct_group(n, 1)`` (``n >= 3``) and, for every
    factorization ``n = a b``, ``direct_product(dct_group(a, 2), dct_group(b, 2))``,
    the matched group of the 2-D DCT-II of ``a x b`` blocks (row-major). They act on
    a symmetric extension, not on the ``n`` points; discovery scores them as the
    covariances diagonal in their basis (``n`` free parameters).

    Parameters
    ----------
    n : int
        Number of points, ``n >= 2``.
    dct : bool
        Append the DCT groups and their products (default True).
    progress : callable, optional
        ``progress(done, total, "catalog")`` after each group's orbitals
        (:mod:`algdiv._progress`).

    Returns
    -------
    list of algdiv.groups.PermutationGroup

    Raises
    ------
    SizeLimitError
        The orbitals of the catalog would pass :data:`algdiv.groups.MEMORY_LIMIT`
        (about ``4 N^2`` bytes per group); checked before any group is built.

    Examples
    --------
    >>> [G.name for G in catalog(4)]  # doctest: +NORMALIZE_WHITESPACE
    ['trivial(4)', 'symmetric(4)', 'dihedral(4)', 'elementary_abelian(2)', 'hamming(2)',
     'tree(2)', 'dct_group(4, type=2)', 'dct_group(4, type=1)',
     'direct(dct_group(2, type=2), dct_group(2, type=2))']
    """
    from algdiv import groups as g

    from .._checks import check_int
    from .._progress import Ticker
    from ..groups._limits import check_bytes

    n = check_int(n, "n", min=2)
    check_bytes(catalog_bytes(n), f"catalog({n}) (N x N orbitals for each group)")
    ticker = Ticker(progress, catalog_size(n, dct=False), "catalog")

    def dih(m):
        return g.dihedral(m) if m >= 3 else g.cyclic(m)

    out = [g.trivial(n), g.symmetric(n), g.cyclic(n)]
    if n >= 3:
        out.append(g.dihedral(n))
    if _is_pow2(n):
        k = n.bit_length() - 1
        out += [g.elementary_abelian(k), g.hamming(k), g.tree(k)]
    for a, b in _factor_pairs(n):
        out += [g.direct_product(g.cyclic(a), g.cyclic(b)),
                g.direct_product(dih(a), dih(b)),
                g.direct_product(g.symmetric(a), g.symmetric(b))]
        for inner in (g.cyclic(a), g.symmetric(a)):
            for outer in (g.cyclic(b), g.symmetric(b)):
                out.append(g.wreath_product(inner, outer))
    # one representative (largest order, first listed) per partition of the
    # unordered pairs: on symmetric matrices those groups have the same Reynolds
    # projection (e.g. cyclic(n) and dihedral(n))
    best = {}
    for G in out:
        key = symmetric_orbitals(G.orbitals()).tobytes()
        ticker.step()
        if key not in best or G.order() > best[key].order():
            best[key] = G
    kept = {id(G) for G in best.values()}
    ticker.finish()
    out = [G for G in out if id(G) in kept]
    if dct:
        from ._basis_models import dct_candidates

        out += dct_candidates(n)
    return out


def symmetric_orbitals(labels):
    """Labels 0..r-1 of the orbits on unordered pairs, as an (N, N) symmetric array."""
    t = labels.T
    r = int(labels.max()) + 1
    key = np.minimum(labels, t).astype(np.int64) * r + np.maximum(labels, t)
    _, lab = np.unique(key.ravel(), return_inverse=True)
    return lab.reshape(labels.shape).astype(np.int32)


def unordered_orbital_count(labels):
    """Number of orbits on unordered pairs {i, j} (i = j included): free parameters
    of a symmetric invariant matrix, the resolution of a multiplicity-free action."""
    t = labels.T
    lo = np.minimum(labels, t)
    hi = np.maximum(labels, t)
    r = int(labels.max()) + 1
    return int(np.unique((lo.astype(np.int64) * r + hi).ravel()).size)
