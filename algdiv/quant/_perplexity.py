r"""Perplexity of Gemma-3 (reference or quantized) by llama.cpp's protocol, with bootstrap errors.

Protocol (llama.cpp ``perplexity``): the token ids are cut into
``n_windows = len(ids) // n_ctx`` windows of ``n_ctx`` consecutive ids; each
window's first id is replaced by ``<bos>``, the window is evaluated from an
empty cache, and the next-token negative log-likelihoods of positions
``first = n_ctx // 2 .. n_ctx - 2`` (predicting ids ``first + 1 .. n_ctx - 1``)
are scored: ``n_ctx - 1 - first`` tokens per window.  Each window is fed as a
prefill of its first (unscored) half and then chunks of ``n_batch`` tokens
that attend to the cached keys and values.
"""
from __future__ import annotations

import time
from collections import namedtuple

import numpy as np
from scipy.special import logsumexp

from .._progress import Ticker, check_progress
from ._gemma import GemmaModel, load_gemma
from ._gemma_cache import GemmaKVCache, gemma_forward_cached

__all__ = ["perplexity_windows", "perplexity", "PerplexityResult", "paired_difference",
           "token_nll", "bootstrap_ppl"]


def perplexity_windows(n_tokens, n_ctx, max_windows=None):
    """Window arithmetic of the protocol: ``(starts, first, n_scored)``.

    ``starts[i] = i n_ctx`` for ``i < min(n_tokens // n_ctx, max_windows)``;
    scoring starts at in-window position ``first = n_ctx // 2`` and covers
    ``n_scored = n_ctx - 1 - first`` next-token predictions per window.

    Examples
    --------
    >>> from algdiv.quant import perplexity_windows
    >>> perplexity_windows(2600, 1024)
    (array([   0, 1024]), 512, 511)
    """
    for name, val in (("n_tokens", n_tokens), ("n_ctx", n_ctx)):
        if isinstance(val, (bool, np.bool_)) or not isinstance(val, (int, np.integer)):
            raise TypeError(f"Argument {name!r} must be an int, not {type(val).__name__}.")
    if n_ctx < 4:
        raise ValueError(f"Argument 'n_ctx' must be at least 4, not {n_ctx!r}.")
    n = int(n_tokens) // int(n_ctx)
    if max_windows is not None:
        if isinstance(max_windows, (bool, np.bool_)) or not isinstance(max_windows, (int, np.integer)) \
                or max_windows < 1:
            raise ValueError(f"Argument 'max_windows' must be a positive int, not {max_windows!r}.")
        n = min(n, int(max_windows))
    if n < 1:
        raise ValueError(f"Argument 'ids' has {n_tokens} tokens: fewer than one window of "
                         f"n_ctx = {n_ctx}.")
    first = int(n_ctx) // 2
    return np.arange(n) * int(n_ctx), first, int(n_ctx) - 1 - first


