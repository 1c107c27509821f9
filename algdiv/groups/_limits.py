"""Up-front memory limits (defined in :mod:`algdiv._limits`, shared by every layer)."""
from __future__ import annotations

from .._limits import MEMORY_LIMIT, SizeLimitError, check_bytes, format_bytes

__all__ = ["MEMORY_LIMIT", "SizeLimitError", "check_bytes", "format_bytes"]
