"""``algdiv sparse-wht`` and its tour step."""
import argparse
import io
import re

import numpy as np
import pytest

from algdiv.cli import UsageError
from algdiv.cli import _cmd_sparse


def parse(argv):
    parser = argparse.ArgumentParser(prog="algdiv")
    sub = parser.add_subparsers(dest="command")
    _cmd_sparse.register(sub)
    return parser.parse_args(["sparse-wht", *argv])


def test_demo_reports_exact_recovery():
    out = io.StringIO()
    res, exact = _cmd_sparse.demo(14, 12, 10.0, seed=1, out=out)
    text = out.getvalue()
    assert exact and res.complete
    assert "support: exact (12/12)" in text and "decoder says complete" in text
    m = re.search(r"queries: ([\d,]+) distinct", text)
    assert int(m.group(1).replace(",", "")) == res.n_queries
    # one diagnosis line per stage, counts summing to the bins
    rows = [line.split() for line in text.splitlines() if re.match(r"^\s+\d+\s+\d+\s+\d+", line)]
    assert len(rows) == 3
    assert all(int(r[1]) + int(r[2]) + int(r[3]) == res.bins for r in rows)


def test_demo_dense_comparison_and_failure_report():
    out = io.StringIO()
    _cmd_sparse.demo(12, 8, float("inf"), seed=2, dense=True, out=out)
    assert "its top-8 support matches" in out.getvalue()
    out = io.StringIO()
    res, exact = _cmd_sparse.demo(12, 96, float("inf"), bins=32, seed=2, out=out)
    assert not exact and not res.complete
    assert "INCOMPLETE (reported by the decoder)" in out.getvalue()


def test_run_and_usage_errors(capsys):
    assert _cmd_sparse.run(parse(["--bits", "12", "--k", "8", "--snr", "20"])) == 0
    assert "support: exact (8/8)" in capsys.readouterr().out
    assert _cmd_sparse.run(parse(["--n", "12", "--k", "8", "--snr", "20"])) == 0     # deprecated spelling
    assert "support: exact (8/8)" in capsys.readouterr().out
    for argv, msg in [(["--bits", "63"], "--bits must be in 1..62"),
                      (["--bits", "4", "--k", "17"], "--k must be in 1..2\\*\\*bits"),
                      (["--bins", "12"], "--bins must be a power of 2"),
                      (["--offsets", "0"], "--offsets must be >= 1"),
                      (["--bits", "30", "--dense"], "--dense evaluates all")]:
        with pytest.raises(UsageError, match=msg):
            _cmd_sparse.run(parse(argv))
    with pytest.raises(SystemExit):
        parse(["--snr", "nan"])


def test_tour_step():
    (name, func), = _cmd_sparse.TOUR_STEPS
    out = io.StringIO()
    func(out)
    assert name == "sparse-wht" and "support: exact" in out.getvalue()
    assert np.isfinite(float(re.search(r"time:\s+([\d.]+) s", out.getvalue()).group(1)))
