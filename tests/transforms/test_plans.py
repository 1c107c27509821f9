"""Problem / Solver / Plan / Planner: every kind against an independent dense truth."""
import pickle
import threading

import numpy as np
import pytest
import scipy.fft as sfft
import scipy.linalg as sl

from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import (
    SOLVERS, NoSolverError, Plan, Planner, Problem, Solver, cache_info, clear_cache, get_planner,
    paley_hadamard, plan, register_solver,
)

RNG_SEED = 20261125


# ---------------------------------------------------------------------------
# independent dense truths (written here, not imported from the library)
# ---------------------------------------------------------------------------
def bitrev(k, bits):
    return int(format(k, f"0{bits}b")[::-1], 2) if bits else 0


def sign_changes(row):
    return int(np.sum(row[1:] != row[:-1]))


def wht_truth(n, order, norm):
    if n & (n - 1) == 0:
        H = sl.hadamard(n).astype(float)
        bits = n.bit_length() - 1
        if order == "dyadic":
            H = H[[bitrev(k, bits) for k in range(n)]]
        elif order == "sequency":
            # sort rows by their number of sign changes (Walsh order, by definition)
            H = H[np.argsort([sign_changes(r) for r in H], kind="stable")]
    else:
        m = 4 * (n // (n & -n))                # n = m * 2^k with m in {12, 20, 28}
        H = np.kron(paley_hadamard(m), sl.hadamard(n // m)).astype(float)
    scale = {"backward": 1.0, "ortho": n ** -0.5, "forward": 1.0 / n}[norm]
    return H * scale


def haar_truth(n):
    """Orthonormal Haar from the recursion H_2m = [H_m (x) (1,1)/sqrt2 ; I_m (x) (1,-1)/sqrt2]."""
    H = np.ones((1, 1))
    while H.shape[0] < n:
        m = H.shape[0]
        H = np.vstack([np.kron(H, [1, 1]) / np.sqrt(2), np.kron(np.eye(m), [1, -1]) / np.sqrt(2)])
    return H


def rdft_truth(N):
    t = np.arange(N)
    rows = [np.ones(N) / np.sqrt(N)]
    for k in range(1, (N + 1) // 2):
        rows += [np.sqrt(2 / N) * np.cos(2 * np.pi * k * t / N), np.sqrt(2 / N) * np.sin(2 * np.pi * k * t / N)]
    if N % 2 == 0:
        rows.append(np.cos(np.pi * t) / np.sqrt(N))
    return np.array(rows)


def dct_truth(kind, t, n):
    """Orthonormal DCT/DST-I..IV from the closed forms (Britanak-Yip-Rao), not via scipy."""
    j = np.arange(n)[None, :]
    k = np.arange(n)[:, None]
    if kind == "dct":
        if t == 1:
            A = np.cos(np.pi * k * j / (n - 1))
            w = np.ones(n)
            w[[0, -1]] = 1 / np.sqrt(2)
            return np.sqrt(2 / (n - 1)) * w[:, None] * A * w[None, :]
        if t == 2:
            A = np.sqrt(2 / n) * np.cos(np.pi * k * (2 * j + 1) / (2 * n))
            A[0] /= np.sqrt(2)
            return A
        if t == 3:
            return dct_truth("dct", 2, n).T
        return np.sqrt(2 / n) * np.cos(np.pi * (2 * k + 1) * (2 * j + 1) / (4 * n))
    if t == 1:
        return np.sqrt(2 / (n + 1)) * np.sin(np.pi * (k + 1) * (j + 1) / (n + 1))
    if t == 2:
        A = np.sqrt(2 / n) * np.sin(np.pi * (k + 1) * (2 * j + 1) / (2 * n))
        A[-1] /= np.sqrt(2)
        return A
    if t == 3:
        return dct_truth("dst", 2, n).T
    return np.sqrt(2 / n) * np.sin(np.pi * (2 * k + 1) * (2 * j + 1) / (4 * n))


def subset_matrix(n):
    return np.array([[1 if (s & x) == s else 0 for s in range(n)] for x in range(n)])


def arith_truth(n):
    return np.round(np.linalg.inv(subset_matrix(n))).astype(np.int64)


CASES = []
for n in (1, 2, 4, 8, 32, 128, 256):
    for order in ("natural", "sequency", "dyadic"):
        for norm in ("backward", "ortho", "forward"):
            CASES.append((Problem("wht", n, order=order, norm=norm), wht_truth(n, order, norm)))
for n in (12, 24, 20, 40, 28, 112):
    CASES.append((Problem("wht", n, norm="ortho"), wht_truth(n, "natural", "ortho")))
for n in (1, 2, 8, 64):
    CASES.append((Problem("haar", n), haar_truth(n)))
for n in (1, 2, 5, 8, 9):
    for norm in ("backward", "ortho", "forward"):
        scale = {"backward": 1.0, "ortho": n ** -0.5, "forward": 1.0 / n}[norm]
        CASES.append((Problem("dft", n, "complex128", norm=norm), sfft.fft(np.eye(n), axis=0) * scale))
    CASES.append((Problem("rdft", n), rdft_truth(n)))
    CASES.append((Problem("helmert", n), sl.helmert(n, full=True)))
    CASES.append((Problem("identity", n), np.eye(n)))
for n in (2, 3, 8):
    for kind in ("dct", "dst"):
        for t in (1, 2, 3, 4):
            CASES.append((Problem(kind, n, params={"type": t}), dct_truth(kind, t, n)))
CASES.append((Problem("kron", 24, children=(Problem("wht", 8), Problem("dft", 3, "complex128"))),
              np.kron(wht_truth(8, "natural", "ortho"), sfft.fft(np.eye(3), axis=0, norm="ortho"))))
CASES.append((Problem("kron", 30, children=(Problem("helmert", 2), Problem("dct", 3), Problem("rdft", 5))),
              np.kron(np.kron(sl.helmert(2, full=True), dct_truth("dct", 2, 3)), rdft_truth(5))))
for n in (1, 2, 8, 32):
    CASES.append((Problem("arithmetic", n, "int64"), arith_truth(n)))
    CASES.append((Problem("arithmetic", n, "int64", params={"inverse": True}), subset_matrix(n)))


def _numpy_planner():
    from algdiv.transforms._solvers import NUMPY_SOLVERS
    from algdiv.transforms._wht import WhtSolver
    return Planner(solvers=[WhtSolver(), *NUMPY_SOLVERS])


NUMPY_PLANNER = _numpy_planner()


@pytest.mark.parametrize("which", ["default", "numpy"])
@pytest.mark.parametrize("problem,truth", CASES, ids=[str(c[0]) for c in CASES])
def test_plan_apply_matrix_truth(problem, truth, which):
    """Every kernel (whatever wins in the default planner, and the numpy one) vs one oracle."""
    p = plan(problem) if which == "default" else NUMPY_PLANNER.plan(problem)
    rng = np.random.default_rng(RNG_SEED)
    tol = fast_tol(np.float64, problem.n) * 4
    A = p.matrix()
    assert_close_in_norm(A, truth, tol)
    if problem.dtype == "int64":
        x = rng.integers(-9, 10, (3, problem.n))
        np.testing.assert_array_equal(p.apply(x), x @ truth.T)
        np.testing.assert_array_equal(p.apply_inverse(p.apply(x)), x)
        return
    x = rng.standard_normal((3, problem.n))
    y = p.apply(x)
    assert_close_in_norm(y, x @ truth.T, tol, axis=-1)
    assert_close_in_norm(p.apply_inverse(y), x, tol, axis=-1)
    # along another axis of a 3-d, non-contiguous batch
    z = rng.standard_normal((problem.n, 2, 5))[:, :, ::2]
    yz = p.apply(z, axis=0)
    assert_close_in_norm(yz, np.einsum("ij,jab->iab", truth, z), tol)


def test_orthonormal_kinds_are_orthonormal():
    for prob in (Problem("rdft", 10), Problem("helmert", 7), Problem("haar", 16), Problem("dct", 6),
                 Problem("dst", 6, params={"type": 4}), Problem("wht", 20)):
        A = plan(prob).matrix()
        np.testing.assert_allclose(A @ A.T, np.eye(prob.n), atol=8 * np.finfo(float).eps * prob.n)


def test_reed_muller_plan():
    rng = np.random.default_rng(RNG_SEED)
    for n in (1, 2, 16, 64):
        p = plan(Problem("reed_muller", n, "uint8"))
        M = subset_matrix(n)
        np.testing.assert_array_equal(p.matrix(), M)
        x = rng.integers(0, 2, (4, n))
        np.testing.assert_array_equal(p.apply(x), (x @ M.T) % 2)
        np.testing.assert_array_equal(p.apply(p.apply(x)), x)


@pytest.mark.parametrize("which", ["default", "numpy"])
def test_float32_wht_plan_precision(which):
    rng = np.random.default_rng(RNG_SEED)
    n = 1024
    prob = Problem("wht", n, "float32", norm="ortho")
    p = plan(prob) if which == "default" else NUMPY_PLANNER.plan(prob)
    x = rng.standard_normal((4, n)).astype(np.float32)
    y = p.apply(x)
    assert y.dtype == np.float32
    assert_close_in_norm(y, x.astype(float) @ wht_truth(n, "natural", "ortho").T, fast_tol(np.float32, n), axis=-1)


def test_kron_vs_np_kron_random():
    rng = np.random.default_rng(RNG_SEED)
    prob = Problem("kron", 4 * 3 * 2, children=(Problem("haar", 4), Problem("dst", 3), Problem("wht", 2)))
    p = plan(prob)
    A = np.kron(np.kron(haar_truth(4), dct_truth("dst", 2, 3)), wht_truth(2, "natural", "ortho"))
    x = rng.standard_normal((5, 24))
    assert_close_in_norm(p.apply(x), x @ A.T, fast_tol(np.float64, 24) * 4, axis=-1)
    assert p.describe() in ("(kron 24 (haar-pyramid 4) (dst2-scipy 3) (wht-gemm16 2))",
                            "(kron 24 (haar-pyramid 4) (dst2-scipy 3) (wht-c 2))")
    assert p.ops == 6 * p.children[0].ops + 8 * p.children[1].ops + 12 * p.children[2].ops


def test_real_plan_on_complex_input():
    rng = np.random.default_rng(RNG_SEED)
    x = rng.standard_normal((2, 8)) + 1j * rng.standard_normal((2, 8))
    p = plan(Problem("haar", 8))
    y = p.apply(x)
    assert y.dtype == np.complex128
    assert_close_in_norm(y, x @ haar_truth(8).T, fast_tol(np.float64, 8))


def test_dense_plan():
    rng = np.random.default_rng(RNG_SEED)
    M = rng.standard_normal((6, 6))
    p = plan(Problem("dense", 6), matrix=M)
    x = rng.standard_normal((3, 6))
    assert_close_in_norm(p.apply(x), x @ M.T, fast_tol(np.float64, 6), axis=-1)
    assert_close_in_norm(p.apply_inverse(p.apply(x)), x, 1e3 * fast_tol(np.float64, 6), axis=-1)
    np.testing.assert_array_equal(p.matrix(), M)
    # same matrix -> same cached plan; a different matrix -> a different plan
    assert plan(Problem("dense", 6), matrix=M.copy()) is p
    assert plan(Problem("dense", 6), matrix=M + 1) is not p
    with pytest.raises(ValueError, match="Argument 'matrix' is required"):
        plan(Problem("dense", 6))
    with pytest.raises(ValueError, match="Argument 'matrix' must have shape"):
        plan(Problem("dense", 6), matrix=np.eye(5))
    with pytest.raises(ValueError, match="singular"):
        plan(Problem("dense", 2), matrix=np.ones((2, 2))).apply_inverse(np.ones(2))


# ---------------------------------------------------------------------------
# Problem
# ---------------------------------------------------------------------------
def test_problem_key_and_canonical_form():
    a = Problem("dct", 8, np.float32, params={"type": 2})
    b = Problem("dct", 8, "float32", params=(("type", 2),))
    assert a == b and hash(a) == hash(b) and a.key() == b.key()
    assert a.dtype == "float32"
    assert Problem("reed_muller", 8, "uint8").norm == "none"
    assert Problem("haar", 8).order == "natural"
    assert str(Problem("wht", 8, order="sequency")) == "(wht n=8 float64 order=sequency norm=ortho)"


@pytest.mark.parametrize("kwargs,match", [
    (dict(kind="fft", n=8), "Argument 'kind'"),
    (dict(kind="wht", n=0), "Argument 'n'"),
    (dict(kind="wht", n=8, norm="unitary"), "Argument 'norm'"),
    (dict(kind="wht", n=8, order="gray"), "Argument 'order'"),
    (dict(kind="rdft", n=8, norm="backward"), "Argument 'norm'"),
    (dict(kind="kron", n=8, children=(Problem("wht", 2), Problem("wht", 2))), "Argument 'n'"),
    (dict(kind="kron", n=8), "Argument 'children'"),
    (dict(kind="wht", n=8, children=(Problem("wht", 8),)), "Argument 'children'"),
])
def test_problem_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Problem(**kwargs)


def test_problem_type_errors():
    with pytest.raises(TypeError, match="Argument 'n'"):
        Problem("wht", 8.0)
    with pytest.raises(TypeError, match="Argument 'dtype'"):
        Problem("wht", 8, dtype="notadtype")
    with pytest.raises(TypeError, match="Argument 'problem'"):
        plan("wht")
    with pytest.raises(TypeError, match="Argument 'params' must have hashable values"):
        Problem("dct", 4, params={"type": [2]})
    with pytest.raises(TypeError, match="Argument 'children'"):
        Problem("kron", 4, children=("wht",))


# ---------------------------------------------------------------------------
# Planner
# ---------------------------------------------------------------------------
def test_no_solver_message_and_infeasible_memo():
    planner = Planner()
    prob = Problem("wht", 6, "float32")
    with pytest.raises(NoSolverError, match=r"no solver applies to \(wht n=6 float32 norm=ortho\); available: wht-gemm16 \(n = 2\^k"):
        planner.plan(prob)
    misses = planner.cache_info()["misses"]
    with pytest.raises(ValueError, match="no solver applies"):
        planner.plan(prob)
    info = planner.cache_info()
    assert info["misses"] == misses and info["infeasible"] == 1
    with pytest.raises(ValueError, match="no solver applies to .*int64"):
        planner.plan(Problem("wht", 8, "int64", norm="ortho"))


def test_cache_hits_and_clear():
    clear_cache()
    p1 = plan(Problem("wht", 16))
    p2 = plan(Problem("wht", 16))
    assert p1 is p2
    info = cache_info()
    assert info["hits"] >= 1 and info["size"] >= 1
    clear_cache()
    assert cache_info()["size"] == 0
    assert plan(Problem("wht", 16)) is not p1


class _Counting(Plan):
    """A correct identity plan that is distinguishable by its solver name."""
    solver = "counting"

    def _execute(self, x, inverse, overwrite):
        return x.copy()


class _CheapSolver(Solver):
    name = "cheap-negate"
    kinds = ("identity",)
    priority = 5

    def make_plan(self, problem, planner):
        return _Counting(problem, 0)


def test_priority_breaks_ties_and_private_solver_table():
    from algdiv.transforms._solvers import IdentitySolver
    planner = Planner(solvers=[IdentitySolver(), _CheapSolver()])
    p = planner.plan(Problem("identity", 4))
    assert p.solver == "counting"        # equal ops (0): higher priority wins
    planner2 = Planner(solvers=[IdentitySolver()])
    assert planner2.plan(Problem("identity", 4)).solver == "identity"


def test_register_solver_wins_on_cost():
    class FastWht(Plan):
        solver = "wht-test-fast"

        def _execute(self, x, inverse, overwrite):
            return x @ sl.hadamard(self.n) / (self.n if inverse else 1)

    class FastSolver(Solver):
        name = "wht-test-fast"
        kinds = ("wht",)
        priority = 1

        def applicable(self, p):
            return p.n == 4 and p.norm == "backward" and p.order == "natural"

        def make_plan(self, p, planner):
            return FastWht(p, 1)

    s = FastSolver()
    register_solver(s)
    try:
        p = plan(Problem("wht", 4, norm="backward"))
        assert p.solver == "wht-test-fast"
        np.testing.assert_array_equal(p.apply(np.eye(4)), sl.hadamard(4))
        with pytest.raises(ValueError, match="already registered"):
            register_solver(FastSolver())
    finally:
        SOLVERS.remove(s)
        clear_cache()
    assert plan(Problem("wht", 4, norm="backward")).solver != "wht-test-fast"
    with pytest.raises(TypeError, match="Argument 'solver'"):
        register_solver(object())


def test_planner_thread_safety():
    planner = Planner()
    problems = [Problem("wht", 2 ** k, order=o) for k in range(1, 9) for o in ("natural", "dyadic")]
    results = [[] for _ in range(4)]
    errors = []

    def work(i):
        try:
            for prob in problems * 3:
                results[i].append(planner.plan(prob))
        except Exception as e:           # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in results[1:]:
        assert all(a is b for a, b in zip(r, results[0]))
    info = planner.cache_info()
    assert info["size"] == len(problems) and info["misses"] == len(problems)


def test_measure_effort_picks_a_correct_plan():
    from algdiv.transforms._solvers import IdentitySolver
    planner = Planner(solvers=[IdentitySolver(), _CheapSolver()], effort="measure")
    p = planner.plan(Problem("identity", 8))
    assert p.solver in ("identity", "counting")
    with pytest.raises(ValueError, match="Argument 'effort'"):
        Planner(effort="patient")


def test_paranoid_hook_checks_every_candidate(monkeypatch):
    monkeypatch.setenv("ALGDIV_PARANOID", "1")

    class Wrong(Plan):
        solver = "wrong"

        def _execute(self, x, inverse, overwrite):
            return x[:, ::-1].copy()

    class WrongSolver(Solver):
        name = "wrong"
        kinds = ("wht",)
        priority = -1

        def make_plan(self, p, planner):
            return Wrong(p, 10 ** 9)        # never the winner, still checked

    from algdiv.transforms._wht import WhtSolver
    with pytest.raises(AssertionError, match="ALGDIV_PARANOID: plan \\(wrong 8\\)"):
        Planner(solvers=[WhtSolver(), WrongSolver()]).plan(Problem("wht", 8))
    ok = Planner()
    for prob, _ in CASES[::7]:
        ok.plan(prob)                        # every numpy solver passes the definition check


def test_plan_pickling_roundtrip():
    rng = np.random.default_rng(RNG_SEED)
    x = rng.standard_normal((2, 24))
    for prob in (Problem("wht", 24), Problem("wht", 16, order="sequency"),
                 Problem("kron", 24, children=(Problem("dct", 4), Problem("rdft", 6)))):
        if prob.n != x.shape[1]:
            xx = rng.standard_normal((2, prob.n))
        else:
            xx = x
        p = plan(prob)
        q = pickle.loads(pickle.dumps(p))
        assert q.problem == p.problem and q.describe() == p.describe()
        np.testing.assert_array_equal(q.apply(xx), p.apply(xx))


def test_plan_apply_errors():
    p = plan(Problem("wht", 8))
    with pytest.raises(ValueError, match="Argument 'x' must have length 8"):
        p.apply(np.ones(4))
    with pytest.raises(ValueError, match="Argument 'axis'"):
        p.apply(np.ones(8), axis=1)
    with pytest.raises(ValueError, match="at least 1 dimension"):
        p.apply(np.float64(1.0))
    with pytest.raises(TypeError, match="cannot take input of dtype"):
        plan(Problem("wht", 8, "int64", norm="backward")).apply(np.ones(8, complex))
    with pytest.raises(ValueError, match="Argument 'out' must have shape"):
        p.apply(np.ones(8), out=np.empty(4))


def test_default_planner_is_shared_and_covers_every_kind():
    from algdiv.transforms import KINDS
    assert get_planner() is get_planner()
    plan(Problem("wht", 2))
    covered = {k for s in get_planner().solvers for k in s.kinds}
    assert covered == set(KINDS)
