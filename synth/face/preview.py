"""``face.mp4``: the frontal head-and-shoulders preview of a face animation, audio muxed.

A thin layer over the avatar: ``synth.avatar.render.Renderer.render_animation`` poses and renders
the head camera (blendshapes, head rotation through the neck and head joints), and
``synth.avatar.video.write_animation_video`` renders and encodes the MP4 atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from controllers.character import Character
from synth.contracts import FaceAnimation


def render_face_clip(anim: FaceAnimation, fps: float = 30.0, size: int = 512,
                     duration: float | None = None, progress: bool = False,
                     character: Character | None = None):
    """Head-camera frames of ``anim`` at ``fps``: a ``synth.avatar.render.RenderedClip``
    (``frames`` (n, size, size, 3) uint8 RGB, ``fps``, ``face_boxes`` (n, 4) pixel boxes), on
    ``character``'s avatar (None: the default)."""
    from synth.avatar.render import Renderer

    with Renderer(size=size, camera="head", character=character) as renderer:
        return renderer.render_animation(face=anim, fps=fps, camera="head", duration=duration,
                                         progress=progress)


def write_face_video(anim: FaceAnimation, path: str | Path, audio: np.ndarray | None = None,
                     sample_rate: int | None = None, fps: float = 30.0, size: int = 512,
                     progress: bool = True, character: Character | None = None) -> Path:
    """Render the head-camera preview of ``anim`` and write it as MP4 with ``audio`` muxed.

    ``audio`` (samples,) float32 mono at ``sample_rate`` Hz, or None for a silent video; the
    video lasts as long as the audio when given. ``character``: whose avatar (None: the
    default). Written atomically; returns the path.
    """
    from synth.avatar.video import write_animation_video

    return Path(write_animation_video(path, face=anim, camera="head", fps=fps, size=size,
                                      audio=audio, sample_rate=sample_rate, progress=progress,
                                      character=character))
