"""ITQ3_S-style 3-bit weights: FWHT-256 pre-rotation, two-trit 9-level grid, fp16 + 4-bit scales.

File format version 2 adds a CRC-32 to the header and to every block; version 1 is still read.
"""
import math
import os
import struct
import zlib

import numpy as np

from algdiv.transforms import fwht, ifwht

from ._dask import is_dask, itq3s_encode_dask
from ._rtn import _as_weights
from .._atomic import write_atomic

MAGIC = b"ITQ3"
VERSION = 2             # written; versions 1 and 2 are read
VERSIONS = (1, 2)
BLOCK = 256             # weights per block (one FWHT-256)
SUB = 32                # weights per 4-bit sub-scale
NSUB = BLOCK // SUB
QS_BYTES = 103          # 512 trits, 5 per byte, 3 padding trits
QS_OFFSET = 2 + NSUB // 2
BLOCK_BYTES = QS_OFFSET + QS_BYTES      # 109: the coded payload of one block
CRC_BYTES = 4
#: bytes per stored block: the payload, then (version 2) its CRC-32
BLOCK_STRIDE = {1: BLOCK_BYTES, 2: BLOCK_BYTES + CRC_BYTES}
_POW3 = np.array([1, 3, 9, 27, 81], dtype=np.uint8)
_TRIT_MAX = 242                         # 3**5 - 1: five base-3 digits
_PAD_HIGH = 13                          # last trit byte // 9: its three padding digits are 1 (1 + 3 + 9)
_ZERO_TRITS = 121                       # a byte of five zero trits (digits 1)


def _header(shape, nblocks, version=VERSION):
    """Header bytes; version 2 ends with the CRC-32 of the bytes before it."""
    head = (MAGIC + struct.pack("<HHB3x", version, BLOCK, len(shape))
            + struct.pack(f"<{len(shape)}Q", *shape) + struct.pack("<Q", nblocks))
    if version >= 2:
        head += struct.pack("<I", zlib.crc32(head))
    return head


def _with_crc(payload):
    """(nb, 109) uint8 block payloads -> (nb, 113) version-2 stored blocks (payload + CRC-32 LE)."""
    nb = payload.shape[0]
    out = np.empty((nb, BLOCK_STRIDE[2]), dtype=np.uint8)
    out[:, :BLOCK_BYTES] = payload
    out[:, BLOCK_BYTES:] = block_crcs(payload).astype("<u4").view(np.uint8).reshape(nb, CRC_BYTES)
    return out


def _crc_table():
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table[i] = c
    return table


_CRC_TABLE = _crc_table()


def block_crcs(payload, xp=np):
    """CRC-32 (IEEE 802.3, as :func:`zlib.crc32`) of each row of a (nb, 109) uint8 array.

    With ``xp`` numpy each row goes through zlib; any other array module (cupy)
    runs the byte-at-a-time table recurrence on all rows at once:
    ``c <- T[(c ^ byte) & 0xFF] ^ (c >> 8)`` from ``c = 0xFFFFFFFF``, result ``~c``.
    """
    if xp is np:
        rows = np.ascontiguousarray(payload)
        return np.fromiter((zlib.crc32(r) for r in rows), dtype=np.uint32, count=rows.shape[0])
    table = xp.asarray(_CRC_TABLE)
    cols = xp.ascontiguousarray(payload.T).astype(xp.uint32)
    c = xp.full(payload.shape[0], 0xFFFFFFFF, dtype=xp.uint32)
    for i in range(payload.shape[1]):
        c = table[(c ^ cols[i]) & 0xFF] ^ (c >> 8)
    return c ^ xp.uint32(0xFFFFFFFF)


