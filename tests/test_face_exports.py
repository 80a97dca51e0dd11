"""Every face export is written atomically and reads back: ARKit JSON, Live Link Face CSV,
Audio2Face JSON, Oculus visemes, Rhubarb cues."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest

from controllers.errors import InputError
from controllers.target import EmotionTarget
from studio.export import FACE_FILES, face_exports
from studio.export.a2f import read_a2f
from studio.export.arkit import read_arkit
from studio.export.llf import LLF_HEADER, read_llf, timecode
from studio.export.rhubarb import read_rhubarb
from studio.export.visemes import read_visemes
from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES
from synth.face import animate_face

TEXT = "Bring me five big maps of the valley, please."


@pytest.fixture(scope="module")
def take(tmp_path_factory):
    from synth.tts import Voice

    speech = Voice.load().synthesize(TEXT, seed=0)
    face = animate_face(speech.timeline, EmotionTarget.from_category("surprise", 0.8), seed=2)
    out = tmp_path_factory.mktemp("face")
    files = face_exports(face, speech.timeline, out, sound_file="take.wav")
    return speech, face, out, files


def test_all_files_written_without_leftovers(take):
    _, _, out, files = take
    assert {p.name for p in files.values()} == set(FACE_FILES.values()) | {"mouth.rhubarb.tsv"}
    assert not [p for p in out.iterdir() if ".tmp" in p.name]


def test_arkit_json_reads_back(take):
    _, face, out, _ = take
    data = json.loads((out / "face.arkit.json").read_text())
    assert data["names"] == list(ARKIT_NAMES) and len(data["names"]) == 52
    assert data["fps"] == 60.0 and len(data["weights"]) == face.frames
    back = read_arkit(out / "face.arkit.json")
    np.testing.assert_allclose(back.weights, face.weights, atol=1e-4)
    np.testing.assert_allclose(back.head, face.head, atol=1e-3)
    np.testing.assert_allclose(back.eyes, face.eyes, atol=1e-3)


def test_live_link_face_csv(take):
    _, face, out, _ = take
    with open(out / "face.llf.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:2] == ["Timecode", "BlendShapeCount"]
    # Live Link Face's own order, not Apple's: JawForward,JawRight,JawLeft,JawOpen
    assert header[16:20] == ["JawForward", "JawRight", "JawLeft", "JawOpen"]
    assert header[22:25] == ["MouthPucker", "MouthRight", "MouthLeft"]
    assert header[-9:] == ["HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch",
                           "LeftEyeRoll", "RightEyeYaw", "RightEyePitch", "RightEyeRoll"]
    assert tuple(header) == LLF_HEADER and len(header) == 2 + 61
    assert {h[0].lower() + h[1:] for h in header[2:54]} == set(ARKIT_NAMES)
    assert len(rows) == face.frames + 1
    assert all(r[1] == "61" and len(r) == len(header) for r in rows[1:])
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d:\d\d\.\d{3}", r[0]) for r in rows[1:])
    assert rows[1][0] == "00:00:00:00.000" and rows[61][0] == "00:00:01:00.000"
    assert rows[2][0] == "00:00:00:01.000"
    back = read_llf(out / "face.llf.csv")
    np.testing.assert_allclose(back.weights, face.weights, atol=1e-5)  # columns by name
    np.testing.assert_allclose(back.head, face.head, atol=1e-3)


def test_timecode_format():
    assert timecode(0, 60) == "00:00:00:00.000"
    assert timecode(61, 60) == "00:00:01:01.000"
    assert timecode(60 * 3725 + 7, 60) == "01:02:05:07.000"
    assert timecode(1, 24) == "00:00:00:01.000"


def test_audio2face_json(take):
    _, face, out, _ = take
    data = json.loads((out / "face.a2f.json").read_text())
    assert data["exportFps"] == 60.0 and data["numPoses"] == 52
    assert data["numFrames"] == face.frames == len(data["weightMat"])
    assert data["facsNames"] == list(ARKIT_NAMES)
    fps, weights = read_a2f(out / "face.a2f.json")
    np.testing.assert_allclose(weights, face.weights, atol=1e-5)


def test_oculus_visemes_json(take):
    speech, face, out, _ = take
    fps, weights, cues = read_visemes(out / "visemes.json")
    assert fps == 60.0 and weights.shape == (face.frames, 15)
    np.testing.assert_allclose(weights, face.visemes, atol=1e-4)
    assert json.loads((out / "visemes.json").read_text())["names"] == list(OCULUS_VISEMES)
    assert cues[0]["start"] == 0 and cues[-1]["end"] == pytest.approx(face.duration, abs=0.02)
    assert "PP" in {c["viseme"] for c in cues} and "FF" in {c["viseme"] for c in cues}


def test_rhubarb_cues(take):
    speech, _, out, files = take
    cues = read_rhubarb(out / "mouth.rhubarb.json")
    meta = json.loads((out / "mouth.rhubarb.json").read_text())["metadata"]
    assert meta["soundFile"] == "take.wav"
    assert meta["duration"] == pytest.approx(speech.duration, abs=0.01)
    assert cues[0]["start"] == 0 and cues[-1]["end"] == pytest.approx(speech.duration, abs=0.01)
    shapes = [c["value"] for c in cues]
    assert shapes[0] == "X" and {"A", "G"} <= set(shapes)  # "me", "maps" close; "five" is F/V
    tsv = files["rhubarb_tsv"].read_text().splitlines()
    assert [ln.split("\t")[1] for ln in tsv[:-1]] == shapes and tsv[-1].endswith("\tX")
    times = [float(ln.split("\t")[0]) for ln in tsv]
    assert times == sorted(times)


def test_unknown_format_is_bad_input(take, tmp_path):
    speech, face, _, _ = take
    with pytest.raises(InputError, match="accepted"):
        face_exports(face, speech.timeline, tmp_path, ["arkit", "fbx"])
    assert not list(tmp_path.iterdir())


def test_vrm_expression_presets(take):
    speech, face, out, _ = take
    data = json.loads((out / "face.vrm.json").read_text())
    preset = {k: np.asarray(v) for k, v in data["preset"].items()}
    expected = {"happy", "angry", "sad", "relaxed", "surprised", "aa", "ih", "ou", "ee", "oh",
                "blink", "blinkLeft", "blinkRight", "lookUp", "lookDown", "lookLeft", "lookRight",
                "neutral"}
    assert set(preset) == expected and set(data["custom"]) == {"fear", "disgust"}
    assert all(len(v) == face.frames and v.min() >= 0 and v.max() <= 1 for v in preset.values())
    # the take is surprised: that emotion leads; the lips move with the vowels
    emotions = {k: preset[k].mean() for k in ("happy", "angry", "sad", "relaxed", "surprised")}
    emotions.update({k: np.mean(v) for k, v in data["custom"].items()})
    assert max(emotions, key=emotions.get) == "surprised"
    assert preset["aa"].max() > 0.5 and preset["blink"].max() > 0.8
