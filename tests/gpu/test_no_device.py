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
    with pytest.raises(RuntimeError, match="no usable CUDA device was found"):
        _dispatch._cupy()
    with pytest.raises(RuntimeError, match="no usable CUDA device was found"):
        algdiv.gpu.itq3s_decode(b"")


def test_cpu_paths_unaffected():
    from algdiv.transforms import fwht, hd
    x = np.arange(8.0)
    np.testing.assert_array_equal(fwht(x), np.array([28.0, -4, -8, 0, -16, 0, 0, 0]))
    assert hd(x, seed=1).shape == (8,)


def test_kernel_sources_ship_with_the_package():
    names = {p.name for p in algdiv.gpu.KERNEL_DIR.iterdir()}
    assert {"wht.cu", "wht_core.cuh", "wht_cta.cuh", "rademacher.cuh"} <= names
