"""Per-call time of the public fwht family at n = 2^10, source trees side by side.

Each round runs one fresh process per source tree (``--trees A B ...``, default:
this checkout), in round-robin order, and each process times every call below
(``--calls`` calls in blocks of 50, the median block gives the per-call time)
on 64-byte aligned inputs (the heap layout, hence the alignment numpy gives,
differs between trees and moves the kernel time by up to 20% at 2^10).
The table prints, per call, the median over rounds for every tree and the
ratio to the first tree.  Used to check that argument validation costs the
fast path nothing measurable::

    python benchmarks/call_overhead.py --trees /path/to/old/checkout .
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, statistics, sys, time
import numpy as np
from algdiv.transforms import fwht, ifwht, hd
calls = int(sys.argv[1])

def aligned(a):     # 64-byte aligned copies: the heap layout differs between trees
    buf = np.empty(a.nbytes + 64, dtype=np.uint8)
    off = (-buf.ctypes.data) % 64
    b = buf[off:off + a.nbytes].view(a.dtype).reshape(a.shape)
    b[...] = a
    return b

x = aligned(np.random.default_rng(0).standard_normal(1024))
x32 = aligned(x.astype(np.float32))
X = aligned(np.random.default_rng(1).standard_normal((4, 1024)))
cases = {
    "fwht(x)": lambda: fwht(x),
    "fwht(x32)": lambda: fwht(x32),
    "fwht(x, norm='ortho')": lambda: fwht(x, norm="ortho"),
    "fwht(x, workers=1)": lambda: fwht(x, workers=1),
    "ifwht(x)": lambda: ifwht(x),
    "fwht(X 4x1024)": lambda: fwht(X),
    "hd(x, seed=1)": lambda: hd(x, seed=1),
}
res = {}
for name, f in cases.items():
    for _ in range(200):
        f()
    blocks = []
    for _ in range(max(1, calls // 50)):
        t0 = time.perf_counter()
        for _ in range(50):
            f()
        blocks.append((time.perf_counter() - t0) / 50)
    res[name] = statistics.median(blocks)
print(json.dumps(res))
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", nargs="+", default=[os.getcwd()],
                    help="source trees (each with algdiv/ built in place); the first is the baseline")
    ap.add_argument("--rounds", type=int, default=7, help="round-robin rounds (default 7)")
    ap.add_argument("--calls", type=int, default=3000, help="calls per case per process (default 3000)")
    args = ap.parse_args(argv)
    trees = [os.path.abspath(t) for t in args.trees]
    per = {t: [] for t in trees}
    for r in range(args.rounds):
        order = trees if r % 2 == 0 else trees[::-1]
        for t in order:
            env = dict(os.environ, PYTHONPATH=t)
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.calls)], cwd=t, env=env,
                                 capture_output=True, text=True, check=True).stdout
            per[t].append(json.loads(out.strip().splitlines()[-1]))
    names = list(per[trees[0]][0])
    head = f"{'call':<24}" + "".join(f"{os.path.basename(t) or t:>14}" for t in trees)
    head += "".join(f"{'ratio ' + str(i):>10}" for i in range(1, len(trees)))
    print(f"median per-call time in microseconds over {args.rounds} rounds of {args.calls} calls")
    print(head)
    for name in names:
        med = [statistics.median(d[name] for d in per[t]) * 1e6 for t in trees]
        row = f"{name:<24}" + "".join(f"{m:>14.2f}" for m in med)
        row += "".join(f"{m / med[0]:>10.3f}" for m in med[1:])
        print(row)


if __name__ == "__main__":
    main()
