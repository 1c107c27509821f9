"""Build and drive tests/gpu/host_harness.cpp: the CUDA CTA code run on the CPU.

``run(launches, buffers)`` writes the buffers and a script of the planned launches, runs
the harness and returns the buffers it was asked to read back.  bfloat16 data travels as
uint16 bit patterns (:func:`to_bf16`, :func:`from_bf16`).
"""
import os
import pathlib
import shutil
import subprocess
import tempfile

import numpy as np

from algdiv.gpu import KERNEL_DIR
from algdiv.gpu._plan import Buf

HERE = pathlib.Path(__file__).resolve().parent
_BIN = {}


def compiler():
    for cc in ("g++", "c++", "clang++"):
        if shutil.which(cc):
            return cc
    return None


def harness():
    """Path of the compiled harness (built once per session)."""
    if "exe" not in _BIN:
        d = pathlib.Path(tempfile.mkdtemp(prefix="algdiv_harness_"))
        exe = d / "host_harness"
        subprocess.run([compiler(), "-O2", "-std=c++17", "-Wall", "-Werror", "-Wno-unknown-pragmas",
                        "-Wno-unused-function", "-I", str(KERNEL_DIR), str(HERE / "host_harness.cpp"),
                        "-o", str(exe)], check=True, capture_output=True, timeout=240)
        _BIN["exe"] = exe
    return _BIN["exe"]


def to_bf16(x):
    """float32 -> bfloat16 bits (uint16), round to nearest even (numpy reference)."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    r[nan] = ((u[nan] >> 16) | 0x40).astype(np.uint16)
    return r


def from_bf16(b):
    return (np.asarray(b, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def _value(kind, v):
    if isinstance(v, Buf):
        return "-" if v.name is None else v.name
    if kind == "A":
        return repr(float(v))
    return str(int(v))


def run(launches, buffers, read):
    """Run ``launches`` on the host; ``buffers`` maps role -> ndarray (C-contiguous bytes);
    returns {role: raw bytes as uint8 array} for each role in ``read``."""
    with tempfile.TemporaryDirectory(prefix="algdiv_host_") as d:
        lines = []
        for name, arr in buffers.items():
            if arr is None:
                continue
            a = np.ascontiguousarray(arr)
            path = os.path.join(d, name + ".bin")
            a.tofile(path)
            lines.append(f"BUF {name} {a.nbytes} {path}")
        for L in launches:
            vals = " ".join(_value(kind, v) for _, kind, v in L.ordered())
            if L.kernel == "permute":
                lines.append(f"PERM {L.T} {L.grid} {L.block} {L.smem} {vals}")
            else:
                loge = int(L.name.rsplit(",", 1)[1].strip(" >"))
                tag = "ROWS" if L.kernel == "rows" else "COLS"
                lines.append(f"{tag} {L.T} {L.A} {loge} {L.grid} {L.block} {L.smem} {vals}")
        outs = {}
        for name in read:
            outs[name] = os.path.join(d, name + ".out")
            lines.append(f"OUT {name} {outs[name]}")
        script = os.path.join(d, "script.txt")
        with open(script, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = subprocess.run([str(harness()), script], capture_output=True, text=True, timeout=120)
        if r.returncode:
            raise RuntimeError(f"host harness failed ({r.returncode}): {r.stderr}")
        return {name: np.fromfile(path, dtype=np.uint8) for name, path in outs.items()}
