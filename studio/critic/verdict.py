"""The critic's records: what it varied, what each recogniser read, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from controllers.target import EmotionPlan, EmotionTarget
from studio.critic.estimate import EmotionEstimate
from studio.critic.segments import SegmentSpan

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
    """Face-only: an alternative expression prototype (``synth.face.expression_variants``)."""
    body_offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Body-only: (valence, arousal, dominance) added to the body's target point."""
    segments: tuple[Controls, ...] = ()
    """A line whose emotion changes: each plan segment's own controls, in plan order (their
    target, intensity, strength and body offset are the segment's; seed, guidance and the face
    controls are the line's, as above). Empty for a line with one emotion; then :attr:`target`
    replaces the plan's main target (:meth:`voice_plan`)."""

    @property
    def speech_key(self) -> tuple:
        """What the voice depends on: two controls with the same key give the same speech, so
        a render callback may reuse it when only the face or body controls changed."""
        return (repr(self.target.to_dict()), self.seed, round(self.guidance, 6),
                tuple(repr(s.target.to_dict()) for s in self.segments))

    @property
    def body_key(self) -> tuple:
        """What the body depends on besides the voice (the body offsets, per segment)."""
        return tuple(round(x, 3) for c in (self, *self.segments) for x in c.body_offset)

    def voice_plan(self, plan: EmotionPlan) -> EmotionPlan:
        """The plan the voice and face perform: each segment's corrected target, or (one
        emotion) :attr:`target` in place of the plan's main target; other segments keep
        theirs."""
        # replace(plan, ...), not a new EmotionPlan: a plan's other contents (an SSML plan's
        # speech directions) ride along into the corrected takes
        if self.segments:
            if len(self.segments) != len(plan.segments):
                raise ValueError("controls made for a plan with another number of segments")
            return replace(plan, segments=tuple(replace(s, target=c.target)
                                                for s, c in zip(plan.segments, self.segments)))
        main = plan.main_target
        return replace(plan, segments=tuple(replace(s, target=self.target) if s.target == main
                                            else s for s in plan.segments))

    def body_plan(self, plan: EmotionPlan) -> EmotionPlan:
        """The plan the body performs: :meth:`voice_plan` with each body offset applied."""
        if self.segments:
            return replace(plan, segments=tuple(replace(s, target=c.body_target)
                                                for s, c in zip(plan.segments, self.segments)))
        main = plan.main_target
        return replace(plan, segments=tuple(replace(s, target=self.body_target)
                                            if s.target == main else s for s in plan.segments))

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
        """The face configuration (``synth.face.face_controls``) with this take's face gain and
        variant."""
        from synth.face import face_controls

        return face_controls(self.face_gain, self.face_variant)

    def to_dict(self) -> dict:
        return {"target": self.target.to_dict(), "intensity": round(self.intensity, 4),
                "guidance": round(self.guidance, 4), "seed": self.seed,
                "va_offset": [round(x, 4) for x in self.va_offset], "iteration": self.iteration,
                "strength": self.strength, "face_gain": round(self.face_gain, 4),
                "face_variant": self.face_variant,
                "body_offset": [round(x, 4) for x in self.body_offset],
                **({"segments": [c.to_dict() for c in self.segments]} if self.segments else {})}


@dataclass
class SegmentRecord:
    """How one segment of a take (one emotion of the line) was read."""

    span: SegmentSpan
    """The segment: text, target, time span in the take."""
    estimates: dict[str, EmotionEstimate]
    """modality -> its reading over the segment's time span (and "fused")."""
    agreement: dict[str, bool]
    """modality -> whether that reading agrees with the segment's target."""
    va_error: float
    """Distance between the fused (valence, arousal) and the segment target's."""
    target_probability: float
    """Mean over judged modalities of the probability they give the segment's category."""
    problem: str | None = None
    """Why a modality could not be judged on this segment (e.g. too short), else None."""

    @property
    def agrees(self) -> bool:
        """Every modality was judged and agrees."""
        return all(self.agreement.get(m, False) for m in MODALITIES)

    def to_dict(self) -> dict:
        return {**self.span.to_dict(),
                "category": self.span.target.category,
                "agreement": self.agreement, "agrees": self.agrees,
                "va_error": round(self.va_error, 4),
                "target_probability": round(self.target_probability, 4),
                "estimates": {k: e.to_dict() for k, e in self.estimates.items()},
                **({"problem": self.problem} if self.problem else {})}


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
    segments: list[SegmentRecord] = field(default_factory=list)
    """Each segment's reading (one per plan segment; one over the whole take for a line with
    one emotion). With several, :attr:`estimates` are the main segment's, :attr:`agreement`
    holds where every segment agrees, and the target figures are segment means."""

    @property
    def agreeing(self) -> int:
        """Agreeing modalities (summed over the segments of a line with several emotions)."""
        if len(self.segments) > 1:
            return sum(sum(s.agreement.values()) for s in self.segments)
        return sum(self.agreement.values())

    def segment_view(self, k: int) -> IterationRecord:
        """Segment ``k`` as a record of its own: its controls (the line's seed, guidance and
        face), readings and agreement, judged against its own target."""
        seg = self.segments[k]
        c = self.controls
        controls = (replace(c.segments[k], seed=c.seed, guidance=c.guidance,
                            face_variant=c.face_variant, face_gain=c.face_gain,
                            iteration=c.iteration) if c.segments else c)
        return IterationRecord(self.iteration, controls, seg.estimates, seg.agreement,
                               seg.va_error, seg.target_probability, self.transcript, self.wer,
                               self.intelligible, seg.agrees and self.intelligible,
                               self.seconds)

    def score(self) -> tuple:
        """Sort key, larger is better: success, checks passed (agreeing modalities, plus one for
        the words), target support, -VA error.

        The words are one check among the others, not above them: they are transcribed only
        when every modality agrees, so an unchecked take passes it, and ranking words first
        let a take the recogniser heard as another emotion beat the one that agreed on all
        three modalities and lost a word or two to pocketsphinx (fear on the tuning sentences:
        the voice agreed on 60 % of the lines in one pass, on 30 % after the loop)."""
        return (self.success, self.agreeing + int(self.intelligible),
                round(self.target_probability, 6), -self.va_error)

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
            "segments": [seg.to_dict() for seg in self.segments],
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
    plan: EmotionPlan | None = None
    """The line's emotions as asked (None: one emotion, :attr:`target`)."""

    @property
    def best_record(self) -> IterationRecord:
        return self.iterations[self.best]

    def to_dict(self) -> dict:
        return {
            "target": self.target.to_dict(), "text": self.text, "loop": self.loop,
            **({"plan": self.plan.to_dict()} if self.plan is not None else {}),
            "verdict": {"success": self.success, "best_iteration": self.best,
                        "reason": self.reason, "iterations": len(self.iterations),
                        "agreement": self.best_record.agreement,
                        "segments": [segment_verdict(s) for s in self.best_record.segments]},
            "iterations": [r.to_dict() for r in self.iterations],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def segment_verdict(segment: SegmentRecord) -> dict:
    """One segment's verdict in ``critic.json``: span, target, what each modality read, whether
    it agrees."""
    return {"index": segment.span.index, "text": segment.span.text,
            "span": [round(segment.span.start, 4), round(segment.span.end, 4)],
            "target": segment.span.target.category, "agrees": segment.agrees,
            "agreement": segment.agreement,
            "read": {m: e.category for m, e in segment.estimates.items() if m != "fused"},
            **({"problem": segment.problem} if segment.problem else {})}
