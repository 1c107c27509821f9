"""Colouring of matrix entries (1-D gap clustering) and the coherent closure (2-WL)."""
from __future__ import annotations

import numpy as np

__all__ = ["color_entries", "coherent_closure", "default_tol"]


def default_tol(R):
    """Numerical tolerance of an exact covariance: 4 sqrt(eps) max|R|."""
    return 4.0 * np.sqrt(np.finfo(np.float64).eps) * float(np.max(np.abs(R)))


def _gap_clusters(values, tol):
    """Labels of the 1-D single-linkage clusters: a new cluster where a gap exceeds tol."""
    order = np.argsort(values, kind="stable")
    v = values[order]
    new = np.empty(v.size, dtype=bool)
    new[0] = True
    np.greater(np.diff(v), tol, out=new[1:])
    labels = np.empty(v.size, dtype=np.int64)
    labels[order] = np.cumsum(new) - 1
    return labels


def color_entries(R, tol):
    r"""Colour the entries of a symmetric matrix: equal colour = equal value within ``tol``.

    Diagonal and off-diagonal entries are clustered separately (a diagonal entry
    and an off-diagonal one never share a colour, as in the vertex/edge colouring of
    the complete graph). Clustering is 1-D single linkage: sort the values and start
    a new colour wherever two neighbours differ by more than ``tol``.

    Parameters
    ----------
    R : ndarray, shape (N, N)
        Symmetric matrix (not checked here).
    tol : float or ndarray
        Absolute gap tolerance; an (N, N) array gives per-entry tolerances, in
        which case the entries are first divided by them (a gap of 1 in units of
        the local noise).

    Returns
    -------
    colors : ndarray of int64, shape (N, N)
        Symmetric labels: ``0..k_d-1`` on the diagonal, ``k_d..k-1`` off it.

    Raises
    ------
    TypeError, ValueError
        ``R`` not a finite real square matrix; ``tol`` negative, NaN, or an
        array of the wrong shape or with a non-positive entry.

    Examples
    --------
    >>> import numpy as np
    >>> R = np.array([[2.0, 1.0, 0.5], [1.0, 2.0, 1.0], [0.5, 1.0, 2.0]])
    >>> color_entries(R, 1e-9)
    array([[0, 2, 1],
           [2, 0, 2],
           [1, 2, 0]])
    """
    from .._checks import check_array, check_real

    R = check_array(R, "R", dtype_kind="biuf", finite=True)
    if R.ndim != 2 or R.shape[0] != R.shape[1] or R.shape[0] < 1:
        raise ValueError(f"Argument 'R' must be a square (N, N) matrix, not shape {R.shape}.")
    n = R.shape[0]
    if np.ndim(tol) == 0:
        scaled, t = R, check_real(tol, "tol", min=0.0)
    else:
        T = check_array(tol, "tol", dtype_kind="biuf", finite=True, shape=R.shape)
        if not np.all(T > 0):
            raise ValueError("Argument 'tol' must hold positive per-entry tolerances "
                             "(an (N, N) array > 0).")
        scaled, t = R / T, 1.0
    iu = np.triu_indices(n, 1)
    dlab = _gap_clusters(np.diag(scaled).copy(), t)
    kd = int(dlab.max()) + 1
    colors = np.empty((n, n), dtype=np.int64)
    colors[np.diag_indices(n)] = dlab
    if n > 1:
        olab = _gap_clusters(scaled[iu], t) + kd
        colors[iu] = olab
        colors[iu[1], iu[0]] = olab
    return colors


def _relabel(keys):
    """Dense labels 0..k-1 of the rows of a 2-D integer key array (first-seen order free)."""
    _, lab = np.unique(keys, axis=0, return_inverse=True)
    return lab.reshape(-1)


def coherent_closure(colors, *, rng=0, max_rounds=None):
    r"""Coherent closure of a colouring: 2-dimensional Weisfeiler-Leman refinement.

    Iterates :math:`c(i,j) \leftarrow (c(i,j), \{\{(c(i,k), c(k,j)) : k\}\})` until
    the number of colours stops growing. The multiset is hashed exactly as an
    integer bilinear form: with random integer weights :math:`x_a, y_b` per colour,
    :math:`h(i,j) = \sum_k x_{c(i,k)} y_{c(k,j)} = (X Y)_{ij}`, one integer matrix
    product; two different multisets collide only with probability
    :math:`\le 2/2^{20}` per hash (Schwartz-Zippel), and two independent hashes are
    used. The result is the coarsest coherent configuration finer than ``colors``.

    Parameters
    ----------
    colors : ndarray of int, shape (N, N)
    rng : seed for the hash weights (the result does not depend on it except with
        negligible probability).
    max_rounds : int, optional
        Bound on the rounds (default N^2, never reached: each round that does not
        stop adds a colour).

    Returns
    -------
    closure : ndarray of int64, shape (N, N)
        Labels ``0..r-1``; ``r`` is the number of classes (basis relations).

    References
    ----------
    B. Weisfeiler, A. Leman, "The reduction of a graph to canonical form and the
    algebra which appears therein", NTI Ser. 2, 9 (1968); see also
    S. Evdokimov, I. Ponomarenko, doi:10.1007/s00493-003-0026-8.

    Examples
    --------
    A 4-cycle has three classes: the diagonal, the edges and the diagonals.

    >>> import numpy as np
    >>> A = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]])
    >>> int(coherent_closure(A).max()) + 1
    3
    """
    from .._checks import check_int
    from ._validate import as_colors

    colors = as_colors(colors, symmetric=False)
    n = colors.shape[0]
    if max_rounds is not None:
        max_rounds = check_int(max_rounds, "max_rounds", min=1)
    gen = np.random.default_rng(rng)
    cur = _relabel(colors.reshape(-1, 1)).reshape(n, n)
    # the diagonal is a union of classes of every coherent configuration
    cur = _relabel(np.stack([cur.ravel(), np.eye(n, dtype=np.int64).ravel()], 1)).reshape(n, n)
    k = int(cur.max()) + 1
    rounds = n * n if max_rounds is None else int(max_rounds)
    for _ in range(rounds):
        keys = [cur.ravel()]
        for _h in range(2):
            x = gen.integers(1, 1 << 20, size=k, dtype=np.int64)
            y = gen.integers(1, 1 << 20, size=k, dtype=np.int64)
            keys.append((x[cur] @ y[cur]).ravel())
        new = _relabel(np.stack(keys, 1)).reshape(n, n)
        k_new = int(new.max()) + 1
        cur = new
        if k_new == k:
            break
        k = k_new
    return cur
