"""Rotation analysis: structured Hadamard rotations against uniform rotations.

Randomized Hadamard rotations :math:`T = d^{-b/2}(HD_b)\\cdots(HD_1)` replace
uniform random rotations in quantization, sketching and Johnson-Lindenstrauss
embeddings. This package measures how close they are, with exact laws where
they exist and Monte Carlo with honest confidence bands where they do not:

* the operator and the Monte Carlo over it: :func:`structured_rotation`,
  :func:`sample_structured`; the reference: :func:`uniform_rotation`,
  :func:`uniform_sphere`, :func:`sphere_coordinates`, :func:`coordinate_marginal`;
* exact oracles: :func:`lattice_law` (one coordinate of :math:`T(u_k)`),
  :func:`wasserstein2_e1`, :func:`f1_lower_bound_e1`;
* statistics: :func:`kolmogorov_distance` (ties handled), :func:`dkw_band`,
  :func:`loglog_slope`, :func:`wasserstein2_mc`, :func:`f1_lower_bound`;
* the whole protocol with its controls: :func:`verify` -> :class:`RotationReport`.

See ``docs/rotations.md`` for the conventions and measured figures.

Examples
--------
>>> from algdiv.rotations import lattice_law, wasserstein2_e1
>>> round(lattice_law(1024, 4).kolmogorov_distance() * 32, 3)   # d_K ~ 0.6 / sqrt(d)
0.598
>>> round(wasserstein2_e1(1024), 4)                                # but W2 stays ~0.636
0.6355
"""
from ._lattice import LatticeLaw, lattice_law, spread_input
from ._marginal import (
    coordinate_marginal,
    expected_abs_coordinate,
    sphere_coordinates,
    uniform_rotation,
    uniform_sphere,
)
from ._operator import StructuredRotation, structured_rotation
from ._sampler import chunk_rows, mc_stream, sample_batched, sample_structured
from ._stats import dkw_band, kolmogorov_distance, loglog_slope
from ._verify import INPUTS, Check, RotationReport, verify
from ._wasserstein import (
    Estimate,
    f1_lower_bound,
    f1_lower_bound_e1,
    f1_statistic,
    wasserstein2_e1,
    wasserstein2_mc,
)

__all__ = [
    "structured_rotation", "StructuredRotation", "sample_structured", "sample_batched", "mc_stream", "chunk_rows",
    "uniform_rotation", "uniform_sphere", "sphere_coordinates", "coordinate_marginal",
    "expected_abs_coordinate", "lattice_law", "LatticeLaw", "spread_input",
    "kolmogorov_distance", "dkw_band", "loglog_slope",
    "wasserstein2_e1", "wasserstein2_mc", "f1_statistic", "f1_lower_bound", "f1_lower_bound_e1",
    "Estimate", "verify", "RotationReport", "Check", "INPUTS",
]
