"""File helpers for the command line: strict loading, atomic saving."""
from __future__ import annotations


import numpy as np

from . import UsageError
from .._atomic import write_atomic

__all__ = ["load_array", "load_covariance", "save_array_atomic", "write_text_atomic"]


def load_array(path: str, *, what: str = "array") -> np.ndarray:
    """Load a ``.npy`` file without pickles; raise :class:`UsageError` on any problem."""
    try:
        arr = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"{what} file {path!r} does not exist") from None
    except (ValueError, OSError, EOFError) as exc:
        raise UsageError(f"cannot read {what} file {path!r} as .npy: {exc}") from None
    if isinstance(arr, np.lib.npyio.NpzFile):  # pragma: no cover - .npz given
        raise UsageError(f"{what} file {path!r} is an .npz archive; expected a single .npy array")
    if arr.dtype.kind not in "biuf":
        raise UsageError(f"{what} file {path!r} holds dtype {arr.dtype}; expected real numbers")
    return arr


def load_covariance(path: str, *, sym_tol: float = 1e-8) -> np.ndarray:
    """Load a real symmetric N x N covariance; refuse anything else with one clear line."""
    cov = load_array(path, what="covariance").astype(np.float64)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise UsageError(f"covariance in {path!r} must be a square N x N matrix, got shape {cov.shape}")
    if cov.shape[0] < 2:
        raise UsageError(f"covariance in {path!r} must have N >= 2, got N = {cov.shape[0]}")
    if not np.all(np.isfinite(cov)):
        raise UsageError(f"covariance in {path!r} contains NaN or Inf")
    scale = max(float(np.max(np.abs(cov))), np.finfo(float).tiny)
    asym = float(np.max(np.abs(cov - cov.T))) / scale
    if asym > sym_tol:
        raise UsageError(
            f"covariance in {path!r} is not symmetric (max |R - R^T| / max |R| = {asym:.2e} > {sym_tol:g})"
        )
    return cov


def save_array_atomic(path: str, arr: np.ndarray) -> None:
    """Write ``arr`` to ``path`` as .npy atomically (temporary file, then rename)."""
    write_atomic(path, lambda fh: np.save(fh, arr, allow_pickle=False))


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    write_atomic(path, lambda fh: fh.write(text.encode()))
