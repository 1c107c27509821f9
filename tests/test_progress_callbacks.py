"""Long-running library functions follow the progress protocol of algdiv._progress."""
import sys
import warnings

import numpy as np
import pytest

from algdiv.bases import check_chain, resolution_table, subgroup_chains
from algdiv.cli import main
from algdiv.cli._cmd_core import catalog_rows
from algdiv.qmc import cubature
from algdiv.sparse import IncompleteRecoveryWarning, QueryCounter, planted_sparse_signal, sparse_wht


def _record():
    calls = []
    return calls, lambda done, total, label: calls.append((done, total, label))


def _check_protocol(calls):
    assert calls, "no progress reported"
    totals = {t for _, t, _ in calls}
    assert len(totals) == 1, totals
    total = totals.pop()
    dones = [d for d, _, _ in calls]
    assert all(isinstance(d, int) and 0 <= d <= total for d in dones)
    assert dones == sorted(dones) and dones[-1] == total
    assert all(isinstance(lab, str) for _, _, lab in calls)


def _exp(x):
    return np.exp(x.sum(axis=1))


CASES = {
    "cubature": lambda p: cubature(_exp, 2, abs_tol=1e-5, alpha=2, periodize="baker", rng=1, progress=p).estimate,
    "cubature-n_max": lambda p: cubature(_exp, 2, abs_tol=1e-12, n_max=1024, rng=1, progress=p).estimate,
    "check_chain": lambda p: check_chain(subgroup_chains(8)["hamming"], progress=p).resolutions,
    "resolution_table": lambda p: resolution_table(8, progress=p),
    "catalog_rows": lambda p: [r["offdiag"] for r in catalog_rows(rng=0, progress=p)],
    "sparse_wht": lambda p: sparse_wht(QueryCounter(planted_sparse_signal(12, 8, snr=20, rng=2), 12), 12,
                                       sparsity=8, rng=3, progress=p).support.tolist(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_progress_protocol_and_same_result(name):
    calls, cb = _record()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteRecoveryWarning)
        with_progress = CASES[name](cb)
        without = CASES[name](None)
    _check_protocol(calls)
    assert with_progress == without


@pytest.mark.parametrize("name", ["cubature", "check_chain", "sparse_wht"])
def test_interrupt_from_the_callback_stops_the_work(name):
    def stop(done, total, label):
        if done >= 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        CASES[name](stop)


def test_bad_progress_refused():
    with pytest.raises(TypeError, match="Argument 'progress'"):
        cubature(_exp, 2, progress=3)
    with pytest.raises(TypeError, match="Argument 'progress'"):
        check_chain(subgroup_chains(8)["hamming"], progress="yes")


@pytest.mark.parametrize("argv", [["catalog"], ["resolution", "--n", "8"],
                                  ["qmc", "integrate", "exp", "--m-max", "12"],
                                  ["sparse-wht", "--bits", "10", "--k", "4"]])
def test_cli_progress_line_on_a_terminal_only(argv, capsys, monkeypatch):
    assert main(argv) in (0, 1)
    assert capsys.readouterr().err == ""                       # not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(argv) in (0, 1)
    err = capsys.readouterr().err
    assert "[" in err and "s left" in err or "estimating" in err
    assert main(argv + ["--quiet"]) in (0, 1)
    assert capsys.readouterr().err == ""
