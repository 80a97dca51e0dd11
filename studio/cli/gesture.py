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

#: Every format ``--formats`` accepts, in the order they are written.
FORMATS: tuple[str, ...] = ("bvh", "glb", "mp4")


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "gesture", help="co-speech body animation for a recording: BVH, GLB, MP4 preview",
        description="Animate the avatar's body (co-speech gestures, posture, idle motion) for a "
                    "recording: body.bvh, body.glb, body.mp4. With neither --timeline nor "
                    "--text, the audio alone drives it.")
    p.add_argument("--audio", required=True, metavar="TAKE.wav", help="the speech recording")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--timeline", metavar="TAKE.timeline.json",
                        help="the timeline `emostudio speak` wrote beside the audio")
    source.add_argument("--text", help="transcript of the recording (aligned to the audio)")
    p.add_argument("--emotion", default="", help="emotion description (default: neutral)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--formats", default=",".join(FORMATS),
                   help=f"comma-separated subset of {','.join(FORMATS)} (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the gesture variation")
    p.add_argument("--fps", type=float, default=30.0, help="animation frame rate (default 30)")
    return p


def parse_formats(text: str) -> list[str]:
    """``"bvh,glb"`` -> ``["bvh", "glb"]``; unknown names raise InputError."""
    from controllers.errors import InputError

    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown or not asked:
        raise InputError(f"--formats {text!r}: unknown {', '.join(unknown) or 'empty list'}; "
                         f"accepted: {','.join(FORMATS)}")
    return [f for f in FORMATS if f in asked]


def _face_animation(timeline, plan, seed: int):
    """The face animation for the preview and the GLB, or None when the face part is absent."""
    try:
        from synth.face import animate_face
    except ImportError:
        return None
    return animate_face(timeline, plan, seed=seed)


def run(args: argparse.Namespace) -> int:
    from controllers.errors import InputError
    # The recording, timeline and emotion are read exactly as `emostudio face` reads them.
    from studio.cli.face import load_timeline, read_audio, resolve_plan
    from studio.export.bvh import write_bvh
    from synth.gesture import animate_body

    formats = parse_formats(args.formats)
    if not 1.0 <= args.fps <= 240.0:
        raise InputError(f"--fps {args.fps}: give a frame rate in [1, 240]")
    audio, rate = read_audio(args.audio)
    out = Path(args.out)
    started = time.perf_counter()
    timeline = load_timeline(args, audio, rate)
    plan = resolve_plan(args.emotion, timeline)
    face = _face_animation(timeline, plan, args.seed) if {"glb", "mp4"} & set(formats) else None
    body = animate_body(timeline, plan, seed=args.seed, fps=args.fps, text=args.text, face=face)

    written: dict[str, Path] = {}
    if "bvh" in formats:
        written["bvh"] = write_bvh(body, out / "body.bvh")
    if "glb" in formats:
        from studio.export.gltf import write_body_glb

        written["glb"] = Path(write_body_glb(body, out / "body.glb", face=face))
    if "mp4" in formats:
        from synth.avatar.render import Renderer
        from synth.avatar.video import write_video

        with Renderer(camera="body") as renderer:
            clip = renderer.render_animation(face=face, body=body, fps=body.fps, camera="body",
                                             duration=len(audio) / rate,
                                             progress=sys.stderr.isatty())
        written["mp4"] = Path(write_video(out / "body.mp4", clip.frames, clip.fps, audio=audio,
                                          sample_rate=rate))
    names = ", ".join(p.name for p in written.values())
    print(f"{out}: {timeline.duration:.2f} s, {body.frames} frames at {body.fps:g} fps -> {names} "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0
