"""Every kind of bad input gets exit status 2, one clear line, quickly, and leaves nothing behind.

Each case runs ``emostudio`` in this process (``studio.cli.main``) inside its own empty folder
and checks: the exit status is 2; stderr is one line naming the problem, without a traceback;
nothing new is left in the folder (no temporary, partial or empty output); no model was loaded
(bad input is refused before any); and it answers within :data:`ANSWER_S` seconds (an alarm
ends a hung case; pipes run as real processes under a subprocess timeout).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from controllers.errors import InputError
from studio.cli import main

REPO = Path(__file__).resolve().parent.parent
#: Seconds a bad input may take to be refused.
ANSWER_S = 10
SR = 16000


class Hung(BaseException):
    """Raised by the alarm: not an Exception, so that the CLI cannot turn it into an exit code."""


@pytest.fixture
def no_models(monkeypatch):
    """Loading any model (voice, prosody, recognisers, aligner, renderer) fails the test."""
    import studio.critic.fer as fer
    import studio.critic.ser as ser
    import synth.avatar.render as avatar_render
    import synth.prosody as prosody
    import synth.tts.align as align
    import synth.tts.voice as voice

    def loaded(*args, **kwargs):
        raise AssertionError("a model was loaded for bad input")

    monkeypatch.setattr(voice.Voice, "_load", classmethod(loaded))
    monkeypatch.setattr(prosody, "load_prosody_model", loaded)
    monkeypatch.setattr(ser.SpeechEmotionRecognizer, "load", classmethod(loaded))
    monkeypatch.setattr(fer.FaceEmotionRecognizer, "load", classmethod(loaded))
    monkeypatch.setattr(align, "_decoder", loaded)
    monkeypatch.setattr(avatar_render.Renderer, "__init__", loaded)


@pytest.fixture
def alarm():
    """End the test with :class:`Hung` if it runs past :data:`ANSWER_S` seconds."""
    def ring(signum, frame):
        raise Hung(f"no answer within {ANSWER_S} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(ANSWER_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# -- inputs the cases refer to (made in each case's own folder) ---------------------------------

def _wav(path: Path, samples: np.ndarray, rate: int = SR, subtype: str = "FLOAT") -> None:
    sf.write(str(path), np.asarray(samples, np.float32), rate, subtype=subtype)


def _speech_like(seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    return (0.3 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)


def _timeline(seconds: float, **change) -> dict:
    duration = seconds
    d = {"duration": duration, "hop": 0.005,
         "phonemes": [{"symbol": "h", "start": 0.1, "end": 0.2, "stress": 0, "word": 0,
                       "syllable": 0}],
         "syllables": [{"start": 0.1, "end": 0.3, "stress": 1, "word": 0, "accent": False}],
         "words": [{"text": "hi", "start": 0.1, "end": 0.3, "char_start": 0}],
         "f0": [120.0] * int(duration / 0.005 + 1), "energy": [-20.0] * int(duration / 0.005 + 1)}
    d.update(change)
    return d


def _laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for n in "bcdefghijk"[:levels - 1]:
        lines.append(f"{n}: &{n} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = n
    return "- id: x\n  text: Hello.\n  emotion:\n" + "".join(f"    {line}\n" for line in lines)


def make_inputs(root: Path) -> None:
    """The files every case may name, written into ``root``."""
    (root / "afile").write_text("a regular file\n")
    (root / "folder").mkdir()
    (root / "take.timeline.json").mkdir()  # a folder where speak would write its timeline
    _wav(root / "ok.wav", _speech_like())
    nan = _speech_like()
    nan[5000:5100] = np.nan
    _wav(root / "nan.wav", nan)
    inf = _speech_like()
    inf[100] = np.inf
    _wav(root / "inf.wav", inf)
    _wav(root / "loud.wav", _speech_like() * 30000.0)  # raw integers stored as floats
    _wav(root / "empty.wav", np.zeros(0))
    _wav(root / "slow.wav", _speech_like()[:1000], rate=1000)
    (root / "text.wav").write_text("not a recording\n")
    for name, change in {
        "nan_f0.json": {"f0": [float("nan")] * 201},
        "backwards.json": {"words": [{"text": "hi", "start": 0.5, "end": 0.2, "char_start": 0}]},
        "long.json": {"duration": 30.0},
    }.items():
        (root / name).write_text(json.dumps(_timeline(1.0, **change)))
    (root / "notjson.json").write_text("{not json")
    scripts = {
        "unclosed.csv": 'id,text,emotion\na,Hello there.,sad\nb,"Never closed,calm\nc,Fine.,happy\n',
        "afterquote.csv": 'id,text,emotion\na,"Hello" there,sad\n',
        "noheader.csv": "Hello there.,sad\n",
        "nan_emotion.csv": "id,text,emotion\na,Hello.,\"valence nan, arousal 0.2\"\n",
        "laughs.yaml": _laughs(),
        "nan.yaml": "- id: a\n  text: Hello.\n  emotion: {valence: .nan, arousal: 0.2}\n",
        "inf.yaml": "- id: a\n  text: Hello.\n  emotion: {category: anger, intensity: .inf}\n",
        "range.yaml": "- id: a\n  text: Hello.\n  emotion: {valence: 2.0, arousal: 0.2}\n",
        "deep.yaml": "[" * 5000 + "]" * 5000,
        "python.yaml": '- !!python/object/apply:os.system ["echo pwned"]\n',
        "mapping.yaml": "id: a\ntext: Hello.\n",
        "syntax.yaml": "- id: a\n  text: Hello: there\n",
        "twice.yaml": "- id: a\n  text: Hello.\n- id: a\n  text: Again.\n",
        "listtext.yaml": "- id: a\n  text: [1, 2]\n",
        "tag.txt": "Hello there. [angry Get out!\n",
        "empty.txt": "# only a comment\n\n",
        "script.json": "[]\n",
    }
    for name, content in scripts.items():
        (root / name).write_text(content, encoding="utf-8")
    (root / "latin1.txt").write_bytes("Caf\xe9 au lait.\n".encode("latin-1"))
    with open(root / "huge.txt", "wb") as f:  # over the script size limit (sparse: no disk)
        f.truncate(4 * 2**20 + 1)


# -- the cases: (id, argv, words the message must hold) -----------------------------------------

LONG_TEXT = "Hello there. " * 1600  # 20,800 characters: over the limit
DESCRIPTION = "slightly sad, " * 200  # 2,800 characters

CASES = [
    # descriptions: non-finite and out-of-range numbers, empty, too long
    ("parse-valence-nan", ["parse", "valence NaN"], "not a finite number"),
    ("parse-arousal-inf", ["parse", "arousal inf"], "not a finite number"),
    ("parse-exponent", ["parse", "valence 0.5e3"], "outside the accepted range"),
    ("parse-letter-inf", ["parse", "V=-inf, A=0.2"], "not a finite number"),
    ("parse-dominance-range", ["parse", "dominance 1.5"], "outside the accepted range"),
    ("parse-intensity-overflow", ["parse", "anger, intensity 1e400"], "not a finite number"),
    ("parse-percent-range", ["parse", "anger at 150%"], "outside the accepted range"),
    ("parse-empty", ["parse", ""], "empty"),
    ("parse-blank", ["parse", "   "], "empty"),
    ("parse-too-long", ["parse", DESCRIPTION], "characters long"),
    ("parse-auto-empty", ["parse", "--auto", " "], "empty"),
    ("parse-both", ["parse", "sad", "--script", "tag.txt"], "not both"),
    ("speak-emotion-nan", ["speak", "--text", "Hi.", "--emotion", "valence nan",
                           "--out", "x.wav"], "not a finite number"),
    ("render-emotion-inf", ["render", "--text", "Hi.", "--emotion", "arousal -Infinity",
                            "--out", "take"], "not a finite number"),
    ("speak-emotion-unknown", ["speak", "--text", "Hi.", "--emotion", "qwzx", "--out", "x.wav"],
     "qwzx"),
    ("speak-tag-nan", ["speak", "--text", "Hi. [valence nan] Bye.", "--out", "x.wav"],
     "not a finite number"),
    # texts
    ("speak-text-empty", ["speak", "--text", "", "--out", "x.wav"], "empty"),
    ("speak-text-blank", ["speak", "--text", "  \t ", "--out", "x.wav"], "empty"),
    ("speak-tag-unclosed", ["speak", "--text", "Hi [angry there", "--out", "x.wav"],
     "unbalanced"),
    ("speak-tag-empty", ["speak", "--text", "[] Hi there", "--out", "x.wav"], "empty tag"),
    ("speak-text-too-long", ["speak", "--text", LONG_TEXT, "--out", "x.wav"], "20000"),
    ("render-text-too-long", ["render", "--text", LONG_TEXT, "--out", "take"], "20000"),
    # scripts
    ("parse-csv-unclosed", ["parse", "--script", "unclosed.csv"], "unclosed.csv:3"),
    ("batch-csv-unclosed", ["batch", "unclosed.csv", "--out", "b"], "unclosed.csv:3"),
    ("parse-csv-after-quote", ["parse", "--script", "afterquote.csv"], "afterquote.csv:2"),
    ("parse-csv-no-header", ["parse", "--script", "noheader.csv"], "noheader.csv:1"),
    ("parse-csv-emotion-nan", ["parse", "--script", "nan_emotion.csv"], "nan_emotion.csv:2"),
    ("parse-yaml-laughs", ["parse", "--script", "laughs.yaml"], "billion laughs"),
    ("batch-yaml-laughs", ["batch", "laughs.yaml", "--out", "b"], "billion laughs"),
    ("parse-yaml-nan", ["parse", "--script", "nan.yaml"], "nan.yaml:1"),
    ("parse-yaml-inf", ["parse", "--script", "inf.yaml"], "not a finite number"),
    ("parse-yaml-range", ["parse", "--script", "range.yaml"], "outside the accepted range"),
    ("parse-yaml-deep", ["parse", "--script", "deep.yaml"], "deep.yaml"),
    ("parse-yaml-python", ["parse", "--script", "python.yaml"], "python.yaml:1"),
    ("parse-yaml-mapping", ["parse", "--script", "mapping.yaml"], "a list"),
    ("parse-yaml-syntax", ["parse", "--script", "syntax.yaml"], "syntax.yaml:2"),
    ("parse-yaml-twice", ["parse", "--script", "twice.yaml"], "used twice"),
    ("parse-yaml-list-text", ["parse", "--script", "listtext.yaml"], "not a line of text"),
    ("parse-txt-tag", ["parse", "--script", "tag.txt"], "tag.txt:1"),
    ("parse-txt-empty", ["parse", "--script", "empty.txt"], "no lines"),
    ("parse-txt-latin1", ["parse", "--script", "latin1.txt"], "not UTF-8"),
    ("parse-txt-huge", ["parse", "--script", "huge.txt"], "MiB"),
    ("parse-script-suffix", ["parse", "--script", "script.json"], "unknown type"),
    ("parse-script-missing", ["parse", "--script", "missing.txt"], "does not exist"),
    ("batch-script-missing", ["batch", "missing.csv", "--out", "b"], "does not exist"),
    # audio and timelines
    ("face-audio-nan", ["face", "--audio", "nan.wav", "--out", "f"], "NaN"),
    ("gesture-audio-inf", ["gesture", "--audio", "inf.wav", "--out", "g"], "NaN or infinite"),
    ("analyze-audio-nan", ["analyze", "nan.wav"], "NaN"),
    ("face-audio-loud", ["face", "--audio", "loud.wav", "--out", "f"], "full scale"),
    ("face-audio-empty", ["face", "--audio", "empty.wav", "--out", "f"], "empty"),
    ("face-audio-rate", ["face", "--audio", "slow.wav", "--out", "f"], "sample rate"),
    ("face-audio-text", ["face", "--audio", "text.wav", "--out", "f"], "not a readable"),
    ("gesture-audio-missing", ["gesture", "--audio", "missing.wav", "--out", "g"], "no such"),
    ("face-timeline-nan", ["face", "--audio", "ok.wav", "--timeline", "nan_f0.json",
                           "--out", "f"], "NaN"),
    ("face-timeline-backwards", ["face", "--audio", "ok.wav", "--timeline", "backwards.json",
                                 "--out", "f"], "word 0"),
    ("gesture-timeline-json", ["gesture", "--audio", "ok.wav", "--timeline", "notjson.json",
                               "--out", "g"], "not a timeline"),
    ("face-timeline-duration", ["face", "--audio", "ok.wav", "--timeline", "long.json",
                                "--out", "f"], "lasts"),
    # output paths: parent is a file, out is an existing file, cannot be made
    ("speak-out-under-file", ["speak", "--text", "Hi.", "--out", "afile/x.wav"], "is a file"),
    ("face-out-under-file", ["face", "--audio", "ok.wav", "--out", "afile/f"], "is a file"),
    ("gesture-out-under-file", ["gesture", "--audio", "ok.wav", "--out", "afile/sub/g"],
     "is a file"),
    ("render-out-under-file", ["render", "--text", "Hi.", "--out", "afile/take"], "is a file"),
    ("batch-out-under-file", ["batch", "tag.txt", "--out", "afile/b"], "is a file"),
    ("face-out-is-file", ["face", "--audio", "ok.wav", "--out", "afile"], "existing file"),
    ("gesture-out-is-file", ["gesture", "--audio", "ok.wav", "--out", "afile"],
     "existing file"),
    ("render-out-is-file", ["render", "--text", "Hi.", "--out", "afile"], "existing file"),
    ("batch-out-is-file", ["batch", "tag.txt", "--out", "afile"], "existing file"),
    ("speak-out-is-folder", ["speak", "--text", "Hi.", "--out", "folder"], ".wav"),
    ("speak-out-not-wav", ["speak", "--text", "Hi.", "--out", "x.mp3"], ".wav"),
    ("speak-timeline-is-folder", ["speak", "--text", "Hi.", "--out", "take.wav"], "folder"),
    ("speak-out-proc", ["speak", "--text", "Hi.", "--out", "/proc/emostudio/x.wav"],
     "cannot write"),
    ("render-out-name-too-long", ["render", "--text", "Hi.", "--out", "n" * 300 + "/take"],
     "cannot write"),
    ("face-out-nul", ["face", "--audio", "ok.wav", "--out", "f\0g"], "NUL"),
    # numbers on the command line
    ("speak-seed-negative", ["speak", "--text", "Hi.", "--out", "x.wav", "--seed", "-1"],
     "[0, 4294967295]"),
    ("render-seed-64-bits", ["render", "--text", "Hi.", "--out", "take", "--seed",
                             str(2**64)], "[0, 4294967295]"),
    ("batch-seed-huge", ["batch", "tag.txt", "--out", "b", "--seed", "9" * 400], "digits"),
    ("face-seed-text", ["face", "--audio", "ok.wav", "--out", "f", "--seed", "abc"],
     "not an integer"),
    ("gesture-seed-fraction", ["gesture", "--audio", "ok.wav", "--out", "g", "--seed", "1.5"],
     "not an integer"),
    ("face-fps-nan", ["face", "--audio", "ok.wav", "--out", "f", "--fps", "nan"],
     "not a finite number"),
    ("gesture-fps-inf", ["gesture", "--audio", "ok.wav", "--out", "g", "--fps", "inf"],
     "not a finite number"),
    ("face-fps-zero", ["face", "--audio", "ok.wav", "--out", "f", "--fps", "0"],
     "outside the accepted range"),
    ("batch-jobs-zero", ["batch", "tag.txt", "--out", "b", "--jobs", "0"], "[1, 256]"),
    ("analyze-frames-zero", ["analyze", "ok.wav", "--max-frames", "0"], "[1, 10000]"),
    ("ui-port-range", ["ui", "--port", "70000"], "[1, 65535]"),
    ("ui-out-is-file", ["ui", "--out", "afile"], "existing file"),
    ("analyze-reference-nan", ["analyze", "ok.wav", "--reference", "nan.wav"], "NaN"),
    ("analyze-box-inf", ["analyze", "ok.wav", "--video", "ok.wav", "--face-box", "inf,0,9,9"],
     "--face-box"),
    ("analyze-box-backwards", ["analyze", "ok.wav", "--video", "ok.wav", "--face-box",
                               "9,9,1,1"], "X0 < X1"),
    ("analyze-video-missing", ["analyze", "ok.wav", "--video", "missing.mp4"], "no such"),
    ("face-transcript-too-long", ["face", "--audio", "ok.wav", "--text", LONG_TEXT,
                                  "--out", "f"], "20000"),
    ("speak-unknown-option", ["speak", "--text", "Hi.", "--out", "x.wav", "--sed", "1"],
     "unrecognized"),
]


@pytest.mark.parametrize("argv,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_one_line(argv, words, tmp_path, monkeypatch, capsys,
                                            no_models, alarm):
    make_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    status = main(argv)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert status == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith("emostudio"), captured.err
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    assert words in lines[0], lines[0]
    assert captured.out == ""
    assert _files(tmp_path) == before, "files were left behind"


# -- the Python API: the same checks where arguments enter ----------------------------------

def test_api_refuses_bad_numbers_and_paths_before_any_model(tmp_path, no_models, alarm):
    import studio
    from controllers.target import EmotionTarget
    from studio.batch import RenderOptions, run_batch
    from synth.tts.align import align_recording

    (tmp_path / "afile").write_text("x")
    script = tmp_path / "s.txt"
    script.write_text("Hello there.\n")
    calls = [
        (lambda: studio.render("Hi.", seed=-1), "seed"),
        (lambda: studio.render("Hi.", seed=2**64), "seed"),
        (lambda: studio.render("Hi.", seed=float("nan")), "seed"),
        (lambda: studio.render("Hi.", (math.nan, 0.0)), "valence"),
        (lambda: studio.render("Hi.", (0.5, 2.0)), "arousal"),
        (lambda: studio.render("Hi.", (0.1, 0.2, math.inf)), "dominance"),
        (lambda: studio.render("Hi.", {"valence": 0.5}), "cannot read an emotion"),
        (lambda: studio.render("Hi.", preview="4k"), "preview"),
        (lambda: studio.render("Hi.", out=5), "give a path"),
        (lambda: studio.render("Hi.", "valence nan"), "finite"),
        (lambda: studio.render("Hi.", out=tmp_path / "afile"), "existing file"),
        (lambda: studio.render("Hi.", out=tmp_path / "afile" / "take"), "is a file"),
        (lambda: studio.render("x" * 20001), "characters"),
        (lambda: run_batch(script, tmp_path / "afile"), "existing file"),
        (lambda: run_batch(script, tmp_path / "b", options=RenderOptions(seed=-5)), "seed"),
        (lambda: EmotionTarget.from_vad(math.nan, 0.0), "valence"),
        (lambda: EmotionTarget.from_category("anger", math.inf), "intensity"),
        (lambda: align_recording(np.full(16000, np.nan, np.float32), 16000), "NaN"),
        (lambda: align_recording(_speech_like(), float("nan")), "sample rate"),
    ]
    for call, words in calls:
        with pytest.raises(InputError, match=words):
            call()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "s.txt"]


# -- pipes: a reader that stops early ends the command quietly ----------------------------------

def _run_cli_into_head(args: list[str], tmp_path: Path) -> tuple[int, str]:
    """Run ``emostudio ARGS | head -1`` as real processes; (emostudio's status, its stderr)."""
    script = tmp_path / "many.txt"
    script.write_text("".join(f"@line{i} [angry] Line number {i} is here.\n" for i in range(3000)))
    cli = subprocess.Popen([sys.executable, "-m", "studio.cli", *args, str(script)], cwd=REPO,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-1"], stdin=cli.stdout, capture_output=True, timeout=60)
    cli.stdout.close()  # only head reads the pipe now: when it exits, the pipe is broken
    try:
        _, err = cli.communicate(timeout=60)
    finally:
        cli.kill()
    assert head.stdout.strip(), "head printed nothing"
    return cli.returncode, err.decode()


@pytest.mark.parametrize("args", [["parse", "--script"], ["parse", "--json", "--script"]],
                         ids=["text", "json"])
def test_closed_pipe_ends_quietly(args, tmp_path):
    status, err = _run_cli_into_head(args, tmp_path)
    assert status in (0, 141), err  # 141 = 128 + SIGPIPE, as a Unix tool reports it
    assert err == "", err


# -- long text: cut between sentences, spoken in chunks -----------------------------------------

def test_sentences_and_chunks_cover_the_text_in_order():
    from synth.tts.sentences import chunk_spans, split_sentences

    text = 'Hello there. How are you?  "Fine!" she said.\nNo end here ' + "word " * 60
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans[:4]] == ["Hello there.", "How are you?", '"Fine!"',
                                                 "she said."]
    for limit in (20, 64, 500):
        chunks = chunk_spans(text, limit)
        assert all(b - a <= limit for a, b in chunks)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(chunks, chunks[1:]))
        # nothing but whitespace between or around the chunks
        rest = "".join(text[b:a] for (_, b), (a, _) in zip([(0, 0)] + chunks, chunks + [(len(text), 0)]))
        assert rest.strip() == ""
    # a sentence that fits is never cut; one that does not is cut at a word boundary
    assert chunk_spans("One two. Three four.", 11) == [(0, 8), (9, 20)]
    assert chunk_spans("One two. Three four.", 20) == [(0, 20)]
    assert all(text[b - 1] != "w" or text[b:b + 1] in ("", " ", "\n")
               for a, b in chunk_spans(text, 23))
    # linear: a hundred thousand characters are cut at once
    huge = "This is a sentence, with a clause. " * 3000
    assert len(chunk_spans(huge, 500)) < 250


