"""Atomic file writes: a temporary file in the target's folder, then ``os.replace``.

A reader never sees a half-written file, and a failed write leaves the old file
(if any) untouched. The file gets the mode ``open()`` would give it: 0o666 less
the user's umask. Used by every module that saves files.
"""
import os
import tempfile

__all__ = ["write_atomic"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path, write) -> None:
    """Call ``write(fh)`` on a binary temporary file, then move it onto ``path``."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".algdiv-", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
