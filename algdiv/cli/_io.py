"""File helpers for the command line: strict loading, atomic saving."""
from __future__ import annotations


import numpy as np

from . import UsageError
from .._atomic import write_atomic

__all__ = ["load_array", "load_covariance", "save_array_atomic", "write_text_atomic", "sniff_format"]


# Leading bytes of formats people try to pass instead of .npy.
_MAGIC = (
    (b"\x93NUMPY", None),
    (b"PK\x03\x04", "an .npz (zip) archive; save one array with numpy.save"),
    (b"\x89HDF\r\n\x1a\n", "HDF5 is not supported; save the array with numpy.save"),
    (b"PAR1", "Parquet is not supported; save the array with numpy.save"),
    (b"ITQ3", "an ITQ3 quantized file; decode it with `algdiv quant decode` first"),
    (b"\x89PNG", "a PNG image is not supported; save the array with numpy.save"),
    (b"\xff\xd8\xff", "a JPEG image is not supported; save the array with numpy.save"),
    (b"GGUF", "a GGUF model file is not supported here; save the array with numpy.save"),
    (b"\x1f\x8b", "gzip-compressed data is not supported; save the array with numpy.save"),
)


def sniff_format(path: str) -> str | None:
    """Name the format of ``path`` if it is not ``.npy`` (``None`` for .npy or an unreadable file).

    Looks at the first bytes only: known magic numbers, pickles, then text
    (CSV, TSV, JSON or plain numbers), so an error can say what the file is and
    how to convert it.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    for magic, text in _MAGIC:
        if head.startswith(magic):
            return text
    if not head:
        return "the file is empty"
    if head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5:
        return "a Python pickle, which is never loaded (unsafe); save the array with numpy.save"
    try:
        txt = head.decode("utf-8")
    except UnicodeDecodeError:
        return "not a .npy file (unrecognised binary data); save the array with numpy.save"
    stripped = txt.lstrip()
    if stripped[:1] in "[{":
        return "JSON is not supported; load it and save the array with numpy.save"
    first = stripped.splitlines()[0] if stripped else ""
    if "," in first:
        return ("CSV is not supported; save with numpy.save "
                "(e.g. numpy.save('x.npy', numpy.loadtxt('x.csv', delimiter=',')))")
    if "\t" in first:
        return "TSV is not supported; save with numpy.save (e.g. numpy.save('x.npy', numpy.loadtxt('x.tsv')))"
    return "text is not supported; save with numpy.save (e.g. numpy.save('x.npy', numpy.loadtxt('x.txt')))"


def load_array(path: str, *, what: str = "array") -> np.ndarray:
    """Load a ``.npy`` file without pickles; raise :class:`UsageError` on any problem.

    A file in another format is named in the message ("CSV is not supported;
    save with numpy.save"), found from its first bytes.
    """
    fmt = sniff_format(path)
    if fmt is not None:
        raise UsageError(f"cannot read {what} file {path!r} as .npy: {fmt}")
    try:
        arr = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"{what} file {path!r} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{what} file {path!r} is a directory") from None
    except (ValueError, OSError, EOFError) as exc:
        raise UsageError(f"cannot read {what} file {path!r} as .npy: {exc}") from None
    if isinstance(arr, np.lib.npyio.NpzFile):  # pragma: no cover - caught by sniff_format
        arr.close()
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
