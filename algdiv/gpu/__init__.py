"""NVIDIA GPU support (CuPy): device detection and the CUDA kernel sources.

The CUDA kernels live as ``.cu``/``.cuh`` files in ``algdiv/gpu/kernels`` so that
they can be read and compiled on their own (``docs/gpu.md``):

* ``wht.cu``: batched FWHT along the last axis (lengths 2^k and 12/20/28 * 2^k, natural,
  sequency and dyadic order, any norm, float16/bfloat16/float32/float64 with float32
  accumulation for the half types), the sign diagonal ``H D`` and the fused two-block
  rotation ``H D2 H D1`` with signs generated in the kernel (``rademacher.cuh``, bit for
  bit :func:`algdiv.transforms.rademacher`), a multi-pass path beyond one block's shared
  memory, and the fused ITQ3_S dequantize + inverse FWHT-256;
* their per-block logic in ``wht_core.cuh``/``wht_cta.cuh`` is ``__host__ __device__``
  and is run on the CPU by the tests against the numpy engine.

``algdiv.transforms.fwht``/``ifwht``/``fwhtn``/``ifwhtn``/``hd`` send cupy arrays and CUDA
torch tensors here (:mod:`algdiv.gpu._dispatch`); :func:`rotation` and
:func:`itq3s_decode` are the GPU entry points of the rotation operators and of the
ITQ3_S decoder.

Examples
--------
>>> from algdiv import gpu
>>> status = gpu.available()
>>> isinstance(bool(status), bool) and isinstance(status.reason, str)
True
"""
from __future__ import annotations

import pathlib as _pathlib

__all__ = ["available", "Availability", "KERNEL_DIR", "INSTALL_HINT", "rotation", "itq3s_decode",
           "itq3s_decode_blocks"]

#: Folder of the CUDA sources shipped with the package.
KERNEL_DIR = _pathlib.Path(__file__).resolve().parent / "kernels"

#: How to install GPU support, quoted by every message about a missing GPU.
INSTALL_HINT = ('install GPU support with `pip install "algdiv[gpu]"` (CUDA 12, cupy-cuda12x) or '
                '`pip install "algdiv[gpu-cuda13]"` (CUDA 13, cupy-cuda13x), matching the CUDA version '
                'that `nvidia-smi` reports; an NVIDIA GPU and its driver are needed')


def __dir__():
    return sorted(__all__)


class Availability:
    """Whether a CUDA device is usable, with the reason; truthy only when it is."""

    def __init__(self, ok: bool, reason: str):
        self.ok = bool(ok)
        self.reason = reason

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Availability(ok={self.ok}, reason={self.reason!r})"


def available() -> Availability:
    """Report whether cupy is installed and sees at least one CUDA device.

    Never raises: a missing cupy, a missing driver or zero devices give a falsy
    result whose ``.reason`` says which.
    """
    try:
        import cupy
    except Exception as exc:  # ImportError, or a broken CUDA install
        return Availability(False, f"cupy is not importable ({type(exc).__name__}: {exc}); {INSTALL_HINT}")
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as exc:
        return Availability(False, f"no usable CUDA device was found ({type(exc).__name__}: {exc}); "
                                   f"{INSTALL_HINT}")
    if count < 1:
        return Availability(False, f"no usable CUDA device was found (device count 0); {INSTALL_HINT}")
    return Availability(True, f"{count} CUDA device(s) visible to cupy {cupy.__version__}")


from ._dispatch import itq3s_decode, itq3s_decode_blocks, rotation  # noqa: E402  (needs available())
