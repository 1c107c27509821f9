"""Benchmark algdiv's FWHT against every installed peer (not a test).

Usage::

    bash benchmarks/install_peers.sh          # once: installs the peers it can
    python benchmarks/fwht.py                 # full run, float32 and float64
    python benchmarks/fwht.py --quick         # a short run (fewer samples, no 2^24)
    python benchmarks/fwht.py --markdown      # tables as markdown (docs/engine.md)

Cases: single vectors 2^10, 2^16, 2^20, 2^24 and batches 4096x256, 1024x4096,
64x65536 along the last axis.  Each cell is the median over samples (and the
minimum, in a second table) in ms, followed by three ratios: to the fastest
peer (1-thread peers for 1-thread rows; every peer, at its default threads,
for multi-thread rows), to ``np.copyto`` into a preallocated array, and to one
in-place sweep ``x *= -1`` (``np.copy`` of a fresh array pays page faults, a
poor floor at 2^24).  Before any timing every peer's output is checked against
algdiv's (each peer's scale undone) and algdiv's against a float64 radix-2
butterfly; a peer that disagrees is reported and left out of the comparison.

Timing: the methods of one case are interleaved round-robin (sample 1 of every
method, then sample 2, ...), so load that comes and goes on a shared machine
spreads over all of them.  2 warm-up calls, then samples that each average
enough calls to take at least 2 ms (0.5 ms with --quick).  In-place methods get
a fresh copy of the input before each sample, outside the timing.  Peers run
with OMP_WAIT_POLICY=passive and OPENBLAS_NUM_THREADS=1 (several OpenMP
runtimes in one process spin against each other otherwise).  The kernel path
(AVX-512, AVX2, portable) is chosen per process: ALGDIV_CORE_PATH=avx512 runs
this script on the AVX-512 path (switching paths between calls inside one
process measured misleading figures).
"""
from __future__ import annotations

import os

os.environ["OMP_WAIT_POLICY"] = "passive"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from algdiv import _core  # noqa: E402
from algdiv.transforms import fwht, hd  # noqa: E402

CASES = [
    ("2^10", (1 << 10,)),
    ("2^16", (1 << 16,)),
    ("2^20", (1 << 20,)),
    ("2^24", (1 << 24,)),
    ("4096x256", (4096, 256)),
    ("1024x4096", (1024, 4096)),
    ("64x65536", (64, 65536)),
]


def _try_import(name):
    try:
        return importlib.import_module(name)
    except Exception:
        return None


# ---------------------------------------------------------------------------
# methods: name -> (threads, kind, factory); factory(x) -> (call, scale) or None
#   kind "floor" | "algdiv" | "peer";  call() runs once on the prepared state;
#   "inplace" methods transform the buffer they are handed.
# ---------------------------------------------------------------------------
class Method:
    def __init__(self, name, threads, kind, inplace, make, scale=1.0, applies=None):
        self.name, self.threads, self.kind, self.inplace = name, threads, kind, inplace
        self.make = make          # make(buf) -> zero-argument callable returning the result
        self.scale = scale        # scale(n): multiply the output by this to get the unnormalized WHT
        self.applies = applies or (lambda x: True)


