"""Shared helpers for the discovery tests."""
import math

import numpy as np


def wilson_lower(successes, trials, z=1.959963984540054):
    """Wilson score lower bound of a binomial proportion (95 % two-sided by default)."""
    p = successes / trials
    den = 1 + z * z / trials
    centre = p + z * z / (2 * trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre - half) / den


def same_constraint(G, H):
    """Whether G and H have the same orbits on unordered pairs (same Reynolds on symmetric R)."""
    from algdiv.discovery._catalog import symmetric_orbitals

    return np.array_equal(symmetric_orbitals(G.orbitals()), symmetric_orbitals(H.orbitals()))


def draw(R, L, rng):
    """L Gaussian snapshots (rows) of covariance R."""
    return rng.standard_normal((L, R.shape[0])) @ np.linalg.cholesky(R).T
