"""Start-up: ``emostudio speak`` imports none of the heavy packages it does not need (torch,
diffusers, scipy.stats, scipy.ndimage, and onnx once the patched piper graph is cached), the cached (patched and
optimised) graph gives the same take to the bit as the one patched in memory, and a damaged cache
entry is rebuilt; ``emostudio render --preview none`` draws its report without matplotlib and
renders the critic's frames without tqdm."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "diffusers", "scipy.stats", "scipy.ndimage", "onnx")

SPEAK = textwrap.dedent("""
    import runpy, sys
    sys.argv = ["emostudio", "speak", "--text", "Yes.", "--emotion", "happy", "--out", sys.argv[1]]
    try:
        runpy.run_module("studio.cli", run_name="__main__")
    except SystemExit as exc:
        assert not exc.code, exc.code
    print("heavy:", sorted(m for m in %r if m in sys.modules))
""" % (HEAVY,))


RENDER = textwrap.dedent("""
    import runpy, sys
    sys.argv = ["emostudio", "render", "--text", "Yes.", "--emotion", "happy", "--preview", "none",
                "--out", sys.argv[1]]
    try:
        runpy.run_module("studio.cli", run_name="__main__")
    except SystemExit as exc:
        assert not exc.code, exc.code
    print("loaded:", sorted(m for m in ("matplotlib", "tqdm") if m in sys.modules))
""")


def _speak(out: Path, cache: Path) -> str:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", SPEAK, str(out)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_speak_loads_the_cached_graph_without_heavy_imports(tmp_path):
    first = _speak(tmp_path / "first.wav", tmp_path / "cache")
    assert "'onnx'" in first, first  # the first run patches the graph with onnx
    cached = list((tmp_path / "cache" / "emostudio").iterdir())  # one entry, no temporaries
    assert len(cached) == 1 and cached[0].name.startswith("piper-"), cached
    assert cached[0].stat().st_size > 1_000_000
    second = _speak(tmp_path / "second.wav", tmp_path / "cache")
    assert second == "heavy: []", second
    assert (tmp_path / "first.wav").read_bytes() == (tmp_path / "second.wav").read_bytes()


def test_damaged_cache_entry_is_rebuilt(tmp_path, monkeypatch):
    import onnxruntime

    from synth.tts.voice import _patched_cache_path, _patched_session, default_voice_paths

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    model_path = default_voice_paths()[0]
    entry = _patched_cache_path(model_path)
    assert entry.parent == tmp_path / "emostudio"
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"not an onnx graph")
    session, channels = _patched_session(model_path, onnxruntime.SessionOptions())
    assert channels == 192 and {"dur_scale", "noise_w", "noise_z"} <= {
        i.name for i in session.get_inputs()}
    assert entry.stat().st_size > 1_000_000  # rewritten
    again, _ = _patched_session(model_path, onnxruntime.SessionOptions())
    assert [i.name for i in again.get_inputs()] == [i.name for i in session.get_inputs()]


def test_render_without_preview_imports_neither_matplotlib_nor_tqdm(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", RENDER, str(tmp_path / "take")], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "loaded: []"
    with open(tmp_path / "take" / "report.png", "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"


FREEZE = textwrap.dedent("""
    import gc, io, sys, contextlib
    from studio.cli import main
    with contextlib.redirect_stdout(io.StringIO()):
        if sys.argv[1] == "own":
            sys.argv = ["emostudio", "characters"]
            status = main()
        else:
            status = main(["characters"])
    print(status, gc.get_freeze_count() > 0)
""")


def test_the_process_command_line_skips_the_exit_collections():
    """``main()`` on the process's own command line leaves the live objects to be freed at exit
    without garbage collections; ``main(argv)`` (a caller's process goes on) leaves gc alone."""
    for mode, frozen in (("own", "True"), ("argv", "False")):
        result = subprocess.run([sys.executable, "-c", FREEZE, mode], cwd=REPO,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.split() == ["0", frozen], (mode, result.stdout)
