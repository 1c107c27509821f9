r"""The transforms on dask arrays: one task per block, the transform axis whole.

The public :func:`~algdiv.transforms.fwht`, :func:`~algdiv.transforms.ifwht`,
:func:`~algdiv.transforms.fwhtn`, :func:`~algdiv.transforms.ifwhtn`,
:func:`~algdiv.transforms.hd`, :func:`~algdiv.transforms.haar` and
:func:`~algdiv.transforms.ihaar` send a ``dask.array.Array`` here
(:mod:`algdiv.transforms._dispatch`).  :func:`map_transform`

1. rechunks the transform axis (axes, for ``fwhtn``) to a single chunk -- a
   transform of length :math:`n` needs all :math:`n` entries of a row -- and
   leaves the other axes chunked (shrunk with dask's ``"auto"`` rule when the
   row-complete blocks would exceed ``dask.config["array.chunk-size"]``);
2. refuses, before anything runs, a block of :math:`b = (\text{rows per
   block})\cdot n\cdot\text{itemsize}` bytes larger than the smallest worker
   memory limit of the active ``dask.distributed`` client (no client: no
   limit is known and the check is skipped);
3. maps the *same public function* over the blocks with ``map_blocks``: each
   task runs the C core on a numpy block or the GPU kernels on a cupy block.

The result is a lazy dask array; nothing is computed.  Each block is the
in-memory result of its rows, so ``fwht(X_dask).compute()`` equals
``fwht(X)`` bit for bit.  For ``hd(x, seed=s, per_row=True)`` the blocks hold
whole runs of consecutive rows (the batch axes after the first are not split)
and the block whose first row is :math:`r_0` is called with ``offset =
offset + r_0 n``: the signs are those of the whole array.

``out=`` and ``plan=`` are refused (a dask result is a new lazy array; plans
are built per block), ``overwrite_x`` is ignored (blocks may be views of the
caller's data), and ``rechunk=False`` is not offered: the axis is always
rechunked.  A dask array mixed with a numpy or cupy ``out=``/``signs=`` is a
``TypeError`` raised by the dispatcher.

Examples
--------
>>> import numpy as np, dask.array as da
>>> from algdiv.transforms import fwht
>>> X = np.arange(32.0).reshape(4, 8)
>>> Y = fwht(da.from_array(X, chunks=(2, 4)))
>>> Y.chunks
((2, 2), (8,))
>>> bool(np.array_equal(Y.compute(), fwht(X)))
True
"""
from __future__ import annotations

import functools
import math

import numpy as np

__all__ = ["map_transform", "map_along_axes", "worker_memory_limit"]

_NAMES = ("fwht", "ifwht", "fwhtn", "ifwhtn", "hd", "haar", "ihaar")


def worker_memory_limit():
    """Smallest ``memory_limit`` (bytes) over the workers of the active distributed client, or None.

    None when dask.distributed is not installed, no client is active, or the
    workers have no limit.
    """
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        client = default_client()
    except ValueError:
        return None
    if getattr(client, "status", None) != "running":
        return None
    try:
        workers = client.scheduler_info(n_workers=-1)["workers"]
    except TypeError:                       # older distributed: no n_workers keyword
        workers = client.scheduler_info()["workers"]
    limits = [w.get("memory_limit") for w in workers.values()]
    limits = [int(m) for m in limits if m]
    return min(limits) if limits else None


def _fmt_bytes(b):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if b < 1024 or unit == "TiB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1024.0
    return f"{b} B"  # pragma: no cover


def _rechunk(x, whole, keep_rows_from=None):
    """Rechunk ``x`` so every axis in ``whole`` is one chunk.

    ``keep_rows_from``: batch axes after this one are made whole too (contiguous
    row runs for per-row signs).  Other axes keep their chunks unless the
    blocks would exceed ``array.chunk-size``; then they get dask's ``"auto"``.
    """
    import dask
    from dask.utils import parse_bytes

    whole = set(whole)
    if keep_rows_from is not None:
        whole |= {a for a in range(x.ndim) if a > keep_rows_from}
    spec = {a: -1 for a in whole}
    if all(len(x.chunks[a]) == 1 for a in whole):
        return x
    target = parse_bytes(dask.config.get("array.chunk-size"))
    block = x.dtype.itemsize * math.prod(
        x.shape[a] if a in whole else max(x.chunks[a], default=0) for a in range(x.ndim))
    if block > target:
        spec.update({a: "auto" for a in range(x.ndim) if a not in whole})
    return x.rechunk(spec)


