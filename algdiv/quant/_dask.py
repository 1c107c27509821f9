r"""The quantizers on dask arrays: one task per block, the quantization axis whole.

:func:`~algdiv.quant.rtn`, :func:`~algdiv.quant.rotated_rtn` and
:meth:`~algdiv.quant.HadamardRotation.forward` / ``inverse`` send a
``dask.array.Array`` here.  Each is a map over blocks: the axis that carries
the groups (or the rotation) is rechunked to one chunk, the other axes stay
chunked, and every task runs the numpy function on its block, so the lazy
result computes to the in-memory result bit for bit.  The worker memory check
of :func:`algdiv.transforms._dask.map_along_axes` applies.

:func:`~algdiv.quant.itq3s_encode` on a dask array codes its 256-weight blocks
chunk by chunk on the active scheduler (the flattened array is rechunked to
multiples of 256) and gathers the 113-byte blocks (codes and their CRC-32, computed by
the task that codes them): the packed object is
byte-identical to the in-memory encoding (it is about 18 times smaller than the
float64 weights, so it is returned in memory, not as a lazy array).

Argument checks that need only shapes and dtypes (``bits``, ``group_size``,
``axis``, a non-numeric dtype) run when the call is made; NaN or inf entries
are found by the task that reads them and raise the usual ``ValueError`` when
the result is computed.  A dask ``w`` mixed with a numpy or cupy array argument
is a ``TypeError``.

Examples
--------
>>> import numpy as np, dask.array as da
>>> from algdiv.quant import rtn
>>> w = np.random.default_rng(0).standard_normal((8, 64))
>>> lazy = rtn(da.from_array(w, chunks=(4, 16)), bits=3, group_size=32)
>>> lazy.chunks
((4, 4), (64,))
>>> bool(np.array_equal(lazy.compute(), rtn(w, bits=3, group_size=32)))
True
"""
from __future__ import annotations

import functools

import numpy as np

__all__ = ["is_dask", "map_quantizer", "itq3s_encode_dask", "itq3s_load_dask", "kv_quantize_dask"]


def is_dask(x) -> bool:
    """True for a ``dask.array.Array`` (the transforms' dispatcher decides; nothing imported)."""
    from algdiv.transforms._dispatch import array_backend
    return array_backend(x) == "dask"


def _check_dtype(x, name="w"):
    dt = np.dtype(x.dtype)
    if dt.kind not in "fiu" or dt == np.bool_:
        raise TypeError(f"Argument {name!r} must be a real numeric array, not dtype {dt}.")
    if x.ndim == 0:
        raise ValueError(f"Argument {name!r} must have at least one axis, not a scalar.")


def _axis(x, axis):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"Argument 'axis' must be an int, not {type(axis).__name__}.")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"Argument 'axis' must be in [-{x.ndim}, {x.ndim - 1}], not {axis!r}.")
    return int(axis) % x.ndim


def map_quantizer(func, x, axis, *, what, **kwargs):
    """Lazy ``func(block, axis=axis, **kwargs)`` over the blocks of dask ``x``, ``axis`` whole.

    ``func`` is checked eagerly on a zero-filled probe of one row (shape of
    ``x`` with every other axis of length 1), so dtype, shape and argument
    errors surface at call time, from ``func`` itself, and that call gives the
    result dtype.
    """
    from algdiv.transforms._dask import map_along_axes

    if x.ndim == 0:
        raise ValueError("Argument 'w' must have at least one axis, not a scalar.")
    ax = _axis(x, axis)
    probe = np.zeros(tuple(x.shape[a] if a == ax else 1 for a in range(x.ndim)), dtype=x.dtype)
    dtype = func(probe, axis=axis, **kwargs).dtype
    f = functools.partial(_call, func=func, axis=axis, kwargs=kwargs)
    return map_along_axes(f, x, [ax], dtype=dtype, what=what)


def _call(block, *, func, axis, kwargs):
    return func(block, axis=axis, **kwargs)


