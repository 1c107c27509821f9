"""The GPU receiver of :mod:`algdiv.transforms._dispatch`: cupy arrays and CUDA torch tensors.

``call(name, x, **kwargs)`` runs ``algdiv.transforms.<name>`` on the device of ``x`` with
the kernels of ``kernels/wht.cu`` and returns an array of the same module: cupy in, cupy
out; a CUDA torch tensor is viewed through DLPack (no copy), run on torch's current
stream, and the result comes back as a tensor (``out=`` tensors are written in place).

Rules (the same as the CPU functions unless said otherwise):

* the array module of ``x`` decides; numpy ``out=``/``signs=`` with cupy ``x`` is a
  ``TypeError`` (raised by the router before this module is reached);
* non-contiguous input, or an ``axis`` other than the last, is copied into a C-contiguous
  buffer first (the raw kernels ignore strides, so views are never passed to them);
* float16, bfloat16 and float32 compute in float32, float64 in float64; **the result keeps
  the input's dtype** (the CPU returns float32 for float16 input); complex input runs its
  real and imaginary parts; integer input runs in float64 (exact int64 for the forward
  ``norm="backward"`` transform while ``max|x| n <= 2^53``, else ``ValueError``);
* ``plan=`` (a CPU plan) is a ``TypeError``; ``workers`` is checked as on the CPU
  (``algdiv.transforms._validate.as_workers``) and otherwise ignored; ``hd``'s explicit
  ``signs`` must be +1/-1 reals (``as_hd_signs``, shared with the CPU); the router has
  already run ``check_call_args`` (the data-free checks of the CPU path);
* ``haar``/``ihaar`` have no GPU kernel yet: ``NotImplementedError``;
* no usable device: ``RuntimeError`` with :func:`algdiv.gpu.available`'s reason.
"""
from __future__ import annotations

import contextlib
import importlib

import numpy as np

from . import available
from . import _kernels
from ._plan import DTYPES, plan_itq3s, plan_wht, single_fits

__all__ = ["call", "rotation", "itq3s_decode", "itq3s_decode_blocks", "wht_rows"]

_STATE = {}


def _cupy():
    cp = _STATE.get("cupy")
    if cp is None:
        status = available()
        if not status:
            raise RuntimeError(f"algdiv.gpu: the GPU path is not available: {status.reason}.")
        cp = importlib.import_module("cupy")
        _STATE["cupy"] = cp
    return cp


def _address(a) -> int:
    """Device address of an array's first element (cupy), or host address (array API twins)."""
    data = a.data
    return data.ptr if hasattr(data, "ptr") else a.__array_interface__["data"][0]


def _on_device(a):
    """Context making ``a``'s device current (cupy arrays' ``.device``)."""
    dev = getattr(a, "device", None)
    return dev if hasattr(dev, "__enter__") else contextlib.nullcontext()


def _smem_limit(cp) -> int:
    dev = cp.cuda.runtime.getDevice()
    key = ("smem", dev)
    if key not in _STATE:
        # cudaDevAttrMaxSharedMemoryPerBlockOptin = 97
        _STATE[key] = int(cp.cuda.runtime.deviceGetAttribute(97, dev))
    return _STATE[key]


# ------------------------------------------------------------------------- launching
def _scalar(kind, v, A):
    if kind == "i32":
        return np.int32(v)
    if kind == "i64":
        return np.int64(v)
    if kind == "u64":
        return np.uint64(v)
    if kind == "A":
        return np.float64(v) if A == "double" else np.float32(v)
    raise AssertionError(kind)


def _execute(cp, launches, bufs):
    for L in launches:
        args = []
        for key, kind, v in L.ordered():
            if kind == "ptr":
                a = None if v.name is None else bufs[v.name]
                args.append(np.uint64(0) if a is None else a)
            else:
                args.append(_scalar(kind, v, L.A))
        fn = _kernels.function(cp, L.name, L.smem)
        fn((L.grid,), (L.block,), tuple(args), shared_mem=L.smem)


