"""The emotion model: a point in valence-arousal-dominance space, a category, and voice attributes.

Every part of the studio is driven by an :class:`EmotionTarget` (one emotion) or an
:class:`EmotionPlan` (emotions that change along a line of text).

Category coordinates are Russell & Mehrabian's pleasure-arousal-dominance ratings of emotion
terms (J. A. Russell and A. Mehrabian, "Evidence for a three-factor theory of emotions",
Journal of Research in Personality 11:273-294, 1977), as tabulated for affective agents by
Gebhard (P. Gebhard, "ALMA: a layered model of affect", AAMAS 2005). Each category's point is
its full-intensity prototype; ``intensity`` scales the distance from neutral (the origin).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Iterable

from controllers.errors import InputError
from controllers.numbers import finite_number

#: (valence, arousal, dominance) of each category at intensity 1.0, each in [-1, 1].
CATEGORY_VAD: dict[str, tuple[float, float, float]] = {
    "neutral": (0.00, 0.00, 0.00),
    "happiness": (0.81, 0.51, 0.46),  # "happy"
    "sadness": (-0.63, -0.27, -0.33),  # "sad"
    "anger": (-0.51, 0.59, 0.25),  # "angry"
    "fear": (-0.64, 0.60, -0.43),  # "afraid"
    "disgust": (-0.60, 0.35, 0.11),  # "disgusted"
    "surprise": (0.40, 0.67, -0.13),  # "surprised"
    "calm": (0.68, -0.46, 0.06),  # "relaxed"
}

#: The studio's emotion categories, in a fixed order (used for probability vectors).
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_VAD)

#: Accepted values of each paralinguistic attribute; the first is the default.
ATTRIBUTE_VALUES: dict[str, tuple[str, ...]] = {
    "pitch_level": ("normal", "low", "high"),
    "pitch_variation": ("normal", "low", "high"),
    "loudness": ("normal", "quiet", "loud"),
    "rate": ("normal", "slow", "fast"),
    "voice_quality": ("modal", "breathy", "whisper", "tense", "creaky"),
}


def _finite(name: str, x) -> float:
    return finite_number(name, x)


def _clip(x: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return float(min(hi, max(lo, x)))


@dataclass(frozen=True)
class EmotionTarget:
    """One emotion to perform.

    ``valence``, ``arousal`` and ``dominance`` are the point actually performed (intensity already
    applied). ``category`` names the discrete emotion when there is one; ``intensity`` is how far
    the point lies from neutral towards the category's prototype.
    """

    valence: float = 0.0
    """Pleasantness, -1 (very unpleasant) .. +1 (very pleasant)."""
    arousal: float = 0.0
    """Activation, -1 (sleepy, calm) .. +1 (excited, agitated)."""
    dominance: float = 0.0
    """Control, -1 (submissive, helpless) .. +1 (dominant, in control)."""
    category: str | None = None
    """One of :data:`CATEGORIES`, or None for a purely dimensional target."""
    intensity: float = 0.0
    """0 (no emotion) .. 1 (the full prototype)."""
    attributes: dict[str, str] = field(default_factory=dict)
    """Paralinguistic attributes that differ from the default, e.g. ``{"loudness": "quiet"}``."""

    def __post_init__(self) -> None:
        for name in ("valence", "arousal", "dominance"):
            value = getattr(self, name)
            if not -1.0 <= float(value) <= 1.0:
                raise InputError(f"{name} {value} is outside [-1, 1]")
        if self.category is not None and self.category not in CATEGORY_VAD:
            raise InputError(
                f"unknown emotion category {self.category!r}; accepted: {', '.join(CATEGORIES)}"
            )
        if not 0.0 <= float(self.intensity) <= 1.0:
            raise InputError(f"intensity {self.intensity} is outside [0, 1]")
        for key, value in self.attributes.items():
            if key not in ATTRIBUTE_VALUES:
                raise InputError(
                    f"unknown attribute {key!r}; accepted: {', '.join(ATTRIBUTE_VALUES)}"
                )
            if value not in ATTRIBUTE_VALUES[key]:
                raise InputError(
                    f"{key} {value!r} is not accepted; use one of {', '.join(ATTRIBUTE_VALUES[key])}"
                )

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def neutral(cls) -> EmotionTarget:
        """The neutral target: category ``"neutral"``, intensity 0, V = A = D = 0."""
        return cls(category="neutral", intensity=0.0)

    @classmethod
    def from_category(
        cls, category: str, intensity: float = 1.0, attributes: dict[str, str] | None = None
    ) -> EmotionTarget:
        """The category's prototype scaled by ``intensity`` (0..1) towards neutral."""
        if category not in CATEGORY_VAD:
            raise InputError(
                f"unknown emotion category {category!r}; accepted: {', '.join(CATEGORIES)}"
            )
        intensity = _clip(_finite("intensity", intensity), 0.0, 1.0)
        v, a, d = (intensity * c for c in CATEGORY_VAD[category])
        return cls(v, a, d, category, intensity, dict(attributes or {}))

    @classmethod
    def from_vad(
        cls, valence: float, arousal: float, dominance: float = 0.0,
        attributes: dict[str, str] | None = None,
    ) -> EmotionTarget:
        """A dimensional target; category and intensity are those of the nearest prototype.

        Values beyond [-1, 1] are clipped; NaN and infinities are refused (InputError)."""
        valence, arousal, dominance = (_finite(n, x) for n, x in (
            ("valence", valence), ("arousal", arousal), ("dominance", dominance)))
        category, intensity = nearest_category(valence, arousal, dominance)
        return cls(_clip(valence), _clip(arousal), _clip(dominance), category, intensity,
                   dict(attributes or {}))

    # -- derived ------------------------------------------------------------------------------
    @property
    def vad(self) -> tuple[float, float, float]:
        """(valence, arousal, dominance), each in [-1, 1]."""
        return (self.valence, self.arousal, self.dominance)

    def attribute(self, name: str) -> str:
        """The attribute's value, or its default when unset."""
        return self.attributes.get(name, ATTRIBUTE_VALUES[name][0])

    def with_intensity(self, intensity: float) -> EmotionTarget:
        """The same emotion moved along the line from neutral to ``intensity``."""
        intensity = _clip(intensity, 0.0, 1.0)
        if self.category and self.category != "neutral":
            return EmotionTarget.from_category(self.category, intensity, self.attributes)
        scale = intensity / self.intensity if self.intensity > 0 else 0.0
        return replace(self, valence=_clip(self.valence * scale),
                       arousal=_clip(self.arousal * scale),
                       dominance=_clip(self.dominance * scale), intensity=intensity)

    def to_dict(self) -> dict:
        """JSON-ready fields, with every attribute spelled out (defaults included)."""
        d = asdict(self)
        d["attributes"] = {k: self.attribute(k) for k in ATTRIBUTE_VALUES}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> EmotionTarget:
        """Inverse of :meth:`to_dict`; missing fields take their defaults."""
        attrs = {k: v for k, v in (d.get("attributes") or {}).items()
                 if v != ATTRIBUTE_VALUES.get(k, (None,))[0]}
        return cls(float(d.get("valence", 0.0)), float(d.get("arousal", 0.0)),
                   float(d.get("dominance", 0.0)), d.get("category"),
                   float(d.get("intensity", 0.0)), attrs)


