"""Group names, specs and group files round-trip: the same group comes back.

"The same group" is checked independently of algdiv: same degree, and each
generating set lies in the other group (sympy's Schreier-Sims membership test).
"""
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.combinatorics import Permutation
from sympy.combinatorics import PermutationGroup as SymPyGroup

import algdiv.groups._limits as limits
from algdiv.groups import (DCTGroup, SizeLimitError, cyclic, dct_group, dihedral, direct_product,
                           elementary_abelian, from_generators, hamming, load_group, parse_group,
                           save_group, symmetric, tree, trivial, wreath_product)


def _sympy(G):
    gens = [Permutation([int(v) for v in g]) for g in G.generators]
    return SymPyGroup(gens or [Permutation(list(range(G.degree)))])


def assert_same_group(G, H):
    assert G.degree == H.degree
    sg, sh = _sympy(G), _sympy(H)
    for g in sh.generators:
        assert sg.contains(g), f"{H.name}'s generator is not in {G.name}"
    for g in sg.generators:
        assert sh.contains(g), f"{G.name}'s generator is not in {H.name}"
    assert isinstance(G, DCTGroup) == isinstance(H, DCTGroup)
    if isinstance(G, DCTGroup):
        assert G.signal_size == H.signal_size


# every constructor, with small parameters
LEAVES = [
    st.integers(1, 5).map(cyclic), st.integers(1, 5).map(dihedral),
    st.integers(0, 2).map(elementary_abelian), st.integers(0, 2).map(hamming),
    st.integers(0, 2).map(tree), st.integers(1, 4).map(symmetric), st.integers(1, 3).map(trivial),
    st.builds(dct_group, st.integers(2, 3), st.sampled_from([1, 2]), st.sampled_from(["dct", "dst"])),
]
leaf = st.one_of(*LEAVES)
plain_leaf = st.one_of(*LEAVES[:-1])          # wreath products take no DCT groups
plain = st.recursive(
    plain_leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=2).map(lambda gs: direct_product(*gs)),
        st.tuples(inner, inner).map(lambda p: wreath_product(*p))),
    max_leaves=3)
groups = st.one_of(plain, st.lists(st.one_of(leaf, plain), min_size=1, max_size=3)
                   .map(lambda gs: direct_product(*gs)))
generic = st.integers(2, 6).flatmap(
    lambda d: st.lists(st.permutations(list(range(d))), min_size=0, max_size=3)
    .map(lambda ps: from_generators(ps, d, name="gevp")))
with_generic = st.one_of(
    groups, generic,
    st.tuples(generic, leaf).map(lambda p: direct_product(*p)),
    st.tuples(plain_leaf, generic).map(lambda p: wreath_product(*p)))


@settings(max_examples=40)
@given(G=groups)
def test_spec_and_name_round_trip(G):
    for text in (G.spec, G.name):
        H = parse_group(text)
        assert_same_group(G, H)
        assert H.spec == G.spec


@settings(max_examples=40)
@given(G=with_generic)
def test_group_file_round_trip(G, tmp_path_factory):
    path = tmp_path_factory.mktemp("g") / "G.json"
    save_group(G, path)
    H = load_group(path)
    assert_same_group(G, H)
    assert H.name == G.name
    # a family comes back as itself; a group with a generic part as the file's generators
    assert H.spec == (G.spec if G.spec is not None else f"@{path}")
    assert_same_group(G, parse_group(f"@{path}"))
    K = parse_group(f"direct(@{path},cyclic:2)")
    assert_same_group(K, direct_product(G, cyclic(2)))


