"""``emostudio gesture``: a recording (+ its timeline or transcript) and an emotion -> body files.

``emostudio gesture --audio TAKE.wav [--timeline TAKE.timeline.json | --text TEXT]
--emotion DESCRIPTION --out DIR [--formats bvh,glb,mp4]``

Writes ``body.bvh`` (centimetres, Y up, the rig's rest pose in the hierarchy's OFFSETs),
``body.glb`` (the skinned avatar with the skeleton animation, plus the face's morph animation)
and ``body.mp4`` (full-body preview with the audio, face animation included). With neither a
timeline nor a transcript, the audio alone is aligned (the same reading as ``emostudio face``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# The recording, timeline and emotion are read as `emostudio face` reads them: one take, one plan.
from studio.cli.inputs import (SEED_HELP, add_character_argument, add_recording_arguments,
                               character_of, float_in, parse_formats, read_recording,
                               report_written, seed_arg)

#: Every format ``--formats`` accepts, in the order they are written.
FORMATS: tuple[str, ...] = ("bvh", "glb", "mp4")


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "gesture", help="co-speech body animation for a recording: BVH, GLB, MP4 preview",
        description="Animate the avatar's body (co-speech gestures, posture, idle motion) for a "
                    "recording: body.bvh, body.glb, body.mp4. With neither --timeline nor "
                    "--text, the audio alone drives it.")
    add_recording_arguments(p, text_help="transcript of the recording (aligned to the audio)")
    p.add_argument("--formats", default=",".join(FORMATS),
                   help=f"comma-separated subset of {','.join(FORMATS)} (default: all)")
    p.add_argument("--seed", type=seed_arg, default=0, help=SEED_HELP)
    p.add_argument("--fps", type=float_in(1.0, 240.0), default=30.0, help="animation frame rate (default 30)")
    add_character_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    from controllers.errors import InputError
    from studio.export.bvh import write_bvh
    from synth.face import animate_face
    from synth.gesture import animate_body

    from synth.atomic import check_output

    formats = parse_formats(args.formats, FORMATS)
    if not 1.0 <= args.fps <= 240.0:  # (the argument type checks the CLI; this, direct callers)
        raise InputError(f"--fps {args.fps}: give a frame rate in [1, 240]")
    out = check_output(args.out, "folder")
    character = character_of(args)
    started = time.perf_counter()
    take = read_recording(args)
    # The GLB and the preview carry the face too; the BVH is skeleton only.
    face = (animate_face(take.timeline, take.plan, seed=args.seed, character=character)
            if {"glb", "mp4"} & set(formats) else None)
    body = animate_body(take.timeline, take.plan, seed=args.seed, fps=args.fps, text=args.text,
                        face=face, character=character)

    written: dict[str, Path] = {}
    if "bvh" in formats:
        written["bvh"] = write_bvh(body, out / "body.bvh")
    if "glb" in formats:
        from studio.export.gltf import write_body_glb

        written["glb"] = Path(write_body_glb(body, out / "body.glb", face=face,
                                             character=character))
    if "mp4" in formats:
        from synth.avatar.video import write_animation_video

        written["mp4"] = Path(write_animation_video(
            out / "body.mp4", face=face, body=body, camera="body", fps=body.fps,
            audio=take.audio, sample_rate=take.rate, progress=sys.stderr.isatty(),
            character=character))
    report_written(out, take, body.frames, body.fps, written, started)
    return 0
