"""``emostudio speak``: text + an emotion description -> TAKE.wav and TAKE.timeline.json.

``emostudio speak --text TEXT --emotion DESCRIPTION --out TAKE.wav [--seed N]
[--prosody diffusion|rules|none]``

Inline ``[emotion words]`` tags inside the text change the emotion from there on. Both files are
written atomically (temporary name, then rename).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from studio.cli.inputs import SEED_HELP, add_character_argument, character_of, seed_arg
from controllers.limits import MAX_TEXT_CHARS
from synth.tts.synthesizer import CHUNK_CHARS, PROSODY_CHOICES


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "speak", help="synthesise emotional speech: TAKE.wav + TAKE.timeline.json",
        description="Speak TEXT with the emotion DESCRIPTION. Writes TAKE.wav (mono 16-bit) and "
                    "TAKE.timeline.json (phonemes, syllables, words with start/end seconds; F0 "
                    "and energy curves with their hop). Inline [emotion words] tags in TEXT "
                    "change the emotion from there on.")
    p.add_argument("--text", required=True,
                   help=f"what to say (may contain [emotion] tags); at most {MAX_TEXT_CHARS} "
                        f"characters (longer text is refused with exit status 2); text over "
                        f"{CHUNK_CHARS} characters is spoken in chunks cut between sentences")
    p.add_argument("--emotion", default="neutral",
                   help="emotion description, e.g. 'a little sad, whispering' (default: neutral)")
    p.add_argument("--out", required=True, metavar="TAKE.wav", help="output WAV file")
    p.add_argument("--seed", type=seed_arg, default=0, help=SEED_HELP)
    p.add_argument("--prosody", choices=PROSODY_CHOICES, default="diffusion",
                   help="prosody model (default diffusion; none = the bare neutral voice)")
    add_character_argument(p)
    return p


def timeline_path(wav_path: str | Path) -> Path:
    """``TAKE.wav`` -> ``TAKE.timeline.json`` beside it."""
    wav_path = Path(wav_path)
    return wav_path.with_name(wav_path.stem + ".timeline.json")


def build_plan(text: str, description: str):
    """The :class:`EmotionPlan` of ``text`` (inline ``[tags]`` honoured) under ``description``."""
    from controllers.errors import InputError
    from controllers.resolve import plan_for

    if not text or not text.strip():
        raise InputError("--text is empty; give the words to speak")
    return plan_for(text, description)


def run(args: argparse.Namespace) -> int:
    import soundfile as sf

    from controllers.errors import InputError
    from synth.atomic import atomic_path, check_output
    from synth.tts.synthesizer import EmotionalTTS

    if Path(args.out).suffix.lower() != ".wav":
        raise InputError(f"--out {args.out}: give a .wav file name (e.g. take.wav)")
    out = check_output(args.out, "file")
    check_output(timeline_path(out), "file", label="--out's timeline")
    started = time.perf_counter()
    plan = build_plan(args.text, args.emotion)
    character = character_of(args)
    tts = EmotionalTTS.load(prosody=args.prosody)
    speech = tts.speak(plan, seed=args.seed, character=character)
    with atomic_path(out) as tmp:
        sf.write(str(tmp), speech.audio, speech.sample_rate, subtype="PCM_16")
    speech.timeline.save(timeline_path(out))
    print(f"{out}: {speech.duration:.2f} s, {len(speech.timeline.words)} words, "
          f"{character.name}, prosody {args.prosody} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0
