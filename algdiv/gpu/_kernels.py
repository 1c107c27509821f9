"""The CUDA sources as one translation unit, and the compiled modules cached per device.

:func:`source` inlines the local ``#include "..."`` headers of ``kernels/wht.cu`` so that
the text CuPy hashes for its on-disk kernel cache (``~/.cupy/kernel_cache``, or
``CUPY_CACHE_DIR``) covers every line that is compiled: editing a header recompiles.  No
system header is used, so NVRTC needs no CUDA toolkit.

:func:`module` compiles every instantiation of :func:`algdiv.gpu._plan.instantiations` in
one ``cupy.RawModule`` (NVRTC, ``name_expressions``), once per device and process; CuPy
picks the NVRTC that matches its wheel's CUDA major version.
"""
from __future__ import annotations

import functools
import hashlib
import re
import threading

from . import KERNEL_DIR
from ._plan import instantiations

__all__ = ["source", "source_hash", "module", "function", "NVRTC_OPTIONS"]

NVRTC_OPTIONS = ("--std=c++17",)
_INCLUDE = re.compile(r'^#include "([^"]+)"\s*$', re.M)


def _inline(name: str, seen: set) -> str:
    if name in seen:                    # every header is `#pragma once`
        return ""
    seen.add(name)
    text = (KERNEL_DIR / name).read_text()
    return _INCLUDE.sub(lambda mo: _inline(mo.group(1), seen), text)


@functools.lru_cache(maxsize=None)
def source() -> str:
    """``kernels/wht.cu`` with its local headers inlined (one NVRTC translation unit)."""
    return _inline("wht.cu", set())


def source_hash() -> str:
    return hashlib.sha256(source().encode()).hexdigest()[:16]


_LOCK = threading.Lock()
_MODULES: dict = {}          # device id -> cupy.RawModule
_FUNCS: dict = {}            # (device id, name, smem) -> cupy.RawKernel with smem opt-in set


def module(cupy):
    """The compiled RawModule for the current device (compiled on first use)."""
    dev = cupy.cuda.runtime.getDevice()
    mod = _MODULES.get(dev)
    if mod is None:
        with _LOCK:
            mod = _MODULES.get(dev)
            if mod is None:
                mod = cupy.RawModule(code=source(), options=NVRTC_OPTIONS,
                                     name_expressions=instantiations())
                _MODULES[dev] = mod
    return mod


def function(cupy, name: str, smem: int):
    """Kernel ``name`` (a name expression) on the current device, allowed ``smem`` bytes of
    dynamic shared memory (the opt-in above 48 KiB is set once per kernel and size)."""
    dev = cupy.cuda.runtime.getDevice()
    key = (dev, name)
    entry = _FUNCS.get(key)
    if entry is None:
        entry = [module(cupy).get_function(name), 48 * 1024]
        _FUNCS[key] = entry
    if smem > entry[1]:
        entry[0].max_dynamic_shared_size_bytes = int(smem)
        entry[1] = int(smem)
    return entry[0]
