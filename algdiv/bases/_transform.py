"""The :class:`Transform` object: an orthonormal basis with a fast plan, and the KLT."""
from __future__ import annotations

import functools
import json
import os

import numpy as np

from ..groups._limits import check_bytes
from ..transforms import Plan, Problem, plan
from .._atomic import write_atomic

__all__ = ["Transform", "klt", "validate_cov", "dense_plan", "kron_plan", "eigh_desc"]

_FORMAT = "algdiv.Transform/1"


def validate_cov(cov, n=None, name="cov"):
    """Check a covariance: square (n x n), finite, Hermitian; return it symmetrized (float/complex)."""
    try:
        C = np.asarray(cov)
    except Exception:  # pragma: no cover - exotic inputs
        raise TypeError(f"Argument {name!r} must be array-like, not {type(cov).__name__}.") from None
    if C.dtype.kind not in "biufc":
        raise TypeError(f"Argument {name!r} must be numeric, not dtype {C.dtype}.")
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"Argument {name!r} must be a square matrix, not of shape {C.shape}.")
    if n is not None and C.shape[0] != n:
        raise ValueError(f"Argument {name!r} must have shape ({n}, {n}), not {C.shape}.")
    C = C.astype(np.complex128 if C.dtype.kind == "c" else np.float64)
    if not np.all(np.isfinite(C)):
        raise ValueError(f"Argument {name!r} must be finite; it contains NaN or Inf.")
    norm = np.linalg.norm(C)
    asym = np.linalg.norm(C - C.conj().T)
    if asym > 1e-8 * max(norm, np.finfo(float).tiny):
        raise ValueError(
            f"Argument {name!r} must be symmetric (Hermitian); ||cov - cov^H|| / ||cov|| = "
            f"{asym / norm:.2e}.")
    return (C + C.conj().T) / 2


def dense_plan(B):
    """A dense plan whose matrix is the analysis matrix ``B^H``."""
    A = np.ascontiguousarray(np.asarray(B).conj().T)
    dtype = "complex128" if A.dtype.kind == "c" else "float64"
    return plan(Problem("dense", A.shape[0], dtype=dtype), matrix=A)


def kron_plan(children):
    """Kronecker product of child plans (slowest-varying first).

    Through the planner when every child is described by its problem alone;
    otherwise (dense children carry a matrix) the Kronecker plan is assembled
    from the already-built child plans.
    """
    n = int(np.prod([c.problem.n for c in children]))
    dtype = np.result_type(*[np.dtype(c.out_dtype) for c in children]).name
    if all(_problem_only(c) for c in children):
        return plan(Problem("kron", n, dtype=dtype, children=tuple(c.problem for c in children)))
    from ..transforms._solvers import KronPlan

    return KronPlan(Problem("kron", n, dtype=dtype, children=tuple(c.problem for c in children)),
                    list(children))


def _problem_only(p) -> bool:
    if p.problem.kind == "dense":
        return False
    return all(_problem_only(c) for c in p.children)


_SINGLE = {"float64": "float32", "complex128": "complex64"}


def single_precision_plan(p: Plan):
    """The same transform planned in float32/complex64 (``None`` where no solver takes it)."""
    prob = p.problem
    low = _SINGLE.get(prob.dtype)
    if low is None:
        return p
    try:
        if prob.kind == "dense":
            return plan(Problem("dense", prob.n, dtype=low), matrix=np.asarray(p.matrix()).astype(low))
        if prob.kind == "kron":
            kids = [single_precision_plan(c) for c in p.children]
            return None if None in kids else kron_plan(kids)
        return plan(prob.replace(dtype=low))
    except (ValueError, TypeError):
        return None


def _array_kind(x) -> str:
    """``"dask"``, ``"cupy"`` or ``"numpy"`` from the type's module (imports nothing)."""
    root = type(x).__module__.partition(".")[0]
    return root if root in ("dask", "cupy") else "numpy"


def _apply_block(transform, block, *, axis, inverse):
    """One dask block through the transform (numpy or cupy block)."""
    return transform.inverse(block, axis=axis) if inverse else transform.forward(block, axis=axis)


# -- plan (de)serialization for save/load ----------------------------------------


