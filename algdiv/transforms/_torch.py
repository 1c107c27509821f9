r"""torch tensors through the fast transforms, with gradients (imported only when torch is).

The transforms are registered as torch custom operators (``torch.library.custom_op``) in
the ``algdiv`` namespace, each with a fake (meta) implementation and a registered
backward, so they work in eager mode, under ``torch.autograd`` (first and higher
derivatives) and inside ``torch.compile(fullgraph=True)`` without graph breaks:

* ``algdiv::wht(x, axes, norm, order, inverse, workers)``: :func:`fwht` / :func:`ifwht` /
  :func:`fwhtn` / :func:`ifwhtn` along ``axes``.  With ``A`` the forward matrix for
  ``norm``, the backward is :math:`A^T g`; since :math:`A^{-1} = H^T P^T / (s n)` for
  ``A = s P H``, :math:`A^T` is the inverse transform under the swapped norm
  (``"backward"`` <-> ``"forward"``, ``"ortho"`` unchanged), one fast transform;
* ``algdiv::hd(x, signs, axis, norm, order, transpose)``: :math:`A D x` (or
  :math:`D A^T x` with ``transpose``); the backward of one is the other, and a floating
  ``signs`` tensor with ``requires_grad=True`` is a trainable diagonal (any finite values;
  constant signs must be +1/-1, as for numpy input) and gets the gradient :math:`x \odot A^T g` (summed over the batch when
  it is one ``(n,)`` vector);
* ``algdiv::rademacher(like, key, offset, shape)``: the counter-based signs (no gradient);
* ``algdiv::rotation(x, seed, blocks, inverse)``: the structured rotation
  :math:`T = d^{-b/2} (H D_b) \cdots (H D_1)`; the backward is :math:`T^T = T^{-1}`;
* ``algdiv::unitary_plan(x, handle, axis, inverse)``: a unitary :class:`Plan`
  (``Transform`` objects); the backward of :math:`A x` is :math:`A^H g`, which is
  ``apply_inverse``.

CPU tensors are viewed as numpy arrays without a copy (``Tensor.numpy()`` shares the
memory, any strides) and run through the C core; float16 and bfloat16 are widened to
float32, transformed, and rounded once back to their dtype.  CUDA tensors run the CUDA
kernels of :mod:`algdiv.gpu` through DLPack, inside the same operators (so the same
backward applies).  Integer tensors (never differentiable) take the numpy path and
return what numpy returns.
"""
from __future__ import annotations

import functools
import weakref

import numpy as np
import torch

from . import _validate as V
from ._plan import Plan, Problem, _dtype_name

__all__ = ["call", "rotation", "apply_unitary_plan", "is_torch"]

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_HALF = (torch.float16, torch.bfloat16)
_U64 = 1 << 64


def is_torch(x) -> bool:
    """Whether ``x`` is a torch tensor (decided from the type's module; imports nothing)."""
    return type(x).__module__.partition(".")[0] == "torch"


def _s64(v: int) -> int:
    """A uint64 as the int64 with the same bits (custom-op ints are int64)."""
    return v - _U64 if v >= 1 << 63 else v


def _u64(v: int) -> int:
    return v + _U64 if v < 0 else v


# ------------------------------------------------------------------------- numpy views
def _to_numpy(t):
    """A numpy view of a CPU tensor (float32 copy for float16/bfloat16)."""
    t = t.detach()
    if t.dtype in _HALF:
        t = t.to(torch.float32)
    return t.resolve_conj().resolve_neg().numpy()


def _from_numpy(y, dtype, *inputs):
    """A new contiguous tensor of ``dtype`` holding ``y`` (copied if it shares an input's memory)."""
    if any(np.may_share_memory(y, a) for a in inputs) or not y.flags.c_contiguous:
        y = np.array(y, order="C")
    t = torch.from_numpy(y)
    return t if t.dtype == dtype else t.to(dtype)


def _gpu():
    from ..gpu import _dispatch
    return _dispatch


def _is_cuda(t) -> bool:
    return t.device.type == "cuda"


