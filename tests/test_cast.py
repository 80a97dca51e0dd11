"""The cast at the top of the house: listing it, choosing a character, refusing a bad one, and
every character performing through the CLI and the Python API."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from controllers.cast import builtin_cast, character_names, load_character
from controllers.errors import InputError
from studio.cli import main as emostudio


def _f0_median(audio: np.ndarray, rate: int) -> float:
    from synth.tts.acoustics import f0_contour

    f0 = f0_contour(np.asarray(audio, np.float64), rate, 0.005)
    return float(np.median(f0[f0 > 0]))


def test_characters_json_lists_the_cast(capsys):
    assert emostudio(["characters", "--json"]) == 0
    cast = json.loads(capsys.readouterr().out)
    assert len(cast) >= 6
    assert all({"name", "sex", "age", "description", "voice"} <= set(c) for c in cast)
    assert sum(c["sex"] == "female" for c in cast) >= 3
    assert sum(c["sex"] == "male" for c in cast) >= 3
    assert {c["age_group"] for c in cast} == {"young adult", "middle-aged", "older"}
    assert cast[0]["name"] == "joe"  # the default first


def test_plain_listing_names_every_character(capsys):
    assert emostudio(["characters"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in character_names())


@pytest.mark.parametrize("content, message", [
    ("name: x\nsex: female\nvoice: {pitch_shift_st: 4\n", ":4"),          # malformed YAML: line
    ("name: x\nsex: robot\n", "'sex' must be one of female, male"),
    ("name: x\nsex: male\nhair_colour: red\n", "unknown field 'hair_colour'"),
    ("name: x\nsex: male\nvoice: {pitch_shift_st: 99}\n", "voice.pitch_shift_st 99"),
    ("name: x\nsex: male\nvoice: {rate: .nan}\n", "voice.rate nan"),
    ("name: x\nsex: male\navatar: {skin: [1, 0.5]}\n", "avatar.skin must be three numbers"),
    ("name: x\nsex: male\nvoice: {model: nowhere.onnx}\n", "is not a piper .onnx file"),
    ("- just\n- a list\n", "expected a mapping"),
])
def test_a_broken_character_file_is_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(InputError) as err:
        load_character(str(path))
    assert str(path) in str(err.value) and message in str(err.value)


def test_unknown_character_is_refused_before_any_model_loads(tmp_path, capsys):
    status = emostudio(["speak", "--text", "Hello.", "--out", str(tmp_path / "a.wav"),
                        "--character", "nobody"])
    err = capsys.readouterr().err
    assert status == 2 and "unknown character 'nobody'" in err and len(err.splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_a_users_character_file_works(tmp_path):
    path = tmp_path / "hero.yaml"
    path.write_text("name: Hero\nsex: female\nage: 29\nvoice: {pitch_shift_st: 7}\n"
                    "performance: {blink_rate: 20}\n")
    hero = load_character(str(path))
    assert (hero.name, hero.sex, hero.age) == ("hero", "female", 29)
    assert hero.voice.pitch_shift_st == 7 and hero.performance.blink_rate == 20
    assert hero.source == str(path)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """``emostudio speak`` of one line by every character: name -> (audio, rate, timeline)."""
    out = tmp_path_factory.mktemp("cast-speak")
    takes = {}
    for name in character_names():
        wav = out / f"{name}.wav"
        assert emostudio(["speak", "--text", "The boat leaves at noon.", "--emotion", "happy",
                          "--out", str(wav), "--character", name]) == 0
        audio, rate = sf.read(wav)
        takes[name] = (audio, rate, json.loads(wav.with_suffix(".timeline.json").read_text()))
    return takes


@pytest.mark.slow
def test_speak_gives_every_character_its_own_voice(spoken):
    cast = {c.name: c for c in builtin_cast()}
    medians = {name: _f0_median(audio, rate) for name, (audio, rate, _) in spoken.items()}
    female = [medians[n] for n, c in cast.items() if c.sex == "female"]
    male = [medians[n] for n, c in cast.items() if c.sex == "male"]
    assert min(female) > max(male), medians
    # no two characters give the same audio, and each timeline describes its own audio
    prints = {name: audio[:2000].tobytes() for name, (audio, _, _) in spoken.items()}
    assert len(set(prints.values())) == len(prints)
    for name, (audio, rate, timeline) in spoken.items():
        assert abs(timeline["duration"] - len(audio) / rate) < 0.02, name


@pytest.mark.slow
def test_render_performs_every_character_through_the_api(tmp_path):
    """studio.render(character=...) for each character: the take records who performed it, and
    the avatar's body differs between characters (the GLB's skeleton and mesh)."""
    import studio

    heights = {}
    for name in character_names():
        take = studio.render("Yes.", "calm", out=tmp_path / name, preview="none", character=name)
        take.write_summary(tmp_path / name)
        assert take.character is not None and take.character.name == name
        assert json.loads((tmp_path / name / "take.json").read_text())["character"] == name
        from pygltflib import GLTF2

        glb = GLTF2().load(str(tmp_path / name / "take.glb"))
        position = glb.meshes[0].primitives[0].attributes.POSITION
        heights[name] = glb.accessors[position].max[1] - glb.accessors[position].min[1]
    assert len({round(h, 3) for h in heights.values()}) == len(heights), heights


DIALOGUE = ('<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis">'
            '<voice name="mara">Are you coming with us?</voice>'
            '<voice name="walter">Not today, my dear.</voice></speak>')


@pytest.mark.slow
def test_speak_switches_character_at_each_ssml_voice(tmp_path, capsys):
    """`<voice name>` in SSML: `speak` joins the voices; the words of each part are spoken by
    its character (mara's part far higher than walter's)."""
    wav = tmp_path / "dialogue.wav"
    assert emostudio(["speak", "--text", DIALOGUE, "--out", str(wav)]) == 0
    assert "mara + walter" in capsys.readouterr().err
    audio, rate = sf.read(wav)
    timeline = json.loads(wav.with_suffix(".timeline.json").read_text())
    words = [w["text"].strip(",.?").lower() for w in timeline["words"]]
    assert words == "are you coming with us not today my dear".split()
    cut = int(rate * (timeline["words"][4]["end"] + timeline["words"][5]["start"]) / 2)
    assert _f0_median(audio[:cut], rate) > 1.4 * _f0_median(audio[cut:], rate)


def test_render_refuses_ssml_with_two_performers(tmp_path, capsys):
    status = emostudio(["render", "--text", DIALOGUE, "--out", str(tmp_path / "take"),
                        "--preview", "none"])
    err = capsys.readouterr().err
    assert status == 2 and "names 2 voices (mara, walter)" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "take").exists()


@pytest.mark.slow
def test_render_takes_its_performer_from_the_ssml_voice(tmp_path):
    import studio

    take = studio.render('<speak><voice name="ruth">Yes.</voice></speak>', "calm",
                         out=tmp_path / "t", preview="none")
    assert take.character.name == "ruth"
    take = studio.render('<speak><voice name="ruth">Yes.</voice></speak>', "calm",
                         preview="none", character="david")
    assert take.character.name == "ruth"  # the document's <voice> is the more specific word
    take = studio.render("<speak>Yes.</speak>", "calm", preview="none", character="david")
    assert take.character.name == "david"
