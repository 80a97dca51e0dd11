"""The emotion lexicon: how words, phrases and emoji of a description are looked up.

The table itself is :mod:`controllers.lexicon_data`. This module turns it into one phrase table
(emotion words, paralinguistic words, intensity modifiers, negators and masks share it, so the
longest phrase wins: "deeply" is a modifier, "deeply pitched" a pitch, "deep" a pitch) and
matches it against tokenised text, with a small rule-based lemmatiser for inflections the table
does not list ("calmer", "sadder", "worries").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Union

from controllers import lexicon_data
from controllers.target import ATTRIBUTE_VALUES, CATEGORY_VAD, nearest_category


@dataclass(frozen=True)
class EmotionWord:
    """An emotion word: what it names and how strongly."""

    category: str | None
    """A studio category, or None for a dimensional word (proud, bored, tired)."""
    intensity: float
    """How strongly the word expresses the emotion, 0..1."""
    point: tuple[float, float, float]
    """The word's (valence, arousal, dominance) at full intensity, each in [-1, 1]."""

    def vad(self, intensity: float) -> tuple[float, float, float]:
        """The performed point: ``intensity`` (0..1) of the way from neutral to :attr:`point`."""
        return tuple(intensity * c for c in self.point)  # type: ignore[return-value]

    @property
    def nearest_category(self) -> str:
        return self.category or nearest_category(*self.point)[0]


@dataclass(frozen=True)
class AttributeWord:
    """A paralinguistic word: attribute values, and a small arousal nudge (-1..1 units)."""

    attributes: dict[str, str] = field(default_factory=dict)
    arousal: float = 0.0


@dataclass(frozen=True)
class Modifier:
    """An intensity modifier, a negator or a mask (a performed emotion over a felt one)."""

    kind: str
    """``level`` (diminisher), ``boost`` (intensifier), ``negate`` or ``mask``."""
    value: float = 0.0

    def apply(self, intensity: float) -> float:
        """The intensity (0..1) after this modifier."""
        if self.kind == "level":
            return min(1.0, max(0.05, self.value + 0.15 * (intensity - 0.7)))
        if self.kind == "boost":
            return min(1.0, intensity + (1.0 - intensity) * self.value)
        return intensity


Entry = Union[EmotionWord, AttributeWord, Modifier]


@dataclass(frozen=True)
class Match:
    """A phrase of the table found in a token list."""

    start: int
    """Index of the first token."""
    end: int
    """Index one past the last token."""
    text: str
    """The matched words as written (normalised)."""
    entries: tuple[Entry, ...]
    """What the phrase means (a word can be both an emotion and an attribute: "tense")."""
    lemma: str | None = None
    """The table form when found through the lemmatiser, else None."""


# -- text normalisation ------------------------------------------------------------------------
_DROP = dict.fromkeys(map(ord, "\ufe0f\u200d"), None) | {c: None for c in range(0x1F3FB, 0x1F400)}
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[^\sa-z0-9]")
#: Word tokens that carry no cue but are not "unknown" either (the text model ignores them).
FUNCTION_WORDS = frozenset("""
a an the and or but yet with without of to in on at by for from as if like it its this that these
those is are was were be been being am i you he she they we me him her them us my your his their our
say said saying says speak speaking spoken speaks talk talking read reading reads sound sounding
sounds voice voices tone tones way manner line lines just really feel feeling feels felt seem seems
look looks looking please while though although so very some somewhat more most less bit little
someone somebody person speaker who which what when where how then now still even also all any
do does did done make made get gets got let lets give delivery deliver style mood emotion emotions
emotional attitude character kind sort lot lots up out over about into one something he's she's
i'm you're it's they're we're there here can could would should will shall might must have has had
having quite pretty rather fairly slightly extremely absolutely utterly totally entirely intensity
go goes going went gone come comes coming came see saw seen find found ask asked tell told know
think want try trying use time day way thing things start end words word text script take
""".split())


def normalize(text: str) -> str:
    """Lower case, plain apostrophes, hyphens/underscores as spaces, emoji modifiers dropped."""
    text = text.translate(_DROP).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[-_\u2010-\u2015]", " ", text)


def tokenize(text: str) -> list[str]:
    """Tokens of normalised text: words (with inner apostrophes), and single other characters
    (punctuation, emoji)."""
    return _TOKEN.findall(normalize(text))


def lemma_candidates(token: str) -> list[str]:
    """Possible table forms of an inflected word, most likely first ("angrier" -> "angry")."""
    out: list[str] = []

    def add(*forms: str) -> None:
        out.extend(f for f in forms if len(f) >= 3 and f not in out)

    w = token
    if w.endswith("ily"):
        add(w[:-3] + "y")
    if w.endswith("ally"):
        add(w[:-4], w[:-2])
    if w.endswith("ly"):
        add(w[:-2], w[:-2] + "e")
    if w.endswith("iness"):
        add(w[:-5] + "y")
    if w.endswith("ness"):
        add(w[:-4])
    if w.endswith(("ier", "iest")):
        add(w[: w.rindex("i")] + "y")
    for suffix in ("est", "er", "ed", "ing"):
        if w.endswith(suffix):
            stem = w[: -len(suffix)]
            add(stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else "")
    if w.endswith("ies"):
        add(w[:-3] + "y")
    if w.endswith("es"):
        add(w[:-2])
    if w.endswith("s") and not w.endswith("ss"):
        add(w[:-1])
    if w.endswith("ment"):
        add(w[:-4])
    return out


