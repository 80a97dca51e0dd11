"""How the studio's voice sounds over many takes: the reference the critic's SER reads it against.

A speech-emotion recogniser trained on EmoDB's German actors does not transfer to the piper voice
feature by feature: the voice's own level, range and timbre differ from any actor's. EmoDB's
recognisers (ours in its ``"speaker"`` mode, and the independent eGeMAPS yardstick of the
benchmarks) therefore read a clip relative to its speaker: each feature z-scored over all of that
speaker's clips, every emotion included. The critic does the same for the studio's voice with
the statistics of its own features over takes of every target (neutral included) on the tuning
sentences (the first 20 of ``../shared/eval/sentences.txt``), measured once by
``python -m studio.critic.voice_reference`` (also run by ``make train-ser``) and shipped in
``assets/critic/voice.json``. No recogniser's verdict enters it: only feature means and spreads.

Measured on 280 takes of the tuning sentences (7 targets x 2 seeds): the critic's SER top-1 agreed
with the independent yardstick's on 28% of the takes when it read a take against the neutral
reading alone (the ``"relative"`` mode), and on 49% with this reference (the ``"speaker"`` model
on voice-normalised features; EmoDB leave-one-speaker-out UAR 0.77).

Every built-in character has a voice of its own (``synth.tts.timbre``: another pitch, vocal
tract and timbre), so each has its own reference, ``assets/critic/voices/NAME.json``, named by
its ``voice.reference`` and built by ``python -m studio.critic.voice_reference --character NAME``
(the same measurement in that character's voice); joe's stays in ``assets/critic/voice.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from controllers.assets import asset_path
from controllers.character import BUILTIN_PIPER_VOICE, VoiceSpec
from studio.critic.features import FEATURE_NAMES

#: The targets whose takes make up the reference (the yardstick's classes; calm is boredom).
REFERENCE_TARGETS: tuple[str, ...] = ("neutral", "happiness", "sadness", "anger", "fear",
                                      "disgust", "calm")

@dataclass
class VoiceReference:
    """Feature statistics of one voice over takes of every target."""

    mean: np.ndarray
    """(d,) mean of :func:`studio.critic.features.extract_features` over the takes."""
    std: np.ndarray
    """(d,) standard deviation over the takes (> 0)."""
    neutral_mean: np.ndarray
    """(d,) mean over the voice's neutral readings (``--prosody none``) of the same sentences."""
    info: dict = field(default_factory=dict)
    """How it was measured (voice, sentences, targets, seeds, intensity)."""

    _shared: ClassVar[dict[str, VoiceReference | None]] = {}

    def normalise(self, features: np.ndarray, neutral: np.ndarray | None = None) -> np.ndarray:
        """(n, d) features z-scored against the voice.

        Without ``neutral``: ``(x - mean) / std``, as EmoDB's speaker normalisation. With the
        neutral reading of the same words (a segment of a line, whose length and words differ
        from a whole take's): ``(x - neutral + neutral_mean - mean) / std``: the take's change
        from its own neutral reading, placed where the voice's neutral readings lie.
        """
        x = np.atleast_2d(features)
        if neutral is not None:
            x = x - np.atleast_2d(neutral) + self.neutral_mean
        return (x - self.mean) / self.std

    def to_dict(self) -> dict:
        return {"features": list(FEATURE_NAMES), "mean": self.mean.tolist(),
                "std": self.std.tolist(), "neutral_mean": self.neutral_mean.tolist(),
                "info": self.info}

    @classmethod
    def from_dict(cls, d: dict) -> VoiceReference:
        if tuple(d["features"]) != FEATURE_NAMES:
            raise ValueError("the voice reference was measured on other features; remeasure it "
                             "with `python -m studio.critic.voice_reference`")
        return cls(np.asarray(d["mean"], float), np.asarray(d["std"], float),
                   np.asarray(d["neutral_mean"], float), dict(d.get("info", {})))

    @classmethod
    def load(cls, voice: VoiceSpec | str | Path | None = None,
             path: str | Path | None = None) -> VoiceReference | None:
        """The shipped reference of ``voice`` (cached), or None when it has none.

        ``voice.reference`` names ``assets/critic/voices/NAME.json``; None, or the built-in
        piper voice as it is with no name, is joe's ``assets/critic/voice.json``. A voice with
        no reference of its own (a user's character that changes the voice without naming
        one) has None: the critic then reads it against its own neutral reading only. A str
        or Path (as ``path``) loads that file.
        """
        if isinstance(voice, (str, Path)):
            voice, path = None, voice
        if path is not None:
            file = Path(path)
            return cls.from_dict(json.loads(file.read_text())) if file.exists() else None
        file = reference_path(voice)
        key = str(file)
        if key not in cls._shared:
            reference = None
            if file is not None and file.exists():
                reference = cls.from_dict(json.loads(file.read_text()))
            cls._shared[key] = reference
        return cls._shared[key]


