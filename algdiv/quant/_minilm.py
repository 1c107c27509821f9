"""A numpy forward pass of MiniLM-L6 (BERT) with a WordPiece tokenizer, recording layer inputs."""
import os
import unicodedata

import numpy as np
from scipy.special import erf

from ._data import load_minilm, minilm_path

_HIDDEN, _HEADS, _LAYERS = 384, 12, 6
_VOCAB = {}


def minilm_vocab():
    """``{token: id}`` from the package's ``vocab.txt``."""
    if "v" not in _VOCAB:
        p = os.path.join(os.path.dirname(minilm_path()), "vocab.txt")
        with open(p, encoding="utf-8") as f:
            _VOCAB["v"] = {t.rstrip("\n"): i for i, t in enumerate(f)}
    return _VOCAB["v"]


def _is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def wordpiece_ids(text, vocab=None):
    r"""BERT uncased tokenization (lower case, strip accents, split punctuation, greedy WordPiece).

    Returns token ids without [CLS]/[SEP].

    Examples
    --------
    >>> from algdiv.quant import wordpiece_ids
    >>> vocab = {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, ",": 4, "ok": 5}
    >>> wordpiece_ids("Unaffable, OK?", vocab)
    [1, 2, 3, 4, 5, 0]
    """
    vocab = minilm_vocab() if vocab is None else vocab
    unk = vocab["[UNK]"]
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    words, cur = [], []
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            if cur:
                words.append("".join(cur))
                cur = []
        elif _is_punct(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    ids = []
    for w in words:
        if len(w) > 100:
            ids.append(unk)
            continue
        start, pieces = 0, []
        while start < len(w):
            end = len(w)
            while end > start:
                sub = w[start:end] if start == 0 else "##" + w[start:end]
                if sub in vocab:
                    pieces.append(vocab[sub])
                    break
                end -= 1
            if end == start:
                pieces = [unk]
                break
            start = end
        ids.extend(pieces)
    return ids


def _ln(x, g, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def minilm_forward(ids, record=False):
    r"""Run MiniLM on ``ids`` (batch, length) of full (unpadded) sequences, float64.

    Post-LayerNorm BERT: per layer :math:`h = \mathrm{LN}(x + \mathrm{Attn}(x))`,
    :math:`x' = \mathrm{LN}(h + W_2\,\mathrm{GELU}(W_1 h))` (erf GELU, LN eps 1e-12).
    Devlin et al., BERT, arXiv:1810.04805; Wang et al., MiniLM, arXiv:2002.10957.

    Returns the last hidden states (batch, length, 384) and, with
    ``record=True``, a dict ``{(layer, module): inputs (tokens, d_in)}`` for
    modules ``"query"`` (layer input), ``"intermediate"`` (after attention)
    and ``"output"`` (GELU activations, the input of ``output.dense``).
    """
    t = load_minilm()
    p = lambda name: t[name].astype(np.float64)       # noqa: E731
    ids = np.asarray(ids)
    b, n = ids.shape
    x = p("embeddings.word_embeddings.weight")[ids] + p("embeddings.position_embeddings.weight")[:n] \
        + p("embeddings.token_type_embeddings.weight")[0]
    x = _ln(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"))
    rec = {}
    hd = _HIDDEN // _HEADS
    for li in range(_LAYERS):
        pre = f"encoder.layer.{li}."
        lin = lambda z, m: z @ p(pre + m + ".weight").T + p(pre + m + ".bias")   # noqa: E731
        if record:
            rec[(li, "query")] = x.reshape(-1, _HIDDEN)
        q, k, v = (lin(x, f"attention.self.{m}").reshape(b, n, _HEADS, hd).transpose(0, 2, 1, 3)
                   for m in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(b, n, _HIDDEN)
        h1 = _ln(lin(ctx, "attention.output.dense") + x, p(pre + "attention.output.LayerNorm.weight"),
                 p(pre + "attention.output.LayerNorm.bias"))
        if record:
            rec[(li, "intermediate")] = h1.reshape(-1, _HIDDEN)
        a = lin(h1, "intermediate.dense")
        a = 0.5 * a * (1.0 + erf(a / np.sqrt(2.0)))
        if record:
            rec[(li, "output")] = a.reshape(-1, 4 * _HIDDEN)
        x = _ln(lin(a, "output.dense") + h1, p(pre + "output.LayerNorm.weight"),
                p(pre + "output.LayerNorm.bias"))
    return (x, rec) if record else x


def minilm_embed(sentences):
    """Mean-pooled, L2-normalised sentence embeddings (sentence-transformers' recipe)."""
    v = minilm_vocab()
    out = []
    for s in sentences:
        ids = [v["[CLS]"]] + wordpiece_ids(s, v) + [v["[SEP]"]]
        h = minilm_forward(np.array([ids]))[0].mean(0)
        out.append(h / np.linalg.norm(h))
    return np.array(out)


def pydoc_activations(n_seq=8, seq_len=128, modules=("json", "csv", "textwrap", "string",
                                                        "fractions", "heapq", "bisect", "shlex")):
    """Layer inputs recorded on ``n_seq`` sequences of stdlib pydoc text (built locally, offline)."""
    import importlib
    import pydoc
    v = minilm_vocab()
    ids = []
    for name in modules:
        ids += wordpiece_ids(pydoc.render_doc(importlib.import_module(name), renderer=pydoc.plaintext), v)
    body = seq_len - 2
    if len(ids) < n_seq * body:
        raise ValueError(f"pydoc corpus has {len(ids)} tokens; need {n_seq * body}.")
    seqs = [[v["[CLS]"]] + ids[i * body:(i + 1) * body] + [v["[SEP]"]] for i in range(n_seq)]
    return minilm_forward(np.array(seqs), record=True)[1]
