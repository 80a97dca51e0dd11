"""Yarn Spinner scenes: speakers, #line: ids, #tags and node headers as emotion, errors."""

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

SCENE = Path(__file__).parent / "data" / "dialogue" / "dock.yarn"


def parse_json(*argv) -> list[dict]:
    """``emostudio parse --script ... --json`` as data."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", *map(str, argv), "--json"]) == 0
    return json.loads(out.getvalue())


def test_yarn_scene_lines_speakers_ids_and_markup():
    lines = read_dialogue(SCENE).lines
    assert [line.id for line in lines] == ["dock01", "dock02", "dock03", "dock04", "dock05",
                                          "dock06", "boat01", "boat02"]
    assert [line.speaker for line in lines][:6] == ["Ines", "Tomas", "Ines", "Tomas", "Tomas",
                                                    "Harbourmaster"]
    assert lines[2].text == "Sorry doesn't bring the boat back."  # [b] markup left out
    assert lines[4].text == "Listen to me, please."  # an option, its <<if>> condition left out
    assert lines[0].where == f"{SCENE}:7"
    assert "{" not in lines[7].text and "hour" in lines[7].text


def test_yarn_tags_and_node_headers_become_emotions():
    by_id = {line.id: line for line in load_script(SCENE)}
    category = {i: line.plan.segments[0].target.category for i, line in by_id.items()}
    assert category["dock01"] == "anger"           # #mood:angry
    assert category["dock02"] == "sadness"         # #sad
    assert by_id["dock03"].cues == ("sarcastic",)  # #tone:sarcastic
    assert category["dock05"] == "fear"            # #mood:pleading
    assert by_id["dock06"].plan.segments[0].target.attribute("voice_quality") == "whisper"
    assert by_id["boat01"].cues == ("tense",)      # the node's "mood: tense" header
    assert category["boat02"] == "calm"            # a line's own tag wins over the node's


def test_parse_script_json_of_a_yarn_scene():
    rows = parse_json(SCENE)
    assert [r["id"] for r in rows][:2] == ["dock01", "dock02"]
    first = rows[0]
    assert (first["speaker"], first["text"]) == ("Ines", "You're late.")
    assert first["emotion"]["category"] == "anger" and first["emotion"]["cues"] == ["angry"]
    characters = {r["speaker"]: r["character"] for r in rows}
    assert len(set(characters.values())) == 3  # three speakers, three characters
    assert all(characters[r["speaker"]] == r["character"] for r in rows)


def test_a_line_without_cues_keeps_the_default_or_auto(tmp_path):
    path = tmp_path / "plain.yarn"
    path.write_text("title: Start\n---\nIrene: What a wonderful, happy day this is! #line:a\n===\n")
    assert load_script(path)[0].plan.segments[0].target.category == "neutral"
    assert load_script(path, auto=True)[0].plan.segments[0].target.valence > 0.15


@pytest.mark.parametrize("content,where,words", [
    ("title: Start\n---\nA: Hi.\n", ":", "never closed"),
    ("title Start\n---\nA: Hi.\n===\n", ":1", "header"),
    ("title: Start\n---\nA: Hi. #line:x\nB: Again. #line:x\n===\n", ":4", "used twice"),
    ("title: Start\n---\nA: Hi. #line:bad/id\n===\n", ":3", "not accepted"),
])
def test_bad_yarn_names_file_and_line(tmp_path, content, where, words):
    path = tmp_path / "bad.yarn"
    path.write_text(content)
    with pytest.raises(InputError, match=words) as err:
        load_script(path)
    assert f"{path}{where}" in str(err.value)


def test_bad_yarn_on_the_command_line_is_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.yarn"
    path.write_text("title: Start\n---\nA: Hi.\n")
    assert cli_main(["parse", "--script", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "bad.yarn" in err
