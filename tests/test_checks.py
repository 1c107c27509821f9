"""The shared argument checks of algdiv._checks: accepted values come back converted, others refused."""
import math

import numpy as np
import pytest

from algdiv._checks import check_array, check_bool, check_choice, check_int, check_real, describe


def test_check_int_grammar_and_conversion():
    assert check_int(np.int16(5), "k", min=0) == 5 and type(check_int(np.int16(5), "k")) is int
    with pytest.raises(ValueError, match=r"^Argument 'bits' must be an integer in \[2, 8\], not 9\.$"):
        check_int(9, "bits", min=2, max=8)
    with pytest.raises(ValueError, match=r"^Argument 'n_boot' must be an integer >= 200 at level 0.05, not 20\.$"):
        check_int(20, "n_boot", min=200, why="at level 0.05")
    with pytest.raises(ValueError, match=r"must be an integer <= 3, not 4"):
        check_int(4, "k", max=3)
    for bad in (2.0, True, "3", None, 1 + 0j):
        with pytest.raises(TypeError, match="^Argument 'k' must be an integer"):
            check_int(bad, "k")


def test_check_real_intervals_and_nonfinite():
    assert check_real(np.float32(0.5), "a", min=0, max=1) == 0.5
    assert check_real(np.array(2.0), "a") == 2.0
    assert check_real(math.inf, "a", finite=False) == math.inf
    with pytest.raises(ValueError, match=r"^Argument 'a' must be a finite number in \(0, 1\], not 0\.$"):
        check_real(0, "a", min=0, max=1, open_min=True)
    with pytest.raises(ValueError, match=r"must be a number >= 0, not nan"):
        check_real(math.nan, "a", min=0, finite=False)
    with pytest.raises(ValueError, match="inf"):
        check_real(math.inf, "a")
    with pytest.raises(ValueError, match=r"< 1, not 1\.0"):
        check_real(1.0, "a", max=1, open_max=True)
    with pytest.raises(ValueError):
        check_real(10 ** 400, "a")        # beyond float: infinite, refused
    for bad in (True, "1", 1j, None, [1.0]):
        with pytest.raises(TypeError, match="^Argument 'a' must be a finite number"):
            check_real(bad, "a")


def test_check_bool_and_choice():
    assert check_bool(np.bool_(True), "f") is True
    with pytest.raises(TypeError, match="must be True or False, not 1"):
        check_bool(1, "f")
    assert check_choice("keys", "rotate", (True, False, "keys")) == "keys"
    assert check_choice(True, "rotate", (True, False, "keys")) is True
    with pytest.raises(ValueError, match=r"^Argument 'rotate' must be one of True, False, 'keys', not 'key'\.$"):
        check_choice("key", "rotate", (True, False, "keys"))
    with pytest.raises(TypeError):             # 1 == True but is not the bool True
        check_choice(1, "rotate", (True, False, "keys"))
    assert check_choice(np.str_("a"), "mode", ("a", "b")) == "a"
    with pytest.raises(TypeError):
        check_choice(1.5, "mode", ("a", "b"))


def test_check_array():
    x = np.arange(6.0).reshape(2, 3)
    assert check_array(x, "x", ndim=2, dtype_kind="f", finite=True, shape=(None, 3)) is x
    with pytest.raises(ValueError, match=r"must be 1-D or 3-D, not 2-D"):
        check_array(x, "x", ndim=(1, 3))
    with pytest.raises(ValueError, match=r"must have shape \(\*, 4\), not \(2, 3\)"):
        check_array(x, "x", shape=(None, 4))
    with pytest.raises(TypeError, match="float numbers, not dtype <U1"):
        check_array(["a"], "x", dtype_kind="f")
    with pytest.raises(TypeError, match="could not convert"):
        check_array([[1, 2], [3]], "x")
    y = x.copy()
    y[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        check_array(y, "x", finite=True)
    assert np.isnan(y[0, 0])                 # input untouched


def test_describe():
    assert describe(np.float64(0.5)) == "0.5" and describe(True) == "bool True"
    assert describe(np.zeros((2, 1))) == "an array of shape (2, 1) and dtype float64"
    assert describe("x" * 100).endswith("...'")
