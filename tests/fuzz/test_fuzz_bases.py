"""Fuzz and regression tests of algdiv.bases: bad input is refused up front, nothing hangs."""
import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzz_lib import call, refused, values  # noqa: E402
from algdiv.bases import (Transform, check_chain, klt, matched_transform, resolution,  # noqa: E402
                          resolution_table, subgroup_chains)
from algdiv.groups import (SizeLimitError, cyclic, dct_group, dihedral, from_generators,  # noqa: E402
                           symmetric, tree, wreath_product)

GROUPS = [cyclic(4), dihedral(4), tree(2), symmetric(4), dct_group(4),
          wreath_product(cyclic(2), cyclic(2)), from_generators([[1, 0, 2, 3]]), 4, None]


def test_matched_transform_refuses_bad_options():
    refused(matched_transform, cyclic(4), field="quaternion", match="'field'")
    refused(matched_transform, cyclic(4), exact=1, exc=TypeError, match="'exact'")
    refused(matched_transform, cyclic(4), cov=np.full((4, 4), np.nan), match="finite")
    refused(matched_transform, cyclic(4), cov=np.array([[1.0, 2.0], [0.0, 1.0]]))
    refused(matched_transform, "cyclic:4", exc=TypeError)


def test_large_sizes_refused_before_allocating():
    refused(subgroup_chains, 2**40, exc=SizeLimitError)
    refused(resolution_table, 2**40, exc=SizeLimitError)
    T = matched_transform(cyclic(8))
    x = np.arange(8.0)
    before = x.copy()
    T.forward(x)
    assert np.array_equal(x, before)


@pytest.mark.parametrize("n", [1, 0, -3, 2.0, True, "16"])
def test_subgroup_chains_bad_n(n):
    refused(subgroup_chains, n, exc=(TypeError, ValueError))


@settings(max_examples=40)
@given(G=st.sampled_from(GROUPS), cov=values(), field=values())
def test_matched_transform(G, cov, field):
    call(matched_transform, G, cov, field=field)


@settings(max_examples=25)
@given(G=st.sampled_from(GROUPS), exact=values())
def test_matched_transform_exact(G, exact):
    call(matched_transform, G, exact=exact)


@settings(max_examples=30)
@given(cov=values())
def test_klt(cov):
    call(klt, cov)


@settings(max_examples=30)
@given(G=st.sampled_from(GROUPS), method=values())
def test_resolution(G, method):
    call(resolution, G, method=method)


@settings(max_examples=30)
@given(n=values())
def test_chains(n):
    call(subgroup_chains, n)
    call(resolution_table, n if not (isinstance(n, int) and n > 64) else 2**40)


@settings(max_examples=20)
@given(chain=st.sampled_from([[], [cyclic(4), symmetric(4)], [cyclic(4), cyclic(5)], [dct_group(4)],
                              [3], "x", [tree(2), wreath_product(cyclic(2), cyclic(2))]]))
def test_check_chain(chain):
    call(check_chain, chain)


@settings(max_examples=30)
@given(x=values(), axis=values())
def test_transform_methods(x, axis):
    T = matched_transform(cyclic(4))
    call(T.forward, x, axis=axis)
    call(T.inverse, x, axis=axis)
    call(T.spectrum, x)


def test_transform_load_refuses_non_transform_files(tmp_path):
    p = tmp_path / "x.npz"
    np.savez(p, a=np.arange(3))
    refused(Transform.load, p, match="not an algdiv Transform")
    q = tmp_path / "garbage.npz"
    q.write_bytes(b"not a zip file")
    refused(Transform.load, q)
