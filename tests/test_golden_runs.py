"""Behaviour unchanged: each face trains the parameters it trained before the run
assembly was unified (issue 26). The reference arrays were made by the code
before that change (``tests/golden_runs.py``); float64 runs must agree to 1e-10
relative (only a different BLAS kernel's summation order may move them), float32
runs to 1e-5."""

import numpy as np
import pytest

from golden_runs import FACES, GOLDEN, flatten


@pytest.fixture(scope="module")
def golden():
    with np.load(GOLDEN) as f:
        return dict(f)


@pytest.mark.parametrize("face", sorted(FACES))
def test_each_face_trains_the_same_parameters_as_before(face, golden):
    got = flatten(face, FACES[face]())
    expected = {k: v for k, v in golden.items() if k.startswith(face + "/")}
    assert sorted(got) == sorted(expected)
    for key, value in got.items():
        assert value.dtype == expected[key].dtype, key
        rtol = 1e-10 if value.dtype == np.float64 else 1e-5
        np.testing.assert_allclose(value, expected[key], rtol=rtol, atol=rtol * 1e-2,
                                   err_msg=key)
