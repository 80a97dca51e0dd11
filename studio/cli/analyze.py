"""``emostudio analyze AUDIO [--video VIDEO] --json``: the critic's reading of a recording.

Prints the speech emotion (``category``, ``probabilities`` over the studio's categories,
``valence``, ``arousal``, ``dominance``, ``confidence``); with ``--video`` also ``face`` (FER
pooled over the frames) and ``fused`` (speech and face averaged). ``--reference NEUTRAL.wav``
judges the recording against the same voice's neutral reading of the same text (more reliable).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from studio.cli.inputs import int_in


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "analyze", help="estimate the emotion of a recording (speech, optionally face)",
        description="Estimate the emotion a recording expresses: speech emotion from AUDIO "
                    "(EmoDB-trained, calibrated probabilities) and, with --video, the face's "
                    "(FER) and a fused estimate.")
    p.add_argument("audio", metavar="AUDIO", help="speech recording (wav, flac, ogg)")
    p.add_argument("--video", metavar="VIDEO", help="video of the speaker's face (mp4, ...)")
    p.add_argument("--reference", metavar="NEUTRAL", help="the same voice's neutral reading of "
                   "the same text: judge AUDIO relative to it")
    p.add_argument("--face-box", metavar="X0,Y0,X1,Y1",
                   help="face box in video pixels (default: the whole frame; with "
                        "--camera head: emostudio's head camera box)")
    p.add_argument("--camera", choices=("head",),
                   help="the video comes from emostudio's head camera (face box and avatar "
                        "prior are known)")
    p.add_argument("--max-frames", type=int_in(1, 10_000), default=32,
                   help="frames of the video analysed, evenly spaced (default 32)")
    p.add_argument("--json", action="store_true", help="print JSON (else a short summary)")
    return p


def read_audio(path: str) -> tuple[np.ndarray, int]:
    """(samples,) float32 mono and its rate in Hertz; InputError when unreadable."""
    import soundfile as sf

    from controllers.errors import InputError

    if not Path(path).is_file():
        raise InputError(f"{path}: no such audio file")
    try:
        data, sr = sf.read(path, dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises several types for unreadable files
        raise InputError(f"{path}: not a readable sound file (wav, flac, ogg) ({exc})") from exc
    from synth.tts.align import check_recording

    return check_recording(data, sr, path), int(sr)


def read_video_frames(path: str, max_frames: int) -> np.ndarray:
    """(n, H, W, 3) uint8 RGB frames, at most ``max_frames`` evenly spaced."""
    import imageio.v3 as iio

    from controllers.errors import InputError

    if not Path(path).is_file():
        raise InputError(f"{path}: no such video file")
    try:
        frames = [np.asarray(f)[..., :3] for f in iio.imiter(path)]
    except Exception as exc:  # noqa: BLE001 - any decoder failure is bad input here
        raise InputError(f"{path}: not a readable video ({exc})") from exc
    if not frames:
        raise InputError(f"{path}: the video has no frames")
    idx = np.linspace(0, len(frames) - 1, min(max_frames, len(frames))).round().astype(int)
    return np.stack([frames[i] for i in idx])


def parse_box(text: str) -> tuple[int, int, int, int]:
    from controllers.errors import InputError

    try:
        x0, y0, x1, y1 = (int(float(v)) for v in text.split(","))
    except (ValueError, OverflowError):  # (NaN, infinity: not a pixel)
        raise InputError(f"--face-box {text!r}: give four pixel numbers X0,Y0,X1,Y1") from None
    if not (0 <= x0 < x1 and 0 <= y0 < y1):
        raise InputError(f"--face-box {text!r}: give X0 < X1 and Y0 < Y1, all at least 0")
    return x0, y0, x1, y1


def analyze(args: argparse.Namespace) -> dict:
    """The JSON object ``emostudio analyze`` prints."""
    from controllers.errors import InputError
    from studio.critic.estimate import fuse
    from studio.critic.ser import SpeechEmotionRecognizer

    if args.max_frames < 1:
        raise InputError("--max-frames must be at least 1")
    face_box = parse_box(args.face_box) if args.face_box else None  # (checked before models load)
    audio, sr = read_audio(args.audio)
    neutral = read_audio(args.reference) if args.reference else None
    if args.video and not Path(args.video).is_file():
        raise InputError(f"{args.video}: no such video file")
    speech = SpeechEmotionRecognizer.load().estimate(audio, sr, neutral=neutral)
    result = speech.to_dict()
    result.pop("modality")
    if args.video:
        from studio.critic.fer import FaceEmotionRecognizer

        frames = read_video_frames(args.video, args.max_frames)
        box, baseline, margin = None, None, 0.1
        if args.camera == "head":
            from studio.critic.judge import HeadCamera

            camera = HeadCamera.get()
            height, width = frames.shape[1:3]
            if height != width:
                raise InputError(f"{args.video}: frames are {width}x{height}, not the head "
                                 "camera's square frames; drop --camera or give --face-box")
            # The head camera frames the same view at any square size: scale its crop box.
            scale = width / camera.renderer.size
            box = tuple(c * scale for c in camera.crop_box)
            baseline, margin = camera.baseline, 0.0
        if face_box:
            box, margin = face_box, 0.1
        face = FaceEmotionRecognizer.load().estimate(frames, box, baseline=baseline,
                                                     margin=margin)
        result["face"] = {k: v for k, v in face.to_dict().items() if k != "modality"}
        result["fused"] = {k: v for k, v in fuse([speech, face]).to_dict().items()
                           if k != "modality"}
    return result


def run(args: argparse.Namespace) -> int:
    result = analyze(args)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        line = (f"speech: {result['category']} ({result['confidence']:.2f}), valence "
                f"{result['valence']:+.2f}, arousal {result['arousal']:+.2f}")
        if "face" in result:
            line += (f"; face: {result['face']['category']} ({result['face']['confidence']:.2f})"
                     f"; fused: {result['fused']['category']}")
        print(line)
    return 0
