"""SPRIGHT: a noise-robust sparse Walsh-Hadamard transform with sample accounting.

Layout of the arrays (one design for all stages, so they stack):

* ``offsets[c, q, i]`` (uint64): offset :math:`d_{c,q,i} = r_{c,q} \\oplus v_{c,i}`
  of stage ``c``, base offset ``q`` (``P1`` of them) and direction ``i``
  (``v_{c,0} = 0``, then the ``n - b`` directions completing the hash to a basis);
* ``U[c, j, q, i]`` (float64): bin ``j`` of the aliased transform of the samples
  :math:`y[M_c \\ell \\oplus d_{c,q,i}]`, i.e.
  :math:`\\sum_{k: M_c^T k = j} X_k (-1)^{\\langle k, d_{c,q,i}\\rangle}` plus noise.
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.special import chdtri, ndtri

from .. import _limits
from .._limits import check_bytes
from .._progress import Ticker, check_progress
from ..transforms import fwht
from ._bits import (complete_basis, gf2_solver, hash_bins, random_joint_hashes, signs,
                    span_table)
from ._query import QueryCounter, as_indices, check_n

__all__ = ["sparse_wht", "SparseWHTResult", "StageDiagnosis", "IncompleteRecoveryWarning"]

_U64 = np.uint64
# Total false-alarm budget of the bin tests over all bins of one decode.
_DELTA = 1e-3
# Target z-score of one soft bit decision when the number of base offsets is chosen.
_BIT_Z = 3.6
# Adaptive offsets: at most this many doublings of P1, and only while at most this
# fraction of the bins is left unexplained.
_MAX_EXTENSIONS = 2
_EXTEND_FRACTION = 0.1
# Relative size of float rounding in the aliased bins: the noise floor of a noiseless run.
_FLOOR = 1e-10


class IncompleteRecoveryWarning(RuntimeWarning):
    """The peeling decoder stopped with bins it could not explain (multi-tons left)."""


class StageDiagnosis(NamedTuple):
    r"""One stage: bin counts at the first classification, and what is left unexplained.

    ``residual_ratio`` is the stage's residual energy after decoding over its
    expected noise energy :math:`B P \nu^2` (about 1 when everything is explained).
    """

    zero_tons: int
    single_tons: int
    multi_tons: int
    unresolved: int
    residual_ratio: float


@dataclass
class SparseWHTResult:
    """What :func:`sparse_wht` recovered, and at what cost.

    Attributes
    ----------
    support : ndarray of int64
        Recovered indices :math:`k`, sorted.
    coefficients : ndarray of float64
        :math:`\\hat X_k` for each index of ``support``.
    n : int
        Number of bits; the transform has length :math:`N = 2^n`.
    n_queries : int
        Distinct indices queried (the sample complexity).
    rounds : int
        Peeling rounds run.
    stages, bins, offsets : int
        The design: C stages of B bins each, P1 base offsets per stage.
    noise : float
        Per-index noise standard deviation :math:`\\sigma` used by the bin tests.
    noise_estimated : bool
        True when ``noise`` was estimated from the zero-ton bins.
    diagnosis : tuple of StageDiagnosis
        Per stage: zero-, single- and multi-ton counts at the first
        classification, and the bins still unexplained at the end.
    unresolved : ndarray, shape (m, 2)
        ``(stage, bin)`` of each bin left unexplained; empty on success.
    hashing : str
        ``"blocks"`` (disjoint bit blocks) or ``"random"`` (random full-rank hashes).
    excess_stages : ndarray of int64
        Stages whose total residual energy is significantly above the noise
        (tested when ``noise`` is given): signal too weak to show in any single
        bin, but present. Empty on success.
    attempts : int
        Decodes run (more than one when the bins doubled for an unknown sparsity).
    """

    support: np.ndarray
    coefficients: np.ndarray
    n: int
    n_queries: int
    rounds: int
    stages: int
    bins: int
    offsets: int
    noise: float
    noise_estimated: bool
    diagnosis: tuple
    unresolved: np.ndarray
    hashing: str
    excess_stages: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    attempts: int = 1

    @property
    def complete(self):
        """True when every bin ended explained and no stage holds energy above the noise."""
        return self.unresolved.shape[0] == 0 and self.excess_stages.size == 0

    @property
    def query_fraction(self):
        """Distinct queries as a fraction of :math:`N`."""
        return self.n_queries / float(1 << self.n)

    def evaluate(self, indices):
        """The recovered function :math:`\\sum_k \\hat X_k (-1)^{\\langle k, m\\rangle}` at ``indices``."""
        m = as_indices(indices, self.n)
        ks = self.support.astype(_U64)
        flat = m.ravel().astype(_U64)
        out = np.empty(flat.size)
        for s in range(0, flat.size, 8192):
            out[s:s + 8192] = signs(flat[s:s + 8192, None], ks[None, :]) @ self.coefficients
        return out.reshape(m.shape)

    def __repr__(self):
        status = "complete" if self.complete else f"INCOMPLETE ({self.unresolved.shape[0]} bins unresolved)"
        return (f"SparseWHTResult(n={self.n}, K={self.support.size}, {status}, "
                f"queries={self.n_queries} ({100 * self.query_fraction:.3g}% of N), "
                f"stages={self.stages}, bins={self.bins}, offsets={self.offsets}, "
                f"rounds={self.rounds}, noise={self.noise:.3g}"
                f"{' (estimated)' if self.noise_estimated else ''})")


class _Design:
    """Hashes, directions and the bit solver of each stage (the base offsets come later)."""

    def __init__(self, n, b, stages, hashing, rng):
        self.n, self.b, self.C = n, b, stages
        self.B = 1 << b
        if hashing == "blocks":
            cols = [[1 << (c * b + t) for t in range(b)] for c in range(stages)]
        else:
            cols = random_joint_hashes(n, b, stages, rng)
        self.hashing = hashing
        self.cols = cols
        dirs = [complete_basis(cc, n) for cc in cols]
        self.D = n - b
        # v_0 = 0 then the directions: offsets[c, q, i] = r[c, q] ^ vecs[c, i]
        self.vecs = np.array([[0] + d for d in dirs], dtype=_U64).reshape(stages, self.D + 1)
        self.spans = np.stack([span_table(cc) for cc in cols])  # (C, B)
        # k = XOR_t code_t w[c, t], code = (bits of j, then one bit per direction)
        self.solver = np.array([gf2_solver(cc + d, n) for cc, d in zip(cols, dirs)], dtype=_U64)
        self.base = np.zeros((stages, 0), dtype=_U64)

    @property
    def offsets(self):
        return self.base[:, :, None] ^ self.vecs[:, None, :]  # (C, Q, D+1)

    def bins_of(self, ks):
        """(C, len(ks)) bins of the indices ``ks`` in every stage."""
        return np.stack([hash_bins(ks, cc) for cc in self.cols])

    def decode(self, stage, j, bits):
        """Indices with bins ``j`` in ``stage`` and direction parities ``bits`` (m, D)."""
        jbits = (j[:, None] >> np.arange(self.b)) & 1
        code = np.concatenate([jbits.astype(bool), bits], axis=1)  # (m, n)
        return np.bitwise_xor.reduce(np.where(code, self.solver[stage], _U64(0)), axis=1)


def _frontend(counter, design, base):
    """Query the cosets of the new base offsets and return their aliased bins (C, B, Q, D+1)."""
    B = design.B
    offs = base[:, :, None] ^ design.vecs[:, None, :]  # (C, Q, D+1)
    idx = offs[..., None] ^ design.spans[:, None, None, :]  # (C, Q, D+1, B)
    y = counter(idx.astype(np.int64))
    U = fwht(y, axis=-1) / B
    return np.ascontiguousarray(U.transpose(0, 3, 1, 2)), y


class _Tests:
    """Thresholds of the bin tests for P entries per bin and per-entry noise variance nu2."""

    def __init__(self, P, nu2, n_bins):
        delta = _DELTA / max(n_bins, 1)
        self.P, self.nu2 = P, nu2
        self.zero = chdtri(P, delta) * nu2  # ||U||^2 of a zero-ton: nu2 chi2_P
        self.resid = chdtri(max(P - 1, 1), delta) * nu2  # residual of a single-ton: nu2 chi2_{P-1}
        self.amp = ndtri(1 - delta / 2) ** 2 * nu2  # P alpha^2 of a significant amplitude


def _estimate_nu2(U, design, zero_fraction):
    r"""Per-entry noise variance from the low bin energies (the zero-tons).

    The ``u = z / 3`` quantile of the per-bin energies (``z`` the expected
    zero-ton fraction) is read as the 1/3 quantile of the zero-tons'
    :math:`\nu^2 \chi^2_P`. Too small a ``z`` only underestimates the noise,
    which fails safe (more bins stay unexplained and are reported) rather than
    hiding coefficients. Cross-check: when the zero-tons are missing (every bin
    holds signal) that quantile is signal, not noise; the residuals of the
    single-ton fits then sit far below it and give the estimate instead.
    """
    C, B, Q, D1 = U.shape
    P = Q * D1
    energy = np.einsum("cjqi,cjqi->cj", U, U).ravel()
    u = min(max(zero_fraction, 1.0 / energy.size), 1.0) / 3.0
    nu2_zero = float(np.quantile(energy, u) / chdtri(P, 1 - 1.0 / 3.0))
    if P < 2:
        # B = N and one offset: each bin is one coefficient seen once, so noise and
        # signal cannot be told apart; keep every coefficient above the float floor.
        return 0.0
    cs, js = np.meshgrid(np.arange(C), np.arange(B), indexing="ij")
    tests = _Tests(P, 0.0, C * B)
    _, _, _, resid, _ = _bin_test(U, design, tests, cs.ravel(), js.ravel())
    lam = -math.log(max(zero_fraction, 1e-300))
    u1 = min(max(zero_fraction * (1.0 + lam), 1.0 / energy.size), 1.0) / 3.0
    nu2_single = float(np.quantile(resid, u1) / chdtri(P - 1, 1 - 1.0 / 3.0))
    return nu2_single if nu2_zero > 6.0 * nu2_single else nu2_zero


def _bin_test(R, design, tests, c, j):
    """Single-ton test of bins (c, j): energy, decoded index, amplitude, residual, accepted."""
    V = R[c, j]  # (m, Q, D+1)
    P = tests.P
    energy = np.einsum("mqi,mqi->m", V, V)
    # soft bit decisions: sign of sum_q U(r_q) U(r_q ^ v_i)
    corr = np.einsum("mq,mqi->mi", V[:, :, 0], V[:, :, 1:])
    k = design.decode(c, j, corr < 0)
    S = signs(k[:, None, None], design.offsets[c])
    alpha = np.einsum("mqi,mqi->m", S, V) / P
    E = V - alpha[:, None, None] * S  # direct, not energy - P alpha^2 (cancellation)
    resid = np.einsum("mqi,mqi->m", E, E)
    ok = (energy > tests.zero) & (resid <= tests.resid) & (P * alpha * alpha >= tests.amp)
    return energy, k, alpha, resid, ok


def _subtract(R, design, ks, amps):
    """Remove :math:`\\hat X_k s_k` from the bin of every k in every stage."""
    if ks.size == 0:
        return
    J = design.bins_of(ks)  # (C, m)
    S = signs(ks[:, None, None, None], design.offsets[None])  # (m, C, Q, D+1)
    cidx = np.broadcast_to(np.arange(design.C)[None, :], J.T.shape)
    np.subtract.at(R, (cidx, J.T), amps[:, None, None, None] * S)


def _energies(R):
    return np.einsum("cjqi,cjqi->cj", R, R)


def _decode(U, design, tests, max_rounds):
    """Peeling decoder with the cross-stage bin-consistency check and amplitude refinement."""
    C, B = design.C, design.B
    R = U.copy()
    found, times, tired = {}, {}, set()
    cs, js = np.meshgrid(np.arange(C), np.arange(B), indexing="ij")
    cs, js = cs.ravel(), js.ravel()
    energy, _, _, _, ok = _bin_test(R, design, tests, cs, js)
    zero = energy <= tests.zero
    first = [(int(np.sum(zero[cs == c])), int(np.sum(ok[cs == c])),
              int(np.sum(~zero[cs == c] & ~ok[cs == c]))) for c in range(C)]
    rounds = 0
    active = (~zero).reshape(C, B)
    while rounds < max_rounds:
        c, j = np.nonzero(active)
        if c.size == 0:
            break
        _, k, alpha, _, ok = _bin_test(R, design, tests, c, j)
        if tired and ok.any():
            # A wrongly decoded index, once peeled, shows up again as a single-ton of
            # the opposite amplitude and is cancelled: that repair is wanted. An index
            # accepted three times is in a cycle, so stop accepting it.
            ok &= ~np.isin(k, np.fromiter(tired, dtype=_U64, count=len(tired)))
        if ok.any():
            # Bin consistency across stages: a true coefficient leaves energy in its
            # bin of every stage; a wrongly decoded index lands in bins that are empty.
            kk = k[ok]
            J = design.bins_of(kk)
            E = _energies(R)[np.arange(C)[:, None], J]
            consistent = np.all(E > tests.zero, axis=0)
            ok[np.flatnonzero(ok)[~consistent]] = False
        if not ok.any():
            break
        rounds += 1
        ku, inv = np.unique(k[ok], return_inverse=True)
        amps = np.bincount(inv, weights=alpha[ok]) / np.bincount(inv)
        _subtract(R, design, ku, amps)
        for kv, a in zip(ku.tolist(), amps.tolist()):
            found[kv] = found.get(kv, 0.0) + a
            times[kv] = times.get(kv, 0) + 1
            if times[kv] >= 3:
                tired.add(kv)
        active = _energies(R) > tests.zero
    ks = np.array(sorted(found), dtype=_U64)
    amps = np.array([found[k] for k in ks.tolist()], dtype=np.float64)
    if ks.size:
        # Least-squares refinement over all stages (Jacobi sweeps on the residual):
        # each sweep moves X_k by the mean over the C stages of <s_k, R_c[bin]> / P.
        # Bins left unexplained hold coefficients not found; they would bias the fit,
        # so each coefficient is refined over the stages where its bin is explained.
        J = design.bins_of(ks)
        S = signs(ks[:, None, None, None], design.offsets[None])  # (m, C, Q, D+1)
        use = ~(_energies(R) > tests.zero)[np.arange(C)[:, None], J].T  # (m, C)
        weight = use / np.maximum(use.sum(axis=1, keepdims=True), 1)
        for _ in range(4):
            proj = np.einsum("mcqi,cmqi->mc", S, R[np.arange(C)[:, None], J]) / tests.P
            step = np.sum(weight * proj, axis=1)
            amps += step
            _subtract(R, design, ks, step)
        weak = C * tests.P * amps * amps < tests.amp
        if weak.any():  # not significant after refinement: give it back to the residual
            _subtract(R, design, ks[weak], -amps[weak])
            ks, amps = ks[~weak], amps[~weak]
    E = _energies(R)
    left = E > tests.zero
    unresolved = np.argwhere(left).astype(np.int64)
    expected = B * tests.P * tests.nu2
    ratio = E.sum(axis=1) / expected if expected > 0 else np.zeros(C)
    diag = tuple(StageDiagnosis(z, s, m, int(left[c].sum()), float(ratio[c]))
                 for c, (z, s, m) in enumerate(first))
    return ks.astype(np.int64), amps, rounds, diag, unresolved, E


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _choose_offsets(U, design, nu2, sparsity, zero_thr, max_p1):
    """Base offsets P1 so that a soft bit decision on the mean coefficient has z >= _BIT_Z.

    A bit decision sums P1 products :math:`U(r)U(r \\oplus v)` of mean
    :math:`\\pm\\alpha^2` and variance :math:`2\\alpha^2\\nu^2 + \\nu^4`, so with the
    per-bin SNR :math:`\\rho = \\alpha^2/\\nu^2` its z-score is
    :math:`\\sqrt{P_1}\\,\\rho/\\sqrt{2\\rho + 1}`.
    """
    P = U.shape[2] * U.shape[3]
    energy = _energies(U) / P  # per entry: sum_{k in bin} X_k^2 + nu2
    signal = float(np.sum(np.maximum(energy - nu2, 0.0))) / design.C
    if sparsity is None:
        sparsity = max(1, int(np.mean(np.sum(energy * P > zero_thr, axis=1))))
    a2 = signal / sparsity
    if nu2 <= 0 or a2 <= 0:
        return 1
    rho = a2 / nu2
    p1 = math.ceil(_BIT_Z ** 2 * (2 * rho + 1) / rho ** 2)
    return int(min(max(p1, 1), max_p1))


def _run(counter, n, B, stages, noise, sparsity, offsets, rng, hashing, progress=None):
    # Steps: the first queries, then each decode (at most 1 + _MAX_EXTENSIONS).
    ticker = Ticker(progress, 2 + _MAX_EXTENSIONS, f"B = {B}: queries")
    design = _Design(n, B.bit_length() - 1, stages, hashing, rng)
    N = 1 << n
    D1 = design.D + 1
    n_bins = stages * B
    max_p1 = max(1, N // (stages * B * D1))
    if noise == 0:  # SparseFHT delays: r = 0, then d = e_i read off one bit each
        base = np.zeros((stages, 1), dtype=_U64)
    else:
        base = rng.integers(0, N, size=(stages, 1), dtype=np.int64).astype(_U64)
    U, y = _frontend(counter, design, base)
    ticker.step(label=f"B = {B}: decode")
    design.base = base
    floor2 = (_FLOOR * math.sqrt(float(np.mean(y * y)))) ** 2

    def nu2_of(U):
        if noise is not None:
            return noise * noise / B + floor2
        zf = math.exp(-sparsity / B) if sparsity else 0.5
        return max(_estimate_nu2(U, design, zf), floor2)

    nu2 = nu2_of(U)
    if offsets is None:
        P = design.D + 1
        p1 = 1 if noise == 0 else _choose_offsets(U, design, nu2, sparsity,
                                                    chdtri(P, _DELTA / n_bins) * nu2, max_p1)
    else:
        p1 = offsets
    extensions = 0
    while True:
        have = design.base.shape[1]
        if p1 > have:
            more = rng.integers(0, N, size=(stages, p1 - have), dtype=np.int64).astype(_U64)
            U2, _ = _frontend(counter, design, more)
            U = np.concatenate([U, U2], axis=2)
            design.base = np.concatenate([design.base, more], axis=1)
            nu2 = nu2_of(U)
        tests = _Tests(p1 * D1, nu2, n_bins)
        ks, amps, rounds, diag, unresolved, E = _decode(U, design, tests, max_rounds=n_bins)
        ticker.step(label=f"B = {B}: decoded with {p1} offset(s)")
        excess = np.zeros(0, dtype=np.int64)
        if noise is not None:  # aggregate test: is the residual of each stage just noise?
            dof = B * tests.P
            limit = chdtri(dof, _DELTA / stages) / dof
            excess = np.array([c for c, d in enumerate(diag) if d.residual_ratio > limit],
                              dtype=np.int64)
        # P1 was sized for the mean coefficient; weaker ones (unequal amplitudes) can
        # leave a few bins unexplained. Then double P1, reusing every query made, at
        # most twice, but only when those bins are noise-limited (their soft bit
        # decisions are weak). Many unexplained bins, or strong ones, mean overloaded
        # bins or stopping sets, which more offsets cannot fix.
        if (unresolved.shape[0] == 0 and excess.size == 0) or offsets is not None or noise == 0 \
                or extensions == _MAX_EXTENSIONS or p1 >= max_p1 \
                or unresolved.shape[0] > _EXTEND_FRACTION * n_bins:
            break
        if unresolved.shape[0]:
            rho = np.maximum(E[unresolved[:, 0], unresolved[:, 1]] / tests.P - nu2, 0.0) / nu2
            if not np.any(np.sqrt(p1) * rho / np.sqrt(2 * rho + 1) < 2 * _BIT_Z):
                break
        p1, extensions = min(2 * p1, max_p1), extensions + 1
    sigma = math.sqrt(max(nu2 - floor2, 0.0) * B) if noise is None else float(noise)
    ticker.finish()
    return SparseWHTResult(
        support=ks, coefficients=amps, n=n, n_queries=counter.n_queries, rounds=rounds,
        stages=stages, bins=B, offsets=p1, noise=sigma, noise_estimated=noise is None,
        diagnosis=diag, unresolved=unresolved, hashing=design.hashing, excess_stages=excess)


def _run_bytes(n, B, stages, offsets):
    """Memory of one peeling run, at least: ``stages * B * (n + 1) * P1`` queries of an index,
    a value and the counter's memo (the decoder's work arrays about as much again)."""
    return 32.0 * stages * B * (n + 1) * (offsets or 1)


def _default_bins(sparsity, n):
    """Smallest power of two >= 1.5 K (so B/K in [1.5, 3)), at least 2 and at most N."""
    b = max(1, math.ceil(math.log2(1.5 * sparsity)))
    return 1 << min(b, n)


def sparse_wht(f, n, *, sparsity=None, noise=None, stages=3, bins=None, offsets=None,
               rng=None, hashing="random", progress=None):
    r"""Sparse Walsh-Hadamard transform from few (noisy) queries: SPRIGHT.

    Recovers a K-sparse spectrum :math:`X` of a function on :math:`\{0,1\}^n`
    from :math:`O(K \log N)` (noiseless) or :math:`O(K \log^2 N)` (noisy)
    queries of

    .. math::

        f(m) = \sum_{k} X_k\, (-1)^{\langle k, m\rangle} + w_m,
        \qquad \langle k, m\rangle = \operatorname{popcount}(k \,\&\, m) \bmod 2,

    i.e. :math:`X = \frac1N H f` with :math:`H` the natural-order (Sylvester)
    Hadamard matrix, ``fwht(f) / N`` in the engine's ``norm="backward"``.
    The noise :math:`w_m \sim N(0, \sigma^2)` is fixed per index, and the SNR
    is :math:`\sum_k X_k^2/\sigma^2` (the total-energy convention).

    Parameters
    ----------
    f : callable or QueryCounter
        ``f(indices) -> values`` on a 1-D ``int64`` array of indices in
        :math:`[0, 2^n)`; wrapped in a :class:`QueryCounter` (memoized,
        counted) unless it already is one.
    n : int
        Number of bits, 1..62.
    sparsity : int, optional
        Expected number of non-zero coefficients K; sets the default ``bins``
        and the noise estimate. Without it and without ``bins`` the number of
        bins doubles from 16 until every bin is explained.
    noise : float, optional
        Noise standard deviation :math:`\sigma` per query. ``0`` selects the
        noiseless SparseFHT offsets (``r = 0``, ``d_i = e_i``); ``None``
        estimates it from the zero-ton bins.
    stages : int
        Number of hashing stages C (3 is the standard left degree).
    bins : int, optional
        Bins per stage B, a power of two in :math:`[2, N]`; default the
        smallest power of two :math:`\ge 1.5K`.
    offsets : int, optional
        Number of random base offsets :math:`P_1` per stage (each costs
        :math:`B (n - b + 1)` queries). Default: 1 when noiseless, else chosen
        from the per-bin SNR measured on the first offset, and doubled (at
        most twice, reusing all queries) while a few bins stay unexplained.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.
    hashing : {"random", "blocks"}
        Stage ``c`` hashes k to :math:`M_c^T k` for a random full-rank
        :math:`M_c` ("random"), or to its bits ``c b .. c b + b - 1``
        ("blocks", the paper's design; needs :math:`C b \le n`). Blocks suit
        a uniformly random support only: every index with few set bits (a
        low-order interaction) lands in bin 0 of the stages that do not see
        its bits, which random hashes avoid.
    progress : callable or None, optional
        ``progress(done, total, label)`` after the first queries and after each
        decode (see :mod:`algdiv._progress`); without ``sparsity`` and ``bins``
        it restarts for each doubling of the bins.

    Returns
    -------
    SparseWHTResult
        ``.support`` (sorted), ``.coefficients``, ``.n_queries`` (distinct),
        ``.rounds``, ``.diagnosis`` (per stage), ``.unresolved`` and ``.complete``.

    Raises
    ------
    ValueError, TypeError
        Bad arguments, or ``f`` returning the wrong shape, non-real or non-finite values.

    Warns
    -----
    IncompleteRecoveryWarning
        When bins remain unexplained: the support is then known to be incomplete
        (too many coefficients for the bins, or too little SNR for the offsets).

    Notes
    -----
    Stage ``c`` queries the cosets :math:`M_c \mathbb{F}_2^b \oplus d` for the
    offsets :math:`d = r_q \oplus v_i` (``P1`` random base offsets
    :math:`r_q`, and :math:`v_0 = 0` plus the ``n - b`` unit vectors that
    complete the hash to a basis) and takes a B-point WHT of each, which
    aliases the spectrum into bins:

    .. math::

        U_{c,q,i}[j] = \sum_{k:\, M_c^T k = j} X_k (-1)^{\langle k, r_q \oplus v_i\rangle}
        + N(0, \sigma^2/B).

    A bin holding one coefficient (a single-ton) reveals
    :math:`\langle k, v_i\rangle` as the sign of
    :math:`\sum_q U_{q,0} U_{q,i}` (soft bit decision); the bin index gives
    the other b equations, so k follows by solving an n x n system over
    :math:`\mathbb{F}_2` (the hash bits are not measured: the bin index
    gives them). A candidate is accepted when the residual energy fits the
    :math:`\chi^2` law of the noise, its amplitude is significant, and its bin
    in every other stage holds energy (the bin-consistency check); it is
    then peeled from all stages. Amplitudes are refined by least squares over
    all stages. Distinct queries: about :math:`C B P_1 (n - b + 1)`.

    References
    ----------
    .. [1] X. Li, J. K. Bradley, S. Pawar, K. Ramchandran, "SPRIGHT: A fast and
       robust framework for sparse Walsh-Hadamard transform",
       arXiv:1508.06336 (2015).
    .. [2] R. Scheibler, S. Haghighatshoar, M. Vetterli, "A fast Hadamard
       transform for signals with sublinear sparsity in the transform domain",
       IEEE Trans. Inf. Theory 61 (2015), doi:10.1109/TIT.2015.2404441.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.sparse import sparse_wht, planted_sparse_signal
    >>> sig = planted_sparse_signal(16, 8, rng=1)          # noiseless, N = 65536
    >>> res = sparse_wht(sig, 16, sparsity=8, noise=0, rng=2)
    >>> bool(np.array_equal(res.support, sig.support)), res.complete
    (True, True)
    >>> bool(np.allclose(res.coefficients, sig.coefficients))
    True
    >>> res.n_queries < 1000                                 # of 65536
    True
    """
    n = check_n(n)
    if isinstance(f, QueryCounter):
        if f.n != n:
            raise ValueError(f"Argument 'f' is a QueryCounter for n = {f.n}, not n = {n}.")
        counter = f
    else:
        counter = QueryCounter(f, n)
    N = 1 << n
    if sparsity is not None:
        if not _is_int(sparsity):
            raise TypeError(f"Argument 'sparsity' must be an integer, not {type(sparsity).__name__}.")
        if sparsity <= 0 or sparsity > N:
            raise ValueError(f"Argument 'sparsity' must be in 1..2**n = {N}, not {sparsity!r}.")
        sparsity = int(sparsity)
    if noise is not None:
        if not isinstance(noise, numbers.Real) or isinstance(noise, bool):
            raise TypeError(f"Argument 'noise' must be a real number (sigma) or None, "
                            f"not {type(noise).__name__}.")
        if not (math.isfinite(noise) and noise >= 0):
            raise ValueError(f"Argument 'noise' must be a finite sigma >= 0, not {noise!r}.")
        noise = float(noise)
    if not _is_int(stages):
        raise TypeError(f"Argument 'stages' must be an integer, not {type(stages).__name__}.")
    if not 1 <= stages <= 16:
        raise ValueError(f"Argument 'stages' must be in 1..16, not {stages!r}.")
    stages = int(stages)
    if bins is not None:
        if not _is_int(bins):
            raise TypeError(f"Argument 'bins' must be an integer, not {type(bins).__name__}.")
        if bins < 2 or bins > N or bins & (bins - 1):
            raise ValueError(f"Argument 'bins' must be a power of 2 in [2, 2**n = {N}], not {bins!r}.")
        bins = int(bins)
    if offsets is not None:
        if not _is_int(offsets):
            raise TypeError(f"Argument 'offsets' must be an integer, not {type(offsets).__name__}.")
        if offsets < 1:
            raise ValueError(f"Argument 'offsets' must be >= 1, not {offsets!r}.")
        offsets = int(offsets)
    if hashing not in ("random", "blocks"):
        raise ValueError(f"Argument 'hashing' must be in ['random', 'blocks'], not {hashing!r}.")
    rng = np.random.default_rng(rng)
    progress = check_progress(progress)

    if bins is not None or sparsity is not None:
        B = bins if bins is not None else _default_bins(sparsity, n)
        check_bytes(_run_bytes(n, B, stages, offsets),
                    f"sparse_wht with {stages} stages of {B} bins on n = {n} bits")
        if hashing == "blocks" and stages * (B.bit_length() - 1) > n:
            raise ValueError(f"Argument 'hashing' = 'blocks' needs stages * log2(bins) <= n, "
                             f"not {stages} * {B.bit_length() - 1} > {n}.")
        result = _run(counter, n, B, stages, noise, sparsity, offsets, rng, hashing, progress)
    else:  # unknown sparsity: double the bins until the peeling explains every bin
        B, attempts = min(16, N), 0
        while True:
            attempts += 1
            h = hashing if hashing != "blocks" or stages * (B.bit_length() - 1) <= n else "random"
            result = _run(counter, n, B, stages, noise, None, offsets, rng, h, progress)
            if result.complete or 2 * B > N or counter.n_queries >= N \
                    or _run_bytes(n, 2 * B, stages, offsets) > _limits.MEMORY_LIMIT:
                break    # an incomplete result here is reported by the warning below
            B *= 2
        result.attempts = attempts
        result.n_queries = counter.n_queries
    if not result.complete:
        if result.unresolved.shape[0]:
            what = (f"{result.unresolved.shape[0]} of {stages * result.bins} bins could not be "
                    f"explained (multi-tons left after {result.rounds} peeling rounds)")
        else:
            what = (f"stages {result.excess_stages.tolist()} keep energy above the noise "
                    f"(coefficients too weak to detect in single bins)")
        warnings.warn(
            f"sparse_wht: {what}; the support is incomplete. Use more bins (about 2 per "
            f"coefficient) or more offsets (noise).", IncompleteRecoveryWarning, stacklevel=2)
    return result