def _plan_spec(p: Plan, arrays: dict) -> dict:
    prob = p.problem
    spec = {"kind": prob.kind, "n": prob.n, "dtype": prob.dtype, "order": prob.order,
            "norm": prob.norm, "params": [[k, v] for k, v in prob.params if k != "sha1"]}
    if prob.kind == "dense":
        key = f"plan_matrix_{len(arrays)}"
        arrays[key] = np.asarray(p.matrix())
        spec["matrix"] = key
    elif prob.kind == "kron":
        spec["children"] = [_plan_spec(c, arrays) for c in p.children]
    return spec


def _build_plan(spec: dict, arrays) -> Plan:
    kind = spec["kind"]
    if kind == "dense":
        A = arrays[spec["matrix"]]
        return plan(Problem("dense", A.shape[0], dtype="complex128" if A.dtype.kind == "c" else "float64"),
                    matrix=A)
    if kind == "kron":
        return kron_plan([_build_plan(c, arrays) for c in spec["children"]])
    kwargs = {"dtype": spec["dtype"], "params": {k: v for k, v in spec["params"]}}
    if spec["norm"] != "none":
        kwargs["norm"] = spec["norm"]
    if kind == "wht":
        kwargs["order"] = spec["order"]
    return plan(Problem(kind, spec["n"], **kwargs))


