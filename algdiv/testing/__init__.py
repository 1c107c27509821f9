"""Test helpers shared by algdiv's test suite: tolerances and oracles."""
from ._tol import assert_close_in_norm, fast_tol, rtol_default

__all__ = ["assert_close_in_norm", "fast_tol", "rtol_default"]