def block_fault(stored, version, xp=np, first=0):
    """Check every field of stored blocks; ``None`` or a message naming the first bad block and field.

    Parameters
    ----------
    stored : (nb, 109) or (nb, 113) uint8 array (numpy or cupy)
        Stored blocks of ``version`` 1 or 2 (version 2 ends each block with the
        CRC-32 of its 109-byte payload, little-endian).
    first : int
        Index of ``stored[0]`` in the file, for the message.

    Checks, per block: the CRC-32 (version 2), the fp16 super-scale finite and
    > 0 (or +0 with all codes zero, the code of an all-zero block), every trit
    byte <= 242, and the three padding digits of the last trit byte equal to 1.
    """
    nb = stored.shape[0]
    if nb == 0:
        return None
    payload = stored[:, :BLOCK_BYTES]
    faults = []
    if version >= 2:
        want = stored[:, BLOCK_BYTES:BLOCK_STRIDE[2]].astype(xp.uint32)
        want = want[:, 0] | (want[:, 1] << 8) | (want[:, 2] << 16) | (want[:, 3] << 24)
        got = block_crcs(payload, xp)
        faults.append((want != got, lambda b: (
            f"CRC-32 mismatch (stored 0x{int(want[b]):08x}, computed 0x{int(got[b]):08x}): "
            "the block's bytes are corrupted")))
    u16 = payload[:, 0].astype(xp.uint16) | (payload[:, 1].astype(xp.uint16) << 8)
    d = u16.view(xp.float16)
    faults.append(((u16 & 0x7C00) == 0x7C00, lambda b: f"super-scale d is {float(d[b])} (must be finite)"))
    faults.append(((u16 & 0x8000) != 0, lambda b: f"super-scale d is {float(d[b])} (must be > 0)"))
    qs = payload[:, QS_OFFSET:]
    over = qs > _TRIT_MAX
    faults.append((xp.any(over, axis=1), lambda b: (
        f"trit byte {int(xp.argmax(over[b]))} is {int(qs[b, int(xp.argmax(over[b]))])} (must be <= 242)")))
    faults.append(((qs[:, -1] // 9) != _PAD_HIGH, lambda b: (
        f"padding digits of the last trit byte ({int(qs[b, -1])}) are not all 1 "
        f"(the byte must be in [117, 125])")))
    nonzero = xp.any(payload[:, 2:QS_OFFSET] != 0, axis=1) | xp.any(qs != _ZERO_TRITS, axis=1)
    faults.append(((u16 == 0) & nonzero, lambda b: "super-scale d is 0 but the codes are not all zero"))
    bad = faults[0][0]
    for mask, _ in faults[1:]:
        bad = bad | mask
    if not bool(xp.any(bad)):
        return None
    b = int(xp.argmax(bad))
    for mask, text in faults:
        if bool(mask[b]):
            return f"ITQ3 block {first + b}: {text(b)}."
    return None  # pragma: no cover - some mask is set at b


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
    """A packed ITQ3_S-style tensor: header + coded blocks (byte layout in ``docs/quant.md``).

    Construction from bytes checks every field: magic, version (1 or 2), block
    size, the reserved header bytes (zero), the header CRC-32 (version 2), a
    shape of positive lengths consistent with the block count and the buffer
    length, and in every block the CRC-32 (version 2), a finite positive fp16
    super-scale, trit bytes <= 242 and the padding digits.  A buffer failing any
    check raises :class:`ValueError` naming the field (and the block).

    Attributes
    ----------
    shape : tuple of int
        Shape of the encoded array.
    version : int
        Format version of the buffer (2 is written; 1 is still read).
    buffer : bytes
        The whole serialized object (header and blocks), little-endian.
    nbytes : int
        ``len(buffer)``.
    bits_per_weight : float
        ``8 * nbytes / size``: codes, scales, checksums, header and padding all counted.
    """

    def __init__(self, buffer):
        if not isinstance(buffer, (bytes, bytearray, memoryview)):
            raise TypeError(f"Argument 'buffer' must be bytes, not {type(buffer).__name__}.")
        buf = bytes(buffer)
        version, shape, nblocks, hlen = _parse_header(buf)
        stride = BLOCK_STRIDE[version]
        if len(buf) != hlen + nblocks * stride:
            raise ValueError(f"Argument 'buffer' has {len(buf)} bytes; the ITQ3 v{version} header "
                             f"implies {hlen + nblocks * stride} ({nblocks} blocks of {stride}).")
        self._set(buf, version, shape, nblocks, hlen)
        fault = block_fault(self.stored_blocks(), version)
        if fault:
            raise ValueError(fault)

    def _set(self, buf, version, shape, nblocks, hlen):
        self.buffer, self.version, self.shape = buf, version, tuple(shape)
        self.nblocks, self.header_bytes = nblocks, hlen

    @classmethod
    def _trusted(cls, shape, stored):
        """A version-2 object from freshly encoded (nb, 113) blocks (no re-check)."""
        obj = cls.__new__(cls)
        head = _header(shape, stored.shape[0])
        obj._set(head + stored.tobytes(), VERSION, shape, stored.shape[0], len(head))
        return obj

    @property
    def nbytes(self):
        return len(self.buffer)

    @property
    def size(self):
        return math.prod(self.shape)

    @property
    def block_stride(self):
        """Bytes per stored block: 113 (version 2, payload + CRC-32) or 109 (version 1)."""
        return BLOCK_STRIDE[self.version]

    @property
    def bits_per_weight(self):
        return 8.0 * self.nbytes / self.size

    def __repr__(self):
        return (f"ITQ3SPacked(shape={self.shape}, version={self.version}, nbytes={self.nbytes}, "
                f"bits_per_weight={self.bits_per_weight:.4f})")

    def stored_blocks(self):
        """(nblocks, block_stride) uint8 view of the block area, checksums included."""
        return np.frombuffer(self.buffer, dtype=np.uint8, offset=self.header_bytes).reshape(
            self.nblocks, self.block_stride)

    def blocks(self):
        """(nblocks, 109) uint8 view of the coded payloads (without the CRC-32 of version 2)."""
        return self.stored_blocks()[:, :BLOCK_BYTES]

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
        """Read and check a file written by :meth:`save` (version 1 or 2)."""
        with open(os.fspath(path), "rb") as f:
            return cls(f.read())


