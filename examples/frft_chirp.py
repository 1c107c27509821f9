"""A chirp concentrates at the fractional order that matches its sweep rate.

The continuous fractional Fourier transform of angle alpha = a pi / 2 maps
the chirp exp(i c x^2 / 2) to a delta when cot(alpha) = -c: it rotates the
time-frequency plane until the chirp's line becomes vertical. The discrete
FrFT (Hermite-Gauss, algdiv.transforms.frft) reproduces this at finite N:
for each order a in [0, 2] we measure the concentration
max |F^a x|^2 / ||x||^2 and find its peak.

Run:  python examples/frft_chirp.py [--n 256] [--order 0.6] [--png frft_chirp.png]
Writes the PNG only when matplotlib is installed.
"""
from __future__ import annotations

import argparse
import math
import os
import tempfile

import numpy as np

from algdiv.transforms import frft


def chirp(n: int, a0: float, width: float = 12.0) -> np.ndarray:
    """Gaussian-windowed chirp on the DFT-natural grid x_j = j sqrt(2 pi / n) (j centred)."""
    j = np.arange(n)
    x = np.where(j < (n + 1) // 2, j, j - n) * math.sqrt(2.0 * math.pi / n)
    c = -1.0 / math.tan(a0 * math.pi / 2.0)
    return np.exp(0.5j * c * x * x - x * x / (2.0 * width * width))


def scan(x: np.ndarray, orders: np.ndarray) -> np.ndarray:
    energy = float(np.sum(np.abs(x) ** 2))
    return np.array([np.max(np.abs(frft(x, a)) ** 2) / energy for a in orders])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=256)
    p.add_argument("--order", type=float, default=0.6, help="order in (0, 2) the chirp is made for")
    p.add_argument("--png", default="frft_chirp.png", help="output image (needs matplotlib)")
    args = p.parse_args(argv)
    if args.n < 8 or not 0.0 < args.order < 2.0:
        p.error("need --n >= 8 and --order in (0, 2)")

    x = chirp(args.n, args.order)
    orders = np.linspace(0.0, 2.0, 401)
    conc = scan(x, orders)
    best = float(orders[np.argmax(conc)])
    print(f"N = {args.n}: chirp made for order {args.order:g}; concentration peaks at "
          f"{best:.3f} ({conc.max():.2f} of the energy in one sample; {conc[0]:.3f} at order 0)")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no figure written")
        return 0
    fig, ax = plt.subplots(1, 3, figsize=(12, 3.4))
    t = np.fft.fftshift(np.arange(args.n) - args.n * (np.arange(args.n) >= (args.n + 1) // 2))
    ax[0].plot(t, np.fft.fftshift(x.real), lw=0.8, label="Re x")
    ax[0].plot(t, np.fft.fftshift(np.abs(x)), lw=0.8, label="|x|")
    ax[0].set(title="chirp (time)", xlabel="sample")
    ax[0].legend(fontsize=8)
    ax[1].plot(orders, conc)
    ax[1].axvline(args.order, color="k", ls=":", lw=0.8)
    ax[1].set(title="max |F^a x|^2 / ||x||^2", xlabel="order a")
    y = frft(x, best)
    ax[2].plot(t, np.fft.fftshift(np.abs(y)), lw=0.8)
    ax[2].set(title=f"|F^a x| at a = {best:.3f}", xlabel="sample")
    fig.tight_layout()
    directory = os.path.dirname(os.path.abspath(args.png))
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=directory)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.chmod(tmp, 0o644)                 # mkstemp creates 0600
        os.replace(tmp, args.png)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"figure written to {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
