import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def nlp():
    from misconduct_tagger.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def loaded_tagger():
    """The shipped tagger, loaded once for every test module that only reads it (loading takes ~5 s)."""
    from misconduct_tagger import Tagger

    return Tagger.load()
