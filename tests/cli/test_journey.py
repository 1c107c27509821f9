"""The user's whole path, from files on disk: samples -> discover --out -> derive --group @file
--out -> apply -> apply --inverse gives the data back; in a subprocess and in Python.

Independent truths: the real Fourier matrix from its closed form, scipy.fft.dctn, and the
data themselves after the round trip.
"""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import scipy.fft

import algdiv
from algdiv.bases import Transform, matched_transform
from algdiv.groups import dihedral, from_generators, load_group, parse_group, save_group

ROOT = pathlib.Path(algdiv.__file__).resolve().parents[1]   # the algdiv this process imported


def algdiv_cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "algdiv", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def real_fourier(n):
    i = np.arange(n)
    rows = [np.ones(n) / np.sqrt(n)]
    for k in range(1, (n + 1) // 2):
        rows += [np.sqrt(2 / n) * np.cos(2 * np.pi * k * i / n),
                 np.sqrt(2 / n) * np.sin(2 * np.pi * k * i / n)]
    if n % 2 == 0:
        rows.append((-1.0) ** i / np.sqrt(n))
    return np.array(rows)


def ring_samples(n=8, L=1000, seed=1):
    i = np.arange(n)
    R = 0.6 ** np.minimum((i[:, None] - i) % n, (i - i[:, None]) % n)
    return np.random.default_rng(seed).multivariate_normal(np.zeros(n), R, size=L)


def test_samples_to_coefficients_and_back_in_a_subprocess(tmp_path):
    X = ring_samples()
    np.save(tmp_path / "X.npy", X)
    out, _ = algdiv_cli("discover", "X.npy", "--samples", "--out", "G.json", cwd=tmp_path)
    assert "matched group: dihedral(8)" in out
    assert "group spec : dihedral:8" in out and "transform  : real Fourier" in out
    assert "algdiv derive X.npy --samples --group dihedral:8 --out T.npz" in out
    G = load_group(tmp_path / "G.json")
    assert G.degree == 8 and G.order() == 16 and G.spec == "dihedral:8"

    out, _ = algdiv_cli("derive", "X.npy", "--samples", "--group", "@G.json", "--out", "T.npz",
                        cwd=tmp_path)
    first = out.splitlines()[0]
    assert first.startswith("verdict: dihedral:8 FITS the covariance at level 0.05"), first
    assert "saved      : the transform, to T.npz" in out

    algdiv_cli("apply", "X.npy", "--transform", "T.npz", "--out", "C.npy", cwd=tmp_path)
    C = np.load(tmp_path / "C.npy")
    np.testing.assert_allclose(C, X @ real_fourier(8).T, atol=1e-12)
    algdiv_cli("apply", "C.npy", "--transform", "T.npz", "--inverse", "--out", "Y.npy",
               cwd=tmp_path)
    np.testing.assert_allclose(np.load(tmp_path / "Y.npy"), X, atol=1e-12)


def test_discovered_generic_group_through_its_file(tmp_path):
    """aut(colouring) has no family name: its file carries it to derive and apply."""
    G0 = from_generators([[1, 2, 0, 4, 5, 3]])
    A = np.random.default_rng(0).standard_normal((6, 6))
    R = G0.reynolds(A @ A.T + 6 * np.eye(6))
    R = (R + R.T) / 2
    np.save(tmp_path / "R.npy", R)
    out, _ = algdiv_cli("discover", "R.npy", "--out", "G.json", cwd=tmp_path)
    assert "matched group: aut(colouring)" in out and "group spec : @G.json" in out
    assert "algdiv derive R.npy --group '@G.json' --out T.npz" in out
    out, _ = algdiv_cli("derive", "R.npy", "--group", "@G.json", "--out", "T.npz", cwd=tmp_path)
    assert out.startswith("verdict: @G.json FITS the covariance taken as exact")
    T = Transform.load(tmp_path / "T.npz")
    D = T.matrix.T @ R @ T.matrix
    assert np.abs(D - np.diag(np.diag(D))).max() < 1e-10 * np.abs(R).max()
    data = np.random.default_rng(2).standard_normal((6, 3)).astype(np.float32)
    np.save(tmp_path / "x.npy", data)
    algdiv_cli("apply", "x.npy", "--transform", "T.npz", "--axis", "0", "--out", "c.npy",
               cwd=tmp_path)
    c = np.load(tmp_path / "c.npy")
    assert c.dtype == np.float32
    np.testing.assert_allclose(c, T.matrix.T @ data, atol=1e-5)
    algdiv_cli("apply", "c.npy", "--transform", "T.npz", "--axis", "0", "--inverse",
               "--out", "y.npy", cwd=tmp_path)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), data, atol=1e-5)


