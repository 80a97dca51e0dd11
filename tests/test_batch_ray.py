"""Batch rendering on Ray: a worker killed mid-line, the same takes as the local engine."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: (id, text, emotion); "dots" passes the script reader but has nothing to say: the worker
#: reports it (InputError), once, and it is not retried.
LINES = [
    ("r1", "Good morning.", "happy"),
    ("r2", "Where were you last night?", "angry"),
    ("dots", "...", "calm"),
    ("r3", "I miss her.", "sad"),
    ("r4", "Fine, [calm] let it go.", "annoyed"),
    ("r5", "Is someone there?", "scared"),
    ("r6", "We won the cup!", "surprised"),
]
GOOD = [i for i, _, _ in LINES if i != "dots"]
#: Files that hold wall-clock times (the critic's timings): everything else must be identical.
CLOCKED = {"critic.json", "report.png", "take.json"}


def _without_clock(entry: dict) -> dict:
    """A manifest entry without its wall-clock figures (render seconds)."""
    entry = {k: v for k, v in entry.items() if k != "timings"}
    if entry.get("verdict"):
        reason = re.sub(r"[\d.]+ s \(", "_ s (", entry["verdict"]["reason"])
        entry["verdict"] = dict(entry["verdict"], reason=reason)
    return entry


def test_engine_ray_is_an_option_with_clear_errors(tmp_path, write_script, monkeypatch, capsys):
    from studio.cli import main

    script = write_script(tmp_path / "script.csv", LINES)
    out = tmp_path / "out"
    assert main(["batch", str(script), "--out", str(out), "--address", "auto"]) == 2
    assert "--engine ray" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    assert main(["batch", str(script), "--out", str(out), "--engine", "ray"]) == 2
    assert "pip install 'emostudio[ray]'" in capsys.readouterr().err
    assert not (out / "r1").exists()


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                    reason="the ray extra is not installed (pip install 'emostudio[ray]')")
def test_ray_batch_survives_a_killed_worker_and_matches_the_local_engine(tmp_path, write_script,
                                                                         capsys):
    from studio.batch import PARTIAL_DIR, RenderOptions, run_batch
    from studio.batch_ray import RayEngine

    engine = RayEngine(jobs=2)  # (imports Ray, set up for a cluster on 127.0.0.1)
    import ray

    script = write_script(tmp_path / "script.csv", LINES)

    # the reference: the local engine, in another process
    local = tmp_path / "local"
    done = subprocess.run(
        [sys.executable, "-m", "studio.cli", "batch", str(script), "--out", str(local),
         "--preview", "none", "--no-progress"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr  # 2: only bad input failed
    expected = json.loads((local / "manifest.json").read_text())

    # a line already rendered is kept (resume), the rest rendered by two Ray actors, one of
    # them killed mid-line once the first line is in
    out = tmp_path / "ray"
    out.mkdir()
    shutil.copytree(local / "r1", out / "r1")
    stamp = (out / "r1" / "take.wav").stat().st_mtime_ns
    killed: dict[str, object] = {}

    def kill_a_busy_worker(entry: dict) -> None:
        if killed:
            return
        killed["nodes"] = {node["NodeManagerAddress"] for node in ray.nodes()}
        busy = engine.rendering()  # worker pid -> index of its line
        assert busy, "no worker is rendering"
        pid = max(busy)
        killed["pid"], killed["line"] = pid, LINES[busy[pid]][0]
        os.kill(pid, signal.SIGKILL)

    rendered: list[dict] = []
    manifest = run_batch(script, out, options=RenderOptions(preview="none"), progress=False,
                         engine=engine, on_entry=lambda e: (rendered.append(e),
                                                            kill_a_busy_worker(e)))
    err = capsys.readouterr().err
    print(f"killed worker {killed['pid']} rendering line {killed['line']!r}; "
          f"lines rendered again: {engine.retried}")

    assert killed["nodes"] == {"127.0.0.1"}
    with pytest.raises(ProcessLookupError):
        os.kill(killed["pid"], 0)  # the worker is gone
    # one retry: the killed line (or, had it just finished, the next line sent to that worker)
    assert len(engine.retried) == 1 and engine.retried[0] in set(GOOD) - {"r1"}
    assert "died; rendering it again" in err

    # every line once, in script order; the kept line untouched; the bad one reported once
    assert [e["id"] for e in manifest] == [i for i, _, _ in LINES]
    assert sorted(e["id"] for e in rendered) == sorted(i for i, _, _ in LINES if i != "r1")
    assert (out / "r1" / "take.wav").stat().st_mtime_ns == stamp
    assert err.count("line 'dots' failed") == 1 and "dots" not in engine.retried
    dots = manifest[2]
    assert dots["status"] == "error" and dots["bad_input"] and "nothing to say" in dots["error"]
    assert all(e["status"] == "done" for e in manifest if e["id"] != "dots")
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert not (out / PARTIAL_DIR).exists()
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        sorted(GOOD + ["manifest.json"])

    # the same takes as the local engine: same manifest but for the clock, same bytes
    for got, want in zip(manifest, expected):
        assert _without_clock(got) == _without_clock(want), got["id"]
    for entry in manifest:
        for name in entry["files"]:
            if Path(name).name not in CLOCKED:
                assert (out / name).read_bytes() == (local / name).read_bytes(), name
