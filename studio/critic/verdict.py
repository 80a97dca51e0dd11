"""The critic's records: what it varied, what each recogniser read, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from controllers.target import EmotionTarget
from studio.critic.estimate import EmotionEstimate

#: The modalities the critic judges, in report order.
MODALITIES: tuple[str, ...] = ("speech", "face", "body")


@dataclass
class Controls:
    """The knobs the critic turns between takes. ``target`` is what to synthesise."""

    target: EmotionTarget
    """The (possibly corrected) emotion to render: the user's target with intensity and
    valence/arousal offsets applied. Feed it to the TTS, face and gesture stages."""
    intensity: float
    """0..1 intensity the corrected target was built with."""
    guidance: float = 1.0
    """Diffusion prosody guidance scale (1 = the model's default strength)."""
    seed: int = 0
    """Sampling seed (a new seed is another diffusion sample)."""
    va_offset: tuple[float, float] = (0.0, 0.0)
    """(valence, arousal) added to the target point, each in [-0.5, 0.5]."""
    iteration: int = 0
    """0 for the first take."""
    strength: int = 0
    """Rung of the loop's strength ladder (0 = as asked; see studio.critic.loop)."""
    face_gain: float = 1.0
    """Face-only: scale of the facial expression (1 = as synthesised)."""
    face_variant: str | None = None
    """Face-only: alternative expression prototypes (synth.face.expression.CATEGORY_AU_VARIANTS)."""
    body_offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Body-only: (valence, arousal, dominance) added to the body's target point."""

    @property
    def speech_key(self) -> tuple:
        """What the voice depends on: two controls with the same key give the same speech, so
        a render callback may reuse it when only the face or body controls changed."""
        return (repr(self.target.to_dict()), self.seed, round(self.guidance, 6))

    @property
    def face_target(self) -> EmotionTarget:
        """What the face shows (the speech target; its exaggeration is :meth:`face_config`)."""
        return self.target

    @property
    def body_target(self) -> EmotionTarget:
        """What the body shows: the speech target moved by :attr:`body_offset`."""
        t = self.target
        v, a, d = (float(np.clip(x + o, -1.0, 1.0)) for x, o in zip(t.vad, self.body_offset))
        return EmotionTarget(v, a, d, t.category, t.intensity, dict(t.attributes))

    def face_config(self):
        """A ``synth.face.animator.FaceConfig`` with this take's face gain and variant."""
        from synth.face.animator import FaceConfig
        from synth.face.expression import ExpressionConfig

        return FaceConfig(expression=ExpressionConfig(gain=self.face_gain,
                                                      variant=self.face_variant))

    def to_dict(self) -> dict:
        return {"target": self.target.to_dict(), "intensity": round(self.intensity, 4),
                "guidance": round(self.guidance, 4), "seed": self.seed,
                "va_offset": [round(x, 4) for x in self.va_offset], "iteration": self.iteration,
                "strength": self.strength, "face_gain": round(self.face_gain, 4),
                "face_variant": self.face_variant,
                "body_offset": [round(x, 4) for x in self.body_offset]}


@dataclass
class IterationRecord:
    """One take as the critic judged it."""

    iteration: int
    controls: Controls
    estimates: dict[str, EmotionEstimate]
    """modality ("speech", "face", "body", "fused") -> estimate; absent modalities are missing."""
    agreement: dict[str, bool]
    """modality -> whether its reading agrees with the target."""
    va_error: float
    """Euclidean distance between the fused (valence, arousal) and the target's."""
    target_probability: float
    """Mean over judged modalities of the probability they give the target's category."""
    transcript: str | None = None
    """What pocketsphinx heard (None when not checked)."""
    wer: float | None = None
    """Word error rate of the transcript against the text."""
    intelligible: bool = True
    success: bool = False
    """Every judged modality agrees with the target and the words stay intelligible."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock seconds: ``render`` (the callback), ``judge`` (recognisers)."""

    @property
    def agreeing(self) -> int:
        return sum(self.agreement.values())

    def score(self) -> tuple:
        """Sort key, larger is better: success, agreeing modalities, target support, -VA error."""
        return (self.success, self.intelligible, self.agreeing, round(self.target_probability, 6),
                -self.va_error)

    def to_dict(self) -> dict:
        return {
            "iteration": self.iteration, "controls": self.controls.to_dict(),
            "estimates": {k: e.to_dict() for k, e in self.estimates.items()},
            "agreement": self.agreement, "va_error": round(self.va_error, 4),
            "target_probability": round(self.target_probability, 4),
            "transcript": self.transcript,
            "wer": None if self.wer is None else round(self.wer, 4),
            "intelligible": self.intelligible, "success": self.success,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@dataclass
class Verdict:
    """The outcome of judging (and possibly correcting) one take."""

    target: EmotionTarget
    """What the user asked for."""
    text: str | None
    iterations: list[IterationRecord]
    best: int
    """Index into :attr:`iterations` of the take handed back."""
    success: bool
    """True when the best take meets the target (all modalities agree, intelligible)."""
    reason: str
    """One honest sentence: what was reached, or what still disagrees."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds: ``total``, ``render`` (sum over takes), ``judge`` (sum over takes)."""
    loop: bool = False
    """Whether the closed loop ran (False: a single judged pass)."""

    @property
    def best_record(self) -> IterationRecord:
        return self.iterations[self.best]

    def to_dict(self) -> dict:
        return {
            "target": self.target.to_dict(), "text": self.text, "loop": self.loop,
            "verdict": {"success": self.success, "best_iteration": self.best,
                        "reason": self.reason, "iterations": len(self.iterations),
                        "agreement": self.best_record.agreement},
            "iterations": [r.to_dict() for r in self.iterations],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }
