"""One phase of a description (no change of emotion inside it) -> one emotion target.

Cues, in the order they are read: explicit numbers (:mod:`controllers.numbers`), caption
phrases (:mod:`controllers.caption`), lexicon words and emoji with their modifiers
(:mod:`controllers.lexicon`): intensifiers and diminishers, negation ("not angry at all"),
masks ("trying to sound confident"). Several emotion words mix: the performed point is the
weighted mean of each word's point (intensity times the word's VAD point), the category is the
strongest named one. Content words the lexicon lacks go to the EmoBank text model
(:mod:`controllers.text_vad`), trusted only when it is confident.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from controllers.caption import caption_attributes, find_caption_cues
from controllers.lexicon import (FUNCTION_WORDS, AttributeWord, EmotionWord, Match, Modifier,
                                 load_lexicon, normalize, tokenize)
from controllers.numbers import blank_spans, find_numbers
from controllers.target import ATTRIBUTE_VALUES, CATEGORY_VAD, EmotionTarget, nearest_category

#: A negated word ("not angry") leans this fraction of the way to the word's opposite point.
NEGATION_REBOUND = 0.35
#: Weight of a negated word in a mixture (a full emotion word weighs 1).
NEGATED_WEIGHT = 0.5
#: Weight of a masked emotion ("trying to sound confident") in a mixture.
MASK_WEIGHT = 0.4
#: Largest arousal that paralinguistic words alone give ("shouting" with no emotion named).
ATTRIBUTE_AROUSAL_LIMIT = 0.5
#: The text model counts as a cue only beyond this many standard deviations of EmoBank ratings
#: in valence, or :data:`TEXT_MODEL_MIN_AROUSAL_Z` in arousal (the noisier dimension: test r
#: 0.35 against 0.57). Measured: random letter strings reach at most 0.62, the 30 neutral
#: benchmark sentences at most 0.71.
TEXT_MODEL_MIN_Z = 0.85
TEXT_MODEL_MIN_AROUSAL_Z = 1.4
#: A dimensional mixture takes the nearest category only when it points this close to it.
CATEGORY_MIN_COSINE = 0.75
#: Tokens that end the reach of a modifier or negator.
_BOUNDARY = frozenset(",.;:!?()[]/") | {"but", "and", "or", "yet", "while", "though", "although",
                                          "however", "with", "plus"}
_MAX_GAP = 2  # unmatched words allowed between a modifier and its word ("not feeling angry")


@dataclass(frozen=True)
class Explanation:
    """Which words set what."""

    words: str
    effect: str

    def to_dict(self) -> dict[str, str]:
        return {"words": self.words, "effect": self.effect}


@dataclass(frozen=True)
class DescribedSegment:
    """One phase of a description and the target it reads as."""

    description: str
    """The phase's words."""
    target: EmotionTarget
    recognized: bool
    """Whether any cue was found in this phase."""
    explanation: tuple[Explanation, ...] = ()
    emotional: bool = False
    """Whether the phase names an emotion (words, numbers, the text model), not only voice
    attributes; an inline tag like ``[whisper]`` keeps the emotion before it when False."""


def _category_of(vad) -> str:
    """The nearest category of a point, or neutral when it is near none of them (a dominant
    but neither pleasant nor unpleasant voice is not "happy")."""
    category, _ = nearest_category(*vad)
    if category == "neutral":
        return category
    proto = CATEGORY_VAD[category]
    norm = math.sqrt(sum(c * c for c in vad)) * math.sqrt(sum(c * c for c in proto))
    cosine = sum(a * b for a, b in zip(vad, proto)) / norm
    return category if cosine >= CATEGORY_MIN_COSINE else "neutral"


# -- one phase -------------------------------------------------------------------------------------
@dataclass
class _Cue:
    words: str
    word: EmotionWord
    intensity: float
    weight: float
    negated: bool

    @property
    def vad(self) -> tuple[float, float, float]:
        point = self.word.vad(self.intensity)
        if self.negated:
            return tuple(-NEGATION_REBOUND * c for c in point)  # type: ignore[return-value]
        return point


