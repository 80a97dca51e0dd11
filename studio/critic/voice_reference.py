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
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from controllers.assets import asset_path
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

    _shared: ClassVar[VoiceReference | None] = None
    _loaded: ClassVar[bool] = False

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
    def load(cls, path: str | Path | None = None) -> VoiceReference | None:
        """The shipped reference (``assets/critic/voice.json``, cached), or None when absent."""
        if path is None and cls._loaded:
            return cls._shared
        file = Path(path) if path else asset_path("critic", "voice.json")
        reference = cls.from_dict(json.loads(file.read_text())) if file.exists() else None
        if path is None:
            cls._shared, cls._loaded = reference, True
        return reference


def measure(tts, sentences: list[str], seeds: tuple[int, ...] = (0, 1),
            intensity: float = 0.8, progress: bool = True) -> VoiceReference:
    """The reference of ``tts``'s voice: every sentence x :data:`REFERENCE_TARGETS` x seed
    spoken by ``tts`` (a ``synth.tts.EmotionalTTS``), their features' mean and spread."""
    from tqdm import tqdm

    from controllers.target import EmotionTarget
    from studio.critic.features import extract_features

    takes, neutrals = [], []
    jobs = [(s, t, seed) for s in sentences for t in REFERENCE_TARGETS for seed in seeds]
    for text, name, seed in tqdm(jobs, desc="voice reference", disable=not progress,
                                 mininterval=10):
        target = (EmotionTarget.neutral() if name == "neutral"
                  else EmotionTarget.from_category(name, intensity))
        speech = tts.speak(target, seed=seed, text=text)
        takes.append(extract_features(speech.audio, speech.sample_rate))
    for text in sentences:
        speech = tts.neutral(text, seed=0)
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
    parser.add_argument("--out", default=str(asset_path("critic", "voice.json")))
    args = parser.parse_args(argv)
    if not Path(args.sentences).is_file():
        parser.error(f"sentences not found at {args.sentences}")
    sentences = [s for s in Path(args.sentences).read_text().splitlines()
                 if s.strip()][:args.tuning]
    tts = EmotionalTTS.load(prosody="diffusion")
    reference = measure(tts, sentences, tuple(int(s) for s in args.seeds.split(",")))
    reference.info["voice"] = getattr(getattr(tts.voice, "config", None), "name", None) or \
        "piper default voice"
    atomic_write_text(args.out, json.dumps(reference.to_dict()))
    print(f"wrote {args.out} ({reference.info['takes']} takes of {len(sentences)} sentences)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
