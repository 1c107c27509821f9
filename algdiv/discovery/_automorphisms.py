"""Tier B: exact automorphism group of an edge-coloured complete graph."""
from __future__ import annotations

import numpy as np

__all__ = ["colored_automorphisms", "have_igraph"]


def have_igraph():
    """True when python-igraph (BLISS) can be imported."""
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


def _vertex_and_edge_codes(colors):
    n = colors.shape[0]
    diag = np.diag(colors)
    _, vcol = np.unique(diag, return_inverse=True)
    iu = np.triu_indices(n, 1)
    _, ecode = np.unique(colors[iu], return_inverse=True)
    return vcol.astype(np.int64), iu, ecode.astype(np.int64)


def _bliss(colors):
    """Generators through BLISS on the layered encoding (theory spec, section 2.3).

    Colour code ``e`` of edge {u, v} is written in binary; bit ``b`` set puts the
    edge {(u, b), (v, b)} in layer ``b``. Vertical edges (v, b)-(v, b+1) tie each
    column together, and the vertex colour of (v, b) is (b, colour of R_vv), so an
    automorphism maps layers to themselves and columns to columns: its restriction
    to layer 0 is an automorphism of the coloured complete graph and conversely.
    """
    import igraph

    from ..groups._limits import check_bytes

    n = colors.shape[0]
    vcol, iu, ecode = _vertex_and_edge_codes(colors)
    n_codes = int(ecode.max()) + 1 if ecode.size else 1
    layers = max(1, int(n_codes - 1).bit_length())
    n_edges = int(np.bitwise_count(ecode).sum()) + (layers - 1) * n
    # numpy edge arrays, their Python list for igraph (~ 100 bytes an edge) and the graph
    check_bytes(160 * n_edges, f"the layered colouring graph of N = {n} ({n_edges} edges, "
                f"{n_codes} colours)")
    edges = []
    for b in range(layers):
        sel = (ecode >> b) & 1 == 1
        edges.append(np.stack([iu[0][sel] + b * n, iu[1][sel] + b * n], 1))
    for b in range(layers - 1):
        v = np.arange(n)
        edges.append(np.stack([v + b * n, v + (b + 1) * n], 1))
    E = np.concatenate(edges) if edges else np.zeros((0, 2), np.int64)
    g = igraph.Graph(n=n * layers, edges=E.tolist())
    nv = int(vcol.max()) + 1
    color = (np.repeat(np.arange(layers), n) * nv + np.tile(vcol, layers)).tolist()
    gens = g.automorphism_group(sh="fl", color=color)
    out = [np.asarray(p[:n], dtype=np.intp) for p in gens]
    return [p for p in out if not np.array_equal(p, np.arange(n))]


# --- fallback: individualization-refinement with Sims' stabilizer-chain search -----

def _refine(cols, E):
    """Equitable refinement of several vertex colourings at once, labels shared.

    ``cols`` is (m, n): m colourings of the same edge-coloured graph ``E``; the
    new label of v in colouring t is a canonical label of
    (cols[t, v], sorted multiset {(E[v, u], cols[t, u])}), the same key getting
    the same label in every colouring (so that two colourings can be compared).
    """
    m, n = cols.shape
    while True:
        k = int(cols.max()) + 1
        keys = E[None, :, :] * k + cols[:, None, :]          # (m, n, n)
        keys.sort(axis=2)
        rows = np.concatenate([cols[:, :, None], keys], axis=2).reshape(m * n, n + 1)
        _, lab = np.unique(rows, axis=0, return_inverse=True)
        new = lab.reshape(m, n)
        if int(new.max()) + 1 == k:
            return new
        cols = new


def _individualize(col, v):
    col = col.copy()
    col[v] = int(col.max()) + 1
    return col


def _search(E, base_col, pairs):
    """One automorphism mapping u -> v for all (u, v) in ``pairs``, or None."""
    n = E.shape[0]
    a, b = base_col.copy(), base_col.copy()
    for u, v in pairs:
        top = int(max(a.max(), b.max())) + 1
        a[u] = top
        b[v] = top
    return _search_rec(E, a, b, n)


