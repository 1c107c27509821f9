"""The :class:`PermutationGroup` class: a finite group acting on ``0..N-1``."""
from __future__ import annotations

import math
import numbers
import operator

import numpy as np

from ._limits import SizeLimitError, check_bytes
from ._orbitals import canonical_labels, pair_orbits, point_orbits

__all__ = ["PermutationGroup", "ELEMENTS_LIMIT", "CAYLEY_LIMIT"]

#: Largest group order for which :meth:`PermutationGroup.elements` lists elements.
ELEMENTS_LIMIT = 100_000
#: Largest group order for which :meth:`PermutationGroup.cayley_graph` builds a graph.
CAYLEY_LIMIT = 20_000


def _as_int(value, name: str, minimum: int = 0) -> int:
    """Validate a non-negative integer argument (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Argument {name!r} must be an integer, not {type(value).__name__} {value!r}.")
    value = operator.index(value)
    if value < minimum:
        raise ValueError(f"Argument {name!r} must be an integer >= {minimum}, not {value}.")
    return value


def _as_tol(tol) -> float:
    """A relative tolerance: a finite real number >= 0."""
    from .._checks import check_real

    return check_real(tol, "tol", min=0.0)


def _validate_generators(generators, degree):
    """Return a ``(k, N)`` intp array of validated permutations in array form."""
    if isinstance(generators, np.ndarray) and generators.ndim == 2:
        rows = list(generators)
    else:
        if isinstance(generators, np.ndarray) and generators.ndim == 1 and generators.size:
            raise ValueError(
                "Argument 'generators' must be a sequence of permutations (2-D), "
                f"not a 1-D array of shape {generators.shape}; wrap a single generator in a list."
            )
        try:
            rows = list(generators)
        except TypeError:
            raise TypeError(
                "Argument 'generators' must be a sequence of permutations in array form, "
                f"not {type(generators).__name__}."
            ) from None
    arrays = []
    for idx, g in enumerate(rows):
        if hasattr(g, "array_form"):  # sympy Permutation
            g = list(g.array_form)
        arr = np.asarray(g)
        if arr.dtype.kind not in "iu":
            raise TypeError(
                f"Generator {idx} must contain integers (array form, perm[i] = sigma(i)), "
                f"not dtype {arr.dtype}."
            )
        if arr.ndim != 1:
            raise ValueError(f"Generator {idx} must be 1-D (array form), not of shape {arr.shape}.")
        arrays.append(arr)
    if degree is None:
        if not arrays:
            raise ValueError("Argument 'degree' is required when there are no generators.")
        degree = arrays[0].size
    degree = _as_int(degree, "degree", minimum=1)
    check_bytes(8 * (len(arrays) + 3) * degree,
                f"a permutation group on {degree} points with {len(arrays)} generators")
    out = np.empty((len(arrays), degree), dtype=np.intp)
    for idx, arr in enumerate(arrays):
        if arr.size != degree:
            raise ValueError(
                f"Generator {idx} has length {arr.size}, but the group acts on {degree} points."
            )
        if arr.size and (arr.min() < 0 or arr.max() >= degree):
            bad = arr[(arr < 0) | (arr >= degree)][0]
            raise ValueError(
                f"Generator {idx} is not a permutation of 0..{degree - 1}: value {bad} is out of range."
            )
        counts = np.bincount(arr, minlength=degree)
        if np.any(counts != 1):
            dup = int(np.flatnonzero(counts > 1)[0])
            raise ValueError(
                f"Generator {idx} is not a permutation of 0..{degree - 1}: value {dup} appears "
                f"{counts[dup]} times."
            )
        out[idx] = arr
    return out, degree


def _format_order(order: int) -> str:
    if order < 10**12:
        return str(order)
    if order & (order - 1) == 0:
        return f"2**{order.bit_length() - 1}"
    log = math.log10(order)
    exponent = math.floor(log)
    return f"~{10 ** (log - exponent):.2f}e{exponent}"


class PermutationGroup:
    r"""A finite group acting on the points ``0..N-1`` by permutations.

    Convention (used throughout algdiv): a permutation :math:`\sigma` is stored in
    array form, ``perm[i] = sigma(i)``; its matrix is :math:`P_\sigma e_i =
    e_{\sigma(i)}`, so ``(P x)[perm] = x``; composition is :math:`(gh)(i) = g(h(i))`,
    i.e. ``g[h]``.  A matrix :math:`R` is *G-invariant* when :math:`P_g R P_g^T = R`
    for every :math:`g`, i.e. ``R[perm][:, perm] == R`` for every generator.

    Parameters
    ----------
    generators : sequence of permutations
        Each an integer sequence of length ``degree`` in array form (or a
        :class:`sympy.combinatorics.Permutation`).
    degree : int, optional
        Number of points; required when ``generators`` is empty.
    name : str, optional
        Readable name (default ``"generic"``).

    Raises
    ------
    TypeError
        A generator does not hold integers.
    ValueError
        A generator has the wrong length or is not a permutation.

    Notes
    -----
    The Reynolds operator is the orthogonal projection onto the commutant,

    .. math:: \Pi_G(R) = \frac{1}{|G|} \sum_{g \in G} P_g R P_g^T,
              \qquad \Pi_G(R)_{ij} = \operatorname{mean}\{R_{kl} : (k,l) \in G\cdot(i,j)\},

    the mean of ``R`` over each orbital (orbit of ``G`` on ordered pairs).  Orbitals
    come from closed forms for the named families and from union-find over the
    generators otherwise (``O(#gens N^2)``), never by listing the group.  Orders
    are exact Python integers: from closed forms, or from Schreier-Sims
    (:mod:`sympy.combinatorics`) for generic groups.

    References
    ----------
    .. [1] D. F. Holt, B. Eick, E. A. O'Brien, *Handbook of Computational Group
       Theory*, Chapman & Hall/CRC, 2005. :doi:`10.1201/9781420035216`

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.groups import PermutationGroup
    >>> G = PermutationGroup([[1, 2, 3, 0]])      # the 4-cycle
    >>> G.order(), G.n_orbitals()
    (4, 4)
    >>> G.orbitals()[0]
    array([0, 1, 2, 3], dtype=int32)
    """

    family = "generic"

    def __init__(self, generators, degree=None, *, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument 'name' must be a str or None, not {type(name).__name__}.")
        gens, degree = _validate_generators(generators, degree)
        # Drop identity generators: they add nothing and slow union-find down.
        ident = np.arange(degree)
        keep = [i for i in range(gens.shape[0]) if not np.array_equal(gens[i], ident)]
        self._setup(gens[keep], degree, name or "generic", "generic", {}, (), None)

    # -- construction helpers (used by the family constructors) ------------------
    def _setup(self, generators, degree, name, family, params, factors, order):
        generators = np.ascontiguousarray(generators, dtype=np.intp).reshape(-1, degree)
        generators.setflags(write=False)
        self._generators = generators
        self._degree = int(degree)
        self.name = name
        self.family = family
        self.params = dict(params)
        self.factors = tuple(factors)
        self._order = order
        self._labels = None
        self._counts = None
        self._point_labels = None

    @classmethod
    def _named(cls, generators, degree, *, name, family, params=None, factors=(), order=None):
        obj = cls.__new__(cls)
        obj._setup(np.asarray(generators, dtype=np.intp).reshape(-1, degree), degree, name,
                   family, params or {}, factors, order)
        return obj

    # -- basic attributes -------------------------------------------------------
    @property
    def degree(self) -> int:
        """Number of points ``N`` acted on."""
        return self._degree

    @property
    def generators(self) -> np.ndarray:
        """``(k, N)`` read-only intp array of generators in array form."""
        return self._generators

    @property
    def spec(self):
        """The group in the command line's grammar, or ``None`` (a generic group never saved).

        ``parse_group(G.spec)`` (and ``algdiv derive --group SPEC``) gives the group
        back: ``"dihedral:16"``, ``"dct:8:2"``, ``"direct(cyclic:4,tree:2)"``; a group
        read from a group file gives ``"@" + path`` (see :func:`algdiv.groups.save_group`).
        """
        from ._parse import group_spec

        return group_spec(self)

    def __repr__(self) -> str:
        if callable(self._order) and self.family == "symmetric" and self._degree > 1000:
            order = f"{self._degree}!"      # not evaluated: n! of a large n takes minutes
        else:
            order = _format_order(self.order())
        return f"PermutationGroup({self.name}, degree={self.degree}, order={order})"

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_labels"] = None  # recomputed on demand; keeps pickles small
        state["_counts"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._generators.setflags(write=False)

    # -- order ------------------------------------------------------------------
    def order(self) -> int:
        """Exact order ``|G|`` (Python int), from a closed form or Schreier-Sims."""
        if self._order is None:
            self._order = self._compute_order()
        elif callable(self._order):      # a closed form evaluated on first use (e.g. n!)
            self._order = int(self._order())
        return self._order

    def _compute_order(self) -> int:
        # Named constructors seed their closed-form order; this is the generic path.
        if self._generators.shape[0] == 0:
            return 1
        from sympy.combinatorics import Permutation
        from sympy.combinatorics import PermutationGroup as SymPyGroup

        perms = [Permutation([int(v) for v in g]) for g in self._generators]
        return int(SymPyGroup(perms).order())

    # -- orbits and orbitals -----------------------------------------------------
    def orbits(self) -> np.ndarray:
        """Orbit label of each point, ``(N,)`` int32, numbered by first occurrence."""
        if self._point_labels is None:
            labels = point_orbits(self._generators, self._degree)
            labels.setflags(write=False)
            self._point_labels = labels
        return self._point_labels

    def is_transitive(self) -> bool:
        """Whether the action has a single orbit."""
        return bool(self.orbits().max() == 0)

    def orbitals(self) -> np.ndarray:
        """Orbitals: ``(N, N)`` read-only int32 labels ``0..r-1`` of the orbits on pairs.

        ``labels[i, j] == labels[k, l]`` iff some ``g`` maps ``(i, j)`` to ``(k, l)``.
        Labels are numbered by first occurrence in row-major order.  Computed once
        and cached.

        Raises
        ------
        SizeLimitError
            The ``N x N`` label array (and its temporaries) would pass the memory limit.
        """
        if self._labels is None:
            from ._families import closed_orbitals

            n = self._degree
            check_bytes(16.0 * n * n, f"orbitals of {self.name} (N = {n}, N x N labels)")
            raw = closed_orbitals(self)
            if raw is None:
                labels = pair_orbits(self._generators, n)
            else:
                labels, canonical = raw
                if not canonical:
                    labels = canonical_labels(labels)
                labels = np.ascontiguousarray(labels, dtype=np.int32)
            labels.setflags(write=False)
            self._labels = labels
        return self._labels

    def n_orbitals(self) -> int:
        """Number of orbitals (rank of the action)."""
        return int(self.orbitals().max()) + 1 if self._degree else 0

    def _orbital_counts(self):
        if self._counts is None:
            self._counts = np.bincount(self.orbitals().ravel(), minlength=self.n_orbitals())
        return self._counts

    # -- Reynolds ------------------------------------------------------------------
    def _check_square(self, R, size, name="R", finite=False):
        try:
            R = np.asarray(R)
        except (ValueError, TypeError):
            raise TypeError(f"Argument {name!r} must be a numeric ({size}, {size}) array, "
                            f"not a ragged {type(R).__name__}.") from None
        if R.dtype.kind not in "biufc":
            raise TypeError(f"Argument {name!r} must be numeric, not dtype {R.dtype}.")
        if R.ndim != 2 or R.shape != (size, size):
            raise ValueError(f"Argument {name!r} must have shape ({size}, {size}), not {R.shape}.")
        if finite and R.dtype.kind in "fc" and not np.all(np.isfinite(R)):
            raise ValueError(f"Argument {name!r} must be finite; it holds NaN or inf.")
        return R

    def _reynolds_full(self, R):
        labels = self.orbitals().ravel()
        counts = self._orbital_counts()
        r = counts.size
        if np.iscomplexobj(R):
            re = np.bincount(labels, weights=R.real.ravel(), minlength=r)
            im = np.bincount(labels, weights=R.imag.ravel(), minlength=r)
            means = (re + 1j * im) / counts
        else:
            means = np.bincount(labels, weights=R.ravel().astype(np.float64), minlength=r) / counts
        return means[self.orbitals()]

    def reynolds(self, R) -> np.ndarray:
        r"""Project ``R`` onto the G-invariant matrices (the mean over each orbital).

        .. math:: \Pi_G(R) = \frac{1}{|G|}\sum_{g} P_g R P_g^T

        Parameters
        ----------
        R : (N, N) array_like
            Real or complex; not modified.

        Returns
        -------
        (N, N) ndarray
            float64 (complex128 for complex input).

        Examples
        --------
        >>> import numpy as np
        >>> from algdiv.groups import cyclic
        >>> cyclic(3).reynolds(np.arange(9.0).reshape(3, 3))
        array([[4., 3., 5.],
               [5., 4., 3.],
               [3., 5., 4.]])
        """
        R = self._check_square(R, self._degree)
        return self._reynolds_full(R)

    def is_invariant(self, R, tol: float = 1e-10) -> bool:
        r"""Whether :math:`\|R - \Pi_G(R)\|_F \le \mathrm{tol}\,\|R\|_F`.

        Raises
        ------
        ValueError
            ``R`` has the wrong shape or holds NaN or inf; ``tol`` is negative or NaN.
        """
        R = self._check_square(R, self._degree, finite=True)
        tol = _as_tol(tol)
        return self._residual(R, self.reynolds(R), tol)

    @staticmethod
    def _residual(R, P, tol):
        norm = np.linalg.norm(R)
        return bool(np.linalg.norm(R - P) <= tol * norm) if norm > 0 else True

    # -- elements -----------------------------------------------------------------
    def elements(self) -> np.ndarray:
        """All elements as a ``(|G|, N)`` intp array, identity first (small groups only).

        Raises
        ------
        SizeLimitError
            ``|G|`` is above :data:`ELEMENTS_LIMIT` or the array would pass the memory limit.
        """
        order = self.order()
        if order > ELEMENTS_LIMIT:
            raise SizeLimitError(
                f"{self.name} has {_format_order(order)} elements; elements() lists at most "
                f"{ELEMENTS_LIMIT} (algdiv.groups.ELEMENTS_LIMIT)."
            )
        check_bytes(8.0 * order * self._degree * 2, f"the elements of {self.name}")
        n = self._degree
        ident = np.arange(n, dtype=np.intp)
        seen = {ident.tobytes(): 0}
        elems = [ident]
        frontier = [ident]
        while frontier:
            nxt = []
            for g in frontier:
                for s in self._generators:
                    h = g[s]
                    key = h.tobytes()
                    if key not in seen:
                        seen[key] = len(elems)
                        elems.append(h)
                        nxt.append(h)
            frontier = nxt
        out = np.array(elems, dtype=np.intp).reshape(-1, n)
        if out.shape[0] != order:  # pragma: no cover - guards closed-form orders
            raise RuntimeError(f"enumerated {out.shape[0]} elements, expected {order}")
        return out

    def testing_elements(self) -> np.ndarray:
        """A few elements for generic tests: identity, generators, products and random words.

        Deterministic (fixed seed); never lists the group.
        """
        n = self._degree
        gens = list(self._generators)
        out = [np.arange(n, dtype=np.intp), *gens]
        for a in gens[:4]:
            for b in gens[:4]:
                out.append(a[b])
        rng = np.random.default_rng(20260512)
        for _ in range(6 if gens else 0):
            g = np.arange(n, dtype=np.intp)
            for idx in rng.integers(0, len(gens), size=8):
                g = g[gens[idx]]
            out.append(g)
        uniq = {}
        for g in out:
            uniq.setdefault(g.tobytes(), g)
        return np.array(list(uniq.values()), dtype=np.intp).reshape(-1, n)

    def cayley_graph(self):
        """Right Cayley graph: nodes ``0..|G|-1`` (attribute ``perm``), edges ``g -> g s``.

        Each edge carries ``generator`` (index of ``s``).  Small groups only
        (``|G| <=`` :data:`CAYLEY_LIMIT`).
        """
        import networkx as nx

        order = self.order()
        if order > CAYLEY_LIMIT:
            raise SizeLimitError(
                f"{self.name} has {_format_order(order)} elements; cayley_graph() builds graphs "
                f"of at most {CAYLEY_LIMIT} vertices (algdiv.groups.CAYLEY_LIMIT)."
            )
        elems = self.elements()
        index = {g.tobytes(): i for i, g in enumerate(elems)}
        graph = nx.DiGraph(name=f"Cayley graph of {self.name}")
        for i, g in enumerate(elems):
            graph.add_node(i, perm=tuple(int(v) for v in g))
        for i, g in enumerate(elems):
            for s_idx, s in enumerate(self._generators):
                graph.add_edge(i, index[g[s].tobytes()], generator=s_idx)
        return graph
