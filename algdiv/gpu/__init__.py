"""NVIDIA GPU support (CuPy): device detection and the CUDA kernel sources.

The CUDA kernels live as ``.cu``/``.cuh`` files in ``algdiv/gpu/kernels`` so that
they can be read and compiled on their own. So far this holds the counter-based
Rademacher generator (``rademacher.cuh``), the same function as
:func:`algdiv.transforms.rademacher`, verified bit for bit by a host build in the
tests; the FWHT kernels and the cupy dispatch are not written yet (see
``docs/engine.md``), so cupy arrays passed to the transforms raise a clear error.

Examples
--------
>>> from algdiv import gpu
>>> status = gpu.available()
>>> isinstance(bool(status), bool) and isinstance(status.reason, str)
True
"""
from __future__ import annotations

import pathlib

__all__ = ["available", "Availability", "KERNEL_DIR"]

#: Folder of the CUDA sources shipped with the package.
KERNEL_DIR = pathlib.Path(__file__).resolve().parent / "kernels"


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
        return Availability(False, f"cupy is not importable ({type(exc).__name__}: {exc})")
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as exc:
        return Availability(False, f"no usable CUDA device was found ({type(exc).__name__}: {exc})")
    if count < 1:
        return Availability(False, "no usable CUDA device was found (device count 0)")
    return Availability(True, f"{count} CUDA device(s) visible to cupy {cupy.__version__}")
