"""``emostudio face``: a recording (+ its timeline or transcript) and an emotion -> face files.

``emostudio face --audio TAKE.wav [--timeline TAKE.timeline.json | --text TEXT]
--emotion DESCRIPTION --out DIR [--formats arkit,llf,a2f,visemes,rhubarb,glb,mp4]``

With a timeline, its timing drives the face; with a transcript, the audio is aligned to it;
with neither, the audio alone drives it (recognised by pocketsphinx, or energy-based).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from studio.cli.inputs import (SEED_HELP, add_character_argument, add_recording_arguments,
                                character_of, float_in, parse_formats, read_recording,
                                report_written, seed_arg)

#: Every format ``--formats`` accepts, in the order they are written.
FORMATS: tuple[str, ...] = ("arkit", "llf", "a2f", "visemes", "rhubarb", "glb", "mp4", "vrm")
#: What ``--formats`` writes when it is not given (CLI.md's list; ``vrm`` on request).
DEFAULT_FORMATS: tuple[str, ...] = FORMATS[:7]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "face", help="animate the talking head for a recording: ARKit curves, visemes, exports",
        description="Animate the avatar's face for a recording: face.arkit.json, face.llf.csv, "
                    "face.a2f.json, visemes.json, mouth.rhubarb.json (+ .tsv), face.glb, "
                    "face.mp4. With neither --timeline nor --text, the audio alone drives it.")
    add_recording_arguments(p, text_help="transcript of the recording (aligned with pocketsphinx)")
    p.add_argument("--formats", default=",".join(DEFAULT_FORMATS),
                   help=f"comma-separated subset of {','.join(FORMATS)} "
                        f"(default: {','.join(DEFAULT_FORMATS)}; vrm = VRM 1.0 expression curves)")
    p.add_argument("--seed", type=seed_arg, default=0, help=SEED_HELP)
    p.add_argument("--fps", type=float_in(1.0, 240.0), default=60.0, help="curve frame rate (default 60)")
    add_character_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    from controllers.errors import InputError
    from studio.export import face_exports
    from synth.face import animate_face

    from synth.atomic import check_output

    formats = parse_formats(args.formats, FORMATS)
    if not 1.0 <= args.fps <= 240.0:  # (the argument type checks the CLI; this, direct callers)
        raise InputError(f"--fps {args.fps}: give a frame rate in [1, 240]")
    out = check_output(args.out, "folder")
    character = character_of(args)
    started = time.perf_counter()
    take = read_recording(args)
    anim = animate_face(take.timeline, take.plan, seed=args.seed, fps=args.fps,
                        character=character)
    written = face_exports(anim, take.timeline, out,
                           [f for f in formats if f not in ("glb", "mp4")],
                           sound_file=str(Path(args.audio).name))
    if "glb" in formats:
        from studio.export.gltf import write_face_glb

        written["glb"] = Path(write_face_glb(anim, out / "face.glb", character=character))
    if "mp4" in formats:
        from synth.face.preview import write_face_video

        written["mp4"] = write_face_video(anim, out / "face.mp4", audio=take.audio,
                                          sample_rate=take.rate, character=character)
    report_written(out, take, anim.frames, anim.fps, written, started)
    return 0
