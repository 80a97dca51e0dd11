"""A batch of a Yarn scene without a cast mapping: one character per speaker, folders named by
the #line: ids, speaker/character/line id in the manifest and take.json, a bad line reported."""

from __future__ import annotations

import json

from studio.batch import RenderOptions, run_batch

SCENE = """title: Pier
tags: evening
---
Ines: Late again. #mood:angry #line:pier01
Tomas: Sorry. #sad #line:pier02
Quinn: Go home now. #calm #line:pier03
Ines: Fine. #line:pier04
Tomas: This one is reported. #line:pier02
===
"""


def test_yarn_batch_one_character_per_speaker_in_folders_named_by_line_ids(tmp_path, capsys):
    script = tmp_path / "pier.yarn"
    script.write_text(SCENE)
    out = tmp_path / "out"
    # (rules prosody: quicker; the casting and the folders are what is tested here)
    manifest = run_batch(script, out, options=RenderOptions(preview="none", prosody="rules"),
                         progress=False)
    assert [e["id"] for e in manifest] == ["pier01", "pier02", "pier03", "pier04", "pier02"]
    *good, bad = manifest
    assert bad["status"] == "error" and "used twice" in bad["error"] and bad["bad_input"]
    assert "pier02" in capsys.readouterr().err
    assert all(e["status"] == "done" for e in good), [e["error"] for e in good]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["manifest.json", "pier01", "pier02", "pier03", "pier04"]

    cast = {}
    for entry in good:
        record = json.loads((out / entry["id"] / "take.json").read_text())
        assert record["line_id"] == entry["id"] and record["speaker"] == entry["speaker"]
        assert record["character"] == entry["character"] is not None
        assert cast.setdefault(entry["speaker"], entry["character"]) == entry["character"]
        assert all(name.startswith(f"{entry['id']}/") for name in entry["files"])
    assert list(cast) == ["Ines", "Tomas", "Quinn"] and len(set(cast.values())) == 3
    assert good[0]["target"]["category"] == "anger" and good[1]["target"]["category"] == "sadness"

    # resumed: nothing is rendered again
    again: list[dict] = []
    assert run_batch(script, out, options=RenderOptions(preview="none", prosody="rules"),
                     progress=False, on_entry=again.append) == manifest
    assert again == []


def test_a_mixed_cast_csv_renders_every_character(tmp_path):
    """A CSV naming a character per line: every built-in character performs its own line, and
    the manifest and take.json record who."""
    from controllers.cast import character_names

    names = character_names()
    script = tmp_path / "cast.csv"
    script.write_text("id,text,emotion,character\n"
                      + "".join(f"{n},Hello there.,calm,{n}\n" for n in names))
    out = tmp_path / "out"
    manifest = run_batch(script, out, options=RenderOptions(preview="none", prosody="rules"),
                         progress=False)
    assert [e["status"] for e in manifest] == ["done"] * len(names), manifest
    for entry in manifest:
        assert entry["character"] == entry["id"]
        assert json.loads((out / entry["id"] / "take.json").read_text())["character"] == entry["id"]
