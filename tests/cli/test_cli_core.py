"""The core command line: catalog, derive, tour; bad input gives exit 2 and one line."""
import numpy as np
import pytest
import scipy.fft
import scipy.linalg

from algdiv.cli import main
from algdiv.cli._cmd_core import catalog_rows


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_catalog_rows_verify_every_family():
    rows = catalog_rows(rng=0)
    assert len(rows) >= 10
    expected_res = {"trivial:16": 16, "cyclic:16": 9, "dihedral:16": 9, "elementary_abelian:4": 16,
                    "hamming:4": 5, "tree:4": 5, "symmetric:16": 2}
    for r in rows:
        assert r["orth"] < 1e-12, r
        assert r["offdiag"] < 1e-10, r
        if r["spec"] in expected_res:
            assert r["resolution"] == expected_res[r["spec"]], r


def test_catalog_command_prints_table(capsys):
    code, out, err = run(["catalog"], capsys)
    assert code == 0 and err == ""
    assert "tree:4" in out and "32768" in out and "Haar" in out


def test_derive_writes_the_classical_basis(tmp_path, capsys):
    path = tmp_path / "basis.npy"
    code, out, _ = run(["derive", "--group", "elementary_abelian:3", "--out", str(path)], capsys)
    assert code == 0
    B = np.load(path)
    np.testing.assert_allclose(B.T, scipy.linalg.hadamard(8) / np.sqrt(8), atol=1e-15)
    assert "resolution" in out


def test_derive_with_covariance_reports_spectrum(tmp_path, capsys):
    n = 12
    c = 0.7 ** np.minimum(np.arange(n), n - np.arange(n))
    R = scipy.linalg.circulant(c)
    path = tmp_path / "cov.npy"
    np.save(path, R)
    code, out, _ = run(["derive", str(path), "--group", "cyclic:12"], capsys)
    assert code == 0
    delta = float(out.split("delta      :")[1].split()[0])
    offdiag = float(out.split("offdiag")[1].split(":")[1].split()[0])
    assert delta < 1e-12 and offdiag < 1e-12
    # the spectrum printed is the DFT of the first column (real, symmetric c)
    lam = np.sort(np.real(scipy.fft.fft(c)))
    printed = out.split("spectrum")[1].split("[")[1].split("]")[0]
    values = np.sort(np.array(printed.split(), dtype=float))
    np.testing.assert_allclose(values, lam, atol=1e-4)


@pytest.mark.parametrize(
    "content, message",
    [
        (np.ones((3, 4)), "square"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "NaN"),
        (np.array([[1.0, 0.5], [0.0, 1.0]]), "not symmetric"),
        (np.array(["a", "b"]), "dtype"),
    ],
)
def test_derive_bad_covariance_is_one_line_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.npy"
    np.save(path, content)
    code, out, err = run(["derive", str(path), "--group", "cyclic:2"], capsys)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_derive_rejects_pickles_and_missing_files(tmp_path, capsys):
    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    code, _, err = run(["derive", str(path), "--group", "cyclic:2"], capsys)
    assert code == 2 and "cannot read" in err
    code, _, err = run(["derive", str(tmp_path / "nope.npy"), "--group", "cyclic:2"], capsys)
    assert code == 2 and "does not exist" in err


def test_derive_size_mismatch_and_bad_group(tmp_path, capsys):
    path = tmp_path / "cov.npy"
    np.save(path, np.eye(5))
    code, _, err = run(["derive", str(path), "--group", "cyclic:4"], capsys)
    assert code == 2 and "length 4" in err
    code, _, err = run(["derive", "--group", "nosuchfamily:3"], capsys)
    assert code == 2 and "--group" in err


def test_tour_lists_and_refuses_unknown_steps(capsys):
    code, out, _ = run(["tour", "--list"], capsys)
    assert code == 0
    steps = out.split()
    assert steps[0] == "catalog" and "tree" in steps
    code, _, err = run(["tour", "--step", "no-such-step"], capsys)
    assert code == 2 and "unknown tour step" in err


def test_tour_single_step_reports_timing(capsys):
    code, out, _ = run(["tour", "--step", "catalog"], capsys)
    assert code == 0
    assert "=== catalog" in out and "total" in out


def test_no_command_prints_help(capsys):
    code, out, _ = run([], capsys)
    assert code == 0 and "catalog" in out and "derive" in out
