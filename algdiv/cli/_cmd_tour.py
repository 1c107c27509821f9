"""``algdiv tour``: a guided run over algdiv's capabilities on built-in data."""
from __future__ import annotations

import io
import sys
import time

from . import UsageError, command_modules

__all__ = ["register", "tour_steps"]

# Steps that belong first: the core (groups -> transforms) before the applications.
_FIRST = ("_cmd_core",)


def tour_steps():
    """All ``(name, func)`` tour steps, core first, then by module name."""
    mods = command_modules()
    mods.sort(key=lambda m: (m.__name__.rsplit(".", 1)[-1] not in _FIRST, m.__name__))
    steps = []
    for mod in mods:
        steps.extend(getattr(mod, "TOUR_STEPS", ()))
    return steps


def _run(args) -> int:
    steps = tour_steps()
    names = [name for name, _ in steps]
    if args.list:
        print("\n".join(names))
        return 0
    if args.step:
        unknown = [s for s in args.step if s not in names]
        if unknown:
            raise UsageError(f"unknown tour step {unknown[0]!r}; steps are: {', '.join(names)}")
        steps = [(n, f) for n, f in steps if n in args.step]
    out = sys.stdout
    timings = []
    t_all = time.perf_counter()
    for name, func in steps:
        print(f"\n=== {name} " + "=" * max(3, 66 - len(name)), file=out)
        t0 = time.perf_counter()
        buf = io.StringIO()
        func(buf)
        out.write(buf.getvalue())
        dt = time.perf_counter() - t0
        timings.append((name, dt))
        print(f"[{name}: {dt:.2f} s]", file=out)
        out.flush()
    total = time.perf_counter() - t_all
    print("\n=== timing " + "=" * 60, file=out)
    for name, dt in timings:
        print(f"  {name:<24} {dt:7.2f} s", file=out)
    print(f"  {'total':<24} {total:7.2f} s  (budget: 60 s for the whole tour, 10 s a step)", file=out)
    return 0


def register(sub) -> None:
    p = sub.add_parser("tour", help="a guided run over the catalog and every capability on built-in data",
                       description="Run a short demonstration of every capability (catalog, transforms, "
                       "discovery, rotations, quantization, QMC, sparse recovery, ...) on built-in data, "
                       "with the time of each step; --list shows the steps, --step runs some.")
    p.add_argument("--step", action="append", metavar="NAME", help="run only this step (repeatable)")
    p.add_argument("--list", action="store_true", help="list the steps and exit")
    p.set_defaults(func=_run)
