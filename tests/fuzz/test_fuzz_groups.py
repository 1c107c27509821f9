"""Fuzz and regression tests of algdiv.groups: bad input is refused up front, nothing hangs."""
import os
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzz_lib import call, refused, values  # noqa: E402
from algdiv.groups import (SizeLimitError, cyclic, dct_group, dihedral,  # noqa: E402
                           direct_product,
                           elementary_abelian, from_generators, hamming, parse_group, symmetric,
                           tree, trivial, wreath_product)

CONSTRUCTORS = [cyclic, dihedral, elementary_abelian, hamming, tree, symmetric, trivial]


# -- the numbered cases --------------------------------------------------------------

def test_case3_is_invariant_refuses_nan_matrices_and_bad_tol():
    G = symmetric(5)
    refused(G.is_invariant, np.full((5, 5), np.nan), match="finite")
    refused(G.is_invariant, np.eye(5), tol=-1.0, match="'tol'")
    refused(G.is_invariant, np.eye(5), tol=float("nan"), match="'tol'")
    refused(G.is_invariant, np.eye(5), tol="1e-3", exc=TypeError)
    refused(dct_group(4).is_invariant, np.full((4, 4), np.inf), match="finite")
    assert G.is_invariant(np.eye(5), tol=0.0) is True        # the edge value itself is valid


@pytest.mark.parametrize("spec", ["tree:99999999", "elementary_abelian:2000", "hamming:70",
                                  "xor:63", "cyclic:99999999999", "direct(cyclic:100000,cyclic:100000)"])
def test_case5_parse_group_refuses_huge_groups_before_work(spec):
    t0 = time.perf_counter()
    refused(parse_group, spec, exc=SizeLimitError, match="limit")
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("spec", ["direct(" * 40 + "cyclic:2" + ")" * 40,
                                  "wreath(cyclic:2," * 40 + "cyclic:2" + ")" * 40,
                                  "direct(" * 5000 + "cyclic:2" + ")" * 5000,
                                  "cyclic:" + "9" * 5000, "cyclic:\u00b2"])
def test_case5_parse_group_depth_length_and_digits(spec):
    # a ValueError naming the limit, not a RecursionError or a digit-conversion error
    refused(parse_group, spec, exc=ValueError)


def test_parse_group_depth_within_the_limit_still_parses():
    G = parse_group("direct(" * 3 + "cyclic:2" + ")" * 3)
    assert G.degree == 2


def test_case10_from_generators_degree_refused_before_allocating():
    refused(from_generators, [], degree=2**40, exc=SizeLimitError)
    refused(cyclic, 2**40, exc=SizeLimitError)
    refused(trivial, 2**40, exc=SizeLimitError)
    refused(dct_group, 2**40, exc=SizeLimitError)


def test_case8_generators_must_be_permutations():
    refused(from_generators, [[0, 0, 1, 2]], match="permutation")
    refused(from_generators, [[-1, 0, 1, 2]], match="permutation")
    refused(from_generators, [[0.0, 1.0]], exc=TypeError)
    refused(from_generators, [[True, False]], exc=TypeError)


def test_symmetric_order_is_lazy_for_large_n():
    t0 = time.perf_counter()
    G = symmetric(10**6)
    assert "1000000!" in repr(G)
    assert time.perf_counter() - t0 < 5.0
    assert symmetric(6).order() == 720


# -- hypothesis: every public callable with bad and edge values -------------------------

@settings(max_examples=40)
@given(ctor=st.sampled_from(CONSTRUCTORS), n=values())
def test_family_constructors(ctor, n):
    call(ctor, n)


@settings(max_examples=25)
@given(n=values(), type_=values(), kind=values())
def test_dct_group(n, type_, kind):
    call(dct_group, n, type=type_, kind=kind)


@settings(max_examples=25)
@given(a=st.sampled_from([cyclic(3), tree(2), 3, None, "x"]), b=st.sampled_from([dihedral(4), 2, None]))
def test_products(a, b):
    call(direct_product, a, b)
    call(wreath_product, a, b)


@settings(max_examples=40)
@given(gens=values(), degree=values(), name=st.sampled_from([None, "g", 3]))
def test_from_generators(gens, degree, name):
    call(from_generators, gens, degree, name=name)


@settings(max_examples=40)
@given(spec=st.one_of(st.text(max_size=40), st.sampled_from(
    ["tree:4", "dct:8:3", "direct(", "wreath(cyclic:2)", "cyclic:-1", "cyclic:0", "dst:0:1",
     "direct(cyclic:2,dct:4)", "symmetric:30", "cyclic:4:4", "x" * 20000, 5, None])))
def test_parse_group(spec):
    call(parse_group, spec)


@settings(max_examples=40)
@given(G=st.sampled_from([cyclic(4), symmetric(4), tree(2), dct_group(4)]), R=values(), tol=values())
def test_group_methods(G, R, tol):
    call(G.reynolds, R)
    call(G.is_invariant, R, tol)
