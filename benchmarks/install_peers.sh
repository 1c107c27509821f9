#!/usr/bin/env bash
# Install the FWHT peers that benchmarks/fwht.py compares algdiv against.
#
# Each peer is installed on its own and a failure never stops the others: the
# benchmark simply leaves out whatever did not install.  Usage:
#     bash benchmarks/install_peers.sh            # all peers
#     PYTHON=python3.11 bash benchmarks/install_peers.sh
set -u
PY="${PYTHON:-python}"
PIP="$PY -m pip install --disable-pip-version-check"
ok=()
failed=()

try() {  # try NAME COMMAND...
    local name="$1"; shift
    echo "=== $name: $*"
    if "$@"; then ok+=("$name"); else failed+=("$name"); fi
}

# fht-cpu: manylinux wheel (nanobind, FFHT's AVX code, OpenMP over rows)
try fht-cpu $PIP fht-cpu
# ffht-unofficial: sdist only; its setup.py imports pybind11, so pybind11 must
# be installed first (with wheel, for bdist_wheel) and the build must see it
# (no build isolation).  It
# compiles with -march=native: the result is only valid on this machine.
try pybind11 $PIP pybind11 wheel setuptools
try ffht-unofficial $PIP --no-build-isolation ffht-unofficial
# pyfwht (GPL-3.0, libfwht): build the CPU library only, even if nvcc is on PATH
try pyfwht env USE_CUDA=0 $PIP --no-binary pyfwht pyfwht
# qmcpy: numpy fwht (orthonormal)
try qmcpy $PIP qmcpy
# sympy: pure Python, small sizes only (already an algdiv dependency)
try sympy $PIP sympy
# hadamard-transform needs torch: only where torch is already installed
if $PY -c "import torch" >/dev/null 2>&1; then
    try hadamard-transform $PIP hadamard-transform
else
    echo "=== hadamard-transform: skipped (torch is not installed)"
fi

echo
echo "installed: ${ok[*]:-none}"
echo "failed:    ${failed[*]:-none}"
exit 0
