"""Fuzz and regression tests of algdiv.reps: bad input is refused up front, nothing hangs."""
import os
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzz_lib import call, refused, values  # noqa: E402
from algdiv.groups import SizeLimitError, cyclic, dihedral, symmetric, tree  # noqa: E402
from algdiv.reps import (SO2, SO3, Representation, characters, funk_hecke, irreps,  # noqa: E402
                         isotypic_decomposition, isotypic_projectors, multiplicities,
                         permutation_character, permutation_representation, peter_weyl_basis,
                         regular_group, regular_irreps, resolution_numeric)

GROUPS = [cyclic(4), dihedral(5), symmetric(3), tree(2), 4, None, "cyclic:4"]


# -- the numbered cases --------------------------------------------------------------

@pytest.mark.parametrize("elements", [[[0, 0, 0, 0]], [[-1, 0, 1, 2]], [[0, 1, 2, 7]],
                                      np.zeros((3, 4), dtype=int), [[0, 1, 2]]])
def test_case8_characters_refuse_non_permutations(elements):
    refused(characters, cyclic(4), elements=elements, exc=ValueError)


def test_case8_characters_refuse_non_members_and_accept_members():
    refused(characters, cyclic(4), elements=[[1, 0, 2, 3]], match="not an element")
    chi = characters(cyclic(4), elements=[[1, 2, 3, 0]])
    # irrep k at the shift by 1: exp(-2 pi i k / 4)
    assert np.allclose(chi[:, 0], np.exp(-2j * np.pi * np.arange(4) / 4))
    refused(characters, cyclic(4), elements=[[0.5, 1, 2, 3]], exc=TypeError)


def test_case6_funk_hecke_refused_at_once_and_fast_for_feasible_sizes():
    t0 = time.perf_counter()
    refused(funk_hecke, lambda t: t, 10**9, exc=SizeLimitError)
    assert time.perf_counter() - t0 < 1.0
    seen = []
    lam = funk_hecke(lambda t: np.exp(t), 2000, progress=lambda d, n, s: seen.append((d, n)))
    assert seen[-1][0] == seen[-1][1] and all(d <= n for d, n in seen)
    # closed form: 4 pi i_l(1) (modified spherical Bessel functions)
    from scipy.special import spherical_in
    assert np.allclose(lam[:20], 4 * np.pi * spherical_in(np.arange(20), 1.0), rtol=1e-12, atol=1e-13)


def test_case6_haar_samples_sized_before_allocating():
    refused(SO3().sample, 10**10, exc=SizeLimitError)
    refused(SO2().sample, 10**10, exc=SizeLimitError)


def test_permutation_character_refuses_non_permutations():
    refused(permutation_character, [[0, 0, 1]])
    assert permutation_character([[0, 1, 2], [1, 0, 2]]).tolist() == [3, 1]


# -- hypothesis: every public callable with bad and edge values -------------------------

@settings(max_examples=30)
@given(G=st.sampled_from(GROUPS), f=st.sampled_from(
    [irreps, multiplicities, isotypic_projectors, peter_weyl_basis, regular_group, regular_irreps,
     permutation_representation, resolution_numeric, isotypic_decomposition]))
def test_group_functions(G, f):
    call(f, G)


@settings(max_examples=30)
@given(G=st.sampled_from(GROUPS), elements=values())
def test_characters(G, elements):
    call(characters, G, elements)
    call(permutation_character, elements)


@settings(max_examples=30)
@given(field=values(), tol=values())
def test_isotypic_options(field, tol):
    call(isotypic_decomposition, dihedral(5), field=field, tol=tol)


@settings(max_examples=30)
@given(n=values(), theta=values(), field=values())
def test_so2(n, theta, field):
    G = SO2()
    call(G.irrep, n, theta, field)
    call(G.character, n, theta, field)
    call(SO2.irrep_dim, n, field)
    call(G.sample, n)
    call(SO2.circle_transform, n, field)


@settings(max_examples=30)
@given(l=values(), R=values())
def test_so3(l, R):
    G = SO3()
    call(G.irrep, l, R) if not (isinstance(l, int) and l > 64) else None
    call(G.character, l, R)
    call(SO3.irrep_dim, l)
    call(SO3.angle, R)
    call(G.sample, l)


@settings(max_examples=30)
@given(L=values(), n_quad=values(), k=st.sampled_from([np.cos, lambda t: np.full(3, 1.0),
                                                       lambda t: t * np.nan, 3]))
def test_funk_hecke(L, n_quad, k):
    call(funk_hecke, k, L if not (isinstance(L, int) and 10**4 < L < 10**7) else 10,
         n_quad=n_quad if not (isinstance(n_quad, int) and 10**4 < n_quad < 10**7) else None)


@settings(max_examples=20)
@given(Q=values())
def test_representation(Q):
    G = cyclic(3)
    pi = irreps(G)[0]
    call(Representation, G, [pi, pi, pi], Q)


@pytest.mark.parametrize("g", [[0, 0, 0, 0], [1, 2, 3], [0.0, 1.0, 2.0, 3.0], [[1, 2, 3, 0]], [4, 1, 2, 3]])
def test_case8_irrep_matrices_take_only_permutations(g):
    pi = irreps(cyclic(4))[1]
    kind, exc = call(pi, g)
    assert kind == "refused", exc
    comp = isotypic_decomposition(cyclic(4))[1]
    kind, exc = call(comp.matrix, g)
    assert kind == "refused", exc


def test_irrep_matrices_of_members_unchanged():
    pi = irreps(dihedral(5))[-1]
    g = dihedral(5).generators[0]
    R = pi(g)
    assert np.allclose(R, [[np.cos(2 * np.pi * 2 / 5), -np.sin(2 * np.pi * 2 / 5)],
                           [np.sin(2 * np.pi * 2 / 5), np.cos(2 * np.pi * 2 / 5)]])
