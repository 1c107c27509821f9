"""Validation of covariances and samples at the public boundary of discovery."""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = []

#: relative tolerance for "symmetric": ||R - R^T||_max <= SYM_RTOL * ||R||_max
SYM_RTOL = 1e-8


def _as_real_matrix(value, name):
    if value is None:
        raise TypeError(f"Argument {name!r} must be an array, not None.")
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"Argument {name!r} must be a numeric array, not dtype {arr.dtype}.")
    if np.iscomplexobj(arr):
        raise TypeError(
            f"Argument {name!r} must be real; complex (Hermitian) covariances are not "
            f"supported by discovery, which works inside the permutation groups S_N."
        )
    return arr.astype(np.float64, copy=False)


def as_covariance(cov, name="cov"):
    """Return ``cov`` as a float64 (N, N) array after checking it; never symmetrizes."""
    R = _as_real_matrix(cov, name)
    if R.ndim != 2 or R.shape[0] != R.shape[1]:
        raise ValueError(f"Argument {name!r} must be a square (N, N) matrix, not shape {R.shape}.")
    n = R.shape[0]
    if n < 2:
        raise ValueError(f"Argument {name!r} must be at least 2 x 2 (N >= 2), not {n} x {n}.")
    if not np.all(np.isfinite(R)):
        raise ValueError(f"Argument {name!r} contains NaN or Inf.")
    scale = float(np.max(np.abs(R)))
    if scale == 0.0:
        raise ValueError(f"Argument {name!r} is the zero matrix; it has no structure to discover.")
    asym = float(np.max(np.abs(R - R.T)))
    if asym > SYM_RTOL * scale:
        raise ValueError(
            f"Argument {name!r} must be symmetric: max|R - R^T| = {asym:.3g} exceeds "
            f"{SYM_RTOL:g} * max|R| = {SYM_RTOL * scale:.3g}. algdiv does not symmetrize "
            f"silently; pass (R + R.T) / 2 if that is what you mean."
        )
    return R


def as_samples(samples, name="samples"):
    """Return ``samples`` as float64 (L, N) after checking it."""
    X = _as_real_matrix(samples, name)
    if X.ndim != 2:
        raise ValueError(
            f"Argument {name!r} must be a 2-D (L, N) array of L snapshots, not shape {X.shape}."
        )
    L, n = X.shape
    if n < 2:
        raise ValueError(f"Argument {name!r} must have N >= 2 columns, not {n}.")
    if L < 2:
        raise ValueError(f"Argument {name!r} must hold L >= 2 snapshots (rows), not {L}.")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"Argument {name!r} contains NaN or Inf.")
    return X


def as_n_samples(n_samples, name="n_samples"):
    """``None`` (an exact covariance) or an integer L >= 2."""
    if n_samples is None:
        return None
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        if isinstance(n_samples, numbers.Real) and float(n_samples).is_integer():
            n_samples = int(n_samples)
        else:
            raise TypeError(f"Argument {name!r} must be an integer, not {n_samples!r}.")
    n_samples = int(n_samples)
    if n_samples < 2:
        raise ValueError(f"Argument {name!r} must be >= 2 (snapshots), not {n_samples}.")
    return n_samples


def sample_covariance(X):
    """Centred sample covariance ``(X - mean)^T (X - mean) / (L - 1)`` and its degrees of freedom."""
    L = X.shape[0]
    Xc = X - X.mean(axis=0)
    R = Xc.T @ Xc / (L - 1)
    R = (R + R.T) / 2  # exact symmetry of a Gram matrix lost only to rounding
    return R, L - 1


def as_level(level):
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise TypeError(f"Argument 'level' must be a float in (0, 1), not {level!r}.")
    level = float(level)
    if not (0.0 < level < 1.0) or math.isnan(level):
        raise ValueError(f"Argument 'level' must lie in (0, 1), not {level!r}.")
    return level