def wht_rows(cp, src, dst, dt, *, order="natural", inverse=False, scale=1.0, pre=None, mid=None,
             post=None, ntrans=1, diag=None):
    """Transform the C-contiguous (rows, n) ``src`` into ``dst`` (may be ``src``).

    ``dt`` names the storage type ("float16", "bfloat16", "float32", "float64"); the
    arrays of bfloat16 data are uint16 views.  Diagonal specs as in
    :func:`algdiv.gpu._plan.plan_wht`; ``diag`` maps "pre"/"mid"/"post" to device arrays of
    the accumulation dtype for the ("vector",)/("full",) specs.
    """
    rows, n = src.shape
    if rows == 0 or n == 0:
        return dst
    launches, cdt = plan_wht(rows, n, dt, smem_limit=_smem_limit(cp), order=order, inverse=inverse,
                             scale=scale, pre=pre, mid=mid, post=post, ntrans=ntrans)
    bufs = dict(diag or {})
    if cdt != dt:                      # half types on the multi-pass path: float32 inside
        if dt == "bfloat16":       # widen the bits (exact), whatever dtype labels them
            s32 = (src.view(cp.uint16).astype(cp.uint32) << 16).view(cp.float32)
        else:
            s32 = src.astype(cp.float32)
        d32 = cp.empty_like(s32)
        bufs.update({"in": s32, "out": d32})
    else:
        bufs.update({"in": src, "out": dst})
    if any(getattr(v, "name", None) == "tmp" for L in launches for _, _, v in L.ordered()):
        bufs["tmp"] = cp.empty_like(bufs["in"])
    _execute(cp, launches, bufs)
    if cdt != dt:
        if dt == "bfloat16":
            u = bufs["out"].view(cp.uint32)
            nan = cp.isnan(bufs["out"])
            r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(cp.uint16)
            dst.view(cp.uint16)[...] = cp.where(nan, ((u >> 16) | 0x40).astype(cp.uint16), r)
        else:
            dst[...] = bufs["out"].astype(dst.dtype)
    return dst


# ------------------------------------------------------------------------- validation helpers
def _V():
    from ..transforms import _validate
    return _validate


def _check_out(cp, out, shape, dtype):
    if out is None:
        return None
    if not isinstance(out, cp.ndarray):
        raise TypeError(f"Argument 'out' must be a cupy array for cupy input, not {type(out).__name__}.")
    if tuple(out.shape) != tuple(shape) or out.dtype != dtype:
        raise ValueError(f"Argument 'out' must have shape {tuple(shape)} and dtype {np.dtype(dtype)}, "
                         f"not shape {tuple(out.shape)} and dtype {out.dtype}.")
    return out


def _storage(cp, x, dt_override):
    """(dtype name of the kernel, result dtype) for a cupy array, or None for complex/int."""
    if dt_override == "bfloat16":
        return "bfloat16"
    name = x.dtype.name
    if name in DTYPES:
        return name
    return None


def _rows_call(cp, x, ax, dt, out, overwrite_x, run):
    """Move ``ax`` last, make rows contiguous, ``run(src2d, dst2d)``, move back, honour ``out``."""
    xm = cp.moveaxis(x, ax, -1)
    n = xm.shape[-1] if xm.ndim else 1
    rows = xm.size // n if n else 0
    direct = (out is not None and ax == x.ndim - 1 and out.flags.c_contiguous)
    if xm.flags.c_contiguous:
        src = xm.reshape(rows, n)
    else:
        src = cp.ascontiguousarray(xm).reshape(rows, n)
    if direct:
        dst = out.reshape(rows, n)
    elif overwrite_x and out is None and xm.flags.c_contiguous and _address(src) == _address(x):
        dst = src
    else:
        dst = cp.empty((rows, n), dtype=x.dtype)
    run(src, dst)
    y = cp.moveaxis(dst.reshape(xm.shape), -1, ax)
    if out is not None and not direct:
        out[...] = y
        return out
    return out if direct else y


def _split_complex(cp, x, out, fn):
    yr = fn(cp.ascontiguousarray(x.real))
    yi = fn(cp.ascontiguousarray(x.imag))
    y = out if out is not None else cp.empty(x.shape, dtype=x.dtype)
    y.real[...] = yr
    y.imag[...] = yi
    return y