def test_long_text_is_spoken_in_chunks_with_one_timeline():
    from controllers.resolve import plan_for
    from synth.tts.synthesizer import CHUNK_CHARS, EmotionalTTS

    text = ("The train leaves at nine. Please put the blue folder on the second shelf. " * 8
            ).strip()
    assert CHUNK_CHARS < len(text) <= 2 * CHUNK_CHARS
    plan = plan_for(text + " [angry] Now get out of here!", "calm")
    tts = EmotionalTTS.load(prosody="none")
    speech = tts.speak(plan, seed=1)
    timeline = speech.timeline
    assert np.isfinite(speech.audio).all() and timeline.duration == pytest.approx(
        len(speech.audio) / speech.sample_rate)
    # every word points at itself in the whole text, in order, and times never go back
    assert [w.text for w in timeline.words][-2:] == ["of", "here"]
    assert all(plan.text[w.char_start:w.char_start + len(w.text)] == w.text
               for w in timeline.words)
    starts = [p.start for p in timeline.phonemes]
    assert starts == sorted(starts) and timeline.phonemes[-1].end <= timeline.duration + 1e-6
    assert all(0 <= p.syllable < len(timeline.syllables) for p in timeline.phonemes
               if p.syllable >= 0)
    assert len(timeline.f0) == len(timeline.energy) == round(timeline.duration / timeline.hop) + 1
    # the same seed gives the same samples; the neutral reading has the same syllables
    assert np.array_equal(tts.speak(plan, seed=1).audio, speech.audio)
    assert len(tts.neutral(plan.text, seed=1).timeline.syllables) == len(timeline.syllables)
