r"""Gemma-3 forward with a KV cache, and the two quantizer hooks of a quantized model.

* :class:`GemmaKVCache` and :func:`gemma_forward_cached`: a window is fed in
  chunks (prefill, then later tokens); every chunk's keys and values enter the
  cache first, then its queries attend to the cache (local layers within the
  sliding window, global layers to the whole window), as llama.cpp does.
* Hook (b), KV: ``kv_quantizer(layer, k, v, positions=, hidden=, config=)``
  returns the dequantized ``(k, v)`` that enter the cache (pre-RoPE keys; RoPE
  is applied to what is cached).  :class:`KVQuantizer` wraps :func:`kv_quantize`.
* Hook (a), weights: :func:`quantize_gemma` returns a new model whose block
  linear weights (and, optionally, the tied embedding) are replaced by their
  quantized-dequantized versions, with the bytes each stored form takes.
  :func:`rtn_weights` and :func:`itq3s_weights` are ready-made quantizers.
"""
from __future__ import annotations

import numpy as np

from .._progress import Ticker, check_progress
from ._gemma import GemmaModel, _gqa_attention, _rms, load_gemma
from ._kv import apply_rope, kv_quantize

__all__ = ["GemmaKVCache", "gemma_forward_cached", "KVQuantizer", "quantize_gemma", "rtn_weights",
           "itq3s_weights", "BLOCK_LINEARS", "block_linear_names"]

BLOCK_LINEARS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


def block_linear_names(config):
    """GGUF names of the 7 linear weights of every block (``blk.{l}.attn_q.weight``, ...)."""
    return [f"blk.{li}.{n}.weight" for li in range(config.n_layers) for n in BLOCK_LINEARS]


class GemmaKVCache:
    """Keys (after RoPE) and values of the tokens fed so far, every layer, float32.

    Parameters
    ----------
    config : GemmaConfig
    capacity : int
        Most tokens the cache will hold (one evaluation window).

    Attributes
    ----------
    k, v : ndarray, shape (n_layers, capacity, n_kv_heads * head_dim)
        ``k[l, :length]`` are the cached keys with RoPE applied at their
        positions; values ``v[l, :length]``.  What enters is whatever the KV
        hook returned (the dequantized values of a quantized cache).
    length : int
        Tokens cached (positions ``0 .. length - 1``).
    """

    def __init__(self, config, capacity):
        if isinstance(capacity, (bool, np.bool_)) or not isinstance(capacity, (int, np.integer)) \
                or capacity < 1:
            raise ValueError(f"Argument 'capacity' must be a positive int, not {capacity!r}.")
        width = config.n_kv_heads * config.head_dim
        from ..groups._limits import check_bytes
        check_bytes(2 * config.n_layers * int(capacity) * width * 4, what="Gemma KV cache")
        self.config = config
        self.capacity = int(capacity)
        self.k = np.zeros((config.n_layers, self.capacity, width), np.float32)
        self.v = np.zeros_like(self.k)
        self.length = 0

    def reset(self):
        """Empty the cache (a new window starts at position 0)."""
        self.length = 0


def _gelu_tanh(x):
    """GELU, tanh form, in float32 (``x*x*x``: the float32 power ufunc is several times slower)."""
    c = np.float32(np.sqrt(2.0 / np.pi))
    return np.float32(0.5) * x * (np.float32(1.0) + np.tanh(c * (x + np.float32(0.044715) * (x * x * x))))


def _check_ids(ids, vocab):
    a = np.asarray(ids)
    if a.ndim != 1 or a.size == 0 or a.dtype.kind not in "iu":
        raise ValueError(f"Argument 'ids' must be a non-empty 1-D integer array, not {a.dtype} "
                         f"of shape {a.shape}.")
    if a.min() < 0 or a.max() >= vocab:
        raise ValueError(f"Argument 'ids' must lie in [0, {vocab}).")
    return a


