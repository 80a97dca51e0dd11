"""Fountain screenplays: character cues with extensions, parentheticals, dual dialogue."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from controllers.script import load_script
from studio.cli import main as cli_main

SCENE = Path(__file__).parent / "data" / "dialogue" / "dock.fountain"


def parse_json(*argv) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", *map(str, argv), "--json"]) == 0
    return json.loads(out.getvalue())


def test_fountain_scene_speakers_parentheticals_and_dual_dialogue():
    lines = load_script(SCENE)
    got = [(line.speaker, line.plan.text) for line in lines]
    assert got == [
        ("MARA", "You're late."), ("SAM", "I know. I'm sorry."),
        ("MARA", "Sorry doesn't bring the boat back."), ("SAM", "Listen to me, please."),
        ("MARA", "Go on. I'm listening."),
        ("WALTER", "Quiet, both of you."),                    # WALTER (V.O.): the same speaker
        ("SAM", "Who was that?"), ("MARA", "Who's there?"),  # dual dialogue, both sides
        ("McCLANE", "Just an old man."),                      # @ forces a cue
    ]  # the boneyard's line, action, notes and transitions are not spoken
    category = [line.plan.segments[0].target.category for line in lines]
    assert category[:4] == ["anger", "sadness", "anger", "neutral"]  # (angrily), (..., sad)
    assert category[7] == "fear" and category[8] == "calm"
    go_on = lines[4]  # (beat) is not an emotion; (softly) changes the voice mid-line
    assert go_on.cues == () and len(go_on.plan.segments) == 2
    assert go_on.plan.segments[1].target.attribute("loudness") == "quiet"
    assert lines[5].plan.segments[0].target.attribute("voice_quality") == "whisper"
    assert lines[0].id == "line-010" and lines[0].source == f"{SCENE}:10"
    assert lines[7].source == f"{SCENE}:38"


def test_parse_script_json_of_a_fountain_scene():
    rows = parse_json(SCENE)
    assert rows[0]["speaker"] == "MARA" and rows[0]["emotion"]["category"] == "anger"
    assert rows[0]["emotion"]["cues"] == ["angrily"]
    cast = {r["speaker"]: r["character"] for r in rows}
    assert cast["MARA"] == "mara"  # a speaker named like a built-in character is that one
    assert len(set(cast.values())) == len(cast) == 4