def _check_memory(x, what):
    """Refuse blocks over the worker memory limit (checked before any probe call in this process)."""
    limit = worker_memory_limit()
    if limit is None:
        return
    # the result is float64 (complex128 for complex input) unless the input is wider
    itemsize = max(x.dtype.itemsize, 16 if x.dtype.kind == "c" else 8)
    block = itemsize * math.prod(max(c, default=0) for c in x.chunks)
    if block > limit:
        shape = tuple(max(c, default=0) for c in x.chunks)
        raise ValueError(
            f"Argument 'x' of {what}: a block with the transform axis whole has shape {shape} "
            f"({_fmt_bytes(block)}), more than the worker memory limit ({_fmt_bytes(limit)}). "
            f"Rechunk 'x' to fewer rows per block along the other axes, or give the workers more "
            f"memory; the transform axis itself cannot be split.")


def _meta(x, dtype):
    from dask.array.utils import meta_from_array
    return meta_from_array(x._meta, ndim=x.ndim, dtype=dtype)


def _out_dtype(func, x, axes, kwargs):
    """dtype of ``func`` on ``x``'s dtype, from a call on one row (numpy)."""
    shape = tuple(x.shape[a] if a in axes else 1 for a in range(x.ndim))
    probe = np.zeros(shape, dtype=x.dtype)
    return func(probe, **kwargs).dtype


def _call_block(block, *extra, func, kwargs):
    if extra:
        s = extra[0]
        kwargs = dict(kwargs, signs=s if s.shape == block.shape else s.reshape(-1))
    return func(block, **kwargs)


def _call_block_rows(block, block_info=None, *, func, kwargs, row_axis, rows_per_index, n):
    r0 = block_info[0]["array-location"][row_axis][0] * rows_per_index if row_axis is not None else 0
    kw = dict(kwargs, offset=(kwargs["offset"] + r0 * n) % (1 << 64))
    return func(block, **kw)


def map_along_axes(func, x, axes, *, dtype=None, what="the transform"):
    """Map ``func(block)`` over the blocks of dask ``x`` with ``axes`` whole: a lazy dask array.

    ``func`` maps an array to one of the same shape (a transform along
    ``axes``); it runs once per block, on numpy or cupy blocks.  ``dtype`` is
    the result's dtype (default: ``func`` applied to one row of zeros).

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from algdiv.transforms._dask import map_along_axes
    >>> y = map_along_axes(lambda b: np.cumsum(b, axis=1), da.ones((4, 6), chunks=2), [1])
    >>> y.compute()[:, -1]
    array([6., 6., 6., 6.])
    """
    axes = sorted({a % x.ndim for a in axes})
    x = _rechunk(x, axes)
    _check_memory(x, what)
    if dtype is None:
        dtype = _out_dtype(lambda b: func(b), x, axes, {})
    return x.map_blocks(func, dtype=dtype, meta=_meta(x, dtype))


def _norm_axes(x, name, kwargs):
    from . import _validate as V
    if name in ("fwhtn", "ifwhtn"):
        axes = kwargs["axes"]
        if axes is None:
            return list(range(x.ndim))
        if isinstance(axes, (int, np.integer)):
            axes = (axes,)
        return sorted({V.as_axis(a, x.ndim) for a in axes})
    return [V.as_axis(kwargs["axis"], x.ndim)]