def gemma_forward_cached(ids, cache, *, model=None, kv_quantizer=None, taps=None):
    r"""Feed ``ids`` after the tokens already in ``cache``; return their final-normed hidden states.

    Parameters
    ----------
    ids : array_like of int, shape (T,)
        The next tokens (a window starts with ``<bos>``).  They take positions
        ``cache.length .. cache.length + T - 1``.
    cache : GemmaKVCache
        Appended to in place (``cache.length`` grows by T).
    model : GemmaModel, optional
        Default :func:`load_gemma`; a quantized copy from :func:`quantize_gemma`
        or a small random model work the same.
    kv_quantizer : callable, optional
        ``kv_quantizer(layer, k, v, positions=..., hidden=..., config=...)``
        with pre-RoPE keys ``k`` and values ``v`` (T, n_kv_heads*head_dim,
        float32), the absolute ``positions`` (T,) and the layer input
        ``hidden`` (T, d_model); returns the ``(k, v)`` to cache.  None keeps
        them at reference precision.
    taps : callable, optional
        ``taps(name, x)`` is called with the input ``x`` (T, d_in) of every
        block linear weight ``name`` (calibration statistics).

    Returns
    -------
    ndarray, shape (T, d_model), float32
        Final-normed hidden states; ``model.logits(h)`` gives next-token logits.

    Notes
    -----
    Same layer as :func:`gemma_forward` (whose notation this follows), with
    attention over the cache: query at position :math:`p` attends to cached
    position :math:`j` iff :math:`j \le p` and, on sliding-window layers,
    :math:`p - j < w`.  The chunk's own keys and values are cached (and
    quantized) before its queries read them, so splitting a window into
    chunks changes nothing without quantization, and a quantized cache is
    read back quantized by every query, the chunk's own included (llama.cpp's
    semantics).

    Examples
    --------
    Without the Gemma package the example runs on nothing and prints True.

    >>> import numpy as np
    >>> from algdiv.quant import GemmaKVCache, gemma_available, gemma_forward_cached, load_gemma
    >>> ok = True
    >>> if gemma_available():
    ...     m = load_gemma()
    ...     ids = np.array([2, 818, 5279, 529, 7001, 563])
    ...     c = GemmaKVCache(m.config, 8)
    ...     h = np.concatenate([gemma_forward_cached(ids[:4], c), gemma_forward_cached(ids[4:], c)])
    ...     c.reset()
    ...     ok = bool(np.allclose(h, gemma_forward_cached(ids, c), atol=1e-3))
    >>> ok
    True
    """
    m = load_gemma() if model is None else model
    if not isinstance(m, GemmaModel):
        raise TypeError(f"Argument 'model' must be a GemmaModel, not {type(m).__name__}.")
    if not isinstance(cache, GemmaKVCache):
        raise TypeError(f"Argument 'cache' must be a GemmaKVCache, not {type(cache).__name__}.")
    c = m.config
    if cache.config.n_layers != c.n_layers or cache.k.shape[2] != c.n_kv_heads * c.head_dim:
        raise ValueError("Argument 'cache' was built for another model configuration.")
    if kv_quantizer is not None and not callable(kv_quantizer):
        raise TypeError("Argument 'kv_quantizer' must be callable or None.")
    if taps is not None and not callable(taps):
        raise TypeError("Argument 'taps' must be callable or None.")
    ids = _check_ids(ids, c.vocab_size)
    t_len = ids.size
    p0 = cache.length
    if p0 + t_len > cache.capacity:
        raise ValueError(f"Argument 'ids' ({t_len} tokens) overflows the cache: {p0} cached, "
                         f"capacity {cache.capacity}.")
    nh, nkv, hd, eps = c.n_heads, c.n_kv_heads, c.head_dim, np.float32(c.rms_eps)
    w = m.tensors
    pos = np.arange(p0, p0 + t_len)
    kpos = np.arange(p0 + t_len)
    causal = pos[:, None] >= kpos[None, :]
    local = causal & (pos[:, None] - kpos[None, :] < c.sliding_window)
    scale = np.float32(c.query_pre_attn_scalar ** -0.5)
    x = m.embed(ids) * np.float32(np.sqrt(c.d_model))
    n_all = p0 + t_len
    for li in range(c.n_layers):
        p = f"blk.{li}."
        h = _rms(x, w[p + "attn_norm.weight"], eps)
        if taps is not None:
            for n in ("attn_q", "attn_k", "attn_v"):
                taps(p + n + ".weight", h)
        q = _rms((h @ w[p + "attn_q.weight"].T).reshape(t_len, nh, hd), w[p + "attn_q_norm.weight"],
                 eps).reshape(t_len, -1)
        k = _rms((h @ w[p + "attn_k.weight"].T).reshape(t_len, nkv, hd), w[p + "attn_k_norm.weight"],
                 eps).reshape(t_len, -1)
        v = h @ w[p + "attn_v.weight"].T
        if kv_quantizer is not None:
            k, v = kv_quantizer(li, k, v, positions=pos, hidden=x, config=c)
        base = c.rope_base(li)
        cache.k[li, p0:n_all] = apply_rope(k, pos, hd, base)
        cache.v[li, p0:n_all] = v
        qr = apply_rope(q, pos, hd, base).astype(np.float32).reshape(t_len, nh, hd)
        kr = cache.k[li, :n_all].reshape(n_all, nkv, hd)
        vv = cache.v[li, :n_all].reshape(n_all, nkv, hd)
        o = _gqa_attention(qr, kr, vv, causal if c.is_global(li) else local, scale)
        if taps is not None:
            taps(p + "attn_output.weight", o)
        x = x + _rms(o @ w[p + "attn_output.weight"].T, w[p + "post_attention_norm.weight"], eps)
        u = _rms(x, w[p + "ffn_norm.weight"], eps)
        if taps is not None:
            taps(p + "ffn_gate.weight", u)
            taps(p + "ffn_up.weight", u)
        f = _gelu_tanh(u @ w[p + "ffn_gate.weight"].T) * (u @ w[p + "ffn_up.weight"].T)
        if taps is not None:
            taps(p + "ffn_down.weight", f)
        x = x + _rms(f @ w[p + "ffn_down.weight"].T, w[p + "post_ffw_norm.weight"], eps)
    cache.length = n_all
    return _rms(x, w["output_norm.weight"], eps)


