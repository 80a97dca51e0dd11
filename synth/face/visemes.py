"""Phonemes -> Oculus visemes, with coarticulation.

The voice writes IPA as espeak-ng does for piper (``"p"``, ``"ɑː"``, ``"aɪ"``, ``"tʃ"``,
``"ɚ"``);
each symbol maps to one of the 15 Oculus visemes (diphthongs to two, in sequence).

Coarticulation follows Cohen & Massaro's dominance model (M. M. Cohen and D. W. Massaro,
"Modeling coarticulation in synthetic visual speech", Models and Techniques in Computer
Animation, 1993): every phoneme exerts a dominance over time that peaks on its own interval and
decays exponentially before (anticipation) and after (carry-over) it; a viseme's weight at time
``t`` is its share of the total dominance. Bilabials (p b m) and labiodentals (f v) have a high,
narrow dominance, so their neighbours cannot override them; tongue consonants (t d k s n ...) have a
low one, so the lips take the shape of the surrounding vowels ("s" in "soup" is rounded).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from synth.contracts import OCULUS_VISEMES, Timeline

#: Index of each Oculus viseme in :data:`OCULUS_VISEMES`.
VISEME_INDEX: dict[str, int] = {name: i for i, name in enumerate(OCULUS_VISEMES)}

#: IPA symbol (espeak-ng, stress and length marks removed) -> Oculus viseme(s).
#: A tuple of two is a diphthong or affricate spoken as two successive mouth shapes.
PHONEME_VISEMES: dict[str, tuple[str, ...]] = {
    # pauses and silence
    "_": ("sil",), " ": ("sil",), ",": ("sil",), ".": ("sil",), "!": ("sil",), "?": ("sil",),
    ";": ("sil",), ":": ("sil",), "—": ("sil",), "-": ("sil",), "ʔ": ("sil",),
    # bilabials, labiodentals, dentals
    "p": ("PP",), "b": ("PP",), "m": ("PP",), "ɱ": ("FF",),
    "f": ("FF",), "v": ("FF",),
    "θ": ("TH",), "ð": ("TH",),
    # alveolars and velars
    "t": ("DD",), "d": ("DD",), "ɾ": ("DD",), "ɗ": ("DD",),
    "k": ("kk",), "ɡ": ("kk",), "g": ("kk",), "ŋ": ("kk",), "x": ("kk",), "h": ("kk",),
    "ç": ("kk",),
    "tʃ": ("CH",), "dʒ": ("CH",), "ʃ": ("CH",), "ʒ": ("CH",),
    "s": ("SS",), "z": ("SS",),
    "n": ("nn",), "l": ("nn",), "ɫ": ("nn",), "n̩": ("nn",), "l̩": ("nn",), "ɲ": ("nn",),
    "ɹ": ("RR",), "r": ("RR",), "ɻ": ("RR",), "ɚ": ("RR",), "ɝ": ("RR",), "ɜ": ("E",),
    "j": ("ih",), "w": ("ou",), "ʍ": ("ou",),
    # vowels
    "ɑ": ("aa",), "a": ("aa",), "æ": ("aa",), "ʌ": ("aa",), "ɐ": ("aa",), "ɒ": ("oh",),
    "ɛ": ("E",), "e": ("E",), "ə": ("E",),
    "ɪ": ("ih",), "i": ("ih",), "ᵻ": ("ih",), "ɨ": ("ih",), "y": ("ou",),
    "ɔ": ("oh",), "o": ("oh",), "ɵ": ("oh",),
    "u": ("ou",), "ʊ": ("ou",), "ʉ": ("ou",),
    # diphthongs and affricates as piper may group them
    "aɪ": ("aa", "ih"), "aʊ": ("aa", "ou"), "eɪ": ("E", "ih"), "oʊ": ("oh", "ou"),
    "əʊ": ("E", "ou"), "ɔɪ": ("oh", "ih"), "ɪə": ("ih", "E"), "ɛə": ("E", "E"),
    "ʊə": ("ou", "E"), "ɑɹ": ("aa", "RR"), "ɔɹ": ("oh", "RR"), "ɛɹ": ("E", "RR"),
    "ɪɹ": ("ih", "RR"), "ʊɹ": ("ou", "RR"), "aɪɚ": ("aa", "RR"), "aɪə": ("aa", "E"),
}

_IGNORED_MARKS = set("ˈˌːˑ'^$#↓\u0303\u0329\u032a\u032f\u0361\u0308")


@dataclass(frozen=True)
class Dominance:
    """How strongly a viseme holds the lips (Cohen & Massaro's dominance function)."""

    magnitude: float
    """Peak dominance (dimensionless); higher wins over the neighbours."""
    anticipation: float
    """Decay rate before the phoneme in 1/s (smaller = the shape starts earlier)."""
    carryover: float
    """Decay rate after the phoneme in 1/s."""


#: Dominance per viseme. Bilabials and labiodentals dominate; tongue consonants are weak on lips.
DOMINANCE: dict[str, Dominance] = {
    "sil": Dominance(2.0, 14.0, 14.0),
    "PP": Dominance(6.0, 22.0, 45.0),
    "FF": Dominance(4.0, 24.0, 40.0),
    "TH": Dominance(1.2, 30.0, 30.0),
    "DD": Dominance(0.6, 35.0, 35.0),
    "kk": Dominance(0.5, 35.0, 35.0),
    "CH": Dominance(1.5, 25.0, 30.0),
    "SS": Dominance(0.8, 30.0, 30.0),
    "nn": Dominance(0.6, 35.0, 35.0),
    "RR": Dominance(1.2, 25.0, 30.0),
    "aa": Dominance(1.0, 16.0, 16.0),
    "E": Dominance(1.0, 18.0, 18.0),
    "ih": Dominance(1.0, 18.0, 18.0),
    "oh": Dominance(1.3, 14.0, 16.0),
    "ou": Dominance(1.5, 12.0, 16.0),
}


@dataclass
class VisemeSegment:
    """One viseme spoken over an interval."""

    viseme: str
    """Oculus viseme name."""
    start: float
    """Onset in seconds."""
    end: float
    """Offset in seconds."""
    stress: int = 0
    """Lexical stress of its syllable (0, 1, 2)."""


def normalize_symbol(symbol: str) -> str:
    """The symbol without stress, length and combining marks (``"ˈɑː"`` -> ``"ɑ"``)."""
    symbol = unicodedata.normalize("NFC", symbol)
    if not symbol.strip():
        return "_"
    return "".join(ch for ch in symbol if ch not in _IGNORED_MARKS)


def phoneme_visemes(symbol: str) -> tuple[str, ...]:
    """Oculus viseme(s) of one IPA symbol; ``()`` for a bare mark (stress, length).

    Unknown multi-character symbols are read character by character (so ``"tʃ"`` and
    ``"aɪ"`` work however the voice groups them); unknown single characters become ``"sil"``
    only if they are punctuation, otherwise they are skipped.
    """
    base = normalize_symbol(symbol)
    if not base:
        return ()
    if base in PHONEME_VISEMES:
        return PHONEME_VISEMES[base]
    out: list[str] = []
    for ch in base:
        vis = PHONEME_VISEMES.get(ch)
        if vis:
            out.extend(vis)
        elif unicodedata.category(ch).startswith("P"):
            out.append("sil")
    # collapse repeats ("tt" from a split affricate)
    return tuple(v for i, v in enumerate(out) if i == 0 or v != out[i - 1])


def viseme_segments(timeline: Timeline) -> list[VisemeSegment]:
    """The timeline's phonemes as viseme segments; a diphthong's interval is split in two.

    Gaps between phonemes and the stretches before the first and after the last are silence.
    """
    segments: list[VisemeSegment] = []
    cursor = 0.0
    for ph in timeline.phonemes:
        start, end = float(ph.start), float(ph.end)
        if end <= start:
            continue
        if start - cursor > 0.02:
            segments.append(VisemeSegment("sil", cursor, start))
        visemes = phoneme_visemes(ph.symbol)
        if not visemes:
            cursor = max(cursor, end)
            continue
        # the first half of a diphthong is the longer, steadier part
        bounds = [start, end] if len(visemes) == 1 else [start, start + 0.6 * (end - start), end]
        if len(visemes) > 2:
            bounds = list(np.linspace(start, end, len(visemes) + 1))
        for vis, a, b in zip(visemes, bounds[:-1], bounds[1:]):
            segments.append(VisemeSegment(vis, float(a), float(b), int(ph.stress)))
        cursor = max(cursor, end)
    if timeline.duration - cursor > 0.02:
        segments.append(VisemeSegment("sil", cursor, float(timeline.duration)))
    if not segments:
        segments.append(VisemeSegment("sil", 0.0, max(float(timeline.duration), 1e-3)))
    return segments


def dominance_matrix(segments: list[VisemeSegment], times: np.ndarray) -> np.ndarray:
    """(frames, segments) float dominance of each segment at each time.

    Flat (the full magnitude) over the middle of the segment's interval, then exponential
    decay: ``magnitude * exp(-rate * distance)``, with the anticipation rate before and the
    carry-over rate after.
    """
    starts = np.array([s.start for s in segments])
    ends = np.array([s.end for s in segments])
    dom = [DOMINANCE[s.viseme] for s in segments]
    mag = np.array([d.magnitude for d in dom])
    ant = np.array([d.anticipation for d in dom])
    car = np.array([d.carryover for d in dom])
    # the plateau covers the central 60% of the interval (the steady state of the sound)
    inset = 0.2 * (ends - starts)
    lo, hi = starts + inset, ends - inset
    t = times[:, None]
    before = np.clip(lo[None, :] - t, 0.0, None)
    after = np.clip(t - hi[None, :], 0.0, None)
    return mag[None, :] * np.exp(-ant[None, :] * before - car[None, :] * after)


def viseme_weights(timeline: Timeline, fps: float = 60.0, frames: int | None = None) -> np.ndarray:
    """(frames, 15) float32 Oculus viseme weights in [0, 1], rows summing to 1.

    Frame ``i`` is at ``i / fps`` seconds. Each viseme's weight is its share of the total
    dominance of all segments (coarticulated blend).
    """
    if frames is None:
        frames = int(np.ceil(timeline.duration * fps)) + 1
    times = np.arange(frames) / fps
    segments = viseme_segments(timeline)
    dom = dominance_matrix(segments, times)
    # a segment influences only its neighbourhood; far-away ones are numerically zero anyway
    onehot = np.zeros((len(segments), len(OCULUS_VISEMES)))
    onehot[np.arange(len(segments)), [VISEME_INDEX[s.viseme] for s in segments]] = 1.0
    total = dom.sum(axis=1, keepdims=True)
    weights = (dom @ onehot) / np.maximum(total, 1e-12)
    return weights.astype(np.float32)


def bilabial_intervals(timeline: Timeline) -> list[tuple[float, float]]:
    """(start, end) seconds of every /p b m/ in the timeline."""
    return [(float(ph.start), float(ph.end)) for ph in timeline.phonemes
            if ph.end > ph.start and phoneme_visemes(ph.symbol) == ("PP",)]