def _modifiers_before(k: int, matches: list[Match], tokens: list[str]) -> tuple[list[Match], int]:
    """Modifier matches that reach match ``k`` (nearest first) and the first token they cover."""
    found: list[Match] = []
    pos = matches[k].start
    for j in range(k - 1, -1, -1):
        prev = matches[j]
        between = tokens[prev.end:pos]
        if any(t in _BOUNDARY for t in between) or len(between) > _MAX_GAP:
            break
        if not all(isinstance(e, Modifier) for e in prev.entries):
            break
        found.append(prev)
        pos = prev.start
    return found, pos


def _phase_cues(tokens: list[str], matches: list[Match]):
    """Emotion cues, attribute words (with their arousal nudge) and explanations of one phase."""
    cues: list[_Cue] = []
    attributes: dict[str, str] = {}
    nudge = 0.0
    notes: list[Explanation] = []
    for k, m in enumerate(matches):
        words = [e for e in m.entries if isinstance(e, EmotionWord)]
        attrs = [e for e in m.entries if isinstance(e, AttributeWord)]
        if not words and not attrs:
            continue
        mods, first = _modifiers_before(k, matches, tokens)
        negated = any(e.kind == "negate" for mm in mods for e in mm.entries)
        masked = any(e.kind == "mask" for mm in mods for e in mm.entries)
        phrase = " ".join(tokens[first:m.end])
        for word in words:
            intensity = word.intensity
            for mm in mods:  # nearest first
                for e in mm.entries:
                    intensity = e.apply(intensity)
            weight = NEGATED_WEIGHT if negated else (MASK_WEIGHT if masked else 1.0)
            cue = _Cue(phrase, word, intensity, weight, negated)
            cues.append(cue)
            name = word.category or f"{word.nearest_category}-like"
            v, a, d = cue.vad
            if negated:
                effect = f"negated {name}: leans away from it (valence {v:+.2f}, arousal {a:+.2f})"
            elif word.category == "neutral":
                effect = "neutral"
            else:
                effect = (f"{name}, intensity {intensity:.2f} (valence {v:+.2f}, arousal {a:+.2f}, "
                          f"dominance {d:+.2f})")
                if masked:
                    effect += f"; a masked emotion, weight {MASK_WEIGHT}"
            if m.lemma:
                effect += f" [as '{m.lemma}']"
            notes.append(Explanation(phrase, effect))
        for attr in attrs:
            if negated:
                notes.append(Explanation(phrase, "negated: attribute left at its default"))
                continue
            attributes.update(attr.attributes)
            nudge += attr.arousal
            notes.append(Explanation(
                phrase, ", ".join(f"{key} {value}" for key, value in attr.attributes.items())))
    return cues, attributes, nudge, notes


def _unexplained_words(tokens: list[str], matches: list[Match]) -> list[str]:
    covered = {i for m in matches for i in range(m.start, m.end)}
    return [t for i, t in enumerate(tokens)
            if i not in covered and t.isalpha() and t not in FUNCTION_WORDS]


def read_phase(text: str, use_text_model: bool = True) -> DescribedSegment:
    """The target of one phase of a description (no time changes inside)."""
    numbers = find_numbers(text)
    rest = normalize(blank_spans(text, [n.span for n in numbers]))
    captions = find_caption_cues(rest)
    rest = blank_spans(rest, [c.span for c in captions])
    tokens = tokenize(rest)
    matches = load_lexicon().match(tokens)
    cues, word_attrs, nudge, notes = _phase_cues(tokens, matches)
    notes = [Explanation(c.text, f"{c.attribute} {c.value}" + (" (indirect)" if c.weak else ""))
             for c in captions] + notes
    model_cue = None
    if use_text_model and not cues and not any(n.name != "intensity" for n in numbers):
        model_cue = _text_model_cue(_unexplained_words(tokens, matches))
        if model_cue is not None:
            cues.append(model_cue[0])
            notes.append(model_cue[1])

    attributes = {**word_attrs, **caption_attributes(captions)}
    attributes = {k: v for k, v in attributes.items() if v != ATTRIBUTE_VALUES[k][0]}
    target = _compose(cues, nudge, numbers, attributes, notes)
    recognized = bool(cues or numbers or captions or word_attrs or notes)
    emotional = bool(cues) or any(n.name != "intensity" for n in numbers)
    return DescribedSegment(text, target, recognized, tuple(notes), emotional)


