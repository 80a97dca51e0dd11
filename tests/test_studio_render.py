"""A real take through the whole pipeline: every file of `emostudio render` reads back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from controllers.errors import InputError
from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES

REPO = Path(__file__).resolve().parent.parent
TEXT = "Thanks for coming. [angry] Now get out!"
#: Files every take folder holds (preview.mp4 comes on top unless --preview none).
TAKE_FILES = ("take.wav", "take.timeline.json", "face.arkit.json", "face.llf.csv",
              "face.a2f.json", "visemes.json", "mouth.rhubarb.json", "mouth.rhubarb.tsv",
              "face.vrm.json", "body.bvh", "take.glb",
              "critic.json", "report.png")


@pytest.fixture(scope="module")
def take_dir(tmp_path_factory) -> tuple:
    from studio.pipeline import render

    out = tmp_path_factory.mktemp("take")
    take = render(TEXT, "cheerful", out=out, seed=3, preview="none")
    take.write_summary(out)
    return take, out


def test_take_holds_every_contract_file_and_no_temporary(take_dir):
    take, out = take_dir
    names = {p.name for p in out.iterdir()}
    assert set(TAKE_FILES) <= names
    assert "preview.mp4" not in names  # --preview none
    assert not [n for n in names if n.startswith(".") or ".tmp" in n]
    for name in TAKE_FILES:
        assert take.files[name] == out / name and (out / name).stat().st_size > 0


def test_plan_follows_the_inline_tag(take_dir):
    take, _ = take_dir
    assert take.text == "Thanks for coming. Now get out!"
    assert len(take.plan.segments) == 2
    assert take.plan.segments[1].target.category == "anger"
    assert take.plan.segments[0].target.valence > 0  # "cheerful" until the tag


def test_audio_and_timeline_read_back(take_dir):
    import soundfile as sf

    take, out = take_dir
    audio, sr = sf.read(out / "take.wav", dtype="float32")
    assert sr == take.speech.sample_rate and audio.ndim == 1
    assert abs(len(audio) / sr - take.duration) < 1e-3
    assert 0.05 < np.abs(audio).max() <= 1.0
    timeline = json.loads((out / "take.timeline.json").read_text())
    words = [w["text"].strip(".,!").lower() for w in timeline["words"]]
    assert words == ["thanks", "for", "coming", "now", "get", "out"]
    assert abs(timeline["duration"] - take.duration) < 0.01
    assert len(timeline["f0"]) == len(timeline["energy"]) > 0


def test_face_exports_read_back(take_dir):
    take, out = take_dir
    arkit = json.loads((out / "face.arkit.json").read_text())
    assert tuple(arkit["names"]) == ARKIT_NAMES and arkit["fps"] == 60
    weights = np.asarray(arkit["weights"])
    assert weights.shape == (take.face.frames, 52)
    assert weights.min() >= 0 and weights.max() <= 1
    assert abs(take.face.duration - take.duration) < 0.1
    jaw = weights[:, ARKIT_NAMES.index("jawOpen")]
    assert jaw.max() > 0.1  # the mouth moves while speaking

    header = (out / "face.llf.csv").read_text().splitlines()[0].split(",")
    assert header[:2] == ["Timecode", "BlendShapeCount"] and "JawOpen" in header
    assert "HeadYaw" in header and len(header) == 2 + 61

    a2f = json.loads((out / "face.a2f.json").read_text())
    assert a2f["numPoses"] == 52 and a2f["numFrames"] == len(a2f["weightMat"])
    assert set(a2f["facsNames"]) == set(ARKIT_NAMES)

    visemes = json.loads((out / "visemes.json").read_text())
    assert json.dumps(visemes)  # parses; names are the Oculus set
    assert any(name in json.dumps(visemes) for name in OCULUS_VISEMES[1:])

    rhubarb = json.loads((out / "mouth.rhubarb.json").read_text())
    cues = rhubarb["mouthCues"]
    assert cues and set(c["value"] for c in cues) <= set("ABCDEFGHX")
    assert cues[-1]["end"] == pytest.approx(take.duration, abs=0.1)
    assert rhubarb["metadata"]["soundFile"] == "take.wav"
    tsv = [line.split("\t") for line in (out / "mouth.rhubarb.tsv").read_text().splitlines()]
    assert [row[1] for row in tsv[: len(cues)]] == [c["value"] for c in cues]

    vrm = json.loads((out / "face.vrm.json").read_text())
    assert vrm["specVersion"] == "1.0" and vrm["frames"] == take.face.frames
    assert {"aa", "ih", "ou", "ee", "oh", "blink", "happy", "angry"} <= set(vrm["preset"])
    lips = np.asarray([vrm["preset"][v] for v in ("aa", "ih", "ou", "ee", "oh")])
    assert lips.shape == (5, take.face.frames) and 0 <= lips.min() and lips.max() <= 1
    assert lips.max() > 0.2  # the mouth speaks in VRM too


def test_body_bvh_reads_back(take_dir):
    take, out = take_dir
    text = (out / "body.bvh").read_text()
    assert text.startswith("HIERARCHY") and "MOTION" in text
    motion = text.split("MOTION", 1)[1].strip().splitlines()
    frames = int(motion[0].split(":")[1])
    frame_time = float(motion[1].split(":")[1])
    assert frames == take.body.frames and len(motion) - 2 == frames
    assert abs(frames * frame_time - take.duration) < 0.2
    channels = sum(int(line.split()[1]) for line in text.splitlines()
                   if line.strip().startswith("CHANNELS"))
    values = np.array([float(x) for x in motion[2 + frames // 2].split()])
    assert len(values) == channels and np.isfinite(values).all()


def test_take_glb_has_skeleton_and_morph_animation(take_dir):
    import pygltflib

    take, out = take_dir
    glb = pygltflib.GLTF2().load(str(out / "take.glb"))
    assert glb.skins and len(glb.skins[0].joints) >= 20
    meshes_with_targets = [m for m in glb.meshes if m.primitives[0].targets]
    assert meshes_with_targets
    # the 52 ARKit targets first, then the avatar's corrective shapes (synth.avatar.correctives)
    mesh = max(meshes_with_targets, key=lambda m: len(m.primitives[0].targets))
    assert mesh.extras["arkitTargetCount"] == 52
    assert len(mesh.primitives[0].targets) == len(mesh.extras["targetNames"]) > 52
    paths = {c.target.path for a in glb.animations for c in a.channels}
    assert {"weights", "rotation"} <= paths
    # the animation is as long as the speech
    sampler_input = glb.animations[0].samplers[0].input
    assert glb.accessors[sampler_input].max[0] == pytest.approx(take.duration, abs=0.2)


def test_critic_files_read_back(take_dir):
    from PIL import Image

    take, out = take_dir
    critic = json.loads((out / "critic.json").read_text())
    assert critic == json.loads(json.dumps(take.verdict_dict()))
    assert critic["verdict"]["success"] in (True, False) and critic["verdict"]["reason"]
    assert len(critic["iterations"]) == 1  # no --loop: judged once
    assert {"speech", "face", "body"} <= set(critic["iterations"][0]["estimates"])
    # the take performs the plan as asked (the critic only judges it)
    assert critic["iterations"][0]["estimates"]["speech"]["category"]
    with Image.open(out / "report.png") as img:
        assert img.size[0] > 100 and img.size[1] > 100
    summary = json.loads((out / "take.json").read_text())
    assert summary["duration"] == pytest.approx(take.duration, abs=1e-3)
    assert set(TAKE_FILES) <= set(summary["files"])


def test_report_png_shows_its_own_take_only(take_dir):
    """report.png reuses one figure per process: a report drawn in between leaves no trace."""
    from dataclasses import replace

    from controllers.target import EmotionTarget
    from studio.critic.report import render_report_png

    take, out = take_dir
    other = replace(take.verdict, target=EmotionTarget.from_category("sadness", 0.9),
                    success=not take.verdict.success, reason="another take")
    again = render_report_png(take.verdict)
    assert render_report_png(other) != again
    assert render_report_png(take.verdict) == again == (out / "report.png").read_bytes()


def test_bad_input_is_refused_with_a_clear_message():
    from studio.pipeline import render

    with pytest.raises(InputError, match="empty"):
        render("   ", "happy")
    with pytest.raises(InputError, match="preview"):
        render("Hello.", "happy", preview="sideways")
    with pytest.raises(InputError, match="valence"):
        render("Hello.", (1.5, 0.0))


def test_render_with_body_preview_writes_a_playable_video(tmp_path):
    import imageio_ffmpeg

    from studio.pipeline import render

    take = render("Hello there!", (0.6, 0.5), out=tmp_path, preview="body")
    video = tmp_path / "preview.mp4"
    assert take.files["preview.mp4"] == video
    reader = imageio_ffmpeg.read_frames(str(video))
    meta = reader.__next__()
    width, height = meta["size"]
    frames = np.stack([np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader])
    assert width >= 256 and height >= 256 and frames.std() > 5
    assert abs(len(frames) / meta["fps"] - take.duration) < 0.25
    assert np.abs(np.diff(frames.astype(np.int16), axis=0)).mean() > 0  # it moves
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(video)],
                           capture_output=True, text=True)
    assert "Audio:" in probe.stderr  # the voice is muxed in


@pytest.mark.parametrize("args, named", [
    (["--preview", "sideways"], "preview"),
    (["--emotion", "valence 3"], "valence"),
])
def test_cli_render_bad_input_exits_2_naming_the_problem(tmp_path, args, named):
    result = subprocess.run([sys.executable, "-m", "studio.cli", "render", "--text", "Hi.",
                             "--out", str(tmp_path / "take"), *args],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "take").exists()


def test_critic_corrections_replace_only_the_main_emotion():
    from controllers.resolve import plan_for
    from controllers.target import EmotionTarget
    from studio.pipeline import corrected_plan

    plan = plan_for("We finally made it home. [sad] She is gone.", "happy")
    stronger = EmotionTarget.from_category("happiness", 1.0)
    fixed = corrected_plan(plan, stronger)
    assert fixed.text == plan.text
    assert fixed.segments[0].target == stronger  # the main (longest) segment
    assert fixed.segments[1].target == plan.segments[1].target  # the deliberate change stays