# ------------------------------------------------------------------------- algdiv::wht
def _wht_impl(x, axes, norm, order, inverse, workers):
    from ._wht import fwht, fwhtn, ifwht, ifwhtn
    w = workers or None
    if _is_cuda(x):
        name = ("ifwht" if inverse else "fwht") if len(axes) == 1 else ("ifwhtn" if inverse else "fwhtn")
        kw = dict(norm=norm, order=order, overwrite_x=False, workers=None, out=None)
        if len(axes) == 1:
            kw.update(axis=axes[0], plan=None)
        else:
            kw["axes"] = tuple(axes)
        return _gpu().call(name, x, **kw)
    xn = _to_numpy(x)
    if len(axes) == 1:
        y = (ifwht if inverse else fwht)(xn, axis=axes[0], norm=norm, order=order, workers=w)
    else:
        y = (ifwhtn if inverse else fwhtn)(xn, axes=tuple(axes), norm=norm, order=order, workers=w)
    return _from_numpy(y, x.dtype, xn)


@torch.library.custom_op("algdiv::wht", mutates_args=())
def _wht_op(x: torch.Tensor, axes: list[int], norm: str, order: str, inverse: bool,
            workers: int) -> torch.Tensor:
    return _wht_impl(x, axes, norm, order, inverse, workers)


@_wht_op.register_fake
def _(x, axes, norm, order, inverse, workers):
    return x.new_empty(x.shape)


def _wht_setup(ctx, inputs, output):
    ctx.args = inputs[1:]


def _wht_backward(ctx, g):
    axes, norm, order, inverse, workers = ctx.args
    return transposed_wht(g, axes, norm, order, inverse, workers), None, None, None, None, None


_wht_op.register_autograd(_wht_backward, setup_context=_wht_setup)


def transposed_wht(g, axes, norm, order, inverse=False, workers=0):
    """:math:`A^T g` for the transform ``A`` of ``wht(., axes, norm, order, inverse)``."""
    return _wht_op(g, axes, _SWAP[norm], order, not inverse, workers)


# ------------------------------------------------------------------------- algdiv::hd
def _along(d, axis, ndim, n):
    """A ``(n,)`` sign vector shaped to broadcast along ``axis`` of an ``ndim``-d array."""
    return d.reshape((n,) + (1,) * (ndim - 1 - axis)) if tuple(d.shape) == (n,) else d


def _hd_impl(x, signs, axis, norm, order, transpose):
    from ._random import hd
    from ._wht import ifwht
    n = x.shape[axis]
    if _is_cuda(x):
        if transpose:
            y = _gpu().call("ifwht", x, axis=axis, norm=_SWAP[norm], order=order, overwrite_x=False,
                            workers=None, out=None, plan=None)
            return (y * _along(signs, axis, x.ndim, n)).to(x.dtype)
        if not bool(((signs == 1) | (signs == -1)).all()):     # a trainable diagonal
            return _gpu().call("fwht", x * _along(signs, axis, x.ndim, n).to(x.dtype), axis=axis,
                               norm=norm, order=order, overwrite_x=False, workers=None, out=None,
                               plan=None)
        return _gpu().call("hd", x, signs=signs, seed=None, stream=0, per_row=False, offset=0,
                           axis=axis, norm=norm, order=order, workers=None, out=None)
    xn = _to_numpy(x)
    dn = _to_numpy(signs)
    if transpose:
        y = ifwht(xn, axis=axis, norm=_SWAP[norm], order=order)
        y = y * _along(dn, axis, xn.ndim, n).astype(y.dtype, copy=False)
    elif np.all((dn == 1) | (dn == -1)):
        y = hd(xn, signs=dn, axis=axis, norm=norm, order=order)
    else:                     # a trainable diagonal (checked finite where it entered)
        from ._wht import fwht
        y = fwht(xn * _along(dn, axis, xn.ndim, n).astype(xn.dtype, copy=False), axis=axis,
                 norm=norm, order=order)
    return _from_numpy(y, x.dtype, xn)


@torch.library.custom_op("algdiv::hd", mutates_args=())
def _hd_op(x: torch.Tensor, signs: torch.Tensor, axis: int, norm: str, order: str,
           transpose: bool) -> torch.Tensor:
    return _hd_impl(x, signs, axis, norm, order, transpose)


@_hd_op.register_fake
def _(x, signs, axis, norm, order, transpose):
    return x.new_empty(x.shape)


def _hd_setup(ctx, inputs, output):
    x, signs, axis, norm, order, transpose = inputs
    ctx.args = (axis, norm, order, transpose)
    ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, signs)


