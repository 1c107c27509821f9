"""algdiv's C core: the compiled fast Walsh-Hadamard kernels.

The extension ``algdiv._core._fwht`` (C99, built by ``pip install .``) holds three
kernel paths side by side: AVX-512 (F/VL/BW/DQ: 512-bit vectors, 32 vector
registers, radix-16 sweeps), AVX2 + FMA, and portable.  At import it picks the
widest one the CPU has (CPUID) and, for AVX-512, the OS saves the register state
of (XCR0); else the portable one.  All three give bit-identical floating-point
results: every butterfly stage in the same order, only grouped differently.  Where the extension is not
built, algdiv runs its numpy kernels instead and warns once at import.

Environment variables
---------------------
``ALGDIV_DISABLE_CORE=1``
    Do not load the extension (as if it were not built): the numpy kernels run.
``ALGDIV_CORE_PATH=portable`` (or ``avx2``, ``avx512``)
    Force a kernel path (``avx2`` / ``avx512`` only where the CPU and OS have it).

Attributes
----------
ext : module or None
    The loaded extension, None when the numpy fallback is in use.
reason : str
    Why the extension is not in use ("" when it is).

Examples
--------
>>> from algdiv import _core
>>> _core.path() in ("avx512", "avx2", "portable", "numpy")
True
"""
from __future__ import annotations

import os
import warnings

__all__ = ["ext", "reason", "available", "path", "set_path", "has_avx2", "has_avx512",
           "cpu_count"]

ext = None
reason = ""

if os.environ.get("ALGDIV_DISABLE_CORE", "") not in ("", "0"):
    reason = "disabled by ALGDIV_DISABLE_CORE"
else:
    try:
        from . import _fwht as ext
    except ImportError as exc:  # not built (no compiler at install time, or a source checkout)
        ext = None
        reason = f"not built ({exc})"

if ext is None:
    warnings.warn(
        f"algdiv's C core is not in use: {reason}; the numpy kernels will be used "
        "(slower). Build it with `pip install .` or `python setup.py build_ext --inplace`.",
        RuntimeWarning,
        stacklevel=2,
    )
else:
    _forced = os.environ.get("ALGDIV_CORE_PATH", "")
    if _forced:
        try:
            ext.set_path(_forced)
        except ValueError:
            warnings.warn(
                f"ALGDIV_CORE_PATH={_forced!r} is not available on this CPU; using "
                f"{ext.path()!r}.", RuntimeWarning, stacklevel=2)


def available() -> bool:
    """Whether the compiled kernels are in use."""
    return ext is not None


def path() -> str:
    """The active kernel path: ``"avx512"``, ``"avx2"``, ``"portable"`` or ``"numpy"``."""
    return "numpy" if ext is None else ext.path()


def set_path(name: str) -> None:
    """Select the kernel path (``"avx512"``, ``"avx2"`` or ``"portable"``); for tests and benchmarks.

    Raises
    ------
    RuntimeError
        When the extension is not in use.
    ValueError
        When the path is not available on this CPU.
    """
    if ext is None:
        raise RuntimeError(f"algdiv's C core is not in use: {reason}.")
    ext.set_path(name)


def has_avx2() -> bool:
    """Whether this CPU runs the AVX2 + FMA path (False without the extension)."""
    return bool(ext is not None and ext.has_avx2())


def has_avx512() -> bool:
    """Whether this CPU and OS run the AVX-512 path (F/VL/BW/DQ, XCR0 opmask/ZMM state on)."""
    return bool(ext is not None and ext.has_avx512())


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask)."""
    if ext is not None:
        return int(ext.cpu_count())
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
