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
    """The :class:`EmotionPlan` of ``text`` (inline ``[tags]`` honoured; SSML read as SSML)
    under ``description``."""
    from controllers.errors import InputError
    from controllers.resolve import plan_for
    from controllers.ssml import is_ssml, parse_ssml

    if not text or not text.strip():
        raise InputError("--text is empty; give the words to speak")
    if is_ssml(text):
        return parse_ssml(text).plan(description)
    return plan_for(text, description)


def voice_parts(text: str, description: str, args: argparse.Namespace) -> list:
    """``[(character, plan, offset)]``: who speaks which part of ``text`` and where the part
    starts in the spoken text. Plain text and SSML with at most one ``<voice>``: one part;
    SSML whose ``<voice>`` s change: one part per voice run (``--character`` speaks the parts
    no ``<voice>`` names)."""
    from controllers.cast import load_character
    from controllers.ssml import is_ssml, parse_ssml

    plan = build_plan(text, description)
    given = getattr(args, "character", None)
    named = getattr(plan, "characters", ())
    if not is_ssml(text) or len(named) <= 1:
        return [(load_character(given or (named[0] if named else None)), plan, 0)]
    document = parse_ssml(text)
    parts, cursor = [], 0
    for who, part in document.voice_parts():
        offset = document.text.find(part.text, cursor)
        cursor = offset + len(part.text)
        parts.append((load_character(who or given), part.plan(description), offset))
    return parts


def run(args: argparse.Namespace) -> int:
    import soundfile as sf

    from controllers.errors import InputError
    from synth.atomic import atomic_path, check_output
    from synth.tts.synthesizer import EmotionalTTS, join_speech

    if Path(args.out).suffix.lower() != ".wav":
        raise InputError(f"--out {args.out}: give a .wav file name (e.g. take.wav)")
    out = check_output(args.out, "file")
    check_output(timeline_path(out), "file", label="--out's timeline")
    started = time.perf_counter()
    character_of(args)  # an unknown --character is refused before anything loads
    parts = voice_parts(args.text, args.emotion, args)
    for warning in dict.fromkeys(w for _, plan, _ in parts for w in getattr(plan, "warnings", ())):
        print(f"emostudio speak: warning: {warning}", file=sys.stderr)
    tts = EmotionalTTS.load(prosody=args.prosody)
    takes = [tts.speak(plan, seed=args.seed, character=who) for who, plan, _ in parts]
    speech = takes[0] if len(takes) == 1 else join_speech(takes, [o for _, _, o in parts])
    character = " + ".join(dict.fromkeys(who.name for who, _, _ in parts))
    with atomic_path(out) as tmp:
        sf.write(str(tmp), speech.audio, speech.sample_rate, subtype="PCM_16")
    speech.timeline.save(timeline_path(out))
    print(f"{out}: {speech.duration:.2f} s, {len(speech.timeline.words)} words, "
          f"{character}, prosody {args.prosody} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0
