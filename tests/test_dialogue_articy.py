"""articy:draft X JSON exports: DialogueFragments in flow order, speakers, stage directions."""

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

SCENE = Path(__file__).parent / "data" / "dialogue" / "dock.articy.json"


def parse_json(*argv) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", *map(str, argv), "--json"]) == 0
    return json.loads(out.getvalue())


def test_articy_fragments_in_flow_order_with_speakers_and_directions():
    dialogue = read_dialogue(SCENE)
    assert dialogue.format == "articy"
    assert dialogue.sexes == {"Ines": "female", "Tomas": "male", "Quinn": "male"}
    lines = load_script(SCENE)
    got = [(line.id, line.speaker, line.plan.text, line.plan.segments[0].target.category)
           for line in lines]
    assert got == [  # the file lists DFr_Dock_03 first: the flow puts it third
        ("DFr_Dock_01", "Ines", "You're late.", "anger"),
        ("DFr_Dock_02", "Tomas", "I know. I'm sorry.", "sadness"),
        ("DFr_Dock_03", "Ines", "Sorry doesn't bring the boat back.", "anger"),
        ("DFr_Dock_04", "Quinn", "Quiet, both of you. Someone's coming.", "neutral"),
    ]
    assert lines[0].cues == ("angrily, arms crossed",)
    assert lines[0].source == f"{SCENE}:45"
    sexes = {line.speaker: line.character.sex for line in lines}
    assert sexes == {"Ines": "female", "Tomas": "male", "Quinn": "male"}


def test_parse_script_json_of_an_articy_export():
    rows = parse_json(SCENE)
    assert [r["speaker"] for r in rows] == ["Ines", "Tomas", "Ines", "Quinn"]
    assert rows[3]["emotion"]["attributes"]["voice_quality"] == "whisper"
    assert len({r["character"] for r in rows}) == 3


def test_localized_export_and_unknown_speaker(tmp_path):
    data = json.loads(SCENE.read_text())
    data["Settings"]["set_Localization"] = "True"
    path = tmp_path / "loc.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="localization off"):
        load_script(path)
    data["Settings"]["set_Localization"] = "False"
    data["Packages"][0]["Models"] = data["Packages"][0]["Models"][1:]  # Ines's entity gone
    path.write_text(json.dumps(data, indent=1))
    lines = load_script(path, strict=False)
    assert "is not an entity" in lines[0].error and lines[1].error is None
