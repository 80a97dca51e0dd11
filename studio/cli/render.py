"""``emostudio render``: one take (voice, face, body, critic) with every file in a folder."""

from __future__ import annotations

import argparse
import sys

from controllers.limits import MAX_TEXT_CHARS
from studio.cli.inputs import SEED_HELP, add_character_argument, character_of, seed_arg


def add_parser(subparsers) -> argparse.ArgumentParser:
    from studio.pipeline import PREVIEW_MODES, PROSODY_MODES

    p = subparsers.add_parser(
        "render", help="render one take: voice, face, body, critic, exports",
        description="Render one line of text with an emotion into DIR: take.wav, "
                    "take.timeline.json, face and body exports, take.glb, preview.mp4, "
                    "critic.json and report.png.")
    p.add_argument("--text", required=True,
                   help="the line to perform; inline [emotion] tags change the emotion from there "
                        f"(at most {MAX_TEXT_CHARS} characters)")
    p.add_argument("--emotion", default="",
                   help="emotion description from the start of the line (default: neutral)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the take's files")
    p.add_argument("--seed", type=seed_arg, default=0, help=SEED_HELP)
    p.add_argument("--loop", action="store_true",
                   help="run the critic loop: correct the controls until the take meets the target")
    p.add_argument("--preview", choices=PREVIEW_MODES, default="body",
                   help="preview.mp4: full body with the face animated, head close-up, or none")
    p.add_argument("--prosody", choices=PROSODY_MODES, default="diffusion",
                   help="prosody model (default diffusion)")
    add_character_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    from studio.pipeline import render
    from synth.atomic import check_output

    check_output(args.out, "folder")
    character = character_of(args) if args.character else None  # else: SSML's, or the default
    take = render(args.text, args.emotion, out=args.out, seed=args.seed, loop=args.loop,
                  preview=args.preview, prosody=args.prosody, character=character)
    for warning in getattr(take.plan, "warnings", ()):
        print(f"emostudio render: warning: {warning}", file=sys.stderr)
    take.write_summary(take.files["take.wav"].parent)
    status = (take.verdict_summary() or {}).get("success")
    print(f"{args.out}: {take.duration:.2f} s of speech, {len(take.files)} files, "
          f"{take.compute_seconds:.1f} s of work"
          + ("" if status is None else f", critic: {'target met' if status else 'target missed'}"),
          file=sys.stderr)
    return 0
