"""Dense matrices straight from the definitions (O(n^2); for ALGDIV_PARANOID and docs).

Each function returns the analysis matrix A of a problem, built without any
fast algorithm: entries from closed forms (WHT bits, cosines, Haar supports).
"""
from __future__ import annotations

import numpy as np

from ._hadamard import order_permutation, paley_hadamard, split_length

__all__ = ["reference_matrix"]


def _popcount(a):
    a = np.asarray(a, dtype=np.int64)
    c = np.zeros_like(a)
    while np.any(a):
        c += a & 1
        a = a >> 1
    return c


def _scale(norm, n):
    return {"backward": 1.0, "ortho": n ** -0.5, "forward": 1.0 / n}[norm]


def _wht(p):
    m, q = split_length(p.n)
    i = np.arange(q)
    H = (-1.0) ** _popcount(i[:, None] & i[None, :])
    if m > 1:
        H = np.kron(paley_hadamard(m), H)
    perm = order_permutation(p.n, p.order)
    if perm is not None:
        H = H[perm]
    return H * _scale(p.norm, p.n)


def _haar(p):
    n = p.n
    c = {"ortho": 2 ** -0.5, "backward": 1.0, "forward": 0.5}[p.norm]
    k = n.bit_length() - 1
    rows = [np.full(n, c ** k)]
    for level in range(k, 0, -1):          # coarse to fine: support 2^level
        width = 1 << level
        for j in range(n // width):
            r = np.zeros(n)
            r[j * width: j * width + width // 2] = c ** level
            r[j * width + width // 2: (j + 1) * width] = -(c ** level)
            rows.append(r)
    return np.array(rows)


def _dft(p):
    j = np.arange(p.n)
    return np.exp(-2j * np.pi * np.outer(j, j) / p.n) * _scale(p.norm, p.n)


def _rdft(p):
    N = p.n
    t = np.arange(N)
    rows = [np.full(N, N ** -0.5)]
    for k in range(1, (N + 1) // 2):
        rows.append(np.sqrt(2.0 / N) * np.cos(2 * np.pi * k * t / N))
        rows.append(np.sqrt(2.0 / N) * np.sin(2 * np.pi * k * t / N))
    if N % 2 == 0:
        rows.append((-1.0) ** t / np.sqrt(N))
    return np.array(rows)


def _trig(p):
    import scipy.fft as sfft       # dense via scipy on the identity: definition of the kind
    t = p.param("type", 2)
    f = sfft.dct if p.kind == "dct" else sfft.dst
    return f(np.eye(p.n), type=t, axis=0, norm=p.norm, orthogonalize=p.norm == "ortho")


def _helmert(p):
    n = p.n
    A = np.zeros((n, n))
    A[0] = n ** -0.5
    for i in range(1, n):
        w = 1 / np.sqrt(i * (i + 1))
        A[i, :i] = w
        A[i, i] = -i * w
    return A


def _subset(n):
    i = np.arange(n)
    return ((i[:, None] & i[None, :]) == i[None, :]).astype(np.int64)   # M[x, s] = [s subset x]


def _arith(p):
    M = _subset(p.n)
    if p.param("inverse", False):
        return M
    i = np.arange(p.n)
    return M * (1 - 2 * ((_popcount(i[:, None]) + _popcount(i[None, :])) % 2))


def reference_matrix(problem, matrix=None) -> np.ndarray:
    """The dense analysis matrix of ``problem`` from its definition."""
    k = problem.kind
    if k == "wht":
        return _wht(problem)
    if k == "haar":
        return _haar(problem)
    if k == "dft":
        return _dft(problem)
    if k == "rdft":
        return _rdft(problem)
    if k in ("dct", "dst"):
        return _trig(problem)
    if k == "helmert":
        return _helmert(problem)
    if k == "identity":
        return np.eye(problem.n)
    if k == "dense":
        return np.asarray(matrix)
    if k == "reed_muller":
        return _subset(problem.n)
    if k == "arithmetic":
        return _arith(problem)
    if k == "kron":
        A = np.ones((1, 1))
        for c in problem.children:
            A = np.kron(A, reference_matrix(c))
        return A
    raise ValueError(f"no reference matrix for kind {k!r}")