def reference_path(voice: VoiceSpec | None) -> Path | None:
    """Where ``voice``'s reference lives (see :meth:`VoiceReference.load`), or None."""
    if voice is not None and voice.reference:
        return asset_path("critic", "voices", f"{voice.reference}.json")
    if voice is None or (voice.model == BUILTIN_PIPER_VOICE and voice.is_identity):
        return asset_path("critic", "voice.json")
    return None


def measure(tts, sentences: list[str], seeds: tuple[int, ...] = (0, 1),
            intensity: float = 0.8, progress: bool = True, character=None) -> VoiceReference:
    """The reference of a voice: every sentence x :data:`REFERENCE_TARGETS` x seed spoken by
    ``tts`` (a ``synth.tts.EmotionalTTS``) in ``character``'s voice (a
    ``controllers.character.Character``; None: the piper voice), their features' mean and
    spread."""
    from tqdm import tqdm

    from controllers.target import EmotionTarget
    from studio.critic.features import extract_features

    takes, neutrals = [], []
    jobs = [(s, t, seed) for s in sentences for t in REFERENCE_TARGETS for seed in seeds]
    for text, name, seed in tqdm(jobs, desc="voice reference", disable=not progress,
                                 mininterval=10):
        target = (EmotionTarget.neutral() if name == "neutral"
                  else EmotionTarget.from_category(name, intensity))
        speech = tts.speak(target, seed=seed, text=text, character=character)
        takes.append(extract_features(speech.audio, speech.sample_rate))
    for text in sentences:
        speech = tts.neutral(text, seed=0, character=character)
        neutrals.append(extract_features(speech.audio, speech.sample_rate))
    x = np.stack(takes)
    return VoiceReference(x.mean(0), x.std(0) + 1e-9, np.stack(neutrals).mean(0),
                          {"sentences": len(sentences), "targets": list(REFERENCE_TARGETS),
                           "seeds": list(seeds), "intensity": intensity, "takes": len(takes)})


def main(argv: list[str] | None = None) -> int:
    import argparse

    from synth.atomic import atomic_write_text
    from synth.tts import EmotionalTTS

    here = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(prog="python -m studio.critic.voice_reference",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", default=str(here.parent / "shared" / "eval" /
                                                   "sentences.txt"))
    parser.add_argument("--tuning", type=int, default=20,
                        help="use the first N sentences (the tuning set)")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--character", action="append", default=[], metavar="NAME",
                        help="measure this built-in character's voice (repeatable; 'all': "
                             "every character with a reference name) into "
                             "assets/critic/voices/NAME.json; default: joe's voice.json")
    parser.add_argument("--out", default=None,
                        help="output file (one voice only; default: where load() looks)")
    args = parser.parse_args(argv)
    if not Path(args.sentences).is_file():
        parser.error(f"sentences not found at {args.sentences}")
    sentences = [s for s in Path(args.sentences).read_text().splitlines()
                 if s.strip()][:args.tuning]
    from controllers.cast import builtin_cast, load_character

    names = [n for arg in args.character for n in arg.split(",") if n.strip()]
    if "all" in names:
        names = [c.name for c in builtin_cast() if c.voice.reference]
    characters = [load_character(n) for n in names] or [None]
    if args.out and len(characters) > 1:
        parser.error("--out names one file: measure one voice at a time with it")
    tts = EmotionalTTS.load(prosody="diffusion")
    seeds = tuple(int(s) for s in args.seeds.split(","))
    for character in characters:
        voice = character.voice if character is not None else None
        out = args.out or reference_path(voice)
        if out is None:
            parser.error(f"character {character.name!r} has no voice.reference to write")
        reference = measure(tts, sentences, seeds, character=character)
        reference.info["voice"] = (character.name if character is not None else
                                   getattr(getattr(tts.voice, "config", None), "name", None)
                                   or "piper default voice")
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, json.dumps(reference.to_dict()))
        print(f"wrote {out} ({reference.info['takes']} takes of {len(sentences)} sentences)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
