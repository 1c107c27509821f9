"""Resolution principle: distinct eigenvalues of generic invariant covariances, chains.

Oracles: the N = 16 table of the theory spec (section 5 / T-res), the group
average over explicitly enumerated elements (independent of orbitals), and
closed forms (wreath pieces: m + m j).
"""
import numpy as np
import pytest

from algdiv.bases._resolution import (check_chain, resolution, resolution_table,
                                      subgroup_chains)
from algdiv.groups import (cyclic, dct_group, dihedral, direct_product, elementary_abelian,
                           from_generators, hamming, symmetric, tree, trivial, wreath_product)


def distinct_by_enumeration(group, seed):
    """Distinct eigenvalues of (1/|G|) sum_g P_g A A^T P_g^T, elements listed."""
    rng = np.random.default_rng(seed)
    n = group.degree
    A = rng.standard_normal((n, n))
    R0 = A @ A.T
    R = np.zeros_like(R0)
    elems = group.elements()
    for g in elems:
        R += R0[np.argsort(g)][:, np.argsort(g)]
    R /= len(elems)
    w = np.linalg.eigvalsh(R)
    return int(1 + np.sum(np.diff(w) > 1e-8 * np.abs(w).max()))


def test_n16_table_from_the_spec():
    expected = {
        "trivial(16)": 16, "cyclic(16)": 9, "dihedral(16)": 9, "elementary_abelian(4)": 16,
        "hamming(4)": 5, "tree(4)": 5, "symmetric(16)": 2,
    }
    groups = [trivial(16), cyclic(16), dihedral(16), elementary_abelian(4), hamming(4), tree(4),
              symmetric(16)]
    for g in groups:
        assert resolution(g) == expected[g.name]
        assert resolution(g, method="numeric") == expected[g.name]
        assert resolution(g, method="orbital") == expected[g.name] or g.family == "trivial"
    # not a function of the order alone
    assert cyclic(16).order() == elementary_abelian(4).order() == 16


@pytest.mark.parametrize("group", [
    cyclic(12), dihedral(12), cyclic(9), dihedral(9), elementary_abelian(3), hamming(3), tree(3),
    wreath_product(tree(2), trivial(2)), wreath_product(cyclic(3), symmetric(2)),
    direct_product(cyclic(3), cyclic(4)), from_generators([[1, 2, 0, 3, 4, 5], [0, 1, 2, 4, 5, 3]]),
], ids=lambda g: g.name)
def test_numeric_matches_element_enumeration(group):
    ref = distinct_by_enumeration(group, seed=group.degree)
    assert resolution(group, method="numeric") == ref
    assert resolution(group) == ref
    assert resolution(group, method="orbital") >= ref            # equality iff multiplicity-free


@pytest.mark.parametrize("n", [2, 3, 8, 9, 12, 32])
def test_closed_forms_agree_with_numeric(n):
    groups = [trivial(n), cyclic(n), dihedral(n), symmetric(n)]
    if n & (n - 1) == 0:
        k = n.bit_length() - 1
        groups += [elementary_abelian(k), hamming(k), tree(k)]
    for g in groups:
        assert resolution(g) == resolution(g, method="numeric"), g.name


def test_tree_pieces_closed_form():
    """tree(j) independently on m blocks: m block means (a trivial irrep of
    multiplicity m) + j contrast levels per block: res = m + m j."""
    for k in (3, 4, 5):
        for j in range(1, k):
            m = 1 << (k - j)
            g = wreath_product(tree(j), trivial(m))
            assert resolution(g) == m + m * j
            assert resolution(g, method="orbital") == m * (j + 1) + m * (m - 1) // 2


def test_dct_group_counts_on_the_signal_space():
    assert resolution(dct_group(8)) == 8
    assert resolution(dct_group(8, type=1)) == 8
    with pytest.raises(ValueError, match="method='orbital' does not apply"):
        resolution(dct_group(8), method="orbital")


@pytest.mark.parametrize("n", [8, 12, 16])
def test_chains_coarsen_and_nest(n):
    chains = subgroup_chains(n)
    assert set(chains) == ({"dihedral", "hamming", "tree"} if n in (8, 16) else {"dihedral"})
    for name, chain in chains.items():
        report = check_chain(chain)
        assert report.ok, (name, str(report))
        assert report.resolutions == sorted(report.resolutions, reverse=True)
        assert report.resolutions[0] == n and report.resolutions[-1] == 2
        assert report.orders == sorted(report.orders)
        assert all(link["contained"] for link in report.links)
        for link, mf in zip(report.links, report.multiplicity_free):
            assert (link["nesting_defect"] is not None) == mf
        assert "chain OK" in str(report)


def test_n16_chain_values():
    chains = subgroup_chains(16)
    assert [resolution(g) for g in chains["dihedral"]] == [16, 9, 9, 2]
    assert [resolution(g) for g in chains["hamming"]] == [16, 16, 5, 2]
    assert [resolution(g) for g in chains["tree"]] == [16, 16, 12, 8, 5, 2]
    rows = resolution_table(16)
    assert ("tree", "tree(2)^4", 2 ** 12, 12) in rows
    assert len(rows) == 4 + 4 + 6


def test_check_chain_rejects_a_non_chain():
    """Z_16 is not inside Z_2^4: the cyclic eigenspaces are not XOR-invariant."""
    report = check_chain([cyclic(16), elementary_abelian(4)])
    assert not report.ok
    assert not report.links[0]["contained"]
    assert report.links[0]["invariance_defect"] > 0.1
    # and the right order of a true pair in the wrong direction: res goes up
    report = check_chain([symmetric(8), cyclic(8)])
    assert not report.ok and not report.links[0]["coarsens"]
    assert "FAILED" in str(report)


def test_bad_input():
    with pytest.raises(TypeError, match="Argument 'group' must be an algdiv.groups.PermutationGroup"):
        resolution(np.eye(4))
    with pytest.raises(ValueError, match="Argument 'method'"):
        resolution(cyclic(4), method="exact")
    with pytest.raises(ValueError, match="Argument 'n' must be an integer >= 2"):
        subgroup_chains(1)
    with pytest.raises(TypeError, match="Argument 'n' must be an integer"):
        subgroup_chains(16.0)
    with pytest.raises(ValueError, match="Argument 'chain' must hold groups of one degree"):
        check_chain([cyclic(4), cyclic(8)])
    with pytest.raises(TypeError, match="Argument 'chain' must hold PermutationGroups"):
        check_chain([cyclic(4), "S4"])
    with pytest.raises(ValueError, match="Argument 'chain' must hold at least one group"):
        check_chain([])


def test_cli_resolution(capsys):
    from algdiv.cli import main

    assert main(["resolution", "--n", "16"]) == 0
    out = capsys.readouterr().out
    assert out.count("chain OK") == 3 and "tree(2)^4" in out
    assert main(["resolution", "--n", "1"]) == 2
    assert "--n must be an integer in [2, 1024]" in capsys.readouterr().err
