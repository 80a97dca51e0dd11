"""Scripts: the example files, inline tags, stable ids, auto, and errors with file and line."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from controllers.errors import InputError
from controllers.inline import plan_line, strip_tags
from controllers.resolve import plan_for, target_for
from controllers.script import load_script
from controllers.target import EmotionPlan, EmotionTarget
from studio.cli import main as cli_main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# -- inline tags ----------------------------------------------------------------------------------
def test_tags_change_the_emotion_from_there_on():
    plan = plan_line("[calm] We start slowly. [angry, loud] And then it all goes wrong.")
    assert plan.text == "We start slowly. And then it all goes wrong."
    first, second = plan.segments
    assert (first.start, first.target.category) == (0, "calm")
    assert plan.text[second.start:].startswith("And then")
    assert second.target.category == "anger" and second.target.attribute("loudness") == "loud"
    assert plan.target_at(second.start + 3) is second.target


def test_voice_only_tag_keeps_the_emotion_before_it():
    plan = plan_line("[sad] I waited all day. [whisper] Nobody came.")
    sad, whisper = plan.segments
    assert whisper.target.category == sad.target.category == "sadness"
    assert whisper.target.valence == sad.target.valence
    assert whisper.target.attribute("voice_quality") == "whisper"


def test_text_before_the_first_tag_takes_the_default():
    plan = plan_line("The meeting is on Tuesday. [surprised] Again?", default="calm")
    assert [s.target.category for s in plan.segments] == ["calm", "surprise"]
    assert plan_line("No tags here.").segments[0].target.category == "neutral"


def test_a_sequence_tag_spreads_over_its_text():
    plan = plan_line("[calm, then furious] I told you twice already and you still did not listen.")
    assert [s.target.category for s in plan.segments] == ["calm", "anger"]
    assert "".join(s.text for s in plan.segments) == plan.text


@pytest.mark.parametrize("line,message", [
    ("[angry I never said that", "unbalanced"), ("[] Hello.", "empty tag"),
    ("[asdf] Hello.", "not understood"), ("[sad]", "no text"), ("[valence 4] Hi.", "range"),
])
def test_malformed_lines_are_input_errors(line, message):
    with pytest.raises(InputError, match=message):
        plan_line(line)


def test_strip_tags():
    assert strip_tags("[calm]  Hello [sad] there. ") == "Hello there."


# -- the three formats ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example_txt():
    return load_script(EXAMPLES / "script.txt")


def test_example_txt_shows_every_feature(example_txt):
    by_id = {line.id: line for line in example_txt}
    assert "welcome" in by_id and by_id["welcome"].plan.segments[0].target.attribute("rate") == "slow"
    assert all(line.source.startswith(str(EXAMPLES / "script.txt") + ":") for line in example_txt)
    multi = [line for line in example_txt if len(line.plan.segments) > 1]
    assert len(multi) >= 3  # a description sequence and mid-line tags
    numeric = [line for line in example_txt if "valence" in line.text]
    assert numeric and numeric[0].plan.segments[0].target.valence == pytest.approx(0.6)
    caption = [line for line in example_txt if "speaker has" in line.text]
    assert caption and caption[0].plan.segments[0].target.attribute("loudness") == "quiet"
    for line in example_txt:
        assert "[" not in line.plan.text and line.plan.text


def test_txt_ids_are_explicit_or_come_from_the_line_number(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("# a comment\n@intro [calm] Hello.\n\nSecond line.\n")
    assert [line.id for line in load_script(path)] == ["intro", "line-004"]
    path.write_text("# a comment\n@intro [calm] Hello.\nA new line.\n\nSecond line.\n")
    ids = {line.plan.text: line.id for line in load_script(path)}
    assert ids["Hello."] == "intro"  # explicit ids survive edits elsewhere


def test_default_directive_and_auto(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("I love this wonderful day!\n# default: sad\nThe bus is late.\n")
    plain = load_script(path)
    assert plain[0].plan.segments[0].target.category == "neutral"
    assert plain[1].plan.segments[0].target.category == "sadness"
    auto = load_script(path, auto=True)
    assert auto[0].plan.segments[0].target.valence > 0.15
    assert auto[1].plan.segments[0].target.category == "sadness"  # an explicit default wins


def test_csv_and_yaml_examples_match_the_txt_ones(example_txt):
    csv_lines, yaml_lines = load_script(EXAMPLES / "script.csv"), load_script(EXAMPLES / "script.yaml")
    for lines in (csv_lines, yaml_lines):
        by_id = {line.id: line for line in lines}
        assert by_id["welcome"].plan.segments[0].target == example_txt[0].plan.segments[0].target
        assert [s.target.category for s in by_id["fence"].plan.segments] == ["happiness", "sadness"]
        assert [s.target.category for s in by_id["meeting"].plan.segments] == ["neutral", "anger"]
        assert by_id["seat"].plan.segments[0].target.vad[:2] == pytest.approx((0.6, -0.4))
    yaml_by_id = {line.id: line for line in yaml_lines}
    library = yaml_by_id["library"].plan.segments[0].target
    assert (library.category, library.intensity) == ("surprise", 0.5)


@pytest.mark.parametrize("name,content,where,message", [
    ("bad.csv", "id,words\n1,hello\n", ":1", "header"),
    ("bad.csv", "id,text,emotion\na,Hello.,calm\na,Again.,sad\n", ":3", "used twice"),
    ("bad.csv", "id,text,emotion\na,,calm\n", ":2", "text is empty"),
    ("bad.csv", "id,text,emotion\na,[calm Hello.,\n", ":2", "unbalanced"),
    ("bad.csv", "id,text,emotion\na,Hello.,valence 9\n", ":2", "range"),
    ("bad.yaml", "- id: a\n  text: Hello.\n- id: b\n  txt: Oops.\n", ":3", "unknown key"),
    ("bad.yaml", "- id: a\n  text: Hello: there\n", ":2", "not valid YAML"),
    ("bad.yaml", "id: a\ntext: Hello.\n", ":1", "list"),
    ("bad.txt", "Fine line.\n[angry Broken line.\n", ":2", "unbalanced"),
    ("bad.txt", "@bad/id Hello.\n", ":1", "id"),
])
def test_malformed_scripts_name_file_and_line(tmp_path, name, content, where, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=message) as err:
        load_script(path)
    assert f"{path}{where}" in str(err.value)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="accepted: .txt"):
        load_script(tmp_path / "script.docx")
    with pytest.raises(InputError, match="does not exist"):
        load_script(tmp_path / "nope.txt")


# -- resolve: every accepted emotion form -----------------------------------------------------------
def test_plan_for_accepts_every_emotion_form():
    text = "The library closes early today."
    assert plan_for(text, "a little sad").segments[0].target.category == "sadness"
    assert plan_for(text, (0.5, -0.5)).segments[0].target.vad[:2] == (0.5, -0.5)
    target = EmotionTarget.from_category("fear", 0.8)
    assert plan_for(text, target).segments[0].target is target
    ready = EmotionPlan.constant(text, target)
    assert plan_for(text, ready) is ready
    assert plan_for(text, None).segments[0].target.category == "neutral"
    assert plan_for("[angry] " + text, "calm").segments[0].target.category == "anger"
    assert target_for("joyful at first, then sad").category == "happiness"
    with pytest.raises(InputError, match="valence"):
        plan_for(text, (2.0, 0.0))


# -- the CLI's script mode (what `make demo` prints) ---------------------------------------------------
def test_cli_prints_every_line_of_the_example_script(example_txt):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["parse", "--script", str(EXAMPLES / "script.txt")]) == 0
    text = out.getvalue()
    for line in example_txt:
        assert line.id in text
    with contextlib.redirect_stdout(io.StringIO()) as buf:
        assert cli_main(["parse", "--script", str(EXAMPLES / "script.yaml"), "--json"]) == 0
    rows = json.loads(buf.getvalue())
    assert [r["id"] for r in rows][:2] == ["welcome", "keys"]
    assert all(r["segments"][0]["start"] == 0 for r in rows)


def test_lenient_loading_reports_bad_lines_and_keeps_the_rest(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,text,emotion\na,Hello.,calm\nb,,sad\na,Again.,happy\nc,Fine.,valence 7\n"
                    "d,Last one.,[whisper\n")
    with pytest.raises(InputError):
        load_script(path)
    lines = load_script(path, strict=False)
    assert [line.id for line in lines] == ["a", "b", "a", "c", "d"]
    ok, empty, repeated, out_of_range, _ = lines
    assert ok.error is None and ok.plan.segments[0].target.category == "calm"
    assert empty.plan is None and f"{path}:3" in empty.error and "empty" in empty.error
    assert "used twice" in repeated.error and out_of_range.emotion == "valence 7"
    assert "range" in out_of_range.error
    with pytest.raises(InputError, match="header"):  # a broken file still fails as a whole
        (tmp_path / "h.csv").write_text("words\nhello\n")
        load_script(tmp_path / "h.csv", strict=False)


def test_a_description_nothing_understands_is_refused_when_performing():
    with pytest.raises(InputError, match="not understood"):
        plan_for("Hello there.", "asdf qwerty")


def test_parse_emotion_gives_a_plan_with_text_and_a_target_without():
    from controllers import parse_emotion

    plan = parse_emotion("calm, then furious", "I told you twice and you did not listen.")
    assert isinstance(plan, EmotionPlan) and len(plan.segments) == 2
    assert parse_emotion("calm, then furious").category == "calm"


# -- the example scene and cast mapping (what `make demo` renders) ------------------------------------
def test_example_scene_with_and_without_the_example_cast():
    default = load_script(EXAMPLES / "scene.yarn")
    cast = load_script(EXAMPLES / "scene.yarn", cast=EXAMPLES / "cast.yaml")
    assert [line.id for line in default] == [f"pier0{k}" for k in range(1, 6)]
    for lines in (default, cast):
        by_speaker: dict[str, set[str]] = {}
        for line in lines:
            by_speaker.setdefault(line.speaker, set()).add(line.character.name)
        assert list(by_speaker) == ["Ines", "Tomas", "Harbourmaster"]
        assert all(len(names) == 1 for names in by_speaker.values())
        assert len(set.union(*by_speaker.values())) == 3
    assert [line.character.name for line in cast[:2]] == ["mara", "joe"]
    assert [line.plan.segments[0].target.category for line in cast] == \
        ["anger", "sadness", "anger", "calm", "happiness"]


def test_example_scripts_name_speakers_and_characters(example_txt):
    speakers = {line.speaker: line.character.name for line in example_txt if line.speaker}
    assert speakers == {"Mara": "mara", "Walter": "walter"}
    by_id = {line.id: line for line in load_script(EXAMPLES / "script.csv")}
    assert by_id["keys"].character.name == "mara" and by_id["welcome"].character.name == "joe"
    yaml_by_id = {line.id: line for line in load_script(EXAMPLES / "script.yaml")}
    assert yaml_by_id["keys"].character.name == "mara"
