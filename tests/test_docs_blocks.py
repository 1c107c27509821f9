"""Every ```python block of README.md and docs/*.md runs as written.

The blocks of one file run in order in one namespace, in a temporary working
directory. A block with ``>>>`` prompts runs as a doctest (its printed output is
checked, with ELLIPSIS and NORMALIZE_WHITESPACE); any other block is executed.
Blocks are found at test time, so a block added to any page is picked up.

Two explicit lists say what is not run exactly as written:

* ``SKIP``: blocks left out, each with the reason (they need a GPU, a cluster,
  files the reader has, the Gemma model, or are interface sketches);
* ``REDUCE``: text replacements that shrink a long block to a quick one of the
  same shape (e.g. 2**20 points -> 2**12), each with the reason.

Each entry names its file and a snippet of the block; an entry whose snippet is
no longer found fails the test, so the lists cannot go stale silently.
"""
from __future__ import annotations

import doctest
import pathlib
import re
import warnings

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# (file, snippet of the block) -> why it is not run.
SKIP = {
    ("docs/architecture.md", "class PermutationGroup:"): "interface sketch (signatures, not code)",
    ("docs/architecture.md", "class Problem:"): "interface sketch (signatures, not code)",
    ("docs/transforms.md", "class CWhtPlan(Plan):"):
        "extension sketch with elided bodies; registering it would replace the real C solver",
    ("docs/gpu.md", "import cupy as cp"): "needs a CUDA device and cupy",
    ("docs/dask.md", 'da.from_zarr("layer.zarr")'): "reads the reader's own zarr store and K, V, H arrays",
    ("docs/dask.md", 'Client("tcp://scheduler-host:8786")'): "needs a running dask cluster",
    ("docs/quant.md", "load_gemma().config"): "loads the Gemma-3-270M model (minutes); tests/quant covers it",
}

# (file, old, new, why): a smaller run of the same code.
REDUCE = [
    ("docs/dask.md", 'da.from_zarr("activations.zarr")', "da.random.random((64, 2**10), chunks=(16, 2**10))",
     "an in-memory dask array instead of the reader's zarr store"),
    ("docs/dask.md", 'Y.to_zarr("rotated.zarr")', "Y.compute()", "computed in memory, no zarr store"),
    ("docs/qmc.md", "sobol(2**20, 4, rng=7)", "sobol(2**12, 4, rng=7)", "2**12 points instead of 2**20"),
    ("docs/qmc.md", "np.ones(2**20)", "np.ones(2**12)", "2**12 points instead of 2**20"),
    ("docs/groups.md", "G.reynolds(np.random.default_rng(0).standard_normal((4096, 4096)))",
     "tree(10).reynolds(np.random.default_rng(0).standard_normal((1024, 1024)))",
     "a 1024 x 1024 matrix on tree(10) instead of 4096 x 4096 on tree(12) (10 s on a loaded machine)"),
]

FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(page):
    """(line number of the fence, code) of each ```python block of ``page``."""
    text = page.read_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


def _rel(page):
    return page.relative_to(ROOT).as_posix()


def _skip_reason(rel, code):
    for (f, snippet), why in SKIP.items():
        if f == rel and snippet in code:
            return why
    return None


def _reduce(rel, code):
    for f, old, new, _ in REDUCE:
        if f == rel:
            code = code.replace(old, new)
    return code


def _run_doctest(code, ns, where):
    parser = doctest.DocTestParser()
    test = parser.get_doctest(code, ns, where, where, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = []
    runner.run(test, out=out.append, clear_globs=False)
    ns.update(test.globs)                      # DocTest works on a copy of the namespace
    if runner.failures:
        raise AssertionError(f"{where}: doctest failed\n" + "".join(out))


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_page_blocks_run(page, tmp_path, monkeypatch):
    rel = _rel(page)
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": f"docs_{page.stem}"}
    ran = 0
    for line, code in blocks(page):
        where = f"{rel}, block at line {line}"
        if _skip_reason(rel, code):
            continue
        code = _reduce(rel, code)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if re.search(r"^\s*>>> ", code, re.M):
                    _run_doctest(code, ns, where)
                else:
                    exec(compile(code, where, "exec"), ns)
        except AssertionError:
            raise
        except Exception as exc:
            raise AssertionError(f"{where} raised {type(exc).__name__}: {exc}") from exc
        ran += 1
    assert ran or not blocks(page) or all(_skip_reason(rel, c) for _, c in blocks(page))


def test_skip_and_reduce_entries_are_current():
    texts = {_rel(p): p.read_text() for p in PAGES}
    for (f, snippet), why in SKIP.items():
        assert why and snippet in texts.get(f, ""), f"SKIP entry for {f} no longer matches a block: {snippet!r}"
    for f, old, _, why in REDUCE:
        assert why and old in texts.get(f, ""), f"REDUCE entry for {f} no longer matches: {old!r}"
