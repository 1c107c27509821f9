"""RotateKV-style low-bit KV cache: grouped-head FWHT (pre-RoPE), channel reordering, clip, sinks."""
from collections import namedtuple

import numpy as np

from algdiv.transforms import fwht, ifwht

from ._rotate import _split
from ._dask import is_dask
from ._rtn import _as_weights, _check_bits, _quant_groups
from . import _kv_checks

KVQuantized = namedtuple("KVQuantized", ["k", "v", "sink_tokens", "perm"])
KVQuantized.__doc__ = """Result of :func:`kv_quantize`: dequantized ``k``/``v`` (pre-RoPE domain),
the full-precision ``sink_tokens`` and the key channel permutation ``perm`` (or None)."""


def apply_rope(x, positions, head_dim, base=10000.0, inverse=False):
    r"""Rotary position embedding on (tokens, n_heads * head_dim), half-split pairing.

    Channel :math:`j < d/2` of a head pairs with :math:`j + d/2` and is rotated
    by :math:`\theta_{p,j} = p\, b^{-2j/d}`.  Orthogonal per token, so it keeps
    per-position error norms.  ``inverse=True`` rotates by :math:`-\theta`.
    Su et al., RoFormer, arXiv:2104.09864.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import apply_rope
    >>> x = np.random.default_rng(0).standard_normal((3, 8))
    >>> y = apply_rope(x, np.arange(3), 4)
    >>> bool(np.allclose(np.linalg.norm(y, axis=1), np.linalg.norm(x, axis=1)))
    True
    >>> bool(np.allclose(apply_rope(y, np.arange(3), 4, inverse=True), x))
    True
    """
    _kv_checks.rope_args(x, positions, head_dim, base, inverse)
    a = np.asarray(x, dtype=np.float64)
    t, c = a.shape
    if head_dim % 2 or c % head_dim:
        raise ValueError(f"Argument 'head_dim' must be even and divide {c}, not {head_dim!r}.")
    half = head_dim // 2
    ang = np.asarray(positions, dtype=np.float64)[:, None] * base ** (-np.arange(half) / half)
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    if inverse:
        sin = -sin
    h = a.reshape(t, c // head_dim, head_dim)
    x1, x2 = h[..., :half], h[..., half:]
    return np.concatenate([x1 * cos - x2 * sin, x1 * sin + x2 * cos], axis=-1).reshape(t, c)


def _group_fwht(x, size, inverse=False):
    t, c = x.shape
    f = ifwht if inverse else fwht
    return f(x.reshape(t, c // size, size), axis=-1, norm="ortho").reshape(t, c)


def calibrate_reorder(k_rotated):
    """Channel order by ascending signed sum over tokens (RotateKV's reorder calibration)."""
    _kv_checks._real_2d(k_rotated, "k_rotated")
    return np.argsort(np.asarray(k_rotated, dtype=np.float64).sum(axis=0), kind="stable")


def sink_tokens_from_hidden(hidden, n=20):
    """Token indices holding the ``n`` largest |h| entries of (tokens, d_model) hidden states."""
    if _kv_checks.hidden_args(hidden, n) == 0:
        return np.zeros(0, dtype=np.int64)
    h = np.abs(np.asarray(hidden, dtype=np.float64))
    top = np.argpartition(h.ravel(), -n)[-n:] if n < h.size else np.arange(h.size)
    return np.unique(top // h.shape[1])


def _quant_tokens(x, bits, group_size, clip):
    t, c = x.shape
    if c % group_size:
        raise ValueError(f"Argument 'group_size' must divide the {c} channels, not {group_size!r}.")
    return _quant_groups(x.reshape(t, c // group_size, group_size), bits, False,
                         clip).reshape(t, c)


def _quant_channels(x, bits, group_size, clip):
    """KIVI keys: per channel, groups of ``group_size`` consecutive tokens (last group may be short)."""
    out = np.empty_like(x)
    for s in range(0, x.shape[0], group_size):
        blk = x[s:s + group_size].T
        out[s:s + group_size] = _quant_groups(blk[:, None, :], bits, False, clip)[:, 0, :].T
    return out


def kv_quantize(k, v=None, *, bits=2, group_size=128, head_dim=None, group_heads=1, rotate=True,
                clip=True, reorder=True, sink_tokens=None, hidden=None, n_sink=20,
                key_axis="token", pre_rope=True, positions=None, rope_base=10000.0):
    r"""Quantize a KV cache with the RotateKV components as toggles; returns dequantized K, V.

    Parameters
    ----------
    k : array_like, shape (tokens, n_kv_heads * head_dim)
        Pre-RoPE keys.  Not modified.
    v : array_like, same shape as ``k``, optional
        Values (rotated per head when ``rotate``).
    bits : int
        Bits per element (asymmetric min-max grid).
    group_size : int
        Channels per quantization group (per token), or tokens per group for
        ``key_axis="channel"``.
    head_dim : int
        Channels per head (default: all channels one head).
    group_heads : int
        Heads rotated together by one FWHT of ``head_dim * group_heads``
        (grouped-head rotation; keys only, values use per-head FWHT).
    rotate : bool or {"keys", "values"}
        Hadamard rotation of K (grouped heads) and V (per head), undone after
        dequantization; ``"keys"`` or ``"values"`` rotates only those (e.g.
        KIVI per-channel keys with rotated values: ``key_axis="channel",
        rotate="values"``).
    clip : bool or float
        Clip factor of the per-group range; True means RotateKV's 0.8 at 2 bits
        and 1.0 otherwise; False means 1.0.
    reorder : bool or array_like
        Key channel permutation applied after rotation; True (default)
        calibrates it on ``k`` itself (ascending signed channel sums), an array is used as is
        (from :func:`calibrate_reorder` on calibration keys).
    sink_tokens : array_like of int, optional
        Tokens kept in full precision (attention sinks).
    hidden : array_like, shape (tokens, d_model), optional
        Layer-input hidden states; the tokens of its ``n_sink`` largest |h|
        become sink tokens (added to ``sink_tokens``).
    key_axis : {"token", "channel"}
        Per-token groups (RotateKV, QuaRot) or KIVI-style per-channel keys.
    pre_rope : bool
        True: rotate the pre-RoPE keys (RotateKV).  False: apply RoPE first
        (``positions`` needed), rotate and quantize the post-RoPE keys
        (QuaRot-style) and map the result back to the pre-RoPE domain.
    positions, rope_base :
        RoPE positions (default ``arange(tokens)``) and base, for ``pre_rope=False``.

    Dask ``k``/``v`` (and ``hidden``) give lazy dask ``k``/``v`` computed per
    block of tokens; the calibrations (channel order, sink tokens) are computed
    first from the whole cache (see :mod:`algdiv.quant._dask`).

    Returns
    -------
    KVQuantized
        ``(k, v, sink_tokens, perm)``; ``k``/``v`` dequantized in the
        pre-RoPE domain (``v`` None if not given).

    Notes
    -----
    Keys: :math:`\hat k = H_G^T P^T Q(P H_G k)` per token, with :math:`H_G`
    the orthonormal FWHT over ``group_heads`` heads and :math:`P` the
    channel permutation; RoPE is applied to :math:`\hat k` afterwards, so by
    orthogonality :math:`\|R_p \hat k_p - R_p k_p\| = \|\hat k_p - k_p\|`.

    References
    ----------
    Su et al., RotateKV, arXiv:2501.16383 (IJCAI 2025); Liu et al., KIVI,
    arXiv:2402.02750; Ashkboos et al., QuaRot, arXiv:2404.00456.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import kv_quantize
    >>> rng = np.random.default_rng(0)
    >>> k, v = rng.standard_normal((2, 16, 64))
    >>> r = kv_quantize(k, v, bits=4, group_size=32, head_dim=32, group_heads=2)
    >>> bool(np.linalg.norm(r.k - k) / np.linalg.norm(k) < 0.15)
    True
    """
    _kv_checks.kv_args(k, v, bits=bits, group_size=group_size, head_dim=head_dim,
                       group_heads=group_heads, rotate=rotate, clip=clip, reorder=reorder,
                       sink_tokens=sink_tokens, hidden=hidden, n_sink=n_sink, key_axis=key_axis,
                       pre_rope=pre_rope, positions=positions, rope_base=rope_base)
    bits = _check_bits(bits)
    if is_dask(k) or is_dask(v):
        return _kv_dask(k, v, bits=bits, group_size=group_size, head_dim=head_dim,
                        group_heads=group_heads, rotate=rotate, clip=clip, reorder=reorder,
                        sink_tokens=sink_tokens, hidden=hidden, n_sink=n_sink, key_axis=key_axis,
                        pre_rope=pre_rope, positions=positions, rope_base=rope_base)
    ka = _as_weights(k, "k").astype(np.float64)
    if ka.ndim != 2:
        raise ValueError(f"Argument 'k' must be 2-D (tokens, channels), not {ka.ndim}-D.")
    t, c = ka.shape
    va = None
    if v is not None:
        va = _as_weights(v, "v").astype(np.float64)
        if va.shape != ka.shape:
            raise ValueError(f"Argument 'v' must have the keys' shape {ka.shape}, not {va.shape}.")
    hd = c if head_dim is None else int(head_dim)
    if hd < 1 or c % hd:
        raise ValueError(f"Argument 'head_dim' must divide the {c} key channels, not {head_dim!r}.")
    if group_heads < 1 or c % (hd * group_heads):
        raise ValueError(f"Argument 'group_heads' must divide the {c // hd} heads, not {group_heads!r}.")
    if not (isinstance(rotate, (bool, np.bool_)) or (isinstance(rotate, str) and rotate in ("keys", "values"))):
        raise ValueError(f"Argument 'rotate' must be True, False, 'keys' or 'values', not {rotate!r}.")
    rot_k = rotate is True or rotate == "keys" or (isinstance(rotate, np.bool_) and bool(rotate))
    rot_v = rotate is True or rotate == "values" or (isinstance(rotate, np.bool_) and bool(rotate))
    if rotate and (_split(hd * group_heads) is None or _split(hd) is None):
        raise ValueError(f"Arguments 'head_dim' x 'group_heads' = {hd} x {group_heads} must be FWHT "
                         "lengths (2^k or 12/20/28 * 2^k) for rotate=True.")
    if key_axis not in ("token", "channel"):
        raise ValueError(f"Argument 'key_axis' must be 'token' or 'channel', not {key_axis!r}.")
    if isinstance(group_size, (bool, np.bool_)) or not isinstance(group_size, (int, np.integer)) \
            or group_size < 1:
        raise ValueError(f"Argument 'group_size' must be a positive int, not {group_size!r}.")
    if clip is True:
        cf = 0.8 if bits == 2 else 1.0
    elif clip is False:
        cf = 1.0
    else:
        cf = float(clip)
        if not 0 < cf <= 1:
            raise ValueError(f"Argument 'clip' must be a bool or a float in (0, 1], not {clip!r}.")
    pos = np.arange(t) if positions is None else np.asarray(positions)
    g = hd * group_heads

    kin = ka if pre_rope else apply_rope(ka, pos, hd, rope_base)
    kr = _group_fwht(kin, g) if rot_k else kin
    perm = None
    if reorder is True:
        perm = calibrate_reorder(kr)
    elif reorder is not False and reorder is not None:
        perm = np.asarray(reorder)
        if perm.shape != (c,) or not np.array_equal(np.sort(perm), np.arange(c)):
            raise ValueError(f"Argument 'reorder' must be a permutation of {c} channels.")
    if perm is not None:
        kr = kr[:, perm]
    if key_axis == "token":
        kq = _quant_tokens(kr, bits, group_size, cf)
    else:
        kq = _quant_channels(kr, bits, group_size, cf)
    if perm is not None:
        inv = np.empty_like(perm)
        inv[perm] = np.arange(c)
        kq = kq[:, inv]
    k_hat = _group_fwht(kq, g, inverse=True) if rot_k else kq
    if not pre_rope:
        k_hat = apply_rope(k_hat, pos, hd, rope_base, inverse=True)

    v_hat = None
    if va is not None:
        vr = _group_fwht(va, hd) if rot_v else va             # per-head FWHT of V
        vq = _quant_tokens(vr, bits, group_size, cf)
        v_hat = _group_fwht(vq, hd, inverse=True) if rot_v else vq

    sinks = np.zeros(0, dtype=np.int64) if sink_tokens is None else np.asarray(sink_tokens, np.int64)
    if hidden is not None:
        h = np.asarray(hidden)
        if h.ndim != 2 or h.shape[0] != t:
            raise ValueError(f"Argument 'hidden' must have shape ({t}, d_model), not {h.shape}.")
        sinks = np.union1d(sinks, sink_tokens_from_hidden(h, n_sink))
    if sinks.size:
        if sinks.min() < -t or sinks.max() >= t:
            raise ValueError(f"Argument 'sink_tokens' must index the {t} tokens.")
        k_hat[sinks] = ka[sinks]
        if v_hat is not None:
            v_hat[sinks] = va[sinks]
    return KVQuantized(k_hat, v_hat, sinks, perm)


def _kv_dask(k, v, **kw):
    from ._dask import kv_quantize_dask
    return KVQuantized(*kv_quantize_dask(k, v, **kw))


def attention_errors(q, k, v, k_hat, v_hat, head_dim, positions=None, rope_base=10000.0):
    r"""Errors of a quantized KV cache on causal attention (RoPE applied to q, k and k_hat).

    Returns a dict: relative errors of K, V, the causal logits and the
    attention output :math:`PV`, and the mean total-variation distance
    :math:`\tfrac12\|p - \hat p\|_1` of the attention rows.  Query heads are
    shared over KV heads in order (grouped-query attention).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import attention_errors
    >>> q, k, v = np.random.default_rng(0).standard_normal((3, 8, 4))
    >>> attention_errors(q, k, v, k, v, 4)["tv"]
    0.0
    """
    _kv_checks.attention_args(q, k, v, k_hat, v_hat, head_dim, positions, rope_base)
    q, k, v, k_hat, v_hat = (np.asarray(a, dtype=np.float64) for a in (q, k, v, k_hat, v_hat))
    t = k.shape[0]
    pos = np.arange(t) if positions is None else np.asarray(positions)
    nkv = k.shape[1] // head_dim
    nq = q.shape[1] // head_dim
    rep = nq // nkv
    qr = apply_rope(q, pos, head_dim, rope_base).reshape(t, nq, head_dim)
    kr = apply_rope(k, pos, head_dim, rope_base).reshape(t, nkv, head_dim)
    khr = apply_rope(k_hat, pos, head_dim, rope_base).reshape(t, nkv, head_dim)
    vv, vh = v.reshape(t, nkv, -1), v_hat.reshape(t, nkv, -1)
    mask = np.tril(np.ones((t, t), dtype=bool))
    num = {"logit": 0.0, "out": 0.0}
    den = {"logit": 0.0, "out": 0.0}
    tv = []
    for h in range(nq):
        j = h // rep
        lg = qr[:, h] @ kr[:, j].T / np.sqrt(head_dim)
        lh = qr[:, h] @ khr[:, j].T / np.sqrt(head_dim)
        num["logit"] += np.sum((lg - lh)[mask] ** 2)
        den["logit"] += np.sum(lg[mask] ** 2)
        p = np.where(mask, np.exp(lg - np.max(np.where(mask, lg, -np.inf), 1, keepdims=True)), 0)
        p /= p.sum(1, keepdims=True)
        ph = np.where(mask, np.exp(lh - np.max(np.where(mask, lh, -np.inf), 1, keepdims=True)), 0)
        ph /= ph.sum(1, keepdims=True)
        tv.append(0.5 * np.abs(p - ph).sum(1).mean())
        o, oh = p @ vv[:, j], ph @ vh[:, j]
        num["out"] += np.sum((o - oh) ** 2)
        den["out"] += np.sum(o ** 2)
    return {"k": float(np.linalg.norm(k_hat - k) / np.linalg.norm(k)),
            "v": float(np.linalg.norm(v_hat - v) / np.linalg.norm(v)),
            "logit": float(np.sqrt(num["logit"] / den["logit"])),
            "tv": float(np.mean(tv)),
            "out": float(np.sqrt(num["out"] / den["out"]))}
