"""Bad and edge command lines: every error is one line on stderr and exit 2, never a traceback.

Hypothesis draws a subcommand (found by walking the real parser, so new commands
and options are covered without editing this file) and breaks one or two of its
arguments: a malformed number, a bad choice, an unknown option, a weird string, a
malformed or missing file.  The run is in-process through :func:`algdiv.cli.main`
with a time limit; a few cases that need a real process (sizes refused before
allocating, deep recursion, a closed pipe, Ctrl-C) run in subprocesses.
"""
from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

import algdiv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algdiv.cli import build_parser, main

TIME_LIMIT = 30        # seconds for one in-process command line
# the folder holding the algdiv this process imported (site-packages after `pip install .`);
# subprocesses run there so that `python -m` finds the same package first
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(algdiv.__file__)))


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that main() does not turn it into exit 2."""


def _commands():
    """[(words, options, positionals)] for every leaf subcommand of the real parser."""
    found = []

    def walk(parser, words):
        for a in parser._actions:
            if isinstance(a, argparse._SubParsersAction):
                for name, sp in a.choices.items():
                    walk(sp, words + [name])
                return
        opts = [a for a in parser._actions if a.option_strings
                and not isinstance(a, (argparse._HelpAction, argparse._VersionAction))]
        pos = [a for a in parser._actions if not a.option_strings]
        found.append((tuple(words), opts, pos))

    walk(build_parser(), [])
    return found


COMMANDS = _commands()
# commands whose default run takes minutes: only argument errors are drawn for them
LONG_DEFAULTS = {"rotations", "tour"}


@pytest.fixture(autouse=True, scope="module")
def _in_scratch_cwd(tmp_path_factory):
    """Outputs named by drawn arguments (``--plot cyclic:-1``) land in a scratch folder."""
    old = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cli_cwd"))
    yield
    os.chdir(old)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_files")
    out = {}

    def put(name, data):
        p = d / name
        p.write_bytes(data) if isinstance(data, bytes) else p.write_text(data)
        out[name] = str(p)

    put("empty.npy", b"")
    put("text.npy", "hello, not numpy\n")
    put("data.csv", "1,2\n3,4\n")
    buf = io.BytesIO()
    np.save(buf, np.eye(4))
    put("truncated.npy", buf.getvalue()[:-40])
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (1048576, 1048576), }"
    header += b" " * (118 - len(header)) + b"\n"
    put("huge.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 64)
    for name, arr in [("nan.npy", np.full((4, 4), np.nan)), ("cube.npy", np.zeros((2, 2, 2))),
                      ("rect.npy", np.ones((3, 5))), ("zero.npy", np.zeros((0, 0))),
                      ("scalar.npy", np.array(3.0)), ("const.npy", np.ones((6, 6))),
                      ("asym.npy", np.triu(np.ones((4, 4)))), ("obj.npy", None),
                      ("strings.npy", np.array(["a", "b"]))]:
        p = d / name
        if arr is None:
            np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        else:
            np.save(p, arr)
        out[name] = str(p)
    out["missing"] = str(d / "no_such_file.npy")
    out["directory"] = str(d)
    out["unwritable"] = str(d / "no_such_dir" / "out.npy")
    return out


BAD_NUMBERS = ["abc", "", "1.5.2", "0x", "--", "1e", "nan", "-inf", "inf", "-1", "1e400"]
BAD_STRINGS = ["", "abc", "(((", "cyclic:-1", "cyclic:abc", "direct(", "x" * 300, ":", "@",
               "dihedral()", "symmetric:0", "tree:1:2:3", "16:8", "1:2:3:4", "e1,e9", "\x00"]
FILE_KEYS = ["empty.npy", "text.npy", "data.csv", "truncated.npy", "huge.npy", "nan.npy", "cube.npy",
             "rect.npy", "zero.npy", "scalar.npy", "asym.npy", "obj.npy", "strings.npy", "missing",
             "directory"]


@st.composite
def command_lines(draw, files):
    words, opts, pos = draw(st.sampled_from(COMMANDS))
    argv = list(words)
    long_default = words[0] in LONG_DEFAULTS
    for a in pos:                                   # positionals: a malformed file or a word
        if a.choices:
            continue
        if a.nargs == "?" and draw(st.booleans()):
            continue
        argv.append(files[draw(st.sampled_from(FILE_KEYS))] if draw(st.booleans())
                    else draw(st.sampled_from(BAD_STRINGS[1:])))
    kinds = ["unknown", "bad-number", "bad-choice", "bad-string", "file", "missing-value"]
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(kinds))
        valued = [a for a in opts if a.nargs != 0]
        if kind == "unknown" or not valued:
            argv.append(draw(st.sampled_from(["--no-such-option", "-z", "--n=", "extra-arg"])))
            continue
        a = draw(st.sampled_from(valued))
        flag = a.option_strings[0]
        if kind == "missing-value":
            argv.append(flag)                       # the value is missing at the end
        elif kind == "bad-choice" and a.choices:
            argv += [flag, "no-such-choice"]
        elif kind == "bad-number" and a.type in (int, float):
            values = BAD_NUMBERS if not long_default else BAD_NUMBERS[:6]
            argv += [flag, draw(st.sampled_from(values))]
        elif kind == "file":
            argv += [flag, files[draw(st.sampled_from(FILE_KEYS + ["unwritable"]))]]
        elif a.type in (int, float):
            argv += [flag, draw(st.sampled_from(BAD_NUMBERS[:6]))]
        else:
            argv += [flag, draw(st.sampled_from(BAD_STRINGS))]
    return argv


def _run_in_process(argv):
    out, err = io.StringIO(), io.StringIO()

    def alarm(signum, frame):
        raise _Timeout(f"{argv} ran past {TIME_LIMIT} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(TIME_LIMIT)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            rc = main(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return rc, out.getvalue(), err.getvalue()


def _assert_one_line_error(rc, err, argv):
    assert rc == 2, (argv, rc, err)
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0], (argv, err)
    assert lines[0].startswith("algdiv") and ": error: " in lines[0], (argv, err)
    assert "Traceback" not in err


@pytest.mark.skipif(os.name != "posix", reason="SIGALRM time limit")
@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_bad_command_lines_give_one_line_and_exit_2(files, data):
    argv = data.draw(command_lines(files), label="argv")
    t0 = time.perf_counter()
    rc, out, err = _run_in_process(argv)
    assert time.perf_counter() - t0 < TIME_LIMIT
    if rc == 0:                  # the drawn arguments happened to be acceptable
        assert "Traceback" not in err
        return
    _assert_one_line_error(rc, err, argv)


def test_every_subcommand_is_reached():
    names = {w[0] for w, _, _ in COMMANDS}
    assert {"derive", "discover", "catalog", "frft", "quant"} <= names
    for words, _, _ in COMMANDS:
        rc, _, err = _run_in_process([*words, "--no-such-option"])
        _assert_one_line_error(rc, err, words)
        assert f"algdiv {words[0]}" in err


def _info_raises(monkeypatch, exc):
    """Make ``algdiv info`` raise ``exc`` from inside its command function."""
    def boom(args):
        raise exc

    def patched(build=build_parser):
        p = build()
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                a.choices["info"].set_defaults(func=boom)
        return p
    monkeypatch.setattr("algdiv.cli.build_parser", patched)


@pytest.mark.parametrize("exc,expect", [
    (MemoryError(), "not enough memory"),
    (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
    (OverflowError("int too large to convert to float"), "too large"),
    (ZeroDivisionError("division by zero"), "internal error (ZeroDivisionError"),
    (IndexError("index 3 is out of bounds"), "please report"),
    (AttributeError("'NoneType' object has no attribute 'x'"), "internal error (AttributeError"),
    (ValueError("Argument 'n' must be >= 1,\nnot 0."), "Argument 'n' must be >= 1, not 0."),
])
def test_every_exception_becomes_one_line(monkeypatch, exc, expect):
    _info_raises(monkeypatch, exc)
    rc, out, err = _run_in_process(["info"])
    _assert_one_line_error(rc, err, exc)
    assert expect in err


def test_broken_pipe_in_process_is_quiet(monkeypatch):
    class Closed(io.StringIO):
        def write(self, s):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    with redirect_stdout(Closed()), redirect_stderr(err):
        rc = main(["tour", "--list"])
    assert rc == 141 and err.getvalue() == ""


def test_keyboard_interrupt_in_process(monkeypatch):
    _info_raises(monkeypatch, KeyboardInterrupt())
    rc, out, err = _run_in_process(["info"])
    assert rc == 130 and err == "algdiv info: interrupted\n"


# --------------------------------------------------------------------------- subprocesses
def _algdiv(args, timeout=60, **popen):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "algdiv.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT, **popen)


@pytest.mark.parametrize("args,expect", [
    (["frft", "--n", "100000"], "limit"),                       # refused before allocating
    (["derive", "--group", "tree:99999999"], ""),
    (["derive", "--group", "elementary_abelian:2000"], ""),
    (["derive", "--group", "direct(" * 2000 + "cyclic:2" + ")" * 2000], ""),
    (["derive", "@huge.npy", "--group", "cyclic:4"], ""),
    (["derive", "@huge.npy"], ""),
])
def test_subprocess_bad_input_one_line(files, args, expect):
    args = [files["huge.npy"] if a == "@huge.npy" else a for a in args]
    t0 = time.perf_counter()
    r = _algdiv(args)
    assert time.perf_counter() - t0 < 60
    _assert_one_line_error(r.returncode, r.stderr, args[:3])
    assert expect in r.stderr


def test_subprocess_closed_pipe_is_quiet():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    p = subprocess.Popen([sys.executable, "-c",
                          "import sys; from algdiv.cli import main\n"
                          "sys.stdout.flush()\n"
                          "import time; time.sleep(1.0)\n"           # the reader is gone by now
                          "sys.exit(main(['catalog']))"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    p.stdout.close()                                  # as `| head -0` would
    _, err = p.communicate(timeout=120)
    assert p.returncode in (0, 141), err
    assert err.decode().strip() == ""


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_subprocess_ctrl_c_exits_130_with_one_line():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    p = subprocess.Popen([sys.executable, "-c",
                          "import sys; from algdiv.cli import main\n"
                          "print('ready', flush=True)\n"
                          "sys.exit(main(['rotations', '--quiet']))"],     # minutes if left alone
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 130, err
    assert err.strip() == "algdiv rotations: interrupted"
