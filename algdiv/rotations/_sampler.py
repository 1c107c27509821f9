"""Monte Carlo over the rotation itself: fresh sign diagonals for every sample."""
from __future__ import annotations

import numpy as np

from ..transforms import hd, rademacher
from ._operator import as_seed
from ..groups._limits import check_bytes
from ._validate import as_positive_int, as_unit_input

__all__ = ["sample_structured", "mc_stream", "chunk_rows", "batch_size", "batch_bounds", "batch_seed",
           "sample_batched", "check_client"]

# Monte Carlo streams: samples are grouped in chunks of chunk_rows(d) rows;
# block j of chunk c uses stream mc_stream(j, c), and row r of the chunk the
# flat indices r*d .. r*d + d - 1 of that stream, which is exactly what
# hd(x_chunk, seed=seed, stream=mc_stream(j, c), per_row=True) draws. Sample n
# therefore gets the same signs whatever the batch it is computed in, and whole
# chunks go through the seeded kernel. The streams sit far above the
# operator's streams 0..blocks-1 of structured_rotation.
_MAX_CHUNK = 256
_CHUNK_ELEMENTS = 1 << 22          # 32 MB of float64 per chunk at most
_STREAM_BASE = 1 << 63
_CHUNK_BITS = 40


def chunk_rows(d):
    """Samples per chunk of the sampler's stream layout: ``min(256, max(1, 2^22 // d))``."""
    return min(_MAX_CHUNK, max(1, _CHUNK_ELEMENTS // int(d)))


def mc_stream(block, chunk):
    """Stream of the sign generator for block ``block`` of chunk ``chunk``: ``2^63 + block 2^40 + chunk``."""
    return _STREAM_BASE + (int(block) << _CHUNK_BITS) + int(chunk)


def _hadamard_row(i, d):
    j = np.arange(d, dtype=np.uint64) & np.uint64(i)
    parity = np.zeros(d, dtype=np.uint64)
    while np.any(j):
        parity ^= j & np.uint64(1)
        j >>= np.uint64(1)
    return 1.0 - 2.0 * parity.astype(np.float64)


def sample_structured(u, samples, *, blocks=2, coordinate=0, seed=None, start=0, omit_diagonal=(),
                      progress=None):
    r"""Samples of :math:`T(u)` (or one coordinate) with fresh signs for every sample.

    Draws ``samples`` independent copies of :math:`T = d^{-b/2}(HD_b)\cdots(HD_1)`
    and returns :math:`T(u)_i` (or the whole vector). The blocks run through
    the fused seeded kernel :func:`algdiv.transforms.hd` (``per_row=True``); for
    a single coordinate the last block needs only row ``i`` of ``H``, an
    :math:`O(d)` dot product with fresh signs, instead of a full transform.

    **Streams.** Samples are grouped in chunks of ``c =``
    :func:`chunk_rows` ``(d)`` (256 for ``d <= 2^14``); block ``j`` of sample
    ``n`` uses the flat indices ``(n % c)*d .. (n % c)*d + d - 1`` of stream
    :func:`mc_stream` ``(j, n // c)`` of
    :func:`algdiv.transforms.rademacher`. The numbers therefore depend only on
    ``(seed, n)``: ``start=s`` continues a run at sample ``s``, so a run can be
    split over calls, processes or machines and gives the same numbers, bit
    for bit (a chunk is always computed whole, so every sample goes through
    the same kernel calls; a call for a few samples costs one chunk).

    Parameters
    ----------
    u : array_like
        Input vector, length ``d`` a power of 2, nonzero (not normalised).
    samples : int
        Number of samples, >= 1.
    blocks : int, optional
        Number of ``H D`` blocks, >= 1 (default 2).
    coordinate : int or None, optional
        Which coordinate to return (default 0); ``None`` returns whole vectors.
    seed : int or None, optional
        Generator seed; ``None`` draws one (not reproducible).
    start : int, optional
        Index of the first sample (default 0).
    omit_diagonal : iterable of int, optional
        Blocks (0-based) whose diagonal is replaced by the identity: the
        "missing diagonal" negative control of :func:`verify`.
    progress : callable or None, optional
        Called as ``progress(n)`` after each chunk, with the ``n`` samples it added.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(samples,)`` or ``(samples, d)``.

    Raises
    ------
    ValueError
        If ``u`` is zero, not finite or not of power-of-2 length, or
        ``samples < 1``, ``blocks < 1``, ``coordinate`` out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations import sample_structured
    >>> u = np.eye(16)[0]
    >>> x = sample_structured(u, 1000, seed=1)
    >>> np.unique(np.round(x * 16)).size <= 17     # d T(e_0)_0: integers of the parity of d
    True
    >>> tail = sample_structured(u, 700, seed=1, start=300)
    >>> np.array_equal(x, np.concatenate([sample_structured(u, 300, seed=1), tail]))
    True
    """
    u = as_unit_input(u)
    d = u.shape[0]
    samples = as_positive_int(samples, "samples")
    blocks = as_positive_int(blocks, "blocks")
    start = as_positive_int(start, "start", minimum=0)
    seed = as_seed(seed)
    try:
        omit = {as_positive_int(j, "omit_diagonal", minimum=0) for j in omit_diagonal}
    except TypeError as exc:
        if "omit_diagonal" in str(exc):
            raise
        raise TypeError(f"Argument 'omit_diagonal' must be a sequence of block indices, "
                        f"not {type(omit_diagonal).__name__}.") from None
    if any(not 0 <= j < blocks for j in omit):
        raise ValueError(f"Argument 'omit_diagonal' must hold block indices in [0, {blocks}), not {sorted(omit)}.")
    if coordinate is not None:
        coordinate = as_positive_int(coordinate, "coordinate", minimum=0)
        if coordinate >= d:
            raise ValueError(f"Argument 'coordinate' must be < d = {d}, not {coordinate}.")
    rows = chunk_rows(d)
    check_bytes(8 * samples * (d if coordinate is None else 1) + 40 * rows * d,
                f"{samples} structured-rotation samples in d = {d}")
    if (start + samples - 1) // rows >= 1 << _CHUNK_BITS or blocks > 1 << (63 - _CHUNK_BITS):
        raise ValueError(f"Arguments 'start' + 'samples' ({start + samples}) or 'blocks' ({blocks}) exceed "
                         "the stream layout (2^40 chunks, 2^23 blocks).")
    scale = d ** (-0.5 * blocks)
    row = None if coordinate is None else _hadamard_row(coordinate, d)
    row_i8 = None if not coordinate else row.astype(np.int8)
    ones = np.ones(d, dtype=np.int8)
    full = blocks if coordinate is None else blocks - 1      # blocks done by a full transform
    out = np.empty((samples,) if coordinate is not None else (samples, d))
    stop = start + samples
    base = np.ascontiguousarray(np.broadcast_to(u, (rows, d)))
    for chunk in range(start // rows, (stop - 1) // rows + 1):
        # Always a whole chunk, even when only part of it is asked for: every
        # sample then goes through the very same kernel calls, so the numbers
        # are bit-identical for any split of a run.
        x = base
        for j in range(blocks):
            stream = mc_stream(j, chunk)
            if j >= full:                                     # last block, one coordinate only
                if j in omit:
                    y = x @ row
                else:
                    eps = rademacher(seed, (rows, d), stream)
                    if row_i8 is not None:
                        eps *= row_i8                         # H_ij eps_j, still +-1 in int8
                    y = np.einsum("ij,ij->i", x, eps)
            elif j in omit:
                x = hd(x, signs=ones, norm="backward")
            else:
                x = hd(x, seed=seed, stream=stream, per_row=True, norm="backward")
        if coordinate is None:
            y = x
        lo, hi = max(start, chunk * rows), min(stop, (chunk + 1) * rows)
        out[lo - start:hi - start] = y[lo - chunk * rows:hi - chunk * rows] * scale
        if progress is not None:
            progress(hi - lo)
    return out


# -- batches: the unit of work of a Monte Carlo run, in memory or on dask ------------------

_BATCH_CHUNKS = 256                # default batch: 256 sampler chunks (65536 samples for d <= 2^14)


def batch_size(d):
    """Default samples per batch for dimension ``d``: ``256 *`` :func:`chunk_rows` ``(d)``.

    A whole number of sampler chunks, so batches never share a chunk.
    """
    return _BATCH_CHUNKS * chunk_rows(d)


def batch_bounds(samples, batch):
    """``[(start, count), ...]`` covering ``0 .. samples - 1`` in batches of ``batch`` (the last shorter).

    Examples
    --------
    >>> from algdiv.rotations._sampler import batch_bounds
    >>> batch_bounds(10, 4)
    [(0, 4), (4, 4), (8, 2)]
    """
    samples = as_positive_int(samples, "samples")
    batch = as_positive_int(batch, "batch")
    return [(s, min(batch, samples - s)) for s in range(0, samples, batch)]


def batch_seed(seed, index):
    """The ``numpy.random.SeedSequence`` of batch ``index``: child ``index`` of ``SeedSequence(seed).spawn``.

    Child ``i`` of a spawn does not depend on how many children are spawned,
    so batch ``i`` has the same stream in any run.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations._sampler import batch_seed
    >>> batch_seed(7, 2).generate_state(2).tolist() == np.random.SeedSequence(7).spawn(3)[2].generate_state(2).tolist()
    True
    """
    return np.random.SeedSequence(as_seed(seed), spawn_key=(int(index),))


def check_client(client):
    """``None``, ``"threads"`` or a running ``dask.distributed.Client``; else a clear error."""
    if client is None or (isinstance(client, str) and client == "threads"):
        return client
    if isinstance(client, str):
        raise ValueError(f"Argument 'client' must be None, 'threads' or a dask.distributed.Client, "
                         f"not {client!r}.")
    if not (hasattr(client, "submit") and hasattr(client, "gather") and hasattr(client, "status")):
        raise TypeError(f"Argument 'client' must be None, 'threads' or a dask.distributed.Client, "
                        f"not {type(client).__name__}.")
    status = getattr(client.status, "value", client.status)
    if status != "running":
        raise ValueError(f"Argument 'client' must be a running dask.distributed.Client; this one is "
                         f"{status!r} (closed or not connected). Open a new Client(...) first.")
    return client


class BatchRun:
    """Batched Monte Carlo jobs, run in memory, on dask threads or on a distributed client.

    ``submit(draw, samples, batch, seed, *args)`` splits ``samples`` with
    :func:`batch_bounds` and schedules ``draw(start, count, batch_seed(seed, i),
    *args)`` for batch ``i``; ``result(handle)`` returns the batches'
    concatenation in order. ``draw`` must be a module-level function (it is
    pickled to worker processes). The in-memory path runs the very same calls,
    so every path gives the same numbers bit for bit.
    """

    def __init__(self, client=None, timeout=None):
        self.client = check_client(client)
        self.timeout = timeout

    def submit(self, draw, samples, batch, seed, *args):
        calls = [(draw, (start, count, batch_seed(seed, i)) + args)
                 for i, (start, count) in enumerate(batch_bounds(samples, batch))]
        if self.client is None or self.client == "threads":
            return ("local", calls)
        check_client(self.client)
        return ("futures", [self.client.submit(f, *a, pure=False) for f, a in calls])

    def result(self, handle):
        kind, items = handle
        if kind == "futures":
            from distributed import wait
            wait(items, timeout=self.timeout)
            parts = self.client.gather(items)
        elif self.client == "threads":
            import dask
            parts = dask.compute(*[dask.delayed(f, pure=False)(*a) for f, a in items],
                                 scheduler="threads")
        else:
            parts = [f(*a) for f, a in items]
        return np.concatenate(parts)


def _structured_batch(start, count, seed_seq, u, seed, blocks, omit):
    """Batch draw of :func:`sample_structured` (its counter-based streams; ``seed_seq`` unused)."""
    return sample_structured(u, count, blocks=blocks, seed=seed, start=start, omit_diagonal=omit)


def sample_batched(u, samples, *, seed, batch=None, blocks=2, omit_diagonal=(), client=None, timeout=None):
    r""":func:`sample_structured` (coordinate 0) split into batches, in memory or on a dask client.

    Batch ``i`` holds samples ``i*batch .. (i+1)*batch - 1`` (``start=i*batch``);
    by the sampler's stream layout its numbers depend only on ``(seed, n)``,
    so the union of the batches equals ``sample_structured(u, samples,
    seed=seed)`` bit for bit, whatever ``client`` runs them.

    Parameters
    ----------
    u : array_like
        Input vector (see :func:`sample_structured`).
    samples : int
        Number of samples, >= 1.
    seed : int
        Generator seed.
    batch : int or None, optional
        Samples per batch (default :func:`batch_size` ``(d)``).
    blocks, omit_diagonal
        As :func:`sample_structured`.
    client : None, "threads" or dask.distributed.Client, optional
        Where the batches run: in this thread (default), on dask's thread pool,
        or as tasks of a (running) distributed client.
    timeout : float or None, optional
        Seconds to wait for a client's batches before ``TimeoutError``.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(samples,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.rotations import sample_batched, sample_structured
    >>> u = np.eye(64)[0]
    >>> x = sample_batched(u, 5000, seed=3, batch=1024)
    >>> bool(np.array_equal(x, sample_structured(u, 5000, seed=3)))
    True
    """
    u = as_unit_input(u)
    seed = as_seed(seed)
    samples = as_positive_int(samples, "samples")
    batch = batch_size(u.shape[0]) if batch is None else as_positive_int(batch, "batch")
    check_bytes(8 * samples, f"{samples} samples")
    run = BatchRun(client, timeout)
    return run.result(run.submit(_structured_batch, samples, batch, seed, u, seed,
                                 as_positive_int(blocks, "blocks"), tuple(omit_diagonal)))
