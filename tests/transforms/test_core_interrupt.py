"""Ctrl-C inside long C kernel calls.

A big call from the main thread runs in chunks of whole rows with the GIL
released during a chunk and a signal check between chunks
(``algdiv/_core/module.c``, ``run_job``).  These tests check that (1) a
signal ends the call at a chunk boundary: the rows before it are transformed
and the rows after it are untouched, (2) chunking never changes a result
(sign indices of ``hd`` continue across chunk boundaries), and (3) a process
running a long ``fwht`` loop stops with ``KeyboardInterrupt`` soon after SIGINT.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np

import algdiv
import pytest

from algdiv import _core
from algdiv.transforms import fwht, hd, ifwht, rademacher

pytestmark = pytest.mark.skipif(_core.ext is None or os.name != "posix",
                                reason="needs the C core and POSIX signals")


class _Stop(Exception):
    pass


@pytest.fixture
def small_chunks():
    old = _core.ext._set_interrupt_chunk(1 << 14)        # 16 KiB per thread per chunk
    try:
        yield
    finally:
        _core.ext._set_interrupt_chunk(old)


def _interrupt_one_call(rows, n):
    """Run one in-place fwht of ``rows`` rows of ones; SIGINT it once row 0 is done.

    Returns the array: rows show how far the call got.  The watcher thread is
    running before the call starts, so only the call's own speed decides
    whether the signal lands inside it.
    """
    x = np.ones((rows, n), dtype=np.float32)
    ready = threading.Event()

    def send_when_started():
        ready.set()
        deadline = time.monotonic() + 20
        while x[0, 1] != 0.0 and time.monotonic() < deadline:     # row 0 done: the call runs
            time.sleep(0.0001)
        os.kill(os.getpid(), signal.SIGINT)

    def handler(signum, frame):
        raise _Stop()

    old = signal.signal(signal.SIGINT, handler)
    try:
        t = threading.Thread(target=send_when_started)
        t.start()
        ready.wait()
        with pytest.raises(_Stop):
            fwht(x, overwrite_x=True, workers=1)        # in place: rows show how far it got
            time.sleep(5)                               # (the signal came after the call)
        t.join()
    finally:
        signal.signal(signal.SIGINT, old)
    return x


def test_signal_stops_the_call_at_a_chunk_boundary(small_chunks):
    n = 1024
    chunk_rows = (1 << 14) // (n * 4)
    done_row = np.zeros(n, dtype=np.float32)
    done_row[0] = n
    # A fast machine may finish a small call before the watcher thread wakes:
    # then the signal lands after the call and says nothing about chunks, so
    # the call grows (32, 128, 256 MiB) until the signal lands inside it.
    stopped_inside = []
    for rows in (8192, 32768, 65536):
        x = _interrupt_one_call(rows, n)
        done = np.array([np.array_equal(r, done_row) for r in x])
        untouched = (x == 1).all(axis=1)
        assert (done | untouched).all()              # no row is half transformed
        k = int(done.sum())
        assert done[:k].all() and untouched[k:].all()
        assert k > 0                                 # the signal came after row 0 was done
        stopped_inside.append(k < rows)
        if k < rows:                                 # stopped inside the call, not after it
            assert k % chunk_rows == 0               # ... and at a chunk boundary
            break
        del x
    assert any(stopped_inside), "the signal never landed inside a call"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_chunking_never_changes_a_result(dtype):
    rng = np.random.default_rng(5)
    shapes = [(64, 512), (40, 48)]               # 48 = 12 * 4: the H_12 mix
    for shape in shapes:
        x = rng.standard_normal(shape).astype(dtype)
        if np.dtype(dtype).kind == "c":
            x = x + 1j * rng.standard_normal(shape)
        full = np.where(rng.standard_normal(shape) < 0, -1.0, 1.0)
        n = shape[1]
        calls = [lambda: fwht(x), lambda: ifwht(x, norm="ortho"),
                 lambda: hd(x, seed=3, per_row=True, offset=7),
                 lambda: hd(x, signs=full)]
        if n & (n - 1) == 0:
            calls.append(lambda: fwht(x, order="sequency"))
            calls.append(lambda: hd(x, seed=2, per_row=True, order="dyadic"))
        whole = [c() for c in calls]
        old = _core.ext._set_interrupt_chunk(1 << 10)    # a chunk per row or two
        try:
            parts = [c() for c in calls]
        finally:
            _core.ext._set_interrupt_chunk(old)
        for a, b in zip(whole, parts):
            np.testing.assert_array_equal(a, b)
    # and the per-row signs are the generator's: row r uses indices offset + r n + i
    x = np.ones((64, 512))
    old = _core.ext._set_interrupt_chunk(1 << 10)
    try:
        y = hd(x, seed=3, per_row=True, offset=7, norm="backward")
    finally:
        _core.ext._set_interrupt_chunk(old)
    D = rademacher(3, 7 + x.size).astype(float)[7:].reshape(x.shape)
    np.testing.assert_array_equal(y, fwht(D))


def test_sigint_stops_a_long_fwht_loop_quickly(tmp_path):
    script = textwrap.dedent("""
        import sys, time
        import numpy as np
        from algdiv import _core
        from algdiv.transforms import fwht
        _core.ext._set_interrupt_chunk(1 << 20)
        x = np.random.default_rng(0).standard_normal((2048, 2048))   # 32 MiB per call
        fwht(x)
        print("ready", flush=True)
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < 60:
                fwht(x)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        print("not interrupted", flush=True)
    """)
    root = os.path.dirname(os.path.dirname(os.path.abspath(algdiv.__file__)))   # the algdiv this process imported
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=root)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        stopped_after = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 130, err
    assert out.strip() == "interrupted"
    assert stopped_after < 5.0