# ------------------------------------------------------------------------------------------------
# Hook (b): KV quantization as tokens enter the cache.

class KVQuantizer:
    r""":func:`kv_quantize` as the KV hook of :func:`gemma_forward_cached`.

    Parameters
    ----------
    bits : int
        Bits per cached element (asymmetric min-max grid).
    group_size : int
        Channels per group (per token), or tokens per group for
        ``key_axis="channel"`` (KIVI): the groups are formed inside each chunk
        that enters the cache, so chunks should be multiples of it.
    rotate, clip, key_axis, pre_rope :
        As in :func:`kv_quantize` (``rotate="values"`` rotates V only).
    reorder : False, True or sequence of arrays
        Key channel order: False none; True calibrated on each entering chunk
        itself; a sequence gives one permutation per layer (calibrated on
        other text, e.g. with :func:`calibrate_reorder`).
    sinks : {None, "bos", "hidden"}
        Tokens kept at reference precision: none, the window's first token
        (position 0, ``<bos>``), or RotateKV's rule (the tokens holding the
        ``n_sink`` largest ``|h|`` entries of the layer input, per chunk).
    n_sink : int
        For ``sinks="hidden"``.

    Attributes
    ----------
    tokens, sink_tokens : int
        Token-layers quantized so far, and how many of them were kept as
        sinks (for the cache's size).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import KVQuantizer
    >>> from algdiv.quant._gemma import GemmaConfig
    >>> cfg = GemmaConfig(1, 32, 2, 1, 16, 64, 10, 1e-6, 8, 2, 1e6, 1e4, 16.0, None, 2, 1)
    >>> kq = KVQuantizer(16, group_size=16, sinks="bos")
    >>> k, v = np.random.default_rng(0).standard_normal((2, 5, 16)).astype(np.float32)
    >>> kh, vh = kq(0, k, v, positions=np.arange(5), hidden=np.zeros((5, 32)), config=cfg)
    >>> bool(np.allclose(kh, k, atol=1e-3)), kq.tokens, kq.sink_tokens
    (True, 5, 1)
    """

    def __init__(self, bits, *, group_size=128, rotate=True, clip=True, reorder=False, sinks=None,
                 n_sink=20, key_axis="token", pre_rope=True):
        from ._rtn import _check_bits
        self.bits = _check_bits(bits)
        if sinks not in (None, "bos", "hidden"):
            raise ValueError(f"Argument 'sinks' must be None, 'bos' or 'hidden', not {sinks!r}.")
        if not (reorder is True or reorder is False or isinstance(reorder, (list, tuple))):
            raise ValueError("Argument 'reorder' must be True, False or a sequence of per-layer "
                             f"permutations, not {type(reorder).__name__}.")
        self.options = dict(group_size=group_size, rotate=rotate, clip=clip, key_axis=key_axis,
                            pre_rope=pre_rope)
        self.reorder, self.sinks, self.n_sink = reorder, sinks, int(n_sink)
        self.tokens = 0
        self.sink_tokens = 0

    def __repr__(self):
        return (f"KVQuantizer(bits={self.bits}, {self.options}, reorder="
                f"{'calibrated' if isinstance(self.reorder, (list, tuple)) else self.reorder}, "
                f"sinks={self.sinks!r})")

    def __call__(self, layer, k, v, *, positions, hidden, config):
        reorder = self.reorder[layer] if isinstance(self.reorder, (list, tuple)) else self.reorder
        kw = {}
        if self.sinks == "bos":
            kw["sink_tokens"] = np.flatnonzero(np.asarray(positions) == 0)
        elif self.sinks == "hidden":
            kw["hidden"], kw["n_sink"] = hidden, self.n_sink
        r = kv_quantize(k, v, bits=self.bits, head_dim=config.head_dim, group_heads=1,
                        reorder=reorder, positions=positions, rope_base=config.rope_base(layer),
                        **self.options, **kw)
        self.tokens += len(positions)
        self.sink_tokens += int(r.sink_tokens.size)
        return r.k.astype(np.float32), r.v.astype(np.float32)

    def bits_per_element(self):
        """Mean stored bits per cached element: codes, an fp16 scale and zero per group, sinks at 16.

        Per-channel key groups span ``group_size`` tokens, per-token groups
        ``group_size`` channels: either way ``bits + 32 / group_size``.
        """
        g = self.options["group_size"]
        coded = self.bits + 32.0 / g
        if not self.tokens:
            return coded
        fp = self.sink_tokens / self.tokens
        return (1 - fp) * coded + 16.0 * fp


