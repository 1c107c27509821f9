"""Independent reference formulas for the qmc tests (no algdiv code), as the `oracles` fixture."""
import numpy as np
import sympy


def si_univariate_sympy(alpha, t):
    """(-1)^(alpha+1) (2 pi)^(2 alpha) / (2 alpha)! B_(2 alpha)(t) through sympy's Bernoulli polynomials."""
    s = sympy.Symbol("s")
    poly = sympy.lambdify(s, sympy.bernoulli(2 * alpha, s), "numpy")
    c = (-1) ** (alpha + 1) * (2 * np.pi) ** (2 * alpha) / float(sympy.factorial(2 * alpha))
    return c * poly(np.asarray(t, dtype=float))


def si_univariate_fourier(alpha, t, hmax=200000):
    """2 sum_{h>=1} cos(2 pi h t) / h^(2 alpha) (the Korobov kernel's Fourier series)."""
    h = np.arange(1, hmax + 1, dtype=float)
    t = np.atleast_1d(np.asarray(t, dtype=float))
    return np.array([2 * np.sum(np.cos(2 * np.pi * h * ti) / h ** (2 * alpha)) for ti in t])


def dsi_univariate_walsh(alpha, x, positions=120):
    """sum_{k>=1} r(k) wal_k(x), r(k) = 2 * 4^-mu_1(k) (alpha = 1) or 2^-mu_alpha(k), exactly.

    Dynamic programme over the binary positions a = 1, 2, ... of k, from the
    top: the alpha largest 1-bits of k carry the weight, the rest only the
    Walsh signs, whose sum over all subsets below position a is
    prod_{b < a} (1 + s_b), s_b = (-1)^(digit b of x).
    """
    xi = int(np.ldexp(float(x), 53))
    s = [0] + [(-1) ** ((xi >> (53 - a)) & 1) if a <= 53 else 1 for a in range(1, positions + 1)]
    w = (lambda a: 2.0 * 4.0 ** -a) if alpha == 1 else (lambda a: 2.0 ** -a)
    g = [1.0] * (alpha + 1)          # g[c] after a positions; g[alpha] = prod_{b<=a}(1 + s_b)
    for a in range(1, positions + 1):
        new = [0.0] * (alpha + 1)
        new[alpha] = g[alpha] * (1 + s[a])
        for c in range(alpha):
            new[c] = g[c] + s[a] * w(a) * g[c + 1]
        g = new
    return g[0] - 1.0


def bitrev(n):
    m = n.bit_length() - 1
    return np.array([int(format(i, f"0{m}b")[::-1], 2) if m else 0 for i in range(n)])


def gf2_points(columns, n, digits=53):
    """Digital-net points by explicit GF(2) matrix-vector products (Python ints)."""
    d, m = len(columns), len(columns[0])
    out = np.zeros((n, d))
    for k in range(n):
        for j in range(d):
            acc = 0
            for b in range(m):
                if (k >> b) & 1:
                    acc ^= int(columns[j][b])
            out[k, j] = acc / 2 ** digits
    return out


def owen_scramble(x, digits, rng):
    """Nested uniform (Owen) scrambling of the first `digits` digits, per coordinate."""
    n, d = x.shape
    ints = np.floor(x * 2 ** digits).astype(np.int64)
    out = np.zeros_like(ints)
    for j in range(d):
        flips = {}
        for k in range(n):
            v, res = int(ints[k, j]), 0
            for i in range(digits):
                prefix = (i, v >> (digits - i))
                if prefix not in flips:
                    flips[prefix] = int(rng.integers(0, 2))
                bit = ((v >> (digits - 1 - i)) & 1) ^ flips[prefix]
                res = (res << 1) | bit
            out[k, j] = res
    return (out + rng.random((n, d))) / 2 ** digits


import sys

import pytest


@pytest.fixture(scope="session")
def oracles():
    """This module's reference formulas, as a namespace."""
    return sys.modules[__name__]
