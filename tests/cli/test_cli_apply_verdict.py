"""algdiv apply (options, chunking, errors), derive's fit verdict and discover's warnings."""
import numpy as np
import pytest
import scipy.fft
import scipy.linalg

import algdiv.cli._cmd_apply as cmd_apply
from algdiv.bases import matched_transform
from algdiv.cli import main
from algdiv.groups import parse_group


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_apply_chunked_along_every_axis(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cmd_apply, "CHUNK_BYTES", 2000)     # many small slabs
    x = np.random.default_rng(0).standard_normal((7, 16, 5))
    np.save(tmp_path / "x.npy", x)
    D = scipy.fft.dct(np.eye(16), norm="ortho", axis=0)
    code, out, err = run(["apply", tmp_path / "x.npy", "--group", "dct:16", "--axis", "1",
                          "--out", tmp_path / "y.npy"], capsys)
    assert code == 0, err
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), np.einsum("kn,anb->akb", D, x), atol=1e-12)
    x0 = np.moveaxis(x, 1, 0).copy()
    np.save(tmp_path / "x0.npy", x0)
    assert run(["apply", tmp_path / "x0.npy", "--group", "dct:16", "--axis", "0",
                "--out", tmp_path / "y0.npy"], capsys)[0] == 0
    np.testing.assert_allclose(np.load(tmp_path / "y0.npy"), np.einsum("kn,nab->kab", D, x0), atol=1e-12)


