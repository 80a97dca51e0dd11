"""``emostudio speak`` as ../shared/docs/CLI.md specifies it."""

from __future__ import annotations

import json
import subprocess
import sys

import soundfile as sf

from studio.cli import main
from synth.contracts import Timeline


def test_speak_writes_wav_and_timeline(tmp_path):
    out = tmp_path / "take.wav"
    code = main(["speak", "--text", "The train leaves at half past nine.",
                 "--emotion", "very happy", "--out", str(out), "--seed", "3",
                 "--prosody", "rules"])
    assert code == 0
    audio, rate = sf.read(out)
    timeline = Timeline.load(tmp_path / "take.timeline.json")
    assert rate == 22050 and abs(timeline.duration - len(audio) / rate) < 1e-3
    assert [w.text for w in timeline.words][:2] == ["The", "train"]
    raw = json.loads((tmp_path / "take.timeline.json").read_text())
    assert {"phonemes", "words", "syllables", "f0", "energy", "hop"} <= set(raw)
    assert len(raw["f0"]) == len(raw["energy"]) > 0
    # nothing else is left in the folder (no temporary files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take.timeline.json", "take.wav"]


def test_speak_bad_input_exits_2(tmp_path):
    cmd = [sys.executable, "-m", "studio.cli", "speak", "--text", "", "--emotion", "sad",
           "--out", str(tmp_path / "x.wav")]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 2
    assert "text" in result.stderr and "Traceback" not in result.stderr
    assert main(["speak", "--text", "hi", "--out", str(tmp_path / "x.mp3")]) == 2
    assert not list(tmp_path.iterdir())
