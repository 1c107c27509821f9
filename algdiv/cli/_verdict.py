"""Shared by ``discover``, ``derive`` and ``apply``: group arguments, transform names, fit verdicts."""
from __future__ import annotations

import numpy as np

from . import UsageError

__all__ = ["group_argument", "transform_name", "fit_verdict", "how_to_get"]

#: the fit test of a group on an extension (DCT/DST) draws this many bootstrap covariances ...
EXT_BOOT = 1000
#: ... up to this signal size (the draws take n_boot N^2 floats)
EXT_MAX_N = 256


def group_argument(spec: str, option: str = "--group"):
    """Parse a ``--group`` value (grammar, printed name or ``@FILE.json``); UsageError on failure."""
    from ..groups import parse_group

    try:
        return parse_group(spec)
    except (ValueError, TypeError) as exc:
        hint = ""
        if spec.strip() in ("aut(colouring)", "gevp", "generic"):
            hint = (" (a discovered group has no family name: save it with `algdiv discover "
                    "DATA --out G.json` and pass @G.json)")
        raise UsageError(f"{option} {spec!r}: {exc}{hint}") from None


_NAMES = {"cyclic": "real Fourier", "dihedral": "real Fourier", "elementary_abelian": "WHT",
          "hamming": "WHT", "tree": "Haar", "symmetric": "Helmert", "trivial": "KLT"}


def transform_name(G, field: str = "real") -> str:
    """The classical name of the transform matched to ``G`` (DCT-II, real Fourier, Haar, ...)."""
    fam = G.family
    if fam == "cyclic" and field == "complex":
        return "DFT"
    if fam in _NAMES:
        return _NAMES[fam]
    if fam == "dct":
        return f"{G.params['kind'].upper()}-{'I' * G.params['type']}"
    if fam == "direct":
        return " (x) ".join(transform_name(f, field) for f in G.factors)
    if fam == "wreath":
        inner, outer = G.factors
        return f"wreath: {transform_name(outer, field)} coarse, {transform_name(inner, field)} fine"
    return "numerical isotypic basis"


def how_to_get(G, spec=None, data=None, samples=False) -> str:
    """The command that gives the transform of ``G`` (``spec``: how to name it, e.g. ``@G.json``)."""
    spec = spec or G.spec
    if spec is None:
        return "save the group with --out G.json, then: algdiv derive --group @G.json --out T.npz"
    src = "" if data is None else f"{data} {'--samples ' if samples else ''}"
    return f"algdiv derive {src}--group {_quote(spec)} --out T.npz"


def _quote(spec: str) -> str:
    return f"'{spec}'" if any(c in spec for c in "(),@ ") else spec


def fit_verdict(G, cov, n_samples, level: float = 0.05, rng=0, progress=None):
    """One line saying whether ``G`` fits ``cov``, and whether it does (None: not tested).

    Groups acting on the signal's points get discovery's test of that one group
    (:func:`algdiv.discover` with ``candidates=[G]``: the likelihood-ratio or
    delta bootstrap, its stage-1 test at ``level / 2``).  Groups on an extension
    (DCT/DST and their products) get the same delta bootstrap in their matched
    frame, where an invariant covariance is diagonal with equal entries in each
    isotypic component: :math:`\\delta = \\|R - \\Pi R\\|_F / \\|R\\|_F` against the
    ``1 - level`` quantile of :math:`\\delta` over Wishart draws of ``n_samples - 1``
    degrees of freedom from :math:`N(0, \\Pi R)`.  An exact covariance
    (``n_samples=None``) fits when :math:`\\delta \\le 4\\sqrt{\\epsilon}`.
    ``progress`` is handed to :func:`algdiv.discover` (:mod:`algdiv._progress`).
    """
    from ..discovery._discover import EXACT_RTOL

    name = G.spec or G.name
    P = G.reynolds(cov)
    delta = float(np.linalg.norm(cov - P) / max(np.linalg.norm(cov), 1e-300))
    if n_samples is None:
        ok = delta <= EXACT_RTOL
        return (f"verdict: {name} {'FITS' if ok else 'does NOT fit'} the covariance taken as exact "
                f"(delta = {delta:.3g} {'<=' if ok else '>'} {EXACT_RTOL:.2g}; give --n-samples L "
                f"for a covariance estimated from L snapshots)"), ok
    dof = n_samples - 1
    if hasattr(G, "signal_size"):
        out = _extension_test(G, cov, P, delta, dof, level, rng)
        if out is None:
            return (f"verdict: not tested (the fit test of {name} needs a unique matched basis "
                    f"and N <= {EXT_MAX_N}); delta = {delta:.3g}"), None
        stat, tau, method = out
    else:
        from ..discovery import discover

        res = discover(cov, n_samples=n_samples, candidates=[G], tiers=("catalog",), level=level,
                       rng=rng, progress=progress)
        row = next(r for r in res.table if "catalog" in r.tiers)
        stat, tau, method = row.statistic, row.threshold, row.method
    ok = stat <= tau
    return (f"verdict: {name} {'FITS' if ok else 'does NOT fit'} the covariance at level {level:g} "
            f"({method}: statistic {stat:.4g} {'<=' if ok else '>'} threshold {tau:.4g}, "
            f"L = {n_samples})"), ok


def _extension_test(G, cov, P, delta, dof, level, rng):
    from ..bases import matched_transform
    from ..discovery._thresholds import BootstrapDraws, mc_quantile

    n = cov.shape[0]
    T = matched_transform(G)
    if not T.unique or n > EXT_MAX_N or np.iscomplexobj(T.matrix):
        return None
    B = np.asarray(T.matrix)
    labels = T.labels
    counts = np.bincount(labels)
    draws = BootstrapDraws(n, dof, EXT_BOOT, np.random.default_rng(rng))
    W = B.T @ draws.covariances((P + P.T) / 2) @ B          # the draws in the matched frame
    diag = np.diagonal(W, axis1=1, axis2=2)
    means = np.stack([np.bincount(labels, weights=d, minlength=counts.size) for d in diag]) / counts
    res2 = np.sum(W * W, axis=(1, 2)) - np.sum(means[:, labels] ** 2, axis=1)
    deltas = np.sqrt(np.maximum(res2, 0.0) / np.sum(W * W, axis=(1, 2)))
    return delta, mc_quantile(deltas, level), "delta-bootstrap"
