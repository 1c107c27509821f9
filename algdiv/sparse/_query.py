"""Query accounting and planted test signals for the sparse Walsh-Hadamard transform."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import check_array, check_choice, check_int, check_real
from ..groups._limits import check_bytes
from ._bits import signs

__all__ = ["QueryCounter", "PlantedSignal", "planted_sparse_signal", "check_n", "as_indices"]

_MAX_N = 62


def check_n(n):
    """Validate the number of bits ``n`` (1..62) and return it as an int."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"Argument 'n' must be an integer, not {type(n).__name__}.")
    if not 1 <= int(n) <= _MAX_N:
        raise ValueError(f"Argument 'n' must be in 1..{_MAX_N} (indices are n-bit integers), not {n!r}.")
    return int(n)


def as_indices(indices, n, name="indices"):
    """``indices`` as an int64 array after checking they are integers in [0, 2**n)."""
    try:
        idx = np.asarray(indices)
    except OverflowError:
        idx = np.asarray(indices, dtype=object)
    if idx.dtype.kind == "O" and idx.size and all(isinstance(v, int) and not isinstance(v, bool)
                                                   for v in idx.ravel().tolist()):
        bad = [v for v in idx.ravel().tolist() if not 0 <= v < 1 << n]
        if bad:
            raise ValueError(f"Argument {name!r} must lie in [0, 2**{n}) = [0, {1 << n}), not {bad[0]}.")
        idx = idx.astype(np.int64)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"Argument {name!r} must be an integer array, not dtype {idx.dtype}.")
    if idx.size == 0:
        return idx.astype(np.int64)
    lo, hi = idx.min(), idx.max()
    size = 1 << n
    if lo < 0 or int(hi) >= size:
        bad = lo if lo < 0 else hi
        raise ValueError(f"Argument {name!r} must lie in [0, 2**{n}) = [0, {size}), not {int(bad)}.")
    return idx.astype(np.int64)


class QueryCounter:
    """Memoizing, counting wrapper around a query function on :math:`\\{0, 1\\}^n`.

    Each distinct index is passed to ``f`` once; later requests are answered
    from memory, so a noisy ``f`` behaves like a real experiment whose
    measurement of index ``m`` is fixed once taken. The number of distinct
    indices queried (the sample complexity) is :attr:`n_queries`.

    Parameters
    ----------
    f : callable
        ``f(indices) -> values``: ``indices`` is a 1-D ``int64`` array of
        distinct indices in :math:`[0, 2^n)`, ``values`` a real array of the
        same shape.
    n : int
        Number of bits, 1..62.

    Attributes
    ----------
    n_queries : int
        Distinct indices evaluated so far.
    n_requests : int
        Indices requested in total, repeats included.
    n_batches : int
        Calls made to ``f``.

    Raises
    ------
    ValueError
        On a request outside :math:`[0, 2^n)`, or when ``f`` returns the wrong
        shape or a non-finite value.
    TypeError
        When ``f`` is not callable, indices are not integers, or ``f`` returns
        non-real values.

    Examples
    --------
    >>> import numpy as np
    >>> q = QueryCounter(lambda m: (-1.0) ** (m & 1), n=3)
    >>> q(np.array([1, 2, 1, 5]))
    array([-1.,  1., -1., -1.])
    >>> q.n_queries, q.n_requests
    (3, 4)
    >>> q(np.array([8]))
    Traceback (most recent call last):
    ...
    ValueError: Argument 'indices' must lie in [0, 2**3) = [0, 8), not 8.
    """

    def __init__(self, f, n):
        if not callable(f):
            raise TypeError(f"Argument 'f' must be callable, not {type(f).__name__}.")
        self.n = check_n(n)
        self.f = f
        self._keys = np.empty(0, dtype=np.int64)
        self._vals = np.empty(0, dtype=np.float64)
        self.n_requests = 0
        self.n_batches = 0

    @property
    def n_queries(self):
        return int(self._keys.size)

    @property
    def indices(self):
        """The distinct indices queried so far, sorted (a copy)."""
        return self._keys.copy()

    def _check_indices(self, indices):
        return as_indices(indices, self.n)

    def _evaluate(self, new):
        values = self.f(new.copy())
        self.n_batches += 1
        arr = np.asarray(values)
        if arr.shape != new.shape:
            raise ValueError(f"Argument 'f' must return an array of shape {new.shape} for "
                             f"{new.size} indices, not shape {arr.shape}.")
        if arr.dtype.kind == "c":
            raise TypeError("Argument 'f' must return real values, not complex ones.")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Argument 'f' must return real numbers, not dtype {arr.dtype}.")
        arr = arr.astype(np.float64)
        finite = np.isfinite(arr)
        if not finite.all():
            first = int(np.flatnonzero(~finite)[0])
            raise ValueError(f"Argument 'f' must return finite values, not {float(arr[first])!r} "
                             f"at index {int(new[first])}.")
        return arr

    def __call__(self, indices):
        idx = self._check_indices(indices)
        self.n_requests += idx.size
        flat = idx.ravel()
        if flat.size == 0:
            return np.empty(idx.shape, dtype=np.float64)
        uniq, inverse = np.unique(flat, return_inverse=True)
        pos = np.searchsorted(self._keys, uniq)
        known = pos < self._keys.size
        known[known] = self._keys[pos[known]] == uniq[known]
        new = uniq[~known]
        if new.size:
            vals = self._evaluate(new)
            keys = np.concatenate([self._keys, new])
            allv = np.concatenate([self._vals, vals])
            order = np.argsort(keys, kind="stable")
            self._keys, self._vals = keys[order], allv[order]
            pos = np.searchsorted(self._keys, uniq)
        return self._vals[pos][inverse].reshape(idx.shape)


