"""Every CUDA kernel instantiation the library can launch compiles for sm_80 and sm_90.

One translation unit (the inlined source CuPy compiles, plus a table taking the address of
each instantiation) per architecture, with nvcc (PTX) and with NVRTC (the library's
run-time compiler), so a kernel that does not compile fails CI on machines without a GPU.
The SASS build through ptxas checks that every kernel fits its launch bounds.
"""
import re
import shutil
import subprocess

import pytest

from algdiv.gpu import _kernels, _plan

ARCHS = ["sm_80", "sm_90"]


def _tu():
    table = ",\n".join(f"    (void *)&{name}" for name in _plan.instantiations())
    return _kernels.source() + "\nvoid *algdiv_all_instantiations[] = {\n" + table + "};\n"


def test_source_is_one_self_contained_unit():
    src = _kernels.source()
    assert '#include "' not in src and "#include <" not in src    # NVRTC needs no toolkit headers
    for name in _plan.instantiations():
        template = name.split("<")[0]
        assert re.search(r"__global__ void\s+(__launch_bounds__\([^)]*\)\s+)?" + template + r"\(", src), template


def test_launch_bounds_match_the_planner():
    src = _kernels.source()
    assert f"#define ALGDIV_ROWS_MAX_THREADS {_plan.ROWS_MAX_THREADS}" in src
    assert "__launch_bounds__(256) algdiv_wht_cols" in src
    assert "__launch_bounds__(256) algdiv_wht_permute" in src
    launches, _ = _plan.plan_wht(2, 1 << 24, "float32", smem_limit=227 * 1024, order="dyadic")
    assert {L.block for L in launches if L.kernel != "rows"} == {256}


def test_planner_only_emits_listed_instantiations():
    names = set(_plan.instantiations())
    emitted = set()
    for dtype in _plan.DTYPES:
        for n in [1, 2, 8, 12, 16, 1 << 10, 1 << 12, 20 << 8, 28 << 10, 1 << 15, 1 << 16, 1 << 22, 12 << 14]:
            orders = ["natural"] if n & (n - 1) else ["natural", "sequency", "dyadic"]
            for order in orders:
                for inverse in (False, True):
                    for limit in (48 * 1024, 163 * 1024, 227 * 1024):
                        launches, _ = _plan.plan_wht(3, n, dtype, smem_limit=limit, order=order,
                                                     inverse=inverse)
                        emitted |= {L.name for L in launches}
                        assert all(L.smem <= limit for L in launches), (dtype, n, limit)
                        assert all(L.block <= _plan.ROWS_MAX_THREADS for L in launches)
        if dtype != "bfloat16":
            emitted |= {L.name for L in _plan.plan_itq3s(5, 1200, dtype)}
    assert emitted <= names, emitted - names
    assert {n for n in names if "rows" in n} <= emitted


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not on PATH")
@pytest.mark.parametrize("arch", ARCHS)
def test_nvcc_compiles_every_instantiation(tmp_path, arch):
    cu = tmp_path / "algdiv_wht_all.cu"
    cu.write_text(_tu())
    r = subprocess.run(["nvcc", "--ptx", "-std=c++17", f"-arch={arch}", str(cu), "-o", str(tmp_path / "k.ptx")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-4000:]
    ptx = (tmp_path / "k.ptx").read_text()
    assert ptx.count(".entry ") == len(_plan.instantiations())


def _nvrtc():
    try:
        from cupy_backends.cuda.libs import nvrtc
        nvrtc.getVersion()
        return nvrtc
    except Exception as exc:     # cupy absent, or no NVRTC library (nvidia-cuda-nvrtc wheel / toolkit)
        pytest.skip(f"NVRTC is not usable here ({type(exc).__name__}: {exc})")


def test_nvrtc_compiles_every_instantiation():
    nvrtc = _nvrtc()
    prog = nvrtc.createProgram(_kernels.source(), "algdiv_wht.cu", [], [])
    try:
        for name in _plan.instantiations():
            nvrtc.addNameExpression(prog, name)
        try:
            # the options CuPy's RawModule adds to ours (cupy/cuda/compiler.py)
            nvrtc.compileProgram(prog, list(_kernels.NVRTC_OPTIONS) + [
                "--gpu-architecture=compute_80", "-ftz=true", "--device-as-default-execution-space"])
        except Exception:
            pytest.fail(nvrtc.getProgramLog(prog)[-4000:])
        lowered = [nvrtc.getLoweredName(prog, name) for name in _plan.instantiations()]
        assert len(set(lowered)) == len(lowered)
        assert nvrtc.getPTX(prog)
    finally:
        nvrtc.destroyProgram(prog)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not on PATH")
@pytest.mark.parametrize("arch", ARCHS)
def test_sass_resources(tmp_path, arch):
    """ptxas accepts every kernel and the rows kernels fit their launch bounds."""
    cu = tmp_path / "algdiv_wht_all.cu"
    cu.write_text(_tu())
    r = subprocess.run(["nvcc", "-cubin", "-std=c++17", f"-arch={arch}", "-Xptxas", "-v", str(cu),
                        "-o", str(tmp_path / "k.cubin")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    regs = [int(v) for v in re.findall(r"Used (\d+) registers", r.stderr)]
    assert len(regs) == len(_plan.instantiations())
    assert max(regs) * _plan.ROWS_MAX_THREADS <= 65536
