"""``algdiv apply``: a saved transform (or a group's) applied to a data file, or inverted."""
from __future__ import annotations

import sys

import numpy as np

from . import UsageError

__all__ = ["register", "run", "apply_to_array"]

#: the data are read and transformed this many bytes at a time
CHUNK_BYTES = 64 * 2**20


def register(subparsers):
    p = subparsers.add_parser(
        "apply",
        help="apply a transform (a saved T.npz or a group's) to a .npy data file, or invert it",
        description="Read DATA.npy (memory-mapped) and write the coefficients y = B^H x of a "
        "transform along one axis (or on blocks of the last two axes) to OUT.npy, through its "
        "fast plan; --inverse writes x = B y. The transform is a file saved by `algdiv derive "
        "... --out T.npz` (or Transform.save), or the matched transform of --group. float32 and "
        "complex64 data stay in single precision.",
    )
    p.add_argument("data", help=".npy file (read with allow_pickle=False, memory-mapped)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--transform", metavar="T.npz", help="a saved transform (Transform.save)")
    src.add_argument("--group", help="a group spec or @G.json: use its matched transform")
    p.add_argument("--field", choices=("real", "complex"), default="real",
                   help="with --group: the real or complex matched transform (default real)")
    p.add_argument("--axis", type=int, default=-1,
                   help="axis of DATA the transform runs along (default -1, the last)")
    p.add_argument("--blocks", metavar="HxW", default=None,
                   help="apply to each H x W block of the last two axes (flattened row-major), "
                   "e.g. 8x8 with direct(dct:8,dct:8) for the 2-D DCT of image blocks")
    p.add_argument("--inverse", action="store_true", help="apply the inverse transform x = B y")
    p.add_argument("--out", required=True, metavar="OUT.npy", help="where to write the result")
    p.set_defaults(func=run)


def _load_transform(args):
    from ..bases import Transform, matched_transform

    from ._verdict import group_argument

    if args.transform is not None:
        return Transform.load(args.transform), args.transform
    G = group_argument(args.group)
    if G.family == "trivial":
        raise UsageError("the trivial group's transform is the KLT of a covariance: save it with "
                         "`algdiv derive COV.npy --group trivial:N --out T.npz` and use --transform")
    T = matched_transform(G, field=args.field)
    if not T.unique:
        print(f"algdiv apply: warning: the matched basis of {G.name} is not unique (isotypic "
              "components of multiplicity > 1); the KLT of a covariance finishes it: `algdiv "
              "derive COV.npy --group ... --out T.npz`", file=sys.stderr)
    return T, args.group


def _parse_blocks(text):
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--blocks must look like 8x8 (H x W), not {text!r}") from None
    if h < 1 or w < 1:
        raise UsageError(f"--blocks must be positive, not {text!r}")
    return h, w


def _on_blocks(T, x, bh, bw, inverse):
    """The transform of every bh x bw block of the last two axes of ``x``."""
    lead, (h, w) = x.shape[:-2], x.shape[-2:]
    k = len(lead)
    b = x.reshape(lead + (h // bh, bh, w // bw, bw))
    b = np.moveaxis(b, k + 1, k + 2).reshape(lead + (h // bh, w // bw, bh * bw))
    y = T.inverse(b) if inverse else T(b)
    y = np.moveaxis(y.reshape(lead + (h // bh, w // bw, bh, bw)), k + 2, k + 1)
    return y.reshape(x.shape)


def apply_to_array(T, x, *, axis=-1, blocks=None, inverse=False):
    """Chunks of the result, in C order, and its dtype: ``(iterator, dtype)``.

    ``x`` may be a memory map: it is read one slab of the first axis at a time
    (whole when the transform runs along the first axis of an N-D array).
    """
    if blocks is not None:
        bh, bw = blocks
        if x.ndim < 2:
            raise UsageError(f"--blocks needs an array of at least 2 dimensions, not shape {x.shape}")
        if bh * bw != T.n:
            raise UsageError(f"--blocks {bh}x{bw} has {bh * bw} points, but the transform has "
                             f"N = {T.n}")
        h, w = x.shape[-2:]
        if h % bh or w % bw:
            raise UsageError(f"the last two axes ({h} x {w}) are not a whole number of "
                             f"{bh}x{bw} blocks; crop or pad the data first")
        step_axis0 = bh if x.ndim == 2 else 1

        def func(c):
            return _on_blocks(T, c, bh, bw, inverse)
    else:
        if not -x.ndim <= axis < x.ndim:
            raise UsageError(f"--axis {axis} is out of range for data of shape {x.shape}")
        axis %= x.ndim
        if x.shape[axis] != T.n:
            raise UsageError(f"the data have length {x.shape[axis]} along axis {axis} (shape "
                             f"{x.shape}), but the transform has N = {T.n} points; choose "
                             "--axis or --blocks")
        step_axis0 = x.shape[0] if axis == 0 else 1

        def func(c):
            return T.inverse(c, axis=axis) if inverse else T.forward(c, axis=axis)
    probe = np.zeros(T.n, dtype=x.dtype)
    dtype = (T.inverse(probe) if inverse else T(probe)).dtype
    row_bytes = max(1, x[:1].size) * max(x.dtype.itemsize, dtype.itemsize) * 4
    rows = max(step_axis0, (CHUNK_BYTES // row_bytes) // step_axis0 * step_axis0)
    if step_axis0 == x.shape[0] or x.ndim == 1:
        from ..groups._limits import check_bytes

        check_bytes(4.0 * x.size * max(x.dtype.itemsize, dtype.itemsize),
                    f"applying the transform along the first axis of an array of shape {x.shape}")
        rows = x.shape[0]

    def chunks():
        for r0 in range(0, x.shape[0], rows):
            yield np.ascontiguousarray(func(np.asarray(x[r0:r0 + rows])), dtype=dtype)

    return chunks(), dtype


def _write_npy(path, shape, dtype, chunks):
    from .._atomic import write_atomic

    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False,
              "shape": tuple(shape)}

    def write(fh):
        np.lib.format.write_array_header_2_0(fh, header)
        for c in chunks:
            fh.write(c.tobytes())

    write_atomic(path, write)


def run(args):
    try:
        x = np.load(args.data, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"no such file: {args.data!r}") from None
    except (ValueError, OSError, EOFError) as exc:
        raise UsageError(f"cannot read {args.data!r} as a .npy array ({exc})") from None
    if not isinstance(x, np.ndarray):
        if hasattr(x, "close"):
            x.close()
        raise UsageError(f"{args.data!r} is an .npz archive; save one array with numpy.save")
    if x.dtype.kind not in "biufc" or x.ndim == 0:
        raise UsageError(f"{args.data!r} holds {x.dtype} of shape {x.shape}; expected a numeric "
                         "array of at least one dimension")
    if args.blocks is not None and args.axis != -1:
        raise UsageError("--blocks and --axis exclude each other (blocks lie in the last two axes)")
    if args.field != "real" and args.group is None:
        raise UsageError("--field applies to --group (a saved transform has its own field)")
    T, source = _load_transform(args)
    blocks = None if args.blocks is None else _parse_blocks(args.blocks)
    chunks, dtype = apply_to_array(T, x, axis=args.axis, blocks=blocks, inverse=args.inverse)
    _write_npy(args.out, x.shape, dtype, chunks)
    how = f"on {blocks[0]}x{blocks[1]} blocks" if blocks else f"along axis {args.axis}"
    print(f"wrote {args.out}: shape {x.shape}, {np.dtype(dtype).name}; "
          f"{'inverse' if args.inverse else 'forward'} {T.plan.describe()} from {source} {how}")
    return 0
