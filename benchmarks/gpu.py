"""Benchmark algdiv's CUDA kernels against a device-to-device copy (not a test).

Usage::

    python benchmarks/gpu.py              # about 1 GiB per array
    python benchmarks/gpu.py --quick      # 256 MiB per array, fewer sizes and samples
    python benchmarks/gpu.py --markdown   # tables as markdown (docs/benchmarks.md)

Rows:

* ``copy``: ``cudaMemcpyAsync`` device to device of the same bytes (the floor);
* ``fwht``: rows x 2^k (k = 7..15, 16, 20) and rows x m 2^k, float16, bfloat16 (uint16
  storage through the internal entry point), float32, float64, ``norm="ortho"``;
* ``rot2``: the fused two-block rotation ``H D2 H D1 / d`` (signs generated in the kernel)
  beside two separate ``hd`` launches (``2 x hd``);
* ``itq3s``: the fused ITQ3_S dequantize + inverse FWHT-256 (random valid blocks), floor =
  a copy moving the same total bytes (read + write).

Each cell: median ms over samples (CUDA events, after warm-up), GB/s counting the bytes
read plus written, and the ratio to the copy.  Before timing, every configuration's output
on the first rows is checked against the CPU engine (float32/float64 1e-6 norm-wise,
half types 1e-2 against the float32 transform of the upcast input); a failed check is
printed and the row left out.  Without a usable CUDA device it prints why and exits 2.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import algdiv.gpu  # noqa: E402
from algdiv.transforms import fwht, hd  # noqa: E402


def _timer(cp, fn, samples, warmup=2):
    for _ in range(warmup):
        fn()
    cp.cuda.Device().synchronize()
    start, stop = cp.cuda.Event(), cp.cuda.Event()
    times = []
    for _ in range(samples):
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, stop))
    return float(np.median(times))


def _copy_ms(cp, nbytes, samples):
    a = cp.empty(nbytes, dtype=cp.uint8)
    b = cp.empty_like(a)
    a.fill(1)
    return _timer(cp, lambda: b.data.copy_from_device_async(a.data, nbytes), samples)


def _rel_err(y, ref):
    y = np.asarray(y, dtype=np.float64)
    return float((np.linalg.norm(y - ref, axis=-1) / np.linalg.norm(ref, axis=-1)).max())


def _bf16_bits(x32):
    u = x32.view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def _bf16_float(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


class Bench:
    def __init__(self, cp, gib, samples, markdown):
        self.cp, self.bytes, self.samples, self.md = cp, int(gib * (1 << 30)), samples, markdown
        self.rows = []
        self.copy_cache = {}

    def copy(self, nbytes):
        if nbytes not in self.copy_cache:
            self.copy_cache[nbytes] = _copy_ms(self.cp, nbytes, self.samples)
        return self.copy_cache[nbytes]

    def add(self, kind, dtype, shape, ms, moved, floor_bytes):
        floor = self.copy(floor_bytes)
        self.rows.append((kind, dtype, shape, ms, moved / ms / 1e6, ms / floor, floor))

    def report(self, device):
        head = ("kind", "dtype", "shape", "ms", "GB/s", "x copy", "copy ms")
        print(f"\ndevice: {device}")
        if self.md:
            print("| " + " | ".join(head) + " |")
            print("|" + "---|" * len(head))
            for r in self.rows:
                print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.3f} | {r[4]:.0f} | {r[5]:.2f} | {r[6]:.3f} |")
        else:
            print(f"{head[0]:<8}{head[1]:<10}{head[2]:<18}{head[3]:>10}{head[4]:>9}{head[5]:>8}{head[6]:>10}")
            for r in self.rows:
                print(f"{r[0]:<8}{r[1]:<10}{r[2]:<18}{r[3]:>10.3f}{r[4]:>9.0f}{r[5]:>8.2f}{r[6]:>10.3f}")


def bench_fwht(b, sizes, dtypes):
    cp = b.cp
    from algdiv.gpu._dispatch import wht_rows
    for dt in dtypes:
        item = 8 if dt == "float64" else (4 if dt == "float32" else 2)
        for n in sizes:
            rows = max(1, b.bytes // (n * item))
            rng = np.random.default_rng(n)
            head = rng.standard_normal((min(rows, 8), n)).astype(np.float32)
            if dt == "bfloat16":
                bits = _bf16_bits(head)
                x = cp.empty((rows, n), dtype=cp.uint16)
                x[:head.shape[0]] = cp.asarray(bits)
                y = cp.empty_like(x)
                run = lambda: wht_rows(cp, x, y, "bfloat16", scale=1 / np.sqrt(n))
                run()
                got = _bf16_float(cp.asnumpy(y[:head.shape[0]]))
                ref = fwht(_bf16_float(bits).astype(np.float64), norm="ortho")
                tol = 1e-2
            else:
                x = cp.empty((rows, n), dtype=dt)
                x[:head.shape[0]] = cp.asarray(head.astype(dt))
                out = cp.empty_like(x)
                run = lambda: fwht(x, norm="ortho", out=out)
                run()
                got = cp.asnumpy(out[:head.shape[0]])
                ref = fwht(head.astype(dt).astype(np.float64), norm="ortho")
                tol = 1e-2 if dt == "float16" else 1e-6
            err = _rel_err(got, ref)
            if not err <= tol:
                print(f"CHECK FAILED fwht {dt} n={n}: error {err:.3e} > {tol}", file=sys.stderr)
                continue
            x[head.shape[0]:] = 0x3F00 if dt == "bfloat16" else 0.5   # 0.5 everywhere else
            ms = _timer(cp, run, b.samples)
            nbytes = rows * n * item
            b.add("fwht", dt, f"{rows}x{n}", ms, 2 * nbytes, nbytes)
            del x


def bench_rot2(b, sizes, dtypes):
    cp = b.cp
    for dt in dtypes:
        item = 4 if dt == "float32" else 2
        for d in sizes:
            rows = max(1, b.bytes // (d * item))
            head = np.random.default_rng(d).standard_normal((8, d)).astype(dt)
            x = cp.empty((rows, d), dtype=dt)
            x[:8] = cp.asarray(head)
            x[8:] = 0.5
            ref = hd(hd(head.astype(np.float64), seed=5, stream=0), seed=5, stream=1)
            got = cp.asnumpy(algdiv.gpu.rotation(x[:8], 5, 2))
            tol = 1e-2 if dt == "float16" else 1e-6
            err = _rel_err(got, ref)
            if not err <= tol:
                print(f"CHECK FAILED rot2 {dt} d={d}: error {err:.3e} > {tol}", file=sys.stderr)
                continue
            nbytes = rows * d * item
            ms = _timer(cp, lambda: algdiv.gpu.rotation(x, 5, 2), b.samples)
            b.add("rot2", dt, f"{rows}x{d}", ms, 2 * nbytes, nbytes)
            ms2 = _timer(cp, lambda: hd(hd(x, seed=5, stream=0), seed=5, stream=1), b.samples)
            b.add("2 x hd", dt, f"{rows}x{d}", ms2, 4 * nbytes, nbytes)
            del x


def bench_itq3s(b, dtypes):
    cp = b.cp
    from algdiv.quant import ITQ3SPacked, itq3s_decode
    from algdiv.quant._itq3s import _header, _pack_blocks, _with_crc
    for dt in dtypes:
        item = np.dtype(dt).itemsize
        nb = max(1, b.bytes // (256 * item))
        rng = np.random.default_rng(7)
        d16 = rng.uniform(0.001, 0.01, nb).astype(np.float16)
        s4 = rng.integers(0, 16, (nb, 8), dtype=np.uint8)
        q = rng.integers(-4, 5, (nb, 256), dtype=np.int8)
        host = _with_crc(_pack_blocks(d16, s4, q))          # valid version-2 blocks (with CRC-32)
        blocks = cp.asarray(host)
        out = cp.empty(nb * 256, dtype=dt)
        check = min(nb, 64)
        ref = itq3s_decode(ITQ3SPacked(_header((check * 256,), check) + host[:check].tobytes()))
        algdiv.gpu.itq3s_decode_blocks(blocks, nb * 256, dt, out=out)     # checked once
        got = cp.asnumpy(out[:check * 256]).astype(np.float64)
        err = float(np.abs(got - ref).max() / np.abs(ref).max())
        tol = 1e-2 if dt == "float16" else 1e-6
        if not err <= tol:
            print(f"CHECK FAILED itq3s {dt}: error {err:.3e} > {tol}", file=sys.stderr)
            continue
        ms = _timer(cp, lambda: algdiv.gpu.itq3s_decode_blocks(blocks, nb * 256, dt, out=out, check=False),
                    b.samples)
        moved = nb * host.shape[1] + nb * 256 * item
        b.add("itq3s", dt, f"{nb} blocks", ms, moved, moved // 2)
        del blocks, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    status = algdiv.gpu.available()
    if not status:
        print(f"benchmarks/gpu.py needs a CUDA device: {status.reason}", file=sys.stderr)
        return 2
    import cupy as cp
    dev = cp.cuda.Device()
    props = cp.cuda.runtime.getDeviceProperties(dev.id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    b = Bench(cp, 0.25 if args.quick else 1.0, 5 if args.quick else 15, args.markdown)
    pow2 = [1 << k for k in ((8, 10, 12, 14, 15) if args.quick else range(7, 16))]
    big = [1 << 16] if args.quick else [1 << 16, 1 << 20]
    paley = [12 << 8, 20 << 8, 28 << 10]
    bench_fwht(b, pow2 + big + paley, ["float16", "bfloat16", "float32", "float64"])
    bench_rot2(b, [1 << 12, 1 << 14] if args.quick else [1 << 10, 1 << 12, 1 << 14, 1 << 15], ["float16", "float32"])
    bench_itq3s(b, ["float16", "float32"])
    b.report(f"{name} (cupy {cp.__version__}, CUDA runtime {cp.cuda.runtime.runtimeGetVersion()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
