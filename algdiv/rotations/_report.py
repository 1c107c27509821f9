"""The report of :func:`~algdiv.rotations.verify`: verdicts, table, legend, files, plot."""
from __future__ import annotations

import csv
import io
import json
import textwrap
from dataclasses import dataclass, field

import numpy as np

from .._atomic import write_atomic

__all__ = ["RotationReport", "Check", "Claim", "COLUMNS", "LEGEND"]

COLUMNS = ("check", "input", "d", "samples", "value", "band", "lcl", "ucl", "bound", "rule", "p", "passed",
           "expected", "seconds")

# What each table column means (printed under the table).
LEGEND = (
    ("check", "A1-exact: exact law of one coordinate of T(u_k) against the uniform-rotation marginal; "
              "A2-oracle: the library's samples against that exact law (tests the code); "
              "A3-marg: the library's samples against the uniform-rotation marginal; "
              "A4-null: exact uniform samples (control, must pass); "
              "A5-neg: broken rotations, one block or second diagonal = I (controls, must be caught); "
              "A6-W2: distance of the full vector T(e_0) from Q e_0, Monte Carlo against the closed form; "
              "A7-f1: 1-Lipschitz lower bound on W1(T(e_0), Q e_0)"),
    ("input", "e1 = e_0; uk = (e_0 + ... + e_(k-1))/sqrt(k); flat = 1/sqrt(d) in every coordinate; "
              "gaussian = a fixed seeded random direction; sphere, 1-block, no-diag = the controls"),
    ("d", "dimension"),
    ("M", "Monte Carlo samples of the row; 'exact' = computed from an exact law, no sampling error"),
    ("value", "Kolmogorov distance D of one coordinate (A1-A5), W2 estimate (A6), W1 lower bound (A7)"),
    ("band", "half-width of the row's confidence interval at its Bonferroni level "
             "(DKW-Massart for D, Bernstein for A6); 0 for exact rows"),
    ("LCL", "lower confidence limit of the true value (value - band, at least 0; the value itself when exact)"),
    ("bound", "what the row is judged against, by its rule"),
    ("rule", "D<=eps: D within the band of 0 (samples follow the reference law); "
             "LCL<=bound: the true distance may lie under the bound; "
             "in-CI: the closed form lies in the confidence interval; value>=bound: exact lower bound; "
             "none: reported, not judged"),
    ("p", "p-value of the row's rule, Bonferroni-adjusted over the rows of its verdict: the row fails when "
          "p <= level; 'exact' for rows without sampling error"),
    ("result", "pass; FAIL (the row contradicts its claim); caught (a control rejected, as it must be); "
               "MISSED (a control not rejected); info (reported, not judged; A7 is judged at d >= 64 only)"),
)


@dataclass
class Check:
    """One pass/fail question of the protocol (controls expect ``"fail"``)."""

    name: str
    description: str
    expected: str              # "pass" or "fail"
    observed: str              # "pass", "fail" or "mixed"

    @property
    def ok(self):
        return self.observed == self.expected


@dataclass
class Claim:
    """One statement the report decides, with the checks behind it and a one-sentence verdict."""

    name: str
    holds: bool
    sentence: str
    checks: list = field(default_factory=list)


