"""Gap clustering and the coherent closure (2-WL) against independent truths."""
import numpy as np

from algdiv.discovery import coherent_closure, color_entries
from algdiv.groups import cyclic, dihedral, tree, wreath_product, symmetric


def test_gap_clustering_matches_rounding_for_separated_levels():
    rng = np.random.default_rng(0)
    levels = np.array([0.0, 1.0, 2.5, 4.0])
    idx = rng.integers(0, 4, (12, 12))
    idx = np.triu(idx) + np.triu(idx, 1).T
    R = levels[idx] + 1e-3 * rng.uniform(-1, 1, (12, 12))
    R = (R + R.T) / 2
    c = color_entries(R, 0.1)
    off = ~np.eye(12, dtype=bool)
    # same colour <=> same level, separately on and off the diagonal
    same_c = c[off][:, None] == c[off][None, :]
    same_l = idx[off][:, None] == idx[off][None, :]
    assert np.array_equal(same_c, same_l)
    assert np.array_equal(c, c.T)
    assert not set(np.diag(c)) & set(c[off])


def test_closure_of_orbital_colouring_is_the_orbitals():
    # orbital configurations are coherent: the closure adds nothing
    for G in (cyclic(7), dihedral(8), tree(3), wreath_product(cyclic(3), symmetric(3))):
        lab = np.asarray(G.orbitals(), dtype=np.int64)
        cl = coherent_closure(lab)
        assert int(cl.max()) + 1 == G.n_orbitals()


def test_closure_of_path_refines_to_distance():
    # path on 6 vertices coloured {diag, edge, non-edge}: 2-WL separates distances and
    # the ends from the middle; the closure is the orbital configuration of its
    # automorphism group Z_2 (i -> 5 - i), which has 36 / 2 = 18 orbitals on pairs
    n = 6
    i = np.arange(n)
    c = np.where(np.abs(i[:, None] - i) == 1, 1, 2)
    np.fill_diagonal(c, 0)
    cl = coherent_closure(c)
    assert int(cl.max()) + 1 == 18
