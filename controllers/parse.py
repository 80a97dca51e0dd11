"""The natural-language controller: an English description -> emotion targets, explained.

``parse_description("joyful at first, then sad")`` splits the description into phases in time
(:mod:`controllers.sequence`), reads each phase (:mod:`controllers.phase`: numbers, captions,
lexicon words with intensifiers, negation and mixtures, the EmoBank text model for unknown
words) and lists every cue that changed the result as ``{words, effect}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from controllers.errors import InputError
from controllers.limits import MAX_DESCRIPTION_CHARS
from controllers.phase import DescribedSegment, Explanation, read_phase
from controllers.sequence import split_phases, spread_offsets
from controllers.target import ATTRIBUTE_VALUES, EmotionPlan, EmotionSegment, EmotionTarget

__all__ = ["DescribedSegment", "Explanation", "ParseResult", "parse_description", "target_json"]


@dataclass(frozen=True)
class ParseResult:
    """What a description means: one target per phase, in order, and why."""

    description: str
    segments: tuple[DescribedSegment, ...]
    recognized: bool
    """False when nothing in the description was understood (the target is then neutral)."""
    explanation: tuple[Explanation, ...] = field(default=())

    @property
    def target(self) -> EmotionTarget:
        """The emotion at the start (the only one unless the description changes emotion)."""
        return self.segments[0].target

    @property
    def targets(self) -> tuple[EmotionTarget, ...]:
        return tuple(s.target for s in self.segments)

    def plan(self, text: str) -> EmotionPlan:
        """An :class:`EmotionPlan` for ``text``: the phases spread over its words in order."""
        offsets = spread_offsets(text, len(self.segments))
        bounds = offsets + [len(text)]
        return EmotionPlan(text, tuple(
            EmotionSegment(start, text[start:end], seg.target)
            for start, end, seg in zip(bounds, bounds[1:], self.segments)))

    def to_dict(self) -> dict:
        """The ``emostudio parse --json`` object (see ../shared/docs/CLI.md)."""
        out = target_json(self.target)
        out["recognized"] = self.recognized
        out["explanation"] = [e.to_dict() for e in self.explanation]
        out["segments"] = [{**target_json(s.target), "description": s.description.strip(" ,.;")}
                           for s in self.segments]
        return out


def target_json(target: EmotionTarget) -> dict:
    """A target as the CLI prints it: rounded numbers and all five attributes."""
    return {"valence": round(target.valence, 4), "arousal": round(target.arousal, 4),
            "dominance": round(target.dominance, 4), "category": target.category,
            "intensity": round(target.intensity, 4),
            "attributes": {k: target.attribute(k) for k in ATTRIBUTE_VALUES}}


# -- the whole description -------------------------------------------------------------------
def parse_description(text: str, use_text_model: bool = True) -> ParseResult:
    """Read an English emotion description.

    Raises :class:`InputError` for empty or blank input and for out-of-range numbers. A
    description with no cue at all reads as neutral with ``recognized=False``.
    """
    if text is None or not str(text).strip():
        raise InputError("the emotion description is empty; describe an emotion (e.g. 'slightly "
                         "sad, whispering'), or give numbers ('valence 0.5, arousal -0.2')")
    text = str(text)
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise InputError(f"the emotion description is {len(text)} characters long; up to "
                         f"{MAX_DESCRIPTION_CHARS} are read (describe the emotion in fewer words)")
    phases = [read_phase(p.text, use_text_model) for p in split_phases(text)]
    found = [p for p in phases if p.recognized]
    if not found:
        neutral = EmotionTarget.neutral()
        note = Explanation(text.strip(), "no emotion cue recognised: neutral")
        return ParseResult(text, (DescribedSegment(text, neutral, False, (note,)),), False, (note,))
    explanation = tuple(e for p in found for e in p.explanation)
    if len(found) > 1:
        explanation += (Explanation(" -> ".join(p.description.strip(" ,.;") for p in found),
                                    "sequence: " + " -> ".join(str(p.target.category) for p in found)),)
    return ParseResult(text, tuple(found), True, explanation)
