"""Tier C: the double-commutator generalized eigenproblem (DC-GEVP) over a dictionary."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
from scipy.optimize import linear_sum_assignment

from ._dictionary import generator_dictionary
from ..groups._limits import check_bytes
from ._validate import as_covariance, as_names, as_perms, as_tol

__all__ = ["dc_gevp", "sequential_gevp", "GEVPResult", "SequentialGEVPResult"]


def _inverse(perms):
    inv = np.empty_like(perms)
    rows = np.arange(perms.shape[0])[:, None]
    inv[rows, perms] = np.arange(perms.shape[1])[None, :]
    return inv


def _commutators(R, perms):
    r"""Stack of flattened :math:`[P_i, R] = P_i R - R P_i`, one row per atom, O(N^2) each.

    With ``P[perm[k], k] = 1``: ``P R = R[inv, :]`` and ``R P = R[:, perm]``.
    """
    inv = _inverse(perms)
    C = R[inv, :] - R[:, perms].transpose(1, 0, 2)
    return C.reshape(perms.shape[0], -1)


def _gram(perms):
    """Frobenius Gram matrix of the permutation matrices: number of agreeing points."""
    d, n = perms.shape
    G = np.zeros((d, d))
    for k in range(n):
        col = perms[:, k]
        G += col[:, None] == col[None, :]
    return G


def _whitener(G, rtol=1e-10):
    """W with W^T G W = I spanning range(G) (handles a linearly dependent dictionary)."""
    s, U = np.linalg.eigh(G)
    keep = s > rtol * s[-1]
    return U[:, keep] / np.sqrt(s[keep])


def _basis(perms, G):
    """Whitener of the span of the dictionary with the identity's direction removed.

    The identity (which commutes with everything) usually lies in the span of the
    non-identity atoms (sum of reflections minus sum of shifts = I); its direction
    is projected out so that lambda_min certifies something about R.
    """
    W = _whitener(G)
    fixed = np.sum(perms == np.arange(perms.shape[1]), axis=1).astype(float)  # <P_a, I>
    y = W.T @ fixed
    if np.linalg.norm(y) > 1e-9 * np.sqrt(perms.shape[1]):
        U, _, _ = np.linalg.svd(y[:, None], full_matrices=True)
        W = W @ U[:, 1:]
    return W


def _combination(perms, c):
    """X = sum_i c_i P_i as a dense matrix."""
    d, n = perms.shape
    X = np.zeros((n, n))
    np.add.at(X, (perms.ravel(), np.tile(np.arange(n), d)), np.repeat(c, n))
    return X


def _round(X):
    """Nearest permutation to +X or -X (the eigenvector's sign is arbitrary)."""
    best = None
    nx = np.linalg.norm(X)
    for sgn in (1.0, -1.0):
        rows, cols = linear_sum_assignment(-sgn * X)
        sigma = np.empty(X.shape[0], dtype=np.intp)
        sigma[cols] = rows
        score = sgn * X[rows, cols].sum() / (nx * np.sqrt(X.shape[0]))
        if best is None or score > best[1]:
            best = (sigma, score)
    return best


def _act(R, sigma):
    """P_sigma R P_sigma^T."""
    inv = np.empty_like(sigma)
    inv[sigma] = np.arange(sigma.size)
    return R[np.ix_(inv, inv)]


def _dictionary(perms, names, n):
    """The validated dictionary (default :func:`generator_dictionary`), its cost checked."""
    if perms is None:
        perms, names = generator_dictionary(n)
    else:
        perms = as_perms(perms, n)
        names = as_names(names, perms.shape[0])
    if perms.shape[0] == 0:
        raise ValueError(f"Argument 'perms' must hold at least one permutation, not shape {perms.shape}.")
    d = perms.shape[0]
    # the d commutators (d, N^2) with their two index temporaries, and the d x d problems
    check_bytes(8 * (3 * d * n * n + 8 * d * d),
                f"the double-commutator eigenproblem over {d} atoms on N = {n} points")
    return perms, names


@dataclass
class GEVPResult:
    """Solution of :math:`K c = \\lambda G c` (see :func:`dc_gevp`)."""

    eigenvalues: np.ndarray      # ascending, normalized by ||R||_F^2
    coefficients: np.ndarray     # (d, r): G-orthonormal coefficient vectors
    perms: np.ndarray            # the dictionary (d, N)
    names: list
    rank: int                    # dim of the span of the dictionary

    @property
    def lambda_min(self) -> float:
        """The certificate: no X in the span has a smaller relative commutator."""
        return float(self.eigenvalues[0])

    def null_dim(self, tol):
        """Dimension of the (near-)commuting subspace, eigenvalues <= tol."""
        return int(np.sum(self.eigenvalues <= tol))


def dc_gevp(cov, perms=None, names=None):
    r"""Double-commutator generalized eigenproblem over a generator dictionary.

    For a dictionary of permutation matrices :math:`B_1..B_d` and
    :math:`X(c) = \sum_i c_i B_i`, solve

    .. math::

        K c = \lambda G c, \quad
        K_{ij} = \langle [R, B_i], [R, B_j] \rangle_F, \quad
        G_{ij} = \langle B_i, B_j \rangle_F ,

    so that :math:`\lambda = \|[R, X]\|_F^2 / (\|X\|_F^2 \|R\|_F^2)` (normalized to be
    scale free). The identity commutes with every R, and usually lies in the span
    of the non-identity atoms; its direction is removed. A dependent dictionary
    (permutation matrices usually are) is whitened: :math:`G = U S U^T`, :math:`W = U_r S_r^{-1/2}`, and the symmetric
    problem :math:`W^T K W y = \lambda y`, :math:`c = W y`, is solved. Each
    commutator is an index permutation of ``R``, O(N^2); the cost is
    :math:`O(d^2 N^2 + d^3)`.

    Parameters
    ----------
    cov : array_like, shape (N, N)
        Real symmetric matrix.
    perms : array_like of int, shape (d, N), optional
        Dictionary in array form. Default :func:`generator_dictionary`.
    names : list of str, optional
        Names of the atoms.

    Returns
    -------
    GEVPResult
        ``eigenvalues`` ascending; ``lambda_min`` is the certificate: it is 0 iff
        some non-zero X in the span commutes with R, and otherwise bounds every X
        in the span away from commuting.

    References
    ----------
    M. A. Thornton, "Polynomial-time optimal group selection via the
    double-commutator eigenvalue problem", arXiv:2605.00834 (2026).

    Examples
    --------
    >>> import numpy as np
    >>> i = np.arange(8)
    >>> R = 0.5 ** np.minimum((i[:, None] - i) % 8, (i - i[:, None]) % 8)
    >>> res = dc_gevp(R)
    >>> res.lambda_min < 1e-20
    True
    """
    R = as_covariance(cov)
    n = R.shape[0]
    perms, names = _dictionary(perms, names, n)
    if names is None:
        names = [f"atom({k})" for k in range(perms.shape[0])]
    C = _commutators(R, perms)
    K = C @ C.T / np.sum(R * R)
    W = _basis(perms, _gram(perms))
    Kt = W.T @ K @ W
    w, Y = scipy.linalg.eigh((Kt + Kt.T) / 2)
    return GEVPResult(np.maximum(w, 0.0), W @ Y, perms, list(names), W.shape[1])


@dataclass
class SequentialGEVPResult:
    """Generators found by :func:`sequential_gevp`."""

    generators: np.ndarray                     # (k, N) accepted permutations
    residuals: list = field(default_factory=list)   # delta_gen of each accepted generator
    lambdas: list = field(default_factory=list)     # lambda_min at each step
    certificate: float = float("nan")              # lambda_min of the last deflated problem


def sequential_gevp(cov, *, tol, gen_tol, perms=None, names=None, max_steps=None,
                    redundant="group"):
    r"""Sequential (deflated) DC-GEVP: several generators, rounded to permutations.

    Step: solve the current problem; if :math:`\lambda_{\min} \le` ``tol``, round
    the directions of the near-commuting span (eigenvalues :math:`\le` ``tol``: first
    the projections of the remaining atoms onto that span, then the eigenvectors)
    to the nearest permutation (Hungarian algorithm,
    :func:`scipy.optimize.linear_sum_assignment`) and accept the first one that is
    new to the group generated so far and whose generator-wise residual is
    :math:`\|P R P^T - R\|_F / \|R\|_F \le` ``gen_tol``. Then deflate: restrict to the
    Frobenius-orthogonal complement of every dictionary atom lying in the group
    generated so far, and repeat. Stop when :math:`\lambda_{\min}` exceeds ``tol`` or
    nothing rounds to a new generator; :math:`\lambda_{\min}` of the last problem is
    the certificate (no direction outside the found group's atoms commutes better).

    Parameters
    ----------
    cov : array_like, shape (N, N)
    tol : float
        Acceptance bound on the normalized eigenvalue.
    gen_tol : float
        Acceptance bound on a rounded generator's residual.
    perms, names : optional
        Dictionary (default :func:`generator_dictionary`).
    max_steps : int, optional
        Bound on the number of rounding attempts (default 4 (rank + d)).
    redundant : {"group", "orbitals"}
        When a rounded permutation (or a dictionary atom, for the deflation) counts as
        already found: ``"group"``, when it lies in the group generated so far (sympy's
        Schreier-Sims membership test, slow in pure Python above a few dozen points);
        ``"orbitals"``, when it maps every orbital of that group on pairs to itself, so
        that adding it would leave the invariant matrices unchanged (an :math:`O(N^2)`
        test; what discovery needs, which only uses the orbitals).

    Returns
    -------
    SequentialGEVPResult

    Examples
    --------
    >>> import numpy as np
    >>> i = np.arange(8)
    >>> R = np.where(i[:, None] == i, 2.0, 0.0) + 0.5 ** np.bitwise_count(i[:, None] ^ i)
    >>> out = sequential_gevp(R, tol=1e-14, gen_tol=1e-10)
    >>> from sympy.combinatorics import Permutation, PermutationGroup
    >>> PermutationGroup([Permutation(g.tolist()) for g in out.generators]).order()
    48
    """
    from sympy.combinatorics import Permutation, PermutationGroup

    from algdiv.groups import from_generators

    if redundant not in ("group", "orbitals"):
        raise ValueError(
            f"Argument 'redundant' must be 'group' or 'orbitals', not {redundant!r}.")
    R = as_covariance(cov)
    n = R.shape[0]
    tol = as_tol(tol, "tol")
    gen_tol = as_tol(gen_tol, "gen_tol")
    if max_steps is not None:
        from .._checks import check_int

        max_steps = check_int(max_steps, "max_steps", min=0)
    perms, names = _dictionary(perms, names, n)
    d = perms.shape[0]
    G = _gram(perms)
    W = _basis(perms, G)
    Kt = W.T @ (lambda C: C @ C.T)(_commutators(R, perms)) @ W / np.sum(R * R)
    Kt = (Kt + Kt.T) / 2
    WG = W.T @ G                       # whitened coordinates of each atom (columns)
    Q = np.eye(W.shape[1])
    out = SequentialGEVPResult(np.zeros((0, n), dtype=np.intp))
    found = []
    atom_in_group = np.zeros(d, dtype=bool)
    nR = np.linalg.norm(R)
    steps = 4 * (W.shape[1] + d) if max_steps is None else max_steps
    ident = np.arange(n)
    attempts = 0
    w0, V0 = np.linalg.eigh(Kt)
    null0 = V0[:, w0 <= tol]
    proj0 = null0 @ (null0.T @ WG)
    share = np.linalg.norm(proj0, axis=0) / np.maximum(np.linalg.norm(WG, axis=0), 1e-300)
    atom_order = [int(a) for a in np.argsort(-share, kind="stable") if share[a] >= 0.5]
    tried_atoms = set()

    def redundancy_test(gens):
        """sigma -> whether sigma adds nothing to the group generated by ``gens``."""
        if redundant == "group":
            grp = PermutationGroup([Permutation(g.tolist()) for g in gens])
            return lambda sigma: grp.contains(Permutation(sigma.tolist()))
        lab = from_generators(np.asarray(gens, dtype=np.intp), n).orbitals()
        return lambda sigma: bool(np.array_equal(lab[np.ix_(sigma, sigma)], lab))

    known = lambda sigma: False     # noqa: E731  (nothing found yet)

    while attempts < steps:
        if Q.shape[1] == 0:
            out.certificate = float("inf")
            break
        w, V = np.linalg.eigh(Q.T @ Kt @ Q)
        lam = max(float(w[0]), 0.0)
        out.lambdas.append(lam)
        out.certificate = lam
        if lam > tol:
            break
        null = Q @ V[:, w <= tol]            # whitened basis of the near-commuting span
        # directions to round: the projections of the atoms not yet in the group onto
        # the near-commuting span of the full problem (most aligned first), then the
        # eigenvectors of the deflated problem (an atom that commutes is its own projection; one
        # that nearly does rounds to its neighbour there)
        cand = [a for a in atom_order if not atom_in_group[a] and a not in tried_atoms]
        cand += [null[:, k] for k in range(null.shape[1])]
        accepted = False
        for y in cand:
            if attempts >= steps:
                break
            attempts += 1
            if not isinstance(y, np.ndarray):
                tried_atoms.add(y)
                y = proj0[:, y]
            sigma, _ = _round(_combination(perms, W @ y))
            if np.array_equal(sigma, ident):
                continue
            delta = np.linalg.norm(_act(R, sigma) - R) / nR
            if delta > gen_tol or known(sigma):
                continue
            found.append(sigma)
            out.residuals.append(float(delta))
            known = redundancy_test(found)
            accepted = True
            break
        if not accepted:
            break
        # deflate: Frobenius-orthogonal complement of every atom in the group so far
        for a in np.flatnonzero(~atom_in_group):
            if known(perms[a]):
                atom_in_group[a] = True
        B = Q.T @ WG[:, atom_in_group]
        U, sv, _ = np.linalg.svd(B, full_matrices=True)
        k = int(np.sum(sv > 1e-9 * max(sv[0], 1e-300))) if sv.size else 0
        Q = Q @ U[:, k:]
    if found:
        out.generators = np.asarray(found, dtype=np.intp)
    return out
