"""algdiv: symmetry to fast transforms.

A finite group acting on the indices 0..N-1 determines, through representation
theory, the orthonormal basis that diagonalizes every covariance invariant under
it (DFT, real Fourier, DCT, WHT, Haar, KLT, ...). algdiv builds these bases,
finds the matched group of data, and runs the transforms through fast plans (a
C core with SIMD on the CPU, CuPy kernels on NVIDIA GPUs).

The action convention used throughout is stated in :mod:`algdiv.groups`.

Examples
--------
>>> import numpy as np, algdiv
>>> G = algdiv.groups.elementary_abelian(3)
>>> T = algdiv.matched_transform(G)
>>> np.allclose(T.matrix.T @ T.matrix, np.eye(8))
True
"""
from importlib import import_module as _import_module

from ._version import __version__

# Public names, resolved lazily so that ``import algdiv`` stays cheap and never
# imports optional dependencies (cupy, dask, matplotlib).
_LAZY = {
    "matched_transform": "algdiv.bases",
    "klt": "algdiv.bases",
    "Transform": "algdiv.bases",
    "resolution": "algdiv.bases",
    "discover": "algdiv.discovery",
    "commutativity_residual": "algdiv.discovery",
    "coloring_index": "algdiv.discovery",
    "show_config": "algdiv._config",
    "fwht": "algdiv.transforms",
    "ifwht": "algdiv.transforms",
    "fwhtn": "algdiv.transforms",
    "hd": "algdiv.transforms",
    "rademacher": "algdiv.transforms",
    "structured_rotation": "algdiv.rotations",
    "sparse_wht": "algdiv.sparse",
    "FastGram": "algdiv.qmc",
    "rtn": "algdiv.quant",
    "itq3s_encode": "algdiv.quant",
    "itq3s_decode": "algdiv.quant",
    "qwha_init": "algdiv.quant",
    "kv_quantize": "algdiv.quant",
}
_SUBMODULES = (
    "groups", "reps", "bases", "transforms", "gpu", "discovery", "rotations",
    "quant", "sparse", "qmc", "cli", "testing",
)

__all__ = ["__version__", *_LAZY, *_SUBMODULES]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(_import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = _import_module("algdiv." + name)
    else:
        raise AttributeError(f"module 'algdiv' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
