"""The ``algdiv`` command line.

Subcommands live in modules ``algdiv/cli/_cmd_<name>.py``; each exposes
``register(subparsers)`` (adding its parser and setting ``func`` on it) and may
expose ``TOUR_STEPS``, a list of ``(name, func)`` pairs where ``func(out)``
writes a short demonstration to the text stream ``out``. The modules are found
by name, in sorted order, so adding a capability never edits this file.

Exit codes: 0 success; 2 for any error, reported as one line on stderr and no
traceback, whatever the input: bad input and refused sizes (``SizeLimitError``,
``MemoryError``, ``OverflowError``, ``RecursionError``) name the problem, and an
unexpected exception (a bug in algdiv) names its type and asks for a report;
130 after Ctrl-C (one line); 141 (128 + SIGPIPE, as shells report it) when the
reader of standard output goes away (``algdiv catalog | head -1``), silently.
"""
from __future__ import annotations

import argparse
import os
import pkgutil
import sys
from importlib import import_module

__all__ = ["main", "UsageError", "command_modules", "EXIT_ERROR", "EXIT_INTERRUPTED",
           "EXIT_BROKEN_PIPE"]

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130          # 128 + SIGINT
EXIT_BROKEN_PIPE = 141          # 128 + SIGPIPE


class UsageError(Exception):
    """Bad input from the command line: reported as one line, exit code 2."""


class _ArgumentError(Exception):
    """An argparse error, raised instead of printing the usage (reported as one line)."""

    def __init__(self, message, prog):
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (``algdiv CMD: error: ...; see --help``)."""

    def error(self, message):
        raise _ArgumentError(f"{message} (see '{self.prog} --help')", self.prog)


def command_modules():
    """Import and return the ``_cmd_*`` modules of this package, sorted by name."""
    names = sorted(
        m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("_cmd_")
    )
    return [import_module(f"{__name__}.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = _Parser(
        prog="algdiv",
        description="algdiv: symmetry to fast transforms (groups -> matched "
        "transforms, discovery, fast Walsh-Hadamard-family kernels).",
    )
    parser.add_argument("--version", action="version", version=f"algdiv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        module.register(sub)
    return parser


def _command_names():
    """The subcommand names of the parser (an empty set if it cannot be built)."""
    try:
        parser = build_parser()
    except Exception:
        return set()
    return {name for a in parser._actions if isinstance(a, argparse._SubParsersAction)
            for name in a.choices}


def _one_line(text: str, limit: int = 2000) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def error_line(exc: BaseException) -> str:
    """The one-line report of an exception (without the ``algdiv CMD: error:`` prefix)."""
    from .._limits import SizeLimitError
    msg = _one_line(exc)
    name = type(exc).__name__
    if isinstance(exc, (UsageError, _ArgumentError, SizeLimitError)):
        return msg
    if isinstance(exc, RecursionError):
        return f"the input is nested too deeply to process ({name}: {msg})"
    if isinstance(exc, MemoryError):
        return f"not enough memory for this input ({name}{': ' + msg if msg else ''})"
    if isinstance(exc, OverflowError):
        return f"a number in the input is too large ({name}: {msg})"
    if isinstance(exc, (ValueError, TypeError, OSError, ImportError, NotImplementedError)):
        return msg or name
    if isinstance(exc, RuntimeError) and type(exc) is RuntimeError:
        return msg or name
    return (f"internal error ({name}{': ' + msg if msg else ''}); please report this to the "
            "algdiv developers with the command line that caused it")


def _quiet_stdout():
    """After a broken pipe: point stdout at /dev/null so that the flush at exit stays silent
    (as the Python documentation on SIGPIPE recommends)."""
    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def main(argv=None) -> int:
    """Run the command line; return the exit code (see the module docstring)."""
    command = "algdiv"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "command", None):
            command = f"algdiv {args.command}"
        if not getattr(args, "func", None):
            parser.print_help()
            sys.stdout.flush()
            return 0
        result = args.func(args)
        sys.stdout.flush()
        return int(result or 0)
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit as exc:       # --help, --version (argparse), or a command's own exit
        code = exc.code
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
            return EXIT_BROKEN_PIPE
        if code is None or isinstance(code, int):
            return int(code or 0)
        print(f"{command}: error: {_one_line(code)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # every error: one line, no traceback
        if isinstance(exc, _ArgumentError):
            command = exc.prog
            if command == "algdiv":       # extra arguments are reported by the top parser
                words = [w for w in (sys.argv[1:] if argv is None else argv)
                         if not str(w).startswith("-")]
                if words and str(words[0]) in _command_names():
                    command = f"algdiv {words[0]}"
        print(f"{command}: error: {error_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
