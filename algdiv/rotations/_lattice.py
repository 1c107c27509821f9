"""Exact lattice laws of one coordinate of the two-block transform for spread inputs."""
from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import signal, stats

from ._marginal import coordinate_marginal
from ..groups._limits import check_bytes
from ._validate import as_dim

__all__ = ["LatticeLaw", "lattice_law", "spread_input"]

# Atoms of a binomial law further than this many standard deviations from its
# mean have mass below 1e-300 and are left out (exp(-2 z^2) underflows).
_TAIL_SIGMAS = 20.0
# Largest loop-convolution cost (atoms x grid length) done exactly; above it, FFT.
_LOOP_LIMIT = 40_000_000
_MAX_K = 16


def spread_input(d, k):
    r"""The spread input :math:`u_k = (e_0 + \dots + e_{k-1})/\sqrt{k}` of length ``d``.

    Examples
    --------
    >>> from algdiv.rotations import spread_input
    >>> spread_input(8, 2) ** 2
    array([0.5, 0.5, 0. , 0. , 0. , 0. , 0. , 0. ])
    """
    d = as_dim(d)
    k = as_dim(k, "k", minimum=1)
    if k > d:
        raise ValueError(f"Argument 'k' must be at most d = {d}, not {k}.")
    check_bytes(8 * d, f"a vector of length d = {d}")
    u = np.zeros(d)
    u[:k] = 1.0 / math.sqrt(k)
    return u


@dataclass(frozen=True, eq=False)
class LatticeLaw:
    r"""A discrete law on the lattice ``scale * integers``.

    Attributes
    ----------
    integers : numpy.ndarray
        Sorted int64 lattice coordinates of the atoms (atoms of mass below
        1e-300 are left out).
    pmf : numpy.ndarray
        float64 masses of the atoms (they sum to 1 up to rounding).
    scale : float
        Lattice unit: the atoms are ``scale * integers``.
    d, k : int
        Dimension and spread of the input :math:`u_k` this law describes.
    """

    integers: np.ndarray
    pmf: np.ndarray
    scale: float
    d: int
    k: int
    _cum: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_cum", np.cumsum(self.pmf))

    @property
    def values(self):
        """The atoms as float64 values."""
        return self.integers * self.scale

    @property
    def step(self):
        """Smallest distance between two atoms (the lattice spacing)."""
        if self.integers.size < 2:
            return self.scale
        return float(np.min(np.diff(self.integers))) * self.scale

    def cdf(self, x):
        """Right-continuous CDF ``P(X <= x)``."""
        x = np.asarray(x, dtype=np.float64)
        idx = np.searchsorted(self.values, x, side="right")
        return np.concatenate(([0.0], self._cum))[idx]

    def atom(self, x=0.0):
        """Mass ``P(X = x)`` of a single atom (0 off the lattice)."""
        n = float(x) / self.scale
        if n != round(n):
            return 0.0
        i = np.searchsorted(self.integers, int(round(n)))
        if i < self.integers.size and self.integers[i] == int(round(n)):
            return float(self.pmf[i])
        return 0.0

    def mean(self):
        return float(np.dot(self.values, self.pmf))

    def var(self):
        v = self.values
        return float(np.dot(v * v, self.pmf) - self.mean() ** 2)

    def rvs(self, size, rng=None):
        """Independent draws (inverse-CDF sampling)."""
        rng = np.random.default_rng(rng)
        u = rng.random(size)
        idx = np.minimum(np.searchsorted(self._cum, u * self._cum[-1], side="right"), self.pmf.size - 1)
        return self.values[idx]

    def kolmogorov_distance(self, reference=None):
        r"""Exact :math:`\sup_t |G(t) - F(t)|` to a continuous reference CDF.

        ``reference`` defaults to :func:`coordinate_marginal` ``(d)``. Because
        ``F`` is continuous and ``G`` a step function, the supremum is attained
        at an atom, from one side or the other.
        """
        ref = coordinate_marginal(self.d) if reference is None else reference
        f = ref.cdf if hasattr(ref, "cdf") else ref
        fx = np.asarray(f(self.values), dtype=np.float64)
        upto = self._cum
        below = upto - self.pmf
        return float(max(np.max(np.abs(upto - fx)), np.max(np.abs(below - fx))))


def _binomial_component(a, n_sum):
    """Law of ``a * R`` with R a sum of ``n_sum`` Rademachers: (lo, dense pmf on step 1)."""
    sd = 0.5 * math.sqrt(n_sum)
    b_lo = max(0, int(math.floor(n_sum / 2 - _TAIL_SIGMAS * sd)) - 1)
    b_hi = min(n_sum, int(math.ceil(n_sum / 2 + _TAIL_SIGMAS * sd)) + 1)
    b = np.arange(b_lo, b_hi + 1)
    p = stats.binom.pmf(b, n_sum, 0.5)
    lo = a * (2 * b_lo - n_sum)
    out = np.zeros(2 * a * (b_hi - b_lo) + 1)
    out[:: 2 * a] = p
    return lo, out


