"""Ink scenes, as source (.ink) and as a compiled story (.json, inkjs 2.4 / ink 21):
speakers, # tags, choices, inline logic, ids; both read the same."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from controllers.dialogue import read_dialogue
from controllers.errors import InputError
from controllers.script import load_script
from studio.cli import main as cli_main

DATA = Path(__file__).parent / "data" / "dialogue"
SOURCE, COMPILED = DATA / "dock.ink", DATA / "dock.ink.json"
EXPECTED = [  # (id, speaker, text, emotion category)
    ("dock_01", "Mara", "You're late.", "anger"),                    # # mood:angry
    ("dock_02", "Sam", "I know. I'm sorry.", "sadness"),             # # sad
    ("dock_03", "Mara", "Sorry doesn't bring the boat back.", "anger"),  # tag line above: sarcastic
    ("dock_04", "Sam", "I said I was sorry!", "anger"),              # a choice: [choice-only] text
    ("dock_05", "Sam", "Listen to me, please.", "fear"),             # start text + continuation
    ("dock_06", "Walter", "Quiet, both of you. Someone's coming.", "neutral"),  # whispering
    ("dock_07", "Walter", "Go, now.", "neutral"),                    # {cond: a|b}: the first
    ("dock_08", "Sam", "Fine.", "neutral"),                          # {~a|b}: the first
]


def parse_json(*argv) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", *map(str, argv), "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("path", [SOURCE, COMPILED], ids=["source", "compiled"])
def test_ink_scene(path):
    lines = load_script(path)
    got = [(line.id, line.speaker, line.plan.text, line.plan.segments[0].target.category)
           for line in lines]
    assert got == EXPECTED
    assert lines[5].plan.segments[0].target.attribute("voice_quality") == "whisper"
    assert lines[2].cues == ("sarcastic",)
    assert lines[0].source.startswith(f"{path}:")


def test_source_lines_name_their_line_in_the_file():
    assert [line.where for line in read_dialogue(SOURCE).lines][:2] == [f"{SOURCE}:8",
                                                                        f"{SOURCE}:9"]


def test_compiled_json_is_recognised_by_its_content_and_by_format(tmp_path):
    assert read_dialogue(COMPILED).format == "ink-json"
    renamed = tmp_path / "story.data"
    renamed.write_bytes(COMPILED.read_bytes())
    assert [line.id for line in load_script(renamed, fmt="ink-json")] == [e[0] for e in EXPECTED]


@pytest.mark.parametrize("path", [SOURCE, COMPILED], ids=["source", "compiled"])
def test_parse_script_json_of_an_ink_scene(path):
    rows = parse_json(path)
    assert [(r["id"], r["speaker"], r["emotion"]["category"]) for r in rows] == \
        [(i, s, c) for i, s, _, c in EXPECTED]
    assert len({r["character"] for r in rows}) == 3


def test_bad_ink(tmp_path):
    path = tmp_path / "bad.ink"
    path.write_text("Mara: Hello. # id:a\n/* never closed\n")
    with pytest.raises(InputError, match=r"bad.ink: a /\* comment is never closed"):
        load_script(path)
    broken = tmp_path / "bad.json"
    broken.write_text('{"inkVersion": 21,\n "root": [\n')
    with pytest.raises(InputError, match=r"bad.json:3: not valid JSON"):
        load_script(broken)
    neither = tmp_path / "other.json"
    neither.write_text('{"name": "x"}')
    with pytest.raises(InputError, match="unknown type of JSON script"):
        load_script(neither)


def test_a_leading_parenthetical_is_a_cue(tmp_path):
    path = tmp_path / "s.ink"
    path.write_text("FOGG: (coldly) Out, Passepartout! # id:out\n")
    [line] = load_script(path)
    assert line.plan.text == "Out, Passepartout!" and line.cues == ("coldly",)
    assert line.plan.segments[0].target.category == "anger"
