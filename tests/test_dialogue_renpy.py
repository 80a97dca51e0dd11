"""Ren'Py scripts: define names, image attributes as emotion, ids, multi-line strings."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from controllers.errors import InputError
from controllers.script import load_script
from studio.cli import main as cli_main

SCENE = Path(__file__).parent / "data" / "dialogue" / "dock.rpy"


def parse_json(*argv) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", *map(str, argv), "--json"]) == 0
    return json.loads(out.getvalue())


def test_renpy_scene_names_attributes_and_ids():
    lines = load_script(SCENE)
    got = [(line.id, line.speaker, line.plan.text, line.plan.segments[0].target.category)
           for line in lines]
    assert got == [
        ("line-012", None, "Rain falls on the black water.", "neutral"),  # narration
        ("dock_01", "Mara", "You're late.", "anger"),        # `show mara angry` before it
        ("dock_02", "Sam", "I know. I'm sorry.", "sadness"),  # s sad "...": _("Sam")
        ("dock_03", "Mara", "Sorry doesn't bring the boat back.", "anger"),  # @ sarcastic
        ("dock_04", "Sam", "I said I was sorry!", "anger"),  # {i} text tags left out
        ("dock_05", "Sam", "Listen to me, please.", "fear"),  # a string over two lines
        ("dock_06", "Walter", "Quiet, both of you. Someone's coming.", "neutral"),
        ("dock_07", "Mara", "Who's there?", "anger"),  # attributes stay; @ ones do not
    ]
    assert lines[3].cues == ("sarcastic",) and lines[7].cues == ("angry",)
    assert lines[6].plan.segments[0].target.attribute("voice_quality") == "whisper"
    assert lines[1].source == f"{SCENE}:14"


def test_parse_script_json_of_a_renpy_scene():
    rows = parse_json(SCENE)
    assert rows[1]["speaker"] == "Mara" and rows[1]["character"] == "mara"
    assert rows[1]["emotion"]["category"] == "anger"
    speakers = {r["speaker"]: r["character"] for r in rows}
    assert len(set(speakers.values())) == len(speakers)  # narration, Mara, Sam, Walter


def test_a_string_never_closed_names_its_line(tmp_path):
    path = tmp_path / "bad.rpy"
    path.write_text('label start:\n    e "Hello there.\n    return\n')
    with pytest.raises(InputError, match=f"{path}:2: a string opened here is never closed"):
        load_script(path)


def test_code_screens_and_translations_are_not_lines(tmp_path):
    path = tmp_path / "game.rpy"
    path.write_text('init python:\n    config.name = "Dock"\n    renpy.notify("Hello")\n\n'
                    "define e = Character('Eileen')\n\nscreen hud():\n    text \"Score\"\n\n"
                    'label start:\n    e happy "Hi, [player_name]." # a comment\n'
                    '    centered "Chapter One"\n    $ renpy.pause(1.0)\n    voice "e01.ogg"\n'
                    '    e "It\'s {b}late{/b}.{w=0.5} Go home."\n    return\n\n'
                    'translate french start_a170b500:\n    e "Bonjour !"\n')
    got = [(line.speaker, line.plan.text) for line in load_script(path)]
    assert got == [("Eileen", "Hi, player_name."), (None, "Chapter One"),
                   ("Eileen", "It's late. Go home.")]
