"""The natural-language controller against prompt sets, read exactly as ../shared/README.md says.

Dev set: ../shared/eval/nl_prompts_dev.jsonl (skipped when ../shared is absent). Held-out set:
tests/data/nl_prompts_extra.jsonl, written before the controller was tuned. Each prompt is run
through the CLI in-process (``studio.cli.main``); one real subprocess checks the exit-code contract.

Run ``.venv/bin/python tests/test_nl_prompts.py`` for the pass rates and the failing prompts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from studio.cli import main as cli_main

REPO = Path(__file__).resolve().parent.parent
EXTRA = REPO / "tests" / "data" / "nl_prompts_extra.jsonl"
DEV_NAME = Path("eval") / "nl_prompts_dev.jsonl"
PASS_RATE = 0.9


def run_parse(prompt: str) -> tuple[int, dict | None]:
    """``emostudio parse PROMPT --json`` in-process: (exit status, parsed stdout or None)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(["parse", prompt, "--json"])
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return code, (json.loads(out.getvalue()) if code == 0 else None)


def _sign_ok(rule: str, x: float) -> bool:
    return {
        "pos": x > 0.15, "high": x > 0.15,
        "neg": x < -0.15, "low": x < -0.15,
        "neutral": abs(x) <= 0.25, "mid": abs(x) <= 0.3,
        "neutral_or_neg": x <= 0.15, "neg_or_neutral": x <= 0.15,
        "low_or_mid": x <= 0.3, "high_or_mid": x >= -0.3,
    }[rule]


def check(expect: dict, code: int, out: dict | None) -> list[str]:
    """The keys of ``expect`` that fail (empty list: the prompt passes)."""
    if "error" in expect:
        return [] if code == 2 else [f"error: exit {code}, wanted 2"]
    if code != 0 or out is None:
        return [f"exit {code}"]
    if expect.get("allow_unrecognized") and out["recognized"] is False:
        return []
    failed = []
    if expect.get("unrecognized") and out["recognized"] is not False:
        failed.append("unrecognized")
    if "category" in expect and out["category"] != expect["category"]:
        failed.append(f"category {out['category']} != {expect['category']}")
    if "not_category" in expect and out["category"] == expect["not_category"]:
        failed.append(f"not_category {out['category']}")
    for dim in ("valence", "arousal", "dominance"):
        if dim in expect and not _sign_ok(expect[dim], out[dim]):
            failed.append(f"{dim} {out[dim]:+.3f} not {expect[dim]}")
    if "intensity" in expect:
        ok = out["intensity"] <= 0.5 if expect["intensity"] == "low" else out["intensity"] >= 0.7
        if not ok:
            failed.append(f"intensity {out['intensity']:.3f} not {expect['intensity']}")
    for key, value in expect.get("attributes", {}).items():
        if out["attributes"].get(key) != value:
            failed.append(f"{key} {out['attributes'].get(key)} != {value}")
    for key, value in expect.get("numeric", {}).items():
        if abs(out[key] - value) > 0.05:
            failed.append(f"{key} {out[key]} != {value}")
    if "sequence" in expect:
        seq, segs = expect["sequence"], out["segments"]
        if len(segs) < len(seq) or any(
                s["category"] not in want.split("_or_") for s, want in zip(segs, seq)):
            failed.append(f"sequence {[s['category'] for s in segs]} != {seq}")
    return failed


def evaluate(path: Path) -> tuple[float, list[tuple[str, list[str]]]]:
    """(pass rate, [(prompt, failed keys)] of the failures) of one prompt file."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    failures = []
    for row in rows:
        failed = check(row["expect"], *run_parse(row["prompt"]))
        if failed:
            failures.append((row["prompt"], failed))
    return 1.0 - len(failures) / len(rows), failures


def _report(name: str, rate: float, failures) -> str:
    lines = [f"{name}: pass rate {rate:.1%}"] + [f"  FAIL {p!r}: {f}" for p, f in failures]
    return "\n".join(lines)


def test_dev_prompts_pass_rate(shared_dir):
    rate, failures = evaluate(shared_dir / DEV_NAME)
    print(_report("dev", rate, failures))
    assert rate >= PASS_RATE, _report("dev", rate, failures)


def test_held_out_prompts_pass_rate():
    rate, failures = evaluate(EXTRA)
    print(_report("extra", rate, failures))
    assert rate >= PASS_RATE, _report("extra", rate, failures)


def test_checker_rejects_wrong_readings():
    """The checker itself can fail: a wrong category, sign or sequence is caught."""
    out = {"valence": -0.4, "arousal": 0.5, "dominance": 0.2, "category": "anger",
           "intensity": 0.7, "recognized": True, "attributes": {}, "segments": [{"category": "anger"}]}
    assert check({"category": "anger", "valence": "neg"}, 0, out) == []
    assert check({"category": "fear"}, 0, out)
    assert check({"valence": "pos"}, 0, out)
    assert check({"sequence": ["anger", "sadness"]}, 0, out)
    assert check({"error": "empty"}, 0, out)
    assert check({"error": "empty"}, 2, None) == []


def test_cli_exit_codes_in_a_real_process():
    """The installed console script keeps the contract: JSON and 0, or one stderr line and 2."""
    exe = REPO / ".venv" / "bin" / "emostudio"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "studio.cli"]
    ok = subprocess.run(cmd + ["parse", "very happy", "--json"], capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0, ok.stderr
    out = json.loads(ok.stdout)
    assert out["category"] == "happiness" and out["recognized"] is True
    assert set(out["attributes"]) == {"pitch_level", "pitch_variation", "loudness", "rate",
                                      "voice_quality"}
    bad = subprocess.run(cmd + ["parse", "valence 3", "--json"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "[-1, 1]" in bad.stderr
    assert "Traceback" not in bad.stderr


def _cli_text(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli_main(argv)
    return code, out.getvalue()


def test_readable_output_and_auto_mode():
    code, text = _cli_text(["parse", "joyful at first, then sad"])
    assert code == 0 and "1. happiness" in text and "2. sadness" in text and "'joyful'" in text
    code, text = _cli_text(["parse", "asdf qwerty"])
    assert code == 0 and text.startswith("not recognised")
    code, text = _cli_text(["parse", "--auto", "I hate you, you ruined everything!", "--json"])
    assert code == 0 and json.loads(text)["valence"] < -0.15
    assert _cli_text(["parse", "--script", "x.txt", "angry"])[0] == 2  # one or the other


if __name__ == "__main__":
    shared = Path(os.environ.get("EMOSTUDIO_SHARED", REPO.parent / "shared"))
    for name, path in (("dev", shared / DEV_NAME), ("extra", EXTRA)):
        if path.exists():
            print(_report(name, *evaluate(path)))