def nearest_category(valence: float, arousal: float, dominance: float = 0.0) -> tuple[str, float]:
    """The category whose direction best matches a VAD point, and the point's intensity.

    Intensity is the projection of the point onto the category prototype, in [0, 1]. Points
    close to the origin (norm below 0.15) are neutral.
    """
    import math

    norm = math.sqrt(valence**2 + arousal**2 + dominance**2)
    if norm < 0.15:
        return "neutral", 0.0
    best, best_cos, best_proj = "neutral", -2.0, 0.0
    for name, (cv, ca, cd) in CATEGORY_VAD.items():
        cnorm = math.sqrt(cv**2 + ca**2 + cd**2)
        if cnorm == 0.0:
            continue
        dot = valence * cv + arousal * ca + dominance * cd
        cos = dot / (norm * cnorm)
        if cos > best_cos:
            best, best_cos, best_proj = name, cos, dot / (cnorm**2)
    return best, _clip(best_proj, 0.0, 1.0)


def mix(targets: Iterable[EmotionTarget], weights: Iterable[float] | None = None) -> EmotionTarget:
    """Weighted mixture of targets: VAD averaged, attributes of later targets win.

    The category is the heaviest one's; intensity is re-measured on the mixed point.
    """
    targets = list(targets)
    if not targets:
        raise InputError("cannot mix an empty list of emotion targets")
    w = list(weights) if weights is not None else [1.0] * len(targets)
    total = sum(w)
    if total <= 0:
        raise InputError("mixture weights must sum to a positive number")
    v = sum(t.valence * wi for t, wi in zip(targets, w)) / total
    a = sum(t.arousal * wi for t, wi in zip(targets, w)) / total
    d = sum(t.dominance * wi for t, wi in zip(targets, w)) / total
    attrs: dict[str, str] = {}
    for t in targets:
        attrs.update(t.attributes)
    heaviest = max(zip(targets, w), key=lambda tw: tw[1])[0]
    category = heaviest.category
    intensity = sum(t.intensity * wi for t, wi in zip(targets, w)) / total
    return EmotionTarget(_clip(v), _clip(a), _clip(d), category, _clip(intensity, 0, 1), attrs)


