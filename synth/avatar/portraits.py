"""Head-and-shoulders portraits of the cast, for the web UI's character picker.

``python -m synth.avatar.portraits [--out DIR] [--size PX] [NAME ...]`` renders each built-in
character (or the named ones) from the head camera with its resting expression and writes
``DIR/NAME.png`` (default ``assets/cast/portraits/``; 256 px, a 256-colour PNG of a few tens of
KB). The files are committed; run it again after changing a character's ``avatar:`` or
``performance:`` section.
"""

from __future__ import annotations

import argparse
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


def portraits_dir() -> Path:
    """Where the built-in cast's portraits live (``assets/cast/portraits``)."""
    from controllers.cast import cast_dir

    return cast_dir() / "portraits"


def main(argv: list[str] | None = None) -> int:
    from controllers.cast import builtin_cast, load_character

    parser = argparse.ArgumentParser(prog="python -m synth.avatar.portraits",
                                     description="Render the cast's portraits.")
    parser.add_argument("names", nargs="*", help="characters (default: the whole built-in cast)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder (default: assets/cast/portraits)")
    parser.add_argument("--size", type=int, default=PORTRAIT_SIZE, help="pixels per side")
    args = parser.parse_args(argv)
    out = args.out or portraits_dir()
    out.mkdir(parents=True, exist_ok=True)
    cast = [load_character(n) for n in args.names] if args.names else builtin_cast()
    for character in cast:
        path = write_portrait(character, out / f"{character.name}.png", args.size)
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