def token_nll(logits, targets):
    r"""Negative log-likelihood of ``targets`` under ``logits`` rows, in float64.

    :math:`-\log \mathrm{softmax}(z)_y = \log\sum_j e^{z_j} - z_y`, computed on
    the float64 cast of the logits.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import token_nll
    >>> token_nll(np.zeros((2, 4), np.float32), [0, 3])
    array([1.38629436, 1.38629436])
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets)
    if z.ndim != 2 or y.shape != (z.shape[0],):
        raise ValueError(f"Arguments 'logits' (T, V) and 'targets' (T,) needed, not {z.shape} and "
                         f"{y.shape}.")
    return logsumexp(z, axis=1) - z[np.arange(z.shape[0]), y]


def _nll_streamed(model, h, targets, vocab_chunk=16384):
    """:func:`token_nll` of ``model.logits(h)`` without forming all logits: one pass over the head.

    Per vocabulary chunk the float32 logits are formed as in ``GemmaModel.logits``
    and folded, in float64, into a running log-sum-exp; the embedding is
    dequantized once per call instead of once per block of rows.
    """
    h = np.asarray(h, dtype=np.float32)
    y = np.asarray(targets)
    t = h.shape[0]
    v = model.config.vocab_size
    cap = model.config.final_logit_softcap
    run_max = np.full(t, -np.inf)
    run_sum = np.zeros(t)
    target = np.empty(t)
    for s in range(0, v, vocab_chunk):
        e = model.embed(np.arange(s, min(s + vocab_chunk, v)))
        z = h @ e.T
        if cap:
            z = np.tanh(z / cap) * cap
        z = z.astype(np.float64)
        mx = np.maximum(run_max, z.max(axis=1))
        run_sum = run_sum * np.exp(run_max - mx) + np.exp(z - mx[:, None]).sum(axis=1)
        run_max = mx
        hit = (y >= s) & (y < s + z.shape[1])
        target[hit] = z[np.flatnonzero(hit), y[hit] - s]
    return run_max + np.log(run_sum) - target


def bootstrap_ppl(nll, n_boot=1000, seed=0):
    """Bootstrap draws of the perplexity over windows: ``exp(mean NLL)`` of resampled windows.

    ``nll`` is (n_windows, n_scored); returns ``n_boot`` perplexities.
    """
    a = np.asarray(nll, dtype=np.float64)
    idx = np.random.default_rng(seed).integers(0, a.shape[0], size=(int(n_boot), a.shape[0]))
    return np.exp(a.mean(axis=1)[idx].mean(axis=1))


_FIELDS = ["nll", "mean_nll", "ppl", "se", "n_ctx", "n_windows", "n_scored", "seconds", "boot"]
PerplexityResult = namedtuple("PerplexityResult", _FIELDS)
PerplexityResult.__doc__ = """Result of :func:`perplexity`.

