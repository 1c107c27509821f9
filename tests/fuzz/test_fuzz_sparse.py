"""Bad and edge inputs of algdiv.sparse: refused where they enter, sizes refused before allocating."""
import os
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from algdiv.cli import main
from algdiv.groups import SizeLimitError
from algdiv.sparse import (
    IncompleteRecoveryWarning, PlantedSignal, QueryCounter, planted_sparse_signal, sparse_wht,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _app_fuzz import BAD_OPTION_VALUES, bad_values, check_one_bad_argument, probe, run_cli  # noqa: E402


def test_planted_signal_arguments_checked():
    with pytest.raises(ValueError, match="Argument 'support' must not repeat an index"):
        PlantedSignal(4, [1, 1], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Argument 'support' must hold indices in \[0, 2\*\*4\), not 16"):
        PlantedSignal(4, [1, 16], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Argument 'coefficients' must have shape \(2,\)"):
        PlantedSignal(4, [1, 2], [1.0])
    with pytest.raises(ValueError, match="Argument 'coefficients' must be finite"):
        PlantedSignal(4, [1, 2], [1.0, np.nan])
    with pytest.raises(ValueError, match="Argument 'sigma' must be a finite number >= 0, not -1"):
        PlantedSignal(4, [1, 2], [1.0, 2.0], sigma=-1)
    with pytest.raises(TypeError, match="Argument 'support' must be an array of signed integer"):
        PlantedSignal(4, [1.5, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="Argument 'snr' must be a number of dB or inf, not -inf"):
        planted_sparse_signal(8, 2, snr=-np.inf)
    with pytest.raises(SizeLimitError):
        planted_sparse_signal(62, 2 ** 60)


def test_sparse_wht_size_refused_before_querying():
    """A design of 2^40 bins: SizeLimitError before any query is made."""
    calls = []

    def f(m):
        calls.append(m.size)
        return np.zeros(m.shape)
    with pytest.raises(SizeLimitError, match="sparse_wht with 3 stages of 1099511627776 bins"):
        sparse_wht(f, 60, bins=2 ** 40)
    with pytest.raises(SizeLimitError):
        sparse_wht(f, 60, sparsity=2 ** 40)
    assert calls == []


def test_unknown_sparsity_stops_at_the_memory_limit(monkeypatch):
    """Doubling the bins of a dense spectrum stops at the limit with the incomplete warning."""
    from algdiv import _limits
    monkeypatch.setattr(_limits, "MEMORY_LIMIT", 2 ** 18)
    sig = planted_sparse_signal(20, 1000, rng=0)          # far more coefficients than 256 kB of bins
    with pytest.warns(IncompleteRecoveryWarning):
        res = sparse_wht(sig, 20, rng=0, noise=0.0)
    assert 32.0 * 3 * 2 * res.bins * 21 > 2 ** 18 >= 32.0 * 3 * res.bins * 21


def test_cli_sparse_refusals(capsys):
    for argv in (["sparse-wht", "--n", "0"], ["sparse-wht", "--n", "20", "--k", "0"],
                 ["sparse-wht", "--n", "60", "--k", str(2 ** 50)],
                 ["sparse-wht", "--n", "10", "--bins", "3"],
                 ["sparse-wht", "--n", "10", "--stages", "0"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err, (argv, err)


# ------------------------------------------------------------------ every public callable
_sig = planted_sparse_signal(8, 3, rng=0)
_qc = QueryCounter(_sig, 8)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    _res = sparse_wht(_sig, 8, sparsity=3, noise=0.0, rng=0)
CALLS = {
    "sparse_wht": (sparse_wht, dict(f=_sig, n=8, sparsity=3, noise=None, stages=3, bins=None, offsets=None,
                                    rng=0, hashing="random")),
    "QueryCounter": (QueryCounter, dict(f=_sig, n=8)),
    "QueryCounter.call": (_qc, dict(indices=np.arange(5))),
    "PlantedSignal": (PlantedSignal, dict(n=8, support=[1, 5], coefficients=[1.0, -2.0], sigma=0.1, seed=3,
                                          chunk=16)),
    "PlantedSignal.call": (_sig, dict(indices=np.arange(7))),
    "planted_sparse_signal": (planted_sparse_signal, dict(n=10, sparsity=4, snr=20.0, amplitudes="pm1",
                                                          rng=0)),
    "SparseWHTResult.evaluate": (_res.evaluate, dict(indices=np.arange(4))),
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
    check_one_bad_argument(CALLS, name, data)


@settings(max_examples=15)
@given(data=st.data())
def test_two_bad_arguments_of_sparse_wht(data):
    fn, kw = CALLS["sparse_wht"]
    args = data.draw(st.lists(st.sampled_from(sorted(kw)), min_size=2, max_size=2, unique=True))
    probe(fn, **dict(kw, **{a: data.draw(bad_values()) for a in args}), limit=10.0)


@settings(max_examples=20)
@given(bad=st.sampled_from([np.nan, np.inf, "x", 1j, None]), where=st.integers(0, 30))
def test_query_function_returning_garbage_is_refused(bad, where):
    """A query function that returns NaN/inf/strings/complex: TypeError or ValueError naming 'f'."""
    def f(m):
        out = np.zeros(m.shape, dtype=object)
        out[...] = 1.0
        out.flat[min(where, m.size - 1)] = bad
        return out
    status, exc = probe(sparse_wht, f, 6, sparsity=2, rng=0)
    assert status == "refused" and "'f'" in str(exc)


@settings(max_examples=30)
@given(data=st.data())
def test_cli_sparse_bad_options(data):
    """One option of ``algdiv sparse-wht`` replaced by a bad value: exit 0, or 2 and one line, in time."""
    opts = {"--n": "10", "--k": "4", "--snr": "20", "--stages": "3", "--seed": "0", "--bins": "8",
            "--offsets": "2", "--amplitudes": "pm1"}
    opt = data.draw(st.sampled_from(sorted(opts)))
    value = data.draw(st.sampled_from(BAD_OPTION_VALUES))
    argv = ["sparse-wht"] + [a for k, v in dict(opts, **{opt: value}).items() for a in (k, v)]
    run_cli(argv, limit=20.0)
