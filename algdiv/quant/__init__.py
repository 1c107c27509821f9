"""Rotation-domain quantization: RTN blocks, ITQ3_S-style 3-bit weights, QWHA, RotateKV-style KV.

Hadamard rotations (orthonormal, ``norm="ortho"``) spread outliers before
quantization; the exact inverse rotation restores the original domain, so the
reconstruction error equals the grid error.  See ``docs/quant.md``.

* building blocks: :func:`rtn`, :func:`rtn_bits_per_weight`,
  :class:`HadamardRotation`, :func:`rotated_rtn`;
* ITQ3_S-style 3-bit weights: :func:`itq3s_encode`, :func:`itq3s_decode`,
  :func:`itq3s_load`, :func:`itq3s_load_dask` (lazy, checked chunk by chunk),
  :class:`ITQ3SPacked` (byte layout version 2, with CRC-32s; version 1 read);
* QWHA adapters: :func:`qwha_init`, :class:`QWHAAdapter`, :func:`ada_alloc`
  and the baselines :func:`svd_adapter`, :func:`loftq`, :func:`cloq_adapter`,
  :func:`random_position_adapter`, :func:`spectral_topk_adapter`; trainable torch modules
  (torch needed, imported on first use) :class:`QWHALinear`, :class:`LoRALinear`,
  :class:`FourierFTLinear`, :func:`fit_layer_output` and :class:`GemmaTorch` (a differentiable
  Gemma-3 forward over the numpy model's weights);
* KV cache: :func:`kv_quantize`, :func:`calibrate_reorder`,
  :func:`sink_tokens_from_hidden`, :func:`apply_rope`, :func:`attention_errors`;
* real and synthetic data offline: :func:`load_minilm`, :func:`minilm_weight`,
  :func:`read_safetensors`, :func:`minilm_forward`, :func:`pydoc_activations`,
  :func:`synthetic_kv`; Gemma-3-270M from its GGUF: :func:`load_gemma`, :func:`gemma_tokenize`,
  :func:`gemma_detokenize`, :func:`gemma_forward` (records pre-RoPE Q/K, V, hidden states),
  :func:`gemma_pydoc_ids`;
* a quantized model end to end: :func:`gemma_forward_cached` with a :class:`GemmaKVCache`, the KV
  hook :class:`KVQuantizer`, the weight hook :func:`quantize_gemma` (:func:`rtn_weights`,
  :func:`itq3s_weights`), and :func:`perplexity` by llama.cpp's protocol
  (:func:`perplexity_windows`, :func:`paired_difference`, :func:`token_nll`) on
  :func:`evaluation_text` / :func:`calibration_text`.
"""
from ._data import load_minilm, minilm_available, minilm_weight, read_safetensors, synthetic_kv
from ._gemma import (
    GemmaConfig, GemmaModel, GemmaTrace, gemma_available, gemma_detokenize, gemma_forward, gemma_path,
    gemma_pydoc_ids, gemma_tokenize, load_gemma,
)
from ._dask import itq3s_load_dask
from ._gemma_cache import (
    BLOCK_LINEARS, GemmaKVCache, KVQuantizer, block_linear_names, gemma_forward_cached, itq3s_weights,
    quantize_gemma, rtn_weights,
)
from ._itq3s import ITQ3SPacked, itq3s_decode, itq3s_encode, itq3s_load
from ._kv import (
    KVQuantized, apply_rope, attention_errors, calibrate_reorder, kv_quantize, sink_tokens_from_hidden,
)
from ._minilm import minilm_embed, minilm_forward, pydoc_activations, wordpiece_ids
from ._perplexity import (
    PerplexityResult, bootstrap_ppl, paired_difference, perplexity, perplexity_windows, token_nll,
)
from ._qwha import (
    QWHAAdapter, ada_alloc, cloq_adapter, loftq, qwha_init, random_position_adapter, spectral_topk_adapter,
    svd_adapter,
)
from ._rotate import HadamardRotation, rotated_rtn
from ._rtn import rtn, rtn_bits_per_weight
from ._texts import calibration_text, evaluation_text

__all__ = [
    "rtn", "rtn_bits_per_weight", "HadamardRotation", "rotated_rtn",
    "ITQ3SPacked", "itq3s_encode", "itq3s_decode", "itq3s_load", "itq3s_load_dask",
    "QWHAAdapter", "qwha_init", "ada_alloc", "svd_adapter", "loftq", "cloq_adapter",
    "random_position_adapter", "spectral_topk_adapter",
    "KVQuantized", "kv_quantize", "calibrate_reorder", "sink_tokens_from_hidden", "apply_rope",
    "attention_errors",
    "load_minilm", "minilm_available", "minilm_weight", "read_safetensors", "minilm_forward",
    "minilm_embed", "pydoc_activations", "wordpiece_ids", "synthetic_kv",
    "GemmaConfig", "GemmaModel", "GemmaTrace", "gemma_available", "gemma_path", "load_gemma",
    "gemma_tokenize", "gemma_detokenize", "gemma_forward", "gemma_pydoc_ids",
    "GemmaKVCache", "gemma_forward_cached", "KVQuantizer", "quantize_gemma", "rtn_weights",
    "itq3s_weights", "BLOCK_LINEARS", "block_linear_names",
    "perplexity", "perplexity_windows", "PerplexityResult", "paired_difference", "token_nll",
    "bootstrap_ppl", "evaluation_text", "calibration_text",
]

# torch modules, loaded on first use so that algdiv.quant imports without torch
_TORCH_NAMES = {"QWHALinear": "._torch_adapters", "LoRALinear": "._torch_adapters",
                "FourierFTLinear": "._torch_adapters", "fit_layer_output": "._torch_adapters",
                "dct_matrix": "._torch_adapters", "GemmaTorch": "._gemma_torch"}
__all__ += list(_TORCH_NAMES)


def __getattr__(name):
    if name in _TORCH_NAMES:
        from importlib import import_module
        value = getattr(import_module(_TORCH_NAMES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'algdiv.quant' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
