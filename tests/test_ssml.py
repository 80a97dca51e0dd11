"""SSML input: the hardened parser, what each element asks for, the hostile corpus (through the
CLI too). No voice here (tests/test_ssml_voice.py speaks)."""

from __future__ import annotations

import math
import time

import pytest

from controllers.errors import InputError
from controllers.parse import parse_description
from controllers.resolve import plan_for
from controllers.ssml import PitchChange, SsmlPlan, is_ssml, parse_ssml
from controllers.ssml.azure import AZURE_STYLES, role_character
from controllers.ssml.xml import MAX_DEPTH
from studio.cli import main as cli_main

MSTTS = 'xmlns:mstts="https://www.w3.org/2001/mstts"'
LINE = "Thanks for coming, my friend. It was lovely to see you."


def words_of(doc):
    return {doc.text[w.start:w.end]: w for w in doc.directions.words}


def test_a_text_is_ssml_when_it_starts_with_speak():
    assert is_ssml("<speak>Hi.</speak>") and is_ssml('  <speak version="1.1">Hi.</speak>')
    assert is_ssml('<?xml version="1.0"?><speak>Hi.</speak>')
    assert is_ssml("<!DOCTYPE speak []><speak>Hi.</speak>")  # read, then refused
    assert not is_ssml("Hello <speak>") and not is_ssml("[angry] Get out!")
    assert not is_ssml("<speaker> said hi")


def test_the_plain_text_and_the_directions_of_each_element():
    doc = parse_ssml(
        f'<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" {MSTTS}>'
        '<p><s>Hello <emphasis level="strong">there</emphasis><break time="700ms"/></s>'
        '<s>We <prosody rate="slow" pitch="+3st" volume="-6dB">speak slowly</prosody> now'
        '<mark name="here"/> ok</s></p>'
        '<say-as interpret-as="telephone">555-1234</say-as> '
        '<say-as interpret-as="ordinal">3</say-as> '
        '<say-as interpret-as="date" format="mdy">3/15/2024</say-as> '
        '<say-as interpret-as="characters">ABC</say-as> '
        '<say-as interpret-as="time" format="hms12">3:30pm</say-as> '
        '<sub alias="World Wide Web">WWW</sub> '
        '<phoneme alphabet="ipa" ph="t\u0259\u02c8m\u0251\u02d0to\u028a">tomato</phoneme>'
        '<break strength="strong"/></speak>')
    assert doc.text == ("Hello there. We speak slowly now ok. 5 5 5, 1 2 3 4 3rd March 15th, "
                        "2024 eh B C 3:30 PM World Wide Web tomato")
    w = words_of(doc)
    assert w["there."].emphasis == "strong" and w["there."].break_after_s == pytest.approx(0.7)
    assert w["speak"].rate == pytest.approx(0.64) and w["slowly"].rate == pytest.approx(0.64)
    assert w["speak"].pitch == (PitchChange("st", 3.0),) and w["speak"].volume_db == -6.0
    assert w["now"].is_plain and w["We"].is_plain
    assert w["tomato"].break_after_s == pytest.approx(1.0)  # strength strong
    [mark] = doc.directions.marks
    assert mark.name == "here" and doc.text[mark.offset:].startswith("ok")
    [ipa] = doc.directions.phonemes
    assert doc.text[ipa.start:ipa.end] == "tomato" and ipa.ipa.startswith("t\u0259")
    assert not doc.warnings


def test_prosody_values_as_ssml_and_azure_define_them():
    def word(markup):
        return parse_ssml(f"<speak>{markup}</speak>").directions.words[0]

    assert word('<prosody rate="x-fast">a</prosody>').rate == 2.0
    assert word('<prosody rate="80%">a</prosody>').rate == pytest.approx(0.8)  # SSML 1.1
    assert word('<prosody rate="+25%">a</prosody>').rate == pytest.approx(1.25)  # Azure
    assert word('<prosody rate="1.5">a</prosody>').rate == 1.5
    # nested prosody composes: rates multiply, pitch changes apply in turn, dB add
    nested = word('<prosody rate="slow" pitch="+2st" volume="+3dB"><prosody rate="50%" '
                  'pitch="-20Hz" volume="loud">a</prosody></prosody>')
    assert nested.rate == pytest.approx(0.32) and nested.volume_db == pytest.approx(9.0)
    assert nested.pitch == (PitchChange("st", 2.0), PitchChange("hz", -20.0))
    assert word('<prosody pitch="200Hz">a</prosody>').pitch == (PitchChange("abs_hz", 200.0),)
    high = word('<prosody pitch="high">a</prosody>').pitch[0]
    assert high.value == pytest.approx(12 * math.log2(1.2))
    assert word('<prosody pitch="+10%">a</prosody>').pitch[0].value == pytest.approx(
        12 * math.log2(1.1))
    assert word('<prosody volume="50">a</prosody>').volume_db == pytest.approx(-6.02, abs=0.01)
    assert word('<prosody volume="silent">a</prosody>').volume_db == -60.0
    assert word('<prosody volume="x-soft">a</prosody>').volume_db == -12.0