def _modifier(rule: str) -> Modifier:
    """``to L`` (a diminisher) or ``+k`` (an intensifier), see :data:`lexicon_data.MODIFIERS`."""
    if rule.startswith("to "):
        return Modifier("level", float(rule[3:]))
    return Modifier("boost", float(rule))


# -- the table ------------------------------------------------------------------------------
def _forms(cell: str) -> list[tuple[str, ...]]:
    return [tuple(tokenize(f)) for f in cell.split(",") if f.strip()]


def _rows(block: str):
    for line in block.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield [c.strip() for c in line.split("|")]


class Lexicon:
    """All phrases of :mod:`controllers.lexicon_data`, matched longest-first."""

    def __init__(self) -> None:
        self.table: dict[tuple[str, ...], tuple[Entry, ...]] = {}
        for forms, category, intensity, *point in _rows(lexicon_data.EMOTION_WORDS):
            cat = None if category == "-" else category
            if cat is not None and cat not in CATEGORY_VAD:
                raise ValueError(f"lexicon: unknown category {category!r} in {forms!r}")
            vad = tuple(float(x) for x in point[0].split()) if point else CATEGORY_VAD[cat]
            if len(vad) != 3:
                raise ValueError(f"lexicon: {forms!r} needs a valence arousal dominance point")
            self._add(forms, EmotionWord(cat, float(intensity), vad))  # type: ignore[arg-type]
        for forms, assignments, nudge in _rows(lexicon_data.ATTRIBUTE_WORDS):
            attrs = dict(a.strip().split("=") for a in assignments.split(","))
            for key, value in attrs.items():
                if value not in ATTRIBUTE_VALUES.get(key, ()):
                    raise ValueError(f"lexicon: bad attribute {key}={value} in {forms!r}")
            self._add(forms, AttributeWord(attrs, float(nudge)))
        for forms, rule in _rows(lexicon_data.MODIFIERS):
            self._add(forms, _modifier(rule))
        #: phrase -> the modifier it is right before an emotion word ("deep sadness")
        self.adjectives: dict[tuple[str, ...], Modifier] = {}
        for forms, rule in _rows(lexicon_data.ADJECTIVE_MODIFIERS):
            for form in _forms(forms):
                self.adjectives[form] = _modifier(rule)
        self._add(lexicon_data.NEGATORS, Modifier("negate"))
        self._add(lexicon_data.MASKS, Modifier("mask"))
        self.max_len = max(len(k) for k in self.table)
        # Stems of one-word forms, so that "threatening" finds "threatened" (both -> "threaten").
        self.stems: dict[str, tuple[Entry, ...]] = {}
        for key, entries in self.table.items():
            content = tuple(e for e in entries if not isinstance(e, Modifier))
            if len(key) == 1 and content and key[0].isalpha():
                for stem in lemma_candidates(key[0]):
                    if (stem,) not in self.table:
                        self.stems.setdefault(stem, content)

    def _add(self, forms: str, entry: Entry) -> None:
        for form in _forms(forms):
            old = self.table.get(form, ())
            if entry in old:  # spelling variants that normalise alike ("laid-back", "laid back")
                continue
            if any(type(e) is type(entry) for e in old):
                raise ValueError(f"lexicon: {' '.join(form)!r} is listed twice as {type(entry).__name__}")
            self.table[form] = old + (entry,)

    def __len__(self) -> int:
        return len(self.table)

    def match(self, tokens: list[str]) -> list[Match]:
        """Non-overlapping phrases in ``tokens``, scanning left to right, longest phrase first;
        single unknown words are retried through :func:`lemma_candidates`."""
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.max_len, len(tokens) - i), 0, -1):
                key = tuple(tokens[i:i + n])
                if key in self.table:
                    matches.append(Match(i, i + n, " ".join(key), self.table[key]))
                    i += n
                    break
                if n == 1 and key in self.adjectives:  # "little anger", "slight irritation"
                    matches.append(Match(i, i + 1, key[0], (self.adjectives[key],)))
                    i += 1
                    break
            else:
                tok = tokens[i]
                if tok not in FUNCTION_WORDS and tok.isalpha():
                    for cand in lemma_candidates(tok):
                        entries = tuple(e for e in self.table.get((cand,), ())
                                        if not isinstance(e, Modifier)) or self.stems.get(cand, ())
                        if entries:
                            matches.append(Match(i, i + 1, tok, entries, lemma=cand))
                            break
                i += 1
        return self._adjectives_before_emotions(matches)

    def _adjectives_before_emotions(self, matches: list[Match]) -> list[Match]:
        """"deep sadness": a word right before an emotion word that can be an intensity
        adjective is read as one (not as a low pitch)."""
        out = list(matches)
        for k in range(len(out) - 1):
            key = tuple(out[k].text.split())
            if (key in self.adjectives and out[k].end == out[k + 1].start
                    and any(isinstance(e, EmotionWord) for e in out[k + 1].entries)):
                out[k] = Match(out[k].start, out[k].end, out[k].text, (self.adjectives[key],))
        return out

    def words_of(self, category: str) -> list[str]:
        """Every phrase naming ``category`` (for documentation and tests)."""
        return sorted(" ".join(k) for k, es in self.table.items()
                      if any(isinstance(e, EmotionWord) and e.category == category for e in es))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, built once per process."""
    return Lexicon()
