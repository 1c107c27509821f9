"""The ``algdiv`` command line.

Subcommands live in modules ``algdiv/cli/_cmd_<name>.py``; each exposes
``register(subparsers)`` (adding its parser and setting ``func`` on it) and may
expose ``TOUR_STEPS``, a list of ``(name, func)`` pairs where ``func(out)``
writes a short demonstration to the text stream ``out``. The modules are found
by name, in sorted order, so adding a capability never edits this file.

Exit codes: 0 success, 2 bad input (one clear line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import pkgutil
import sys
from importlib import import_module

__all__ = ["main", "UsageError", "command_modules"]


class UsageError(Exception):
    """Bad input from the command line: reported as one line, exit code 2."""


def command_modules():
    """Import and return the ``_cmd_*`` modules of this package, sorted by name."""
    names = sorted(
        m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("_cmd_")
    )
    return [import_module(f"{__name__}.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = argparse.ArgumentParser(
        prog="algdiv",
        description="algdiv: symmetry to fast transforms (groups -> matched "
        "transforms, discovery, fast Walsh-Hadamard-family kernels).",
    )
    parser.add_argument("--version", action="version", version=f"algdiv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        module.register(sub)
    return parser


def main(argv=None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        result = args.func(args)
    except UsageError as exc:
        print(f"algdiv {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError) as exc:
        print(f"algdiv {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
