"""``emostudio gesture`` end to end on a real recording and timeline (CLI.md contract)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf

from studio.cli import main
from studio.export.bvh import read_bvh

TEXT = "Is it really that big?"


@pytest.fixture(scope="module")
def take(tmp_path_factory):
    from synth.tts import Voice

    folder = tmp_path_factory.mktemp("take")
    speech = Voice.load().synthesize(TEXT, seed=0)
    sf.write(folder / "take.wav", speech.audio, speech.sample_rate)
    speech.timeline.save(folder / "take.timeline.json")
    return folder, speech


def test_bvh_and_glb_from_timeline(take, capsys):
    folder, speech = take
    out = folder / "out"
    code = main(["gesture", "--audio", str(folder / "take.wav"), "--timeline",
                 str(folder / "take.timeline.json"), "--emotion", "very happy", "--out", str(out),
                 "--formats", "bvh,glb"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["body.bvh", "body.glb"]
    body = read_bvh(out / "body.bvh")
    assert body.frames == math.ceil(speech.duration * 30) + 1
    import pygltflib

    gltf = pygltflib.GLTF2().load(str(out / "body.glb"))
    assert gltf.skins and gltf.animations
    names = {gltf.nodes[j].name for j in gltf.skins[0].joints}
    assert {"mixamorig:Hips", "mixamorig:LeftHand"} <= names
    paths = {c.target.path for a in gltf.animations for c in a.channels}
    assert {"rotation", "translation"} <= paths


def test_mp4_preview_with_audio(take):
    folder, speech = take
    out = folder / "mp4"
    assert main(["gesture", "--audio", str(folder / "take.wav"), "--timeline",
                 str(folder / "take.timeline.json"), "--emotion", "calm", "--out", str(out),
                 "--formats", "mp4"]) == 0
    import imageio.v3 as iio

    frames = iio.imread(out / "body.mp4")
    assert abs(len(frames) - speech.duration * 30) <= 2
    assert frames.shape[-1] == 3 and frames.std() > 5  # a picture, not a blank frame
    import subprocess

    import imageio_ffmpeg

    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(out / "body.mp4")],
                           capture_output=True, text=True)
    assert "Audio:" in probe.stderr and "Video:" in probe.stderr


@pytest.mark.parametrize("args, words", [
    (["--formats", "bvh,fbx"], "fbx"),
    (["--fps", "0"], "--fps"),
])
def test_bad_input_exits_2(take, capsys, args, words):
    folder, _ = take
    code = main(["gesture", "--audio", str(folder / "take.wav"), "--timeline",
                 str(folder / "take.timeline.json"), "--out", str(folder / "bad")] + args)
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
    assert not (folder / "bad").exists() or not any((folder / "bad").iterdir())


def test_missing_audio_exits_2(tmp_path, capsys):
    assert main(["gesture", "--audio", str(tmp_path / "none.wav"), "--text", "hi",
                 "--out", str(tmp_path / "o")]) == 2
    assert "none.wav" in capsys.readouterr().err


def test_audio_only_is_aligned(take):
    folder, speech = take
    out = folder / "audio_only"
    assert main(["gesture", "--audio", str(folder / "take.wav"), "--emotion", "a bit sad",
                 "--out", str(out), "--formats", "bvh"]) == 0
    body = read_bvh(out / "body.bvh")
    assert body.frames == math.ceil(speech.duration * 30) + 1
    wrists = body.rotations[:, [body.joint_names.index("mixamorig:LeftArm"),
                                body.joint_names.index("mixamorig:RightArm")]]
    assert np.ptp(wrists, axis=0).max() > 0.05  # the arms gesture, not only idle