def test_express_as_maps_azure_styles_onto_the_emotion_controls():
    for style, description in AZURE_STYLES.items():
        assert parse_description(description).recognized, style
    doc = parse_ssml(f'<speak {MSTTS}><mstts:express-as style="cheerful">{LINE}'
                     '</mstts:express-as></speak>')
    # the same plan as the plain line with --emotion cheerful
    plain = plan_for(LINE, "cheerful")
    ssml = doc.plan(None)
    assert isinstance(ssml, SsmlPlan) and ssml.text == plain.text
    assert ssml.segments == plain.segments and ssml.directions.is_plain
    # styledegree scales the intensity; text outside keeps the caller's emotion
    doc = parse_ssml(f'<speak {MSTTS}>Hello there. <mstts:express-as style="sad" '
                     'styledegree="0.5">I lost my keys.</mstts:express-as></speak>')
    plan = doc.plan("calm")
    assert [s.target.category for s in plan.segments] == ["calm", "sadness"]
    assert plan.segments[1].target.intensity == pytest.approx(
        0.5 * parse_description("sad").target.intensity)
    assert plan.segments[1].text == "I lost my keys."
    # role: the nearest built-in character
    doc = parse_ssml(f'<speak {MSTTS}><mstts:express-as role="SeniorMale">Hi.'
                     '</mstts:express-as></speak>')
    assert doc.characters == (role_character("SeniorMale"),)


def test_voice_runs_name_characters_and_split_a_dialogue():
    doc = parse_ssml('<speak><voice name="mara">Where were you?<mark name="q"/></voice>'
                     '<voice name="walter">Out. <break time="300ms"/>Walking.</voice>'
                     '<voice name="mara">Alone?</voice></speak>')
    assert doc.characters == ("mara", "walter")
    parts = doc.voice_parts()
    assert [(who, part.text) for who, part in parts] == [
        ("mara", "Where were you?"), ("walter", "Out. Walking."), ("mara", "Alone?")]
    # a mark stands before the word after it: here the first word of Walter's part
    assert not parts[0][1].directions.marks and parts[1][1].directions.marks[0].offset == 0
    assert words_of(parts[1][1])["Out."].break_after_s == pytest.approx(0.3)
    with pytest.raises(InputError, match=r"line 1:\d+: <voice name='nobody'>.*mara"):
        parse_ssml('<speak><voice name="nobody">Hi.</voice></speak>')


def test_unknown_elements_are_spoken_and_named_in_a_warning():
    doc = parse_ssml("<speak>Say <blink>this</blink> <desc>not this</desc>.</speak>")
    assert doc.text == "Say this ."
    assert len(doc.warnings) == 1 and "<blink>" in doc.warnings[0] and "1:" in doc.warnings[0]


@pytest.mark.parametrize("markup, where", [
    ('<speak>Hi <prosody rate="quick">there</prosody></speak>', "1:11"),
    ('<speak>\n<break time="2 hours"/></speak>', "2:1"),
    ('<speak>Hi <emphasis level="loudly">x</emphasis></speak>', "1:11"),
    ('<speak><prosody pitch="+90st">x</prosody></speak>', "1:8"),
    ("<voice>no speak</voice>", "1:1"),
])
def test_values_nobody_can_read_are_refused_with_their_place(markup, where):
    with pytest.raises(InputError, match=f"line {where}"):
        parse_ssml(markup)


#: Hostile SSML: each must be refused quickly, with one line.
HOSTILE = {
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                      + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                                for i in range(1, 10))
                      + "]><speak>&lol9;</speak>",
    "quadratic blowup": '<!DOCTYPE speak [<!ENTITY a "' + "x" * 50_000 + '">]><speak>'
                        + "&a;" * 1000 + "</speak>",
    "external entity": '<!DOCTYPE speak [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                       "<speak>&xxe;</speak>",
    "external dtd": '<!DOCTYPE speak SYSTEM "http://example.com/evil.dtd"><speak>hi</speak>',
    "undeclared entity": "<speak>&xxe;</speak>",
    "10k nested elements": "<speak>" + "<s>" * 10_000 + "deep" + "</s>" * 10_000 + "</speak>",
    "malformed": '<speak>\n  <prosody rate="slow">unclosed</speak>',
    "huge attribute": '<speak><prosody rate="' + "9" * 150_000 + '">x</prosody></speak>',
    "huge document": "<speak>" + "word " * 100_000 + "</speak>",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_ssml_is_refused_fast_with_one_line(name):
    started = time.perf_counter()
    with pytest.raises(InputError) as refused:
        parse_ssml(HOSTILE[name])
    assert time.perf_counter() - started < 1.0
    message = str(refused.value)
    assert "\n" not in message and message.startswith("SSML")
    if name not in ("huge document",):
        assert "line " in message  # line:column


def test_the_cli_refuses_hostile_ssml_with_exit_status_2_and_one_line(tmp_path, capsys):
    # the command's own imports first (they are not the refusal's time)
    assert cli_main(["render", "--text", "<speak>", "--out", str(tmp_path / "warm")]) == 2
    capsys.readouterr()
    for name in ("billion laughs", "external entity", "10k nested elements", "malformed",
                 "huge attribute"):
        out = tmp_path / name.replace(" ", "_")
        started = time.perf_counter()
        assert cli_main(["render", "--text", HOSTILE[name], "--out", str(out)]) == 2, name
        assert time.perf_counter() - started < 1.0, name
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "SSML" in err, (name, err)
        assert not out.exists()
    assert MAX_DEPTH < 10_000
