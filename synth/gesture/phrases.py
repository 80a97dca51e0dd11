"""Intonation phrases and pitch accents from a speech :class:`~synth.contracts.Timeline`.

A phrase ends at a pause (a ``"_"`` phoneme or a silent gap between words) or at punctuation.
Its accents are the stressed syllables of content words, ranked by their F0 peak above the
phrase's median F0 (semitones) plus their loudness; the focus word carries the gesture stroke
(see :func:`choose_focus`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synth.contracts import Timeline
from synth.gesture.lexicon import FUNCTION_WORDS, gesture_kind, normalise_word

#: Silences at least this long (seconds) split phrases.
MIN_PAUSE = 0.12
#: Punctuation that closes a phrase.
PHRASE_PUNCTUATION = ",.;:!?"
#: How strongly each lexicon kind claims the phrase's stroke (negation and affirmation carry
#: the message; a pronoun rarely does).
KIND_PRIORITY = {"negation": 3.0, "affirm": 3.0, "big": 2.0, "small": 2.0, "all": 2.0,
                 "enumerate": 2.0, "question": 1.5, "other": 1.5, "self": 0.8}
#: First characters of IPA vowel symbols (espeak style).
_VOWEL_START = set("aeiouyæɑɒɔəɛɜɪʊʌɐɚɝøœɘɵɤɯɨʉ")


@dataclass
class Accent:
    """A stressed syllable that may carry a beat or a stroke."""

    time: float
    """Vowel onset of the syllable in seconds (its perceptual beat): where a stroke or beat
    lands."""
    syllable: int
    """Index into :attr:`Timeline.syllables`."""
    word: int
    """Index into :attr:`Timeline.words`."""
    strength: float
    """Prominence: F0 peak above the phrase median in semitones plus energy above the phrase
    median in dB / 6. Larger is more prominent."""


@dataclass
class Phrase:
    """One intonation phrase: consecutive words between pauses or punctuation."""

    start: float
    """Onset of its first word, seconds."""
    end: float
    """Offset of its last word, seconds."""
    words: list[int]
    """Indices into :attr:`Timeline.words`."""
    accents: list[Accent] = field(default_factory=list)
    """Stressed syllables of content words, in time order."""
    punctuation: str = ""
    """The punctuation that closes it ("" when none)."""
    focus: Accent | None = None
    """The accent that carries the phrase's gesture stroke."""
    focus_kind: str | None = None
    """The lexicon kind of the focus word (see :mod:`synth.gesture.lexicon`), None for a plain
    (metaphoric) gesture."""
    char_start: int = -1
    """Character offset of its first word in the text, -1 when unknown."""

    @property
    def is_question(self) -> bool:
        return self.punctuation == "?"


def is_vowel(symbol: str) -> bool:
    """Whether an IPA phoneme symbol (piper's espeak set) starts with a vowel."""
    return bool(symbol) and symbol[0] in _VOWEL_START


def syllable_vowel_onsets(timeline: Timeline) -> dict[int, float]:
    """{syllable index: onset of its first vowel, seconds} (the syllable's perceptual beat)."""
    onsets: dict[int, float] = {}
    for p in timeline.phonemes:
        if p.syllable >= 0 and is_vowel(p.symbol) and p.syllable not in onsets:
            onsets[p.syllable] = p.start
    for s, syl in enumerate(timeline.syllables):
        onsets.setdefault(s, syl.start)
    return onsets


def _trailing_punctuation(timeline: Timeline, w: int, text: str | None) -> str:
    word = timeline.words[w]
    cs = word.char_start
    if text is not None and cs >= 0 and text[cs:cs + len(word.text)].lower() == word.text.lower():
        stop = len(text)
        if w + 1 < len(timeline.words) and timeline.words[w + 1].char_start > word.char_start:
            stop = timeline.words[w + 1].char_start
        tail = text[word.char_start:stop]
    else:
        tail = word.text
    marks = [c for c in tail if c in PHRASE_PUNCTUATION]
    if "?" in marks:
        return "?"
    return marks[-1] if marks else ""


def _curve_at(curve: np.ndarray, hop: float, start: float, end: float) -> np.ndarray:
    if len(curve) == 0:
        return np.zeros(0, np.float32)
    a = int(np.clip(np.floor(start / hop), 0, len(curve) - 1))
    b = int(np.clip(np.ceil(end / hop) + 1, a + 1, len(curve)))
    return curve[a:b]