def _text_model_cue(words: list[str]):
    if not words:
        return None
    from controllers.text_vad import predict_vad  # lazy: loads the weights on first use

    pred = predict_vad(" ".join(words))
    zv, za, _ = pred.z
    if abs(zv) < TEXT_MODEL_MIN_Z and abs(za) < TEXT_MODEL_MIN_AROUSAL_Z:
        return None
    category, intensity = nearest_category(*pred.vad)
    intensity = max(intensity, 0.3)
    word = EmotionWord(None, intensity, tuple(c / intensity for c in pred.vad))
    cue = _Cue(" ".join(words), word, intensity, 1.0, False)
    v, a, d = pred.vad
    shown = [f for f in pred.strongest if not f.startswith("#")] or words
    note = Explanation(" ".join(shown),
                       f"text model (EmoBank): valence {v:+.2f}, arousal {a:+.2f}, "
                       f"dominance {d:+.2f} ({category}-like)")
    return cue, note


def _compose(cues: list[_Cue], nudge: float, numbers, attributes: dict[str, str],
             notes: list[Explanation]) -> EmotionTarget:
    """Mix the cues of one phase into one target, then apply explicit numbers."""
    if cues:
        total = sum(c.weight for c in cues)
        vad = [sum(c.weight * c.vad[i] for c in cues) / total for i in range(3)]
        positive = [c for c in cues if not c.negated]
        emotional = [c for c in positive if c.word.category != "neutral"]
        if emotional:
            named = [c for c in emotional if c.word.category is not None]
            if named:
                category = max(named, key=lambda c: c.weight * c.intensity).word.category
            else:
                category = _category_of(vad)
            weight = sum(c.weight for c in emotional)
            intensity = sum(c.weight * c.intensity for c in emotional) / weight
        elif positive:  # only neutral words, perhaps with negated ones
            category, intensity = "neutral", 0.0
        else:
            category = _category_of(vad)
            intensity = nearest_category(*vad)[1] if category != "neutral" else 0.0
        if len(cues) > 1:
            notes.append(Explanation(" + ".join(c.words for c in cues),
                                     f"mixed: valence {vad[0]:+.2f}, arousal {vad[1]:+.2f}, "
                                     f"dominance {vad[2]:+.2f}, {category}"))
    else:
        arousal = max(-ATTRIBUTE_AROUSAL_LIMIT, min(ATTRIBUTE_AROUSAL_LIMIT, nudge))
        vad, category, intensity = [0.0, arousal, 0.0], "neutral", 0.0

    if category == "neutral":
        intensity = 0.0
    explicit = {n.name: n.value for n in numbers}
    if "intensity" in explicit and cues:
        main = max((c for c in cues if not c.negated), key=lambda c: c.weight, default=None)
        if main is not None and main.word.category != "neutral":
            intensity = explicit["intensity"]
            vad = list(main.word.vad(intensity))
    for i, name in enumerate(("valence", "arousal", "dominance")):
        if name in explicit:
            vad[i] = explicit[name]
    for n in numbers:
        notes.insert(0, Explanation(n.text, f"{n.name} {n.value:+.2f}" if n.name != "intensity"
                                    else f"intensity {n.value:.2f}"))
    if any(name in explicit for name in ("valence", "arousal", "dominance")) and not cues:
        category, intensity = nearest_category(*vad)
    vad = [max(-1.0, min(1.0, x)) for x in vad]
    intensity = max(0.0, min(1.0, intensity))
    return EmotionTarget(vad[0], vad[1], vad[2], category, intensity, attributes)


