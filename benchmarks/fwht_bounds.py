"""What bounds a large transform: the table of docs/engine.md ("What bounds the large vectors").

Times, for one length (default 2^24) and float32 / float64, the transform beside memory
sweeps and beside its own parts, methods interleaved round-robin in one process, each on
an array refilled from the same source before every call; prints medians and the ratio to
one in-place sweep (``x *= -1``)::

    python benchmarks/fwht_bounds.py [--log2n 24] [--rounds 9] [--dtype float32]

The parts: pass 1 alone is the transform of the rows of the ``R x L2`` view (one level-2
block each), pass 2 alone the transform along axis 0 of that view, and "arithmetic
alone" one level-2 block transformed ``R`` times while it stays in L2 (no memory
traffic).  Needs the C core.
"""
import argparse
import statistics
import sys
import threading
import time

import numpy as np

from algdiv import _core
from algdiv.rotations import structured_rotation
from algdiv.transforms import empty_aligned, fwht, hd


def _numpy_offset(n, dtype):
    """An array like numpy's large ones: 16 bytes past a 64-byte boundary."""
    it = np.dtype(dtype).itemsize
    buf = empty_aligned(n + 64 // it, dtype)
    return buf[16 // it:16 // it + n]


def _methods(n, dtype, src):
    l2e = _core.ext.L2_BLOCK_BYTES // np.dtype(dtype).itemsize
    rows = max(1, n // l2e)
    a = empty_aligned(n, dtype)
    b = _numpy_offset(n, dtype)
    dst = empty_aligned(n, dtype)
    half = n // 2
    rot = structured_rotation(n, 2, seed=1)

    def sweep2(x):
        # one half on a second thread, the other on this one (numpy drops the GIL)
        lo, hi = x[:half], x[half:]
        t = threading.Thread(target=np.multiply, args=(lo, -1), kwargs={"out": lo})
        t.start()
        np.multiply(hi, -1, out=hi)
        t.join()

    def arithmetic(x):
        blk = x[:min(l2e, n)]
        for _ in range(rows):
            fwht(blk, out=blk, workers=1)

    # (label, array refilled before the call, the call)
    return [
        ("one sweep x *= -1", a, lambda x: np.multiply(x, -1, out=x)),
        ("one sweep, 2 threads", a, sweep2),
        ("np.copyto into a preallocated array", a, lambda x: np.copyto(dst, x)),
        ("fwht, 1 worker", a, lambda x: fwht(x, out=x, workers=1)),
        ("fwht, 2 workers", a, lambda x: fwht(x, out=x, workers=2)),
        ("fwht, numpy's array (16 B off), 1 worker", b, lambda x: fwht(x, out=x, workers=1)),
        ("fwht, numpy's array (16 B off), 2 workers", b, lambda x: fwht(x, out=x, workers=2)),
        ("pass 1 alone (rows of one L2 block), 1 worker", a,
         lambda x: fwht(x.reshape(rows, -1), out=x.reshape(rows, -1), workers=1)),
        ("arithmetic alone: one L2 block in L2, x R", a, arithmetic),
        ("pass 2 alone (axis 0 of the R x L2 view)", a,
         lambda x: fwht(x.reshape(rows, -1), axis=0, out=x.reshape(rows, -1), workers=1)),
        ("hd(seed, out=x), 1 worker", a, lambda x: hd(x, seed=3, out=x, workers=1)),
        ("hd(seed, out=x), 2 workers", a, lambda x: hd(x, seed=3, out=x, workers=2)),
        ("fwht(x) out of place, 2 workers", a, lambda x: fwht(x, workers=2)),
        ("2-block rotation (out of place), 2 workers", a, rot.apply),
        ("its inverse (out of place), 2 workers", a, rot.inverse),
    ], src


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--log2n", type=int, default=24)
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--dtype", choices=["float32", "float64"], action="append")
    args = p.parse_args(argv)
    if _core.ext is None:
        sys.exit(f"the C core is not in use: {_core.reason}")
    n = 1 << args.log2n
    for name in args.dtype or ["float32", "float64"]:
        dtype = np.dtype(name)
        src = np.random.default_rng(0).standard_normal(n).astype(dtype)
        methods, src = _methods(n, dtype, src)
        times = {label: [] for label, _, _ in methods}
        for _ in range(args.rounds):
            for label, arr, call in methods:
                np.copyto(arr, src)
                t = time.perf_counter()
                call(arr)
                times[label].append(time.perf_counter() - t)
        base = statistics.median(times["one sweep x *= -1"])
        print(f"{name}, 2^{args.log2n}, path {_core.ext.path()}, {args.rounds} rounds interleaved, "
              "medians; in place unless said")
        for label, ts in times.items():
            m = statistics.median(ts)
            print(f"  {label:48s} {m * 1e3:8.2f} ms  {m / base:5.2f}x")


if __name__ == "__main__":
    main()