# ------------------------------------------------------------------------- public functions
def _fwht(cp, x, axis, norm, order, overwrite_x, workers, out, plan, inverse, dt=None):
    V = _V()
    if plan is not None:
        raise TypeError("Argument 'plan' is a CPU plan; the GPU path chooses its own kernels, so "
                        "drop plan= for cupy or CUDA torch input.")
    norm = V.as_norm(norm)
    order = V.as_order(order)
    V.as_workers(workers)
    overwrite_x = V.as_flag(overwrite_x, "overwrite_x")
    if x.ndim == 0:
        raise ValueError("Argument 'x' must have at least one dimension, not a 0-d array.")
    ax = V.as_axis(axis, x.ndim)
    n = x.shape[ax]
    V.wht_length(n, axis, order)
    from ..transforms._wht import norm_scale
    scale = norm_scale(norm, n, inverse)
    kind = x.dtype.kind if dt is None else "f"
    if kind == "c":
        out = _check_out(cp, out, x.shape, x.dtype)
        return _split_complex(cp, x, out, lambda part: _fwht(cp, part, ax, norm, order, True, None,
                                                             None, None, inverse))
    if kind in "iu":
        exact = norm == "backward" and not inverse
        xf = x.astype(cp.float64)
        if exact:
            amax = float(cp.abs(xf).max()) if x.size else 0.0
            if amax * n > 2.0 ** 53:
                raise ValueError(f"Argument 'x' is too large for an exact integer transform on the GPU: "
                                 f"max|x| * {n} exceeds 2^53; convert it to float64 first.")
            out = _check_out(cp, out, x.shape, np.dtype(np.int64))
            y = _fwht(cp, xf, ax, norm, order, True, None, None, None, inverse)
            y = cp.rint(y).astype(cp.int64)
            if out is not None:
                out[...] = y
                return out
            return y
        return _fwht(cp, xf, ax, norm, order, True, None, out, None, inverse)
    if kind == "b" or _storage(cp, x, dt) is None:
        raise TypeError(f"Argument 'x' must be a float16, bfloat16, float32, float64, complex or "
                        f"integer array, not dtype {x.dtype}.")
    dtn = _storage(cp, x, dt)
    out = _check_out(cp, out, x.shape, x.dtype)
    return _rows_call(cp, x, ax, dtn, out, overwrite_x,
                      lambda s, d: wht_rows(cp, s, d, dtn, order=order, inverse=inverse, scale=scale))


def _fwhtn(cp, x, axes, norm, order, overwrite_x, workers, out, inverse, dt=None):
    V = _V()
    axes = V.as_axes(axes, x.ndim)
    V.as_norm(norm)
    V.as_order(order)
    V.as_workers(workers)
    overwrite_x = V.as_flag(overwrite_x, "overwrite_x")
    if x.dtype.kind in "iu" and norm in (None, "backward") and not inverse:
        res_dtype = np.dtype(np.int64)
    elif x.dtype.kind in "iu":
        res_dtype = np.dtype(np.float64)
    else:
        res_dtype = x.dtype
    out = _check_out(cp, out, x.shape, res_dtype)
    y = x
    for i, a in enumerate(axes):
        y = _fwht(cp, y, a, norm, order, overwrite_x or i > 0, workers, None, None, inverse, dt)
    if not axes:
        y = y.astype(res_dtype, copy=True)
    if out is not None:
        out[...] = y
        return out
    return y


def _hd(cp, x, signs, seed, stream, per_row, offset, axis, norm, order, workers, out, dt=None):
    V = _V()
    from ..transforms._random import _key, _u64, as_hd_signs, check_signs_or_seed
    from ..transforms._wht import norm_scale
    if x.ndim == 0:
        raise ValueError("Argument 'x' must have at least one dimension, not a 0-d array.")
    ax = V.as_axis(axis, x.ndim)
    n = x.shape[ax]
    check_signs_or_seed(signs, seed)
    norm = V.as_norm(norm)
    order = V.as_order(order)
    V.as_workers(workers)
    per_row = V.as_flag(per_row, "per_row")
    _u64(stream, "stream")
    V.wht_length(n, axis, order)
    if signs is not None:                 # the CPU's checks: +-1 reals of shape (n,) or x.shape
        signs = as_hd_signs(cp, signs, offset, n, x.shape)
    if dt is None and x.dtype.kind in "iub":
        if x.dtype.kind == "b":
            raise TypeError(f"Argument 'x' must be numeric, not dtype {x.dtype}.")
        x = x.astype(cp.float64)
    if dt is None and x.dtype.kind == "c":
        out = _check_out(cp, out, x.shape, x.dtype)
        f = lambda part: _hd(cp, part, signs, seed, stream, per_row, offset, ax, norm, order, None, None)
        return _split_complex(cp, x, out, f)
    dtn = _storage(cp, x, dt)
    if dtn is None:
        raise TypeError(f"Argument 'x' must be a float16, bfloat16, float32, float64, complex or "
                        f"integer array, not dtype {x.dtype}.")
    acc = cp.float64 if dtn == "float64" else cp.float32
    scale = norm_scale(norm, n, False)
    out = _check_out(cp, out, x.shape, x.dtype)
    diag = {}
    if signs is None:
        key = _key(seed, stream)
        spec = ("seed", key, _u64(offset, "offset"), bool(per_row))
    else:
        d = signs
        if d.shape == (n,):
            spec = ("vector",)
            diag["pre"] = cp.ascontiguousarray(d, dtype=acc)
        else:
            spec = ("full",)
            diag["pre"] = cp.ascontiguousarray(cp.moveaxis(d, ax, -1), dtype=acc)
    return _rows_call(cp, x, ax, dtn, out, False,
                      lambda s, dd: wht_rows(cp, s, dd, dtn, order=order, scale=scale, pre=spec, diag=diag))


