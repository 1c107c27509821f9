"""verify() and its report, the `algdiv rotations` command and its tour step."""
import csv
import io
import json
import os
import sys

import numpy as np
import pytest

from algdiv.cli import UsageError, main
from algdiv.cli._cmd_rotations import TOUR_STEPS, parse_dims
from algdiv.rotations import INPUTS, lattice_law, verify


@pytest.fixture(scope="module")
def report():
    return verify(dims=(16, 64), inputs=("e1", "u4", "flat"), samples=20_000, seed=3, w2_samples=300)


def _values(rep, check=None):
    return [(r["check"], r["input"], r["d"], r["value"]) for r in rep.rows if check in (None, r["check"])]


def test_report_checks_and_controls(report):
    assert report.ok
    by = {c.name: c for c in report.checks}
    assert by["A4 null"].observed == "pass"
    assert by["A5 one block"].observed == "fail" and by["A5 one block"].ok
    assert by["A5 missing diag"].observed == "fail" and by["A5 missing diag"].ok
    assert {"A2 e1", "A2 u4", "A3 flat", "A6 W2(e1)", "A7 f1 bound"} <= set(by)
    # The exact rows are the oracles themselves.
    exact = {(r["input"], r["d"]): r["value"] for r in report.rows if r["check"] == "A1-exact"}
    assert exact[("u4", 64)] == lattice_law(64, 4).kolmogorov_distance()
    # A2 rows use the Bonferroni band alpha / (inputs with an oracle x dims).
    a2 = [r for r in report.rows if r["check"] == "A2-oracle"]
    assert len(a2) == 4 and all(r["band"] == report.params["band_A2"] for r in a2)
    assert report.slopes["A5-neg/1-block"] == pytest.approx(0.0, abs=0.05)


def test_report_reproducible_and_stable(report):
    again = verify(dims=(16, 64), inputs=("e1", "u4", "flat"), samples=20_000, seed=3, w2_samples=300)
    assert _values(again) == _values(report)
    # A row's numbers do not depend on which other inputs run.
    alone = verify(dims=(16, 64), inputs=("flat",), samples=20_000, seed=3, controls=False, w2_samples=0)
    assert _values(alone, "A3-marg") == [v for v in _values(report, "A3-marg") if v[1] == "flat"]
    other = verify(dims=(16,), inputs=("flat",), samples=20_000, seed=4, controls=False, w2_samples=0)
    assert _values(other, "A3-marg")[0] != _values(alone, "A3-marg")[0]


def test_report_files(report, tmp_path):
    report.to_json(tmp_path / "r.json")
    report.to_csv(tmp_path / "r.csv")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["ok"] is True and len(data["rows"]) == len(report.rows)
    assert data["params"]["seed"] == 3
    with open(tmp_path / "r.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(report.rows)
    assert float(rows[0]["value"]) == report.rows[0]["value"]
    assert sorted(os.listdir(tmp_path)) == ["r.csv", "r.json"]         # no temporary file left
    text = str(report)
    assert "overall: all checks as expected" in text and "A5-neg" in text


def test_custom_input_and_failures():
    # A user input given as a function of (d, seed); a broken one fails A3.
    rep = verify(dims=(64,), inputs=(("mine", lambda d, s: np.arange(1.0, d + 1)),), samples=5000,
                 seed=1, controls=False, w2_samples=0)
    assert rep.ok
    with pytest.raises(ValueError, match="nonzero"):
        verify(dims=(16,), inputs=(("zero", lambda d, s: np.zeros(d)),), samples=100, controls=False)
    with pytest.raises(ValueError, match="length d = 16"):
        verify(dims=(16,), inputs=(("short", lambda d, s: np.ones(8)),), samples=100, controls=False)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(dims=(12,)), ValueError, "Argument 'dims' must be a power of 2"),
        (dict(dims=()), ValueError, "Argument 'dims' must hold"),
        (dict(samples=0), ValueError, "Argument 'samples' must be an integer >= 1"),
        (dict(alpha=0.0), ValueError, "Argument 'alpha'"),
        (dict(inputs=("e2",)), ValueError, "Argument 'inputs' must name"),
        (dict(inputs=(3,)), TypeError, "Argument 'inputs'"),
        (dict(seed=-2), ValueError, "Argument 'seed'"),
        (dict(w2_samples=1), ValueError, "Argument 'w2_samples'"),
    ],
)
def test_verify_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        verify(**{"samples": 100, **kwargs})


def test_parse_dims():
    assert parse_dims("16:128") == [16, 32, 64, 128]
    assert parse_dims("16:16384:4") == [16, 64, 256, 1024, 4096, 16384]
    assert parse_dims("64,16") == [64, 16]
    for bad in ("12:64", "16:64:3", "a:b", "16,24", ""):
        with pytest.raises(UsageError):
            parse_dims(bad)


def test_cli_writes_files_and_reproduces(tmp_path, capsys):
    args = ["rotations", "--dims", "16:64:4", "--samples", "4000", "--inputs", "e1,flat", "--w2-samples", "200",
            "--seed", "5", "--quiet"]
    assert main(args + ["--csv", str(tmp_path / "a.csv"), "--json", str(tmp_path / "a.json")]) == 0
    out = capsys.readouterr().out
    assert "overall: all checks as expected" in out and "wrote" in out
    assert main(args + ["--json", str(tmp_path / "b.json")]) == 0
    a, b = (json.loads((tmp_path / n).read_text()) for n in ("a.json", "b.json"))
    strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]   # noqa: E731
    assert strip(a["rows"]) == strip(b["rows"])


