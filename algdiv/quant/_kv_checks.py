"""Argument checks of the KV-cache functions (:mod:`algdiv.quant._kv`), run where the call enters.

Each function raises the :mod:`algdiv._checks` errors (``TypeError`` for a
wrong kind, ``ValueError`` for a wrong value, naming the argument) and works
on numpy and dask arrays alike (only shapes and dtypes are read from dask
arrays; their NaN/inf entries are found by the task that reads them).
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, check_bool, check_choice, check_int, check_real

__all__ = ["kv_args", "rope_args", "hidden_args", "attention_args"]


def _lazy(x):
    return type(x).__module__.partition(".")[0] == "dask"


def _real_2d(x, name, *, rows=None, cols=None):
    """A real 2-D array (shape checks only for dask); numpy arrays also checked finite."""
    if _lazy(x):
        dt = np.dtype(x.dtype)
        if dt.kind not in "iuf":
            raise TypeError(f"Argument {name!r} must be a real numeric array, not dtype {dt}.")
        shape = x.shape
    else:
        a = check_array(x, name, dtype_kind="iuf", finite=True)
        shape = a.shape
    if len(shape) != 2:
        raise ValueError(f"Argument {name!r} must be 2-D (tokens, channels), not {len(shape)}-D.")
    if rows is not None and shape[0] != rows:
        raise ValueError(f"Argument {name!r} must have {rows} rows (tokens), not {shape[0]}.")
    if cols is not None and shape[1] != cols:
        raise ValueError(f"Argument {name!r} must have {cols} columns, not {shape[1]}.")
    return shape


def rope_base_arg(base, name="rope_base"):
    """RoPE base b > 1: the frequencies b^(-2j/d) decrease with the channel pair j."""
    return check_real(base, name, min=1, open_min=True,
                      why="(the RoPE frequencies b^(-2j/d) must decrease)")


def positions_arg(positions, t, name="positions"):
    """``None`` or a finite real (t,) vector of token positions."""
    if positions is None:
        return None
    if _lazy(positions):
        raise TypeError(f"Argument {name!r} must be a numpy array, not a dask array.")
    return check_array(positions, name, shape=(t,), dtype_kind="iuf", finite=True)


def rope_args(x, positions, head_dim, base, inverse):
    """Checks of :func:`~algdiv.quant.apply_rope`."""
    t, c = _real_2d(x, "x")
    head_dim = check_int(head_dim, "head_dim", min=2)
    if head_dim % 2 or c % head_dim:
        raise ValueError(f"Argument 'head_dim' must be even and divide the {c} channels, not {head_dim}.")
    if positions is None:
        raise TypeError("Argument 'positions' must be a (tokens,) array, not None.")
    positions_arg(positions, t)
    rope_base_arg(base, "base")
    check_bool(inverse, "inverse")


def hidden_args(hidden, n, *, n_name="n", rows=None):
    """Checks of :func:`~algdiv.quant.sink_tokens_from_hidden`; returns ``n`` as an int."""
    shape = _real_2d(hidden, "hidden", rows=rows)
    if shape[0] * shape[1] == 0:
        raise ValueError(f"Argument 'hidden' must not be empty, not shape {tuple(shape)}.")
    return check_int(n, n_name, min=0)


def kv_args(k, v, *, bits, group_size, head_dim, group_heads, rotate, clip, reorder, sink_tokens,
            hidden, n_sink, key_axis, pre_rope, positions, rope_base):
    """Checks of every argument of :func:`~algdiv.quant.kv_quantize`."""
    t, c = _real_2d(k, "k")
    if t == 0 or c == 0:
        raise ValueError(f"Argument 'k' must not be empty, not shape {(t, c)}.")
    if v is not None:
        _real_2d(v, "v", rows=t, cols=c)
    check_int(bits, "bits", min=1, max=16)
    group_size = check_int(group_size, "group_size", min=1)
    hd = c if head_dim is None else check_int(head_dim, "head_dim", min=1, max=c,
                                              why=f"(the {c} key channels)")
    if c % hd:
        raise ValueError(f"Argument 'head_dim' must divide the {c} key channels, not {hd}.")
    check_int(group_heads, "group_heads", min=1, max=c // hd, why=f"(the {c // hd} heads)")
    check_choice(rotate, "rotate", (True, False, "keys", "values"))
    if not isinstance(clip, (bool, np.bool_)):
        check_real(clip, "clip", min=0, max=1, open_min=True)
    check_choice(key_axis, "key_axis", ("token", "channel"))
    pre_rope = check_bool(pre_rope, "pre_rope")
    if not pre_rope and hd % 2:
        raise ValueError(f"Argument 'head_dim' must be even for pre_rope=False (RoPE pairs), not {hd}.")
    rope_base_arg(rope_base)
    positions_arg(positions, t)
    if reorder is not None and not isinstance(reorder, (bool, np.bool_)):
        perm = check_array(reorder, "reorder", shape=(c,), dtype_kind="iu")
        if not np.array_equal(np.sort(perm), np.arange(c)):
            raise ValueError(f"Argument 'reorder' must be a permutation of the {c} channels "
                             "(each of 0..c-1 once), or True, False or None.")
    if sink_tokens is not None:
        sinks = check_array(sink_tokens, "sink_tokens", ndim=1, dtype_kind="iu")
        if sinks.size and (sinks.min() < 0 or sinks.max() >= t):
            bad = sinks[(sinks < 0) | (sinks >= t)][0]
            raise ValueError(f"Argument 'sink_tokens' must hold token indices in [0, {t - 1}], not {bad}.")
    if hidden is not None:
        hidden_args(hidden, n_sink, n_name="n_sink", rows=t)
    else:
        check_int(n_sink, "n_sink", min=0)


def attention_args(q, k, v, k_hat, v_hat, head_dim, positions, rope_base):
    """Checks of :func:`~algdiv.quant.attention_errors`."""
    t, ck = _real_2d(k, "k")
    if t == 0:
        raise ValueError("Argument 'k' must hold at least one token, not 0.")
    head_dim = check_int(head_dim, "head_dim", min=2, max=ck, why=f"(the {ck} key channels)")
    if head_dim % 2 or ck % head_dim:
        raise ValueError(f"Argument 'head_dim' must be even and divide the {ck} key channels, not {head_dim}.")
    _, cq = _real_2d(q, "q", rows=t)
    nkv = ck // head_dim
    if cq % head_dim or (cq // head_dim) % nkv or cq == 0:
        raise ValueError(f"Argument 'q' must have a multiple of the {nkv} KV heads x {head_dim} "
                         f"channels, not {cq}.")
    _, cv = _real_2d(v, "v", rows=t)
    if cv % nkv or cv == 0:
        raise ValueError(f"Argument 'v' must have a multiple of the {nkv} KV heads as channels, not {cv}.")
    _real_2d(k_hat, "k_hat", rows=t, cols=ck)
    _real_2d(v_hat, "v_hat", rows=t, cols=cv)
    positions_arg(positions, t)
    rope_base_arg(rope_base)
