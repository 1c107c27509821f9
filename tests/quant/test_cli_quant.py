"""``algdiv quant`` encode / info / decode."""
import io

import numpy as np

from algdiv.cli import main
from algdiv.cli._cmd_quant import TOUR_STEPS
from algdiv.quant import itq3s_decode, itq3s_encode


def test_cli_round_trip(tmp_path, capsys):
    w = np.random.default_rng(0).standard_normal((8, 300)).astype(np.float32)
    src, enc, dec = tmp_path / "w.npy", tmp_path / "w.itq3", tmp_path / "d.npy"
    np.save(src, w)
    assert main(["quant", "encode", str(src), str(enc)]) == 0
    assert "bits/weight" in capsys.readouterr().out
    assert main(["quant", "info", str(enc)]) == 0
    assert "(8, 300)" in capsys.readouterr().out
    assert main(["quant", "decode", str(enc), str(dec)]) == 0
    np.testing.assert_array_equal(np.load(dec), itq3s_decode(itq3s_encode(w), np.float32))
    assert main(["quant", "info", str(src)]) == 2               # not an ITQ3 file
    assert "bad magic" in capsys.readouterr().err
    assert main(["quant", "decode", str(enc)]) == 2


def test_tour_step():
    out = io.StringIO()
    TOUR_STEPS[0][1](out)
    assert "ITQ3_S packed" in out.getvalue()
