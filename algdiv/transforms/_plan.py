"""Problem / Solver / Plan / Planner: FFTW's split, in Python.

* :class:`Problem` is a pure, hashable description of a transform (no arrays).
* A :class:`Solver` knows one way to compute some problems: ``applicable``
  says whether it can, ``make_plan`` builds a :class:`Plan` (recursive solvers
  plan their child problems through the planner they are given).
* A :class:`Plan` applies the transform: ``apply``, ``apply_inverse``,
  ``matrix`` (dense, for tests), ``ops`` (the planner's cost), ``describe``.
* The :class:`Planner` tries every registered solver, keeps the cheapest plan
  and memoises the answer by ``problem.key()``, infeasible problems included.

Backends (the C core, the GPU layer) add solvers with :func:`register_solver`.
The cost of a plan is its operation count ``ops``; among plans of equal cost
the solver with the higher ``priority`` wins, so a compiled kernel that does
the same arithmetic as the numpy one takes over by priority alone.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
import time
from dataclasses import dataclass

import numpy as np

__all__ = [
    "KINDS", "Problem", "Solver", "Plan", "Planner", "SOLVERS", "register_solver",
    "plan", "get_planner", "cache_info", "clear_cache", "NoSolverError",
]

_NORMS = ("backward", "ortho", "forward")
_ORDERS = ("natural", "sequency", "dyadic")

# What each kind accepts in its Problem fields.  ``norms=None`` means the kind has
# no normalisation (its norm is stored as "none"); ``orders`` likewise.  A backend
# that brings a new kind adds an entry here before registering its solvers.
KINDS: dict[str, dict] = {
    "wht": {"norms": _NORMS, "orders": _ORDERS},
    "haar": {"norms": _NORMS, "orders": None},
    "dft": {"norms": _NORMS, "orders": None},
    "rdft": {"norms": ("ortho",), "orders": None},
    "dct": {"norms": _NORMS, "orders": None},
    "dst": {"norms": _NORMS, "orders": None},
    "helmert": {"norms": ("ortho",), "orders": None},
    "kron": {"norms": None, "orders": None},
    "dense": {"norms": None, "orders": None},
    "identity": {"norms": None, "orders": None},
    "reed_muller": {"norms": None, "orders": None},
    "arithmetic": {"norms": None, "orders": None},
}


class NoSolverError(ValueError):
    """No registered solver applies to a problem."""


@dataclass(frozen=True)
class Problem:
    """A transform to compute, described without any array.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`: ``"wht"``, ``"haar"``, ``"dft"``, ``"rdft"``,
        ``"dct"``, ``"dst"``, ``"helmert"``, ``"kron"``, ``"dense"``,
        ``"identity"``, ``"reed_muller"``, ``"arithmetic"``.
    n : int
        Transform length.  For ``"kron"`` the product of the children's lengths.
    dtype : str
        Dtype of the data the plan works on (input of ``apply``).
    order : str
        WHT output order: ``"natural"``, ``"sequency"`` or ``"dyadic"``.
    norm : str
        scipy.fft normalisation, ``"backward"``, ``"ortho"`` or ``"forward"``.
        Kinds without a normalisation store ``"none"``.
    params : tuple of (name, value) pairs
        Kind parameters, e.g. ``(("type", 2),)`` for ``"dct"``; stored sorted.
    children : tuple of Problem
        ``"kron"`` factors, slowest-varying index first.

    Examples
    --------
    >>> p = Problem("dct", 8, params={"type": 2})
    >>> p
    Problem(kind='dct', n=8, dtype='float64', order='natural', norm='ortho', params=(('type', 2),), children=())
    >>> str(p)
    '(dct n=8 float64 type=2)'
    """

    kind: str
    n: int
    dtype: str = "float64"
    order: str = "natural"
    norm: str = "ortho"
    params: tuple = ()
    children: tuple = ()

    def __post_init__(self):
        put = object.__setattr__
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ValueError(f"Argument 'kind' must be one of {sorted(KINDS)}, not {self.kind!r}.")
        try:
            n = _index(self.n)
        except TypeError:
            raise TypeError(f"Argument 'n' must be an integer, not {type(self.n).__name__}.") from None
        if n < 1:
            raise ValueError(f"Argument 'n' must be a positive integer, not {n}.")
        put(self, "n", n)
        try:
            dtype = _dtype_name(self.dtype)
        except TypeError:
            raise TypeError(f"Argument 'dtype' must be a numpy dtype, not {self.dtype!r}.") from None
        put(self, "dtype", dtype)
        info = KINDS[self.kind]
        if info["norms"] is None:
            put(self, "norm", "none")
        elif self.norm not in info["norms"]:
            raise ValueError(
                f"Argument 'norm' must be one of {list(info['norms'])} for kind {self.kind!r}, "
                f"not {self.norm!r}.")
        if info["orders"] is None:
            put(self, "order", "natural")
        elif self.order not in info["orders"]:
            raise ValueError(f"Argument 'order' must be one of {list(info['orders'])}, not {self.order!r}.")
        params = self.params.items() if isinstance(self.params, dict) else self.params
        params = tuple(sorted((str(k), v) for k, v in params))
        for k, v in params:
            try:
                hash(v)
            except TypeError:
                raise TypeError(
                    f"Argument 'params' must have hashable values, not {type(v).__name__} for {k!r}.") from None
        put(self, "params", params)
        children = tuple(self.children)
        if any(not isinstance(c, Problem) for c in children):
            raise TypeError("Argument 'children' must be a tuple of Problem.")
        put(self, "children", children)
        if self.kind == "kron":
            if not children:
                raise ValueError("Argument 'children' must be non-empty for kind 'kron'.")
            prod = 1
            for c in children:
                prod *= c.n
            if prod != n:
                raise ValueError(
                    f"Argument 'n' must be the product of the children's lengths ({prod}) "
                    f"for kind 'kron', not {n}.")
        elif children:
            raise ValueError(f"Argument 'children' must be empty for kind {self.kind!r}.")

    def key(self) -> tuple:
        """The cache key: a nested tuple of plain values."""
        return (self.kind, self.n, self.dtype, self.order, self.norm, self.params,
                tuple(c.key() for c in self.children))

    def param(self, name, default=None):
        """Value of parameter ``name`` (``default`` when absent)."""
        for k, v in self.params:
            if k == name:
                return v
        return default

    def replace(self, **changes) -> "Problem":
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    def __str__(self):
        parts = [self.kind, f"n={self.n}", self.dtype]
        if self.order != "natural":
            parts.append(f"order={self.order}")
        if self.norm not in ("none", "ortho") or (self.kind == "wht" and self.norm != "none"):
            parts.append(f"norm={self.norm}")
        parts += [f"{k}={v}" for k, v in self.params if k != "sha1"]
        parts += [str(c) for c in self.children]
        return "(" + " ".join(parts) + ")"


_DTYPE_NAMES: dict = {}


def _dtype_name(d) -> str:
    """``np.dtype(d).name``, memoised (the property is slow on the hot path)."""
    try:
        return _DTYPE_NAMES[d]
    except (KeyError, TypeError):
        name = np.dtype(d).name
        try:
            _DTYPE_NAMES[d] = name
        except TypeError:
            pass
        return name


def _index(v):
    import operator
    if isinstance(v, (bool, np.bool_)):
        raise TypeError
    return operator.index(v)


class Solver:
    """One way of computing some problems (subclass and override).

    Attributes
    ----------
    name : str
        Short unique name, shown in ``Plan.describe()``.
    kinds : tuple of str
        Problem kinds this solver may handle.
    priority : int
        Tie-breaker among plans of equal ``ops`` (higher wins).  numpy solvers
        use 0; compiled backends use a positive value.
    accepts : str
        One line saying what it accepts, used in "no solver applies" errors.
    """

    name = "solver"
    kinds: tuple = ()
    priority = 0
    accepts = ""

    def applicable(self, problem: Problem) -> bool:
        """Whether :meth:`make_plan` can handle ``problem``."""
        return problem.kind in self.kinds

    def make_plan(self, problem: Problem, planner: "Planner", matrix=None) -> "Plan | None":
        """Build a plan for ``problem`` (``None`` if it turns out not to apply)."""
        raise NotImplementedError

    def __repr__(self):
        return f"<Solver {self.name} kinds={self.kinds} priority={self.priority}>"


class Plan:
    """An executable transform ``y = A x`` along one axis.

    Subclasses implement :meth:`_execute` on a C-contiguous ``(m, n)`` block
    whose dtype is :attr:`in_dtype` (forward) or :attr:`inv_in_dtype`
    (inverse); :meth:`apply` and :meth:`apply_inverse` handle axes, batch
    shapes, strides, dtype casts and ``out=``.

    Attributes
    ----------
    problem : Problem
    ops : int
        Operation count per transform of one vector (the planner's cost).
    solver : str
        Name of the solver that built it.
    children : tuple of Plan
    """

    solver = "plan"

    def __init__(self, problem: Problem, ops: int, children=()):
        self.problem = problem
        self.ops = int(ops)
        self.children = tuple(children)

    # dtype contract ------------------------------------------------------
    @property
    def in_dtype(self) -> np.dtype:
        """Dtype that :meth:`apply` casts its input to."""
        return np.dtype(self.problem.dtype)

    @property
    def out_dtype(self) -> np.dtype:
        """Dtype of :meth:`apply`'s result."""
        return self.in_dtype

    @property
    def inv_in_dtype(self) -> np.dtype:
        """Dtype that :meth:`apply_inverse` casts its input to."""
        return self.out_dtype

    @property
    def n(self) -> int:
        return self.problem.n

    # execution -----------------------------------------------------------
    def _execute(self, x: np.ndarray, inverse: bool, overwrite: bool) -> np.ndarray:
        """Transform the rows of the C-contiguous 2-D block ``x`` (may reuse it if ``overwrite``)."""
        raise NotImplementedError

    def apply(self, x, axis=-1, out=None, *, overwrite_x=False):
        """``y = A x`` along ``axis`` (any batch shape; ``out`` receives the result)."""
        return self._run(x, axis, out, False, overwrite_x)

    def apply_inverse(self, y, axis=-1, out=None, *, overwrite_x=False):
        """``x = A^{-1} y`` along ``axis``."""
        return self._run(y, axis, out, True, overwrite_x)

    def _run(self, x, axis, out, inverse, overwrite):
        x = np.asarray(x)
        if x.ndim == 0:
            raise ValueError("Argument 'x' must have at least 1 dimension, not a scalar.")
        ax = axis + x.ndim if axis < 0 else axis
        if not 0 <= ax < x.ndim:
            raise ValueError(f"Argument 'axis' must be in [-{x.ndim}, {x.ndim}), not {axis}.")
        n = self.problem.n
        if x.shape[ax] != n:
            raise ValueError(
                f"Argument 'x' must have length {n} along axis {axis} for plan {self.problem}, "
                f"not {x.shape[ax]}.")
        dt = self.inv_in_dtype if inverse else self.in_dtype
        if x.dtype.kind == "c" and dt.kind == "f":
            # a real plan has a real matrix: act on real and imaginary parts
            yr = self._run(x.real, axis, None, inverse, False)
            yi = self._run(x.imag, axis, None, inverse, False)
            y = yr + 1j * yi.astype(np.result_type(yi.dtype, np.complex64))
            if out is not None:
                if out.shape != y.shape:
                    raise ValueError(f"Argument 'out' must have shape {y.shape}, not {out.shape}.")
                np.copyto(out, y, casting="same_kind")
                return out
            return y
        if x.dtype != dt:
            if not np.can_cast(x.dtype, dt, "same_kind") and not (
                    x.dtype.kind in "biu" and dt.kind in "iufc"):
                raise TypeError(f"Plan for {self.problem} cannot take input of dtype {x.dtype}.")
            x = x.astype(dt)
            overwrite = True
        if ax != x.ndim - 1:
            x = np.moveaxis(x, ax, -1)
        batch = x.shape[:-1]
        if not x.flags.c_contiguous:
            x = np.ascontiguousarray(x)
            overwrite = True
        y = self._execute(x.reshape(-1, n), inverse, overwrite)
        y = y.reshape(batch + y.shape[-1:])
        if ax != x.ndim - 1:
            y = np.moveaxis(y, -1, ax)
        if out is not None:
            if out.shape != y.shape:
                raise ValueError(f"Argument 'out' must have shape {y.shape}, not {out.shape}.")
            np.copyto(out, y, casting="same_kind")
            return out
        return y

    def matrix(self) -> np.ndarray:
        """The dense matrix ``A`` (``apply`` of the identity; for tests and small n)."""
        eye = np.eye(self.problem.n, dtype=self.in_dtype)
        return self.apply(eye, axis=0)

    def describe(self) -> str:
        """S-expression of the plan tree, e.g. ``(kron 64 (wht-gemm16 8) (dft-scipy 8))``."""
        inner = "".join(" " + c.describe() for c in self.children)
        return f"({self.solver} {self.problem.n}{inner})"

    def __repr__(self):
        return f"<Plan {self.describe()} ops={self.ops} for {self.problem}>"


# ---------------------------------------------------------------------------
# Planner
# ---------------------------------------------------------------------------

SOLVERS: list = []      # FFTW's solvtab: every registered solver, in registration order


_BUILTINS = []


def _load_builtins():
    """Register the numpy solvers once (lazily, so that _plan has no import cycle)."""
    if _BUILTINS:
        return
    with _REGISTRY_LOCK:
        if _BUILTINS:
            return
        from ._solvers import NUMPY_SOLVERS
        from ._wht import WhtSolver
        names = {s.name for s in SOLVERS}
        for s in [WhtSolver(), *NUMPY_SOLVERS]:
            if s.name not in names:
                SOLVERS.append(s)
        _BUILTINS.append(True)


_REGISTRY_LOCK = threading.RLock()


def _paranoid() -> bool:
    return os.environ.get("ALGDIV_PARANOID", "") not in ("", "0")


class Planner:
    """Plans problems with the cheapest applicable solver and memoises the result.

    Parameters
    ----------
    solvers : list of Solver, optional
        Solver table; defaults to the shared :data:`SOLVERS` (live, so solvers
        registered later are seen after :meth:`clear_cache`).
    effort : {"estimate", "measure"}
        ``"estimate"`` ranks candidate plans by ``ops`` (deterministic);
        ``"measure"`` times each candidate on a small random batch.

    Notes
    -----
    The cache is guarded by a re-entrant lock, so planning is thread-safe and
    recursive solvers can plan their children through the same planner.  With
    ``ALGDIV_PARANOID=1`` every candidate plan (not only the winner) is checked
    against the definition of its problem before it is ranked.
    """

    def __init__(self, solvers=None, effort="estimate"):
        if effort not in ("estimate", "measure"):
            raise ValueError(f"Argument 'effort' must be 'estimate' or 'measure', not {effort!r}.")
        self._solvers = SOLVERS if solvers is None else list(solvers)
        self.effort = effort
        self._lock = threading.RLock()
        self._cache: dict = {}
        self._infeasible: dict = {}
        self._hits = 0
        self._misses = 0
        self.generation = 0          # bumped by clear_cache: lets callers keep cheap memos

    @property
    def solvers(self):
        return tuple(self._solvers)

    def plan(self, problem: Problem, *, matrix=None) -> Plan:
        """The cached plan for ``problem`` (``matrix`` is required for kind ``"dense"``)."""
        if not isinstance(problem, Problem):
            raise TypeError(f"Argument 'problem' must be a Problem, not {type(problem).__name__}.")
        if problem.kind == "dense":
            if matrix is None:
                raise ValueError("Argument 'matrix' is required for kind 'dense'.")
            matrix = np.asarray(matrix)
            if matrix.shape != (problem.n, problem.n):
                raise ValueError(
                    f"Argument 'matrix' must have shape {(problem.n, problem.n)}, not {matrix.shape}.")
            if matrix.dtype.kind not in "iufc":
                raise TypeError(f"Argument 'matrix' must be numeric, not {matrix.dtype}.")
            from .. import _limits     # the plan keeps a contiguous copy; hashing makes another
            _limits.check_bytes(2.0 * matrix.size * max(matrix.itemsize, 8),
                                f"A dense plan of size n = {problem.n}")
            digest = hashlib.sha1(
                repr((matrix.shape, matrix.dtype.str)).encode()
                + np.ascontiguousarray(matrix).tobytes()).hexdigest()[:16]
            params = tuple(p for p in problem.params if p[0] != "sha1") + (("sha1", digest),)
            problem = problem.replace(params=params)
        elif matrix is not None:
            raise ValueError(f"Argument 'matrix' is only accepted for kind 'dense', not {problem.kind!r}.")
        key = problem.key()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._hits += 1
                return hit
            if key in self._infeasible:
                self._hits += 1
                raise NoSolverError(self._infeasible[key])
            self._misses += 1
            best = self._search(problem, matrix)
            self._cache[key] = best
            return best

    def _search(self, problem, matrix):
        _load_builtins()
        candidates = []
        for idx, solver in enumerate(self._solvers):
            if problem.kind not in solver.kinds or not solver.applicable(problem):
                continue
            p = solver.make_plan(problem, self, matrix) if problem.kind == "dense" \
                else solver.make_plan(problem, self)
            if p is None:
                continue
            if _paranoid():
                _check_plan(p, matrix)
            candidates.append((solver, idx, p))
        if not candidates:
            avail = [f"{s.name} ({s.accepts})" if s.accepts else s.name
                     for s in self._solvers if problem.kind in s.kinds]
            msg = f"no solver applies to {problem}; available: " + (
                "; ".join(avail) if avail else f"none for kind {problem.kind!r}")
            self._infeasible[problem.key()] = msg
            raise NoSolverError(msg)
        if self.effort == "measure" and len(candidates) > 1:
            return min(candidates, key=lambda c: (_measure(c[2]), c[1]))[2]
        return min(candidates, key=lambda c: (c[2].ops, -c[0].priority, c[1]))[2]

    def cache_info(self) -> dict:
        """``{"hits", "misses", "size", "infeasible"}`` of the memo table."""
        with self._lock:
            return {"hits": self._hits, "misses": self._misses,
                    "size": len(self._cache), "infeasible": len(self._infeasible)}

    def clear_cache(self) -> None:
        """Forget every memoised plan (needed after registering a solver)."""
        with self._lock:
            self._cache.clear()
            self._infeasible.clear()
            self._hits = self._misses = 0
            self.generation += 1


def _measure(p: Plan) -> float:
    rng = np.random.default_rng(0)
    m = max(1, 4096 // p.problem.n)
    x = rng.standard_normal((m, p.problem.n))
    if p.in_dtype.kind == "c":
        x = x + 1j * rng.standard_normal(x.shape)
    if p.in_dtype.kind in "iu":
        x = rng.integers(0, 2, x.shape)
    x = x.astype(p.in_dtype)
    p.apply(x)
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        p.apply(x)
        best = min(best, time.perf_counter() - t)
    return best


def _check_plan(p: Plan, matrix) -> None:
    """Paranoid hook: compare a candidate plan with the problem's definition."""
    from ._reference import reference_matrix
    prob = p.problem
    if prob.n > 1024:
        return
    ref = reference_matrix(prob, matrix)
    rng = np.random.default_rng(12345)
    if prob.kind == "reed_muller":
        x = rng.integers(0, 2, (3, prob.n)).astype(p.in_dtype)
        want = (x.astype(np.int64) @ ref.T.astype(np.int64)) % 2
        ok = np.array_equal(p.apply(x), want)
    else:
        x = rng.standard_normal((3, prob.n))
        if p.in_dtype.kind in "iu":
            x = rng.integers(-8, 9, (3, prob.n))
        x = x.astype(p.in_dtype)
        want = x.astype(np.complex128) @ ref.T
        got = p.apply(x)
        tol = 1e3 * np.finfo(np.float32 if p.in_dtype in (np.float32, np.complex64)
                             else np.float64).eps * max(1.0, np.log2(prob.n))
        ok = np.linalg.norm(got - want) <= tol * max(np.linalg.norm(want), 1e-300)
        if ok and p.inv_in_dtype.kind in "fc" and prob.kind != "dense":
            back = p.apply_inverse(got)
            ok = np.linalg.norm(back - x) <= tol * max(np.linalg.norm(x), 1e-300)
    if not ok:
        raise AssertionError(f"ALGDIV_PARANOID: plan {p.describe()} disagrees with {prob}")


_PLANNER = Planner()


def register_solver(solver: Solver, *, first: bool = False) -> None:
    """Add ``solver`` to :data:`SOLVERS` and clear the default planner's cache.

    A backend calls this at import; its plans then compete with the numpy
    ones on ``ops`` and, at equal ``ops``, win by ``solver.priority``.
    """
    if not isinstance(solver, Solver):
        raise TypeError(f"Argument 'solver' must be a Solver, not {type(solver).__name__}.")
    _load_builtins()
    with _REGISTRY_LOCK:
        if any(s.name == solver.name for s in SOLVERS):
            raise ValueError(
                f"Argument 'solver' must have a new name, not {solver.name!r} (already registered).")
        if first:
            SOLVERS.insert(0, solver)
        else:
            SOLVERS.append(solver)
    _PLANNER.clear_cache()


def get_planner() -> Planner:
    """The shared default planner."""
    return _PLANNER


def plan(problem: Problem, *, matrix=None) -> Plan:
    """Plan ``problem`` through the shared, cached planner.

    Parameters
    ----------
    problem : Problem
    matrix : array_like, optional
        The explicit matrix, required for ``kind="dense"`` (and only then).

    Returns
    -------
    Plan

    Raises
    ------
    NoSolverError
        (a ``ValueError``) when no registered solver applies.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.transforms import Problem, plan
    >>> p = plan(Problem("wht", 4, norm="backward"))
    >>> p.apply(np.array([1.0, 0.0, 0.0, 0.0]))
    array([1., 1., 1., 1.])
    >>> k = plan(Problem("kron", 8, children=(Problem("haar", 2), Problem("dct", 4))))
    >>> k.describe()
    '(kron 8 (haar-pyramid 2) (dct2-scipy 4))'
    """
    return _PLANNER.plan(problem, matrix=matrix)


def cache_info() -> dict:
    """Statistics of the shared planner's cache."""
    return _PLANNER.cache_info()


def clear_cache() -> None:
    """Empty the shared planner's cache."""
    _PLANNER.clear_cache()