@dataclass
class RotationReport:
    """What :func:`verify` found: verdicts, table rows, fitted slopes, checks.

    Attributes
    ----------
    rows : list of dict
        One row per (check, input, d); keys ``check, input, d, samples, value,
        band, lcl, ucl, bound, rule, p, passed, expected, seconds`` (``samples``,
        ``band``, ``p`` are ``None`` for exact rows; ``bound``, ``passed`` and
        ``expected`` are ``None`` for rows that are reported but not judged).
    slopes : dict
        ``"<check>/<input>"`` -> fitted log-log slope of ``value`` against ``d``
        (Monte Carlo rows: only points with ``value > 3 band``), or ``None``.
    checks : list of Check
    params : dict
        The arguments, the derived per-row levels and the seed.
    claims : list of Claim
        The verdicts, one per claim (marginal bound, sampler, full vector,
        controls), each with one sentence.
    """

    rows: list
    slopes: dict
    checks: list
    params: dict = field(default_factory=dict)
    claims: list = field(default_factory=list)

    @property
    def ok(self):
        """True when every check came out as expected (controls included)."""
        return all(c.ok for c in self.checks)

    def to_dict(self):
        return {
            "params": self.params,
            "verdicts": [dict(name=c.name, holds=c.holds, sentence=c.sentence, checks=c.checks)
                         for c in self.claims],
            "rows": self.rows,
            "slopes": self.slopes,
            "checks": [dict(name=c.name, description=c.description, expected=c.expected,
                            observed=c.observed, ok=c.ok) for c in self.checks],
            "ok": self.ok,
        }

    def to_json(self, path):
        """Write the report as JSON, atomically (temporary file, then rename)."""
        _write_atomic(path, json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n")

    def to_csv(self, path):
        """Write the table rows as CSV, atomically (empty field: not applicable, see the row keys)."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in COLUMNS})
        _write_atomic(path, buf.getvalue())

    def format_verdicts(self):
        """One sentence per claim, then the family-wise error rate they hold."""
        lines = ["verdicts:"]
        for c in self.claims:
            lines.extend(textwrap.wrap(c.sentence, 100, initial_indent="  - ", subsequent_indent="    "))
        level = self.params.get("alpha")
        n_mc = self.params.get("mc_claims", 0)
        if level is not None and n_mc:
            lines.extend(textwrap.wrap(
                f"Each verdict's false-alarm rate is at most {level:g} (Bonferroni over its Monte Carlo rows); "
                f"the whole report's at most {n_mc * level:g} ({n_mc} verdicts with Monte Carlo).",
                100, initial_indent="  ", subsequent_indent="  "))
        return "\n".join(lines)

    def format_table(self, legend=True):
        """The report as text: verdicts, the table, slopes, checks and (``legend=True``) the legend."""
        header = ("check", "input", "d", "M", "value", "band", "LCL", "bound", "rule", "p", "result")
        body = [_cells(r) for r in self.rows]
        widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
        left = {0, 1, 8, 10}

        def line(cells):
            return " ".join(c.ljust(w) if i in left else c.rjust(w)
                            for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        lines = [self.format_verdicts(), "", line(header)]
        lines.extend(line(b) for b in body)
        lines.append("")
        lines.append("fitted log-log slopes (D ~ d^slope; -0.5 expected for the spread inputs e1, u2, u4, u8):")
        for key, s in self.slopes.items():
            lines.append(f"  {key:<24} {'n/a (too few points above the Monte Carlo floor)' if s is None else f'{s:+.3f}'}")
        lines.append("")
        lines.append("checks (controls must fail):" if self.params.get("controls") else "checks:")
        for c in self.checks:
            mark = "ok " if c.ok else "BAD"
            lines.append(f"  [{mark}] {c.name:<18} expected {c.expected:<4}, got {c.observed:<5} {c.description}")
        lines.append(f"overall: {'all checks as expected' if self.ok else 'SOME CHECKS NOT AS EXPECTED'}")
        if legend:
            lines.append("")
            lines.append("legend:")
            present = {r["check"] for r in self.rows}
            for name, text in LEGEND:
                if name == "check":
                    parts = [p for p in text.split("; ") if p.split(":")[0] in present]
                    text = "; ".join(parts)
                elif name == "input" and not self.params.get("controls"):
                    text = text.split("; sphere")[0]
                elif name == "result" and not self.params.get("controls"):
                    text = ("pass; FAIL (the row contradicts its claim); info (reported, not judged; A7 is judged at "
                            "d >= 64 only)")
                lines.extend(textwrap.wrap(text, 100, initial_indent=f"  {name:<7} ", subsequent_indent=" " * 10))
        return "\n".join(lines)

    def __str__(self):
        return self.format_table()

    def plot(self, path):
        """Log-log plot of the Kolmogorov distances against ``d`` with their bounds, written atomically.

        Exact rows are lines, Monte Carlo rows markers with error bars spanning
        their confidence interval (DKW band); every series has its own colour and
        marker. Needs matplotlib.
        """
        fig = self.figure()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120)
        _write_atomic(path, buf.getvalue())

    def figure(self):
        """The figure of :meth:`plot`, a ``matplotlib.figure.Figure`` (no pyplot state)."""
        try:
            # The object-oriented API: no pyplot state, no change of the user's backend.
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError(
                "plotting needs matplotlib; install it with `pip install matplotlib` "
                "(or algdiv's `plot` extra)"
            ) from None
        fig = Figure(figsize=(10.5, 5.5))
        ax = fig.subplots()
        series = {}
        for r in self.rows:
            if r["check"] in ("A1-exact", "A3-marg", "A4-null", "A5-neg"):
                series.setdefault((r["check"], r["input"]), []).append(r)
        colours = [f"C{i}" for i in range(10)] + ["#000080", "#800000", "#808000", "#00a0a0", "#ff00ff"]
        markers = "osD^v<>phX*P8d"
        vals = [r["value"] for rows in series.values() for r in rows if r["value"] > 0]
        floor = 0.3 * min(vals) if vals else 1e-4           # where an interval reaching 0 is drawn to
        for i, ((check, name), rows) in enumerate(series.items()):
            rows = sorted(rows, key=lambda q: q["d"])
            xs = np.array([q["d"] for q in rows], float)
            ys = np.array([max(q["value"], floor) for q in rows])
            colour, marker = colours[i % len(colours)], markers[i % len(markers)]
            label = f"{check} {name}"
            if check == "A1-exact":
                ax.plot(xs, ys, "-", color=colour, marker=marker, ms=4, lw=1.2, label=label + " (exact)")
            else:
                lo = np.array([max(q["lcl"], floor) for q in rows])
                hi = np.array([q["ucl"] for q in rows])
                ax.errorbar(xs, ys, yerr=[ys - lo, hi - ys], fmt=marker, color=colour, ms=5, capsize=3,
                            ls="--", lw=0.8, label=label)
        dims = sorted({r["d"] for r in self.rows})
        if dims:
            dd = np.geomspace(dims[0], dims[-1], 64) if len(dims) > 1 else np.array(dims, float)
            c = self.params.get("bound_constant", 0.30)
            ax.plot(dd, c * dd ** -0.2, "k-", lw=2, label=f"bound {c:g} d^-1/5")
            ax.plot(dd, 1 / np.sqrt(dd), "k:", lw=2, label="rate 1/sqrt(d)")
            band = self.params.get("band_A3")
            if band:
                ax.axhline(band, color="0.6", ls="--", lw=1, label=f"Monte Carlo floor (DKW band {band:.2g})")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("d")
        ax.set_ylabel("Kolmogorov distance of one coordinate")
        ax.set_title("two-block Hadamard rotation vs uniform rotation (bars: confidence intervals)")
        ax.set_ylim(bottom=floor)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        fig.tight_layout()
        return fig


def _num(v, digits=4):
    return f"{v:.{digits}g}"


def _cells(r):
    exact = r["samples"] is None
    if r["passed"] is None:
        res = "info"
    elif r["expected"] == "fail":
        res = "MISSED" if r["passed"] else "caught"
    else:
        res = "pass" if r["passed"] else "FAIL"
    return (
        r["check"], r["input"], str(r["d"]),
        "exact" if exact else str(r["samples"]),
        _num(r["value"]),
        "0" if exact else _num(r["band"], 3),
        _num(r["value"] if exact else r["lcl"]),
        "none" if r["bound"] is None else _num(r["bound"]),
        r.get("rule") or "none",
        "exact" if r.get("p") is None else (f"{r['p']:.2g}" if r["p"] < 1 else "1"),
        res,
    )


def _write_atomic(path, data):
    write_atomic(path, lambda fh: fh.write(data.encode() if isinstance(data, str) else data))
