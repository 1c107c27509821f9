"""Validation of covariances and samples at the public boundary of discovery."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import check_int, check_real
from ..groups._limits import check_bytes
from ..groups._validate import as_perms  # noqa: F401  (re-exported for discovery)

__all__ = []

#: largest sample count taken as a number of degrees of freedom (exact in a float64)
MAX_SAMPLES = 2**53

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
    check_bytes(8 * (2 * L * n + 4 * n * n), f"the sample covariance of {L} x {n} samples")
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
            raise TypeError(f"Argument {name!r} must be an integer in [2, {MAX_SAMPLES}], "
                            f"not {n_samples!r}.")
    return check_int(int(n_samples), name, min=2, max=MAX_SAMPLES)


def sample_covariance(X, name="samples"):
    """Centred sample covariance ``(X - mean)^T (X - mean) / (L - 1)`` and its degrees of freedom.

    Raises ValueError when every column is constant (a zero covariance)."""
    L = X.shape[0]
    Xc = X - X.mean(axis=0)
    R = Xc.T @ Xc / (L - 1)
    R = (R + R.T) / 2  # exact symmetry of a Gram matrix lost only to rounding
    if not np.any(R):
        raise ValueError(
            f"Argument {name!r} has zero variance: every column is constant, so the sample "
            f"covariance is the zero matrix and has no structure to discover.")
    return R, L - 1


def min_boot(level):
    """Fewest bootstrap draws B whose Monte Carlo tests at ``level / 2`` can reject at all.

    Both the stage-1 critical value (the ceil((B + 1)(1 - a))-th of B draws, a = level / 2)
    and the stage-2 min-p rule (floor(a (B + 1)) >= 1) need a (B + 1) >= 1.
    """
    a = level / 2

    def ok(b):
        return math.ceil((b + 1) * (1.0 - a)) <= b and math.floor(a * (b + 1)) >= 1

    b = max(1, math.ceil(1.0 / a) - 3)
    while not ok(b):
        b += 1
    while b > 1 and ok(b - 1):
        b -= 1
    return b


def as_n_boot(n_boot, level, used):
    """``n_boot`` as an int; with ``used`` (the bootstrap runs) at least :func:`min_boot`."""
    if used:
        return check_int(n_boot, "n_boot", min=min_boot(level), why=f"at level {level:g}")
    return check_int(n_boot, "n_boot", min=1)


def as_tol(tol, name="tol"):
    """A tolerance: a finite real number >= 0."""
    return check_real(tol, name, min=0.0)


def as_names(names, d, name="names"):
    """``None`` or a list of ``d`` strings."""
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"Argument {name!r} must be a list of {d} str, not a str.")
    names = list(names)
    if len(names) != d or not all(isinstance(x, str) for x in names):
        raise ValueError(f"Argument {name!r} must be a list of {d} str (one per atom), "
                         f"not {len(names)} items.")
    return names


def as_level(level, name="level"):
    """A significance level in (0, 1)."""
    return check_real(level, name, min=0.0, max=1.0, open_min=True, open_max=True)


def as_colors(colors, name="colors", symmetric=True):
    """A square integer colour matrix (int64), symmetric unless ``symmetric=False``."""
    try:
        C = np.asarray(colors)
    except (ValueError, TypeError):
        raise TypeError(f"Argument {name!r} must be a square integer array, "
                        f"not a ragged {type(colors).__name__}.") from None
    if C.dtype.kind not in "iub":
        raise TypeError(f"Argument {name!r} must be an integer array of colour labels, "
                        f"not dtype {C.dtype}.")
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.shape[0] < 1:
        raise ValueError(f"Argument {name!r} must be a square (N, N) matrix with N >= 1, "
                         f"not shape {C.shape}.")
    if symmetric and not np.array_equal(C, C.T):
        raise ValueError(f"Argument {name!r} must be symmetric (colours of unordered pairs).")
    return C.astype(np.int64, copy=False)
