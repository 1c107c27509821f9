"""One progress line with an ETA on stderr, for every long-running command.

Rendered only on a terminal and never with ``--quiet``; a pipe or a log file
gets nothing, so output stays clean for scripts.
"""
from __future__ import annotations

import sys
import time

__all__ = ["ProgressLine", "add_quiet_option", "progress_line"]


def add_quiet_option(parser) -> None:
    """Add the ``--quiet`` flag every long-running command shares."""
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line on stderr (it is drawn only on a terminal anyway)")


def progress_line(args, stream=None) -> "ProgressLine":
    """The command's progress callback: a :class:`ProgressLine`, silent with ``--quiet``."""
    return ProgressLine(stream, enabled=not getattr(args, "quiet", False))


class ProgressLine:
    """A callable ``progress(done, total, label)`` (see :mod:`algdiv._progress`).

    Parameters
    ----------
    stream : text stream, optional
        Where to draw; default ``sys.stderr``.
    enabled : bool, optional
        ``False`` (``--quiet``) draws nothing.
    force : bool, optional
        Draw even when ``stream`` is not a terminal (tests).
    """

    def __init__(self, stream=None, enabled: bool = True, force: bool = False, min_interval: float = 0.1):
        self.stream = sys.stderr if stream is None else stream
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = bool(enabled) and (tty or force)
        self.t0 = time.perf_counter()
        self.min_interval = min_interval
        self._last = -1.0
        self._width = 0

    def __call__(self, done, total, label="") -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        final = total > 0 and done >= total
        if not final and now - self._last < self.min_interval:
            return
        self._last = now
        elapsed = now - self.t0
        frac = done / total if total else 1.0
        eta = elapsed / done * (total - done) if done else float("nan")
        bar_w = 24
        fill = int(bar_w * frac)
        eta_s = f"~{eta:.0f} s left" if eta == eta else "estimating"
        msg = f"[{'#' * fill}{'-' * (bar_w - fill)}] {done}/{total} {label} {elapsed:.1f} s, {eta_s}"
        pad = max(self._width - len(msg), 0)
        self._width = len(msg)
        try:
            self.stream.write("\r" + msg + " " * pad + ("\n" if final else ""))
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False

    def close(self) -> None:
        """End the line if one is open (after an error or Ctrl-C)."""
        if self.enabled and self._width:
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._width = 0