def _hd_backward(ctx, g):
    axis, norm, order, transpose = ctx.args
    x, signs = ctx.saved_tensors
    gx = gs = None
    if ctx.needs_input_grad[0]:
        gx = _hd_op(g, signs, axis, norm, order, not transpose)
    if ctx.needs_input_grad[1]:
        n = x.shape[axis]
        if transpose:        # y = D A^T x: dL/dD = (A^T x) g
            gs = transposed_wht(x, [axis], norm, order) * g
        else:                # y = A D x:   dL/dD = x (A^T g)
            gs = x * transposed_wht(g, [axis], norm, order)
        if signs.is_floating_point() and gs.is_complex():
            gs = gs.real
        if tuple(signs.shape) == (n,) and x.ndim > 1:
            gs = gs.sum(dim=[a for a in range(x.ndim) if a != axis])
        gs = gs.to(signs.dtype)
    return gx, gs, None, None, None, None


_hd_op.register_autograd(_hd_backward, setup_context=_hd_setup)


# ------------------------------------------------------------------------- algdiv::rademacher
@torch.library.custom_op("algdiv::rademacher", mutates_args=())
def _rademacher_op(like: torch.Tensor, key: int, offset: int, shape: list[int]) -> torch.Tensor:
    from ._random import _signs_from_counters
    size = int(np.prod(shape, dtype=np.int64))
    off = _u64(offset)
    idx = range(size) if off == 0 else np.arange(size, dtype=np.uint64) + np.uint64(off)
    s = torch.from_numpy(_signs_from_counters(_u64(key), idx).reshape(shape))
    return s.to(like.device) if _is_cuda(like) else s


@_rademacher_op.register_fake
def _(like, key, offset, shape):
    return like.new_empty(shape, dtype=torch.int8)


# ------------------------------------------------------------------------- algdiv::rotation
@functools.lru_cache(maxsize=64)
def _rotation_signs(seed, d, j):
    from ._random import rademacher
    s = rademacher(seed, (d,), stream=j)
    s.setflags(write=False)
    return s


@functools.lru_cache(maxsize=16)
def _rotation_rows(seed, d, blocks, inverse):
    """``chain_rows`` of the rotation's signs (or of its transpose), kept between calls."""
    from ._random import chain_rows
    return chain_rows(np.stack([_rotation_signs(seed, d, j) for j in range(blocks)]), inverse)


@torch.library.custom_op("algdiv::rotation", mutates_args=())
def _rotation_op(x: torch.Tensor, seed: int, blocks: int, inverse: bool) -> torch.Tensor:
    d = x.shape[-1]
    if _is_cuda(x):
        g = _gpu()
        cp = g._cupy()
        with cp.cuda.Device(x.device.index or 0), \
                cp.cuda.ExternalStream(torch.cuda.current_stream(x.device).cuda_stream):
            xs = x.contiguous()
            xs = xs.to(torch.float32) if xs.dtype == torch.bfloat16 else xs
            y = g.rotation(cp.from_dlpack(xs), seed, blocks, inverse=inverse)
            return torch.from_dlpack(y).to(x.dtype)
    from ._random import hd_chain
    xn = _to_numpy(x)
    rows, bits = _rotation_rows(seed, d, blocks, inverse)
    y = hd_chain(xn, seed, blocks, signs=rows, sign_bits=bits, trailing=inverse)
    return _from_numpy(y, x.dtype, xn)


@_rotation_op.register_fake
def _(x, seed, blocks, inverse):
    return x.new_empty(x.shape)


def _rotation_setup(ctx, inputs, output):
    ctx.args = inputs[1:]


def _rotation_backward(ctx, g):
    seed, blocks, inverse = ctx.args
    return _rotation_op(g, seed, blocks, not inverse), None, None, None


_rotation_op.register_autograd(_rotation_backward, setup_context=_rotation_setup)


def rotation(x, d, seed, blocks, inverse, name="x"):
    """:class:`algdiv.rotations.StructuredRotation` on a tensor (the operator's torch path)."""
    if x.ndim == 0 or x.shape[-1] != d:
        raise ValueError(
            f"Argument {name!r} must have last axis of length d = {d}, not shape {tuple(x.shape)}.")
    if x.dtype == torch.bool or not (x.is_floating_point() or x.is_complex()):
        if x.dtype == torch.bool:
            raise TypeError(f"Argument {name!r} must be numeric, not dtype {x.dtype}.")
        x = x.to(torch.float64)
    return _rotation_op(x, int(seed), int(blocks), bool(inverse))