def _not_on_gpu(name):
    def f(cp, x, **kw):
        raise NotImplementedError(f"algdiv.transforms.{name} has no GPU kernel yet; move the data "
                                  f"to the host (cupy.asnumpy / tensor.cpu()) for {name}.")
    return f


def _dispatch_cupy(name, cp, x, kw, dt=None):
    if name in ("fwht", "ifwht"):
        return _fwht(cp, x, kw.get("axis", -1), kw.get("norm", "backward"), kw.get("order", "natural"),
                     kw.get("overwrite_x", False), kw.get("workers"), kw.get("out"), kw.get("plan"),
                     name == "ifwht", dt)
    if name in ("fwhtn", "ifwhtn"):
        return _fwhtn(cp, x, kw.get("axes"), kw.get("norm", "backward"), kw.get("order", "natural"),
                      kw.get("overwrite_x", False), kw.get("workers"), kw.get("out"), name == "ifwhtn", dt)
    if name == "hd":
        return _hd(cp, x, kw.get("signs"), kw.get("seed"), kw.get("stream", 0), kw.get("per_row", False),
                   kw.get("offset", 0), kw.get("axis", -1), kw.get("norm", "ortho"),
                   kw.get("order", "natural"), kw.get("workers"), kw.get("out"), dt)
    if name in ("haar", "ihaar"):
        return _not_on_gpu(name)(cp, x)
    raise ValueError(f"Argument 'name' must name a transform with a GPU path, not {name!r}.")


# ------------------------------------------------------------------------- torch
def _torch_view(cp, t):
    """(cupy array sharing t's memory, storage override): DLPack, or a raw uint16 view for bf16."""
    import torch
    if t.dtype == torch.bfloat16:
        tc = t if t.is_contiguous() else t.contiguous()
        mem = cp.cuda.UnownedMemory(tc.data_ptr(), tc.numel() * 2, tc)
        a = cp.ndarray(tuple(tc.shape), dtype=cp.uint16, memptr=cp.cuda.MemoryPointer(mem, 0))
        return a, "bfloat16", tc
    return cp.from_dlpack(t), None, t


def _call_torch(name, x, kw):
    import torch
    cp = _cupy()
    if not x.is_cuda:
        raise TypeError("Argument 'x' is a CPU torch tensor; the GPU path takes CUDA tensors.")
    kw = dict(kw)
    out_t = kw.get("out")
    with cp.cuda.Device(x.device.index or 0), \
            cp.cuda.ExternalStream(torch.cuda.current_stream(x.device).cuda_stream):
        cx, dt, keep = _torch_view(cp, x)
        if out_t is not None:
            if not isinstance(out_t, torch.Tensor) or not out_t.is_cuda:
                raise TypeError("Argument 'out' must be a CUDA torch tensor for CUDA tensor input.")
            cout, odt, _ = _torch_view(cp, out_t)
            if out_t.dtype == torch.bfloat16 and not out_t.is_contiguous():
                raise ValueError("Argument 'out' must be contiguous for bfloat16 tensors.")
            kw["out"] = cout
        signs = kw.get("signs")
        if isinstance(signs, torch.Tensor):
            kw["signs"] = cp.from_dlpack(signs.float() if signs.dtype == torch.bfloat16 else signs)
        y = _dispatch_cupy(name, cp, cx, kw, dt)
        if out_t is not None:
            return out_t
        if dt == "bfloat16":
            res = torch.empty(tuple(y.shape), dtype=torch.bfloat16, device=x.device)
            _torch_view(cp, res)[0][...] = y
            return res
        return torch.from_dlpack(y)


