"""Shared test set-up: make `tests/` importable (for `strategies`, the hypothesis
strategies that generate random IR graphs) and register the hypothesis profile."""
import os
import sys

from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("snnc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("snnc")
