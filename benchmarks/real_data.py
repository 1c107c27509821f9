"""Matched transforms against the sample KLT and the fixed transforms, on held-out real data.

For each data set of the gallery (examples/gallery), over ``--splits`` random splits into
L training and held-out samples, for L from below N to well above it:

* discovery runs on the L training samples only; its matched transform is finished by the
  group-averaged covariance;
* (a) the sample KLT of the same L samples, (b) the matched transform, (c) the fixed DCT
  (2-D for blocks), real Fourier (DFT), WHT and Haar are measured on the held-out samples:
  coding gain, energy in the top N/8 coefficients, PSNR with N/4 kept coefficients (order
  from the training variances), the time to apply each to the held-out set through its fast
  plan and as a dense matrix product;
* how often the same group was found across the splits.

Medians over the splits, with the 25th-75th percentiles in brackets. Prints a markdown
table; ``--figure`` writes the coding-gain ratios against L / N.

    python benchmarks/real_data.py                    # all data sets, 10 splits (minutes)
    python benchmarks/real_data.py --small --splits 2 # a quick look
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time

import numpy as np
import scipy.fft

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples",
                                "gallery"))

import common  # noqa: E402

LOADERS = {
    "images": common.image_blocks,
    "digits": common.digits,
    "elnino": common.elnino,
    "karate": lambda small=False: common.heat_kernel_graph("karate", small=small),
    "cube": lambda small=False: common.heat_kernel_graph("cube", small=small),
    "minilm": common.minilm_positions,
    "gemma": common.gemma_hidden,
    "ula": common.ula_channel,
}


def dct_error(group, transform):
    """max |B - DCT| when ``group`` is a DCT-II group or a product of them, else None."""
    from algdiv.discovery._basis_models import is_basis_model

    if not is_basis_model(group):
        return None
    factors = group.factors if group.family == "direct" else (group,)
    if any(f.params.get("kind") != "dct" or f.params.get("type") != 2 for f in factors):
        return None
    shape = tuple(f.params["n"] for f in factors)
    n = int(np.prod(shape))
    eye = np.eye(n).reshape((n, *shape))
    D = scipy.fft.dctn(eye, norm="ortho", axes=tuple(range(1, len(shape) + 1))).reshape(n, n)
    return float(np.abs(transform.matrix - D).max())


def q(values):
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    return tuple(float(x) for x in np.percentile(v, [50, 25, 75]))


def fmt(values, digits=2):
    m, lo, hi = q(values)
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def l_sweep(n, m, n_test):
    """L from N/2 to 16 N (bounded by the samples left after the held-out set)."""
    out = [L for L in (n // 2, n, 2 * n, 4 * n, 16 * n) if L >= 4 and L + n_test <= m
           and (n < 64 or L <= 8 * n)]
    if not out or (out[-1] < 16 * n and m - n_test > out[-1] * 1.5 and n < 64):
        out.append(m - n_test)
    if n >= 64 and out[-1] < 8 * n <= m - n_test:
        out.append(8 * n)
    return sorted(set(out))


def run(names, splits, small, progress=print):
    rows, curves = [], {}
    for name in names:
        ds = LOADERS[name](small=small)
        if ds is None:
            progress(f"# {name}: not installed, skipped")
            continue
        n, m = ds.n, ds.X.shape[0]
        n_test = min(2000, m // 3)
        fixed = common.fixed_transforms(ds.shape)
        t0 = time.perf_counter()
        for L in l_sweep(n, m, n_test):
            res = []
            dct_errs = []
            for s in range(splits):
                rng = np.random.default_rng([19, s, L])
                r, disc, ks = common.run_split(ds, L, rng, n_test=n_test, fixed=fixed,
                                               timing=(s < 3))
                res.append(r)
                e = dct_error(disc.group, disc.transform)
                if e is not None:
                    dct_errs.append(e)
            groups = collections.Counter(r.group for r in res)
            top, count = groups.most_common(1)[0]
            names_t = list(res[0].gain)
            ratio = [r.gain["matched"] / r.gain["KLT"] for r in res]
            fixed_best = max((t for t in names_t if t not in ("KLT", "matched")),
                             key=lambda t: np.median([r.gain[t] for r in res]))
            k4 = ks.index(max(1, n // 4))
            rows.append(dict(
                data=ds.name, kind=ds.kind, N=n, L=L, group=top, same=f"{count}/{splits}",
                ratio=ratio, gain={t: [r.gain[t] for r in res] for t in names_t},
                energy={t: [r.energy[t] for r in res] for t in names_t},
                psnr={t: [r.psnr[t][k4] for r in res] for t in names_t},
                fast=[r.time_fast["matched"] for r in res if r.time_fast],
                dense=[r.time_dense["matched"] for r in res if r.time_dense],
                fast_dct=[r.time_fast["DCT"] for r in res if r.time_fast],
                dense_dct=[r.time_dense["DCT"] for r in res if r.time_dense],
                disc=[r.discover_s for r in res], fixed_best=fixed_best, dct_err=dct_errs,
                n_test=n_test))
            curves.setdefault(ds.name, []).append((L / n, q(ratio),
                                                   q([r.gain[fixed_best] / r.gain["KLT"] for r in res]),
                                                   fixed_best))
            progress(f"# {ds.name}: L = {L} done ({time.perf_counter() - t0:.0f} s)")
    return rows, curves


def table(rows):
    head = ("| data (N) | L | L/N | matched group (same across splits) | CG matched / KLT | "
            "CG matched | CG KLT | best fixed: CG | energy top-N/8 matched / KLT | "
            "PSNR@N/4 matched / KLT / DCT (dB) | apply matched: plan / dense (µs) | discover (s) |")
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        g = r["gain"]
        e = r["energy"]
        p = r["psnr"]
        out.append(
            f"| {r['data']} ({r['N']}) | {r['L']} | {r['L'] / r['N']:.1f} | `{r['group']}` ({r['same']}) | "
            f"{fmt(r['ratio'], 3)} | {q(g['matched'])[0]:.2f} | {q(g['KLT'])[0]:.2f} | "
            f"{r['fixed_best']}: {q(g[r['fixed_best']])[0]:.2f} | "
            f"{q(e['matched'])[0]:.3f} / {q(e['KLT'])[0]:.3f} | "
            f"{q(p['matched'])[0]:.1f} / {q(p['KLT'])[0]:.1f} / {q(p['DCT'])[0]:.1f} | "
            f"{1e6 * q(r['fast'])[0]:.0f} / {1e6 * q(r['dense'])[0]:.0f} | {q(r['disc'])[0]:.1f} |")
    return "\n".join(out)


def goals(rows):
    lines = []
    by = collections.defaultdict(list)
    for r in rows:
        by[r["data"]].append(r)
    wins = 0
    for name, rs in by.items():
        small = [r for r in rs if r["L"] <= 2 * r["N"]]
        # strictly above: a trivial verdict is the KLT itself (ratio 1 up to rounding)
        above = [r["L"] for r in small if q(r["ratio"])[0] > 1.001]
        worst = min(rs, key=lambda r: q(r["ratio"])[0])
        wins += bool(above)
        errs = [e for r in rs for e in r["dct_err"]]
        lines.append(
            f"- {name}: matched above KLT at L <= 2N: {'yes (L = ' + ', '.join(map(str, above)) + ')' if above else 'no'}; "
            f"lowest median ratio {q(worst['ratio'])[0]:.3f} at L = {worst['L']} "
            f"({'>= 0.95' if q(worst['ratio'])[0] >= 0.95 else 'below 0.95'}); "
            + (f"DCT verdicts: {len(errs)}, max |B - DCT| = {max(errs):.1e}" if errs else "no DCT verdict"))
    lines.append(f"- matched above KLT at some L <= 2N on {wins} of {len(by)} data sets")
    return "\n".join(lines)


def figure(curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(curves)
    cols = min(4, k)
    rws = (k + cols - 1) // cols
    fig, axes = plt.subplots(rws, cols, figsize=(3.2 * cols, 2.6 * rws), squeeze=False)
    for ax, (name, pts) in zip(axes.ravel(), curves.items()):
        x = [p[0] for p in pts]
        for idx, label in ((1, "matched / KLT"), (2, None)):
            med = [p[idx][0] for p in pts]
            lo = [p[idx][1] for p in pts]
            hi = [p[idx][2] for p in pts]
            lab = label or "best fixed / KLT"
            ax.errorbar(x, med, yerr=[np.subtract(med, lo), np.subtract(hi, med)], marker="o",
                        ms=3, capsize=2, lw=1, label=lab)
        ax.axhline(1.0, color="k", lw=0.6)
        ax.axhline(0.95, color="k", lw=0.6, ls=":")
        ax.set_xscale("log", base=2)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("L / N", fontsize=8)
        ax.legend(fontsize=7)
    for ax in axes.ravel()[k:]:
        ax.axis("off")
    axes[0, 0].set_ylabel("coding gain / KLT's")
    fig.tight_layout()
    from algdiv._atomic import write_atomic

    write_atomic(path, lambda fh: fig.savefig(fh, format="png", dpi=90))
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", nargs="*", default=list(LOADERS), choices=list(LOADERS))
    p.add_argument("--splits", type=int, default=10)
    p.add_argument("--small", action="store_true", help="reduced data sets")
    p.add_argument("--figure", default=None, help="PNG of the coding-gain ratios against L / N")
    args = p.parse_args(argv)
    if args.splits < 1:
        p.error("--splits must be >= 1")
    rows, curves = run(args.data, args.splits, args.small,
                       progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(table(rows))
    print()
    print(goals(rows))
    if args.figure:
        figure(curves, args.figure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