def map_transform(name, x, **kwargs):
    """Run the public transform ``name`` on dask array ``x``, block by block; a lazy dask array.

    Called by the public functions for dask input (see the module
    docstring); ``kwargs`` are all of the function's other parameters.

    Raises
    ------
    TypeError
        For ``out=`` or ``plan=`` (not supported for dask arrays).
    ValueError
        When a block with the transform axis whole exceeds the worker memory
        limit of the active client, or for the public function's own checks.
    """
    import dask.array as da

    from .. import transforms as T

    if name not in _NAMES:
        raise ValueError(f"Argument 'name' must be one of {_NAMES}, not {name!r}.")
    func = getattr(T, name)
    if kwargs.get("out") is not None:
        raise TypeError(f"Argument 'out' is not supported for a dask array 'x' in {name}(): the result "
                        f"is a new lazy dask array; assign it with da.store or out[...] = result.")
    if kwargs.get("plan") is not None:
        raise TypeError(f"Argument 'plan' is not supported for a dask array 'x' in {name}(): each task "
                        f"plans its own block; leave plan=None.")
    if x.ndim == 0:
        raise ValueError(f"Argument 'x' must have at least 1 dimension, not a 0-d dask array.")
    kw = {k: v for k, v in kwargs.items() if k not in ("out", "plan")}
    if "overwrite_x" in kw:
        kw["overwrite_x"] = False          # blocks may be views of the caller's data
    axes = _norm_axes(x, name, kw)
    what = f"{name}()"

    if name == "hd":
        signs = kw.get("signs")
        if signs is not None and kw.get("seed") is not None:
            # let the numpy function name the conflict
            func(np.zeros((1,) * (x.ndim - 1) + (2,)), signs=np.ones(2), seed=kw["seed"])
        if isinstance(signs, da.Array):
            return _hd_dask_signs(func, x, signs, axes[0], kw, what)
        if signs is not None:
            kw["signs"] = np.asarray(signs)
        if kw.get("seed") is not None and kw.get("per_row"):
            return _hd_rows(func, x, axes[0], kw, what)

    x = _rechunk(x, axes)
    _check_memory(x, what)
    dtype = _out_dtype(func, x, axes, _probe_kwargs(name, kw))
    f = functools.partial(_call_block, func=func, kwargs=kw)
    return x.map_blocks(f, dtype=dtype, meta=_meta(x, dtype))


def _probe_kwargs(name, kw):
    kw = dict(kw)
    if name == "hd" and kw.get("signs") is not None and np.ndim(kw["signs"]) > 1:
        kw["signs"] = None
        kw["seed"] = 0
    return kw


def _hd_rows(func, x, ax, kw, what):
    """Seeded per-row hd: contiguous row runs, offset = offset + r0 * n per block."""
    batch = [a for a in range(x.ndim) if a != ax]
    first = batch[0] if batch else None
    x = _rechunk(x, [ax], keep_rows_from=first)
    n = x.shape[ax]
    rows_per_index = math.prod(x.shape[a] for a in batch[1:]) if batch else 1
    _check_memory(x, what)
    dtype = _out_dtype(func, x, [ax], dict(kw, per_row=False))
    f = functools.partial(_call_block_rows, func=func, kwargs=kw, row_axis=first,
                          rows_per_index=rows_per_index, n=n)
    return x.map_blocks(f, dtype=dtype, meta=_meta(x, dtype))


def _hd_dask_signs(func, x, signs, ax, kw, what):
    """hd with a dask ``signs`` of shape (n,) or x.shape, aligned block by block."""
    n = x.shape[ax]
    if signs.shape == (n,):
        shape = [1] * x.ndim
        shape[ax] = n
        s = signs.reshape(tuple(shape)).rechunk(-1)
    elif signs.shape == x.shape:
        s = signs
    else:
        raise ValueError(f"Argument 'signs' must have shape ({n},) or {x.shape}, not {signs.shape}.")
    x = _rechunk(x, [ax])
    if s.shape == x.shape:
        s = s.rechunk(x.chunks)
    kw = dict(kw, signs=None)
    _check_memory(x, what)
    dtype = _out_dtype(func, x, [ax], dict(kw, signs=np.ones(n)))
    f = functools.partial(_call_block, func=func, kwargs=kw)
    return x.map_blocks(f, s, dtype=dtype, meta=_meta(x, dtype))
