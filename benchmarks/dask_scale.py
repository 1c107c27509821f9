"""Benchmark: algdiv transforms and Monte Carlo on a dask.distributed cluster, 1 vs 2 workers.

Two workloads, each on a fresh ``LocalCluster`` of 1 and then 2 worker
processes (one thread each, ``--memory-limit`` per worker):

* **transform**: ``fwht(X, norm="ortho")`` of a lazily generated float64 array
  ``X`` of ``--rows x --n`` entries, several times larger than one worker's
  memory limit, reduced on the workers to ``sum(y^2)`` and checked against
  ``sum(x^2)`` (Parseval; nothing large is gathered).  Blocks are
  ``--block-rows x n``.
* **monte carlo**: ``algdiv.rotations.verify(..., client=client)``; the report
  rows of the 1- and 2-worker runs and of the in-memory run must be identical.

Worker processes are started with ``MALLOC_MMAP_THRESHOLD_=64 MiB`` added to
dask's ``distributed.nanny.pre-spawn-environ`` (``--stock-malloc`` leaves dask's
defaults): dask sets ``MALLOC_TRIM_THRESHOLD_=65536``, which pins glibc's mmap
threshold at 128 KiB, so every megabyte-sized temporary of a Monte Carlo batch
is a fresh ``mmap`` + page faults; that made one batch 4-5x slower on a
worker than in the client process on the machine measured.

Printed per run: wall time, and the peak resident memory of each worker
process (``ru_maxrss``; each cluster's workers are fresh processes, so the
peak is that run's).

    PYTHONPATH=. python benchmarks/dask_scale.py                     # 1 GiB array, 256 MiB workers
    PYTHONPATH=. python benchmarks/dask_scale.py --rows 1024 --json out.json

Run from the repository root.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time

import numpy as np


def _peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # Linux: KiB


def _cluster(workers, memory_limit):
    import distributed
    cluster = distributed.LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                                       memory_limit=memory_limit, dashboard_address=":0")
    client = distributed.Client(cluster, timeout=60)
    client.wait_for_workers(workers, timeout=60)
    return cluster, client


def _worker_peaks(client):
    return sorted(round(v, 1) for v in client.run(_peak_rss_mib).values())


def transform_run(workers, args):
    import dask.array as da
    from dask.utils import parse_bytes

    from algdiv.transforms import fwht
    cluster, client = _cluster(workers, args.memory_limit)
    try:
        base = _worker_peaks(client)
        X = da.random.default_rng(1).standard_normal((args.rows, args.n), chunks=(args.block_rows, args.n))
        Y = fwht(X, norm="ortho")
        t0 = time.perf_counter()
        ey, ex = client.compute([(Y * Y).sum(), (X * X).sum()], sync=True)
        wall = time.perf_counter() - t0
        peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    return dict(workload="transform", workers=workers, wall_s=round(wall, 3),
                array_mib=round(args.rows * args.n * 8 / 2**20, 1),
                block_mib=round(args.block_rows * args.n * 8 / 2**20, 1),
                worker_limit_mib=round(parse_bytes(args.memory_limit) / 2**20, 1),
                worker_idle_rss_mib=base, worker_peak_rss_mib=peaks,
                parseval_rel_err=float(abs(ey - ex) / ex))


def mc_run(workers, args, kw):
    from algdiv.rotations import verify
    if workers == 0:
        t0 = time.perf_counter()
        rep = verify(**kw)
        return rep, dict(workload="monte carlo", workers="in-memory", wall_s=round(time.perf_counter() - t0, 3),
                         self_peak_rss_mib=round(_peak_rss_mib(), 1))
    cluster, client = _cluster(workers, args.memory_limit)
    try:
        t0 = time.perf_counter()
        rep = verify(**kw, client=client, timeout=600)
        wall = time.perf_counter() - t0
        peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    return rep, dict(workload="monte carlo", workers=workers, wall_s=round(wall, 3), worker_peak_rss_mib=peaks)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2048)
    ap.add_argument("--n", type=int, default=1 << 16)
    ap.add_argument("--block-rows", type=int, default=16)
    ap.add_argument("--memory-limit", default="256MiB")
    ap.add_argument("--mc-dims", default="1024,4096")
    ap.add_argument("--mc-samples", type=int, default=200_000)
    ap.add_argument("--json", default=None)
    ap.add_argument("--stock-malloc", action="store_true",
                    help="keep dask's worker malloc settings (no MALLOC_MMAP_THRESHOLD_)")
    args = ap.parse_args(argv)
    if not args.stock_malloc:
        import dask
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 1 << 26})

    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, {platform.machine()}, "
          f"{'stock dask malloc settings' if args.stock_malloc else 'MALLOC_MMAP_THRESHOLD_=64 MiB on workers'}")
    results = []
    for w in (1, 2):
        r = transform_run(w, args)
        results.append(r)
        print(json.dumps(r))

    kw = dict(dims=tuple(int(d) for d in args.mc_dims.split(",")), inputs=("e1", "flat"),
              samples=args.mc_samples, seed=0, w2_samples=0, controls=True)
    reports = []
    for w in (0, 1, 2):
        rep, r = mc_run(w, args, kw)
        reports.append([(q["check"], q["input"], q["d"], q["value"]) for q in rep.rows])
        results.append(r)
        print(json.dumps(r))
    same = reports[0] == reports[1] == reports[2]
    print(f"monte carlo reports identical (in-memory, 1 worker, 2 workers): {same}")
    t = [r["wall_s"] for r in results if r["workload"] == "transform"]
    m = [r["wall_s"] for r in results if r["workload"] == "monte carlo" and r["workers"] != "in-memory"]
    print(f"speed-up of 2 workers over 1: transform {t[0] / t[1]:.2f}x, monte carlo {m[0] / m[1]:.2f}x")
    if args.json:
        path = os.path.abspath(args.json)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(dict(results=results, identical=same), fh, indent=2)
        os.replace(tmp, path)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
