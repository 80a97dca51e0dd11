"""Speakers to characters: the cast mapping file, and the deterministic default."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from controllers.cast import assign_characters, load_character
from controllers.dialogue.casting import cast_speakers, read_cast_map
from controllers.dialogue.names import sex_of_name
from controllers.errors import InputError
from controllers.script import load_script
from studio.cli import main as cli_main

YARN = Path(__file__).parent / "data" / "dialogue" / "dock.yarn"


def test_default_casting_is_distinct_stable_and_sex_matched():
    speakers = ["Ines", "Tomas", "Harbourmaster", "Ines", None]
    first = cast_speakers(speakers)
    again = cast_speakers(list(speakers))
    assert {k: r.character.name for k, r in first.items()} == \
        {k: r.character.name for k, r in again.items()}
    names = [first[s].character.name for s in ("Ines", "Tomas", "Harbourmaster", None)]
    assert len(set(names)) == 4
    assert first["Ines"].character.sex == "female" and first["Tomas"].character.sex == "male"


def test_names_and_titles_say_the_sex():
    assert [sex_of_name(n) for n in ("MARA", "Walter", "Mrs. Hale", "Old Man", "KING",
                                     "Guard", "Ines (V.O.)")] == \
        ["female", "male", "female", "male", "male", None, "female"]


def test_a_speaker_named_like_a_builtin_character_is_that_character():
    given = assign_characters(["Bob", "WALTER", "Anna"], {"Bob": "male", "Anna": "female"})
    assert given["WALTER"].name == "walter"
    assert given["Bob"].name != "walter" and given["Bob"].sex == "male"
    assert given["Anna"].sex == "female"


def test_cast_mapping_file(tmp_path):
    hero = tmp_path / "hero.yaml"
    hero.write_text("name: hero\nsex: female\nage: 30\nvoice: {pitch_shift_st: 5}\n")
    mapping = tmp_path / "cast.yaml"
    mapping.write_text("# who plays whom\nINES: ruth\nTomas:\n  character: hero.yaml\n"
                       "  style: tired, a little annoyed\n")
    roles = read_cast_map(mapping)
    assert roles["ines"].character.name == "ruth"
    assert roles["tomas"].character == load_character(hero) and roles["tomas"].style
    lines = {line.id: line for line in load_script(YARN, cast=mapping)}
    assert lines["dock01"].character.name == "ruth"
    assert lines["dock01"].plan.segments[0].target.category == "anger"  # its own tag wins
    tomas = lines["dock02"]
    assert tomas.character.name == "hero" and tomas.character.voice.pitch_shift_st == 5
    # the unmapped speaker gets a character neither mapped speaker has
    harbour = lines["dock06"].character.name
    assert harbour not in ("ruth", "hero")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", str(YARN), "--cast", str(mapping), "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(out.getvalue())}
    assert rows["dock02"]["character"] == "hero"


def test_style_is_the_emotion_of_lines_without_a_cue(tmp_path):
    mapping = tmp_path / "cast.yaml"
    mapping.write_text("Irene: {character: lena, style: sad}\n")
    script = tmp_path / "s.txt"
    script.write_text("Irene: The bus is late.\nIrene: [happy] But here it comes!\n")
    late, comes = load_script(script, cast=mapping)
    assert late.plan.segments[0].target.category == "sadness" and late.emotion == "sad"
    assert comes.plan.segments[0].target.category == "happiness"


@pytest.mark.parametrize("content,words", [
    ("- mara\n", "speaker: character"),
    ("Ines: nobody_at_all\n", "unknown character"),
    ("Ines: {character: mara, mood: sad}\n", "unknown key"),
    ("Ines: {style: sad}\n", "needs a character"),
    ("Ines: [mara\n", "not valid YAML"),
])
def test_bad_cast_mappings_name_the_file(tmp_path, content, words):
    mapping = tmp_path / "cast.yaml"
    mapping.write_text(content)
    with pytest.raises(InputError, match=words) as err:
        load_script(YARN, cast=mapping)
    assert str(mapping) in str(err.value)


def test_txt_speakers(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("@a Ines: [angry] You're late.\nTomas: Sorry.\nJust narration: "
                      "with a colon later.\n")
    a, b, c = load_script(script)
    assert (a.id, a.speaker, a.plan.text) == ("a", "Ines", "You're late.")
    assert a.plan.segments[0].target.category == "anger"
    assert b.speaker == "Tomas" and b.character.name != a.character.name
    assert c.speaker is None and c.plan.text == "Just narration: with a colon later."
