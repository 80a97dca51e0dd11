"""Batch rendering: interrupted half-way (Ctrl-C, then SIGKILL) and resumed, a bad line, ids."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from controllers.errors import InputError

REPO = Path(__file__).resolve().parent.parent

#: (id, text, emotion); line "bad" is bad input (no text to perform).
LINES = [
    ("l01", "Good morning.", "happy"),
    ("l02", "Where were you?", "angry"),
    ("bad", "", "happy"),
    ("l03", "I miss her.", "sad"),
    ("l04", "Fine, [calm] let it go.", "annoyed"),
    # enough lines that a Ctrl-C after the first one still finds some not started
    ("l05", "We leave at dawn.", "scared"),
    ("l06", "Nobody told me.", "disgusted"),
    ("l07", "Thank you, truly.", "calm"),
]
GOOD = [i for i, text, _ in LINES if text]


def _start_batch(script: Path, out: Path, jobs: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "studio.cli", "batch", str(script), "--out", str(out),
         "--jobs", str(jobs), "--preview", "none", "--no-progress"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group: signals reach it and its workers
        # Ctrl-C as at a terminal, even when the tests run in the background of a shell (which
        # leaves SIGINT ignored, and an ignored signal stays ignored across exec)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _done_ids(out: Path) -> set[str]:
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return set()
    return {e["id"] for e in manifest if e["status"] == "done"}


def _wait_for_done(proc: subprocess.Popen, out: Path, count: int, timeout: float = 150) -> None:
    deadline = time.monotonic() + timeout
    while len(_done_ids(out)) < count:
        if proc.poll() is not None:
            pytest.fail(f"batch ended early ({proc.returncode}): {proc.stderr.read()}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"batch did not finish {count} lines in {timeout} s")
        time.sleep(0.1)


def _assert_no_partial_files(out: Path) -> None:
    """Every line folder is absent or a complete take; no temporary file anywhere."""
    from studio.take import read_summary

    for entry in out.iterdir():
        if entry.is_dir() and not entry.name.startswith("."):
            assert read_summary(entry) is not None, f"{entry.name} is incomplete"
    leftovers = [p for p in out.rglob("*") if ".tmp" in p.name]
    assert not leftovers, leftovers


def test_batch_survives_ctrl_c_and_kill_then_resumes_without_rerendering(tmp_path, write_script):
    from studio.batch import PARTIAL_DIR, RenderOptions, run_batch

    script = write_script(tmp_path / "script.csv", LINES)
    out = tmp_path / "out"

    # 1. two workers, Ctrl-C (SIGINT to the process group) once a line is done
    proc = _start_batch(script, out, jobs=2)
    _wait_for_done(proc, out, 1)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not (out / PARTIAL_DIR).exists()
    _assert_no_partial_files(out)
    after_ctrl_c = _done_ids(out)

    # 2. resumed by the same command, then killed outright (SIGKILL, no clean-up at all)
    proc = _start_batch(script, out, jobs=1)
    _wait_for_done(proc, out, len(after_ctrl_c) + 1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    _assert_no_partial_files(out)
    finished = _done_ids(out)
    assert after_ctrl_c < finished < set(GOOD)
    stamps = {i: (out / i / "take.wav").stat().st_mtime_ns for i in finished}

    # 3. resumed again: only the missing lines are rendered; the bad one is reported, not fatal;
    # a manifest rewrite that a SIGKILL cut short (its temporary file) is cleared away
    (out / ".manifest.k1lled00.tmp.json").write_text("[")
    rendered: list[dict] = []
    manifest = run_batch(script, out, jobs=1, options=RenderOptions(preview="none"),
                         progress=False, on_entry=rendered.append)
    assert [e["id"] for e in manifest] == [i for i, _, _ in LINES]
    assert {e["id"] for e in rendered} == set(GOOD) - finished
    assert all(e["status"] == "done" for e in manifest if e["id"] != "bad")
    bad = manifest[2]
    assert bad["status"] == "error" and "empty" in bad["error"] and bad["files"] == []
    assert not (out / "bad").exists()
    for i, stamp in stamps.items():
        assert (out / i / "take.wav").stat().st_mtime_ns == stamp, f"{i} was rendered again"
    assert json.loads((out / "manifest.json").read_text()) == manifest
    for entry in (e for e in manifest if e["id"] != "bad"):
        assert entry["duration"] > 0.3 and entry["target"]["category"]
        assert entry["verdict"]["success"] in (True, False) and entry["error"] is None
        for name in entry["files"]:
            assert (out / name).stat().st_size > 0
    assert not (out / PARTIAL_DIR).exists()
    _assert_no_partial_files(out)

    # 4. a fourth run has nothing left to render
    rendered.clear()
    assert run_batch(script, out, jobs=1, options=RenderOptions(preview="none"), progress=False,
                     on_entry=rendered.append) == manifest
    assert rendered == []


def test_bad_lines_are_reported_and_skipped_without_rendering(tmp_path, capsys):
    from studio.batch import RenderOptions, run_batch

    script = tmp_path / "bad.csv"
    script.write_text("id,text,emotion\n../escape,Hello.,happy\nx,,happy\nx,Hi again.,happy\n")
    rendered: list[dict] = []
    manifest = run_batch(script, tmp_path / "out", options=RenderOptions(preview="none"),
                         progress=False, on_entry=rendered.append)
    assert [e["status"] for e in manifest] == ["error", "error", "error"]
    assert [e["id"] for e in manifest] == ["../escape", "x", "x"]
    assert "id" in manifest[0]["error"] and "empty" in manifest[1]["error"]
    assert "twice" in manifest[2]["error"] and not rendered
    err = capsys.readouterr().err
    assert "../escape" in err and "empty" in err
    assert not (tmp_path / "escape").exists()
    assert json.loads((tmp_path / "out" / "manifest.json").read_text()) == manifest


def test_two_batches_cannot_write_the_same_folder(tmp_path, write_script):
    from studio.batch import _exclusive, run_batch

    script = write_script(tmp_path / "script.csv", LINES)
    with _exclusive(tmp_path / "out"):
        with pytest.raises(InputError, match="another batch"):
            run_batch(script, tmp_path / "out")


# -- --jobs: capped at what the machine holds ---------------------------------------------------

def test_jobs_beyond_the_machine_are_refused_with_the_cap_and_why(tmp_path, write_script,
                                                                  capsys):
    from studio.batch_jobs import WORKER_BYTES, Capacity, check_jobs, machine_capacity
    from studio.cli import main

    capacity = machine_capacity()
    assert capacity.cpus >= 1 and 1 <= capacity.max_jobs <= capacity.cpus
    small = Capacity(cpus=8, available_bytes=3 * WORKER_BYTES + 1)
    assert check_jobs(3, small) == 3
    with pytest.raises(InputError, match=r"at most 3 workers \(8 CPUs, 3.9 GB of memory"):
        check_jobs(4, small)
    with pytest.raises(InputError, match=r"at most 2 workers \(2 CPUs\)"):
        check_jobs(5, Capacity(cpus=2, available_bytes=None))
    script = write_script(tmp_path / "script.csv", LINES)
    too_many = capacity.max_jobs + 1
    assert main(["batch", str(script), "--out", str(tmp_path / "out"), "--jobs",
                 str(too_many)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"at most {capacity.max_jobs} workers" in err
    assert not (tmp_path / "out").exists()


# -- no import circles through the batch and the script readers ----------------------------------

def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, anywhere in the file (functions included)."""
    import ast

    files = {".".join(p.relative_to(REPO).with_suffix("").parts): p
             for top in ("controllers", "synth", "studio")
             for p in (REPO / top).rglob("*.py")}
    modules = {m.removesuffix(".__init__") for m in files}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        module = name.removesuffix(".__init__")
        edges = graph.setdefault(module, set())
        package = module if name.endswith("__init__") else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                    + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            else:
                continue
            edges.update(t for t in targets if t in modules and t != module)
    return graph


def test_batch_and_script_modules_are_in_no_import_circle():
    graph = _import_graph()
    ours = [m for m in graph if m.startswith(("studio.batch", "controllers.dialogue"))
            or m in ("controllers.script", "controllers.cast", "studio.cli.batch",
                     "studio.cli.parse")]
    assert {"studio.batch", "studio.batch_line", "studio.batch_local", "studio.batch_ray",
            "controllers.dialogue.yarn"} <= set(ours)
    for start in ours:  # a path from a module back to itself is a circle
        stack, seen = list(graph[start]), set()
        while stack:
            module = stack.pop()
            assert module != start, f"{start} imports itself back through {sorted(seen)}"
            if module not in seen:
                seen.add(module)
                stack.extend(graph.get(module, ()))
