"""Shared fixtures. Tests run on the CPU, in float64 wherever they compare numbers."""

import numpy as np
import pytest

# The data tests' fixtures (real data sets that may be absent, tiny fake IDX files).
pytest_plugins = ["data_helpers"]


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def rings_data():
    from nnlearn.data import load
    return load("rings", seed=0)
