"""VO spreadsheets (.csv, .tsv, .xlsx): columns found by their common names; emostudio's own
id,text,emotion[,character] CSV keeps working."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from controllers.errors import InputError
from controllers.script import load_script
from studio.cli import main as cli_main

DATA = Path(__file__).parent / "data" / "dialogue"
SHEETS = [DATA / "dock_vo.csv", DATA / "dock_vo.tsv", DATA / "dock_vo.xlsx"]
EXPECTED = [  # (id, speaker, text, category)
    ("VO_DOCK_001", "Ines", "You're late.", "anger"),
    ("VO_DOCK_002", "Tomas", "I know. I'm sorry.", "sadness"),
    ("VO_DOCK_003", "Ines", "Sorry doesn't bring the boat back.", "anger"),
    ("VO_DOCK_004", "Quinn", "Quiet, both of you. Someone's coming.", "neutral"),
    ("VO_DOCK_005", "Tomas", "Who's there?", "neutral"),  # no direction: the default
]


def parse_json(*argv) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", *map(str, argv), "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.suffix)
def test_vo_sheet_columns_by_their_common_names(path):
    lines = load_script(path)  # a title row, then the header (xlsx: a blank row too)
    got = [(line.id, line.speaker, line.plan.text, line.plan.segments[0].target.category)
           for line in lines]
    assert got == EXPECTED
    assert lines[3].plan.segments[0].target.attribute("voice_quality") == "whisper"
    assert len({line.character.name for line in lines}) == 3


def test_filename_column_names_the_take_folders():
    csv_lines, tsv_lines = load_script(SHEETS[0]), load_script(SHEETS[1])
    assert [line.folder for line in csv_lines][:2] == ["ines_dock_001", "tomas_dock_002"]
    assert [line.folder for line in tsv_lines] == [line.folder for line in csv_lines]
    assert all(line.folder is None for line in load_script(SHEETS[2]))  # no such column


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.suffix)
def test_parse_script_json_of_a_vo_sheet(path):
    rows = parse_json(path)
    assert [(r["id"], r["speaker"], r["emotion"]["category"]) for r in rows] == \
        [(i, s, c) for i, s, _, c in EXPECTED]


def test_emostudio_csv_with_a_character_column(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,text,emotion,character\na,Hello there.,calm,ruth\nb,Goodbye.,sad,\n"
                    "c,Again.,,nobody_known\n")
    a, b, c = load_script(path, strict=False)
    assert a.character.name == "ruth" and a.plan.segments[0].target.category == "calm"
    assert b.character is not None and b.character.name != "ruth"  # narration: its own
    assert c.character is not None and c.error is None  # a speaker, cast by default
    both = tmp_path / "both.csv"
    both.write_text("id,speaker,text,character\na,Ines,Hello.,walter\nb,Ines,Bye.,nobody\n")
    a, b = load_script(both, strict=False)
    assert a.speaker == "Ines" and a.character.name == "walter"
    assert b.error and "unknown character 'nobody'" in b.error and f"{both}:3" in b.error


def test_a_table_without_a_text_column_names_the_header(tmp_path):
    path = tmp_path / "vo.tsv"
    path.write_text("Line ID\tCharacter\tNotes\nx\tInes\tsomething\n")
    with pytest.raises(InputError, match="header") as err:
        load_script(path)
    assert f"{path}:1" in str(err.value) and "Line ID,Character,Notes" in str(err.value)
    broken = tmp_path / "vo.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match="not an .xlsx workbook"):
        load_script(broken)


def test_filename_folders_in_the_manifest_and_repeated_file_names(tmp_path):
    from studio.batch_line import done_fields, line_folder, manifest_entry

    line = load_script(SHEETS[0])[0]
    assert line_folder(line) == "ines_dock_001"
    entry = manifest_entry(line, **done_fields(line, {"files": ["take.wav"]}))
    assert (entry["id"], entry["folder"], entry["speaker"]) == ("VO_DOCK_001", "ines_dock_001",
                                                                 "Ines")
    assert entry["files"] == ["ines_dock_001/take.wav"] and entry["character"] == "lena"
    path = tmp_path / "vo.csv"
    path.write_text("Line ID,Character,Dialogue,Filename\na,Ines,Hello.,x.wav\nb,Ines,Bye.,x.wav\n")
    with pytest.raises(InputError, match=f"{path}:3: take folder 'x' is used twice"):
        load_script(path)


def test_format_forces_a_reader(tmp_path, capsys):
    from studio.cli import main as cli_main

    path = tmp_path / "export.txt"
    path.write_bytes(SHEETS[1].read_bytes())
    assert [line.id for line in load_script(path, fmt="tsv")] == [e[0] for e in EXPECTED]
    assert cli_main(["parse", "--script", str(path), "--format", "yarnish"]) == 2
    assert "--format" in capsys.readouterr().err
    assert cli_main(["parse", "sad", "--format", "tsv"]) == 2
    assert "go with --script" in capsys.readouterr().err


def test_a_character_file_beside_the_script(tmp_path):
    (tmp_path / "hero.yaml").write_text("name: hero\nsex: female\nage: 30\n")
    path = tmp_path / "s.csv"
    path.write_text("id,text,emotion,character\na,Hello there.,calm,hero.yaml\n")
    assert load_script(path)[0].character.name == "hero"
    yaml_script = tmp_path / "s.yaml"
    yaml_script.write_text("- {id: a, text: Hello., character: hero.yaml}\n")
    assert load_script(yaml_script)[0].character.name == "hero"
