"""Up-front memory limits: refuse work that would not fit, with the size it needs.

Shared by every layer (groups, transforms, bases, applications); re-exported as
``algdiv.groups.MEMORY_LIMIT`` and ``algdiv.groups.SizeLimitError``.
"""
from __future__ import annotations

__all__ = ["MEMORY_LIMIT", "SizeLimitError", "check_bytes", "format_bytes"]

#: Largest working set (bytes) that group and basis routines accept before refusing.
MEMORY_LIMIT = 4 * 2**30


class SizeLimitError(MemoryError, ValueError):
    """Raised before starting work whose memory or size would pass algdiv's limits.

    It is both a :class:`MemoryError` and a :class:`ValueError`, so callers that
    treat bad input as ``ValueError`` (the command line) report it in one line.
    """


def format_bytes(nbytes: float) -> str:
    """Human-readable size, e.g. ``'17.2 GB'``."""
    if nbytes >= 1e15 * 1000:
        # beyond a float's comfort (exact Python ints of any size): order of magnitude only
        if isinstance(nbytes, int):
            digits = int((nbytes.bit_length() - 1) * 0.30102999566398120)
        else:
            if nbytes == float("inf"):
                return "more than 1e308 bytes"
            digits = int(f"{nbytes:e}".split("e")[1])
        return f"1e{digits} bytes"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{int(nbytes)} bytes"


def check_bytes(nbytes: float, what: str) -> None:
    """Raise :class:`SizeLimitError` when ``nbytes`` passes :data:`MEMORY_LIMIT`."""
    if nbytes > MEMORY_LIMIT:
        raise SizeLimitError(
            f"{what} would need about {format_bytes(nbytes)}, more than the "
            f"{format_bytes(MEMORY_LIMIT)} limit (algdiv.groups.MEMORY_LIMIT)."
        )
