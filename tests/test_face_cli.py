"""`emostudio face` end to end: timeline, transcript and audio-only inputs, every format read back,
bad input refused with exit status 2 and nothing written."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from studio.cli import main
from synth.contracts import ARKIT_NAMES

TEXT = "Bob made maps."


@pytest.fixture(scope="module")
def take(tmp_path_factory):
    from synth.tts import Voice

    speech = Voice.load().synthesize(TEXT, seed=0)
    folder = tmp_path_factory.mktemp("take")
    wav = folder / "take.wav"
    sf.write(wav, speech.audio, speech.sample_rate)
    speech.timeline.save(folder / "take.timeline.json")
    return speech, wav, folder / "take.timeline.json"


@pytest.fixture(scope="module")
def all_formats(take, tmp_path_factory):
    speech, wav, timeline = take
    out = tmp_path_factory.mktemp("face")
    rc = main(["face", "--audio", str(wav), "--timeline", str(timeline),
               "--emotion", "very happy", "--out", str(out)])
    assert rc == 0
    return speech, out


def test_every_format_is_written(all_formats):
    _, out = all_formats
    names = {p.name for p in out.iterdir()}
    assert names == {"face.arkit.json", "face.llf.csv", "face.a2f.json", "visemes.json",
                     "mouth.rhubarb.json", "mouth.rhubarb.tsv", "face.glb", "face.mp4"}


def test_emotion_reaches_the_curves(all_formats):
    from studio.export.arkit import read_arkit

    face = read_arkit(all_formats[1] / "face.arkit.json")
    assert face.curve("mouthSmileLeft").mean() > 0.5  # "very happy"


def test_glb_has_52_named_targets_and_an_animation(all_formats):
    import pygltflib
    import trimesh

    path = all_formats[1] / "face.glb"
    scene = trimesh.load(path)
    assert len(scene.geometry) >= 1
    gltf = pygltflib.GLTF2().load(str(path))
    targeted = [m for m in gltf.meshes if m.primitives[0].targets]
    assert targeted
    mesh = targeted[0]
    names = list(mesh.extras["targetNames"])
    assert names[:52] == list(ARKIT_NAMES), "the 52 ARKit targets first, correctives after"
    assert len(mesh.primitives[0].targets) == len(names) == 52 + len(mesh.extras["correctiveDrivers"])
    paths = {c.target.path for a in gltf.animations for c in a.channels}
    assert "weights" in paths


def test_mp4_has_video_and_audio(all_formats):
    import imageio_ffmpeg

    speech, out = all_formats
    reader = imageio_ffmpeg.read_frames(str(out / "face.mp4"))
    meta = next(reader)
    assert meta["codec"] == "h264" and meta["audio_codec"] == "aac"
    assert meta["size"] == (512, 512)
    assert meta["duration"] == pytest.approx(speech.duration, abs=0.15)
    first = np.frombuffer(next(reader), np.uint8)
    assert first.std() > 10  # an image, not a blank frame
    reader.close()


def test_transcript_and_audio_only_inputs(take, tmp_path):
    speech, wav, _ = take
    for args, folder in ((["--text", TEXT], "text"), ([], "audio_only")):
        out = tmp_path / folder
        rc = main(["face", "--audio", str(wav), "--emotion", "sad", "--out", str(out),
                   "--formats", "arkit,rhubarb", *args])
        assert rc == 0
        data = json.loads((out / "face.arkit.json").read_text())
        assert data["names"] == list(ARKIT_NAMES)
        assert abs(len(data["weights"]) / data["fps"] - speech.duration) < 0.05
        cues = json.loads((out / "mouth.rhubarb.json").read_text())["mouthCues"]
        assert "A" in {c["value"] for c in cues}  # the audio's /b m/ close the lips


@pytest.mark.parametrize("args, message", [
    (["--audio", "missing.wav"], "no such file"),
    (["--formats", "arkit,fbx"], "accepted"),
    (["--emotion", "qwertyuiop"], "not understood"),
    (["--timeline", "take.wav"], "not a timeline"),
    (["--timeline", "other.timeline.json"], "give the timeline of this recording"),
])
def test_bad_input_exits_2_and_writes_nothing(take, tmp_path, capsys, args, message):
    _, wav, timeline = take
    if "other.timeline.json" in args:  # a timeline of another (longer) recording
        from synth.contracts import Timeline

        other = Timeline.load(timeline)
        other.duration += 2.0
        other.save(tmp_path / "other.timeline.json")
    base = {"--audio": str(wav), "--emotion": "calm", "--out": str(tmp_path / "out")}
    files = {"take.wav": str(wav), "other.timeline.json": str(tmp_path / "other.timeline.json")}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = files.get(value, value)
    argv = ["face"] + [x for kv in base.items() for x in kv]
    if "--formats" not in base:
        argv += ["--formats", "arkit"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