def test_image_blocks_2d_dct_in_a_subprocess(tmp_path):
    img = np.random.default_rng(3).integers(0, 256, (24, 32)).astype(np.float32)
    np.save(tmp_path / "img.npy", img)
    out, _ = algdiv_cli("apply", "img.npy", "--group", "direct(dct:8,dct:8)", "--blocks", "8x8",
                        "--out", "coef.npy", cwd=tmp_path)
    assert "(kron 64" in out
    coef = np.load(tmp_path / "coef.npy")
    blocks = img.reshape(3, 8, 4, 8).transpose(0, 2, 1, 3).astype(np.float64)
    want = scipy.fft.dctn(blocks, axes=(2, 3), norm="ortho").transpose(0, 2, 1, 3).reshape(24, 32)
    assert coef.dtype == np.float32
    np.testing.assert_allclose(coef, want, rtol=1e-5, atol=1e-3)
    algdiv_cli("apply", "coef.npy", "--group", "direct(dct:8,dct:8)", "--blocks", "8x8",
               "--inverse", "--out", "back.npy", cwd=tmp_path)
    np.testing.assert_allclose(np.load(tmp_path / "back.npy"), img, atol=1e-3)


def test_the_same_three_steps_in_python(tmp_path):
    X = ring_samples()
    res = algdiv.discover(samples=X, rng=0)                  # 1. discover
    save_group(res.group, tmp_path / "G.json")
    G = parse_group(f"@{tmp_path / 'G.json'}")               # 2. the group back, its transform
    assert G.spec == "dihedral:8" and G.order() == dihedral(8).order()
    T = matched_transform(G)
    T.save(tmp_path / "T.npz")
    T = Transform.load(tmp_path / "T.npz")
    C = T(X)                                                 # 3. apply, and invert
    np.testing.assert_allclose(C, X @ real_fourier(8).T, atol=1e-12)
    np.testing.assert_allclose(T.inverse(C), X, atol=1e-12)
    C32 = T(X.astype(np.float32))
    assert C32.dtype == np.float32 and np.allclose(C32, C, atol=1e-5)


def test_python_blockwise_2d_dct():
    T = matched_transform(parse_group("direct(dct:8,dct:8)"))
    img = np.random.default_rng(4).standard_normal((16, 16))
    blocks = img.reshape(2, 8, 2, 8).transpose(0, 2, 1, 3).reshape(2, 2, 64)
    coef = T(blocks)
    want = scipy.fft.dctn(img.reshape(2, 8, 2, 8).transpose(0, 2, 1, 3), axes=(2, 3), norm="ortho")
    np.testing.assert_allclose(coef.reshape(2, 2, 8, 8), want, atol=1e-12)
    np.testing.assert_allclose(T.inverse(coef), blocks, atol=1e-12)


@pytest.mark.parametrize("cmd", ["apply", "derive", "discover"])
def test_help_has_a_description(cmd, capsys):
    from algdiv.cli import main

    assert main([cmd, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.count("\n") > 5 and "usage:" in text
    assert len(text.split("\n\n")[1]) > 40         # the paragraph after the usage line