def _convolve(acc, comp):
    lo1, p1 = acc
    lo2, p2 = comp
    nz = np.flatnonzero(p2)
    if nz.size * p1.size <= _LOOP_LIMIT:
        out = np.zeros(p1.size + p2.size - 1)
        for j in nz:  # exact: one scaled shifted copy per atom of the smaller law
            out[j : j + p1.size] += p2[j] * p1
    else:
        out = np.clip(signal.fftconvolve(p1, p2), 0.0, None)
        out[out < 1e-300] = 0.0
    return lo1 + lo2, out


def _pattern_law(magnitudes, n):
    comps = [
        _binomial_component(int(a), int(c) * n)
        for a, c in sorted(Counter(magnitudes).items())
        if a != 0
    ]
    comps.sort(key=lambda t: -np.count_nonzero(t[1]))
    acc = comps[0]
    for comp in comps[1:]:
        acc = _convolve(acc, comp)
    return acc


def lattice_law(d, k=1):
    r"""Exact law of one coordinate of the two-block transform of :math:`u_k`.

    For the spread input :math:`u_k = (e_0+\dots+e_{k-1})/\sqrt{k}` (``k`` a power
    of 2 dividing ``d``) and :math:`T(u) = d^{-1} H D_2 H D_1 u`, the first block
    gives :math:`v_j = (H_k s)_{j \bmod k}/\sqrt{k}` with ``s`` the first ``k``
    signs of :math:`D_1`, and, for every coordinate ``i``,

    .. math::

        d\sqrt{k}\; T(u_k)_i \overset{d}{=} \sum_{c<k} |(H_k s)_c|\, R_c ,

    with the :math:`R_c` independent sums of ``d/k`` Rademacher signs. The law is
    computed by enumerating ``s`` (grouped by the multiset of magnitudes) and
    convolving binomial laws on the integer lattice. For ``k <= 4`` each sign
    pattern has a single nonzero magnitude, so the law is a mixture of scaled
    binomials with no convolution at all; e.g. for ``k = 1`` the central atom is
    :math:`\binom{d}{d/2} 2^{-d}` and the Kolmogorov distance to
    :func:`coordinate_marginal` is half of it.

    Parameters
    ----------
    d : int
        Dimension, a power of 2 >= 2.
    k : int, optional
        Spread of the input, a power of 2 with ``k <= min(d, 16)`` (default 1:
        the basis vector :math:`e_0`).

    Returns
    -------
    LatticeLaw
        Atoms ``scale * integers`` with ``scale = 1 / (d sqrt(k))``; atoms of mass
        below 1e-300 are left out. ``law.kolmogorov_distance()`` gives the exact
        distance to the uniform-rotation marginal.

    Notes
    -----
    Cost: for ``k <= 4`` about :math:`40\sqrt{d}` binomial masses, so ``d = 2^20``
    takes milliseconds. ``k = 8, 16`` need convolutions (exact loops for
    moderate sizes, FFT with clipping above them, absolute error ~1e-16).

    References
    ----------
    .. [1] T. Zilca, G. Mendelson, "Approximating Uniform Random Rotations by
       Two-Block Structured Hadamard Rotations in High Dimensions",
       arXiv:2604.23418 (2026).

    Examples
    --------
    >>> from math import comb
    >>> from algdiv.rotations import lattice_law
    >>> law = lattice_law(16, 1)
    >>> abs(law.atom(0.0) - comb(16, 8) / 2**16) < 1e-15
    True
    >>> round(law.kolmogorov_distance(), 6)
    0.098190
    """
    d = as_dim(d)
    k = as_dim(k, "k", minimum=1)
    if k > min(d, _MAX_K):
        raise ValueError(f"Argument 'k' must be a power of 2 <= min(d, {_MAX_K}) = {min(d, _MAX_K)}, not {k}.")
    n = d // k
    hk = np.array([[(-1) ** bin(i & j).count("1") for j in range(k)] for i in range(k)], dtype=np.int64)
    patterns = Counter()
    # s -> -s leaves |H_k s| unchanged, so fix s_0 = +1.
    for rest in itertools.product((1, -1), repeat=k - 1):
        s = np.array((1,) + rest, dtype=np.int64)
        patterns[tuple(sorted(np.abs(hk @ s).tolist()))] += 1
    total = 2 ** (k - 1)
    laws = [(w / total, _pattern_law(p, n)) for p, w in sorted(patterns.items())]
    lo = min(lo_i for _, (lo_i, _) in laws)
    hi = max(lo_i + p.size - 1 for _, (lo_i, p) in laws)
    pmf = np.zeros(hi - lo + 1)
    for w, (lo_i, p) in laws:
        pmf[lo_i - lo : lo_i - lo + p.size] += w * p
    nz = np.flatnonzero(pmf)
    return LatticeLaw(
        integers=(nz + lo).astype(np.int64),
        pmf=pmf[nz],
        scale=1.0 / (d * math.sqrt(k)),
        d=d,
        k=k,
    )