class Transform:
    r"""An orthonormal basis :math:`B` together with a fast plan for :math:`B^H`.

    Returned by :func:`algdiv.matched_transform` and :func:`algdiv.klt`.  The
    columns of :attr:`matrix` are the basis vectors (:math:`B^H B = I`);
    :meth:`forward` computes :math:`B^H x` and :meth:`inverse` :math:`B y`, both
    through :attr:`plan` (e.g. an ``O(N log N)`` FFT or an ``O(N)`` Haar plan).

    Attributes
    ----------
    plan : algdiv.transforms.Plan
        Its matrix is the analysis matrix :math:`B^H`.
    labels : (N,) int64 ndarray
        Isotypic component of each column: columns with equal labels span one
        isotypic component of the group's action (see :attr:`components`).
    components : (r, 2) int64 ndarray
        Row ``c``: ``(dim, multiplicity)`` of component ``c``: the dimension of one
        irreducible copy and the number of copies (= distinct eigenvalues of a
        generic invariant covariance there).
    field : {"real", "complex"}
    group : str
        Name of the group it was matched to.
    method : str
        How the basis was built (``"dft"``, ``"kron"``, ``"wreath"``, ``"isotypic"``, ``"klt"``, ...).
    unique : bool
        True when the basis diagonalizes *every* invariant covariance (all
        multiplicities one, or every block finished by a covariance); False when
        blocks of multiplicity > 1 were left with a data-independent basis.
    data_dependent : bool
        Whether a covariance was used to build the basis.

    A ``Transform`` is callable: ``T(x)`` is ``T.forward(x)``.  float32 and
    complex64 input stays in single precision wherever the plan has a
    single-precision form (every structured plan: FFT, DCT/DST, WHT, Haar,
    Helmert, Kronecker products; dense plans too), as :func:`algdiv.transforms.fwht`
    does; other input is computed in float64/complex128.

    Examples
    --------
    >>> import numpy as np, algdiv
    >>> T = algdiv.matched_transform(algdiv.groups.cyclic(8), field="complex")
    >>> x = np.arange(8.0)
    >>> bool(np.allclose(T(x), np.fft.fft(x, norm="ortho")))
    True
    >>> bool(np.allclose(T.matrix.conj().T @ x, T(x)))     # forward is B^H x
    True
    >>> T(x.astype(np.float32)).dtype
    dtype('complex64')
    >>> bool(np.allclose(T.inverse(T.forward(x)), x))
    True
    """

    def __init__(self, plan, labels, components, *, field, group, method, unique=True,
                 data_dependent=False, matrix=None):
        self.plan = plan
        self.labels = np.asarray(labels, dtype=np.int64)
        self.components = np.asarray(components, dtype=np.int64).reshape(-1, 2)
        self.field = field
        self.group = group
        self.method = method
        self.unique = bool(unique)
        self.data_dependent = bool(data_dependent)
        self._matrix = None if matrix is None else np.asarray(matrix)
        if self._matrix is not None:
            self._matrix.setflags(write=False)
        self.labels.setflags(write=False)

    @property
    def n(self) -> int:
        """Size ``N`` of the transform."""
        return self.plan.problem.n

    @property
    def matrix(self) -> np.ndarray:
        """The basis :math:`B` (columns orthonormal), read-only; computed from the plan on first access."""
        if self._matrix is None:
            check_bytes(16.0 * self.n * self.n, f"the dense {self.n} x {self.n} basis of {self.group}")
            B = np.asarray(self.plan.matrix()).conj().T
            B = np.ascontiguousarray(B)
            B.setflags(write=False)
            self._matrix = B
        return self._matrix

    @property
    def resolution(self) -> int:
        """Distinct eigenvalues of a generic invariant covariance: the sum of multiplicities."""
        return int(self.components[:, 1].sum())

    def forward(self, x, axis=-1):
        """Analysis :math:`y = B^H x` along ``axis`` (through :attr:`plan`).

        A dask array gives a lazy dask array (the plan runs on each block, the
        ``axis`` rechunked whole: :func:`algdiv.transforms._dask.map_along_axes`);
        a cupy array is multiplied by :math:`B^H` on the GPU.
        """
        kind = _array_kind(x)
        if kind == "dask":
            return self._dask(x, axis, False)
        if kind == "cupy":
            return self._cupy(x, axis, False)
        return self._plan_for(x).apply(x, axis=axis)

    def __call__(self, x, axis=-1):
        """``T(x)`` is :meth:`forward`: :math:`B^H x` along ``axis``."""
        return self.forward(x, axis=axis)

    def _plan_for(self, x):
        """The single-precision plan for float32/complex64 arrays (where there is one)."""
        dt = getattr(x, "dtype", None)
        if dt is None or np.dtype(dt) not in (np.float32, np.complex64):
            return self.plan
        if "_single_plan" not in self.__dict__:
            self._single_plan = single_precision_plan(self.plan)
        return self._single_plan or self.plan

    def inverse(self, y, axis=-1):
        """Synthesis :math:`x = B y` along ``axis`` (through :attr:`plan`; dask and cupy as :meth:`forward`)."""
        kind = _array_kind(y)
        if kind == "dask":
            return self._dask(y, axis, True)
        if kind == "cupy":
            return self._cupy(y, axis, True)
        return self._plan_for(y).apply_inverse(y, axis=axis)

    def _dask(self, x, axis, inverse):
        from ..transforms._dask import map_along_axes
        if not isinstance(axis, (int, np.integer)) or not -x.ndim <= axis < x.ndim:
            raise ValueError(f"Argument 'axis' must be an int in [-{x.ndim}, {x.ndim}), not {axis!r}.")
        if x.shape[axis] != self.n:
            raise ValueError(f"Argument 'x' must have length {self.n} along axis {axis}, not {x.shape[axis]}.")
        func = functools.partial(_apply_block, self, axis=int(axis), inverse=inverse)
        shape = [1] * x.ndim
        shape[axis] = self.n
        dtype = func(np.zeros(shape, dtype=x.dtype)).dtype
        return map_along_axes(func, x, [axis], dtype=dtype,
                              what=f"Transform.{'inverse' if inverse else 'forward'}()")

    def _cupy(self, x, axis, inverse):
        import cupy as cp
        if x.shape[axis] != self.n:
            raise ValueError(f"Argument 'x' must have length {self.n} along axis {axis}, not {x.shape[axis]}.")
        prob = self.plan.problem
        if prob.kind == "wht" and not self.plan.children and x.dtype.kind in "fc":
            # the GPU FWHT kernels (algdiv.gpu) instead of a dense product
            from ..transforms import fwht, ifwht
            return (ifwht if inverse else fwht)(x, axis=axis, norm=prob.norm, order=prob.order)
        B = self.matrix
        M = B if inverse else B.conj().T              # acts on column vectors
        if np.isrealobj(M):
            M = M.astype(np.result_type(M.dtype, np.float64))
        rows = cp.moveaxis(x, axis, -1)
        y = rows @ cp.asarray(M.T)
        return cp.moveaxis(y, -1, axis)

    def spectrum(self, cov) -> np.ndarray:
        r"""The diagonal of :math:`B^H R B` (the variances of the coefficients), real.

        Computed through the plan, along rows only: with :math:`A = B^H` and
        Hermitian :math:`R`, :math:`V = (\bar R A^T)^T = A R` and
        :math:`A R A^H = \overline{\bar V A^T}`.

        Raises
        ------
        ValueError
            ``cov`` has the wrong shape, is not symmetric (Hermitian) or not finite.
        """
        C = validate_cov(cov, self.n)
        V = np.ascontiguousarray(self.plan.apply(C.conj(), axis=-1).T)
        S = self.plan.apply(V.conj(), axis=-1)
        return np.real(np.diagonal(S)).copy()

    def __repr__(self):
        return (f"Transform({self.plan.describe()} for {self.group}, field={self.field!r}, "
                f"method={self.method!r}, resolution={self.resolution}; "
                f".matrix = B holds the basis as columns, forward(x) = B^H x)")

    # -- persistence --------------------------------------------------------------
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_single_plan", None)
        if _problem_only(self.plan):
            state["_matrix"] = None  # recomputed from the plan on demand
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.labels.setflags(write=False)

    def save(self, path) -> None:
        """Write the transform to an ``.npz`` file (atomically: temp file + rename).

        Structured plans are stored by description, dense ones by their matrix;
        :meth:`load` rebuilds the same plan.  No pickles are written.
        """
        path = os.fspath(path)
        arrays: dict = {}
        meta = {"format": _FORMAT, "field": self.field, "group": self.group, "method": self.method,
                "unique": self.unique, "data_dependent": self.data_dependent,
                "plan": _plan_spec(self.plan, arrays)}
        arrays["meta"] = np.array(json.dumps(meta))
        arrays["labels"] = np.asarray(self.labels)
        arrays["components"] = np.asarray(self.components)
        write_atomic(path, lambda fh: np.savez(fh, **arrays))

    @classmethod
    def load(cls, path) -> "Transform":
        """Read a transform written by :meth:`save` (``allow_pickle=False``).

        Raises
        ------
        ValueError
            The file is not an algdiv transform.
        """
        try:
            with np.load(os.fspath(path), allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise ValueError(f"Cannot read a Transform from {os.fspath(path)!r}: {exc}") from None
        try:
            meta = json.loads(str(arrays["meta"]))
            if meta.get("format") != _FORMAT:
                raise KeyError("format")
        except (KeyError, json.JSONDecodeError):
            raise ValueError(f"{os.fspath(path)!r} is not an algdiv Transform file "
                             f"(expected format {_FORMAT!r}).") from None
        p = _build_plan(meta["plan"], arrays)
        return cls(p, arrays["labels"], arrays["components"], field=meta["field"], group=meta["group"],
                   method=meta["method"], unique=meta["unique"], data_dependent=meta["data_dependent"])


def _fix_signs(V):
    """Make the largest-magnitude entry of each column real positive (the first one on ties)."""
    mag = np.abs(V)
    idx = np.argmax(mag >= mag.max(axis=0, keepdims=True) * (1 - 1e-9), axis=0)
    pivot = V[idx, np.arange(V.shape[1])]
    return V / (pivot / np.abs(pivot))


def eigh_desc(C):
    """Eigen-decomposition with descending eigenvalues and deterministic signs."""
    import scipy.linalg

    w, V = scipy.linalg.eigh(C)
    w, V = w[::-1], V[:, ::-1]
    return w, _fix_signs(V)


def klt(cov) -> Transform:
    r"""The Karhunen-Loeve transform of ``cov``: its eigenbasis, eigenvalues descending.

    The matched transform of the trivial group.  Each column's largest-magnitude
    entry is made positive (real positive for complex ``cov``), so the result is
    deterministic.

    Parameters
    ----------
    cov : (N, N) array_like
        Symmetric (Hermitian) and finite.

    Raises
    ------
    ValueError
        ``cov`` is not square, not symmetric or not finite.

    Examples
    --------
    >>> import numpy as np, algdiv
    >>> T = algdiv.klt(np.array([[2.0, 1.0], [1.0, 2.0]]))
    >>> T.spectrum(np.array([[2.0, 1.0], [1.0, 2.0]]))
    array([3., 1.])
    >>> T.matrix * np.sqrt(2)
    array([[ 1.,  1.],
           [ 1., -1.]])
    """
    C = validate_cov(cov)
    n = C.shape[0]
    _, V = eigh_desc(C)
    field = "complex" if np.iscomplexobj(C) else "real"
    return Transform(dense_plan(V), np.zeros(n), [[1, n]], field=field, group=f"trivial({n})",
                     method="klt", unique=True, data_dependent=True, matrix=V)
