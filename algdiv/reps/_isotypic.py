"""Isotypic decomposition of any permutation action, numerically through the commutant."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ..groups import PermutationGroup
from ..groups._limits import check_bytes

__all__ = ["Isotypic", "isotypic_decomposition", "resolution_numeric"]


@dataclass(frozen=True, eq=False)
class Isotypic:
    r"""One isotypic component :math:`V_\pi \cong \pi^{\oplus m}` of a permutation action.

    Attributes
    ----------
    label : int
        Index of the component (``0..``), ordered by ``dim`` and then by character,
        so the trivial component of a transitive action comes first.
    dim : int
        Dimension of one irreducible copy (over the field of the decomposition:
        a complex-type irrep decomposed over the reals has ``dim`` twice its
        complex dimension).
    multiplicity : int
        Number of copies ``m``; also the number of distinct eigenvalues a generic
        invariant covariance has on this component.
    basis : (N, dim * multiplicity) ndarray
        Orthonormal columns, copy after copy (``basis[:, r*dim:(r+1)*dim]`` is copy
        ``r``), copies aligned by intertwiners so that every copy carries the same
        matrices :math:`\pi(g) = U_1^H P_g U_1`.
    character : ndarray
        :math:`\chi(g) = \mathrm{tr}\,\pi(g)` at ``group.testing_elements()``.
    type : {"R", "C"}
        ``"R"`` when the irreducible is absolutely irreducible (its commutant is
        the scalars); ``"C"`` when a decomposition over the reals found a larger
        commutant (complex or quaternionic type: such components split further
        over the complex numbers).
    """

    label: int
    dim: int
    multiplicity: int
    basis: np.ndarray
    character: np.ndarray
    type: str = "R"

    @property
    def projector(self) -> np.ndarray:
        """The orthogonal projector onto the component, ``basis @ basis^H``."""
        return self.basis @ self.basis.conj().T

    def copy(self, r: int) -> np.ndarray:
        """Orthonormal basis ``(N, dim)`` of copy ``r``."""
        return self.basis[:, r * self.dim:(r + 1) * self.dim]

    def matrix(self, g) -> np.ndarray:
        """The irreducible matrix :math:`\\pi(g)` on copy 0, for an element ``g`` (array form)."""
        from ..groups._validate import as_perms

        U = self.copy(0)
        g = np.asarray(g)
        if g.ndim != 1:
            raise ValueError(f"Argument 'g' must be one permutation (1-D, length {U.shape[0]}), "
                             f"not shape {g.shape}.")
        inv = np.argsort(as_perms(g[None, :], U.shape[0], "g")[0])
        return U.conj().T @ U[inv]


def _random_commutant(group, rng, field, symmetric):
    n = group.degree
    Z = rng.standard_normal((n, n))
    if field == "complex":
        Z = Z + 1j * rng.standard_normal((n, n))
    if symmetric:
        Z = Z + Z.conj().T
    A = PermutationGroup.reynolds(group, Z)  # the action on all N points (also for DCTGroup)
    if symmetric:
        A = (A + A.conj().T) / 2
    return A


def _clusters(w, tol):
    scale = max(float(np.max(np.abs(w))), np.finfo(float).tiny)
    breaks = np.flatnonzero(np.diff(w) > tol * scale) + 1
    return np.split(np.arange(w.size), breaks)


def _perm_apply(V, g):
    """``P_g V`` for a permutation in array form: rows moved by ``g``."""
    out = np.empty_like(V)
    out[g] = V
    return out


def _attempt(group, rng, field, tol):
    A = _random_commutant(group, rng, field, symmetric=True)
    w, V = scipy.linalg.eigh(A)
    groups = _clusters(w, tol)
    spaces = [V[:, idx] for idx in groups]
    gens = group.generators
    # Every eigenspace of a commutant element is invariant; a tolerance that split
    # a true eigenspace would show here.
    for U in spaces:
        for g in gens:
            PU = _perm_apply(U, g)
            if np.linalg.norm(PU - U @ (U.conj().T @ PU)) > 1e3 * tol * np.sqrt(U.shape[1]):
                return None
    # Each eigenspace must be one irreducible copy: a second generic symmetric
    # element of the commutant acts on it as a scalar (its symmetric part does).
    A2 = _random_commutant(group, rng, field, symmetric=True)
    thresh2 = 1e3 * tol * np.linalg.norm(A2)
    M2 = V.conj().T @ A2 @ V
    for idx in groups:
        S = M2[idx[0]:idx[-1] + 1, idx[0]:idx[-1] + 1]
        if np.linalg.norm(S - np.trace(S) / S.shape[0] * np.eye(S.shape[0])) > thresh2:
            return None
    # Copies of the same irrep are coupled by a generic (non-symmetric) commutant element.
    B = _random_commutant(group, rng, field, symmetric=False)
    MB = V.conj().T @ B @ V
    C = np.abs(MB) ** 2
    starts = np.array([idx[0] for idx in groups])
    blocks = np.add.reduceat(np.add.reduceat(C, starts, axis=0), starts, axis=1)
    k = len(spaces)
    parent = list(range(k))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    norm_b = np.linalg.norm(B)
    thresh = (1e3 * tol * norm_b) ** 2
    for a, b in zip(*np.nonzero(np.triu(blocks > thresh, 1))):
        parent[find(int(b))] = find(int(a))
    comps: dict[int, list[int]] = {}
    for a in range(k):
        comps.setdefault(find(a), []).append(a)
    out = []
    for members in comps.values():
        dims = {spaces[a].shape[1] for a in members}
        if len(dims) != 1:
            return None
        U1 = spaces[members[0]]
        first = groups[members[0]]
        S1 = MB[first[0]:first[-1] + 1, first[0]:first[-1] + 1]
        scalar = np.trace(S1) / S1.shape[0] * np.eye(S1.shape[0])
        kind = "C" if np.linalg.norm(S1 - scalar) > 1e3 * tol * norm_b else "R"
        copies = [U1]
        for a in members[1:]:
            T = spaces[a].conj().T @ B @ U1
            left, _, right = np.linalg.svd(T)
            Ur = spaces[a] @ (left @ right)  # polar factor: an intertwining isometry
            for g in gens:
                if np.linalg.norm(Ur.conj().T @ _perm_apply(Ur, g) - U1.conj().T @ _perm_apply(U1, g)) \
                        > 1e4 * tol * np.sqrt(U1.shape[1]):
                    return None
            copies.append(Ur)
        out.append((U1.shape[1], np.hstack(copies) if len(copies) > 1 else U1, kind))
    return out


def isotypic_decomposition(group: PermutationGroup, rng=None, *, field: str = "real",
                           tol: float = 1e-9) -> list[Isotypic]:
    r"""Isotypic components of the permutation action of ``group``, through its commutant.

    Never enumerates the group: a random symmetric (Hermitian for
    ``field="complex"``) element :math:`A = \Pi_G(Z)` of the commutant is
    diagonalized; each eigenspace is one irreducible copy (checked against a
    second random element), and eigenspaces that a random non-symmetric commutant
    element couples are copies of the same irrep (one isotypic component).  The
    copies are aligned by the polar factor of that coupling, which is an
    intertwiner.  Cost: a few Reynolds projections (``O(N^2)``) and one dense
    eigendecomposition (``O(N^3)``).

    Parameters
    ----------
    group : PermutationGroup
    rng : seed or numpy.random.Generator, optional
        Source of the random commutant elements; ``None`` means the fixed seed 0,
        so the output is reproducible.  Components and their dimensions do not
        depend on it; bases of components with multiplicity > 1 do.
    field : {"real", "complex"}
        Decompose into real-irreducible (default) or complex-irreducible parts.
    tol : float
        Relative eigenvalue clustering tolerance.

    Returns
    -------
    list of Isotypic

    References
    ----------
    .. [1] K. Murota, Y. Kanno, M. Kojima, S. Kojima, "A numerical algorithm for
       block-diagonal decomposition of matrix *-algebras with application to
       semidefinite programming", Japan J. Indust. Appl. Math. 27:125-160, 2010.
       :doi:`10.1007/s13160-010-0006-9`

    Examples
    --------
    >>> from algdiv.groups import dihedral
    >>> from algdiv.reps import isotypic_decomposition
    >>> [(c.dim, c.multiplicity) for c in isotypic_decomposition(dihedral(7))]
    [(1, 1), (2, 1), (2, 1), (2, 1)]
    """
    if not isinstance(group, PermutationGroup):
        raise TypeError(f"Argument 'group' must be a PermutationGroup, not {type(group).__name__}.")
    from .._checks import check_choice, check_real

    field = check_choice(field, "field", ("real", "complex"))
    tol = check_real(tol, "tol", min=0.0, max=1.0, open_min=True, open_max=True)
    n = group.degree
    check_bytes(8.0 * n * n * (12 if field == "complex" else 8),
                f"the isotypic decomposition of {group.name} (dense N x N eigenproblems, N = {n})")
    rng = np.random.default_rng(0 if rng is None else rng)
    result = None
    for _ in range(4):
        result = _attempt(group, rng, field, tol)
        if result is not None:
            break
    if result is None:  # pragma: no cover - probability zero for generic draws
        raise RuntimeError(f"isotypic decomposition of {group.name} did not stabilize; try another rng")
    tests = group.testing_elements()
    items = []
    for dims, basis, kind in result:
        U1 = basis[:, :dims]
        chi = np.array([np.sum(U1.conj() * _perm_apply(U1, g)) for g in tests])
        if field == "real":
            chi = chi.real
        items.append((dims, basis.shape[1] // dims, basis, chi, kind))
    items.sort(key=lambda t: (t[0], tuple(-np.round(np.real(t[3]), 6)), tuple(-np.round(np.imag(t[3]), 6))))
    return [Isotypic(i, d, m, b, c, k) for i, (d, m, b, c, k) in enumerate(items)]


def resolution_numeric(group: PermutationGroup, rng=None, *, field: str = "real") -> int:
    """Number of distinct eigenvalues of a generic invariant covariance (sum of multiplicities).

    Same arguments and errors as :func:`isotypic_decomposition`.
    """
    return sum(c.multiplicity for c in isotypic_decomposition(group, rng, field=field))
