"""Head-and-shoulders portraits of characters, for the web UI's character picker.

A character's portrait is rendered from the head camera with its resting expression
(:func:`render_portrait`) and written as a 256-colour PNG of a few tens of KB
(:func:`write_portrait`). ``python -m studio.portraits`` renders the built-in cast's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from controllers.character import Character
from synth.contracts import ARKIT_NAMES

#: Pixels per side of a portrait.
PORTRAIT_SIZE = 256


def resting_weights(character: Character) -> np.ndarray:
    """(52,) float32 ARKit weights of the character's resting expression (unknown names skipped:
    :func:`synth.face.animate_face` is where they are refused)."""
    w = np.zeros(len(ARKIT_NAMES), np.float32)
    for name, value in character.performance.resting_expression:
        if name in ARKIT_NAMES:
            w[ARKIT_NAMES.index(name)] = float(value)
    return w


def render_portrait(character: Character, size: int = PORTRAIT_SIZE) -> np.ndarray:
    """(size, size, 3) uint8 RGB head-and-shoulders image of ``character`` at rest."""
    from synth.avatar.mesh import Avatar
    from synth.avatar.render import CameraView, Renderer

    avatar = Avatar.load(character.avatar)
    with Renderer(avatar=avatar, size=size, camera="head") as renderer:
        head = renderer.views["head"]
        x, y, z = head.look_at
        # a little wider than the critic's head camera: the hair and the shoulders show
        renderer.views["portrait"] = CameraView("portrait", (x, y + 0.005, z), height=0.45,
                                                yfov_deg=head.yfov_deg)
        return renderer.render(avatar.apply_face(resting_weights(character)), camera="portrait")


def write_portrait(character: Character, path: str | Path, size: int = PORTRAIT_SIZE) -> Path:
    """Render ``character``'s portrait and write it as an adaptive-palette PNG, atomically."""
    from PIL import Image

    from synth.atomic import atomic_path

    image = Image.fromarray(render_portrait(character, size))
    image = image.quantize(256, dither=Image.Dither.NONE)
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG", optimize=True)
    return Path(path)
