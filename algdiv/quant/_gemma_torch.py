r"""A differentiable torch forward of Gemma-3 sharing the numpy model's weights, for adapter training.

:class:`GemmaTorch` wraps a :class:`GemmaModel` (reference weights, or a quantized copy from
:func:`quantize_gemma`): every tensor is read with ``torch.from_numpy`` (shared memory, no
copy) and frozen; each block linear weight is a module in :attr:`GemmaTorch.linears` that
:meth:`GemmaTorch.set_linear` can replace by a trainable adapter module
(:class:`QWHALinear`, :class:`LoRALinear`, :class:`FourierFTLinear`).  The layer is the one
of :func:`gemma_forward` / :func:`gemma_forward_cached` (full-sequence causal attention, the
sliding window on local layers), in float32.  Tokens come from :func:`gemma_tokenize`, as
for the numpy model.  :meth:`GemmaTorch.merged_model` folds the trained adapters back into
a :class:`GemmaModel` so that :func:`perplexity` evaluates the fine-tuned model with the
numpy code.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._gemma import GemmaModel
from ._gemma_cache import BLOCK_LINEARS

__all__ = ["GemmaTorch"]


class _Frozen(nn.Module):
    """``x @ W^T`` with ``W`` a frozen buffer (a view of the numpy weight)."""

    def __init__(self, w):
        super().__init__()
        self.register_buffer("weight", w, persistent=False)

    def forward(self, x):
        return F.linear(x, self.weight)


def _shared(a):
    """``torch.from_numpy`` of a (possibly read-only) weight: shared memory, never written."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # read-only arrays: frozen here anyway
        return torch.from_numpy(np.asarray(a))


def _rms(x, w, eps):
    return x * torch.rsqrt(torch.mean(x * x, dim=-1, keepdim=True) + eps) * w


