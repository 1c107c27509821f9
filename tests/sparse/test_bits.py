"""Bit helpers and the hash design, against Python integers (exact arithmetic)."""
import numpy as np
import pytest

from algdiv.sparse._bits import (_popcount_swar, complete_basis, gf2_rank, gf2_solver, hash_bins,
                                 popcount, random_joint_hashes, signs, span_table)
from algdiv.sparse._spright import _Design


def _ints(rng, n, size):
    return rng.integers(0, 1 << n, size=size, dtype=np.int64).astype(np.uint64)


@pytest.mark.parametrize("count", [popcount, _popcount_swar])
def test_popcount_matches_python(count):
    rng = np.random.default_rng(0)
    x = np.concatenate([_ints(rng, 62, 500), np.array([0, (1 << 62) - 1, 1 << 61], dtype=np.uint64),
                        np.array([np.iinfo(np.uint64).max], dtype=np.uint64)])
    np.testing.assert_array_equal(count(x), [bin(int(v)).count("1") for v in x])


def test_signs_are_characters():
    k = np.array([0, 3, 5], dtype=np.uint64)
    d = np.array([1, 2, 7], dtype=np.uint64)
    ref = [[(-1) ** bin(int(a) & int(b)).count("1") for b in d] for a in k]
    np.testing.assert_array_equal(signs(k[:, None], d[None, :]), ref)


def test_span_table_lists_the_span_in_natural_order():
    cols = [0b1010, 0b0110, 0b0001]
    table = span_table(cols)
    for ell in range(8):
        want = 0
        for t in range(3):
            if ell >> t & 1:
                want ^= cols[t]
        assert int(table[ell]) == want


def test_solver_inverts_hash_and_directions():
    rng = np.random.default_rng(1)
    n, b = 20, 7
    (cols,) = random_joint_hashes(n, b, 1, rng)
    dirs = complete_basis(cols, n)
    assert len(dirs) == n - b and gf2_rank(cols + dirs) == n
    w = gf2_solver(cols + dirs, n)
    for k in [int(v) for v in _ints(rng, n, 50)]:
        code = [bin(a & k).count("1") & 1 for a in cols + dirs]
        rebuilt = 0
        for t, c in enumerate(code):
            if c:
                rebuilt ^= w[t]
        assert rebuilt == k


def test_design_decode_roundtrip_and_hash():
    rng = np.random.default_rng(2)
    n, b, C = 30, 6, 3
    design = _Design(n, b, C, "random", rng)
    ks = _ints(rng, n, 200)
    J = design.bins_of(ks)
    for c in range(C):
        # bins: bit t of j is <m_t, k>
        ref = [sum((bin(int(k) & m).count("1") & 1) << t for t, m in enumerate(design.cols[c]))
               for k in ks]
        np.testing.assert_array_equal(J[c], ref)
        np.testing.assert_array_equal(hash_bins(ks, design.cols[c]), ref)
        bits = np.array([[bin(int(k) & int(v)).count("1") & 1 for v in design.vecs[c, 1:]]
                         for k in ks], dtype=bool)
        np.testing.assert_array_equal(design.decode(c, J[c], bits), ks)


def test_joint_hashes_are_injective_when_they_cover_n_bits():
    # C b >= n: the stacked hash has rank n, so (bins in every stage) determines k.
    rng = np.random.default_rng(3)
    n, b, C = 8, 3, 3
    design = _Design(n, b, C, "random", rng)
    allk = np.arange(1 << n, dtype=np.uint64)
    keys = {tuple(col) for col in design.bins_of(allk).T.tolist()}
    assert len(keys) == 1 << n
    cols = random_joint_hashes(12, 3, 3, rng)  # C b < n: full rank C b
    assert gf2_rank([c for cc in cols for c in cc]) == 9


def test_block_design():
    design = _Design(12, 4, 3, "blocks", np.random.default_rng(0))
    ks = np.array([0x123, 0xABC, 0xFFF], dtype=np.uint64)
    np.testing.assert_array_equal(design.bins_of(ks),
                                  [[0x3, 0xC, 0xF], [0x2, 0xB, 0xF], [0x1, 0xA, 0xF]])