def methods():
    M = []
    ext = _core.ext
    M.append(Method("np.copy (floor)", 1, "floor", False, lambda b: (lambda: np.copy(b))))

    def copyto(b):
        dst = np.empty_like(b)
        return lambda: np.copyto(dst, b)
    M.append(Method("np.copyto prealloc", 1, "floor", False, copyto))

    def negate(b):
        def f():
            np.multiply(b, -1, out=b)
            return b
        return f
    M.append(Method("x *= -1 (1 sweep)", 1, "floor", True, negate))

    def negate2(b):
        # the plain two-thread sweep: each half on its own thread (numpy drops the GIL)
        h = b.shape[0] // 2
        lo, hi = b[:h], b[h:]

        def f():
            t = threading.Thread(target=np.multiply, args=(lo, -1), kwargs={"out": lo})
            t.start()
            np.multiply(hi, -1, out=hi)
            t.join()
            return b
        return f
    M.append(Method("x *= -1, 2 threads", 2, "floor", True, negate2))

    M.append(Method("algdiv fwht", 1, "algdiv", False, lambda b: (lambda: fwht(b, workers=1))))
    M.append(Method("algdiv fwht(out=x)", 1, "algdiv", True,
                    lambda b: (lambda: fwht(b, out=b, workers=1))))
    # the public call as a user makes it: workers=None uses every CPU above 2^18 elements
    ncpu = _core.cpu_count()
    M.append(Method("algdiv fwht default", ncpu, "algdiv", False, lambda b: (lambda: fwht(b))))
    M.append(Method("algdiv fwht(out=x) default", ncpu, "algdiv", True,
                    lambda b: (lambda: fwht(b, out=b))))
    from algdiv.rotations import structured_rotation
    M.append(Method("algdiv hd(seed, out=x) default", ncpu, "fused", True,
                    lambda b: (lambda: hd(b, seed=1, out=b)), applies=lambda x: x.ndim == 1))
    M.append(Method("algdiv 2-block rotation default", ncpu, "fused", False,
                    lambda b: (lambda r=structured_rotation(b.shape[-1], 2, seed=1): r.apply(b)),
                    applies=lambda x: x.ndim == 1))
    if ext is not None:
        M.append(Method("algdiv kernel", 1, "algdiv", False, lambda b: (lambda: ext.wht(b, 1.0, 1))))
        M.append(Method("algdiv kernel in-place", 1, "algdiv", True,
                        lambda b: (lambda: ext.execute(b, b, -1, 1.0, 0, 1))))
        M.append(Method("algdiv kernel 2T", 2, "algdiv", False, lambda b: (lambda: ext.wht(b, 1.0, 2))))
        M.append(Method("algdiv kernel in-place 2T", 2, "algdiv", True,
                        lambda b: (lambda: ext.execute(b, b, -1, 1.0, 0, 2))))

    ffht = _try_import("ffht")
    if ffht is not None:
        def ffht_(threads):
            def mk(b):
                def f():
                    ffht.fht_(b, threads)
                    return b
                return f
            return mk
        M.append(Method("ffht-unofficial fht_", 1, "peer", True, ffht_(1)))
        M.append(Method("ffht-unofficial fht_ 2T", 2, "peer", True, ffht_(2),
                        applies=lambda x: x.ndim == 2))
    fc = _try_import("fht_cpu")
    if fc is not None:
        M.append(Method("fht_cpu", 1, "peer", True,
                        lambda b: (lambda: fc.fht(b, inplace=True, num_threads=1))))
        M.append(Method("fht_cpu out-of-place", 1, "peer", False,
                        lambda b: (lambda: fc.fht(b, inplace=False, num_threads=1))))
        M.append(Method("fht_cpu 2T", 2, "peer", True,
                        lambda b: (lambda: fc.fht(b, inplace=True, num_threads=2)),
                        applies=lambda x: x.ndim == 2))
    pf = _try_import("pyfwht")
    if pf is not None:
        def pf_transform(b):
            def f():
                pf.transform(b, backend=pf.Backend.CPU)
                return b
            return f
        M.append(Method("pyfwht.transform (f64, 1-D)", 1, "peer", True, pf_transform,
                        applies=lambda x: x.ndim == 1 and x.dtype == np.float64))
        M.append(Method("pyfwht.fwht", 1, "peer", False,
                        lambda b: (lambda: pf.fwht(b, backend="cpu")),
                        applies=lambda x: x.ndim == 1 or x.dtype == np.float64))
    qf = _try_import("qmcpy.fast_transform")
    if qf is not None:
        M.append(Method("qmcpy fwht", 1, "peer", False, lambda b: (lambda: qf.fwht(b)),
                        scale=lambda n: np.sqrt(n), applies=lambda x: x.size <= (1 << 22)))
    torch = _try_import("torch")
    ht = _try_import("hadamard_transform") if torch is not None else None
    if ht is not None:
        def ht_mk(b):
            t = torch.from_numpy(b)
            return lambda: ht.hadamard_transform(t).numpy()
        M.append(Method("hadamard-transform (torch)", torch.get_num_threads(), "peer", False, ht_mk,
                        scale=lambda n: np.sqrt(n), applies=lambda x: x.size <= (1 << 22)))
    sp = _try_import("sympy.discrete.transforms")
    if sp is not None:
        M.append(Method("sympy fwht", 1, "peer", False,
                        lambda b: (lambda: np.array(sp.fwht(list(b)), dtype=b.dtype)),
                        applies=lambda x: x.ndim == 1 and x.size <= 1024))
    import scipy.linalg

    def dense(b):
        H = scipy.linalg.hadamard(b.shape[-1]).astype(b.dtype)
        return lambda: b @ H
    M.append(Method("scipy.linalg.hadamard @", 1, "peer", False, dense,
                    applies=lambda x: x.shape[-1] <= 1024 or (x.ndim == 2 and x.shape[-1] <= 4096)))
    return M