# ------------------------------------------------------------------------------------------------
# Hook (a): weights replaced by their quantized-dequantized versions.

def rtn_weights(bits, group_size, *, rotate=False):
    r"""Weight quantizer for :func:`quantize_gemma`: RTN (optionally Hadamard-rotated) along the input axis.

    Returns ``f(name, w) -> (w_hat, nbytes)``; ``nbytes`` counts what is stored:
    ``ceil(n bits / 8)`` bytes of codes plus an fp16 scale and an fp16 zero per
    group (the rotation is a fixed transform, not stored).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import rtn_weights
    >>> w_hat, nbytes = rtn_weights(3, 64)("x", np.ones((4, 128), np.float32))
    >>> nbytes, 8 * nbytes / w_hat.size
    (224, 3.5)
    """
    from ._rotate import rotated_rtn
    from ._rtn import _check_bits, rtn
    bits = _check_bits(bits)

    def quantize(name, w):
        wd = np.asarray(w, dtype=np.float64)
        wh = (rotated_rtn if rotate else rtn)(wd, bits, group_size)
        n = wd.size
        return wh.astype(np.float32), -(-n * bits // 8) + 4 * (n // group_size)
    quantize.label = f"{'rotated ' if rotate else ''}RTN {bits}-bit g{group_size}"
    return quantize


def itq3s_weights():
    """Weight quantizer for :func:`quantize_gemma`: the ITQ3_S-style packed format (bytes = the buffer).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import itq3s_weights
    >>> w_hat, nbytes = itq3s_weights()("x", np.ones((2, 256), np.float32))
    >>> nbytes
    266
    """
    from ._itq3s import itq3s_decode, itq3s_encode

    def quantize(name, w):
        p = itq3s_encode(np.asarray(w))
        return itq3s_decode(p, np.float32), p.nbytes
    quantize.label = "ITQ3_S"
    return quantize


class _DenseEmbeddingModel(GemmaModel):
    """A GemmaModel whose tied embedding is RTN-coded: uint8 codes, float32 scale and offset per group."""

    def __init__(self, base, codes, scale, offset, group_size):
        super().__init__(base.config, base.tensors, base.emb_codes, base.emb_scales, base.tokens,
                         base.scores, base.token_types)
        self.q_codes, self.q_scale, self.q_offset, self.q_group = codes, scale, offset, group_size

    def embed(self, ids):
        ids = np.asarray(ids)
        g = self.q_group
        c = self.q_codes[ids].astype(np.float32).reshape(ids.shape + (-1, g))
        out = c * self.q_scale[ids][..., None] + self.q_offset[ids][..., None]
        return out.reshape(ids.shape + (-1,))


def _rtn_codes(w, bits, group_size):
    """Asymmetric min-max RTN of (rows, d): (codes uint8, scale, offset), w_hat = codes*scale + offset."""
    g = w.reshape(w.shape[0], -1, group_size).astype(np.float64)
    levels = 2 ** bits - 1
    hi, lo = g.max(-1), g.min(-1)
    s = (hi - lo) / levels
    safe = np.where(s > 0, s, 1.0)
    z = np.round(-lo / safe)
    q = np.clip(np.round(g / safe[..., None]) + z[..., None], 0, levels)
    return q.reshape(w.shape).astype(np.uint8), (s).astype(np.float32), (-z * s).astype(np.float32)


def quantize_gemma(model, weights=None, *, embedding_bits=None, embedding_group=64, progress=None):
    r"""A copy of ``model`` with quantized-dequantized weights, and the bytes of what is stored.

    Parameters
    ----------
    model : GemmaModel
        Not modified (the copy shares its unchanged arrays).
    weights : callable, optional
        ``weights(name, w) -> (w_hat, nbytes)`` applied to each block linear
        weight (:data:`BLOCK_LINEARS`, shape (d_out, d_in)); e.g.
        :func:`rtn_weights`, :func:`itq3s_weights`.  None keeps them.
    embedding_bits : int, optional
        Also quantize the tied embedding / output head with asymmetric RTN of
        this many bits, groups of ``embedding_group`` along the model axis
        (default: kept at reference precision).
    progress : callable, optional
        ``progress(done, total, label)`` over the weights.

    Returns
    -------
    GemmaModel
        With ``storage``, a dict ``{tensor name: bytes stored}`` (the
        reference entries of ``model.storage`` for what was kept).

    Examples
    --------
    >>> from algdiv.quant import gemma_available, load_gemma, quantize_gemma, rtn_weights
    >>> if gemma_available():
    ...     q = quantize_gemma(load_gemma(), rtn_weights(3, 64))
    ...     n = q.tensors["blk.0.attn_q.weight"].size
    ...     bpw = 8 * q.storage["blk.0.attn_q.weight"] / n
    ... else:
    ...     bpw = 3.5
    >>> bpw
    3.5
    """
    if not isinstance(model, GemmaModel):
        raise TypeError(f"Argument 'model' must be a GemmaModel, not {type(model).__name__}.")
    if weights is not None and not callable(weights):
        raise TypeError("Argument 'weights' must be callable (name, w) -> (w_hat, nbytes) or None.")
    check_progress(progress)
    names = block_linear_names(model.config)
    tensors = dict(model.tensors)
    storage = dict(getattr(model, "storage", {}) or {})
    tick = Ticker(progress, len(names) if weights is not None else 0, "weights")
    if weights is not None:
        for name in names:
            w = tensors[name]
            wh, nbytes = weights(name, w)
            wh = np.asarray(wh, dtype=np.float32)
            if wh.shape != w.shape:
                raise ValueError(f"Weight quantizer returned shape {wh.shape} for {name} {w.shape}.")
            tensors[name] = wh
            storage[name] = int(nbytes)
            tick.step(label=name)
    base = GemmaModel(model.config, tensors, model.emb_codes, model.emb_scales, model.tokens,
                      model.scores, model.token_types)
    if embedding_bits is None:
        out = base
        if isinstance(model, _DenseEmbeddingModel):
            out = _DenseEmbeddingModel(base, model.q_codes, model.q_scale, model.q_offset,
                                       model.q_group)
    else:
        from ._rtn import _check_bits
        b = _check_bits(embedding_bits, 1, 8)
        vocab, d = model.emb_codes.shape
        if d % embedding_group:
            raise ValueError(f"Argument 'embedding_group' must divide d_model = {d}, "
                             f"not {embedding_group!r}.")
        codes = np.empty((vocab, d), np.uint8)
        scale = np.empty((vocab, d // embedding_group), np.float32)
        offset = np.empty_like(scale)
        for s in range(0, vocab, 16384):
            rows = np.arange(s, min(s + 16384, vocab))
            codes[rows], scale[rows], offset[rows] = _rtn_codes(model.embed(rows), b, embedding_group)
        out = _DenseEmbeddingModel(base, codes, scale, offset, embedding_group)
        storage["token_embd.weight"] = -(-vocab * d * b // 8) + 4 * scale.size
    out.storage = storage
    tick.finish()
    return out