def _parse_header(buf):
    """(version, shape, nblocks, header length) of an ITQ3 buffer, every header field checked."""
    if len(buf) < 12 or buf[:4] != MAGIC:
        raise ValueError("Argument 'buffer' is not an ITQ3 buffer (bad magic).")
    version, block, ndim = struct.unpack_from("<HHB", buf, 4)
    if version not in VERSIONS:
        raise ValueError(f"Unsupported ITQ3 version {version}; this reader handles versions 1 and 2.")
    if block != BLOCK:
        raise ValueError(f"Unsupported ITQ3 block size {block}; expected {BLOCK}.")
    hlen = 12 + 8 * ndim + 8 + (4 if version >= 2 else 0)
    if len(buf) < hlen:
        raise ValueError(f"Argument 'buffer' is truncated: {len(buf)} bytes, shorter than the "
                         f"{hlen}-byte ITQ3 v{version} header.")
    if version >= 2:
        (stored,) = struct.unpack_from("<I", buf, hlen - 4)
        computed = zlib.crc32(buf[:hlen - 4])
        if stored != computed:
            raise ValueError(f"ITQ3 header CRC-32 mismatch (stored 0x{stored:08x}, computed "
                             f"0x{computed:08x}): the header is corrupted.")
    if buf[9:12] != bytes(3):
        raise ValueError(f"ITQ3 header: reserved bytes 9-11 must be zero, not {buf[9:12].hex()}.")
    if ndim < 1:
        raise ValueError("ITQ3 header: ndim must be >= 1, not 0.")
    shape = struct.unpack_from(f"<{ndim}Q", buf, 12)
    (nblocks,) = struct.unpack_from("<Q", buf, 12 + 8 * ndim)
    if min(shape) < 1:
        raise ValueError(f"ITQ3 header: every length of the shape must be >= 1, not {shape}.")
    size = math.prod(shape)
    if nblocks != -(-size // BLOCK):
        raise ValueError(f"ITQ3 header inconsistent: {nblocks} blocks for shape {shape} "
                         f"({size} weights need {-(-size // BLOCK)}).")
    return version, shape, nblocks, hlen


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
        Format version 2, with ``.nbytes``, ``.bits_per_weight`` (3.53125
        for the blocks alone: 2 + 4 + 103 bytes of codes and a 4-byte CRC-32
        per 256 weights, plus the header), ``.save``, ``.codes``.

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
    Format and byte layout: ``docs/quant.md`` (version 2).  The trit packing
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
    (492, 3.8438)
    >>> e = np.sum((itq3s_decode(p) - w) ** 2) / np.sum(w ** 2)
    >>> bool(e < 0.03)
    True
    """
    if is_dask(w):
        return ITQ3SPacked._trusted(tuple(int(n) for n in w.shape), itq3s_encode_dask(w))
    a = _as_weights(w)
    if a.size == 0:
        raise ValueError("Argument 'w' must not be empty.")
    flat = a.astype(np.float64).ravel()
    nb = -(-flat.size // BLOCK)
    blocks = np.zeros((nb, BLOCK))
    blocks.ravel()[:flat.size] = flat
    return ITQ3SPacked._trusted(a.shape, _with_crc(_encode_blocks(blocks)))


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

    Parameters
    ----------
    packed : ITQ3SPacked or bytes
        Bytes are parsed and checked as :class:`ITQ3SPacked` does (versions
        1 and 2; a corrupted buffer is a ``ValueError`` naming the field).
    dtype : float dtype
        float16, float32 or float64 (the default) for the result.

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
    dt = result_dtype(dtype)
    w = ifwht(packed.rotated(), axis=-1, norm="ortho").ravel()[:packed.size]
    return w.reshape(packed.shape).astype(dt, copy=False)


def result_dtype(dtype):
    """The decoded weights' dtype: float16, float32 or float64 (``TypeError`` otherwise)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"Argument 'dtype' must be a float dtype, not {dtype!r}.") from None
    if dt.kind != "f" or dt.itemsize > 8:
        raise TypeError(f"Argument 'dtype' must be float16, float32 or float64, not {dt}.")
    return dt


def read_header(path):
    """``(version, shape, nblocks, header length)`` of an ITQ3 file, reading and checking the header only.

    The file length must equal ``header + stride * nblocks``; the blocks are not read.
    """
    with open(os.fspath(path), "rb") as f:
        head = f.read(12)
        ndim = head[8] if len(head) > 8 else 0
        head += f.read(8 * ndim + 8 + 4)
        size = os.fstat(f.fileno()).st_size
    version, shape, nblocks, hlen = _parse_header(head)
    want = hlen + nblocks * BLOCK_STRIDE[version]
    if size != want:
        raise ValueError(f"ITQ3 file {os.fspath(path)!r} has {size} bytes; the v{version} header "
                         f"implies {want} ({nblocks} blocks of {BLOCK_STRIDE[version]}).")
    return version, shape, nblocks, hlen


def read_blocks(path, version, hlen, start, stop):
    """Stored blocks ``start:stop`` of an ITQ3 file, checked with :func:`block_fault`."""
    stride = BLOCK_STRIDE[version]
    with open(os.fspath(path), "rb") as f:
        f.seek(hlen + start * stride)
        raw = f.read((stop - start) * stride)
    if len(raw) != (stop - start) * stride:
        raise ValueError(f"ITQ3 file {os.fspath(path)!r} ends inside block {start + len(raw) // stride}.")
    stored = np.frombuffer(raw, dtype=np.uint8).reshape(stop - start, stride)
    fault = block_fault(stored, version, first=start)
    if fault:
        raise ValueError(fault)
    return stored


def decode_stored(stored):
    """Weights of checked stored blocks, flat ``(nb * 256,)`` float64: ``H y / 16`` per block."""
    y = _rotated_values(*_unpack_blocks(stored[:, :BLOCK_BYTES]))
    return ifwht(y, axis=-1, norm="ortho").ravel()


def itq3s_load(path):
    """Read and check an :class:`ITQ3SPacked` saved with :meth:`ITQ3SPacked.save` (version 1 or 2)."""
    return ITQ3SPacked.load(path)
