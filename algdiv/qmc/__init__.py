r"""Quasi-Monte Carlo point sets and fast kernel methods on them.

A shift-invariant kernel's Gram matrix on a rank-1 lattice is invariant under
the cyclic group, and a digitally shift-invariant kernel's on a base-2 digital
net under :math:`\mathbb Z_2^m` acting by XOR. Their matched transforms (the
FFT, :func:`~algdiv.transforms.fftbr` in radical-inverse order, and the FWHT)
diagonalize them, so multiplication, solves, log-determinants, Gaussian-process
fitting and Bayesian cubature cost :math:`O(n \log n)` instead of
:math:`O(n^3)`.

* Points: :func:`lattice`, :func:`cbc` (fast component-by-component),
  :func:`sobol_matrices`, :func:`digital_net`, :func:`lms`, :func:`interlace`,
  :func:`sobol`.
* Kernels: :func:`si_kernel`, :func:`dsi_kernel` (:class:`ProductKernel`).
* Fast Gram matrices: :class:`FastGram`, :func:`detect_structure`.
* Models: :class:`FastGP`, :func:`cubature`, :func:`worst_case_error`.

Examples
--------
>>> import numpy as np
>>> from algdiv.qmc import FastGram, sobol, dsi_kernel
>>> x = sobol(1024, 3, rng=7)
>>> G = FastGram(dsi_kernel(alpha=1, weights=[1, .5, .25]), x, nugget=1e-8)
>>> G.structure
'digital'
>>> bool(G.min_eigenvalue() > 0)
True
"""
from ._fastgram import FastGram, detect_structure
from ._gp import CubatureResult, FastGP, cubature, worst_case_error
from ._kernels import ProductKernel, bernoulli_poly, dsi_kernel, si_kernel
from ._lattice import cbc, lattice
from ._nets import digital_net, interlace, lms, sobol, sobol_matrices

__all__ = [
    "lattice", "cbc", "sobol_matrices", "digital_net", "lms", "interlace", "sobol",
    "si_kernel", "dsi_kernel", "ProductKernel", "bernoulli_poly",
    "FastGram", "detect_structure", "FastGP", "cubature", "CubatureResult", "worst_case_error",
]
