"""``matched_transform``: the basis that diagonalizes every covariance invariant under a group."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..groups import DCTGroup, PermutationGroup
from ..groups._limits import check_bytes
from ..reps import isotypic_decomposition
from ..transforms import Problem, plan
from ._transform import Transform, _fix_signs, dense_plan, eigh_desc, kron_plan, validate_cov

__all__ = ["matched_transform"]


@dataclass
class _Basis:
    """A basis under construction: a plan (or dense matrix), labels, components."""

    plan: object
    labels: np.ndarray
    comps: list            # per label: (dim, multiplicity)
    method: str
    complex_type: bool     # real field only: has components of complex type
    matrix: np.ndarray | None = None

    def dense(self):
        if self.matrix is None:
            self.matrix = np.asarray(self.plan.matrix()).conj().T
        return self.matrix


def _rdft_labels(n):
    labels = [0]
    for k in range(1, (n + 1) // 2):
        labels += [k, k]
    if n % 2 == 0 and n > 1:
        labels.append(n // 2)
    comps = [(1, 1)] + [(2, 1)] * ((n + 1) // 2 - 1) + ([(1, 1)] if n % 2 == 0 and n > 1 else [])
    return np.array(labels), comps


def _b_cyclic(G, field):
    n = G.degree
    if field == "complex" and G.family == "cyclic":
        return _Basis(plan(Problem("dft", n, dtype="complex128")), np.arange(n), [(1, 1)] * n, "dft", False)
    labels, comps = _rdft_labels(n)
    return _Basis(plan(Problem("rdft", n)), labels, comps, "rdft", G.family == "cyclic" and n >= 3)


def _b_dct(G, field):
    n, t, kind = G.params["n"], G.params["type"], G.params["kind"]
    return _Basis(plan(Problem(kind, n, params={"type": t})), np.arange(n), [(1, 1)] * n, f"{kind}-{t}", False)


def _b_wht(G, field):
    n = G.degree
    if G.family == "hamming":
        k = G.params["k"]
        labels = np.array([bin(s).count("1") for s in range(n)])
        comps = [(math.comb(k, w), 1) for w in range(k + 1)]
    else:
        labels, comps = np.arange(n), [(1, 1)] * n
    return _Basis(plan(Problem("wht", n)), labels, comps, "wht", False)


def _b_tree(G, field):
    n, k = G.degree, G.params["k"]
    labels = np.zeros(n, dtype=np.int64)
    for j in range(1, k + 1):
        labels[1 << (j - 1):1 << j] = j
    comps = [(1, 1)] + [(1 << (j - 1), 1) for j in range(1, k + 1)]
    return _Basis(plan(Problem("haar", n)), labels, comps, "haar", False)


def _b_symmetric(G, field):
    n = G.degree
    if n == 1:
        return _Basis(plan(Problem("identity", 1)), np.zeros(1), [(1, 1)], "identity", False)
    return _Basis(plan(Problem("helmert", n)), np.array([0] + [1] * (n - 1)), [(1, 1), (n - 1, 1)],
                  "helmert", False)


def _b_trivial(G, field):
    n = G.degree
    return _Basis(plan(Problem("identity", n)), np.zeros(n), [(1, n)], "identity", False)


def _b_direct(G, field):
    parts = [_build(f, field) for f in G.factors]
    if field == "real" and sum(p.complex_type for p in parts) >= 2:
        # A tensor product of two complex-type real irreducibles is reducible
        # (frequencies k1 + k2 and k1 - k2 separate): no Kronecker basis.
        return _b_generic(G, field, method="isotypic (complex-type factors)")
    labels = np.zeros(1, dtype=np.int64)
    comps = [(1, 1)]
    for p in parts:
        r = len(p.comps)
        labels = (labels[:, None] * r + p.labels[None, :]).ravel()
        comps = [(d1 * d2, m1 * m2) for (d1, m1) in comps for (d2, m2) in p.comps]
    return _Basis(kron_plan([p.plan for p in parts]), labels, comps, "kron",
                  any(p.complex_type for p in parts))


def _b_wreath(G, field):
    inner, outer = G.factors
    k, m = inner.degree, outer.degree
    bi = _build(inner, field)
    Bi = bi.dense()
    const = np.ones(k) / np.sqrt(k)
    l0 = bi.labels[0]
    if not (inner.is_transitive() and np.allclose(Bi[:, 0], const, atol=1e-12)
            and np.sum(bi.labels == l0) == 1):
        return _b_generic(G, field, method="isotypic (intransitive inner group)")
    bo = _build(outer, field)
    Bo = bo.dense()
    check_bytes(32.0 * (k * m) ** 2, f"the dense wreath basis of {G.name} (N = {k * m})")
    coarse = np.kron(Bo, const[:, None])                       # u_j (x) 1/sqrt(k)
    fine_cols = [c for c in range(k) if bi.labels[c] != l0]
    W = Bi[:, fine_cols]
    # e_y (x) w, ordered by inner column w, then by block y
    fine = np.einsum("yz,pw->ypwz", np.eye(m), W).reshape(m * k, len(fine_cols) * m)
    B = np.hstack([coarse, fine])
    r_out = len(bo.comps)
    orbit = outer.orbits()
    n_orb = int(orbit.max()) + 1
    inner_labels = bi.labels[fine_cols]
    raw = r_out + np.repeat(inner_labels, m) * n_orb + np.tile(orbit, len(fine_cols))
    uniq, fine_labels = np.unique(raw, return_inverse=True)
    labels = np.concatenate([bo.labels, r_out + fine_labels])
    comps = list(bo.comps)
    orbit_size = np.bincount(orbit)
    for value in uniq:
        li, o = divmod(int(value) - r_out, n_orb)
        d, mult = bi.comps[li]
        comps.append((d * int(orbit_size[o]), mult))
    return _Basis(dense_plan(B), labels, comps, "wreath", bi.complex_type or bo.complex_type, matrix=B)


def _b_generic(G, field, method="isotypic"):
    n = G.degree
    check_bytes(40.0 * n * n, f"the numerical isotypic basis of {G.name} (N = {n})")
    comps = isotypic_decomposition(G, field=field)
    B = _fix_signs(np.hstack([c.basis for c in comps]))
    labels = np.concatenate([np.full(c.basis.shape[1], i) for i, c in enumerate(comps)])
    return _Basis(dense_plan(B), labels, [(c.dim, c.multiplicity) for c in comps], method,
                  field == "real" and any(c.type == "C" for c in comps), matrix=B)


_BUILDERS = {
    "cyclic": _b_cyclic,
    "dihedral": _b_cyclic,
    "dct": _b_dct,
    "elementary_abelian": _b_wht,
    "hamming": _b_wht,
    "tree": _b_tree,
    "symmetric": _b_symmetric,
    "trivial": _b_trivial,
    "direct": _b_direct,
    "wreath": _b_wreath,
}


def _build(G, field) -> _Basis:
    if G.family == "wreath" and any(isinstance(f, DCTGroup) for f in G.factors):
        raise ValueError(
            f"matched_transform does not take DCT groups as factors of wreath products ({G.name}): "
            "a dct_group acts on its symmetric extension, not on the signal's points; direct "
            "products of them are taken (the Kronecker product of the transforms).")
    return _BUILDERS.get(G.family, _b_generic)(G, field)


def _finish(basis: _Basis, C) -> tuple[np.ndarray, bool]:
    """Diagonalize ``C`` inside every component of multiplicity > 1 (hybrid / hierarchical KL)."""
    B = None
    for label, (dim, mult) in enumerate(basis.comps):
        if mult <= 1:
            continue
        if B is None:
            B = np.array(basis.dense(), dtype=np.result_type(basis.dense(), C))
        idx = np.flatnonzero(basis.labels == label)
        Bc = B[:, idx]
        _, V = eigh_desc(Bc.conj().T @ C @ Bc)
        B[:, idx] = Bc @ V
    return B


def matched_transform(group, cov=None, *, field: str = "real", exact: bool = False):
    r"""The orthonormal basis matched to ``group``: it diagonalizes every G-invariant covariance.

    For the named families the basis *is* the classical transform, column order
    and signs included (``T.forward(x) == classical(x)``):

    ==============================  ====================================================
    group                           ``T.forward(x)``
    ==============================  ====================================================
    ``cyclic(n)``, complex          ``scipy.fft.fft(x, norm="ortho")``
    ``cyclic(n)``, ``dihedral(n)``  real Fourier: ``1/sqrt(N)``, then ``sqrt(2/N) cos``,
                                    ``sqrt(2/N) sin`` pairs for ``k = 1..ceil(N/2)-1``,
                                    then ``(-1)^n/sqrt(N)`` for even ``N``
    ``dct_group(n, t, kind)``       ``scipy.fft.dct(x, t, norm="ortho", orthogonalize=True)``
                                    (``dst`` likewise)
    ``elementary_abelian(k)``,      ``scipy.linalg.hadamard(2**k) @ x / 2**(k/2)``
    ``hamming(k)``
    ``tree(k)``                     orthonormal Haar, coarse to fine (the concatenation of
                                    ``pywt.wavedec(x, "haar", mode="periodization")``)
    ``symmetric(n)``                ``scipy.linalg.helmert(n, full=True) @ x``
    ``trivial(n)``                  KLT of ``cov`` (identity without ``cov``)
    ``direct_product(G, H)``        Kronecker product of the factors' transforms, on the
                                    product of their signal sizes (DCT/DST factors too:
                                    ``direct(dct:8,dct:8)`` is ``scipy.fft.dctn`` of the
                                    row-major 8 x 8 block, ``norm="ortho"``)
    ``wreath_product(G, H)``        coarse :math:`u_j \otimes 1_k/\sqrt{k}` (``u_j`` from
                                    ``H``), then fine :math:`e_y \otimes w`
                                    (``w`` from ``G``'s basis of :math:`1^\perp`)
    other groups                    numerical isotypic basis (:func:`algdiv.reps.isotypic_decomposition`)
    ==============================  ====================================================

    Where an isotypic component has multiplicity greater than one, no basis
    diagonalizes every invariant covariance; ``cov`` then finishes each such
    block with its own KLT (the hybrid and hierarchical-KL cases).  Without
    ``cov`` the block keeps a data-independent basis and ``T.unique`` is False.

    Parameters
    ----------
    group : PermutationGroup
    cov : (N, N) array_like, optional
        Covariance used to finish blocks of multiplicity > 1 (``N`` is the signal
        size: ``group.signal_size`` for DCT groups).
    field : {"real", "complex"}
        ``"complex"`` matters for the cyclic group (DFT instead of the real
        Fourier basis) and for generic groups with complex-type irreducibles.
    exact : bool
        Return the basis as an exact :class:`sympy.Matrix` (columns = basis
        vectors) instead of a :class:`Transform`; named families and their
        products and wreath products, ``N <= 128``.

    Returns
    -------
    Transform (or sympy.Matrix when ``exact=True``)

    Raises
    ------
    TypeError
        ``group`` is not a PermutationGroup.
    ValueError
        Bad ``field``; ``cov`` of the wrong shape, not symmetric, or not finite;
        ``exact=True`` for a group without an exact form.

    Notes
    -----
    If :math:`R` commutes with every :math:`P_g`, then by Schur's lemma
    :math:`B^H R B = \bigoplus_\pi I_{d_\pi} \otimes R_\pi` in a basis adapted to
    the isotypic decomposition, with :math:`R_\pi` of size :math:`m_\pi`; when all
    :math:`m_\pi \le 1` the basis is data independent.

    References
    ----------
    .. [1] M. A. Thornton, "Unification of Signal Transform Theory",
       arXiv:2605.11589, 2026.
    .. [2] P. Diaconis, *Group Representations in Probability and Statistics*,
       IMS Lecture Notes 11, 1988. :doi:`10.1214/lnms/1215467407`

    Examples
    --------
    >>> import numpy as np, scipy.linalg, algdiv
    >>> from algdiv.groups import elementary_abelian, wreath_product, cyclic, symmetric
    >>> T = algdiv.matched_transform(elementary_abelian(3))
    >>> bool(np.allclose(T.matrix, scipy.linalg.hadamard(8) / np.sqrt(8)))
    True
    >>> G = wreath_product(cyclic(5), symmetric(3))
    >>> R = G.reynolds(np.random.default_rng(0).standard_normal((15, 15)))
    >>> R = R + R.T
    >>> T = algdiv.matched_transform(G)
    >>> D = T.matrix.T @ R @ T.matrix
    >>> bool(np.allclose(D, np.diag(np.diag(D)))), T.resolution
    (True, 4)
    """
    if not isinstance(group, PermutationGroup):
        raise TypeError(f"Argument 'group' must be a PermutationGroup, not {type(group).__name__}.")
    from .._checks import check_bool, check_choice

    field = check_choice(field, "field", ("real", "complex"))
    exact = check_bool(exact, "exact")
    if exact:
        if cov is not None:
            raise ValueError("Argument 'cov' cannot be combined with exact=True (the KLT of data is not exact).")
        from ._exact import exact_basis

        return exact_basis(group, field)
    n = group.signal_size if isinstance(group, DCTGroup) else group.degree
    C = None
    if cov is not None:
        C = validate_cov(cov, n)
        if field == "real" and np.iscomplexobj(C):
            raise ValueError("Argument 'cov' is complex; use field='complex'.")
    basis = _build(group, field)
    comps = basis.comps
    multi = any(mult > 1 for _, mult in comps)
    if C is not None and multi:
        B = _finish(basis, C)
        method = "klt" if basis.method == "identity" else basis.method + "+klt"
        return Transform(dense_plan(B), basis.labels, comps, field=field, group=group.name,
                         method=method, unique=True, data_dependent=True, matrix=B)
    return Transform(basis.plan, basis.labels, comps, field=field, group=group.name,
                     method=basis.method, unique=not multi, data_dependent=False, matrix=basis.matrix)
