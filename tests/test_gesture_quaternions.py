"""Rotation products over whole arrays are scipy's own, to the bit."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from synth.gesture.quaternions import compose, product


def test_products_are_scipys_to_the_bit():
    rng = np.random.default_rng(7)
    a = Rotation.from_quat(rng.standard_normal((20000, 4)))
    b = Rotation.from_quat(rng.standard_normal((20000, 4)))
    np.testing.assert_array_equal(product(a, b).as_quat(), (a * b).as_quat())
    np.testing.assert_array_equal(product(a.inv(), b).as_quat(), (a.inv() * b).as_quat())
    # one rotation against a stack broadcasts as scipy's does
    one = Rotation.from_quat(rng.standard_normal((1, 4)))
    np.testing.assert_array_equal(compose(one.as_quat(), b.as_quat()), (one * b).as_quat())
    # unit results: the composition of rotations, not just of numbers
    np.testing.assert_allclose(np.linalg.norm(compose(a.as_quat(), b.as_quat()), axis=1), 1.0)
    np.testing.assert_allclose(product(a, b).as_matrix(), a.as_matrix() @ b.as_matrix(),
                               atol=1e-12)
