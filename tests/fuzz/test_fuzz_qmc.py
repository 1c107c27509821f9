"""Bad and edge inputs of algdiv.qmc: refused where they enter, sizes refused before allocating."""
import math
import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from algdiv.cli import main
from algdiv.groups import SizeLimitError
from algdiv.qmc import (
    FastGP, FastGram, ProductKernel, bernoulli_poly, cbc, cubature, detect_structure, digital_net,
    dsi_kernel, interlace, lattice, lms, si_kernel, sobol, sobol_matrices, worst_case_error,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _app_fuzz import BAD_OPTION_VALUES, bad_values, check_one_bad_argument, probe, run_cli  # noqa: E402


# ------------------------------------------------------------------ case 9 and case 10
def test_lattice_with_repeated_points_refused():
    """Case 9: lattice(8, [2, 4]) has only 4 distinct points (gcd(8, 2, 4) = 2)."""
    pts = {tuple(p) for p in ((np.arange(8)[:, None] * [2, 4]) % 8 / 8).tolist()}
    assert len(pts) == 4                                      # the count the message states
    with pytest.raises(ValueError, match=r"gcd = 2 \(only 4 distinct points\)"):
        lattice(8, [2, 4])
    assert len({tuple(p) for p in lattice(8, [2, 3]).tolist()}) == 8    # gcd(8, 2, 3) = 1
    with pytest.raises(ValueError, match="gcd = 8"):
        lattice(8, [0, 8])


def test_lattice_size_refused_before_allocating():
    """Case 10: lattice(2**40, [1]) is a SizeLimitError, not numpy's allocation failure."""
    with pytest.raises(SizeLimitError, match=r"lattice\(1099511627776"):
        lattice(2 ** 40, [1])
    with pytest.raises(SizeLimitError):
        lattice(2 ** 20, np.ones(2000, dtype=int))
    with pytest.raises(SizeLimitError):
        sobol(2 ** 40, 2)
    with pytest.raises(SizeLimitError):
        digital_net(np.ones((2000, 32), dtype=np.uint64))
    with pytest.raises(ValueError, match=r"Argument .m. must be an integer in \[0, 32\], not 40"):
        sobol_matrices(4, 40)
    with pytest.raises(SizeLimitError):
        cbc(2 ** 30, 2)


def test_cubature_tolerances_checked():
    """Case 9: abs_tol = -1 ran to n_max; both tolerances 0 can never be met."""
    f = lambda x: x[:, 0]                                     # noqa: E731
    with pytest.raises(ValueError, match=r"^Argument 'abs_tol' must be a finite number >= 0, not -1\.$"):
        cubature(f, 2, abs_tol=-1)
    with pytest.raises(ValueError, match="both 0"):
        cubature(f, 2, abs_tol=0, rel_tol=0)
    with pytest.raises(ValueError, match="rel_tol"):
        cubature(f, 2, rel_tol=math.nan)
    with pytest.raises(ValueError, match=r"Argument 'alpha' must be an integer in \[1, 4\] for points='sobol'"):
        cubature(f, 2, points="sobol", alpha=5)
    with pytest.raises(SizeLimitError):
        cubature(f, 2, n_max=2 ** 40)
    with pytest.raises(ValueError, match="confidence"):
        cubature(f, 2, confidence=1.0)
    res = cubature(f, 2, abs_tol=0, rel_tol=1e-3, n_init=64, n_max=1024, rng=0)
    assert abs(res.estimate - 0.5) <= max(res.error, 1e-12)


def test_cli_qmc_refusals(tmp_path, capsys):
    for argv in (["qmc", "points", "lattice", "--n", str(2 ** 40)],
                 ["qmc", "points", "lattice", "--n", "8", "--d", "0"],
                 ["qmc", "points", "sobol", "--n", "8", "--seed", "-1"],
                 ["qmc", "integrate", "exp", "--tol", "-1"],
                 ["qmc", "integrate", "exp", "--m-max", "60"],
                 ["qmc", "gram", "--m", "0"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err, (argv, err)


# ------------------------------------------------------------------ every public callable
_x = lattice(16, [1, 7])
_C = sobol_matrices(2, 4)
_k = si_kernel(1, weights=0.5)
_G = FastGram(_k, _x)
_gp = FastGP(_x, np.sin(2 * np.pi * _x[:, 0]), fit=False)
CALLS = {
    "lattice": (lattice, dict(n=16, generating_vector=[1, 7], order="linear", shift=None, rng=0)),
    "cbc": (cbc, dict(n=64, d=3, alpha=1, weights=0.5)),
    "sobol_matrices": (sobol_matrices, dict(d=3, m=5)),
    "digital_net": (digital_net, dict(matrices=_C, n=8, order="natural", shift=None, rng=0)),
    "lms": (lms, dict(matrices=_C, rng=0)),
    "interlace": (interlace, dict(matrices=sobol_matrices(4, 4), alpha=2)),
    "sobol": (sobol, dict(n=16, d=2, alpha=1, order="natural", randomize="lms", rng=0)),
    "si_kernel": (si_kernel, dict(alpha=1, weights=1.0, scale=1.0)),
    "dsi_kernel": (dsi_kernel, dict(alpha=1, weights=1.0, scale=1.0)),
    "ProductKernel": (ProductKernel, dict(invariance="shift", alpha=1, weights=1.0, scale=1.0)),
    "kernel_call": (_k, dict(x=_x[:3], z=_x[:1])),
    "bernoulli_poly": (bernoulli_poly, dict(n=2, t=np.linspace(0, 1, 5))),
    "FastGram": (FastGram, dict(kernel=_k, points=_x, nugget=0.0, rng=0, workers=None)),
    "FastGram.solve": (_G.solve, dict(y=np.ones(16))),
    "FastGram.matvec": (_G.matvec, dict(y=np.ones(16))),
    "FastGram.with_nugget": (_G.with_nugget, dict(nugget=0.1)),
    "detect_structure": (detect_structure, dict(kernel=_k, points=_x, rng=0)),
    "FastGP": (FastGP, dict(points=_x, y=np.cos(_x[:, 1]), kernel=None, nugget=1e-8, fit=False,
                            fit_nugget=False, rng=0, workers=None)),
    "FastGP.predict": (_gp.predict, dict(x=np.full((3, 2), 0.3), return_std=True)),
    "cubature": (cubature, dict(f=lambda x: x[:, 0], d=2, abs_tol=1e-2, rel_tol=0.0, points="lattice",
                                alpha=1, n_init=16, n_max=64, confidence=0.99, periodize=None, rng=0)),
    "worst_case_error": (worst_case_error, dict(kernel=_k, points=_x)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_valid_base_call(name):
    fn, kw = CALLS[name]
    assert probe(fn, **kw)[0] == "ok"


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=25)
@given(data=st.data())
def test_one_bad_argument(name, data):
    """Each argument replaced by a bad or edge value: a result or a documented refusal, in time."""
    # bernoulli_poly and kernel_call are elementwise: NaN in, NaN out, as numpy's ufuncs
    check_one_bad_argument(CALLS, name, data, elementwise=("bernoulli_poly", "kernel_call"))


@pytest.mark.parametrize("name", ["lattice", "sobol", "cubature", "FastGram"])
@settings(max_examples=15)
@given(data=st.data())
def test_two_bad_arguments(name, data):
    fn, kw = CALLS[name]
    args = data.draw(st.lists(st.sampled_from(sorted(kw)), min_size=2, max_size=2, unique=True))
    probe(fn, **dict(kw, **{a: data.draw(bad_values()) for a in args}), limit=10.0)


@settings(max_examples=30)
@given(n=st.integers(1, 64), g=st.lists(st.integers(-100, 100), min_size=1, max_size=4))
def test_lattice_points_distinct_or_refused(n, g):
    """Accepted generating vectors give n distinct points in [0, 1)^d (the independent count)."""
    status, x = probe(lattice, n, g)
    distinct = len({tuple((k * np.array(g)) % n) for k in range(n)})
    if status == "ok":
        assert distinct == n and x.shape == (n, len(g)) and np.all((x >= 0) & (x < 1))
    else:
        assert distinct < n and "distinct" in str(x)


def test_sobol_matrices_small_m_in_high_dimensions(capfd):
    """SciPy's generator with fewer than 3 bits initialised dimensions >= 3 wrongly (it printed an
    ignored exception); the first m columns must not depend on m."""
    full = sobol_matrices(6, 8)
    for m in range(4):
        np.testing.assert_array_equal(sobol_matrices(6, m), full[:, :m])
    np.testing.assert_array_equal(full[:, 0], np.full(6, 1 << 52, dtype=np.uint64))  # digit 1 only
    np.testing.assert_array_equal(sobol(2, 5, randomize=None), sobol(8, 5, randomize=None)[:2])
    assert "Exception ignored" not in capfd.readouterr().err


QMC_BASE = {
    "points": (["qmc", "points", "lattice"], {"--n": "64", "--d": "2", "--alpha": "1", "--seed": "0"}),
    "points-sobol": (["qmc", "points", "sobol"], {"--n": "64", "--d": "2", "--seed": "0"}),
    "gram": (["qmc", "gram"], {"--m": "6", "--d": "2", "--alpha": "1", "--points": "sobol"}),
    "integrate": (["qmc", "integrate", "exp"], {"--d": "2", "--tol": "1e-2", "--alpha": "1",
                                                "--m-max": "8", "--points": "lattice"}),
}


@pytest.mark.parametrize("cmd", sorted(QMC_BASE))
@settings(max_examples=20)
@given(data=st.data())
def test_cli_qmc_bad_options(cmd, data):
    """One option of ``algdiv qmc`` replaced by a bad value: exit 0/1, or 2 and one line, in time."""
    head, opts = QMC_BASE[cmd]
    opt = data.draw(st.sampled_from(sorted(opts)))
    value = data.draw(st.sampled_from(BAD_OPTION_VALUES))
    argv = head + [a for k, v in dict(opts, **{opt: value}).items() for a in (k, v)]
    run_cli(argv, limit=20.0)
