"""``emostudio analyze`` as ../shared/docs/CLI.md specifies it, on real recordings."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from controllers.target import CATEGORIES

REPO_PY = [sys.executable, "-m", "studio.cli", "analyze"]
KEYS = {"category", "probabilities", "valence", "arousal", "dominance", "confidence"}


def _run(*args):
    return subprocess.run(REPO_PY + list(args), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def emodb_wav(shared_dir):
    path = shared_dir / "data" / "emodb" / "wav" / "03a01Wa.wav"
    if not path.exists():
        pytest.skip(f"EmoDB clip {path} is absent")
    return path


def test_analyze_audio_json(emodb_wav):
    res = _run(str(emodb_wav), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert KEYS <= set(out)
    assert set(out["probabilities"]) == set(CATEGORIES)
    assert abs(sum(out["probabilities"].values()) - 1) < 1e-3
    assert out["category"] == max(out["probabilities"], key=out["probabilities"].get)
    assert -1 <= out["valence"] <= 1 and -1 <= out["arousal"] <= 1
    assert out["arousal"] > 0  # an angry clip


def test_analyze_with_head_camera_video(tmp_path):
    import imageio.v3 as iio

    from controllers.target import EmotionTarget
    from synth.avatar import Avatar
    from synth.avatar.render import Renderer
    from synth.face.expression import expression_weights
    from synth.tts import Voice

    speech = Voice.load().synthesize("I can't believe it worked.")
    import soundfile as sf

    wav = tmp_path / "take.wav"
    sf.write(wav, speech.audio, speech.sample_rate)
    avatar, renderer = Avatar.load(), Renderer(camera="head")
    happy = avatar.apply_face(np.asarray(
        expression_weights(EmotionTarget.from_category("happiness", 1.0)), np.float32))
    frames = np.stack([renderer.render(happy)] * 4)
    video = tmp_path / "face.mp4"
    iio.imwrite(video, frames, fps=5)
    res = _run(str(wav), "--video", str(video), "--camera", "head", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert KEYS <= set(out["face"]) and KEYS <= set(out["fused"])
    assert out["face"]["category"] == "happiness"
    # The fused estimate averages the two modalities.
    for c in CATEGORIES:
        mean = (out["probabilities"][c] + out["face"]["probabilities"][c]) / 2
        assert out["fused"]["probabilities"][c] == pytest.approx(mean, abs=2e-3)


def test_bad_input_exits_2(tmp_path):
    res = _run(str(tmp_path / "missing.wav"), "--json")
    assert res.returncode == 2 and "missing.wav" in res.stderr and "Traceback" not in res.stderr
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio")
    res = _run(str(junk), "--json")
    assert res.returncode == 2 and "readable" in res.stderr
