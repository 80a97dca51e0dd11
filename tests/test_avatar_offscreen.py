"""synth.avatar.offscreen: pyrender without its on-screen viewer still renders the avatar."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import os, sys
os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
from synth.avatar.offscreen import pyrender
from synth.avatar.render import Renderer
try:
    renderer = Renderer(camera="head", size=64)
except Exception as exc:
    print("NO-GL", exc)
    raise SystemExit(0)
with renderer:
    frame = renderer.render()
try:
    pyrender.Viewer(None)
    viewer = "opened"
except RuntimeError:
    viewer = "refused"
loaded = sorted({"pyglet.window", "tkinter"} & set(sys.modules))
print(frame.shape, int(frame.std() > 5), viewer, loaded)
"""


def test_renders_without_loading_the_viewer():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         check=True).stdout.strip()
    if out.startswith("NO-GL"):
        import pytest

        pytest.skip(f"offscreen OpenGL (OSMesa) unavailable: {out}")
    assert out == "(64, 64, 3) 1 refused []"
