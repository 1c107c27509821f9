"""ITQ3_S-style 3-bit weights: FWHT-256 pre-rotation, two-trit 9-level grid, fp16 + 4-bit scales."""
import os
import struct

import numpy as np

from algdiv.transforms import fwht, ifwht

from ._dask import is_dask, itq3s_encode_dask
from ._rtn import _as_weights
from .._atomic import write_atomic

MAGIC = b"ITQ3"
VERSION = 1
BLOCK = 256             # weights per block (one FWHT-256)
SUB = 32                # weights per 4-bit sub-scale
NSUB = BLOCK // SUB
QS_BYTES = 103          # 512 trits, 5 per byte, 3 padding trits
BLOCK_BYTES = 2 + NSUB // 2 + QS_BYTES     # 109
_POW3 = np.array([1, 3, 9, 27, 81], dtype=np.uint8)


def _header(shape, nblocks):
    return (MAGIC + struct.pack("<HHB3x", VERSION, BLOCK, len(shape))
            + struct.pack(f"<{len(shape)}Q", *shape) + struct.pack("<Q", nblocks))


def _pack_blocks(d16, s4, q):
    """(nb,) float16, (nb, 8) uint8 in 0..15, (nb, 256) int in -4..4 -> (nb, 109) uint8."""
    nb = q.shape[0]
    q = q.astype(np.int8)
    hi = np.rint(q / 3.0).astype(np.int8)          # balanced ternary: q = 3 hi + lo
    lo = q - 3 * hi
    digits = np.full((nb, 5 * QS_BYTES), 1, dtype=np.uint8)   # digit = trit + 1; pad trit 0
    digits[:, :BLOCK] = hi + 1
    digits[:, BLOCK:2 * BLOCK] = lo + 1
    qs = (digits.reshape(nb, QS_BYTES, 5) * _POW3).sum(axis=-1, dtype=np.uint16).astype(np.uint8)
    sc = (s4[:, 0::2] & 0xF) | ((s4[:, 1::2] & 0xF) << 4)
    out = np.empty((nb, BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = d16.astype("<f2").view(np.uint8).reshape(nb, 2)
    out[:, 2:2 + NSUB // 2] = sc
    out[:, 2 + NSUB // 2:] = qs
    return out


def _unpack_blocks(raw):
    """Inverse of :func:`_pack_blocks`."""
    nb = raw.shape[0]
    d16 = np.ascontiguousarray(raw[:, :2]).view("<f2").reshape(nb)
    sc = raw[:, 2:2 + NSUB // 2]
    s4 = np.empty((nb, NSUB), dtype=np.uint8)
    s4[:, 0::2] = sc & 0xF
    s4[:, 1::2] = sc >> 4
    qs = raw[:, 2 + NSUB // 2:].astype(np.int16)
    digits = np.empty((nb, QS_BYTES, 5), dtype=np.int16)
    for k in range(5):
        digits[:, :, k] = qs % 3
        qs = qs // 3
    digits = digits.reshape(nb, -1)
    q = 3 * (digits[:, :BLOCK] - 1) + (digits[:, BLOCK:2 * BLOCK] - 1)
    return d16, s4, q.astype(np.int8)


def _rotated_values(d16, s4, q):
    sc = d16.astype(np.float64)[:, None] * (2.0 * s4 + 1.0)           # (nb, 8)
    return (q.reshape(-1, NSUB, SUB) * sc[:, :, None]).reshape(-1, BLOCK)


class ITQ3SPacked:
    """A packed ITQ3_S-style tensor: header + 109-byte blocks (see ``docs/quant.md``).

    Attributes
    ----------
    shape : tuple of int
        Shape of the encoded array.
    buffer : bytes
        The whole serialized object (header and blocks), little-endian.
    nbytes : int
        ``len(buffer)``.
    bits_per_weight : float
        ``8 * nbytes / size``: codes, scales, header and padding all counted.
    """

    def __init__(self, buffer):
        buf = bytes(buffer)
        if len(buf) < 12 or buf[:4] != MAGIC:
            raise ValueError("Argument 'buffer' is not an ITQ3 buffer (bad magic).")
        version, block, ndim = struct.unpack_from("<HHB", buf, 4)
        if version != VERSION:
            raise ValueError(f"Unsupported ITQ3 version {version}; this reader handles {VERSION}.")
        if block != BLOCK:
            raise ValueError(f"Unsupported ITQ3 block size {block}; expected {BLOCK}.")
        hlen = 12 + 8 * ndim + 8
        if len(buf) < hlen:
            raise ValueError("Argument 'buffer' is truncated (header).")
        shape = struct.unpack_from(f"<{ndim}Q", buf, 12)
        (nblocks,) = struct.unpack_from("<Q", buf, 12 + 8 * ndim)
        size = int(np.prod(shape, dtype=np.int64))
        if nblocks != -(-size // BLOCK):
            raise ValueError(f"ITQ3 header inconsistent: {nblocks} blocks for shape {shape}.")
        if len(buf) != hlen + nblocks * BLOCK_BYTES:
            raise ValueError(f"Argument 'buffer' has {len(buf)} bytes; the header implies "
                             f"{hlen + nblocks * BLOCK_BYTES}.")
        self.buffer, self.shape, self.nblocks, self.header_bytes = buf, tuple(shape), nblocks, hlen

    @property
    def nbytes(self):
        return len(self.buffer)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def bits_per_weight(self):
        return 8.0 * self.nbytes / self.size

    def __repr__(self):
        return (f"ITQ3SPacked(shape={self.shape}, nbytes={self.nbytes}, "
                f"bits_per_weight={self.bits_per_weight:.4f})")

    def blocks(self):
        """(nblocks, 109) uint8 view of the block area."""
        return np.frombuffer(self.buffer, dtype=np.uint8, offset=self.header_bytes).reshape(
            self.nblocks, BLOCK_BYTES)

    def codes(self):
        """Unpacked fields ``(d: float16 (nb,), s4: uint8 (nb, 8), q: int8 (nb, 256))``."""
        return _unpack_blocks(self.blocks())

    def rotated(self):
        """Dequantized blocks in the rotated (FWHT) domain, (nb, 256) float64."""
        return _rotated_values(*self.codes())

    def to_bytes(self):
        return self.buffer

    def save(self, path):
        """Write to ``path`` atomically (temporary file in the same folder + os.replace)."""
        write_atomic(path, lambda fh: fh.write(self.buffer))

    @classmethod
    def load(cls, path):
        with open(os.fspath(path), "rb") as f:
            return cls(f.read())


def itq3s_encode(w):
    r"""Encode weights in the ITQ3_S-style 3-bit format (FWHT-256 + two-trit grid).

    The array is flattened (C order) and zero-padded to a multiple of 256.
    Each block of 256 is rotated by the orthonormal FWHT, :math:`y = H w/16`,
    then coded as :math:`\hat y_i = d\,(2 s_j + 1)\, q_i` with an fp16
    super-scale :math:`d`, one 4-bit sub-scale :math:`s_j \in \{0..15\}` per 32
    weights (chosen by exhaustive MSE search) and
    :math:`q_i = 3 t_1 + t_0 \in \{-4, \dots, 4\}` two balanced trits.

    Parameters
    ----------
    w : array_like
        Real, finite weights of any shape (size >= 1).  Not modified.

    A ``dask.array.Array`` ``w`` is coded chunk by chunk on the active dask
    scheduler and gives the same bytes as the in-memory array.

    Returns
    -------
    ITQ3SPacked
        With ``.nbytes``, ``.bits_per_weight`` (3.40625 for the blocks
        alone: 2 + 4 + 103 bytes per 256 weights, plus the header),
        ``.save``, ``.codes``.

    Raises
    ------
    ValueError
        NaN/inf entries, an empty array, or blocks too large for the fp16
        super-scale (``max|H w/16| > 65504 * 124``).

    Notes
    -----
    The rotation is an isometry, so the reconstruction error equals the grid
    error in the rotated domain:
    :math:`\|\hat w - w\|_2 = \|\hat y - y\|_2`.
    Format and byte layout: ``docs/quant.md`` (version 1).  The trit packing
    (5 trits per byte) is our reconstruction; the paper's exact layout is
    unpublished.

    References
    ----------
    E. J. Yoon, ITQ3_S, arXiv:2603.27914 (2026); llama.cpp IQ3_S
    (``block_iq3_s``) for the scale hierarchy.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import itq3s_encode, itq3s_decode
    >>> w = np.random.default_rng(0).standard_normal((4, 256))
    >>> p = itq3s_encode(w)
    >>> p.nbytes, round(p.bits_per_weight, 4)
    (472, 3.6875)
    >>> e = np.sum((itq3s_decode(p) - w) ** 2) / np.sum(w ** 2)
    >>> bool(e < 0.03)
    True
    """
    if is_dask(w):
        raw = itq3s_encode_dask(w)
        return ITQ3SPacked(_header(w.shape, raw.shape[0]) + raw.tobytes())
    a = _as_weights(w)
    if a.size == 0:
        raise ValueError("Argument 'w' must not be empty.")
    flat = a.astype(np.float64).ravel()
    nb = -(-flat.size // BLOCK)
    blocks = np.zeros((nb, BLOCK))
    blocks.ravel()[:flat.size] = flat
    raw = _encode_blocks(blocks)
    return ITQ3SPacked(_header(a.shape, nb) + raw.tobytes())


def _encode_blocks(blocks):
    """(nb, 256) float64 weights -> (nb, 109) uint8 codes (the format of :func:`itq3s_encode`)."""
    if not np.all(np.isfinite(blocks)):
        raise ValueError("Argument 'w' must be finite; it holds NaN or inf.")
    nb = blocks.shape[0]
    y = fwht(blocks, axis=-1, norm="ortho")
    amax = np.max(np.abs(y), axis=-1)
    d = amax / (4.0 * 31.0)
    if np.any(d > np.finfo(np.float16).max):
        raise ValueError("Argument 'w' has blocks too large for the fp16 super-scale "
                         f"(max |FWHT| {amax.max():.3g} > {65504 * 124:.3g}); rescale it.")
    d16 = d.astype(np.float16)
    # fp16 rounding may shrink d: nudge up one ulp so 31 d still covers the block max
    low = d16.astype(np.float64) < d
    d16[low] = np.nextafter(d16[low], np.float16(np.inf))
    df = d16.astype(np.float64)
    ys = y.reshape(nb, NSUB, SUB)
    best_err = np.full((nb, NSUB), np.inf)
    s4 = np.zeros((nb, NSUB), dtype=np.uint8)
    q = np.zeros((nb, NSUB, SUB), dtype=np.int8)
    safe = np.where(df > 0, df, 1.0)[:, None, None]
    for s in range(16):
        sc = safe * (2 * s + 1)
        qs = np.clip(np.rint(ys / sc), -4, 4)
        err = np.sum((qs * sc - ys) ** 2, axis=-1)
        take = err < best_err
        best_err = np.where(take, err, best_err)
        s4[take] = s
        q[take] = qs[take]
    q[df == 0] = 0
    return _pack_blocks(d16, s4, q.reshape(nb, BLOCK))


def itq3s_decode(packed, dtype=np.float64):
    r"""Dequantize an :class:`ITQ3SPacked` (or its bytes): :math:`\hat w = H \hat y / 16` per block.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import itq3s_encode, itq3s_decode
    >>> itq3s_decode(itq3s_encode(np.zeros((2, 3)))).shape
    (2, 3)
    """
    if isinstance(packed, (bytes, bytearray, memoryview)):
        packed = ITQ3SPacked(packed)
    if not isinstance(packed, ITQ3SPacked):
        raise TypeError(f"Argument 'packed' must be ITQ3SPacked or bytes, not {type(packed).__name__}.")
    w = ifwht(packed.rotated(), axis=-1, norm="ortho").ravel()[:packed.size]
    return w.reshape(packed.shape).astype(dtype, copy=False)


def itq3s_load(path):
    """Read an :class:`ITQ3SPacked` saved with :meth:`ITQ3SPacked.save`."""
    return ITQ3SPacked.load(path)
