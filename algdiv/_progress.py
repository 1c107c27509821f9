"""The progress protocol shared by every long-running library function.

A function that can run for more than a couple of seconds takes ``progress=None``
and, when given a callable, calls it as ``progress(done, total, label)``:

* ``done`` and ``total`` are non-negative integers, ``done <= total``; the last
  call of a run has ``done == total``;
* ``label`` is a short string naming the current step (``"bootstrap"``,
  ``"stage 2"``, ``"d = 1024"``).

The callback must return quickly; anything it raises (``KeyboardInterrupt``
included) propagates and stops the work cleanly. The command line renders these
calls as one line with an ETA (:class:`algdiv.cli._progress.ProgressLine`).
"""
from __future__ import annotations

__all__ = ["check_progress", "Ticker"]


def check_progress(progress, name: str = "progress"):
    """Return ``progress`` if it is ``None`` or callable, else raise ``TypeError``."""
    if progress is not None and not callable(progress):
        raise TypeError(f"Argument {name!r} must be a callable progress(done, total, label) or None, "
                        f"not {type(progress).__name__}")
    return progress


class Ticker:
    """Count steps of a known total and report them to a progress callback.

    >>> seen = []
    >>> t = Ticker(lambda d, n, s: seen.append((d, n, s)), total=3, label="draws")
    >>> t.step(); t.step(2)
    >>> seen
    [(0, 3, 'draws'), (1, 3, 'draws'), (3, 3, 'draws')]
    """

    __slots__ = ("progress", "total", "label", "done")

    def __init__(self, progress, total: int, label: str = ""):
        self.progress = check_progress(progress)
        self.total = max(int(total), 0)
        self.label = str(label)
        self.done = 0
        if self.progress is not None:
            self.progress(0, self.total, self.label)

    def step(self, n: int = 1, label: str | None = None) -> None:
        """Advance by ``n`` steps (clipped at ``total``) and report."""
        self.done = min(self.done + int(n), self.total)
        if label is not None:
            self.label = str(label)
        if self.progress is not None:
            self.progress(self.done, self.total, self.label)

    def finish(self) -> None:
        """Report ``done == total`` (idempotent)."""
        if self.done != self.total:
            self.done = self.total
            if self.progress is not None:
                self.progress(self.done, self.total, self.label)