# ---------------------------------------------------------------------------
def radix2_f64(x):
    y = np.array(x, dtype=np.float64)
    n = y.shape[-1]
    h = 1
    while h < n:
        v = y.reshape(y.shape[:-1] + (n // (2 * h), 2, h))
        a = v[..., 0, :].copy()
        v[..., 0, :] += v[..., 1, :]
        v[..., 1, :] = a - v[..., 1, :]
        h *= 2
    return y


def rel_err(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


class _Timer:
    """One method's state for interleaved sampling: its buffer, call and calls per sample."""

    def __init__(self, m, x, min_time):
        self.m, self.x = m, x
        self.buf = x.copy()
        self.call = m.make(self.buf)
        for _ in range(2):
            self._reset()
            self.call()
        self._reset()
        t0 = time.perf_counter()
        self.call()
        one = max(time.perf_counter() - t0, 1e-7)
        self.reps = max(1, int(min_time / one))
        self.res = []

    def _reset(self):
        if self.m.inplace:
            np.copyto(self.buf, self.x)

    def sample(self):
        self._reset()
        t0 = time.perf_counter()
        for _ in range(self.reps):
            self.call()
        self.res.append((time.perf_counter() - t0) / self.reps)

    def result(self):
        return float(np.median(self.res)) * 1e3, float(np.min(self.res)) * 1e3


def run(args):
    rng = np.random.default_rng(0)
    dtypes = [np.float32, np.float64] if not args.dtype else [np.dtype(args.dtype).type]
    cases = [c for c in CASES if not (args.quick and c[0] == "2^24")]
    if args.cases:
        cases = [c for c in CASES if c[0] in args.cases.split(",")]
    min_time = 0.0005 if args.quick else 0.002
    samples = 3 if args.quick else args.samples
    M = methods()
    results = {}
    for dt in dtypes:
        dname = np.dtype(dt).name
        results[dname] = {}
        for label, shape in cases:
            x = rng.standard_normal(shape).astype(dt)
            n = shape[-1]
            ours = fwht(x)
            tol = 2e-6 if dt == np.float32 else 1e-13
            if not (args.quick and x.size > (1 << 22)):
                e = rel_err(ours, radix2_f64(x))
                if e > tol * max(1, np.log2(n)):
                    print(f"!! algdiv disagrees with the radix-2 reference at {dname} {label}: {e:.2e}")
            timers = []
            for m in M:
                if not m.applies(x):
                    continue
                try:
                    buf = x.copy()
                    out = m.make(buf)()
                    if m.kind not in ("floor", "fused"):
                        s = m.scale(n) if callable(m.scale) else m.scale
                        err = rel_err(np.asarray(out, dtype=np.float64) * s, ours)
                        if err > tol * max(1, np.log2(n)) * 4:
                            print(f"!! {m.name} disagrees with algdiv at {dname} {label}: "
                                  f"rel err {err:.2e}; left out")
                            continue
                    timers.append(_Timer(m, x, min_time))
                except Exception as exc:  # a peer that refuses this case
                    if m.kind == "algdiv":
                        raise
                    print(f"-- {m.name} skipped at {dname} {label}: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:80] if str(exc) else ''}")
                    continue
            for _ in range(samples):          # round-robin: one sample of each method per round
                for t in timers:
                    t.sample()
            row = {t.m.name: t.result() for t in timers}
            results[dname][label] = row
            done = ", ".join(f"{k}={v[0]:.4g}" for k, v in row.items() if k in (
                "x *= -1 (1 sweep)", "algdiv kernel", "algdiv kernel in-place"))
            print(f"   {dname} {label}: {done}", flush=True)
    return M, cases, results


def fastest_peer(M, row, threads, which=0):
    """The fastest peer in a case's row: among 1-thread peers for threads == 1, else among
    the peers at their default threads (a peer's "2T" row replaces its 1-thread row)."""
    kinds = {m.name: m for m in M}
    peer = [v[which] for k, v in row.items()
            if k in kinds and kinds[k].kind == "peer"
            and (kinds[k].threads == 1 if threads == 1 else f"{k} 2T" not in row)]
    return min(peer) if peer else None


def fmt_tables(M, cases, results, markdown, which=0):
    lines = []
    for dname, res in results.items():
        title = (f"{dname}: {'median' if which == 0 else 'minimum'} ms "
                 "(/ fastest peer | / np.copyto | / x *= -1)")
        lines.append("")
        lines.append(f"**{title}**" if markdown else title)
        head = ["method", "thr"] + [c[0] for c in cases]
        if markdown:
            lines.append("| " + " | ".join(head) + " |")
            lines.append("|" + "---|" * len(head))
        else:
            lines.append(f"{'method':<34}{'thr':>4}" + "".join(f" {c[0]:>30}" for c in cases))
        for m in M:
            if not any(m.name in res.get(c[0], {}) for c in cases):
                continue
            cells = []
            for label, _ in cases:
                row = res.get(label, {})
                v = row.get(m.name)
                if v is None:
                    cells.append("-")
                    continue
                peer = fastest_peer(M, row, m.threads, which)
                cp = row.get("np.copyto prealloc", (np.nan, np.nan))[which]
                sw = row.get("x *= -1 (1 sweep)", (np.nan, np.nan))[which]
                pr = f"{v[which] / peer:.2f}" if peer else "-"
                cells.append(f"{v[which]:.4g} ({pr} | {v[which] / cp:.2f} | {v[which] / sw:.2f})")
            if markdown:
                lines.append(f"| {m.name} | {m.threads} | " + " | ".join(cells) + " |")
            else:
                lines.append(f"{m.name:<34}{m.threads:>4}" + "".join(f" {c:>30}" for c in cells))
    return "\n".join(lines)


def goals(M, results):
    """The engine's goals, each with its measured figure and met / not met."""
    out = []
    yes = {True: "met", False: "NOT met"}
    for dname, res in results.items():
        for label, row in res.items():
            p1, pd = fastest_peer(M, row, 1), fastest_peer(M, row, 2)
            sw = row.get("x *= -1 (1 sweep)", (np.nan,))[0]
            one = min(row[k][0] for k in ("algdiv fwht", "algdiv fwht(out=x)") if k in row)
            dflt = min(row[k][0] for k in ("algdiv fwht default", "algdiv fwht(out=x) default")
                       if k in row)
            s = f"{dname:8s} {label:10s} 1 worker {one:.4g} ms"
            if p1:
                s += f" = {one / p1:.2f}x fastest 1-thread peer ({yes[one / p1 <= 0.9]}, <= 0.9)"
            s += f"; default workers {dflt:.4g} ms"
            if pd:
                s += f" = {dflt / pd:.2f}x fastest peer at its default threads ({yes[dflt / pd <= 0.9]})"
            out.append(s)
            if label == "2^24":
                ip = row["algdiv fwht(out=x) default"][0]
                out.append(f"{dname:8s} 2^24 in place, default workers: {ip / sw:.2f}x the in-place "
                           f"sweep ({yes[ip / sw <= 3.0]}, <= 3.0)")
                k1, k2 = row.get("algdiv kernel in-place"), row.get("algdiv kernel in-place 2T")
                s1, s2 = row.get("x *= -1 (1 sweep)"), row.get("x *= -1, 2 threads")
                if k1 and k2 and s1 and s2:
                    a, b = k1[0] / k2[0], s1[0] / s2[0]
                    out.append(f"{dname:8s} 2^24 two workers: {a:.2f}x one worker; plain two-thread "
                               f"sweep {b:.2f}x one thread ({yes[a >= b]})")
                bare_ip = row["algdiv fwht(out=x) default"][0]
                bare_op = row["algdiv fwht default"][0]
                if "algdiv hd(seed, out=x) default" in row:
                    r = row["algdiv hd(seed, out=x) default"][0] / bare_ip
                    out.append(f"{dname:8s} 2^24 hd(seed) in place: {r:.2f}x bare fwht ({yes[r <= 1.3]}, <= 1.3)")
                if "algdiv 2-block rotation default" in row:
                    r = row["algdiv 2-block rotation default"][0] / bare_op
                    out.append(f"{dname:8s} 2^24 two-block rotation: {r:.2f}x bare fwht out of place "
                               f"({yes[r <= 1.3]}, <= 1.3)")
            if label == "2^10" and p1:
                pub = row["algdiv fwht"][0]
                out.append(f"{dname:8s} 2^10 call overhead: public fwht {pub / p1:.2f}x the fastest "
                           f"peer ({yes[pub <= p1]}, <= 1.0)")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run: 3 samples, no 2^24")
    ap.add_argument("--samples", type=int, default=9, help="samples per cell (default 9)")
    ap.add_argument("--dtype", default=None, help="only this dtype (float32 or float64)")
    ap.add_argument("--cases", default=None, help="comma-separated case labels, e.g. 2^10,4096x256")
    ap.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    ap.add_argument("--json", default=None, help="also write the raw results to this file")
    args = ap.parse_args(argv)
    print(f"# algdiv FWHT benchmark: kernel path {_core.path()}, {_core.cpu_count()} CPU(s), "
          f"{platform.processor() or platform.machine()}, numpy {np.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    M, cases, results = run(args)
    print(fmt_tables(M, cases, results, args.markdown, 0))
    print(fmt_tables(M, cases, results, args.markdown, 1))
    print("\nGoals (medians):")
    print(goals(M, results))
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(results, fh, indent=1)
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