def _search_rec(E, a, b, n):
    cols = _refine(np.stack([a, b]), E)
    a, b = cols[0], cols[1]
    if not np.array_equal(np.bincount(a, minlength=n), np.bincount(b, minlength=n)):
        return None
    counts = np.bincount(a)
    if counts.max() == 1:
        sigma = np.empty(n, dtype=np.intp)
        sigma[np.argsort(a)] = np.argsort(b)
        if np.array_equal(E[np.ix_(sigma, sigma)], E):
            return sigma
        return None
    cell = int(np.flatnonzero(counts > 1)[np.argmin(counts[counts > 1])])
    u = int(np.flatnonzero(a == cell)[0])
    for v in np.flatnonzero(b == cell):
        top = int(max(a.max(), b.max())) + 1
        a2, b2 = a.copy(), b.copy()
        a2[u] = top
        b2[v] = top
        found = _search_rec(E, a2, b2, n)
        if found is not None:
            return found
    return None


def _orbit(point, gens, n):
    seen = np.zeros(n, dtype=bool)
    seen[point] = True
    frontier = [point]
    while frontier:
        nxt = []
        for g in gens:
            for x in frontier:
                y = int(g[x])
                if not seen[y]:
                    seen[y] = True
                    nxt.append(y)
        frontier = nxt
    return seen


def _refinement_search(colors):
    """Generators by Sims' method: for each base point, one automorphism per orbit point."""
    n = colors.shape[0]
    E = colors.astype(np.int64)
    vcol = _vertex_and_edge_codes(colors)[0]
    # descend: base b_1, b_2, ... until individualization + refinement is discrete
    base, col = [], _refine(vcol[None, :], E)[0]
    cells = [col]
    while np.bincount(col).max() > 1:
        counts = np.bincount(col)
        cell = int(np.flatnonzero(counts > 1)[np.argmin(counts[counts > 1])])
        b = int(np.flatnonzero(col == cell)[0])
        base.append(b)
        col = _refine(_individualize(col, b)[None, :], E)[0]
        cells.append(col)
    gens = []
    # ascend: at level k the generators found so far fix b_1..b_{k-1} pointwise
    for k in range(len(base) - 1, -1, -1):
        b = base[k]
        col_k = cells[k]  # colouring with b_1..b_{k-1} individualized
        level_gens = [g for g in gens if all(g[x] == x for x in base[:k])]
        orbit = _orbit(b, level_gens, n)
        for x in np.flatnonzero(col_k == col_k[b]):
            if orbit[x]:
                continue
            pairs = [(p, p) for p in base[:k]] + [(b, int(x))]
            sigma = _search(E, vcol, pairs)
            if sigma is not None:
                gens.append(sigma)
                level_gens.append(sigma)
                orbit = _orbit(b, level_gens, n)
    return gens


def colored_automorphisms(colors, engine="auto"):
    r"""Generators of the automorphism group of a colouring of the complete graph.

    The group is :math:`\{\sigma \in S_N : c(\sigma(i), \sigma(j)) = c(i, j)\ \forall i, j\}`
    for the symmetric colour matrix ``c`` (diagonal colours = vertex colours).

    Parameters
    ----------
    colors : ndarray of int, shape (N, N)
        Symmetric colour labels, e.g. from :func:`color_entries`.
    engine : {"auto", "bliss", "refine"}
        ``"bliss"``: python-igraph's BLISS on the layered encoding (theory spec
        §2.3); ``"refine"``: a self-contained individualization-refinement search
        with Sims' stabilizer-chain method (exact, slower, no extra dependency);
        ``"auto"``: BLISS when igraph is installed.

    Returns
    -------
    list of ndarray
        Non-identity generators in array form; empty for the trivial group.

    Raises
    ------
    TypeError
        ``colors`` is not an integer array.
    ValueError
        ``colors`` is not square and symmetric; an unknown ``engine``.
    SizeLimitError
        BLISS's layered graph would pass :data:`algdiv.groups.MEMORY_LIMIT`.

    References
    ----------
    T. Junttila, P. Kaski, "Engineering an efficient canonical labeling tool for
    large and sparse graphs", ALENEX 2007, doi:10.1137/1.9781611972870.13.
    B. D. McKay, A. Piperno, "Practical graph isomorphism, II",
    doi:10.1016/j.jsc.2013.09.003.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]])
    >>> from sympy.combinatorics import Permutation, PermutationGroup
    >>> gens = colored_automorphisms(c, engine="refine")
    >>> PermutationGroup([Permutation(g.tolist()) for g in gens]).order()
    8
    """
    from .._checks import check_choice
    from ._validate import as_colors

    engine = check_choice(engine, "engine", ("auto", "bliss", "refine"))
    colors = as_colors(colors)
    if engine == "auto":
        engine = "bliss" if have_igraph() else "refine"
    if engine == "bliss":
        if not have_igraph():
            raise ImportError(
                "engine='bliss' needs python-igraph: pip install igraph "
                "(or use engine='refine').")
        return _bliss(colors)
    return _refinement_search(colors)
