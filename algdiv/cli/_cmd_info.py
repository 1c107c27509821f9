"""``algdiv info``: the kernel path, threads, GPU status and versions."""
from __future__ import annotations

import json
import sys

__all__ = ["register", "run", "TOUR_STEPS"]


def run(args) -> int:
    from .._config import config_dict, show_config

    if args.json:
        print(json.dumps(config_dict(gpu=not args.no_gpu), indent=2))
    else:
        show_config(file=sys.stdout, gpu=not args.no_gpu)
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "info",
        help="show the active kernel path (AVX2, portable or numpy), threads, GPU and versions",
        description="Print the configuration algdiv runs with: the kernel path of the C core (AVX2, "
        "portable C or the numpy fallback), the thread count, the GPU (if CuPy finds one) and the versions "
        "of algdiv and its dependencies.",
    )
    p.add_argument("--json", action="store_true", help="print the configuration as JSON")
    p.add_argument("--no-gpu", action="store_true", help="do not query the GPU (skips importing cupy)")
    p.set_defaults(func=run)


def _tour_info(out) -> None:
    import time

    import numpy as np

    from .._config import show_config
    from ..transforms import fwht

    show_config(file=out, gpu=False)
    x = np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32)
    fwht(x)
    t0 = time.perf_counter()
    y = fwht(x, norm="ortho")
    dt = time.perf_counter() - t0
    err = float(np.linalg.norm(fwht(y, norm="ortho") - x) / np.linalg.norm(x))
    print(f"fwht of 2^20 float32: {dt * 1e3:.2f} ms, round-trip error {err:.1e}", file=out)


TOUR_STEPS = [("info", _tour_info)]
