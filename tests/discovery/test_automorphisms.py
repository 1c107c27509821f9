"""Tier B: exact automorphism groups, both engines, against known orders."""
import numpy as np
import pytest
from sympy.combinatorics import Permutation, PermutationGroup

from algdiv.discovery import (color_entries, colored_automorphisms, discover, have_igraph,
                              planted_covariance)

ENGINES = ["refine", pytest.param("bliss", marks=pytest.mark.skipif(
    not have_igraph(), reason="python-igraph not installed"))]

ORDERS = [("circulant", 32), ("xor", 16), ("tree", 32768), ("hamming", 384), ("trivial", 1)]


def _order(gens):
    if not gens:
        return 1
    return PermutationGroup([Permutation(g.tolist()) for g in gens]).order()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("model, order", ORDERS)
def test_planted_orders(engine, model, order):
    R, _ = planted_covariance(model, 16, np.random.default_rng(11))
    c = color_entries(R, 1e-9)
    gens = colored_automorphisms(c, engine=engine)
    for g in gens:
        assert np.array_equal(R[np.ix_(g, g)], R)      # each generator preserves R exactly
    assert _order(gens) == order


@pytest.mark.parametrize("engine", ENGINES)
def test_shrikhande_automorphism_group_has_order_192(engine):
    pts = [(a, b) for a in range(4) for b in range(4)]
    conn = {(1, 0), (3, 0), (0, 1), (0, 3), (1, 1), (3, 3)}
    A = np.array([[((p[0] - q[0]) % 4, (p[1] - q[1]) % 4) in conn for q in pts] for p in pts],
                 dtype=np.int64)
    c = A + 2 * np.eye(16, dtype=np.int64)
    assert _order(colored_automorphisms(c, engine=engine)) == 192


def test_engines_agree_on_random_colourings():
    # small colourings where brute force over S_5 is the independent truth
    from itertools import permutations
    rng = np.random.default_rng(0)
    for _ in range(10):
        c = rng.integers(0, 2, (5, 5))
        c = np.triu(c, 1) + np.triu(c, 1).T + 5 * np.eye(5, dtype=np.int64)
        brute = sum(np.array_equal(c[np.ix_(p, p)], c) for p in map(list, permutations(range(5))))
        assert _order(colored_automorphisms(c, engine="refine")) == brute
        if have_igraph():
            assert _order(colored_automorphisms(c, engine="bliss")) == brute


def test_discover_exact_tier_orders():
    for model, order in ORDERS:
        R, G = planted_covariance(model, 16, np.random.default_rng(11))
        res = discover(R, tiers=("exact",))
        assert res.group.order() == order
        assert res.delta <= 1e-12
    with pytest.raises(ValueError, match="engine"):
        colored_automorphisms(np.zeros((2, 2), dtype=int), engine="nauty")
