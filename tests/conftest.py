"""Shared test configuration: hypothesis profiles (scipy's convention).

``ALGDIV_HYPOTHESIS_PROFILE=dev`` gives random examples; the default ``ci``
profile is derandomized so a failure reproduces.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("ALGDIV_HYPOTHESIS_PROFILE", "ci"))