``nll`` (n_windows, n_scored) float64 per-token NLL in nats; ``mean_nll``;
``ppl = exp(mean_nll)``; ``se`` the bootstrap standard error of ``ppl`` over
windows; ``n_ctx``, ``n_windows``, ``n_scored`` (tokens scored per window);
``seconds`` (wall time of the forward passes); ``boot`` the bootstrap draws
(seeded, so two results on the same windows can be paired)."""


def perplexity(ids, n_ctx=512, *, model=None, kv_quantizer=None, n_batch=None, max_windows=None,
               n_boot=1000, seed=0, vocab_chunk=16384, progress=None):
    r"""Perplexity of a Gemma-3 model on token ids by llama.cpp's protocol (module docstring).

    Parameters
    ----------
    ids : array_like of int, shape (N,)
        Token ids of the evaluation text (e.g. ``gemma_tokenize(text)``).
    n_ctx : int
        Window length (llama.cpp's ``-c``); the second half of each window is scored.
    model : GemmaModel, optional
        Default :func:`load_gemma` (the GGUF's weights dequantized); a copy
        from :func:`quantize_gemma` for quantized weights.
    kv_quantizer : callable, optional
        KV hook of :func:`gemma_forward_cached`, e.g. :class:`KVQuantizer`.
    n_batch : int, optional
        Tokens per chunk after the prefill (default the whole scored half).
    max_windows : int, optional
        Evaluate only the first windows.
    n_boot, seed : int
        Bootstrap draws over windows (seeded) for the standard error.
    vocab_chunk : int
        Output-head rows formed at once (the NLL is a streamed log-sum-exp
        over the vocabulary, equal to :func:`token_nll` of the full logits).
    progress : callable, optional
        ``progress(done, total, "window i/n")`` per chunk.

    Returns
    -------
    PerplexityResult

    Notes
    -----
    With :math:`\ell_{w,t}` the NLL of scored token t in window w,

    .. math:: \bar\ell = \frac{1}{W S}\sum_{w,t} \ell_{w,t},\qquad
              \mathrm{PPL} = e^{\bar\ell},

    and the standard error is the standard deviation of
    :math:`\exp(\frac1W\sum_{w \in B} \bar\ell_w)` over bootstrap
    resamples :math:`B` of the windows (windows, not tokens, are the
    independent units: tokens of a window share its context).

    References
    ----------
    llama.cpp, ``tools/perplexity``; Efron and Tibshirani, An Introduction to
    the Bootstrap (1993).

    Examples
    --------
    >>> from algdiv.quant import gemma_available, gemma_pydoc_ids, perplexity
    >>> if gemma_available():
    ...     r = perplexity(gemma_pydoc_ids(1, 64)[0], n_ctx=64)
    ...     ok = 1 < r.ppl < 50 and r.nll.shape == (1, 31)
    ... else:
    ...     ok = True
    >>> ok
    True
    """
    m = load_gemma() if model is None else model
    if not isinstance(m, GemmaModel):
        raise TypeError(f"Argument 'model' must be a GemmaModel, not {type(m).__name__}.")
    check_progress(progress)
    a = np.asarray(ids)
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise ValueError(f"Argument 'ids' must be a 1-D integer array, not {a.dtype} of shape "
                         f"{a.shape}.")
    starts, first, n_scored = perplexity_windows(a.size, n_ctx, max_windows)
    nb = n_ctx - first if n_batch is None else n_batch
    if isinstance(nb, (bool, np.bool_)) or not isinstance(nb, (int, np.integer)) or nb < 1:
        raise ValueError(f"Argument 'n_batch' must be a positive int, not {n_batch!r}.")
    chunks = [(0, first)] + [(s, min(s + nb, n_ctx)) for s in range(first, n_ctx, nb)]
    cache = GemmaKVCache(m.config, n_ctx)
    nll = np.empty((starts.size, n_scored))
    tick = Ticker(progress, starts.size * len(chunks), f"window 1/{starts.size}")
    t0 = time.perf_counter()
    for wi, s in enumerate(starts):
        win = a[s:s + n_ctx].copy()
        win[0] = m.config.bos_id
        cache.reset()
        for c0, c1 in chunks:
            h = gemma_forward_cached(win[c0:c1], cache, model=m, kv_quantizer=kv_quantizer)
            lo = max(c0, first)
            hi = min(c1, n_ctx - 1)              # the last position predicts past the window
            if hi > lo:
                nll[wi, lo - first:hi - first] = _nll_streamed(m, h[lo - c0:hi - c0],
                                                               win[lo + 1:hi + 1], vocab_chunk)
            tick.step(label=f"window {wi + 1}/{starts.size}")
    seconds = time.perf_counter() - t0
    tick.finish()
    mean = float(nll.mean())
    boot = bootstrap_ppl(nll, n_boot, seed)
    se = float(boot.std(ddof=1)) if starts.size > 1 else float("nan")
    return PerplexityResult(nll, mean, float(np.exp(mean)), se, int(n_ctx), int(starts.size),
                            int(n_scored), seconds, boot)


def paired_difference(a, b, n_boot=1000, seed=0):
    r"""Paired perplexity difference ``b - a`` of two results on the same windows, with bootstrap SE.

    The same window resamples are drawn for both rows, so the shared
    per-window difficulty cancels: the SE of the difference is usually much
    smaller than either row's SE.

    Returns
    -------
    dict
        ``diff`` (:math:`\mathrm{PPL}_b - \mathrm{PPL}_a`), ``se``, ``rel``
        (``diff / ppl_a``), ``rel_se``, ``nll_diff`` (mean NLL difference, nats).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import paired_difference
    >>> from algdiv.quant._perplexity import PerplexityResult
    >>> mk = lambda x: PerplexityResult(x, x.mean(), float(np.exp(x.mean())), 0, 8, 4, 3, 0, None)
    >>> x = np.random.default_rng(0).random((4, 3))
    >>> d = paired_difference(mk(x), mk(x + 0.1))
    >>> round(d["nll_diff"], 12), round(d["se"] / d["diff"], 3) < 0.1
    (0.1, True)
    """
    na, nb_ = np.asarray(a.nll), np.asarray(b.nll)
    if na.shape != nb_.shape:
        raise ValueError(f"Arguments 'a' and 'b' must be on the same windows: NLL shapes {na.shape} "
                         f"and {nb_.shape}.")
    idx = np.random.default_rng(seed).integers(0, na.shape[0], size=(int(n_boot), na.shape[0]))
    ma, mb = na.mean(axis=1), nb_.mean(axis=1)
    pa, pb = np.exp(ma[idx].mean(axis=1)), np.exp(mb[idx].mean(axis=1))
    d = pb - pa
    pa_full = float(np.exp(na.mean()))
    diff = float(np.exp(nb_.mean())) - pa_full
    se = float(d.std(ddof=1)) if na.shape[0] > 1 else float("nan")
    return {"diff": diff, "se": se, "rel": diff / pa_full, "rel_se": se / pa_full,
            "nll_diff": float(nb_.mean() - na.mean())}