def test_apply_complex_dft_and_inverse(tmp_path, capsys):
    x = np.random.default_rng(1).standard_normal((3, 8)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    args = ["--group", "cyclic:8", "--field", "complex"]
    assert run(["apply", tmp_path / "x.npy", *args, "--out", tmp_path / "y.npy"], capsys)[0] == 0
    y = np.load(tmp_path / "y.npy")
    assert y.dtype == np.complex64
    np.testing.assert_allclose(y, np.fft.fft(x, norm="ortho"), atol=1e-5)
    assert run(["apply", tmp_path / "y.npy", *args, "--inverse", "--out", tmp_path / "z.npy"],
               capsys)[0] == 0
    np.testing.assert_allclose(np.load(tmp_path / "z.npy"), x, atol=1e-5)


def test_apply_memory_maps_its_input(tmp_path, monkeypatch):
    seen = {}
    real_load = np.load

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real_load(*args, **kwargs)

    np.save(tmp_path / "x.npy", np.ones((4, 4)))
    monkeypatch.setattr(np, "load", spy)
    assert main(["apply", str(tmp_path / "x.npy"), "--group", "xor:2",
                 "--out", str(tmp_path / "y.npy")]) == 0
    assert seen.get("mmap_mode") == "r"
    np.testing.assert_allclose(real_load(tmp_path / "y.npy"),
                               np.ones((4, 4)) @ scipy.linalg.hadamard(4).T / 2, atol=1e-15)


@pytest.mark.parametrize("extra, message", [
    (["--group", "cyclic:5"], "length 4 along axis 1"),
    (["--group", "cyclic:4", "--axis", "3"], "--axis 3 is out of range"),
    (["--group", "cyclic:4", "--blocks", "2x3"], "has 6 points"),
    (["--group", "cyclic:4", "--blocks", "2by2"], "--blocks must look like 8x8"),
    (["--group", "cyclic:9", "--blocks", "3x3"], "not a whole number of 3x3 blocks"),
    (["--group", "trivial:4"], "KLT of a covariance"),
    (["--group", "nonsense:4"], "unknown family"),
    (["--transform", "missing.npz"], "Cannot read a Transform"),
    (["--group", "xor:4", "--blocks", "4x4", "--axis", "0"], "exclude each other"),
    (["--transform", "T.npz", "--field", "complex"], "--field applies to --group"),
])
def test_apply_refuses_bad_input_in_one_line(tmp_path, capsys, extra, message):
    np.save(tmp_path / "x.npy", np.ones((4, 4)))
    code, out, err = run(["apply", tmp_path / "x.npy", *extra, "--out", tmp_path / "y.npy"], capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "y.npy").exists()


def test_derive_verdict_dct_fits_and_cyclic_does_not(tmp_path, capsys):
    n, L = 12, 400
    D = scipy.fft.dct(np.eye(n), norm="ortho", axis=0)
    R = D.T @ np.diag(1.0 / (1 + np.arange(n))) @ D          # DCT-II-invariant
    X = np.random.default_rng(5).multivariate_normal(np.zeros(n), R, size=L)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "C.npy", np.cov(X.T))
    code, out, _ = run(["derive", tmp_path / "C.npy", "--group", "dct:12", "--n-samples", L], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("verdict: dct:12:2 FITS the covariance at level 0.05 "
                                          "(delta-bootstrap")
    assert out.splitlines()[2] == "transform  : DCT-II"
    code, out, _ = run(["derive", tmp_path / "X.npy", "--samples", "--group", "dihedral:12",
                        "--level", "0.01"], capsys)
    assert out.splitlines()[0].startswith("verdict: dihedral:12 does NOT fit the covariance at "
                                          "level 0.01 (lr-bootstrap")
    # an exact covariance is judged by delta alone, with a hint about --n-samples
    np.save(tmp_path / "R.npy", R)
    out = run(["derive", tmp_path / "R.npy", "--group", "dct_group(12, type=2)"], capsys)[1]
    assert out.startswith("verdict: dct:12:2 FITS the covariance taken as exact")
    assert "--n-samples" in out.splitlines()[0]


def test_derive_verdict_agrees_with_discovery(tmp_path, capsys):
    """The CLI's verdict on a point group is discovery's own test of that group."""
    from algdiv.discovery import discover

    n = 8
    i = np.arange(n)
    R = 0.6 ** np.minimum((i[:, None] - i) % n, (i - i[:, None]) % n)
    X = np.random.default_rng(6).multivariate_normal(np.zeros(n), R, size=300)
    C = np.cov(X.T)
    np.save(tmp_path / "C.npy", C)
    for spec in ("dihedral:8", "tree:3"):
        G = parse_group(spec)
        row = next(r for r in discover(C, n_samples=300, candidates=[G], tiers=("catalog",),
                                       rng=0).table if "catalog" in r.tiers)
        out = run(["derive", tmp_path / "C.npy", "--group", spec, "--n-samples", 300], capsys)[1]
        assert (" FITS " in out.splitlines()[0]) == row.accepted
        assert f"threshold {row.threshold:.4g}" in out.splitlines()[0]


def test_derive_refusals(tmp_path, capsys):
    np.save(tmp_path / "C.npy", np.eye(4))
    for argv, msg in [(["--group", "cyclic:4", "--n-samples", "9"], "need a data file"),
                      ([tmp_path / "C.npy", "--group", "cyclic:4", "--samples", "--n-samples", "9"],
                       "--n-samples applies to a covariance file"),
                      ([tmp_path / "C.npy", "--group", "cyclic:4", "--n-samples", "1"], ">= 2"),
                      ([tmp_path / "C.npy", "--group", "cyclic:4", "--level", "2"], "--level"),
                      ([tmp_path / "C.npy", "--group", "aut(colouring)"], "--out G.json")]:
        code, _, err = run(["derive", *argv], capsys)
        assert code == 2 and msg in err, err


def test_discover_warns_on_transposed_samples_and_missing_sample_count(tmp_path, capsys):
    X = np.random.default_rng(7).standard_normal((6, 10))     # 6 snapshots of 10 variables?
    np.save(tmp_path / "X.npy", X)
    code, out, err = run(["discover", tmp_path / "X.npy", "--samples", "--tiers", "catalog"], capsys)
    assert code == 0 and "look transposed: L = 6 rows" in err
    np.save(tmp_path / "C.npy", np.cov(np.random.default_rng(8).standard_normal((50, 6)).T))
    code, out, err = run(["discover", tmp_path / "C.npy", "--tiers", "catalog"], capsys)
    assert "matched group: trivial(6)" in out
    assert "taken as exact (no --n-samples)" in err and "--n-samples L" in err
    code, out, err = run(["discover", tmp_path / "C.npy", "--tiers", "catalog", "--n-samples", "50"],
                         capsys)
    assert "warning" not in err


def test_discover_out_writes_a_family_spec(tmp_path, capsys):
    n = 8
    i = np.arange(n)
    R = 0.5 ** np.bitwise_count(i[:, None] ^ i) + np.eye(n)
    np.save(tmp_path / "R.npy", R)
    code, out, _ = run(["discover", tmp_path / "R.npy", "--out", tmp_path / "G.json"], capsys)
    assert code == 0 and "group spec : hamming:3" in out and "transform  : WHT" in out
    G = parse_group(f"@{tmp_path / 'G.json'}")
    assert G.name == "hamming(3)"
    T = matched_transform(G)
    assert np.allclose(T.matrix, scipy.linalg.hadamard(8) / np.sqrt(8))
