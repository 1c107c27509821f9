"""One place for tolerances (style guide, rules 32-35).

* fast vs dense: ``||y - y_ref|| / ||y_ref|| <= 8 eps(dtype) ceil(log2 n)``;
* otherwise ``rtol = 4 sqrt(eps(dtype))``.
"""
import math

import numpy as np


def _eps(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        dtype = np.dtype(dtype.char.lower()) if dtype.char in "FD" else np.float64
    if dtype.kind not in "f":
        return 0.0
    return float(np.finfo(dtype).eps)


def fast_tol(dtype, n: int, factor: float = 8.0) -> float:
    """Norm-wise tolerance of a fast transform of length ``n`` in ``dtype``."""
    return factor * _eps(dtype) * max(1, math.ceil(math.log2(max(int(n), 2))))


def rtol_default(dtype) -> float:
    """Default relative tolerance ``4 sqrt(eps)`` (array-api-extra's)."""
    return 4.0 * math.sqrt(_eps(dtype)) if _eps(dtype) else 0.0


def assert_close_in_norm(actual, desired, tol, axis=None):
    """Assert ``||actual - desired|| <= tol ||desired||`` (norm-wise, per row if axis given)."""
    actual = np.asarray(actual)
    desired = np.asarray(desired)
    if actual.shape != desired.shape:
        raise AssertionError(f"shape mismatch: {actual.shape} != {desired.shape}")
    diff = np.linalg.norm((actual - desired).astype(np.complex128), axis=axis)
    ref = np.linalg.norm(desired.astype(np.complex128), axis=axis)
    bad = diff > tol * np.maximum(ref, np.finfo(float).tiny)
    if np.any(bad):
        raise AssertionError(
            f"norm-wise error {np.max(diff / np.maximum(ref, 1e-300)):.3e} exceeds tol {tol:.3e}"
        )