def test_cli_progress_on_stderr(capsys, monkeypatch):
    args = ["rotations", "--dims", "16", "--draws", "500", "--inputs", "e1", "--w2-draws", "0"]
    assert main(args) == 0
    assert capsys.readouterr().err == ""                   # not a terminal: no progress line
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "e1 d=16" in err and "/4" in err
    assert main(args + ["--quiet"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "extra,match",
    [
        (["--dims", "12:64"], "power of 2"),
        (["--samples", "0"], "--draws"),
        (["--draws", "0"], "--draws"),
        (["--inputs", "e1,nope"], "--inputs"),
        (["--alpha", "2"], "--level"),
        (["--level", "0"], "--level"),
        (["--bound-constant", "-1"], "--bound-constant"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_cli_bad_input(extra, match, capsys):
    assert main(["rotations", "--quiet"] + extra) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and match in err[0] and err[0].startswith("algdiv rotations: error:")


def test_cli_plot(tmp_path, capsys, monkeypatch):
    args = ["rotations", "--dims", "16", "--samples", "500", "--inputs", "e1", "--w2-samples", "0", "--quiet",
            "--plot", str(tmp_path / "p.png")]
    import importlib.util

    real = importlib.util.find_spec
    if real("matplotlib") is not None:
        assert main(args) == 0
        assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name))
    assert main(args) == 2
    assert "--plot needs matplotlib" in capsys.readouterr().err


def test_tour_step():
    (name, func), = TOUR_STEPS
    buf = io.StringIO()
    func(buf)
    text = buf.getvalue()
    assert name == "rotations"
    assert "fitted slope -0.4" in text and "BAD" not in text and "A5 one block" in text
    assert set(INPUTS) >= {"e1", "flat"}


def test_report_opens_with_verdicts_and_explains_columns(report):
    text = str(report)
    lines = text.splitlines()
    assert lines[0] == "verdicts:"
    names = [c.name for c in report.claims]
    assert names == ["marginal", "sampler", "full vector", "controls"]
    assert all(c.holds for c in report.claims)
    assert "Marginal bound HOLDS" in text and "Controls BEHAVE" in text
    assert "at most 0.001" in text and "Bonferroni" in text
    # Every column of the table is explained in the legend, every result word too.
    legend = text[text.index("legend:"):]
    for col in ("check", "input", "M", "value", "band", "LCL", "bound", "rule", "p", "result"):
        assert f"\n  {col} " in legend
    for word in ("caught", "MISSED", "info", "FAIL"):
        assert word in legend
    for check in ("A1-exact", "A2-oracle", "A3-marg", "A4-null", "A5-neg", "A6-W2", "A7-f1"):
        assert f"{check}:" in legend
    # No blank cell: every table row has all 11 columns filled.
    start = lines.index(next(ln for ln in lines if ln.startswith("check ")))
    rows = lines[start + 1:start + 1 + len(report.rows)]
    assert all(len(r.split()) == 11 for r in rows), rows


def test_report_without_controls_has_no_control_footnote():
    rep = verify(dims=(16, 64), inputs=("e1",), samples=5000, seed=2, controls=False, w2_samples=0)
    text = str(rep)
    assert [c.name for c in rep.claims] == ["marginal", "sampler", "full vector"]
    assert "caught" not in text and "controls" not in text.lower().replace("no controls", "")
    assert all(len(ln.split()) == 11 for ln in text.splitlines() if ln.startswith(("A6-W2", "A7-f1")))


def test_bound_constant_option():
    # The exact worst case is 0.249 d^-1/5: C = 0.2 contradicts the marginal bound, C = 0.30 does not.
    low = verify(dims=(16, 64), inputs=("e1",), samples=2000, seed=0, w2_samples=0, bound_constant=0.2)
    assert not low.ok and not low.claims[0].holds and "NOT CONFIRMED" in low.claims[0].sentence
    assert {r["bound"] for r in low.rows if r["check"] == "A1-exact"} == {0.2 * 16 ** -0.2, 0.2 * 64 ** -0.2}
    with pytest.raises(ValueError, match="bound_constant"):
        verify(dims=(16,), samples=100, bound_constant=-1.0)
    with pytest.raises(TypeError, match="bound_constant"):
        verify(dims=(16,), samples=100, bound_constant="0.3")


def test_pvalue_column_matches_the_rule(report):
    level = report.params["alpha"]
    for r in report.rows:
        if r["p"] is not None:
            assert (r["p"] > level) == r["passed"], r


def test_plot_series_distinct_with_error_bars(report):
    pytest.importorskip("matplotlib")
    fig = report.figure()
    ax = fig.axes[0]
    handles, labels = ax.get_legend_handles_labels()
    styles = []
    for h in handles:
        line = h[0] if isinstance(h, tuple) or hasattr(h, "lines") else h
        line = h.lines[0] if hasattr(h, "lines") else line
        styles.append((str(line.get_color()), line.get_marker(), line.get_linestyle()))
    assert len(set(styles)) == len(styles), styles
    assert sum(1 for c in ax.containers if type(c).__name__ == "ErrorbarContainer") >= 6
    assert any("bound 0.3 d^-1/5" in lab for lab in labels) and any("1/sqrt(d)" in lab for lab in labels)
