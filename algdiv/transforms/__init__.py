"""Fast transforms: plans (Problem/Solver/Plan/Planner) and kernels.

This layer knows nothing of groups.  Every transform is described by a
:class:`Problem`, planned by the cached planner (:func:`plan`) into a
:class:`Plan` whose matrix is the *analysis* matrix A (``plan.apply(x) = A x``),
and executed by numpy kernels or by faster backends that register their own
solvers (:func:`register_solver`).

Public one-shot functions follow scipy.fft's conventions: :func:`fwht`,
:func:`ifwht`, :func:`fwhtn`, :func:`ifwhtn`, :func:`haar`, :func:`ihaar`,
:func:`reed_muller`, :func:`arithmetic`, :func:`iarithmetic`,
:func:`rademacher`, :func:`rademacher_at`, :func:`hd`; :func:`empty_aligned`
allocates arrays for large in-place transforms.

Examples
--------
>>> import numpy as np
>>> from algdiv.transforms import fwht, plan, Problem
>>> fwht(np.array([1.0, 1.0, 1.0, 1.0]))
array([4., 0., 0., 0.])
>>> p = plan(Problem("dct", 4, params={"type": 2}))
>>> bool(np.allclose(p.matrix() @ p.matrix().T, np.eye(4)))
True
"""
from ._hadamard import HADAMARD_ORDERS, paley_hadamard
from ._haar import arithmetic, haar, iarithmetic, ihaar, reed_muller
from ._plan import (
    KINDS, SOLVERS, NoSolverError, Plan, Planner, Problem, Solver, cache_info, clear_cache,
    get_planner, plan, register_solver,
)
from ._aligned import empty_aligned
from ._random import hd, rademacher, rademacher_at
from ._wht import fwht, fwhtn, ifwht, ifwhtn

# Transforms written alongside this layer (qmc, compact groups), loaded on first use
# so that ``import algdiv.transforms`` stays cheap.
_LAZY = {
    "fftbr": "._fftbr", "ifftbr": "._fftbr", "bitrev_permutation": "._fftbr",
    "frft": "._frft", "frft_matrix": "._frft", "hermite_gauss": "._frft",
    "SphereTransform": "._sphere", "real_spherical_harmonics": "._sphere",
}

__all__ = [
    "fwht", "ifwht", "fwhtn", "ifwhtn", "haar", "ihaar", "reed_muller", "arithmetic",
    "iarithmetic", "rademacher", "rademacher_at", "hd", "paley_hadamard", "HADAMARD_ORDERS",
    "empty_aligned",
    "Problem", "Plan", "Solver", "Planner", "plan", "register_solver", "get_planner",
    "cache_info", "clear_cache", "SOLVERS", "KINDS", "NoSolverError", *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'algdiv.transforms' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def _load_backends():
    """Import the compiled core's glue (``_csolvers``) so that it registers its solvers.

    ``_csolvers`` calls :func:`register_solver` and fills ``_wht._KERNELS``.  A
    missing glue module is skipped; one that fails to load is reported with a
    warning and the numpy kernels are used.  ``ALGDIV_DISABLE_CORE=1`` skips it
    (numpy kernels only).
    """
    import os
    if os.environ.get("ALGDIV_DISABLE_CORE", "") not in ("", "0"):
        return
    from importlib import import_module
    try:
        import_module("._csolvers", __name__)
    except ModuleNotFoundError as exc:
        if exc.name not in (__name__ + "._csolvers", "algdiv._core", "algdiv._core._fwht"):
            raise
    except Exception as exc:  # a broken build must not make algdiv unusable
        import warnings
        warnings.warn(f"algdiv's C core failed to load ({exc!r}); using the numpy kernels.",
                      RuntimeWarning, stacklevel=2)


_load_backends()