def split_phrases(timeline: Timeline, text: str | None = None) -> list[Phrase]:
    """Phrases of a timeline: split at pauses of at least :data:`MIN_PAUSE` s and punctuation.

    ``text`` is the text the words' ``char_start`` offsets point into (the plan's text); without
    it, punctuation is looked for in the words themselves.
    """
    words = timeline.words
    if not words:
        return []
    pauses = [(p.start, p.end) for p in timeline.phonemes
              if p.symbol == "_" and p.end - p.start >= MIN_PAUSE]
    phrases: list[Phrase] = []
    current: list[int] = []
    for w in range(len(words)):
        current.append(w)
        punct = _trailing_punctuation(timeline, w, text)
        last = w + 1 == len(words)
        gap = 0.0 if last else words[w + 1].start - words[w].end
        paused = any(words[w].end - 0.03 <= s and (last or e <= words[w + 1].start + 0.03)
                     for s, e in pauses)
        if last or punct or gap >= MIN_PAUSE or paused:
            phrases.append(Phrase(start=words[current[0]].start, end=words[current[-1]].end,
                                  words=current, punctuation=punct,
                                  char_start=words[current[0]].char_start))
            current = []
    for phrase in phrases:
        phrase.accents = _accents(timeline, phrase)
        choose_focus(timeline, phrase, text)
    return phrases


def _accents(timeline: Timeline, phrase: Phrase) -> list[Accent]:
    f0 = _curve_at(timeline.f0, timeline.hop, phrase.start, phrase.end)
    voiced = f0[f0 > 0]
    median_st = 12 * np.log2(np.median(voiced) / 55.0) if len(voiced) else 0.0
    energy = _curve_at(timeline.energy, timeline.hop, phrase.start, phrase.end)
    median_db = float(np.median(energy)) if len(energy) else 0.0
    word_set = set(phrase.words)
    beat_time = syllable_vowel_onsets(timeline)
    by_word: dict[int, list[int]] = {}
    for s, syl in enumerate(timeline.syllables):
        if syl.word in word_set:
            by_word.setdefault(syl.word, []).append(s)
    accents = []
    for w, syllables in by_word.items():
        word = timeline.words[w].text
        bearing = gesture_kind(word, _next_text(timeline, w)) is not None
        if normalise_word(word) in FUNCTION_WORDS and not bearing:
            continue
        stressed = [s for s in syllables
                    if timeline.syllables[s].stress == 1 or timeline.syllables[s].accent]
        if not stressed and not bearing:
            continue
        s = (stressed or syllables)[0]
        syl = timeline.syllables[s]
        sf0 = _curve_at(timeline.f0, timeline.hop, syl.start, syl.end)
        sf0 = sf0[sf0 > 0]
        peak_st = 12 * np.log2(sf0.max() / 55.0) - median_st if len(sf0) else 0.0
        sen = _curve_at(timeline.energy, timeline.hop, syl.start, syl.end)
        loud = (float(sen.max()) - median_db) / 6.0 if len(sen) else 0.0
        accents.append(Accent(time=beat_time.get(s, syl.start), syllable=s, word=w,
                              strength=float(peak_st + loud)))
    accents.sort(key=lambda a: a.time)
    return accents


def choose_focus(timeline: Timeline, phrase: Phrase, text: str | None = None) -> None:
    """Set the phrase's focus accent and its lexicon kind.

    A gesture-bearing word (lexicon) wins; otherwise the most prominent accent, with a bonus
    for the last one (English puts the nuclear accent late by default). Questions without a
    lexicon word get an open-palm (``"question"``) gesture on their focus.
    """
    if not phrase.accents:
        phrase.focus, phrase.focus_kind = None, ("question" if phrase.is_question else None)
        return
    lexical = []
    for w in phrase.words:
        kind = gesture_kind(timeline.words[w].text, _next_text(timeline, w))
        hits = [a for a in phrase.accents if a.word == w]
        if kind is not None and hits:
            stressed = any(timeline.syllables[a.syllable].stress == 1 for a in hits)
            score = KIND_PRIORITY[kind] + 0.5 * stressed + 0.1 * hits[0].strength
            lexical.append((score, hits[0], kind))
    if lexical:
        _, phrase.focus, phrase.focus_kind = max(lexical, key=lambda item: item[0])
        return
    scores = [a.strength + (1.0 if i == len(phrase.accents) - 1 else 0.0)
              for i, a in enumerate(phrase.accents)]
    phrase.focus = phrase.accents[int(np.argmax(scores))]
    phrase.focus_kind = "question" if phrase.is_question else None



def _next_text(timeline: Timeline, w: int) -> str | None:
    return timeline.words[w + 1].text if w + 1 < len(timeline.words) else None