def _splitmix64(x):
    """The splitmix64 finalizer (Steele, Lea & Flood 2014), elementwise on uint64."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class PlantedSignal:
    """A K-sparse Walsh spectrum observed through per-index Gaussian noise.

    Calling the object evaluates
    :math:`y[m] = \\sum_k X_k (-1)^{\\langle k, m\\rangle} + \\sigma z_m` at an
    integer array of indices. The cost is :math:`O(K)` per index (evaluated in
    chunks, never an :math:`N \\times K` array). The noise :math:`z_m` is a
    deterministic hash of ``(seed, m)``, so repeated queries of ``m`` agree.
    """

    def __init__(self, n, support, coefficients, sigma=0.0, seed=0, chunk=8192):
        self.n = check_n(n)
        sup = check_array(support, "support", ndim=1, dtype_kind="iu")
        if sup.size and (sup.min() < 0 or sup.max() >= (1 << self.n)):
            raise ValueError(f"Argument 'support' must hold indices in [0, 2**{self.n}), "
                             f"not {int(sup.min()) if sup.min() < 0 else int(sup.max())}.")
        if np.unique(sup).size != sup.size:
            raise ValueError("Argument 'support' must not repeat an index.")
        self.support = sup.astype(np.int64)
        self.coefficients = check_array(coefficients, "coefficients", shape=(sup.size,),
                                        dtype_kind="iuf", finite=True).astype(np.float64)
        self.sigma = check_real(sigma, "sigma", min=0)
        self.seed = check_int(seed, "seed", min=0, max=2 ** 64 - 1)
        self.chunk = check_int(chunk, "chunk", min=1)

    @property
    def energy(self):
        """:math:`\\|X\\|^2 = \\sum_k X_k^2`."""
        return float(np.dot(self.coefficients, self.coefficients))

    @property
    def snr_db(self):
        """SNR :math:`10\\log_{10}(\\|X\\|^2/\\sigma^2)` in dB (``inf`` when noiseless)."""
        return math.inf if self.sigma == 0 else 10 * math.log10(self.energy / self.sigma ** 2)

    def noise(self, indices):
        """The noise :math:`\\sigma z_m` at ``indices`` (Box-Muller on two hashed uniforms)."""
        m = as_indices(indices, self.n).astype(np.uint64)
        key = _splitmix64(np.full(m.shape, self.seed, dtype=np.uint64))
        h1 = _splitmix64(m ^ key)
        h2 = _splitmix64(h1 ^ np.uint64(0xD1B54A32D192ED03))
        u1 = ((h1 >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0 ** -53
        u2 = (h2 >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
        return self.sigma * np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)

    def clean(self, indices):
        """The noiseless values :math:`\\sum_k X_k (-1)^{\\langle k, m\\rangle}`."""
        m = as_indices(indices, self.n)
        out = np.empty(m.shape, dtype=np.float64)
        flat, res = m.ravel().astype(np.uint64), out.reshape(-1)
        ks = self.support.astype(np.uint64)
        for s in range(0, flat.size, self.chunk):
            block = flat[s:s + self.chunk]
            res[s:s + self.chunk] = signs(block[:, None], ks[None, :]) @ self.coefficients
        return out

    def __call__(self, indices):
        y = self.clean(indices)
        if self.sigma:
            y += self.noise(indices)
        return y


def planted_sparse_signal(n, sparsity, *, snr=math.inf, amplitudes="pm1", rng=None):
    """A random K-sparse Walsh spectrum and its noisy query function (the spec's protocol).

    Parameters
    ----------
    n : int
        Number of bits (N = 2^n), 1..62.
    sparsity : int
        K, the number of non-zero coefficients (support uniform without replacement).
    snr : float
        Signal-to-noise ratio in dB, convention (a):
        :math:`\\mathrm{SNR} = \\sum_k X_k^2 / \\sigma^2` for per-index noise
        :math:`N(0, \\sigma^2)`. ``inf`` for no noise.
    amplitudes : {"pm1", "uniform12"}
        Random signs of magnitude 1, or random signs with magnitudes uniform in [1, 2].
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    PlantedSignal
        Callable on integer index arrays; ``.support`` (sorted), ``.coefficients``, ``.sigma``.

    Examples
    --------
    >>> sig = planted_sparse_signal(10, 4, snr=20, rng=0)
    >>> sig.support.size, round(sig.snr_db, 6)
    (4, 20.0)
    >>> bool(np.all(sig([3, 3]) == sig([3, 3])))  # noise fixed per index
    True
    """
    n = check_n(n)
    if isinstance(sparsity, bool) or not isinstance(sparsity, numbers.Integral):
        raise TypeError(f"Argument 'sparsity' must be an integer, not {type(sparsity).__name__}.")
    if not 1 <= sparsity <= (1 << n):
        raise ValueError(f"Argument 'sparsity' must be in 1..2**n = {1 << n}, not {sparsity!r}.")
    amplitudes = check_choice(amplitudes, "amplitudes", ("pm1", "uniform12"))
    snr = check_real(snr, "snr", finite=False)
    if snr == -math.inf:
        raise ValueError("Argument 'snr' must be a number of dB or inf, not -inf.")
    check_bytes(8.0 * 6 * int(sparsity), f"planted_sparse_signal with sparsity {sparsity}")
    rng = np.random.default_rng(rng)
    k = int(sparsity)
    if n <= 20:
        support = rng.choice(1 << n, size=k, replace=False)
    else:  # rejection sampling: K << N
        support = np.unique(rng.integers(0, 1 << n, size=2 * k + 8, dtype=np.int64))
        while support.size < k:
            more = rng.integers(0, 1 << n, size=k, dtype=np.int64)
            support = np.unique(np.concatenate([support, more]))
        support = rng.permutation(support)[:k]
    support = np.sort(support).astype(np.int64)
    sgn = rng.choice([-1.0, 1.0], size=k)
    mags = np.ones(k) if amplitudes == "pm1" else rng.uniform(1.0, 2.0, size=k)
    coefs = sgn * mags
    energy = float(np.dot(coefs, coefs))
    with np.errstate(over="ignore"):
        sigma = 0.0 if math.isinf(snr) else float(math.sqrt(energy) * np.power(10.0, -snr / 20))
    if not math.isfinite(sigma):
        raise ValueError(f"Argument 'snr' must be a number of dB whose noise level is finite, not {snr}.")
    seed = int(rng.integers(0, 2 ** 63 - 1))
    return PlantedSignal(n, support, coefs, sigma=sigma, seed=seed)
