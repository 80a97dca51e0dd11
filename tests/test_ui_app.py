"""The web UI's helpers without a browser: the valence-arousal pad, emotion controls, results."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import numpy as np
import pytest

from controllers.target import EmotionTarget

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app():
    spec = importlib.util.spec_from_file_location("emostudio_app", REPO / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pad_clicks_map_to_the_valence_arousal_plane(app):
    size = app.PAD_SIZE
    assert app.pad_to_va(0, 0) == (-1.0, 1.0)  # top left: unpleasant, excited
    assert app.pad_to_va(size - 1, size - 1) == (1.0, -1.0)
    for v, a in [(0.0, 0.0), (0.5, -0.3), (-0.8, 0.9)]:
        assert app.pad_to_va(*app.va_to_pad(v, a)) == pytest.approx((v, a), abs=0.01)
    img = app.pad_image(0.6, 0.4)
    assert img.shape == (size, size, 3) and img.dtype == np.uint8
    x, y = (round(c) for c in app.va_to_pad(0.6, 0.4))
    assert img[y - 7, x, 0] > 150 > img[y - 7, x, 2]  # the red marker sits on the point


def test_each_emotion_control_gives_the_renderers_emotion(app):
    assert app.emotion_from_controls("description", "quietly furious", 0, 0, 0, "anger", 1) \
        == "quietly furious"
    assert app.emotion_from_controls("pad", "", 0.5, -0.2, 0.1, "anger", 1) == (0.5, -0.2, 0.1)
    target = app.emotion_from_controls("category", "", 0, 0, 0, "sadness", 0.5)
    assert target == EmotionTarget.from_category("sadness", 0.5)


def test_critic_summary_lists_target_and_every_modality(app):
    critic = {"verdict": {"success": False, "best_iteration": 1, "reason": "speech reads calm"},
              "iterations": [{"estimates": {}},
                             {"estimates": {m: {"category": "calm", "valence": 0.3,
                                                "arousal": -0.4, "confidence": 0.6}
                                            for m in ("speech", "face", "body")}}]}
    text = app.critic_markdown(critic, EmotionTarget.from_category("anger", 1.0).to_dict())
    assert "Target not met" in text and "speech reads calm" in text and "2 takes" in text
    assert all(f"| {m} | calm | +0.30 | -0.40 | 0.60 |" in text for m in ("speech", "face", "body"))
    assert "| **target** | anger |" in text


def test_zip_holds_every_file_of_the_take(app, tmp_path):
    take = tmp_path / "take-1"
    take.mkdir()
    for name in ("take.wav", "face.arkit.json", "take.glb"):
        (take / name).write_bytes(b"x" * 10)
    (take / ".take.abc.tmp.wav").write_bytes(b"partial")
    archive = app.zip_take(take)
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["take-1/face.arkit.json", "take-1/take.glb",
                                          "take-1/take.wav"]
