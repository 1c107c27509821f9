"""Hadamard matrices of orders 12, 20 and 28 (Paley constructions) and WHT orderings.

``paley_hadamard(m)`` builds the m x m matrix used for lengths ``m * 2^k``:

* **Paley I** (q prime, q = 3 mod 4, m = q + 1; used for m = 12 with q = 11 and
  m = 20 with q = 19).  With the quadratic character chi of GF(q)
  (chi(0) = 0, chi(a) = 1 for a nonzero square, -1 otherwise) and the
  Jacobsthal matrix ``Q[i, j] = chi(i - j)`` (antisymmetric because
  chi(-1) = -1),

  .. math:: H = I_{q+1} + \\begin{pmatrix} 0 & \\mathbf 1^T \\\\ -\\mathbf 1 & Q \\end{pmatrix}.

* **Paley II** (q prime, q = 1 mod 4, m = 2(q + 1); used for m = 28 with q = 13).
  ``Q`` is now symmetric; let ``S = [[0, 1^T], [1, Q]]`` (order q + 1) and replace
  each entry of ``S`` by a 2 x 2 block: 0 by ``[[1, -1], [-1, -1]]`` and
  +-1 by +-``[[1, 1], [1, -1]]``.

Both satisfy ``H @ H.T == m * I``.  Reference: R. E. A. C. Paley, "On
orthogonal matrices", J. Math. Phys. 12 (1933) 311-320, doi:10.1002/sapm1933121311.
"""
from __future__ import annotations

import functools

import numpy as np

__all__ = ["paley_hadamard", "HADAMARD_ORDERS", "order_permutation", "split_length"]

# m -> (construction, q)
HADAMARD_ORDERS = {12: ("paley1", 11), 20: ("paley1", 19), 28: ("paley2", 13)}


def _chi(q: int) -> np.ndarray:
    """Quadratic character of GF(q), q prime, as an int array indexed by a mod q."""
    chi = -np.ones(q, dtype=np.int64)
    chi[0] = 0
    chi[np.unique((np.arange(1, q) ** 2) % q)] = 1
    return chi


def _jacobsthal(q: int) -> np.ndarray:
    i = np.arange(q)
    return _chi(q)[(i[:, None] - i[None, :]) % q]


@functools.lru_cache(maxsize=None)
def _paley(m: int) -> np.ndarray:
    kind, q = HADAMARD_ORDERS[m]
    Q = _jacobsthal(q)
    one = np.ones(q, dtype=np.int64)
    if kind == "paley1":
        S = np.zeros((q + 1, q + 1), dtype=np.int64)
        S[0, 1:] = one
        S[1:, 0] = -one
        S[1:, 1:] = Q
        H = np.eye(q + 1, dtype=np.int64) + S
    else:
        S = np.zeros((q + 1, q + 1), dtype=np.int64)
        S[0, 1:] = one
        S[1:, 0] = one
        S[1:, 1:] = Q
        zero_block = np.array([[1, -1], [-1, -1]], dtype=np.int64)
        pm_block = np.array([[1, 1], [1, -1]], dtype=np.int64)
        H = np.kron(S, pm_block) + np.kron((S == 0).astype(np.int64), zero_block)
    H.setflags(write=False)
    return H


def paley_hadamard(m: int) -> np.ndarray:
    """The m x m Hadamard matrix of the Paley construction, m in {12, 20, 28}.

    Parameters
    ----------
    m : int
        12 (Paley I, q = 11), 20 (Paley I, q = 19) or 28 (Paley II, q = 13).

    Returns
    -------
    ndarray of int64, shape (m, m)
        Entries +-1 with ``H @ H.T == m * I`` (read-only).

    Examples
    --------
    >>> import numpy as np
    >>> H = paley_hadamard(12)
    >>> bool(np.array_equal(H @ H.T, 12 * np.eye(12)))
    True
    """
    if isinstance(m, (bool, np.bool_)) or not isinstance(m, (int, np.integer)) \
            or m not in HADAMARD_ORDERS:
        raise ValueError(f"Argument 'm' must be one of {sorted(HADAMARD_ORDERS)}, not {m!r}.")
    return _paley(int(m))


def split_length(n: int):
    """``(m, 2^k)`` with ``n = m * 2^k`` and m in {1, 12, 20, 28}, or None."""
    if n < 1:
        return None
    p = n & -n                      # largest power of 2 dividing n
    m = n // p
    if m == 1:
        return 1, p
    if m in (3, 5, 7) and p >= 4:   # 12 = 3*4, 20 = 5*4, 28 = 7*4
        return 4 * m, p // 4
    return None


def _bitreverse(k: np.ndarray, bits: int) -> np.ndarray:
    r = np.zeros_like(k)
    for b in range(bits):
        r |= ((k >> b) & 1) << (bits - 1 - b)
    return r


@functools.lru_cache(maxsize=64)
def order_permutation(n: int, order: str) -> np.ndarray | None:
    """Index array ``p`` with ``y_order = y_natural[p]`` (None for natural order).

    * ``"dyadic"`` (Paley): ``p[k] = bitreverse(k)``;
    * ``"sequency"`` (Walsh): ``p[k] = bitreverse(gray(k))``, gray(k) = k ^ (k >> 1),
      so that output k has exactly k sign changes.
    """
    if order == "natural" or n == 1:
        return None
    bits = n.bit_length() - 1
    k = np.arange(n, dtype=np.intp)
    if order == "sequency":
        k = k ^ (k >> 1)
    p = _bitreverse(k, bits)
    p.setflags(write=False)
    return p