def interpolate(a: EmotionTarget, b: EmotionTarget, t: float) -> EmotionTarget:
    """The target a fraction ``t`` (0..1) of the way from ``a`` to ``b``."""
    t = _clip(t, 0.0, 1.0)
    return mix([a, b], [1.0 - t, t]) if 0.0 < t < 1.0 else (a if t <= 0.0 else b)


@dataclass(frozen=True)
class EmotionSegment:
    """One stretch of text performed with one emotion."""

    start: int
    """Character offset in the plan's text where this emotion begins."""
    text: str
    """The text this segment covers (tags removed)."""
    target: EmotionTarget


@dataclass(frozen=True)
class EmotionPlan:
    """Emotions along one line of text: segments in order, the first starting at offset 0."""

    text: str
    """The whole line with inline tags removed."""
    segments: tuple[EmotionSegment, ...]

    def __post_init__(self) -> None:
        if not self.segments:
            raise InputError("an emotion plan needs at least one segment")

    @classmethod
    def constant(cls, text: str, target: EmotionTarget) -> EmotionPlan:
        """One segment: ``target`` over the whole of ``text``."""
        return cls(text, (EmotionSegment(0, text, target),))

    def target_at(self, offset: int) -> EmotionTarget:
        """The target in force at a character offset of :attr:`text`."""
        current = self.segments[0].target
        for seg in self.segments:
            if seg.start <= offset:
                current = seg.target
        return current

    @property
    def main_target(self) -> EmotionTarget:
        """The target of the longest segment (what a critic should expect overall)."""
        return max(self.segments, key=lambda s: len(s.text)).target

    def to_dict(self) -> dict:
        """``{"text", "segments": [{"start", "text", "target"}]}``, JSON-ready."""
        return {"text": self.text, "segments": [
            {"start": s.start, "text": s.text, "target": s.target.to_dict()} for s in self.segments]}

    @classmethod
    def from_dict(cls, d: dict) -> EmotionPlan:
        """Inverse of :meth:`to_dict`."""
        return cls(d["text"], tuple(EmotionSegment(int(s["start"]), s["text"],
                                                   EmotionTarget.from_dict(s["target"]))
                                    for s in d["segments"]))