# ------------------------------------------------------------------------- algdiv::unitary_plan
_PLANS: "weakref.WeakValueDictionary[int, Plan]" = weakref.WeakValueDictionary()
_HANDLES: "weakref.WeakKeyDictionary[Plan, int]" = weakref.WeakKeyDictionary()


def _handle(plan) -> int:
    h = _HANDLES.get(plan)
    if h is None:
        h = len(_PLANS) + 1
        while h in _PLANS:
            h += 1
        _PLANS[h] = plan
        _HANDLES[plan] = h
    return h


def _plan_result_dtype(plan, x_dtype, inverse):
    out = np.dtype(plan.in_dtype if inverse else plan.out_dtype)
    wide = x_dtype in (torch.float64, torch.complex128)
    if out.kind == "c" or x_dtype.is_complex:
        return torch.complex128 if wide else torch.complex64
    return x_dtype


@torch.library.custom_op("algdiv::unitary_plan", mutates_args=())
def _plan_op(x: torch.Tensor, handle: int, axis: int, inverse: bool) -> torch.Tensor:
    plan = _PLANS[handle]
    res = _plan_result_dtype(plan, x.dtype, inverse)
    if _is_cuda(x) and plan.problem.kind == "wht" and not plan.children and res == x.dtype:
        prob = plan.problem              # the GPU FWHT kernels, as Transform does for cupy
        return _gpu().call("ifwht" if inverse else "fwht", x, axis=axis, norm=prob.norm,
                           order=prob.order, overwrite_x=False, workers=None, out=None, plan=None)
    if _is_cuda(x):
        A = plan.matrix()
        A = A.conj().T if inverse else A          # unitary: A^{-1} = A^H
        At = torch.as_tensor(np.ascontiguousarray(A.T), device=x.device)
        At = At.to(res if At.is_complex() or res.is_complex else x.dtype)
        y = torch.movedim(x.to(At.dtype), axis, -1) @ At
        return torch.movedim(y, -1, axis).to(res).contiguous()
    xn = _to_numpy(x)
    y = (plan.apply_inverse if inverse else plan.apply)(xn, axis=axis)
    return _from_numpy(np.asarray(y), res, xn)


@_plan_op.register_fake
def _(x, handle, axis, inverse):
    return x.new_empty(x.shape, dtype=_plan_result_dtype(_PLANS[handle], x.dtype, inverse))


def _plan_setup(ctx, inputs, output):
    x, handle, axis, inverse = inputs
    ctx.args = (handle, axis, inverse, x.dtype)


def _plan_backward(ctx, g):
    handle, axis, inverse, dtype = ctx.args
    gx = _plan_op(g, handle, axis, not inverse)
    if not dtype.is_complex and gx.is_complex():
        gx = gx.real
    return gx.to(dtype), None, None, None


_plan_op.register_autograd(_plan_backward, setup_context=_plan_setup)


def apply_unitary_plan(plan, x, axis=-1, inverse=False):
    """``plan.apply`` (or ``apply_inverse``) on a tensor, differentiable; ``plan`` must be unitary.

    Used by :meth:`algdiv.Transform.forward` / :meth:`~algdiv.Transform.inverse` (whose plan is
    the analysis matrix of an orthonormal basis).
    """
    ax = V.as_axis(axis, x.ndim)
    if x.shape[ax] != plan.problem.n:
        raise ValueError(f"Argument 'x' must have length {plan.problem.n} along axis {axis}, "
                         f"not {x.shape[ax]}.")
    if x.dtype == torch.bool:
        raise TypeError(f"Argument 'x' must be numeric, not dtype {x.dtype}.")
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(torch.float64)
    return _plan_op(x, _handle(plan), ax, bool(inverse))


# ------------------------------------------------------------------------- entry from the router
def _needs_grad(*ts) -> bool:
    return torch.is_grad_enabled() and any(isinstance(t, torch.Tensor) and t.requires_grad for t in ts)