# ------------------------------------------------------------------------- entry point
def call(name, x, **kwargs):
    """Run ``algdiv.transforms.<name>(x, **kwargs)`` on the GPU (the router's receiver)."""
    if type(x).__module__.partition(".")[0] == "torch":
        return _call_torch(name, x, kwargs)
    cp = _cupy()
    with _on_device(x):
        return _dispatch_cupy(name, cp, x, kwargs)


# ------------------------------------------------------------------------- rotation, ITQ3_S
def rotation(x, seed, blocks=2, *, inverse=False):
    r"""The structured rotation :math:`T = d^{-b/2} (H D_b) \cdots (H D_1)` on the GPU.

    Parameters
    ----------
    x : cupy.ndarray
        Last axis of length d, a power of 2; float16/float32/float64 (bfloat16 via torch).
    seed : int
        ``D_j = diag(rademacher(seed, d, stream=j - 1))``, as
        :class:`algdiv.rotations.StructuredRotation`.
    blocks : int
        b >= 1.  Pairs of blocks run as one fused kernel (``H D_{j+1} H D_j``, signs made
        in-kernel); lengths beyond the single-kernel limit chain one-block calls.
    inverse : bool
        Apply :math:`T^{-1} = T^\top = d^{-b/2} (D_1 H) \cdots (D_b H)`.

    Returns
    -------
    cupy.ndarray
        Same shape and dtype; ``x`` is not modified.

    References
    ----------
    N. Ailon, B. Chazelle, SIAM J. Comput. 39 (2009) 302-322, doi:10.1137/060673096.

    Examples
    --------
    >>> import algdiv.gpu as g
    >>> if g.available():   # doctest: +SKIP
    ...     import cupy as cp
    ...     y = g.rotation(cp.ones((4, 1024), dtype=cp.float32), seed=7)
    """
    from ..transforms._random import _key
    cp = _cupy()
    if not isinstance(x, cp.ndarray):
        raise TypeError(f"Argument 'x' must be a cupy array, not {type(x).__name__}.")
    if x.ndim == 0:
        raise ValueError("Argument 'x' must have at least one dimension.")
    d = x.shape[-1]
    if d < 2 or d & (d - 1):
        raise ValueError(f"Argument 'x' must have a last axis of length a power of 2 >= 2, not {d}.")
    dtn = _storage(cp, x, None)
    if dtn is None:
        x = x.astype(cp.float64)
        dtn = "float64"
    keys = [_key(seed, j) for j in range(blocks)]
    s1, s2 = 1.0 / np.sqrt(d), 1.0 / d
    fused = single_fits(d, dtn, _smem_limit(cp))
    with _on_device(x):
        src = cp.ascontiguousarray(x).reshape(-1, d)
        y = cp.empty_like(src)
        first = [True]

        def step(**kw):            # the first launch reads x, later ones work in place in y
            wht_rows(cp, src if first[0] else y, y, dtn, **kw)
            first[0] = False

        order = list(range(blocks))
        if not inverse:
            j = 0
            while j < blocks:
                if j + 1 < blocks and fused:
                    step(ntrans=2, scale=s2, pre=("seed", keys[j], 0, False),
                         mid=("seed", keys[j + 1], 0, False))
                    j += 2
                else:
                    step(scale=s1, pre=("seed", keys[j], 0, False))
                    j += 1
        else:
            order.reverse()
            i = 0
            while i < blocks:
                j = order[i]
                if i + 1 < blocks and fused:     # D_{j-1} H D_j H
                    step(ntrans=2, scale=s2, mid=("seed", keys[j], 0, False),
                         post=("seed", keys[j - 1], 0, False))
                    i += 2
                elif fused:
                    step(scale=s1, post=("seed", keys[j], 0, False))
                    i += 1
                else:
                    from ..transforms import rademacher
                    step(scale=s1)
                    y *= cp.asarray(rademacher(seed, d, stream=j), dtype=y.dtype)   # multi-pass sizes only
                    i += 1
        return y.reshape(x.shape)


