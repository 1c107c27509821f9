"""Command-line hygiene: descriptions, one option name per meaning, extra arguments, file formats."""
import argparse
import pickle

import numpy as np
import pytest

from algdiv.cli import build_parser, main
from algdiv.cli._io import sniff_format


def _subparsers(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + (name,), sub
                yield from _subparsers(sub, prefix + (name,))


ALL = list(_subparsers(build_parser()))


def test_every_command_has_a_description():
    assert len(ALL) >= 15
    missing = [" ".join(path) for path, p in ALL if not (p.description and len(p.description) > 30)]
    assert not missing, f"commands without a description: {missing}"


def _options(p):
    return {o for a in p._actions if a.help != argparse.SUPPRESS for o in a.option_strings}


def test_one_option_name_per_meaning():
    # A significance level is --level everywhere; a smoothness order is --smoothness; nothing shows --alpha.
    shown = {" ".join(path): _options(p) for path, p in ALL}
    assert not [c for c, o in shown.items() if "--alpha" in o]
    assert "--level" in shown["discover"] and "--level" in shown["rotations"]
    for action in ("points", "gram", "integrate"):
        assert "--smoothness" in shown[f"qmc {action}"]
    # --n is a size (number of points) wherever it appears; sparse-wht's bit count is --bits.
    assert "--bits" in shown["sparse-wht"] and "--n" not in shown["sparse-wht"]
    # --samples is the flag "the file holds samples" (discover, derive); a Monte Carlo count is --draws.
    assert "--samples" in shown["discover"] and "--samples" in shown["derive"]
    assert "--draws" in shown["rotations"] and "--samples" not in shown["rotations"]
    help_text = {" ".join(path): p.format_help() for path, p in ALL}
    assert "--alpha" not in help_text["rotations"] and "--alpha" not in help_text["qmc gram"]


def test_deprecated_spellings_still_parse():
    parser = build_parser()
    assert parser.parse_args(["rotations", "--alpha", "0.01"]).level == 0.01
    assert parser.parse_args(["qmc", "gram", "--alpha", "2"]).smoothness == 2
    assert parser.parse_args(["sparse-wht", "--n", "12"]).bits == 12
    assert parser.parse_args(["rotations", "--samples", "500", "--w2-samples", "0"]).draws == 500


def test_extra_arguments_refused(tmp_path, capsys):
    w = np.random.default_rng(0).standard_normal((2, 256)).astype(np.float32)
    np.save(tmp_path / "w.npy", w)
    assert main(["quant", "encode", str(tmp_path / "w.npy"), str(tmp_path / "w.itq3")]) == 0
    capsys.readouterr()
    assert main(["quant", "info", str(tmp_path / "w.itq3"), "extra"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "extra" in err[0]
    for argv in (["catalog", "x"], ["info", "x"], ["rotations", "x"], ["derive", "a", "b", "--group", "cyclic:4"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "unrecognized arguments" in err[0]


@pytest.mark.parametrize(
    "name,content,expect",
    [
        ("c.csv", b"1,2\n3,4\n", "CSV is not supported; save with numpy.save"),
        ("c.tsv", b"1\t2\n3\t4\n", "TSV is not supported"),
        ("c.txt", b"1 2\n3 4\n", "text is not supported"),
        ("c.json", b"[[1, 2], [2, 1]]", "JSON is not supported"),
        ("c.pkl", pickle.dumps(np.eye(2), protocol=4), "pickle"),
        ("c.h5", b"\x89HDF\r\n\x1a\n" + bytes(16), "HDF5 is not supported"),
        ("c.bin", bytes([0, 1, 2, 255, 254, 0, 7]), "unrecognised binary"),
        ("c.npy", b"", "empty"),
    ],
)
def test_unknown_formats_are_named(tmp_path, capsys, name, content, expect):
    path = tmp_path / name
    path.write_bytes(content)
    assert expect in sniff_format(str(path))
    for argv in (["derive", str(path), "--group", "cyclic:2"], ["discover", str(path)],
                 ["apply", str(path), "--group", "cyclic:2", "--out", str(tmp_path / "o.npy")]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and expect in err[0], err


def test_npy_and_npz(tmp_path, capsys):
    np.save(tmp_path / "a.npy", np.eye(2))
    assert sniff_format(str(tmp_path / "a.npy")) is None
    np.savez(tmp_path / "b.npz", a=np.eye(2))
    assert main(["derive", str(tmp_path / "b.npz"), "--group", "cyclic:2"]) == 2
    assert ".npz" in capsys.readouterr().err