def _rope(x, pos, base):
    """Half-split RoPE of (T, heads, hd) at positions ``pos`` (as :func:`apply_rope`)."""
    hd = x.shape[-1]
    half = hd // 2
    inv = base ** (-torch.arange(half, dtype=torch.float64) / half)
    ang = (pos.to(torch.float64)[:, None] * inv)[:, None, :]
    cos, sin = torch.cos(ang).to(x.dtype), torch.sin(ang).to(x.dtype)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class GemmaTorch(nn.Module):
    r"""Gemma-3 as a torch module over a :class:`GemmaModel`'s (shared, frozen) weights.

    Parameters
    ----------
    model : GemmaModel
        The weights (``load_gemma()``, ``quantize_gemma(...)``, or a small random model).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from algdiv.quant import GemmaTorch, gemma_available, load_gemma
    >>> if gemma_available():
    ...     g = GemmaTorch(load_gemma())
    ...     ids = torch.tensor([2, 818, 5279, 529, 7001, 563])
    ...     with torch.no_grad():
    ...         best = int(g.logits(g(ids))[-1].argmax())
    ...     ok = best > 0
    ... else:
    ...     ok = True
    >>> ok
    True
    """

    def __init__(self, model):
        super().__init__()
        if not isinstance(model, GemmaModel):
            raise TypeError(f"Argument 'model' must be a GemmaModel, not {type(model).__name__}.")
        self.model = model
        self.config = c = model.config
        t = model.tensors
        self.linears = nn.ModuleDict()
        self._norms = {}
        for li in range(c.n_layers):
            for n in BLOCK_LINEARS:
                name = f"blk.{li}.{n}.weight"
                self.linears[self._key(name)] = _Frozen(_shared(t[name]))
            for n in ("attn_norm", "attn_q_norm", "attn_k_norm", "post_attention_norm", "ffn_norm",
                      "post_ffw_norm"):
                self._norms[f"blk.{li}.{n}.weight"] = _shared(t[f"blk.{li}.{n}.weight"])
        self._norms["output_norm.weight"] = _shared(t["output_norm.weight"])
        self._emb = None

    @staticmethod
    def _key(name):
        return name.replace(".", "_")

    def linear(self, name):
        """The module that computes block linear ``name`` (``blk.3.attn_q.weight``)."""
        return self.linears[self._key(name)]

    def set_linear(self, name, module):
        """Replace block linear ``name`` by ``module`` (maps (..., d_in) to (..., d_out))."""
        if self._key(name) not in self.linears:
            raise ValueError(f"Argument 'name' must be a block linear weight name, not {name!r}.")
        self.linears[self._key(name)] = module

    def embedding(self):
        """The tied embedding as one float32 tensor (vocab, d), dequantized once (cached)."""
        if self._emb is None:
            v = self.config.vocab_size
            e = np.empty((v, self.config.d_model), np.float32)
            for s in range(0, v, 16384):
                e[s:s + 16384] = self.model.embed(np.arange(s, min(s + 16384, v)))
            self._emb = torch.from_numpy(e)
        return self._emb

    def forward(self, ids):
        """Final-normed hidden states (T, d_model) of the token ids (T,) (one sequence from position 0)."""
        c = self.config
        ids = torch.as_tensor(ids, dtype=torch.int64)
        if ids.ndim != 1 or ids.numel() == 0:
            raise ValueError(f"Argument 'ids' must be a non-empty 1-D tensor, not shape {tuple(ids.shape)}.")
        if int(ids.min()) < 0 or int(ids.max()) >= c.vocab_size:
            raise ValueError(f"Argument 'ids' must lie in [0, {c.vocab_size}).")
        T = ids.numel()
        nh, nkv, hd, eps = c.n_heads, c.n_kv_heads, c.head_dim, c.rms_eps
        rep = nh // nkv
        nrm = self._norms
        pos = torch.arange(T)
        causal = pos[:, None] >= pos[None, :]
        local = causal & (pos[:, None] - pos[None, :] < c.sliding_window)
        x = torch.from_numpy(self.model.embed(ids.numpy())) * math.sqrt(c.d_model)
        lin = self.linear
        for li in range(c.n_layers):
            p = f"blk.{li}."
            h = _rms(x, nrm[p + "attn_norm.weight"], eps)
            q = _rms(lin(p + "attn_q.weight")(h).reshape(T, nh, hd), nrm[p + "attn_q_norm.weight"], eps)
            k = _rms(lin(p + "attn_k.weight")(h).reshape(T, nkv, hd), nrm[p + "attn_k_norm.weight"], eps)
            v = lin(p + "attn_v.weight")(h).reshape(T, nkv, hd)
            base = c.rope_base(li)
            q, k = _rope(q, pos, base), _rope(k, pos, base)
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
            s = torch.einsum("thd,shd->hts", q, k) * (c.query_pre_attn_scalar ** -0.5)
            mask = causal if c.is_global(li) else local
            s = s.masked_fill(~mask, float("-inf"))
            o = torch.einsum("hts,shd->thd", torch.softmax(s, dim=-1), v).reshape(T, nh * hd)
            x = x + _rms(lin(p + "attn_output.weight")(o), nrm[p + "post_attention_norm.weight"], eps)
            u = _rms(x, nrm[p + "ffn_norm.weight"], eps)
            f = F.gelu(lin(p + "ffn_gate.weight")(u), approximate="tanh") * lin(p + "ffn_up.weight")(u)
            x = x + _rms(lin(p + "ffn_down.weight")(f), nrm[p + "post_ffw_norm.weight"], eps)
        return _rms(x, nrm["output_norm.weight"], eps)

    def logits(self, h):
        """Tied output head ``h @ E^T`` (soft-capped when the config says so)."""
        out = h @ self.embedding().T
        cap = self.config.final_logit_softcap
        return torch.tanh(out / cap) * cap if cap else out

    def nll(self, ids, first=0):
        """Mean next-token NLL of ``ids[first + 1:]`` given their prefixes (a training loss)."""
        h = self(ids)
        ids = torch.as_tensor(ids, dtype=torch.int64)
        return F.cross_entropy(self.logits(h[first:-1]), ids[first + 1:])

    def merged_model(self):
        """A :class:`GemmaModel` whose block linear weights are ``W + ΔW`` of the current modules."""
        tensors = dict(self.model.tensors)
        with torch.no_grad():
            for li in range(self.config.n_layers):
                for n in BLOCK_LINEARS:
                    name = f"blk.{li}.{n}.weight"
                    mod = self.linear(name)
                    if hasattr(mod, "delta_weight"):
                        tensors[name] = (mod.weight + mod.delta_weight()).to(torch.float32).numpy().copy()
        m = self.model
        out = GemmaModel(m.config, tensors, m.emb_codes, m.emb_scales, m.tokens, m.scores, m.token_types)
        for attr in ("q_codes", "q_scale", "q_offset", "q_group"):
            if hasattr(m, attr):          # a quantized embedding stays as it was
                out = type(m)(out, m.q_codes, m.q_scale, m.q_offset, m.q_group)
                break
        out.storage = dict(getattr(m, "storage", {}) or {})
        return out