def _direct(*ts) -> bool:
    """Eager call without gradients: run the implementation, skipping the dispatcher (~40 us)."""
    return not _needs_grad(*ts) and not torch.compiler.is_compiling()


def _finish_out(y, out, what):
    """Copy ``y`` into the caller's ``out`` tensor (no gradient flows through ``out=``)."""
    if out is None:
        return y
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"Argument 'out' must be a torch tensor for tensor input, not {type(out).__name__}.")
    if tuple(out.shape) != tuple(y.shape) or out.dtype != y.dtype or out.device != y.device:
        raise ValueError(f"Argument 'out' must have shape {tuple(y.shape)}, dtype {y.dtype} and device "
                         f"{y.device}, not {tuple(out.shape)}, {out.dtype}, {out.device}.")
    with torch.no_grad():
        out.copy_(y)
    return out


def _refuse_out_with_grad(out, *ts):
    if out is not None and _needs_grad(*ts):
        raise ValueError("Argument 'out' cannot be used on tensors that require grad (the result "
                         "would leave the autograd graph); drop out= or call under torch.no_grad().")


def _check_float(x, name="x"):
    if x.dtype == torch.bool:
        raise TypeError(f"Argument {name!r} must be numeric, not dtype {x.dtype}.")
    if x.dtype == torch.complex32:
        raise TypeError(f"Argument {name!r} must be float16, bfloat16, float32, float64, complex64, "
                        f"complex128 or integer, not dtype {x.dtype}.")


def _wht_entry(name, func, x, kw):
    inverse = name.startswith("i")
    out = kw.get("out")
    _check_float(x)
    if not (x.is_floating_point() or x.is_complex()):
        return _numpy_call(name, func, x, kw)              # integers: exact, no gradient
    _refuse_out_with_grad(out, x)
    norm = V.as_norm(kw.get("norm"))
    order = V.as_order(kw.get("order", "natural"))
    workers = V.as_workers(kw.get("workers"))
    if name in ("fwht", "ifwht"):
        axes = [V.as_axis(kw.get("axis", -1), x.ndim)]
        V.wht_length(x.shape[axes[0]], kw.get("axis", -1), order)
        plan = kw.get("plan")
        if plan is not None:
            if _is_cuda(x):
                raise TypeError("Argument 'plan' is a CPU plan; the GPU path chooses its own kernels, "
                                "so drop plan= for CUDA tensor input.")
            dt = np.float32 if x.dtype in _HALF else _to_numpy(x[:0]).dtype
            V.as_plan(plan, Problem("wht", x.shape[axes[0]], _dtype_name(np.dtype(dt)), order, norm))
    else:
        axes = _as_axes(kw.get("axes"), x.ndim)
        for a in axes:
            V.wht_length(x.shape[a], a, order)
    op = _wht_impl if _direct(x) else _wht_op
    y = op(x, axes, norm, order, inverse, workers or 0)
    return _finish_out(y, out, name)


def _as_axes(axes, ndim):
    """``as_axes`` without ``np.ndim`` (which torch.compile cannot trace)."""
    if axes is None:
        axes = range(ndim)
    elif not isinstance(axes, (list, tuple, range)):
        axes = (axes,)
    out = [V.as_axis(a, ndim, "axes") for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"Argument 'axes' must not repeat an axis, not {tuple(axes)!r}.")
    return out


