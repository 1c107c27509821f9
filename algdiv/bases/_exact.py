"""Exact (sympy) matched bases for small sizes."""
from __future__ import annotations

import sympy as sp

from ..groups import DCTGroup

__all__ = ["exact_basis", "EXACT_LIMIT"]

#: Largest N for which ``matched_transform(..., exact=True)`` builds a sympy matrix.
EXACT_LIMIT = 128


def _dft(n, field):
    if field == "complex":
        return sp.Matrix(n, n, lambda i, k: sp.exp(2 * sp.pi * sp.I * i * k / n) / sp.sqrt(n))
    cols = [[1 / sp.sqrt(n)] * n]
    for k in range(1, (n + 1) // 2):
        cols.append([sp.sqrt(sp.Rational(2, n)) * sp.cos(2 * sp.pi * k * i / n) for i in range(n)])
        cols.append([sp.sqrt(sp.Rational(2, n)) * sp.sin(2 * sp.pi * k * i / n) for i in range(n)])
    if n % 2 == 0 and n > 1:
        cols.append([(-1) ** i / sp.sqrt(n) for i in range(n)])
    return sp.Matrix(cols).T


def _wht(n):
    return sp.Matrix(n, n, lambda i, k: (-1) ** bin(i & k).count("1") / sp.sqrt(n))


def _haar(n):
    H = sp.Matrix([[1]])  # analysis matrix, rows = basis vectors
    m = 1
    while m < n:
        top = sp.kronecker_product(H, sp.Matrix([[1, 1]]) / sp.sqrt(2))
        bottom = sp.kronecker_product(sp.eye(m), sp.Matrix([[1, -1]]) / sp.sqrt(2))
        H = top.col_join(bottom)
        m *= 2
    return H.T


def _helmert(n):
    B = sp.zeros(n, n)
    for i in range(n):
        B[i, 0] = 1 / sp.sqrt(n)
    for k in range(1, n):
        scale = 1 / sp.sqrt(k * (k + 1))
        for i in range(k):
            B[i, k] = scale
        B[k, k] = -k * scale
    return B


def _dct(G):
    n, t, kind = G.params["n"], G.params["type"], G.params["kind"]
    # analysis matrix A[k, i] (orthonormal, scipy's orthogonalize=True), basis = A^T
    if kind == "dct" and t == 1:
        w = [1 / sp.sqrt(2) if j in (0, n - 1) else 1 for j in range(n)]
        A = sp.Matrix(n, n, lambda k, i: sp.sqrt(sp.Rational(2, n - 1)) * w[k] * w[i]
                      * sp.cos(sp.pi * k * i / (n - 1)))
    elif kind == "dct":
        A = sp.Matrix(n, n, lambda k, i: (sp.sqrt(sp.Rational(1, n)) if k == 0 else sp.sqrt(sp.Rational(2, n)))
                      * sp.cos(sp.pi * k * (2 * i + 1) / (2 * n)))
    elif t == 1:
        A = sp.Matrix(n, n, lambda k, i: sp.sqrt(sp.Rational(2, n + 1)) * sp.sin(sp.pi * (k + 1) * (i + 1) / (n + 1)))
    else:
        A = sp.Matrix(n, n, lambda k, i: (sp.sqrt(sp.Rational(1, n)) if k == n - 1 else sp.sqrt(sp.Rational(2, n)))
                      * sp.sin(sp.pi * (k + 1) * (2 * i + 1) / (2 * n)))
    return A.T


def _wreath(G, field):
    inner, outer = G.factors
    k, m = inner.degree, outer.degree
    Bi = exact_basis(inner, field)
    Bo = exact_basis(outer, field)
    const = sp.Matrix([[1 / sp.sqrt(k)]] * k)
    if not inner.is_transitive() or sp.simplify(Bi[:, 0] - const) != sp.zeros(k, 1):
        raise ValueError(f"exact=True needs a transitive inner group with a constant first column ({G.name}).")
    coarse = sp.kronecker_product(Bo, const)
    fine = []
    for w in range(1, k):
        for y in range(m):
            e = sp.zeros(m, 1)
            e[y] = 1
            fine.append(sp.kronecker_product(e, Bi[:, w]))
    return coarse.row_join(sp.Matrix.hstack(*fine)) if fine else coarse


def exact_basis(G, field="real"):
    """Exact sympy basis (columns) of the matched transform of a named family."""
    n = G.signal_size if isinstance(G, DCTGroup) else G.degree
    if n > EXACT_LIMIT:
        raise ValueError(f"exact=True is limited to N <= {EXACT_LIMIT} (algdiv.bases._exact.EXACT_LIMIT), "
                         f"not N = {n}.")
    fam = G.family
    if fam in ("cyclic", "dihedral"):
        return _dft(n, field if fam == "cyclic" else "real")
    if fam == "dct":
        return _dct(G)
    if fam in ("elementary_abelian", "hamming"):
        return _wht(n)
    if fam == "tree":
        return _haar(n)
    if fam == "symmetric":
        return _helmert(n)
    if fam == "trivial":
        return sp.eye(n)
    if fam == "direct":
        out = exact_basis(G.factors[0], field)
        for f in G.factors[1:]:
            out = sp.kronecker_product(out, exact_basis(f, field))
        return out
    if fam == "wreath":
        return _wreath(G, field)
    raise ValueError(f"exact=True is available for the named families and their products, not {G.name}.")