def _encode_chunk(flat):
    from ._itq3s import BLOCK, _encode_blocks, _with_crc
    blocks = np.zeros((-(-flat.size // BLOCK), BLOCK))
    blocks.ravel()[:flat.size] = flat
    return _with_crc(_encode_blocks(blocks))


def itq3s_encode_dask(w):
    """ITQ3_S version-2 blocks of dask ``w`` (``(nb, 113)`` uint8: codes + CRC-32), chunk by chunk.

    The last block is zero-padded, as the in-memory encoder does.
    """
    _check_dtype(w)
    if w.size == 0:
        raise ValueError("Argument 'w' must not be empty.")
    from ._itq3s import BLOCK, BLOCK_STRIDE, VERSION

    flat = w.astype(np.float64).ravel()
    # chunks of whole 256-blocks: the largest current chunk rounded up to the block
    step = -(-max(max(flat.chunks[0]), 1) // BLOCK) * BLOCK
    flat = flat.rechunk(step)
    nbs = tuple(-(-c // BLOCK) for c in flat.chunks[0])
    codes = flat.map_blocks(_encode_chunk, dtype=np.uint8, chunks=(nbs, (BLOCK_STRIDE[VERSION],)), new_axis=1,
                            meta=np.empty((0, 0), dtype=np.uint8))
    return np.ascontiguousarray(codes.compute())


def _decode_range(path, version, hlen, start, stop, lo, hi, dtype):
    from ._itq3s import BLOCK, decode_stored, read_blocks
    w = decode_stored(read_blocks(path, version, hlen, start, stop))
    return w[lo - start * BLOCK:hi - start * BLOCK].astype(dtype, copy=False)


def itq3s_load_dask(path, *, blocks_per_chunk=4096, dtype=np.float64):
    r"""An ITQ3 file as a lazy dask array of its weights; each task reads, checks and decodes its blocks.

    Only the header is read (and checked) when this is called.  Every task
    reads ``blocks_per_chunk`` stored blocks from the file, checks them as
    :class:`~algdiv.quant.ITQ3SPacked` does (the CRC-32 of each block in
    version 2, then every field) and decodes them, :math:`\hat w = H \hat y / 16`;
    a corrupted block raises ``ValueError`` naming it when its chunk is
    computed.  The values equal :func:`~algdiv.quant.itq3s_decode` of the
    whole file bit for bit.  The workers must see ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        An ITQ3 file (version 1 or 2).
    blocks_per_chunk : int
        Blocks of 256 weights per task (default 4096: 1 M weights).
    dtype : float dtype
        float16, float32 or float64 (the default).

    Returns
    -------
    dask.array.Array
        The weights, of the file's shape, chunked along the flattened (C order) axis.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from algdiv.quant import itq3s_encode, itq3s_decode, itq3s_load_dask
    >>> p = itq3s_encode(np.random.default_rng(0).standard_normal((8, 300)))
    >>> path = os.path.join(tempfile.mkdtemp(), "w.itq3")
    >>> p.save(path)
    >>> lazy = itq3s_load_dask(path, blocks_per_chunk=4)    # 10 blocks: 3 tasks
    >>> lazy.shape
    (8, 300)
    >>> bool(np.array_equal(lazy.compute(), itq3s_decode(p)))
    True
    """
    import os

    import dask
    import dask.array as da

    from .._checks import check_int
    from ._itq3s import BLOCK, read_header, result_dtype

    blocks_per_chunk = check_int(blocks_per_chunk, "blocks_per_chunk", min=1)
    dt = result_dtype(dtype)
    path = os.fspath(path)
    version, shape, nblocks, hlen = read_header(path)
    size = int(np.prod(shape, dtype=object))
    parts = []
    for start in range(0, nblocks, blocks_per_chunk):
        stop = min(start + blocks_per_chunk, nblocks)
        lo, hi = start * BLOCK, min(stop * BLOCK, size)
        task = dask.delayed(_decode_range, pure=True)(path, version, hlen, start, stop, lo, hi, dt)
        parts.append(da.from_delayed(task, shape=(hi - lo,), dtype=dt))
    return da.concatenate(parts).reshape(shape)


def _kv_block(kb, vb=None, block_info=None, *, kw, positions, sinks):
    """kv_quantize on the token rows of one block; K (and V) side by side along the channels."""
    from ._kv import kv_quantize
    t0, t1 = block_info[0]["array-location"][0]
    local = sinks[(sinks >= t0) & (sinks < t1)] - t0
    r = kv_quantize(kb, vb, positions=positions[t0:t1], sink_tokens=local, hidden=None, **kw)
    return r.k if vb is None else np.concatenate([r.k, r.v], axis=1)


def _rope_block(kb, block_info=None, *, positions, head_dim, base):
    from ._kv import apply_rope
    t0, t1 = block_info[0]["array-location"][0]
    return apply_rope(kb, positions[t0:t1], head_dim, base)


def kv_quantize_dask(k, v, **kw):
    """:func:`~algdiv.quant.kv_quantize` for dask ``k``/``v``: lazy K and V, token blocks as tasks.

    Returns ``(k, v, sink_tokens, perm)`` (``k``/``v`` lazy).

    The whole-cache calibrations run first, as small dask reductions computed
    on the spot: the channel order (``reorder=True``: ascending signed sums of
    the rotated keys; the rotation is linear, so the sum of the rotated rows is
    the rotation of the row sum) and the sink tokens of ``hidden`` (its
    ``n_sink`` largest |h|).  Then each block of whole tokens is quantized by
    the numpy function with that order and its own sink rows.  With an explicit
    ``reorder`` permutation the result equals the in-memory one bit for bit.
    """
    import dask.array as da

    from ._kv import _group_fwht, calibrate_reorder, kv_quantize, sink_tokens_from_hidden

    if not is_dask(k):
        raise TypeError(f"Argument 'k' must be a dask array like 'v', not {type(k).__module__}."
                        f"{type(k).__qualname__}; arrays of different modules cannot be mixed.")
    if k.ndim != 2:
        raise ValueError(f"Argument 'k' must be 2-D (tokens, channels), not {k.ndim}-D.")
    _check_dtype(k, "k")
    t, c = k.shape
    if v is not None:
        if not is_dask(v):
            raise TypeError(f"Argument 'v' must be a dask array like 'k', not {type(v).__module__}."
                            f"{type(v).__qualname__}; arrays of different modules cannot be mixed.")
        _check_dtype(v, "v")
        if v.shape != k.shape:
            raise ValueError(f"Argument 'v' must have the keys' shape {k.shape}, not {v.shape}.")
    hidden = kw.pop("hidden", None)
    n_sink = kw.pop("n_sink", 20)
    sink_tokens = kw.pop("sink_tokens", None)
    positions = kw.pop("positions", None)
    pos = np.arange(t) if positions is None else np.asarray(positions)
    if pos.shape != (t,):
        raise ValueError(f"Argument 'positions' must have shape ({t},), not {pos.shape}.")
    # eager checks of every other argument on one token of zeros
    probe = np.zeros((1, c), dtype=np.float64)
    kw_probe = dict(kw, reorder=False if kw.get("reorder", True) is True else kw.get("reorder"))
    kv_quantize(probe, None if v is None else probe, positions=pos[:1], **kw_probe)

    head_dim = c if kw.get("head_dim") is None else int(kw["head_dim"])
    g = head_dim * kw.get("group_heads", 1)
    rope_base = kw.get("rope_base", 10000.0)
    kd = k.astype(np.float64)
    if kw.get("key_axis", "token") == "channel":      # KIVI groups of tokens must not straddle blocks
        gs = int(kw.get("group_size", 128))
        step = -(-max(max(kd.chunks[0]), 1) // gs) * gs
        kd = kd.rechunk({0: step, 1: -1})
    else:
        kd = kd.rechunk({1: -1})
    perm = kw.get("reorder", True)
    if perm is True:
        kin = kd
        if not kw.get("pre_rope", True):
            kin = kd.map_blocks(functools.partial(_rope_block, positions=pos, head_dim=head_dim,
                                                  base=rope_base), dtype=np.float64)
        s = kin.sum(axis=0).compute()[None, :]
        if kw.get("rotate", True) in (True, "keys"):
            s = _group_fwht(s, g)
        perm = calibrate_reorder(s)
    if perm is None or perm is False:
        kw["reorder"], perm = False, None
    else:
        kw["reorder"] = perm = np.asarray(perm)

    sinks = np.zeros(0, dtype=np.int64) if sink_tokens is None else np.asarray(sink_tokens, np.int64)
    if hidden is not None:
        if hidden.ndim != 2 or hidden.shape[0] != t:
            raise ValueError(f"Argument 'hidden' must have shape ({t}, d_model), not {hidden.shape}.")
        if is_dask(hidden):
            h = da.absolute(hidden.astype(np.float64)).ravel()
            n = min(int(n_sink), h.shape[0])
            top = da.argtopk(h, n).compute() if n else np.zeros(0, np.int64)
            found = np.unique(top // hidden.shape[1])
        else:
            found = sink_tokens_from_hidden(np.asarray(hidden), n_sink)
        sinks = np.union1d(sinks, found)
    if sinks.size and (sinks.min() < -t or sinks.max() >= t):
        raise ValueError(f"Argument 'sink_tokens' must index the {t} tokens.")
    rows = np.unique(sinks % t) if sinks.size else sinks

    f = functools.partial(_kv_block, kw=kw, positions=pos, sinks=rows)
    if v is None:
        k_hat = kd.map_blocks(f, dtype=np.float64)
        return k_hat, None, sinks, perm
    vd = v.astype(np.float64).rechunk(kd.chunks)
    both = da.map_blocks(f, kd, vd, dtype=np.float64, chunks=(kd.chunks[0], (2 * c,)))
    return both[:, :c], both[:, c:], sinks, perm