def test_generic_group_file_and_products(tmp_path):
    G = from_generators([[1, 2, 0, 3, 4], [0, 1, 2, 4, 3]], name="aut(colouring)")
    assert G.spec is None
    path = tmp_path / "G.json"
    save_group(G, path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "algdiv.group" and doc["version"] == 1
    assert doc["degree"] == 5 and doc["spec"] is None and doc["order"] == "6"
    assert doc["generators"] == [[1, 2, 0, 3, 4], [0, 1, 2, 4, 3]]
    H = load_group(path)
    assert H.name == "aut(colouring)" and H.spec == f"@{path}"
    assert_same_group(G, H)
    P = parse_group(f"direct(@{path},cyclic:3)")
    assert_same_group(P, direct_product(G, cyclic(3)))
    assert P.spec == f"direct(@{path},cyclic:3)"
    assert_same_group(P, parse_group(P.spec))
    W = parse_group(f"wreath(cyclic:2,@{path})")
    assert_same_group(W, wreath_product(cyclic(2), G))
    # saving a group read from a file writes its generators again
    save_group(P, tmp_path / "P.json")
    assert_same_group(P, load_group(tmp_path / "P.json"))


def _write(tmp_path, doc):
    path = tmp_path / "bad.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


GOOD = {"format": "algdiv.group", "version": 1, "name": "g", "degree": 3, "spec": None,
        "generators": [[1, 2, 0]]}


@pytest.mark.parametrize("change, match", [
    ({"format": "other"}, "not an algdiv group file"),
    ({"version": 2}, "version 2"),
    ({"version": "1"}, "'version' must be a positive integer"),
    ({"degree": 0}, "'degree' must be a positive integer"),
    ({"degree": 3.0}, "'degree' must be a positive integer"),
    ({"degree": True}, "'degree' must be a positive integer"),
    ({"name": ""}, "'name' must be a non-empty string"),
    ({"generators": "123"}, "'generators' must be a list"),
    ({"generators": [[1, 2]]}, "generator 0 has 2 entries"),
    ({"generators": [[1, 2, 0.0]]}, "generator 0 holds 0.0"),
    ({"generators": [[1, True, 0]]}, "generator 0 holds True"),
    ({"generators": [[1, 1, 0]]}, "not a permutation"),
    ({"generators": [[1, 2, 3]]}, "out of range"),
    ({"spec": "cyclic:4"}, "not those of its 'spec'"),
    ({"spec": "@other.json"}, "no file references"),
    ({"spec": "nonsense:3"}, "does not parse"),
])
def test_bad_files_are_refused(tmp_path, change, match):
    with pytest.raises(ValueError, match=match):
        load_group(_write(tmp_path, {**GOOD, **change}))


def test_products_with_generic_factors_keep_their_structure(tmp_path):
    """direct(generic, dct) comes back as a product on the extension, with its Kronecker plan."""
    from algdiv.bases import matched_transform

    gen = from_generators([[1, 0, 2]], name="gevp")
    G = direct_product(gen, dct_group(3))
    save_group(G, tmp_path / "G.json")
    doc = json.loads((tmp_path / "G.json").read_text())
    assert doc["family"] == "direct" and [f["spec"] for f in doc["factors"]] == [None, "dct:3:2"]
    H = load_group(tmp_path / "G.json")
    assert_same_group(G, H)
    assert H.signal_size == 9 and matched_transform(H).plan.describe().startswith("(kron 9")
    save_group(dct_group(4), tmp_path / "D.json")
    other = json.loads((tmp_path / "D.json").read_text())       # a valid factor, but not this one
    bad = {**doc, "factors": [doc["factors"][0], other]}
    with pytest.raises(ValueError, match="not those of its 'factors'"):
        load_group(_write(tmp_path, bad))
    with pytest.raises(ValueError, match="'factors' needs 'family'"):
        load_group(_write(tmp_path, {**doc, "family": "free"}))
    with pytest.raises(ValueError, match=r"factor 0 of .*'degree' must be"):
        load_group(_write(tmp_path, {**doc, "factors": [{**doc["factors"][0], "degree": -1},
                                                        doc["factors"][1]]}))


def test_bad_files_other(tmp_path):
    with pytest.raises(ValueError, match="as JSON"):
        load_group(_write(tmp_path, "{not json"))
    with pytest.raises(ValueError, match="missing"):
        load_group(_write(tmp_path, {k: v for k, v in GOOD.items() if k != "degree"}))
    with pytest.raises(ValueError, match="Cannot read group file"):
        load_group(tmp_path / "absent.json")
    with pytest.raises(TypeError, match="'path'"):
        load_group(3)
    with pytest.raises(TypeError, match="'group'"):
        save_group("cyclic:3", tmp_path / "x.json")
    with pytest.raises(ValueError, match="file name after '@'"):
        parse_group("direct(@,cyclic:3)")


def test_sizes_refused_before_allocating(tmp_path, monkeypatch):
    path = _write(tmp_path, {**GOOD, "degree": 10**9, "generators": [[0]] * 3})
    # the degree x generators array would be 24 GB: refused before the rows are read
    with pytest.raises(SizeLimitError, match="generators"):
        load_group(path)
    monkeypatch.setattr(limits, "MEMORY_LIMIT", 1000)
    with pytest.raises(SizeLimitError, match="parsing"):
        load_group(_write(tmp_path, {**GOOD, "generators": [list(range(3))] * 40}))


def test_file_is_human_readable_and_umask(tmp_path):
    path = tmp_path / "T.json"
    save_group(tree(2), path)
    text = path.read_text()
    assert '"spec": "tree:2"' in text
    assert "    [2, 3, 0, 1],\n    [1, 0, 2, 3]\n" in text      # one generator a line
    mask = os.umask(0o022)
    os.umask(mask)
    assert (path.stat().st_mode & 0o777) == 0o666 & ~mask


def test_printed_names_parse():
    assert parse_group("dihedral(16)").spec == "dihedral:16"
    assert parse_group("dct_group(8, type=1, kind='dst')").spec == "dst:8:1"
    G = parse_group("direct(cyclic(4), wreath(cyclic(2), symmetric(3)))")
    assert G.spec == "direct(cyclic:4,wreath(cyclic:2,symmetric:3))"
    with pytest.raises(ValueError, match="integer arguments only"):
        parse_group("cyclic(n=4)")
    with pytest.raises(ValueError, match="dct_group takes"):
        parse_group("dct_group(8, size=2)")


def test_dct_product_reynolds_is_the_projection():
    """Pi(R) is idempotent, self-adjoint, and diagonal in kron(DCT, real-Fourier) bases."""
    import scipy.fft

    G = direct_product(dct_group(4), dct_group(3, 1, "dst"))
    assert G.signal_size == 12 and G.degree == 8 * 8
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((2, 12, 12))
    PA = G.reynolds(A)
    assert np.allclose(G.reynolds(PA), PA)
    assert np.isclose(np.sum(PA * B), np.sum(A * G.reynolds(B)))
    D = np.kron(scipy.fft.dct(np.eye(4), norm="ortho", axis=0),
                scipy.fft.dst(np.eye(3), type=1, norm="ortho", axis=0))
    S = D @ PA @ D.T
    assert np.allclose(S, np.diag(np.diag(S)))
    # the extension maps the signal space into the product of extensions isometrically
    E = G.extension
    assert E.shape == (64, 12) and np.allclose(E.T @ E, np.eye(12))
