r"""The resolution principle: a larger matched group gives a coarser transform.

The *resolution* of a group ``G`` acting on ``0..N-1`` is the number of
distinct eigenvalues of a generic ``G``-invariant real symmetric covariance:
the number of independent "frequencies" its matched transform can resolve.
By Schur's lemma it is :math:`\sum_\pi m_\pi`, the sum of the multiplicities
of the real irreducible constituents (complex-type pairs counted once). Along
a chain of subgroups :math:`H \le G` the commutant shrinks,
:math:`\mathrm{Comm}(G) \subseteq \mathrm{Comm}(H)`, so the resolution can
only drop and the eigenspaces of ``G`` are unions of those of ``H``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._progress import Ticker, check_progress

from algdiv.groups import (PermutationGroup, cyclic, dihedral, elementary_abelian, hamming,
                           symmetric, tree, trivial, wreath_product)

__all__ = ["resolution", "subgroup_chains", "check_chain", "ChainReport", "resolution_table"]

# Closed forms for the named families (real symmetric covariances; spec section 5).
_CLOSED = {
    "trivial": lambda g: g.degree,
    "cyclic": lambda g: g.degree // 2 + 1,
    "dihedral": lambda g: g.degree // 2 + 1,
    "elementary_abelian": lambda g: g.degree,
    "hamming": lambda g: g.params["k"] + 1,
    "tree": lambda g: g.params["k"] + 1,
    "symmetric": lambda g: min(g.degree, 2),
}

_NUMERIC_LIMIT = 4096        # eigvalsh of an N x N matrix beyond this is the user's call


def _as_group(group):
    if not isinstance(group, PermutationGroup):
        raise TypeError(
            f"Argument 'group' must be an algdiv.groups.PermutationGroup, not {type(group).__name__}."
        )
    return group


def _pair_classes(group):
    """Labels of the orbits on unordered pairs {i, j} (i == j included), and their count."""
    lab = np.asarray(group.orbitals(), dtype=np.int64)
    r = int(lab.max()) + 1 if lab.size else 0
    # orbital o and its transpose o' = lab[j, i] belong to one unordered class
    partner = np.empty(r, dtype=np.int64)
    partner[lab.ravel()] = lab.T.ravel()
    cls = np.minimum(np.arange(r), partner)
    _, cls = np.unique(cls, return_inverse=True)
    return cls[lab], int(cls.max()) + 1 if r else 0


def _generic_invariant(group, rng):
    """A generic G-invariant real symmetric matrix (on the signal space for DCT groups)."""
    labels, s = _pair_classes(group)
    R = rng.standard_normal(s)[labels]
    if hasattr(group, "extension"):
        E = group.extension
        R = E.T @ R @ E
    return R


def _clusters(w, tol):
    """Split ascending eigenvalues into clusters separated by gaps > tol."""
    cuts = np.flatnonzero(np.diff(w) > tol) + 1
    return np.split(np.arange(w.size), cuts)


def _spectral(group, rng):
    R = _generic_invariant(group, rng)
    w, U = np.linalg.eigh(R)
    tol = 1e-8 * max(1.0, float(np.abs(w).max()))
    return R, w, U, _clusters(w, tol)


def resolution(group, *, method="auto", rng=0):
    r"""Number of distinct eigenvalues of a generic ``group``-invariant real symmetric covariance.

    Parameters
    ----------
    group : algdiv.groups.PermutationGroup
        Acting on ``0..N-1`` (a :func:`algdiv.groups.dct_group` counts on its
        ``n``-point signal space).
    method : {"auto", "numeric", "orbital"}, optional
        ``"auto"``: the closed form for the named families, else numeric.
        ``"numeric"``: eigenvalues of a random invariant matrix (three draws,
        the largest count wins: a genuine degeneracy is never split, and two
        different eigenvalues coincide only with probability zero).
        ``"orbital"``: the number of orbits on unordered pairs, which equals
        the resolution exactly for multiplicity-free actions and is an upper
        bound otherwise.
    rng : seed or Generator, optional
        For the random invariant matrices (default 0: deterministic).

    Returns
    -------
    int

    Notes
    -----
    With :math:`\mathrm{Comm}(G)\cong\bigoplus_\pi M_{m_\pi}(\mathbb D_\pi)`
    (:math:`\mathbb D_\pi\in\{\mathbb R,\mathbb C,\mathbb H\}`),

    .. math::

        \operatorname{res}(G) = \sum_\pi m_\pi \;\le\;
        \#\{G\text{-orbits on unordered pairs}\}
        = \dim \mathrm{Comm}(G) \cap \mathrm{Sym},

    with equality iff the action is multiplicity-free (a Gelfand pair).
    ``N = 16``: trivial 16, Z_16 9, D_16 9, Z_2^4 16, hamming 5, tree 5, S_16 2.
    Not a function of ``|G|``: Z_16 and Z_2^4 both have order 16.

    References
    ----------
    P. Diaconis, *Group Representations in Probability and Statistics*, IMS
    Lecture Notes 11, 1988, ch. 3F, doi:10.1214/lnms/1215467407.
    M. A. Thornton, "Unification of signal transform theory", arXiv:2605.11589.

    Examples
    --------
    >>> from algdiv.groups import cyclic, elementary_abelian, hamming
    >>> resolution(cyclic(16)), resolution(elementary_abelian(4)), resolution(hamming(4))
    (9, 16, 5)
    >>> resolution(cyclic(16), method="numeric")
    9
    """
    group = _as_group(group)
    from .._checks import check_choice

    method = check_choice(method, "method", ("auto", "numeric", "orbital"))
    if method == "auto" and group.family in _CLOSED:
        return int(_CLOSED[group.family](group))
    if method == "orbital":
        if hasattr(group, "extension"):
            raise ValueError("method='orbital' does not apply to a DCT group (it acts on the extension); "
                             "use method='numeric'.")
        return _pair_classes(group)[1]
    n = group.signal_size if hasattr(group, "extension") else group.degree
    if n > _NUMERIC_LIMIT:
        raise ValueError(
            f"Argument 'group' acts on N = {n} > {_NUMERIC_LIMIT} points: the numeric resolution "
            f"needs an N x N eigendecomposition; use method='orbital' for an upper bound."
        )
    gen = np.random.default_rng(rng)
    return max(len(_spectral(group, gen)[3]) for _ in range(3))


# --------------------------------------------------------------------------- chains
def _tree_pieces(k):
    """tree(j) acting independently on each block of 2**j leaves, j = 1..k-1."""
    n = 1 << k
    return [wreath_product(tree(j), trivial(n >> j)) for j in range(1, k)]


def subgroup_chains(n):
    """Subgroup chains on ``n`` points, from the trivial group up to ``S_n``.

    Parameters
    ----------
    n : int
        Number of points, ``n >= 2``.

    Returns
    -------
    dict[str, list[PermutationGroup]]
        ``"dihedral"``: trivial < Z_n < D_n < S_n (every ``n``). For ``n = 2**k``
        also ``"hamming"``: trivial < Z_2^k < Z_2^k x| S_k (Hamming) < S_n, and
        ``"tree"``: trivial < tree(1)^(n/2) < tree(2)^(n/4) < ... < tree(k) < S_n,
        where ``tree(j)^(n/2^j)`` acts independently on each block of ``2**j``
        leaves (the subtrees below level ``k - j``: pieces of the tree).

    Examples
    --------
    >>> chains = subgroup_chains(16)
    >>> sorted(chains)
    ['dihedral', 'hamming', 'tree']
    >>> [resolution(g) for g in chains["dihedral"]]
    [16, 9, 9, 2]
    >>> [resolution(g) for g in chains["tree"]]
    [16, 16, 12, 8, 5, 2]
    """
    from .._checks import check_int

    n = check_int(n, "n", min=2)
    chains = {"dihedral": [trivial(n), cyclic(n), dihedral(n), symmetric(n)]}
    if n & (n - 1) == 0:
        k = n.bit_length() - 1
        chains["hamming"] = [trivial(n), elementary_abelian(k), hamming(k), symmetric(n)]
        chains["tree"] = [trivial(n), *_tree_pieces(k), tree(k), symmetric(n)]
    return chains


def _label(group) -> str:
    if group.family == "wreath" and group.factors[1].family == "trivial":
        inner, outer = group.factors
        return f"{inner.name}^{outer.degree}"
    return group.name


@dataclass
class ChainReport:
    """Result of :func:`check_chain`: one row per group, one link per consecutive pair.

    Attributes
    ----------
    names, orders, resolutions : list
        Per group, smallest first.
    multiplicity_free : list of bool
        Whether the resolution equals the number of orbits on unordered pairs.
    links : list of dict
        Per consecutive pair ``H <= G``: ``contained`` (every generator of H
        preserves the orbitals of G, i.e. Comm(G) is inside Comm(H)),
        ``coarsens`` (res G <= res H), ``invariance_defect`` (largest
        ``||P - Pi_H(P)||_F`` over the spectral projectors ``P`` of a generic
        G-invariant matrix), ``nesting_defect`` (for multiplicity-free H:
        largest distance of ``||P_F P_E||_F^2`` from ``{0, dim E}`` over the
        eigenspaces F of G and E of H; ``None`` otherwise).
    ok : bool
        All links contained, coarsening, with defects below ``1e-8``.
    """

    names: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    resolutions: list = field(default_factory=list)
    multiplicity_free: list = field(default_factory=list)
    links: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        def good(link):
            nest = link["nesting_defect"]
            return (link["contained"] and link["coarsens"] and link["invariance_defect"] < 1e-8
                    and (nest is None or nest < 1e-8))
        return all(good(link) for link in self.links)

    def __str__(self) -> str:
        rows = [f"{'group':<28} {'|G|':>12} {'res':>4} {'mult-free':>9}"]
        for name, order, res, mf in zip(self.names, self.orders, self.resolutions, self.multiplicity_free):
            o = str(order) if order < 10 ** 12 else f"{order:.3e}"
            rows.append(f"{name:<28} {o:>12} {res:>4} {('yes' if mf else 'no'):>9}")
        rows.append("chain " + ("OK: resolution coarsens and eigenspaces nest" if self.ok else "FAILED"))
        return "\n".join(rows)


def check_chain(chain, *, rng=0, progress=None):
    r"""Check that resolution coarsens and eigenspaces nest along a subgroup chain.

    Parameters
    ----------
    chain : sequence of PermutationGroup
        Smallest group first, all of the same degree (e.g. a value of
        :func:`subgroup_chains`). DCT groups are not supported here.
    rng : seed or Generator, optional
        For the generic invariant matrices.
    progress : callable or None, optional
        ``progress(done, total, label)`` after each group and each link of the
        chain (``total = 2 len(chain) - 1``; see :mod:`algdiv._progress`).

    Returns
    -------
    ChainReport
        ``report.ok`` is the verdict; ``str(report)`` is a table.

    Notes
    -----
    For :math:`H \le G`, every spectral projector :math:`P` of a
    G-invariant matrix is a polynomial in it, hence G- and so H-invariant:
    :math:`\Pi_H(P) = P`. When H is multiplicity-free its generic invariant
    matrix has the finest possible invariant eigenspaces, and each eigenspace
    of G is then exactly a union of them (the G-spectrum is a coarsening of
    the H-spectrum).

    Examples
    --------
    >>> report = check_chain(subgroup_chains(8)["hamming"])
    >>> report.ok, report.resolutions
    (True, [8, 8, 4, 2])
    """
    chain = list(chain)
    if len(chain) < 1:
        raise ValueError("Argument 'chain' must hold at least one group, not an empty sequence.")
    for i, g in enumerate(chain):
        if not isinstance(g, PermutationGroup):
            raise TypeError(f"Argument 'chain' must hold PermutationGroups; item {i} is {type(g).__name__}.")
        if hasattr(g, "extension"):
            raise ValueError(f"Argument 'chain' item {i} is a DCT group; check_chain needs plain actions.")
    degrees = {g.degree for g in chain}
    if len(degrees) != 1:
        raise ValueError(f"Argument 'chain' must hold groups of one degree, not degrees {sorted(degrees)}.")
    if chain[0].degree > _NUMERIC_LIMIT:
        raise ValueError(f"Argument 'chain' acts on N = {chain[0].degree} > {_NUMERIC_LIMIT} points.")
    gen = np.random.default_rng(rng)
    ticker = Ticker(check_progress(progress), 2 * len(chain) - 1, "resolution")
    report = ChainReport()
    spectra = []
    for g in chain:
        ticker.step(0, label=f"resolution of {_label(g)}")
        res = resolution(g, method="numeric", rng=gen)
        report.names.append(_label(g))
        report.orders.append(g.order())
        report.resolutions.append(res)
        report.multiplicity_free.append(res == _pair_classes(g)[1])
        spectra.append(_spectral(g, gen))
        ticker.step()
    for i in range(len(chain) - 1):
        H, G = chain[i], chain[i + 1]
        lab = G.orbitals()
        contained = all(np.array_equal(lab[h][:, h], lab) for h in H.generators)
        _, _, U_G, cl_G = spectra[i + 1]
        inv = 0.0
        for idx in cl_G:
            P = U_G[:, idx] @ U_G[:, idx].T
            inv = max(inv, float(np.linalg.norm(P - H.reynolds(P))))
        nest = None
        if report.multiplicity_free[i]:
            _, _, U_H, cl_H = spectra[i]
            nest = 0.0
            for f in cl_G:
                for e in cl_H:
                    o = float(np.linalg.norm(U_G[:, f].T @ U_H[:, e]) ** 2)
                    nest = max(nest, min(o, len(e) - o))
        report.links.append({
            "sub": report.names[i], "sup": report.names[i + 1], "contained": bool(contained),
            "coarsens": report.resolutions[i + 1] <= report.resolutions[i],
            "invariance_defect": inv, "nesting_defect": nest,
        })
        ticker.step(label=f"{report.names[i]} < {report.names[i + 1]}")
    ticker.finish()
    return report


def resolution_table(n=16, *, progress=None):
    """Rows ``(chain, group, order, resolution)`` for every chain of :func:`subgroup_chains`.

    ``progress(done, total, label)`` (optional) is called after each group.

    Examples
    --------
    >>> rows = resolution_table(16)
    >>> [(r[1], r[3]) for r in rows if r[0] == "hamming"]
    [('trivial(16)', 16), ('elementary_abelian(4)', 16), ('hamming(4)', 5), ('symmetric(16)', 2)]
    """
    chains = subgroup_chains(n)
    ticker = Ticker(check_progress(progress), sum(len(c) for c in chains.values()), "resolution")
    rows = []
    for name, chain in chains.items():
        for g in chain:
            rows.append((name, _label(g), g.order(), resolution(g)))
            ticker.step(label=f"{name}: {_label(g)}")
    return rows
