"""Plot the resolution principle: along every subgroup chain, resolution falls as |G| grows.

For each chain of algdiv.bases.subgroup_chains(N) (N = 16 and 64
by default) we verify the chain (check_chain: containment, coarsening, nested
eigenspaces) and plot resolution against log2 |G|. Prints the table; writes
the PNG only when matplotlib is installed.

Run:  python examples/resolution_chains.py [--n 16 64] [--png resolution_chains.png]
"""
from __future__ import annotations

import argparse
import math
import os
import tempfile

from algdiv.bases import check_chain, subgroup_chains


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, nargs="+", default=[16, 64])
    p.add_argument("--png", default="resolution_chains.png")
    args = p.parse_args(argv)
    if any(n < 2 or n > 1024 for n in args.n):
        p.error("every --n must be in [2, 1024]")

    data = {}
    for n in args.n:
        for name, chain in subgroup_chains(n).items():
            report = check_chain(chain)
            if not report.ok:
                raise SystemExit(f"chain {name!r} on N = {n} failed:\n{report}")
            print(f"N = {n}, chain '{name}':\n{report}\n")
            data[n, name] = report

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no figure written")
        return 0
    fig, axes = plt.subplots(1, len(args.n), figsize=(5.2 * len(args.n), 4), squeeze=False)
    markers = {"dihedral": "o", "hamming": "s", "tree": "^"}
    for ax, n in zip(axes[0], args.n):
        for (m, name), rep in data.items():
            if m != n:
                continue
            x = [math.log2(o) for o in rep.orders]
            ax.plot(x, rep.resolutions, marker=markers.get(name, "."), label=name)
            for xi, yi, lab in zip(x[1:-1], rep.resolutions[1:-1], rep.names[1:-1]):
                ax.annotate(lab.replace("elementary_abelian", "Z2^").replace("(", "").replace(")", ""),
                            (xi, yi), fontsize=7, xytext=(4, 2), textcoords="offset points")
        ax.annotate(f"trivial: {n}", (0, n), fontsize=7, xytext=(4, -10), textcoords="offset points")
        ax.annotate(f"S_{n}: 2", (math.log2(math.factorial(n)), 2), fontsize=7, xytext=(-30, 6),
                    textcoords="offset points")
        ax.set_xscale("symlog", linthresh=4)
        ax.set(title=f"N = {n}: resolution along subgroup chains", xlabel="log2 |G|  (symlog)",
               ylabel="distinct eigenvalues of a generic invariant R")
        ax.legend(fontsize=8)
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
