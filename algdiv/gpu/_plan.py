"""Launch planning for the CUDA Walsh-Hadamard kernels (pure Python: no cupy needed).

A call is turned into a list of :class:`Launch` records (kernel template, grid, block,
dynamic shared memory and the arguments by name, buffers as :class:`Buf` references).
:mod:`algdiv.gpu._launch` runs them with cupy; the host harness in ``tests/gpu`` runs the
same records through the same CTA code on the CPU, so the plan itself is tested without a
device.

Single kernel (``algdiv_wht_rows``) when one row of ``n = m 2^k`` (padded, in the
accumulation type) fits in the device's shared memory per block: float16/bfloat16/float32
up to 2^15 (and e.g. 28 * 2^10), float64 up to 2^14.  Otherwise the multi-pass path:

1. ``algdiv_wht_rows`` on sub-rows of ``2^min(k, 12)`` consecutive elements (pre-sign D
   applied with the row's natural indices through ``sub_per_row``);
2. ``algdiv_wht_cols`` for the remaining index bits, at most 9 per pass (strides 2^12,
   2^21, ...): 2^13..2^21 take one column pass, 2^22..2^30 two;
3. for ``m > 1`` one ``algdiv_wht_cols`` pass with the Paley m-mix at stride 2^k;
4. sequency/dyadic order: one ``algdiv_wht_permute`` pass (after, or before for the inverse).

The norm's scale is fused into the last pass.  Half types take the multi-pass path in
float32 (converted once before and after) so that intermediate sums are never rounded to
16 bits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Buf", "Launch", "DTYPES", "instantiations", "row_name", "col_name", "permute_name",
           "ROWS_ARGS", "COLS_ARGS", "PERMUTE_ARGS", "plan_wht", "plan_itq3s", "single_fits",
           "ORDER_CODES", "ITQ_BLOCK", "ITQ_BLOCK_BYTES", "ITQ_BLOCK_STRIDE"]

# dtype name -> (storage type, accumulation type, bytes of the accumulation type)
DTYPES = {
    "float16": ("algdiv_half", "float", 4),
    "bfloat16": ("algdiv_bf16", "float", 4),
    "float32": ("float", "float", 4),
    "float64": ("double", "double", 8),
}
ROW_LOGE = {"algdiv_half": (3, 4), "algdiv_bf16": (3, 4), "float": (3, 4), "double": (3,)}
COL_LOGE = 3
ORDER_CODES = {"natural": 0, "sequency": 1, "dyadic": 2}
ITQ_BLOCK = 256
ITQ_BLOCK_BYTES = 109        # coded payload of one block
ITQ_BLOCK_STRIDE = 113       # stored block (format version 2): payload + CRC-32
INNER_LOG = 12          # multi-pass: length of the sub-rows of the first pass
COL_MAX_LOG = 9         # multi-pass: at most 2^9 elements along a column pass
COL_W = 16              # multi-pass: columns per block (16 consecutive elements per load run)
CTA_ELEMS = 2048        # target elements per block for short rows
ROWS_MAX_THREADS = 512  # __launch_bounds__ of algdiv_wht_rows (kernels/wht.cu)
SIGN_ROWS = 8           # with generated shared signs: up to 8x CTA_ELEMS per block

# Kernel signatures: (name, kind) in order; kind is "ptr", "i32", "i64", "u64" or "A".
_DIAG = lambda p: [(f"{p}_mode", "i32"), (f"{p}_ptr", "ptr"), (f"{p}_key", "u64"), (f"{p}_off", "u64")]
ROWS_ARGS = ([("in", "ptr"), ("out", "ptr"), ("itq", "ptr"), ("rows", "i64"), ("valid", "i64"),
              ("logp", "i32"), ("m", "i32"), ("rows_per_cta", "i32"), ("order", "i32"),
              ("inverse", "i32"), ("ntrans", "i32"), ("sub_per_row", "i32"), ("scale", "A")]
             + _DIAG("pre") + _DIAG("mid") + _DIAG("post"))
COLS_ARGS = [("in", "ptr"), ("out", "ptr"), ("outer", "i64"), ("S", "i64"), ("L", "i32"),
             ("logl", "i32"), ("W", "i32"), ("inverse", "i32"), ("scale", "A")]
PERMUTE_ARGS = [("in", "ptr"), ("out", "ptr"), ("total", "i64"), ("logn", "i32"), ("order", "i32"),
                ("inverse", "i32")]


def row_name(T, A, loge):
    return f"algdiv_wht_rows<{T}, {A}, {loge}>"


def col_name(T, A, loge=COL_LOGE):
    return f"algdiv_wht_cols<{T}, {A}, {loge}>"


def permute_name(T):
    return f"algdiv_wht_permute<{T}>"


def instantiations():
    """Every kernel template instantiation the library can launch (name expressions)."""
    names = []
    for T, A, _ in DTYPES.values():
        names += [row_name(T, A, e) for e in ROW_LOGE[T]]
    for T, A, _ in DTYPES.values():
        names.append(col_name(T, A))
    for T, _, _ in DTYPES.values():
        names.append(permute_name(T))
    return names


@dataclass(frozen=True)
class Buf:
    """A buffer by role: "in", "out", "itq", "pre", "mid", "post", "tmp" (a scratch array of
    the call's compute dtype and the data's size), or None for a null pointer."""
    name: str


@dataclass
class Launch:
    kernel: str                 # "rows", "cols" or "permute"
    name: str                   # the template instantiation (name expression)
    T: str
    A: str
    grid: int
    block: int
    smem: int
    args: dict = field(default_factory=dict)

    def ordered(self):
        sig = {"rows": ROWS_ARGS, "cols": COLS_ARGS, "permute": PERMUTE_ARGS}[self.kernel]
        return [(k, kind, self.args[k]) for k, kind in sig]


def _split(n):
    """(m, log2 p) with n = m p, m in {1, 12, 20, 28}, or None."""
    if n < 1:
        return None
    p = n & -n
    m = n // p
    if m == 1:
        return 1, p.bit_length() - 1
    if m in (3, 5, 7) and p >= 4:
        return 4 * m, (p // 4).bit_length() - 1
    return None


def _padded(count):
    return count + (count >> 5) + 1


def _round_up(a, b):
    return -(-a // b) * b


def _row_loge(T, logp):
    choices = ROW_LOGE[T]
    return choices[-1] if (len(choices) > 1 and logp >= 10) else choices[0]


def _npass(logp, loge):
    return 1 if logp <= loge else 1 + (logp - 1) // loge


def _row_smem(T, A, asize, loge, n, m, logp, rpc, order, ntrans, itq, nsig=0):
    """Dynamic shared memory of one rows-kernel block (mirrors algdiv_row_cta::smem_bytes)."""
    nph = (1 if nsig else 0) + (1 if itq else 0) + (1 if order else 0) + ntrans * (
        _npass(logp, loge) + (1 if m > 1 else 0))
    if nph == 1:
        return 0
    values = _round_up(_padded(rpc * n) * asize, 16)
    signs = _round_up(nsig * ((n + 31) // 32) * 4, 16)
    return values + signs + (rpc * ITQ_BLOCK_STRIDE if itq else 0)


def single_fits(n, dtype, smem_limit):
    """Whether one row of length n runs in the single-kernel path on a device with
    ``smem_limit`` bytes of shared memory per block."""
    T, A, asize = DTYPES[dtype]
    masks = _round_up(3 * ((n + 31) // 32) * 4, 16)        # room for three sign masks
    return _round_up(_padded(n) * asize, 16) + masks <= smem_limit


def _rows_launch(T, A, asize, *, n, m, logp, rows, order=0, inverse=0, ntrans=1, sub_per_row=1,
                 scale=1.0, pre=None, mid=None, post=None, valid=None, itq=False,
                 src="in", dst="out", smem_cap=48 * 1024):
    loge = _row_loge(T, logp)
    E = 1 << loge
    # generated diagonals shared by all rows become per-block bit masks (single kernel)
    nsig = sum(1 for d, used in ((pre, True), (mid, ntrans == 2), (post, True))
               if used and d is not None and d[0] == "seed" and not d[3] and sub_per_row == 1)
    step = E // math.gcd(n, E)                      # rows_per_cta * n must be a multiple of E
    # with sign masks, up to 4 rows of n <= 4096 share one set (mask cost: n splitmix per block)
    target = max(CTA_ELEMS, min(4 * n, CTA_ELEMS * SIGN_ROWS)) if nsig else CTA_ELEMS
    rpc = max(1, target // n) if n < target else 1
    rpc = _round_up(rpc, step)
    rpc = max(step, min(rpc, _round_up(rows, step)))
    while rpc > step and _row_smem(T, A, asize, loge, n, m, logp, rpc, order, ntrans, itq, nsig) > smem_cap:
        rpc -= step
    groups = rpc * n // E
    threads = min(ROWS_MAX_THREADS, max(32, _round_up(groups, 32)))
    smem = _row_smem(T, A, asize, loge, n, m, logp, rpc, order, ntrans, itq, nsig)
    args = {"in": Buf(None) if itq else Buf(src), "out": Buf(dst), "itq": Buf("itq" if itq else None),
            "rows": rows, "valid": rows * n if valid is None else valid, "logp": logp, "m": m,
            "rows_per_cta": rpc, "order": order, "inverse": int(inverse), "ntrans": ntrans,
            "sub_per_row": sub_per_row, "scale": float(scale)}
    for role, d in (("pre", pre), ("mid", mid), ("post", post)):
        mode, key, off = _diag_args(d)
        args.update({f"{role}_mode": mode, f"{role}_ptr": Buf(role if mode in (1, 2) else None),
                     f"{role}_key": key, f"{role}_off": off})
    return Launch("rows", row_name(T, A, loge), T, A, -(-rows // rpc), threads, smem, args)


def _diag_args(d):
    """A diagonal spec -> (mode, key, offset).  Specs: None; ("vector",); ("full",);
    ("seed", key, offset, per_row)."""
    if d is None:
        return 0, 0, 0
    if d[0] == "vector":
        return 1, 0, 0
    if d[0] == "full":
        return 2, 0, 0
    _, key, off, per_row = d
    return (4 if per_row else 3), int(key), int(off)


def plan_wht(rows, n, dtype, *, smem_limit, order="natural", inverse=False, scale=1.0,
             pre=None, mid=None, post=None, ntrans=1, inner_log=INNER_LOG, col_max_log=COL_MAX_LOG):
    """Launches computing ``out = scale * P (D_post H D_mid) H D_pre in`` row by row.

    ``ntrans=2`` is the fused two-block rotation (single-kernel sizes only; the caller
    chains one-block calls otherwise).  Returns ``(launches, compute_dtype)``; when
    ``compute_dtype`` differs from ``dtype`` (half types on the multi-pass path) the caller
    converts "in" to it first and "out" back after.  The launches may use a scratch buffer
    Buf("tmp") of ``rows * n`` elements of the compute dtype.  ``inner_log`` and
    ``col_max_log`` (tests only) shrink the multi-pass split so it can be checked on small n.
    """
    mk = _split(n)
    if mk is None:
        raise ValueError(f"no WHT kernel for length {n}")
    m, logp = mk
    oc = ORDER_CODES[order]
    if oc and m > 1:
        raise ValueError("orders other than natural need a power-of-2 length")
    T, A, asize = DTYPES[dtype]
    if single_fits(n, dtype, smem_limit):
        return [_rows_launch(T, A, asize, n=n, m=m, logp=logp, rows=rows, order=oc, inverse=inverse,
                             ntrans=ntrans, scale=scale, pre=pre, mid=mid, post=post,
                             smem_cap=max(48 * 1024, smem_limit // 2))], dtype
    if ntrans != 1 or post is not None or mid is not None:
        raise ValueError("the fused two-block rotation needs a single-kernel length")
    cdt = "float32" if A == "float" and T != "float" else dtype
    T, A, asize = DTYPES[cdt]
    launches = []
    src = "in"
    if oc and inverse:                                   # y_nat[perm(k)] = y_ord[k], into tmp
        launches.append(_permute_launch(T, rows * n, logp, oc, True, "in", "tmp"))
        src = "tmp"
    inner = min(logp, inner_log)
    rest = logp - inner
    nchunks = -(-rest // col_max_log) if rest else 0
    chunks = [rest // nchunks + (1 if i < rest % nchunks else 0) for i in range(nchunks)] if nchunks else []
    p = 1 << logp
    sub = m * (p >> inner)
    last_scale = lambda is_last: scale if is_last else 1.0
    only = not chunks and m == 1
    dst = "tmp" if (oc and not inverse) else "out"
    launches.append(_rows_launch(T, A, asize, n=1 << inner, m=1, logp=inner, rows=rows * sub,
                                 sub_per_row=sub, scale=last_scale(only), pre=pre, src=src, dst=dst))
    stride = 1 << inner
    for i, lc in enumerate(chunks):
        L = 1 << lc
        outer = rows * m * p // (stride * L)
        is_last = i == len(chunks) - 1 and m == 1
        launches.append(_cols_launch(T, A, asize, outer=outer, S=stride, L=L, logl=lc, inverse=inverse,
                                     scale=last_scale(is_last), buf=dst))
        stride *= L
    if m > 1:
        launches.append(_cols_launch(T, A, asize, outer=rows, S=p, L=m, logl=-1, inverse=inverse,
                                     scale=scale, buf=dst))
    if oc and not inverse:                               # y_ord[k] = y_nat[perm(k)]
        launches.append(_permute_launch(T, rows * n, logp, oc, False, "tmp", "out"))
    return launches, cdt


def _cols_launch(T, A, asize, *, outer, S, L, logl, inverse, scale, buf):
    W = COL_W
    if S % W:
        raise ValueError(f"column pass needs a stride that is a multiple of {W}, not {S}")
    smem = _round_up(_padded(W * L) * asize, 16)
    args = {"in": Buf(buf), "out": Buf(buf), "outer": outer, "S": S, "L": L, "logl": logl, "W": W,
            "inverse": int(inverse), "scale": float(scale)}
    return Launch("cols", col_name(T, A), T, A, outer * (S // W), 256, smem, args)


def _permute_launch(T, total, logn, order, inverse, src, dst):
    args = {"in": Buf(src), "out": Buf(dst), "total": total, "logn": logn, "order": order,
            "inverse": int(inverse)}
    grid = max(1, min(-(-total // 256), 1 << 20))
    return Launch("permute", permute_name(T), T, "", grid, 256, 0, args)


def plan_itq3s(nblocks, size, dtype):
    """Launch decoding ``nblocks`` stored ITQ3_S blocks (113 bytes apart) into ``size`` weights: w = H y / 16."""
    T, A, asize = DTYPES[dtype]
    return [_rows_launch(T, A, asize, n=ITQ_BLOCK, m=1, logp=8, rows=nblocks, inverse=True,
                         scale=1.0 / 16.0, valid=size, itq=True)]