def _hd_entry(func, x, kw):
    from ._random import _key, _u64 as u64, check_signs_or_seed
    signs, seed, out = kw.get("signs"), kw.get("seed"), kw.get("out")
    _check_float(x)
    if x.ndim == 0:
        raise ValueError("Argument 'x' must have at least 1 dimension, not a scalar.")
    axis = kw.get("axis", -1)
    ax = V.as_axis(axis, x.ndim)
    n = x.shape[ax]
    check_signs_or_seed(signs, seed)
    norm = V.as_norm(kw.get("norm", "ortho"))
    order = V.as_order(kw.get("order", "natural"))
    V.as_workers(kw.get("workers"))
    V.wht_length(n, axis, order)
    _refuse_out_with_grad(out, x, signs)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(torch.float64)
    offset = kw.get("offset", 0)
    if signs is None and _is_cuda(x) and _direct(x):
        return _gpu().call("hd", x, **kw)          # no gradient: signs made inside the kernel
    if signs is None:
        key = _key(seed, kw.get("stream", 0))
        offset = u64(offset, "offset")
        if kw.get("per_row", False):
            moved = list(x.shape[:ax]) + list(x.shape[ax + 1:]) + [n]
            d = torch.movedim(_rademacher_op(x.detach(), _s64(key), _s64(offset), moved), -1, ax)
        else:
            d = _rademacher_op(x.detach(), _s64(key), _s64(offset), [n])
    else:
        if offset != 0:
            raise ValueError(f"Argument 'offset' applies to seed= only; with signs= it must be 0, "
                             f"not {offset!r}.")
        d = signs if isinstance(signs, torch.Tensor) else torch.as_tensor(np.asarray(signs), device=x.device)
        if d.dtype == torch.bool or d.is_complex():
            raise TypeError(f"Argument 'signs' must be real numbers for tensor input, not dtype {d.dtype}.")
        if tuple(d.shape) != (n,) and tuple(d.shape) != tuple(x.shape):
            raise ValueError(f"Argument 'signs' must have shape {(n,)} or {tuple(x.shape)}, "
                             f"not {tuple(d.shape)}.")
        if d.device != x.device:
            raise ValueError(f"Argument 'signs' must be on x's device {x.device}, not {d.device}.")
        if torch.compiler.is_compiling():
            pass              # values are not known while tracing; eager calls check them
        elif d.is_floating_point() and d.requires_grad and torch.is_grad_enabled():
            # a trainable diagonal D (any finite reals): A D x with gradients for D
            if not bool(torch.isfinite(d.detach()).all()):
                raise ValueError("Argument 'signs' (a trainable diagonal) must be finite.")
        else:
            bad = ~((d == 1) | (d == -1))
            if bool(bad.any()):
                from ._random import not_pm1_error
                raise not_pm1_error(d, torch.nonzero(bad)[0], "; a floating signs tensor with "
                                    "requires_grad=True is a trainable diagonal and may hold any "
                                    "finite values")
    y = (_hd_impl if _direct(x, d) else _hd_op)(x, d, ax, norm, order, False)
    return _finish_out(y, out, "hd")


def _haar_entry(name, func, x, kw):
    _check_float(x)
    if (x.is_floating_point() or x.is_complex()) and _needs_grad(x):
        norm = V.as_norm(kw.get("norm", "ortho"))
        if norm != "ortho" or kw.get("out") is not None:
            raise ValueError(f"{name} has a gradient for norm='ortho' without out= only; "
                             f"got norm={norm!r}" + (" and out=" if kw.get("out") is not None else "") + ".")
        from ._plan import get_planner
        n = x.shape[V.as_axis(kw.get("axis", -1), x.ndim)]
        p = kw.get("plan") or get_planner().plan(Problem("haar", n, "float64", norm="ortho"))
        return apply_unitary_plan(p, x, kw.get("axis", -1), inverse=name == "ihaar")
    return _numpy_call(name, func, x, kw)


def _numpy_call(name, func, x, kw):
    """The plain path: numpy on ``x.numpy()`` (CPU) or the GPU receiver (CUDA); no gradient."""
    if _is_cuda(x):
        return _gpu().call(name, x, **kw)
    out = kw.get("out")
    kw = dict(kw)
    for key in ("out", "signs"):
        v = kw.get(key)
        if isinstance(v, torch.Tensor):
            kw[key] = _to_numpy(v) if key == "signs" else v.numpy()
    xn = _to_numpy(x)
    y = func(xn, **kw)
    if out is not None:
        return out
    return _from_numpy(np.asarray(y), _torch_dtype(np.asarray(y).dtype), xn)


def _torch_dtype(dt):
    return torch.from_numpy(np.empty(0, dtype=dt)).dtype


def call(name, func, x, kwargs):
    """The router's receiver for torch tensors (CPU and CUDA): ``algdiv.transforms.<name>``."""
    if name in ("fwht", "ifwht", "fwhtn", "ifwhtn"):
        return _wht_entry(name, func, x, kwargs)
    if name == "hd":
        return _hd_entry(func, x, kwargs)
    if name in ("haar", "ihaar"):
        return _haar_entry(name, func, x, kwargs)
    return _numpy_call(name, func, x, kwargs)