def itq3s_decode_blocks(blocks, size, dtype="float32", out=None, *, check=True):
    """Fused ITQ3_S dequantize + inverse FWHT-256 of device-resident blocks.

    Parameters
    ----------
    blocks : cupy.ndarray
        ``(nblocks, 113)`` uint8, the stored blocks of a version-2 ITQ3_S buffer
        (``packed.stored_blocks()``: 109 bytes of codes, then their CRC-32), or
        ``(nblocks, 109)`` uint8 payloads without checksums (version 1,
        ``packed.blocks()``; copied once to the 113-byte stride).
    size : int
        Number of weights (at most ``256 * nblocks``).
    dtype : {"float16", "float32", "float64"}
    out : cupy.ndarray, optional
        Flat ``(size,)`` array of ``dtype`` to write.
    check : bool
        Check every block on the device before decoding, with the CPU reader's
        rules (:func:`algdiv.quant._itq3s.block_fault`: CRC-32 of 113-byte
        blocks, finite positive fp16 scales, trit bytes <= 242, padding
        digits); a failing block is a ``ValueError`` naming it.  ``False``
        skips this for blocks already checked (an :class:`ITQ3SPacked` is
        checked when it is built).

    Returns
    -------
    cupy.ndarray
        Flat weights ``w = H y / 16`` per block, ``y = d (2 s + 1) q``
        (:func:`algdiv.quant.itq3s_decode` computes the same on the CPU).
    """
    from .._checks import check_bool, check_int
    from ..quant._itq3s import BLOCK_BYTES, BLOCK_STRIDE, block_fault
    cp = _cupy()
    dtype = np.dtype(dtype).name
    if dtype not in ("float16", "float32", "float64"):
        raise ValueError(f"Argument 'dtype' must be float16, float32 or float64, not {dtype!r}.")
    check = check_bool(check, "check")
    if not isinstance(blocks, cp.ndarray) or blocks.dtype != cp.uint8 or blocks.ndim != 2 \
            or blocks.shape[1] not in (BLOCK_BYTES, BLOCK_STRIDE[2]):
        raise TypeError("Argument 'blocks' must be a (nblocks, 113) or (nblocks, 109) uint8 cupy array.")
    nb = blocks.shape[0]
    size = check_int(size, "size", min=0, max=256 * nb, why=f"for {nb} blocks")
    with _on_device(blocks):
        version = 2 if blocks.shape[1] == BLOCK_STRIDE[2] else 1
        if check:
            fault = block_fault(blocks, version, xp=cp)
            if fault:
                raise ValueError(fault)
        if version == 1:
            padded = cp.zeros((nb, BLOCK_STRIDE[2]), dtype=cp.uint8)
            padded[:, :BLOCK_BYTES] = blocks
            blocks = padded
        blocks = cp.ascontiguousarray(blocks)
        if out is None:
            out = cp.empty(size, dtype=dtype)
        elif out.shape != (size,) or out.dtype != np.dtype(dtype) or not out.flags.c_contiguous:
            raise ValueError(f"Argument 'out' must be a contiguous ({size},) {dtype} cupy array.")
        if nb and size:
            _execute(cp, plan_itq3s(nb, size, dtype), {"itq": blocks, "out": out})
        return out


def itq3s_decode(packed, dtype="float32"):
    """Decode an :class:`algdiv.quant.ITQ3SPacked` (or its bytes, checked as the CPU reader does) on
    the GPU; cupy array of ``packed.shape``.  The same values as :func:`algdiv.quant.itq3s_decode`."""
    cp = _cupy()
    if isinstance(packed, (bytes, bytearray, memoryview)):
        from ..quant import ITQ3SPacked
        packed = ITQ3SPacked(packed)
    if not (hasattr(packed, "stored_blocks") and hasattr(packed, "shape")):
        raise TypeError(f"Argument 'packed' must be ITQ3SPacked or bytes, not {type(packed).__name__}.")
    blocks = cp.asarray(np.ascontiguousarray(packed.stored_blocks()))
    size = int(np.prod(packed.shape, dtype=np.int64))
    return itq3s_decode_blocks(blocks, size, dtype, check=False).reshape(packed.shape)
