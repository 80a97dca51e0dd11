"""pyrender for offscreen rendering: imported without its interactive viewer.

pyrender's package ``__init__`` imports its on-screen ``Viewer``, which loads pyglet's window
system and tkinter (0.3-0.45 s of each render's start-up on a 2-core machine), though the studio
renders offscreen only (OSMesa, ``pyrender.OffscreenRenderer``). Importing only the submodules
used does not help: importing any of them runs the package ``__init__``. Use::

    from synth.avatar.offscreen import pyrender

(the package itself; when this is its first import, ``pyrender.Viewer`` is a stand-in that
raises, and everything else, offscreen rendering included, is pyrender's own).
"""

from __future__ import annotations

import sys
import types


class _NoViewer:
    """Stands in for ``pyrender.Viewer``: the studio renders offscreen only."""

    def __init__(self, *args, **kwargs) -> None:
        raise RuntimeError("pyrender's interactive Viewer is not loaded by the studio "
                           "(synth.avatar.offscreen); import pyrender.viewer before pyrender "
                           "to use it")


def _viewer_stand_in() -> types.ModuleType:
    """A module standing in for ``pyrender.viewer``: its ``Viewer`` raises."""
    module = types.ModuleType("pyrender.viewer", _NoViewer.__doc__)
    module.Viewer = _NoViewer
    return module


# Only where pyrender is not imported yet (then it is pyrender's own, viewer and all).
if "pyrender" not in sys.modules and "pyrender.viewer" not in sys.modules:
    sys.modules["pyrender.viewer"] = _viewer_stand_in()

import pyrender  # noqa: E402  (after the stand-in)

__all__ = ["pyrender"]
