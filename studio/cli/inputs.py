"""What ``emostudio face`` and ``emostudio gesture`` read: a recording, its timeline, an emotion.

Both commands take the same inputs (``--audio``, ``--timeline`` or ``--text``, ``--emotion``,
``--out``, ``--formats``) and read them the same way, so the face and the body of one take are
driven by one timeline and one emotion plan. Not a command itself (it has no ``add_parser``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from controllers.target import EmotionPlan
    from synth.contracts import Timeline


# -- argument types: every number from the command line is checked where it enters ---------------

def seed_arg(text: str) -> int:
    """``--seed``: an integer in [0, 2**32 - 1] (``controllers.numbers.SEED_MAX``)."""
    from controllers.errors import InputError
    from controllers.numbers import check_seed

    try:
        return check_seed(text, "")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc).strip()) from None


def float_in(lo: float, hi: float):
    """An argparse type: a finite float in ``[lo, hi]`` (NaN and infinities refused)."""
    from controllers.errors import InputError
    from controllers.numbers import finite_number

    def parse(text: str) -> float:
        try:
            return finite_number("", text, lo, hi)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc).strip()) from None

    parse.__name__ = "number"
    return parse


def int_in(lo: int, hi: int):
    """An argparse type: an integer in ``[lo, hi]``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is outside the accepted range [{lo}, {hi}]")
        return value

    parse.__name__ = "integer"
    return parse


SEED_HELP = "take seed, an integer in [0, 4294967295]: same seed, same take (default 0)"


def add_character_argument(p: argparse.ArgumentParser) -> None:
    """``--character NAME|FILE.yaml``: who performs (resolved by :func:`character_of`)."""
    p.add_argument("--character", default=None, metavar="NAME",
                   help="who performs: a character of the cast (see `emostudio characters`) or "
                        "a character .yaml file (default: joe)")


def character_of(args: argparse.Namespace):
    """The :class:`~controllers.character.Character` that ``--character`` names (InputError
    naming it when unknown or broken): the one place a command turns the name into the object
    it passes down."""
    from controllers.cast import load_character

    return load_character(getattr(args, "character", None))


def add_recording_arguments(p: argparse.ArgumentParser, text_help: str) -> None:
    """Add ``--audio``, ``--timeline`` | ``--text``, ``--emotion`` and ``--out`` to ``p``."""
    p.add_argument("--audio", required=True, metavar="TAKE.wav", help="the speech recording")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--timeline", metavar="TAKE.timeline.json",
                        help="the timeline `emostudio speak` wrote beside the audio")
    source.add_argument("--text", help=text_help)
    p.add_argument("--emotion", default="", help="emotion description (default: neutral)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")


def parse_formats(text: str, accepted: Sequence[str]) -> list[str]:
    """``"arkit,llf"`` -> ``["arkit", "llf"]`` in the order of ``accepted``.

    Names are case-insensitive; an unknown name or an empty list raises InputError naming the
    accepted formats.
    """
    from controllers.errors import InputError

    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in accepted]
    if unknown or not asked:
        raise InputError(f"--formats {text!r}: unknown {', '.join(unknown) or 'empty list'}; "
                         f"accepted: {','.join(accepted)}")
    return [f for f in accepted if f in asked]


def read_audio(path: str):
    """``(samples, sample_rate)``: (n,) float32 mono samples and the rate in Hertz.

    Multi-channel files are averaged to mono. InputError when the file is missing, unreadable,
    empty, or its samples or rate are unusable (``synth.tts.align.check_recording``).
    """
    import soundfile as sf

    from controllers.errors import InputError

    if not Path(path).is_file():
        raise InputError(f"--audio {path}: no such file; give a WAV/FLAC/OGG recording")
    from synth.tts.align import MAX_RECORDING_S, check_recording

    try:
        info = sf.info(path)
        if info.samplerate > 0 and info.frames > MAX_RECORDING_S * info.samplerate:
            raise InputError(f"--audio {path}: {info.frames / info.samplerate:.0f} s long; "
                             f"recordings up to {MAX_RECORDING_S:.0f} s are accepted (cut it "
                             "into parts)")
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
    except InputError:
        raise
    except Exception as exc:  # soundfile raises several types for unreadable input
        raise InputError(f"--audio {path}: not a readable sound file ({exc}); "
                         f"give a WAV/FLAC/OGG recording") from exc
    return check_recording(audio, rate, f"--audio {path}"), int(rate)


#: Largest difference (seconds) accepted between a ``--timeline``'s duration and the audio's.
TIMELINE_TOLERANCE_S = 0.25


