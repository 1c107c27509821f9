"""The CUDA sign generator (algdiv/gpu/kernels/rademacher.cuh) against the CPU one.

No device is needed: the header is ``__host__ __device__``, so it is compiled as
host code (nvcc, or the system C compiler) and run on the CPU, and compiled as
device code for sm_80/sm_90 to PTX.
"""
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

from algdiv.transforms import rademacher

HEADER = pathlib.Path(__file__).resolve().parents[2] / "algdiv" / "gpu" / "kernels" / "rademacher.cuh"

MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include "rademacher.cuh"
int main(int argc, char **argv) {
    algdiv_u64 seed = strtoull(argv[1], 0, 10), stream = strtoull(argv[2], 0, 10);
    algdiv_u64 off = strtoull(argv[3], 0, 10), n = strtoull(argv[4], 0, 10);
    algdiv_u64 key = algdiv_key(seed, stream);
    for (algdiv_u64 i = 0; i < n; ++i) putchar(algdiv_sign(key, off + i) > 0 ? '+' : '-');
    return 0;
}
"""

CASES = [(0, 0, 0, 8), (3, 0, 0, 16), (2**64 - 1, 7, 0, 4096), (12345, 2**63, 2**64 - 100, 300)]


def _compiler():
    for cc in ("nvcc", "cc", "gcc"):
        if shutil.which(cc):
            return cc
    pytest.skip("neither nvcc nor a C compiler is on PATH")


@pytest.fixture(scope="module")
def host_binary(tmp_path_factory):
    d = tmp_path_factory.mktemp("radgen")
    src = d / ("main.cu" if _compiler() == "nvcc" else "main.c")
    src.write_text(MAIN)
    exe = d / "radgen"
    subprocess.run([_compiler(), "-O2", "-I", str(HEADER.parent), str(src), "-o", str(exe)],
                   check=True, capture_output=True, timeout=120)
    return exe


@pytest.mark.parametrize("seed,stream,offset,n", CASES)
def test_host_build_matches_rademacher(host_binary, seed, stream, offset, n):
    out = subprocess.run([str(host_binary), str(seed), str(stream), str(offset), str(n)],
                         check=True, capture_output=True, text=True, timeout=30).stdout
    got = np.array([1 if c == "+" else -1 for c in out], dtype=np.int8)
    idx = (np.uint64(offset) + np.arange(n, dtype=np.uint64))
    from algdiv.transforms import rademacher_at
    np.testing.assert_array_equal(got, rademacher_at(seed, idx, stream))
    if offset == 0:
        np.testing.assert_array_equal(got, rademacher(seed, n, stream))


def test_check_values_from_the_contract(host_binary):
    out = subprocess.run([str(host_binary), "3", "0", "0", "16"], check=True,
                         capture_output=True, text=True).stdout
    assert out == "--------+-++-++-"


def test_constants_match_python_source():
    import inspect
    import algdiv.transforms._random as r
    src = HEADER.read_text()
    pysrc = inspect.getsource(r).upper()
    for name in ("GAMMA", "MIX_M1", "MIX_M2"):
        c = re.search(r"#define ALGDIV_%s (0x[0-9A-F]+)ULL" % name, src).group(1)
        assert c.upper()[2:] in pysrc.replace("_", ""), (name, c)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc not on PATH")
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_header_compiles_as_device_code(tmp_path, arch):
    cu = tmp_path / "k.cu"
    cu.write_text('#include "rademacher.cuh"\nextern "C" __global__ void k(int *o, '
                  'unsigned long long s){ o[threadIdx.x] = algdiv_sign(algdiv_key(s, 0), threadIdx.x); }\n')
    subprocess.run(["nvcc", f"-arch={arch}", "--ptx", "-I", str(HEADER.parent), str(cu),
                    "-o", str(tmp_path / "k.ptx")], check=True, capture_output=True, timeout=120)
