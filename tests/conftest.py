"""Shared fixtures. Tests run on the CPU, in float64 wherever they compare numbers."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

# The data tests' fixtures (real data sets that may be absent, tiny fake IDX files) and
# the estimator tests' small data sets, and headless Chromium for the browser tests.
pytest_plugins = ["data_helpers", "estimator_helpers", "browser_helpers"]


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def rings_data():
    from nnlearn.data import load
    return load("rings", seed=0)


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    """One BLAS thread and one torch thread for the whole session.

    Every network in the tests is small: threads would only wait for each
    other, and on a busy 2-core machine that wait made an epoch 10 to 50 times
    slower. The engine itself already runs small passes on one BLAS thread
    (``nnlearn.engine.threads``); this pin also covers torch, the few passes
    above the engine's threshold, and scikit-learn's own work. It means the
    tests do not run the library's default thread settings: test_threads.py
    lifts the pin on purpose and trains once on the default thread path."""
    try:
        import torch
    except ImportError:
        torch = None
    threads = torch.get_num_threads() if torch else None
    if torch:
        torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    if torch:
        torch.set_num_threads(threads)


def pytest_terminal_summary(terminalreporter, config):
    """Times measured while testing (the docs build: tests/test_docs_site.py), printed, not
    asserted: CI's log keeps them."""
    from docs_helpers import MEASURED

    for line in config.stash.get(MEASURED, []):
        terminalreporter.write_line(f"measured: {line}")
