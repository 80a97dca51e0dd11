"""``emostudio face``: a recording (+ its timeline or transcript) and an emotion -> face files.

``emostudio face --audio TAKE.wav [--timeline TAKE.timeline.json | --text TEXT]
--emotion DESCRIPTION --out DIR [--formats arkit,llf,a2f,visemes,rhubarb,glb,mp4]``

With a timeline, its timing drives the face; with a transcript, the audio is aligned to it;
with neither, the audio alone drives it (recognised by pocketsphinx, or energy-based).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

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
    p.add_argument("--audio", required=True, metavar="TAKE.wav", help="the speech recording")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--timeline", metavar="TAKE.timeline.json",
                        help="the timeline `emostudio speak` wrote beside the audio")
    source.add_argument("--text", help="transcript of the recording (aligned with pocketsphinx)")
    p.add_argument("--emotion", default="", help="emotion description (default: neutral)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--formats", default=",".join(DEFAULT_FORMATS),
                   help=f"comma-separated subset of {','.join(FORMATS)} "
                        f"(default: {','.join(DEFAULT_FORMATS)}; vrm = VRM 1.0 expression curves)")
    p.add_argument("--seed", type=int, default=0, help="seed of blinks, gaze and head motion")
    p.add_argument("--fps", type=float, default=60.0, help="curve frame rate (default 60)")
    return p


def parse_formats(text: str) -> list[str]:
    """``"arkit,llf"`` -> ``["arkit", "llf"]``; unknown names raise InputError."""
    from controllers.errors import InputError

    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown or not asked:
        raise InputError(f"--formats {text!r}: unknown {', '.join(unknown) or 'empty list'}; "
                         f"accepted: {','.join(FORMATS)}")
    return [f for f in FORMATS if f in asked]


def read_audio(path: str):
    """``(samples float32 mono, sample_rate)`` of a sound file; InputError when unreadable."""
    import numpy as np
    import soundfile as sf

    from controllers.errors import InputError

    if not Path(path).is_file():
        raise InputError(f"--audio {path}: no such file; give a WAV/FLAC/OGG recording")
    try:
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises several types for unreadable input
        raise InputError(f"--audio {path}: not a readable sound file ({exc}); "
                         f"give a WAV/FLAC/OGG recording") from exc
    if audio.shape[0] == 0:
        raise InputError(f"--audio {path}: the recording is empty")
    return np.ascontiguousarray(audio.mean(axis=1)), int(rate)


def load_timeline(args: argparse.Namespace, audio, rate: int):
    """The timeline from ``--timeline``, or by aligning the audio (with ``--text`` if given)."""
    import json

    from controllers.errors import InputError
    from synth.contracts import Timeline

    if args.timeline:
        try:
            timeline = Timeline.load(args.timeline)
        except FileNotFoundError as exc:
            raise InputError(f"--timeline {args.timeline}: no such file") from exc
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"--timeline {args.timeline}: not a timeline JSON as `emostudio "
                             f"speak` writes it ({exc})") from exc
        seconds = len(audio) / float(rate)
        if abs(timeline.duration - seconds) > 0.25:
            raise InputError(f"--timeline {args.timeline} lasts {timeline.duration:.2f} s but "
                             f"--audio lasts {seconds:.2f} s; give the timeline of this recording")
        return timeline
    from synth.tts import align_recording

    return align_recording(audio, rate, transcript=args.text).timeline


def resolve_plan(description: str, timeline):
    """The emotion plan of ``--emotion`` over the timeline's words (neutral when empty).

    A description that changes emotion ("calm, then furious") is spread over the words; with no
    words (nothing recognised in the audio) the face shows the description's first emotion.
    """
    from controllers.resolve import plan_for, target_for
    from controllers.target import EmotionPlan, EmotionTarget

    text = " ".join(w.text for w in timeline.words)
    if not text.strip():
        return EmotionPlan.constant("", target_for(description.strip() or None)
                                    or EmotionTarget.neutral())
    return plan_for(text, description.strip() or None)


def run(args: argparse.Namespace) -> int:
    from controllers.errors import InputError
    from studio.export import face_exports
    from synth.face import animate_face

    formats = parse_formats(args.formats)
    if args.fps <= 0 or args.fps > 240:
        raise InputError(f"--fps {args.fps}: give a frame rate in (0, 240]")
    audio, rate = read_audio(args.audio)
    out = Path(args.out)
    started = time.perf_counter()
    timeline = load_timeline(args, audio, rate)
    plan = resolve_plan(args.emotion, timeline)
    anim = animate_face(timeline, plan, seed=args.seed, fps=args.fps)
    written = face_exports(anim, timeline, out, [f for f in formats if f not in ("glb", "mp4")],
                           sound_file=str(Path(args.audio).name))
    if "glb" in formats:
        from studio.export.gltf import write_face_glb

        written["glb"] = Path(write_face_glb(anim, out / "face.glb"))
    if "mp4" in formats:
        from synth.face.preview import write_face_video

        written["mp4"] = write_face_video(anim, out / "face.mp4", audio=audio, sample_rate=rate)
    names = ", ".join(p.name for p in written.values())
    print(f"{out}: {timeline.duration:.2f} s, {anim.frames} frames at {anim.fps:g} fps -> {names} "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0
