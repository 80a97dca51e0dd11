"""Exports for game and avatar pipelines (formats: ../shared/docs/FORMATS.md).

Each format is one module with a ``write_*`` function (atomic) and, where useful, a ``read_*``
that loads it back. Importing this package is cheap: modules that need heavy libraries
(``gltf``) import them inside their functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synth.contracts import FaceAnimation, Timeline

#: The face exports that need no rendering: format name -> file name.
FACE_FILES: dict[str, str] = {
    "arkit": "face.arkit.json",
    "llf": "face.llf.csv",
    "a2f": "face.a2f.json",
    "visemes": "visemes.json",
    "rhubarb": "mouth.rhubarb.json",
    "vrm": "face.vrm.json",
}


def face_exports(anim: FaceAnimation, timeline: Timeline, out_dir: str | Path,
                 formats: tuple[str, ...] | list[str] = tuple(FACE_FILES),
                 sound_file: str | None = None) -> dict[str, Path]:
    """Write the non-video face exports asked for into ``out_dir``.

    Returns ``{format: path}`` (the Rhubarb TSV appears as ``"rhubarb_tsv"``). Unknown format
    names raise :class:`controllers.errors.InputError`.
    """
    from controllers.errors import InputError

    unknown = [f for f in formats if f not in FACE_FILES]
    if unknown:
        raise InputError(f"unknown face export format(s) {', '.join(unknown)}; "
                         f"accepted: {', '.join(FACE_FILES)}")
    out = Path(out_dir)
    written: dict[str, Path] = {}
    if "arkit" in formats:
        from studio.export.arkit import write_arkit
        written["arkit"] = write_arkit(anim, out / FACE_FILES["arkit"])
    if "llf" in formats:
        from studio.export.llf import write_llf
        written["llf"] = write_llf(anim, out / FACE_FILES["llf"])
    if "a2f" in formats:
        from studio.export.a2f import write_a2f
        written["a2f"] = write_a2f(anim, out / FACE_FILES["a2f"])
    if "visemes" in formats:
        from studio.export.visemes import write_visemes
        written["visemes"] = write_visemes(anim, out / FACE_FILES["visemes"])
    if "rhubarb" in formats:
        from studio.export.rhubarb import write_rhubarb
        json_path, tsv_path = write_rhubarb(timeline, out / FACE_FILES["rhubarb"], sound_file)
        written["rhubarb"], written["rhubarb_tsv"] = json_path, tsv_path
    if "vrm" in formats:
        from studio.export.vrm import write_vrm
        written["vrm"] = write_vrm(anim, out / FACE_FILES["vrm"])
    return written
