"""``algdiv.show_config()``: which kernels, threads and GPU this installation uses.

Everything here is looked up lazily and never raises: a missing extension, a
missing cupy or a GPU driver that fails to answer is reported, not thrown.

Examples
--------
>>> import algdiv
>>> info = algdiv._config.config_dict()
>>> info["kernels"]["path"] in ("avx512", "avx2", "portable", "numpy")
True
"""
from __future__ import annotations

import platform
import sys
from importlib import metadata

__all__ = ["show_config", "config_dict", "gpu_status"]


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
    except Exception:       # a broken installation must not break `algdiv info`
        return None


def gpu_status() -> dict:
    """The GPU backend's state: cupy installed?, devices, or why not.

    Returns a dict with ``available`` (bool), ``devices`` (list of names) and
    ``detail`` (a readable sentence).  cupy is imported only here, and any
    failure (no cupy, no driver, no device) is reported in ``detail``.
    """
    import importlib.util

    if importlib.util.find_spec("cupy") is None:
        return {"available": False, "devices": [],
                "detail": 'cupy is not installed (pip install "algdiv[gpu]" for CUDA 12, '
                          '"algdiv[gpu-cuda13]" for CUDA 13)'}
    try:
        import cupy

        count = int(cupy.cuda.runtime.getDeviceCount())
        names = []
        for i in range(count):
            props = cupy.cuda.runtime.getDeviceProperties(i)
            name = props.get("name", b"?")
            names.append(name.decode() if isinstance(name, bytes) else str(name))
        if not count:
            return {"available": False, "devices": [],
                    "detail": "cupy is installed; no CUDA device (an NVIDIA GPU and driver are needed)"}
        return {"available": True, "devices": names,
                "detail": f"{count} CUDA device(s): " + ", ".join(names)}
    except Exception as exc:  # driver missing or too old, no device, ...
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {"available": False, "devices": [], "detail": f"cupy is installed but unusable: {msg}"}


def config_dict(gpu: bool = True) -> dict:
    """The configuration as a dict (what :func:`show_config` prints)."""
    from . import _core
    from ._version import __version__

    ext = _core.ext
    kernels = {
        "path": _core.path(),
        "extension": "loaded" if ext is not None else f"not in use ({_core.reason})",
        "cpu_has_avx2": _core.has_avx2(),
        "cpu_has_avx512": _core.has_avx512(),
        "compiler": getattr(ext, "compiler", None) if ext is not None else None,
        "sanitized": bool(getattr(ext, "sanitized", 0)) if ext is not None else False,
        "l2_block_bytes": getattr(ext, "L2_BLOCK_BYTES", None) if ext is not None else None,
    }
    ncpu = _core.cpu_count()
    auto_min = getattr(ext, "AUTO_THREADS_MIN_BYTES", 2 << 20) if ext is not None else None
    threads = {
        "cpus": ncpu,
        "workers=None": (f"1 thread below {auto_min / 2**20:g} MiB of data, else {ncpu}"
                         if ext is not None else "numpy/BLAS (1 BLAS thread by default)"),
    }
    versions = {
        "algdiv": __version__,
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "sympy": _version("sympy"),
        "networkx": _version("networkx"),
        "cupy": _version("cupy-cuda12x") or _version("cupy-cuda13x") or _version("cupy-cuda11x") or _version("cupy"),
    }
    out = {
        "kernels": kernels,
        "threads": threads,
        "platform": {"machine": platform.machine(), "system": platform.system(),
                     "python_impl": sys.implementation.name},
        "versions": versions,
    }
    if gpu:
        out["gpu"] = gpu_status()
    return out


def show_config(file=None, gpu: bool = True) -> None:
    """Print which kernel path, threads, GPU and library versions algdiv uses.

    Parameters
    ----------
    file : text stream, optional
        Where to print (``sys.stdout`` by default).
    gpu : bool, default True
        Also query the GPU (imports cupy when it is installed).

    Examples
    --------
    >>> import io, algdiv
    >>> buf = io.StringIO()
    >>> algdiv.show_config(file=buf, gpu=False)
    >>> "kernel path" in buf.getvalue()
    True
    """
    file = sys.stdout if file is None else file
    d = config_dict(gpu=gpu)
    k, t, v = d["kernels"], d["threads"], d["versions"]
    lines = [
        f"algdiv {v['algdiv']}",
        f"  kernel path : {k['path']}  (C core {k['extension']}; CPU AVX2+FMA: "
        f"{'yes' if k['cpu_has_avx2'] else 'no'}, AVX-512: "
        f"{'yes' if k['cpu_has_avx512'] else 'no'})",
    ]
    if k["compiler"]:
        lines.append(f"  compiler    : {k['compiler']}"
                     + ("  [sanitizer build]" if k["sanitized"] else ""))
    if k["l2_block_bytes"]:
        lines.append(f"  blocking    : level-2 blocks of {k['l2_block_bytes'] // 1024} KiB "
                     "(from the CPU's L2 size)")
    lines.append(f"  threads     : {t['cpus']} CPU(s); workers=None -> {t['workers=None']}")
    if "gpu" in d:
        lines.append(f"  GPU         : {d['gpu']['detail']}")
    lines.append(f"  platform    : {d['platform']['system']} {d['platform']['machine']}")
    lines.append("  versions    : " + ", ".join(f"{name} {ver}" for name, ver in v.items()
                                               if ver is not None and name != "algdiv"))
    print("\n".join(lines), file=file)
