"""Sparse Walsh-Hadamard transforms from few, noisy queries (SPRIGHT).

A function on :math:`\\{0,1\\}^n` whose Walsh spectrum has K non-zero
coefficients (a fitness landscape, a set function, a model's response to
feature subsets) is recovered from :math:`O(K \\log N)` queries instead of all
:math:`N = 2^n`, also when every query is noisy. The convention is

.. math::

    f(m) = \\sum_k X_k (-1)^{\\langle k, m\\rangle},\\qquad
    X = \\tfrac1N\\, \\mathrm{fwht}(f)\\ (\\text{norm="backward"}),

and the SNR is :math:`\\sum_k X_k^2/\\sigma^2` for per-query noise
:math:`N(0, \\sigma^2)`. See ``docs/sparse.md``.

Examples
--------
>>> import numpy as np
>>> from algdiv.sparse import sparse_wht, planted_sparse_signal, QueryCounter
>>> sig = planted_sparse_signal(20, 16, snr=10, rng=0)       # N = 2**20, 10 dB
>>> q = QueryCounter(sig, 20)
>>> res = sparse_wht(q, 20, sparsity=16, rng=1)              # noise estimated
>>> bool(np.array_equal(res.support, sig.support)), res.complete
(True, True)
>>> q.n_queries / 2**20 < 0.02
True
"""
from ._query import PlantedSignal, QueryCounter, planted_sparse_signal
from ._spright import IncompleteRecoveryWarning, SparseWHTResult, StageDiagnosis, sparse_wht

__all__ = [
    "sparse_wht",
    "SparseWHTResult",
    "StageDiagnosis",
    "IncompleteRecoveryWarning",
    "QueryCounter",
    "PlantedSignal",
    "planted_sparse_signal",
]
