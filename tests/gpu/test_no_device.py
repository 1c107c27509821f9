"""Without a usable CUDA device: algdiv imports, the CPU paths work, GPU calls say why not."""
import numpy as np
import pytest

import algdiv
import algdiv.gpu
from algdiv.gpu import _dispatch


def test_available_is_falsy_with_a_reason_or_truthy():
    status = algdiv.gpu.available()
    assert isinstance(status.reason, str) and status.reason
    assert bool(status) == status.ok


@pytest.mark.skipif(bool(algdiv.gpu.available()), reason="a CUDA device is usable here")
def test_gpu_call_without_device_raises_clear_error():
    for call in (_dispatch._cupy, lambda: algdiv.gpu.itq3s_decode(b"")):
        with pytest.raises(RuntimeError, match="GPU path is not available") as exc:
            call()
        # The message says how to install support, for CUDA 12 and 13.
        assert 'pip install "algdiv[gpu]"' in str(exc.value) and "algdiv[gpu-cuda13]" in str(exc.value)


def test_install_hint_names_extras_that_exist():
    import pathlib
    import tomllib

    extras = tomllib.loads((pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())[
        "project"]["optional-dependencies"]
    assert extras["gpu"][0] == "cupy-cuda12x" and extras["gpu-cuda13"][0] == "cupy-cuda13x"
    for extra in ("gpu", "gpu-cuda13"):
        assert f'algdiv[{extra}]' in algdiv.gpu.INSTALL_HINT


def test_dir_lists_public_names_only():
    names = dir(algdiv.gpu)
    assert names == sorted(algdiv.gpu.__all__)
    assert "annotations" not in names and "pathlib" not in names
    for name in names:
        assert getattr(algdiv.gpu, name) is not None


def test_cpu_paths_unaffected():
    from algdiv.transforms import fwht, hd
    x = np.arange(8.0)
    np.testing.assert_array_equal(fwht(x), np.array([28.0, -4, -8, 0, -16, 0, 0, 0]))
    assert hd(x, seed=1).shape == (8,)


def test_kernel_sources_ship_with_the_package():
    names = {p.name for p in algdiv.gpu.KERNEL_DIR.iterdir()}
    assert {"wht.cu", "wht_core.cuh", "wht_cta.cuh", "rademacher.cuh"} <= names
