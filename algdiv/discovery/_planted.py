"""Planted-symmetry covariance models (theory spec, section 2.6)."""
from __future__ import annotations

import numpy as np

__all__ = ["planted_covariance", "PLANTED_MODELS"]

PLANTED_MODELS = ("circulant", "xor", "tree", "hamming", "trivial")


def _bits(n, name):
    if n < 2 or n & (n - 1):
        raise ValueError(f"Argument 'n' must be a power of 2 for the {name} model, not {n}.")
    return n.bit_length() - 1


def planted_covariance(model, n=16, rng=None):
    r"""A covariance with a planted symmetry, and its matched group.

    =============  ==========================================================  ==================
    model          covariance                                                  matched group
    =============  ==========================================================  ==================
    ``circulant``  :math:`R_{ij} = 0.8^{\min(d, n-d)}`, :math:`d = i-j \bmod n`  ``dihedral(n)``
    ``xor``        :math:`R_{ij} = r(i \oplus j)`, :math:`r \sim U(0.1, 1)`,       ``elementary_abelian``
                   :math:`r(0) \mathrel{+}= 3`
    ``tree``       :math:`R_{ij} = a(\mathrm{bitlen}(i \oplus j))`,              ``tree``
                   :math:`a = (4, 2, 1, 0.5, 0.25, \ldots)` halving
    ``hamming``    :math:`R_{ij} = w(|i \oplus j|)`, :math:`w \sim U(0.1, 1)`,     ``hamming``
                   :math:`w(0) \mathrel{+}= 3`
    ``trivial``    :math:`A A^T`, A standard Gaussian n x n                     ``trivial(n)``
    =============  ==========================================================  ==================

    The random models are redrawn until positive definite (rarely needed).

    Parameters
    ----------
    model : str
        One of :data:`PLANTED_MODELS`.
    n : int
        Size (a power of 2 for xor, tree and hamming).
    rng : seed or numpy.random.Generator, optional

    Returns
    -------
    R : ndarray, shape (n, n)
    group : algdiv.groups.PermutationGroup
        The matched group (the exact automorphism group of R, almost surely).

    Examples
    --------
    >>> R, G = planted_covariance("tree", 8)
    >>> G.name, R[0].tolist()
    ('tree(3)', [4.0, 2.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5])
    """
    from algdiv import groups

    from .._checks import check_choice, check_int
    from ..groups._limits import check_bytes

    model = check_choice(model, "model", PLANTED_MODELS)
    n = check_int(n, "n", min=2)
    check_bytes(8 * 8 * n * n, f"planted_covariance({model!r}, {n})")
    rng = np.random.default_rng(rng)
    i = np.arange(n)
    if model == "circulant":
        d = (i[:, None] - i) % n
        return 0.8 ** np.minimum(d, n - d), groups.dihedral(n) if n >= 3 else groups.cyclic(n)
    if model == "trivial":
        A = rng.standard_normal((n, n))
        return A @ A.T, groups.trivial(n)
    if model == "tree":
        k = _bits(n, model)
        a = 4.0 * 0.5 ** np.arange(k + 1)
        x = i[:, None] ^ i
        bitlen = np.zeros_like(x)
        while np.any(x):
            bitlen += x > 0
            x = x >> 1
        return a[bitlen], groups.tree(k)
    if model in ("xor", "hamming"):
        k = _bits(n, model)
        x = i[:, None] ^ i
        size, index, group = ((n, x, groups.elementary_abelian(k)) if model == "xor"
                              else (k + 1, np.bitwise_count(x), groups.hamming(k)))
        v = rng.uniform(0.1, 1.0, size)
        v[0] += 3.0
        lam_min = np.linalg.eigvalsh(v[index])[0]
        if lam_min <= 0.0:
            # For large n the random XOR/Hamming kernel is rarely positive definite:
            # lift the diagonal (the orbital of d = 0), which keeps the orbital structure.
            v[0] += 0.5 - lam_min
        return v[index], group
    raise ValueError(f"Argument 'model' must be one of {PLANTED_MODELS}, not {model!r}.")
