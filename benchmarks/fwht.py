"""Benchmark algdiv's FWHT against every installed peer (not a test).

Usage::

    bash benchmarks/install_peers.sh          # once: installs the peers it can
    python benchmarks/fwht.py                 # full run, float32 and float64
    python benchmarks/fwht.py --quick         # a short run (fewer samples, no 2^24)
    python benchmarks/fwht.py --markdown      # tables as markdown (docs/engine.md)

Cases: single vectors 2^10, 2^16, 2^20, 2^24 and batches 4096x256, 1024x4096,
64x65536 along the last axis.  Each cell is the median over samples (and the
minimum, in a second table) in ms, with the ratio to ``np.copy`` of the same
array; algdiv's rows also give the ratio to the fastest peer of the same kind
(1 thread).  Before any timing every peer's output is checked against
algdiv's (each peer's scale undone) and algdiv's against a float64 radix-2
butterfly; a peer that disagrees is reported and left out of the comparison.

Timing: 2 warm-up calls, then samples that each average enough calls to take
at least 2 ms (0.5 ms with --quick).  In-place methods get a fresh copy of the
input before each sample, outside the timing.  Peers run with
OMP_WAIT_POLICY=passive and OPENBLAS_NUM_THREADS=1 (several OpenMP runtimes in
one process spin against each other otherwise).
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
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from algdiv import _core  # noqa: E402
from algdiv.transforms import fwht  # noqa: E402

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

    M.append(Method("algdiv fwht", 1, "algdiv", False, lambda b: (lambda: fwht(b, workers=1))))
    M.append(Method("algdiv fwht(out=x)", 1, "algdiv", True,
                    lambda b: (lambda: fwht(b, out=b, workers=1))))
    # the public call as a user makes it: workers=None uses every CPU above 2^18 elements
    ncpu = _core.cpu_count()
    M.append(Method("algdiv fwht default", ncpu, "algdiv", False, lambda b: (lambda: fwht(b))))
    M.append(Method("algdiv fwht(out=x) default", ncpu, "algdiv", True,
                    lambda b: (lambda: fwht(b, out=b))))
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


def time_method(m, x, min_time, samples):
    buf = x.copy()
    call = m.make(buf)
    for _ in range(2):
        if m.inplace:
            np.copyto(buf, x)
        call()
    # calls per sample
    if m.inplace:
        np.copyto(buf, x)
    t0 = time.perf_counter()
    call()
    one = max(time.perf_counter() - t0, 1e-7)
    reps = max(1, int(min_time / one))
    res = []
    for _ in range(samples):
        if m.inplace:
            np.copyto(buf, x)
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        res.append((time.perf_counter() - t0) / reps)
    return float(np.median(res)) * 1e3, float(np.min(res)) * 1e3


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
            row = {}
            for m in M:
                if not m.applies(x):
                    continue
                try:
                    buf = x.copy()
                    out = m.make(buf)()
                    if m.kind != "floor":
                        s = m.scale(n) if callable(m.scale) else m.scale
                        err = rel_err(np.asarray(out, dtype=np.float64) * s, ours)
                        if err > tol * max(1, np.log2(n)) * 4:
                            print(f"!! {m.name} disagrees with algdiv at {dname} {label}: "
                                  f"rel err {err:.2e}; left out")
                            continue
                    row[m.name] = time_method(m, x, min_time, samples)
                except Exception as exc:  # a peer that refuses this case
                    if m.kind == "algdiv":
                        raise
                    print(f"-- {m.name} skipped at {dname} {label}: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:80] if str(exc) else ''}")
                    continue
            results[dname][label] = row
            done = ", ".join(f"{k}={v[0]:.4g}" for k, v in row.items() if k in (
                "np.copy (floor)", "algdiv kernel", "algdiv kernel in-place"))
            print(f"   {dname} {label}: {done}", flush=True)
    return M, cases, results


def fmt_tables(M, cases, results, markdown, which=0):
    lines = []
    for dname, res in results.items():
        title = f"{dname}: {'median' if which == 0 else 'minimum'} ms (x np.copy; algdiv rows: / fastest 1-thread peer)"
        lines.append("")
        lines.append(f"**{title}**" if markdown else title)
        head = ["method", "thr"] + [c[0] for c in cases]
        if markdown:
            lines.append("| " + " | ".join(head) + " |")
            lines.append("|" + "---|" * len(head))
        else:
            lines.append(f"{'method':<28}{'thr':>4}" + "".join(f"{c[0]:>24}" for c in cases))
        best_peer = {}
        for label, _ in cases:
            peer = [v[which] for k, v in res.get(label, {}).items()
                    if any(m.name == k and m.kind == "peer" and m.threads == 1 for m in M)]
            best_peer[label] = min(peer) if peer else None
        for m in M:
            if not any(m.name in res.get(c[0], {}) for c in cases):
                continue
            cells = []
            for label, _ in cases:
                v = res.get(label, {}).get(m.name)
                if v is None:
                    cells.append("-")
                    continue
                copy = res[label].get("np.copy (floor)", (np.nan, np.nan))[which]
                s = f"{v[which]:.4g} ({v[which] / copy:.2f})"
                if m.kind == "algdiv" and best_peer[label]:
                    s += f" [{v[which] / best_peer[label]:.2f}]"
                cells.append(s)
            if markdown:
                lines.append(f"| {m.name} | {m.threads} | " + " | ".join(cells) + " |")
            else:
                lines.append(f"{m.name:<28}{m.threads:>4}" + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def goals(results):
    out = []
    for dname, res in results.items():
        for label, row in res.items():
            peers = {k: v[0] for k, v in row.items() if k.split()[0] not in ("np.copy", "np.copyto",
                     "x", "algdiv") and not k.endswith("2T")}
            best = min(peers.values()) if peers else None
            ours = min(row[k][0] for k in ("algdiv kernel", "algdiv kernel in-place") if k in row) \
                if any(k in row for k in ("algdiv kernel", "algdiv kernel in-place")) else None
            if ours is None:
                continue
            pub = row.get("algdiv fwht", (np.nan,))[0]
            s = f"{dname:8s} {label:10s} algdiv kernel best {ours:.4g} ms, public fwht {pub:.4g} ms"
            if best:
                s += f", fastest peer {best:.4g} ms ({min(peers, key=peers.get)}): x{ours / best:.2f}"
            out.append(s)
    f32 = results.get("float32", {}).get("2^24")
    if f32:
        c = f32["np.copy (floor)"][0]
        out.append(f"2^24 float32, 1 thread: in place {f32['algdiv kernel in-place'][0] / c:.2f}x "
                   f"np.copy (goal <= 1.0), out of place {f32['algdiv kernel'][0] / c:.2f}x "
                   f"(goal <= 1.5)")
        if "algdiv fwht default" in f32:
            out.append(f"2^24 float32, public fwht with default workers ({_core.cpu_count()} "
                       f"CPUs): in place {f32['algdiv fwht(out=x) default'][0] / c:.2f}x np.copy, "
                       f"out of place {f32['algdiv fwht default'][0] / c:.2f}x")
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
    print(goals(results))
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(results, fh, indent=1)
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