def check_timeline(timeline: Timeline, what: str) -> None:
    """InputError unless every number of ``timeline`` is finite and every interval lies in
    ``[0, duration]`` with its start before its end (``what`` names the file)."""
    import numpy as np

    from controllers.errors import InputError

    duration, hop = timeline.duration, timeline.hop
    if not (np.isfinite(duration) and duration >= 0 and np.isfinite(hop) and hop > 0):
        raise InputError(f"{what}: duration {duration!r} s and hop {hop!r} s must be finite, "
                         "the hop above 0")
    for kind, items in (("phoneme", timeline.phonemes), ("syllable", timeline.syllables),
                        ("word", timeline.words)):
        for k, item in enumerate(items):
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                       for x in (item.start, item.end)):
                raise InputError(f"{what}: {kind} {k} has times {item.start!r}, {item.end!r}; "
                                 "give numbers of seconds")
            start, end = float(item.start), float(item.end)
            if not (np.isfinite(start) and np.isfinite(end)
                    and -TIMELINE_TOLERANCE_S <= start <= end <= duration + TIMELINE_TOLERANCE_S):
                raise InputError(f"{what}: {kind} {k} runs from {start!r} to {end!r} s, not "
                                 f"an interval inside the take's {duration:g} s")
    for name in ("f0", "energy"):
        curve = np.asarray(getattr(timeline, name), np.float64)
        if curve.size and not np.isfinite(curve).all():
            raise InputError(f"{what}: the {name} curve holds NaN or infinite values")


def load_timeline(args: argparse.Namespace, audio, rate: int):
    """The timeline from ``args.timeline``, or by aligning the audio (with ``args.text`` if given).

    ``audio`` (n,) float32 mono samples at ``rate`` Hz. A timeline file must last as long as the
    audio (within :data:`TIMELINE_TOLERANCE_S`); otherwise InputError.
    """
    import json

    from controllers.errors import InputError
    from synth.contracts import Timeline

    if args.timeline:
        try:
            if Path(args.timeline).is_file() and Path(args.timeline).stat().st_size > 64 * 2**20:
                raise InputError(f"--timeline {args.timeline}: larger than 64 MiB; not a "
                                 "timeline `emostudio speak` writes")
            timeline = Timeline.load(args.timeline)
        except FileNotFoundError as exc:
            raise InputError(f"--timeline {args.timeline}: no such file") from exc
        except InputError:
            raise
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError,
                UnicodeDecodeError, IsADirectoryError, RecursionError) as exc:
            raise InputError(f"--timeline {args.timeline}: not a timeline JSON as `emostudio "
                             f"speak` writes it ({exc})") from exc
        check_timeline(timeline, f"--timeline {args.timeline}")
        seconds = len(audio) / float(rate)
        if abs(timeline.duration - seconds) > TIMELINE_TOLERANCE_S:
            raise InputError(f"--timeline {args.timeline} lasts {timeline.duration:.2f} s but "
                             f"--audio lasts {seconds:.2f} s; give the timeline of this recording")
        return timeline
    from controllers.limits import MAX_TEXT_CHARS
    from synth.tts import align_recording

    if args.text is not None and len(args.text) > MAX_TEXT_CHARS:
        raise InputError(f"--text is {len(args.text)} characters long; transcripts up to "
                         f"{MAX_TEXT_CHARS} are aligned")
    return align_recording(audio, rate, transcript=args.text).timeline


def resolve_plan(description: str, timeline):
    """The emotion plan of ``--emotion`` over the timeline's words (neutral when empty).

    A description that changes emotion ("calm, then furious") is spread over the words; with no
    words (nothing recognised in the audio) the whole take shows the description's first emotion.
    """
    from controllers.resolve import plan_for, target_for
    from controllers.target import EmotionPlan, EmotionTarget

    text = " ".join(w.text for w in timeline.words)
    if not text.strip():
        return EmotionPlan.constant("", target_for(description.strip() or None)
                                    or EmotionTarget.neutral())
    return plan_for(text, description.strip() or None)


@dataclass
class Recording:
    """What ``--audio``, ``--timeline`` | ``--text`` and ``--emotion`` say about one take."""

    audio: Any
    """(n,) float32 mono samples."""
    rate: int
    """Sample rate of ``audio`` in Hertz."""
    timeline: Timeline
    """Phonemes, syllables and words in seconds (read from ``--timeline`` or aligned)."""
    plan: EmotionPlan
    """The ``--emotion`` spread over the timeline's words."""


def read_recording(args: argparse.Namespace) -> Recording:
    """Read ``args.audio``, its timeline and ``args.emotion``'s plan (InputError on bad input)."""
    audio, rate = read_audio(args.audio)
    timeline = load_timeline(args, audio, rate)
    return Recording(audio, rate, timeline, resolve_plan(args.emotion, timeline))


def report_written(out: Path, take: Recording, frames: int, fps: float,
                   written: Mapping[str, Path], started: float) -> None:
    """One line on stderr: the take's length, the animation's frames and the files written.

    ``started`` is the ``time.perf_counter()`` reading when the command began its work.
    """
    names = ", ".join(p.name for p in written.values())
    print(f"{out}: {take.timeline.duration:.2f} s, {frames} frames at {fps:g} fps -> {names} "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
