"""Make the figures of the documentation (needs matplotlib).

    PYTHONPATH=. python docs/images/make_figures.py [--only catalog|rotations|orbitals] [--out docs/images]

* ``catalog_bases.png``: the basis vectors (columns of ``T.matrix``) of the matched
  transform of each catalog family at N = 16, one row of the image per vector;
* ``rotations_kolmogorov.png``: ``algdiv.rotations.verify``'s Kolmogorov distances
  against d with the bounds, Monte Carlo points with their confidence intervals;
* ``discovered_orbitals.png``: a sample covariance of data with a hidden tree symmetry,
  the orbitals of the group ``algdiv.discover`` finds, and the group's Reynolds average.

Takes about a minute on 2 shared cores (the discovery is most of it).
"""
from __future__ import annotations

import argparse
import pathlib

import numpy as np

import algdiv
from algdiv.groups import parse_group

FAMILIES = [
    ("cyclic:16", "cyclic(16): real Fourier"),
    ("dihedral:16", "dihedral(16): real Fourier"),
    ("dct:16", "dct:16: DCT-II"),
    ("elementary_abelian:4", "Z_2^4 (XOR): Walsh-Hadamard"),
    ("hamming:4", "hamming(4): WHT, Krawtchouk blocks"),
    ("tree:4", "tree(4): Haar"),
    ("symmetric:16", "symmetric(16): Helmert"),
    ("wreath(cyclic:4,symmetric:4)", "wreath(Z_4, S_4): Fourier in blocks"),
]


def _figure(**kw):
    from matplotlib.figure import Figure

    return Figure(**kw)


def catalog_bases(path):
    fig = _figure(figsize=(12, 6.4))
    axes = fig.subplots(2, 4)
    for ax, (spec, title) in zip(axes.ravel(), FAMILIES):
        T = algdiv.matched_transform(parse_group(spec))
        B = np.real(np.asarray(T.matrix))            # columns are the basis vectors
        lim = np.max(np.abs(B))
        ax.imshow(B.T, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("index n", fontsize=8)
        ax.set_ylabel("basis vector k", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("Matched transforms of the catalog at N = 16: row k is basis vector k (red +, blue -)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def rotations_kolmogorov(path):
    from algdiv.rotations import verify

    rep = verify(dims=(16, 64, 256, 1024), inputs=("e1", "u2", "u4", "flat", "gaussian"), samples=50_000,
                 seed=0, w2_samples=0)
    rep.plot(path)


def discovered_orbitals(path):
    from algdiv.discovery import planted_covariance

    R, _ = planted_covariance("tree", 16, rng=0)
    X = np.random.default_rng(1).multivariate_normal(np.zeros(16), R, size=3000)
    res = algdiv.discover(samples=X, rng=0)
    S = np.cov(X, rowvar=False)
    G = res.group
    orb = G.orbitals()
    fig = _figure(figsize=(12, 4))
    ax = fig.subplots(1, 3)
    lim = np.max(np.abs(S))
    ax[0].imshow(S, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    ax[0].set_title("sample covariance (L = 3000)", fontsize=10)
    ax[1].imshow(orb, cmap="tab20", interpolation="nearest")
    ax[1].set_title(f"orbitals of the discovered group {G.name}: {G.n_orbitals()} colours", fontsize=10)
    ax[2].imshow(G.reynolds(S), cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    ax[2].set_title("its Reynolds average (the group-invariant estimate)", fontsize=10)
    for a in ax:
        a.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


FIGURES = {
    "catalog": ("catalog_bases.png", catalog_bases),
    "rotations": ("rotations_kolmogorov.png", rotations_kolmogorov),
    "orbitals": ("discovered_orbitals.png", discovered_orbitals),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=sorted(FIGURES), action="append")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent))
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for key in args.only or FIGURES:
        name, make = FIGURES[key]
        make(out / name)
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
