"""The commutativity residual delta and the algebraic colouring index alpha."""
from __future__ import annotations

import numpy as np

from ._automorphisms import colored_automorphisms
from ._coloring import coherent_closure, color_entries, default_tol
from .._checks import check_choice, check_real
from ._validate import as_covariance

__all__ = ["commutativity_residual", "coloring_index"]


def _as_group(group, n, name="group"):
    from algdiv.groups import PermutationGroup

    if not isinstance(group, PermutationGroup):
        raise TypeError(
            f"Argument {name!r} must be an algdiv.groups.PermutationGroup, "
            f"not {type(group).__name__}.")
    if group.degree != n:
        raise ValueError(
            f"Argument {name!r} acts on {group.degree} points but the covariance is "
            f"{n} x {n}.")
    return group


def _orbital_mean(labels, counts, R):
    """Reynolds projection of one matrix or a batch (..., N, N) through orbital labels."""
    r = counts.size
    flat = R.reshape(-1, R.shape[-1] * R.shape[-1])
    lab = labels.ravel()
    offs = (np.arange(flat.shape[0]) * r)[:, None]
    sums = np.bincount((lab[None, :] + offs).ravel(), weights=flat.ravel(),
                       minlength=flat.shape[0] * r).reshape(flat.shape[0], r)
    means = sums / counts
    return means[:, lab].reshape(R.shape)


def commutativity_residual(cov, group, *, kind="reynolds"):
    r"""Commutativity residual :math:`\delta` of a covariance with respect to a group.

    Parameters
    ----------
    cov : array_like, shape (N, N)
        Real symmetric matrix (not symmetrized; see :func:`algdiv.discover`).
    group : algdiv.groups.PermutationGroup
        Group of degree N.
    kind : {"reynolds", "generators"}
        ``"reynolds"``: distance to the commutant,
        :math:`\delta_G(R) = \|R - \Pi_G R\|_F / \|R\|_F \in [0, 1]`;
        ``"generators"``: the cheap generator-wise form
        :math:`\delta_{gen}(R; S) = \max_{s \in S} \|P_s R - R P_s\|_F / \|R\|_F`
        over the group's generators.

    Returns
    -------
    float

    Notes
    -----
    :math:`\delta_G = 0` iff :math:`R` commutes with every :math:`P_g`; both forms
    vanish together. The Reynolds form is monotone, :math:`H \le G \Rightarrow
    \delta_H \le \delta_G`, and averages the generator form over the group:
    :math:`|G|^{-1} \sum_g \|P_g R - R P_g\|_F^2 = 2 \|R - \Pi_G R\|_F^2`.
    For L Gaussian snapshots and a G-invariant R it decays like
    :math:`L^{-1/2}` (:math:`E\|\hat R - R\|_F^2 = (\operatorname{tr}(R)^2 + \|R\|_F^2)/L`),
    while for a group that does not match it stays on a plateau
    :math:`\delta_G(R) > 0`.

    References
    ----------
    M. A. Thornton, "Unification of signal transform theory", arXiv:2605.11589
    (2026), section VII.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.groups import cyclic, dihedral, symmetric
    >>> i = np.arange(8)
    >>> R = 0.5 ** np.minimum((i[:, None] - i) % 8, (i - i[:, None]) % 8)
    >>> commutativity_residual(R, dihedral(8)) < 1e-15
    True
    >>> round(commutativity_residual(R, symmetric(8)), 3)
    0.339
    """
    R = as_covariance(cov)
    G = _as_group(group, R.shape[0])
    kind = check_choice(kind, "kind", ("reynolds", "generators"))
    nR = np.linalg.norm(R)
    if kind == "reynolds":
        return float(np.linalg.norm(R - G.reynolds(R)) / nR)
    if kind == "generators":
        if G.generators.shape[0] == 0:
            return 0.0
        inv = np.argsort(G.generators, axis=1)
        # ||P R - R P|| = ||P R P^T - R|| (P orthogonal); P R P^T = R[inv][:, inv]
        return float(max(np.linalg.norm(R[np.ix_(v, v)] - R) for v in inv) / nR)
    check_choice(kind, "kind", ("reynolds", "generators"))


def _aut_group(colors, n, engine="auto"):
    from algdiv.groups import from_generators

    gens = colored_automorphisms(colors, engine=engine)
    return from_generators(np.asarray(gens, dtype=np.intp).reshape(-1, n), n,
                           name="aut(colouring)")


def coloring_index(cov, group=None, kind="energy", tol=None):
    r"""Algebraic colouring index :math:`\alpha` of a covariance.

    Parameters
    ----------
    cov : array_like, shape (N, N)
        Real symmetric matrix.
    group : algdiv.groups.PermutationGroup, optional
        Default: the exact automorphism group of the colouring of ``cov`` at
        tolerance ``tol`` (tier B of :func:`algdiv.discover`).
    kind : {"energy", "scheme"}
        ``"energy"``: the share of the energy explained by the group's orbitals,
        :math:`\alpha = \|\Pi_G R\|_F^2 / \|R\|_F^2 = 1 - \delta_G^2`.
        ``"scheme"``: the number of classes of the coherent closure (2-dimensional
        Weisfeiler-Leman refinement) of the colouring of ``cov`` divided by the
        number of orbitals of the group. With the default group the ratio lies in
        (0, 1]; it is 1 iff the colour structure is explained by a group (Schurian)
        and < 1 flags structure that no group explains.
    tol : float, optional
        Gap tolerance of the colouring (``kind="scheme"`` and the default group).
        Default :math:`4\sqrt{\epsilon}\max|R|` (an exact covariance).

    Returns
    -------
    float

    Notes
    -----
    Both definitions are the ones of the theory spec, §2.5 (the name is from
    arXiv:2605.11589; the paper's own formula was not available). Example: the
    Shrikhande graph is strongly regular (3 classes) but its automorphism group
    (order 192) has 4 orbitals, so :math:`\alpha_{scheme} = 3/4`.

    Examples
    --------
    >>> import numpy as np
    >>> pts = [(a, b) for a in range(4) for b in range(4)]
    >>> S = {(1, 0), (3, 0), (0, 1), (0, 3), (1, 1), (3, 3)}
    >>> A = np.array([[((p[0] - q[0]) % 4, (p[1] - q[1]) % 4) in S for q in pts]
    ...               for p in pts], dtype=float)
    >>> R = 3 * np.eye(16) + A + 0.2 * (1 - np.eye(16) - A)
    >>> coloring_index(R, kind="scheme")
    0.75
    """
    R = as_covariance(cov)
    n = R.shape[0]
    kind = check_choice(kind, "kind", ("energy", "scheme"))
    tol = default_tol(R) if tol is None else check_real(tol, "tol", min=0.0)
    colors = None
    if group is None:
        colors = color_entries(R, tol)
        group = _aut_group(colors, n)
    else:
        group = _as_group(group, n)
    if kind == "energy":
        P = group.reynolds(R)
        return float(np.sum(P * P) / np.sum(R * R))
    if colors is None:
        colors = color_entries(R, tol)
    closure = coherent_closure(colors)
    return float((int(closure.max()) + 1) / group.n_orbitals())
