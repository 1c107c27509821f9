r"""Matched-group discovery: from a covariance or samples to its group and transform.

``discover`` runs three tiers of proposals and keeps the accepted group of least
resolution: A, catalog scoring with noise-aware thresholds; B, the exact
automorphism group of the colouring of the covariance; C, the sequential
double-commutator eigenproblem over a dictionary of candidate generators. The
measures are the commutativity residual :math:`\delta` and the colouring index
:math:`\alpha`. Conventions: :mod:`algdiv.groups`. Details and measured figures:
``docs/discovery.md``.

Examples
--------
>>> import numpy as np
>>> from algdiv.discovery import discover
>>> i = np.arange(8)
>>> R = 0.5 ** np.bitwise_count(i[:, None] ^ i) + np.eye(8)
>>> discover(R).group.name
'hamming(3)'
"""
from ._automorphisms import colored_automorphisms, have_igraph
from ._catalog import catalog
from ._coloring import coherent_closure, color_entries
from ._dictionary import generator_dictionary
from ._discover import CandidateScore, DiscoveryResult, discover
from ._planted import PLANTED_MODELS, planted_covariance
from ._gevp import GEVPResult, SequentialGEVPResult, dc_gevp, sequential_gevp
from ._residual import coloring_index, commutativity_residual
from ._thresholds import moment_threshold, screen_bound

__all__ = [
    "discover", "DiscoveryResult", "CandidateScore",
    "commutativity_residual", "coloring_index",
    "catalog", "color_entries", "coherent_closure", "colored_automorphisms", "have_igraph",
    "generator_dictionary", "dc_gevp", "sequential_gevp", "GEVPResult", "SequentialGEVPResult",
    "moment_threshold", "screen_bound", "planted_covariance", "PLANTED_MODELS",
]
