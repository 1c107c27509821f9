"""Group-wise round-to-nearest quantizers (asymmetric min-max, symmetric absmax) and MSE clip search."""
import numpy as np

from .._checks import check_array, check_bool, check_int, check_real
from ._dask import is_dask

_DEFAULT_CLIPS = np.linspace(0.5, 1.0, 11)


def _check_bits(bits, lo=1, hi=16):
    return check_int(bits, "bits", min=lo, max=hi)


def _as_weights(w, name="w"):
    """Validate a real floating array with finite entries; return float64 copy-free view."""
    a = np.asarray(w)
    if a.dtype.kind not in "fiu" or a.dtype == np.bool_:
        raise TypeError(f"Argument {name!r} must be a real numeric array, not dtype {a.dtype}.")
    if a.ndim == 0:
        raise ValueError(f"Argument {name!r} must have at least one axis, not a scalar.")
    if a.size and not np.all(np.isfinite(a)):
        raise ValueError(f"Argument {name!r} must be finite; it holds NaN or inf.")
    return a


def _out_dtype(a):
    return a.dtype if a.dtype.kind == "f" else np.dtype(np.float64)


def _grouped(a, group_size, axis):
    """Move ``axis`` last and split it into (n_groups, group_size)."""
    group_size = check_int(group_size, "group_size", min=1)
    ax = check_int(axis, "axis", min=-a.ndim, max=a.ndim - 1, why=f"for a {a.ndim}-D array") % a.ndim
    n = a.shape[ax]
    if n % group_size:
        raise ValueError(f"Argument 'group_size' must be a positive divisor of the axis length "
                         f"{n}, not {group_size!r}.")
    m = np.moveaxis(a, ax, -1)
    return m.reshape(m.shape[:-1] + (n // group_size, group_size)), ax


def _ungroup(g, ax, shape):
    moved = g.reshape(g.shape[:-2] + (-1,))
    return np.moveaxis(moved, -1, ax).reshape(shape)


#: groups whose max |w| passes this are quantized after an exact power-of-2 rescaling
_HUGE = 2.0 ** 500


def _prescale(g):
    """Exact power-of-2 factors (per group) bringing huge groups to max |w| < 1; 1 elsewhere.

    Scales, zero points and squared errors of groups near the float64 limit
    would overflow (``max - min`` of ``[1e308, -1e308]`` is inf); the grid is
    equivariant under power-of-2 scaling, so such groups are quantized at a
    safe scale and multiplied back.
    """
    amax = np.max(np.abs(g), axis=-1, keepdims=True) if g.size else np.zeros(g.shape[:-1] + (1,))
    if not np.any(amax > _HUGE):
        return None
    _, e = np.frexp(amax)
    return np.where(amax > _HUGE, np.ldexp(1.0, -e), 1.0)


def _quant_groups(g, bits, symmetric, clip):
    """Dequantized groups; ``clip`` broadcasts against g[..., :1]."""
    if symmetric:
        # midrise grid (2q+1) s, q in [-2^(b-1), 2^(b-1)-1]: s = c absmax / (2^b - 1)
        half = 2 ** (bits - 1)
        amax = np.max(np.abs(g), axis=-1, keepdims=True) * clip
        s = amax / (2 ** bits - 1)
        safe = np.where(s > 0, s, 1.0)
        q = np.clip(np.floor(g / (2 * safe)), -half, half - 1)
        return np.where(s > 0, (2 * q + 1) * s, 0.0)
    levels = 2 ** bits - 1
    hi = np.max(g, axis=-1, keepdims=True) * clip
    lo = np.min(g, axis=-1, keepdims=True) * clip
    scale = (hi - lo) / levels
    safe = np.where(scale > 0, scale, 1.0)
    zero = np.round(-lo / safe)
    q = np.clip(np.round(g / safe) + zero, 0, levels)
    return np.where(scale > 0, (q - zero) * scale, g)


def rtn(w, bits, group_size, axis=-1, symmetric=False, *, clip=1.0, clip_grid=None):
    r"""Group-wise round-to-nearest quantization; returns the dequantized array.

    Parameters
    ----------
    w : array_like
        Real weights (any shape, finite).  Not modified.
    bits : int
        Bits per weight, 1..16.
    group_size : int
        Number of consecutive entries along ``axis`` sharing one scale (and
        zero point); must divide that axis' length.
    axis : int, optional
        Axis along which groups are formed (default last: the input axis of a
        ``(d_out, d_in)`` weight).
    symmetric : bool, optional
        False (default): asymmetric min-max with an integer zero point.
        True: symmetric absmax midrise grid :math:`(2q+1)s`.
    clip : float or "mse", optional
        Clip factor :math:`c \in (0, 1]` applied to the group's max and min
        (absmax when symmetric), as RotateKV and QuaRot do, or ``"mse"`` to
        pick, per group, the factor of ``clip_grid`` with the smallest squared
        error (default 11 factors in [0.5, 1]).
    clip_grid : array_like, optional
        Candidate clip factors for ``clip="mse"``.

    Returns
    -------
    ndarray
        Dequantized weights, ``w``'s shape, float dtype of ``w`` (float64 for
        integer input).  Scales are kept in float64 (not rounded to fp16).

    Raises
    ------
    TypeError
        Non-integer ``bits``/``group_size``, non-numeric ``w``.
    ValueError
        ``bits`` out of range, ``group_size`` not dividing the axis, NaN/inf
        in ``w``, a clip factor outside (0, 1].

    Notes
    -----
    Asymmetric (per group, :math:`b` bits, :math:`L = 2^b - 1`):

    .. math:: s = \frac{c(\max w - \min w)}{L},\quad
              z = \mathrm{round}(-c\min w / s),\quad
              \hat w = s\,(\mathrm{clamp}(\mathrm{round}(w/s) + z, 0, L) - z).

    Symmetric: :math:`s = c\max|w| / L`, :math:`\hat w = s(2q+1)`,
    :math:`q = \mathrm{clamp}(\lfloor w/2s \rfloor, -2^{b-1}, 2^{b-1}-1)`.
    A ``dask.array.Array`` ``w`` gives a lazy dask array, computed block by
    block with ``axis`` rechunked whole (equal to the in-memory result bit for
    bit; NaN entries raise when it is computed).

    Storage cost with fp16 scales: :math:`b + 32/g` bits per weight
    (asymmetric) or :math:`b + 16/g` (symmetric), see :func:`rtn_bits_per_weight`.

    References
    ----------
    Dettmers et al., QLoRA, arXiv:2305.14314; Frantar et al., GPTQ,
    arXiv:2210.17323 (the RTN baseline).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import rtn
    >>> rtn(np.array([0.0, 1.0, 2.0, 3.0]), bits=2, group_size=4)
    array([0., 1., 2., 3.])
    >>> rtn(np.array([-3.0, -1.0, 1.0, 3.0]), bits=2, group_size=4, symmetric=True)
    array([-3., -1.,  1.,  3.])
    """
    bits = _check_bits(bits)
    if is_dask(w):
        from ._dask import map_quantizer
        return map_quantizer(rtn, w, axis, what="rtn()", bits=bits, group_size=group_size,
                             symmetric=symmetric, clip=clip, clip_grid=clip_grid)
    a = _as_weights(w)
    dt = _out_dtype(a)
    symmetric = check_bool(symmetric, "symmetric")
    g, ax = _grouped(a.astype(np.float64, copy=False), group_size, axis)
    if isinstance(clip, str):
        if clip != "mse":
            raise ValueError(f"Argument 'clip' must be a finite number in (0, 1] or 'mse', not {clip!r}.")
        grid = _DEFAULT_CLIPS if clip_grid is None else check_array(
            clip_grid, "clip_grid", ndim=(0, 1), dtype_kind="iuf").astype(np.float64).ravel()
        if grid.size == 0 or np.any(~(grid > 0)) or np.any(grid > 1):
            raise ValueError("Argument 'clip_grid' must hold factors in (0, 1], not "
                             f"{'an empty grid' if grid.size == 0 else grid.tolist()[:8]}.")
    elif clip_grid is not None:
        raise ValueError("Argument 'clip_grid' is used only with clip='mse'; pass clip='mse' or drop it.")
    pre = _prescale(g)
    if pre is not None:
        g = g * pre
    if isinstance(clip, str):
        best = None
        best_err = None
        for c in grid:
            d = _quant_groups(g, bits, symmetric, c)
            err = np.sum((d - g) ** 2, axis=-1, keepdims=True)
            if best is None:
                best, best_err = d, err
            else:
                take = err < best_err
                best = np.where(take, d, best)
                best_err = np.where(take, err, best_err)
        deq = best
    else:
        if isinstance(clip, (bool, np.bool_)) or not isinstance(clip, (int, float, np.integer, np.floating)):
            raise TypeError(f"Argument 'clip' must be a finite number in (0, 1] or 'mse', not "
                            f"{type(clip).__name__}.")
        c = check_real(clip, "clip", min=0, max=1, open_min=True)
        deq = _quant_groups(g, bits, symmetric, c)
    if pre is not None:
        with np.errstate(over="ignore"):
            deq = deq / pre
        if not np.all(np.isfinite(deq)):
            raise ValueError("Argument 'w' is too close to the float64 limit: a grid point of a group "
                             "overflows (max |w| near 1.8e308); rescale it.")
    out = _ungroup(deq, ax, a.shape)
    if dt != out.dtype and np.any(np.abs(out) > np.finfo(dt).max):
        raise ValueError(f"Argument 'w' has grid points beyond the {dt} range; quantize in float64.")
    return out.astype(dt, copy=False)


def rtn_bits_per_weight(bits, group_size, symmetric=False, scale_bits=16):
    """Storage cost of :func:`rtn` in bits per weight: codes plus fp16 scale (and zero point).

    Examples
    --------
    >>> from algdiv.quant import rtn_bits_per_weight
    >>> rtn_bits_per_weight(3, 64), rtn_bits_per_weight(3, 128), rtn_bits_per_weight(3, 32, True)
    (3.5, 3.25, 3.5)
    """
    bits = _check_bits(bits)
    group_size = check_int(group_size, "group_size", min=1)
    symmetric = check_bool(symmetric, "symmetric")
    scale_bits = check_int(scale_bits, "scale_bits", min=0, max=64)
    per_group = scale_bits if symmetric else 2 * scale_bits
    return bits + per_group / group_size
