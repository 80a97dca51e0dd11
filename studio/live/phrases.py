"""A line of text -> the phrases the live stream renders one after another.

Splits at sentence ends (``. ! ? …``, as ``synth.tts.sentences`` finds them), then at clause
punctuation (``, ; : —``), then, for a clause longer than a phrase may be, between words (before
a function word where there is one).
The first phrase is kept short (at most :data:`FIRST_MAX_WORDS` words, a clause of one word
more) because the listener waits for it; a later phrase may be up to twice as long as all the
phrases before it together (at most :data:`MAX_WORDS`), since it renders while they play.

>>> [p.text for p in split_phrases("I told you not to come back here. Now get out!")]
['I told', 'you not', 'to come back here.', 'Now get out!']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from controllers.target import EmotionPlan, EmotionSegment
from synth.tts.sentences import split_sentences

#: Most words in the first phrase (it decides the time to first audio).
FIRST_MAX_WORDS = 2
#: Most words in any phrase (longer clauses are split between words).
MAX_WORDS = 14
#: Clauses shorter than this (words) join the next clause of their sentence (first phrase aside).
MIN_CLAUSE_WORDS = 3

#: What ends a phrase: a sentence end, clause punctuation, a split between words, the line's end.
BOUNDARIES: tuple[str, ...] = ("sentence", "clause", "word", "end")

_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+|\s+(?=[—–]\s)|(?<=\s[-])\s+")
_WORD = re.compile(r"\S+")
#: Words a phrase may start with when a clause is split between words: conjunctions,
#: prepositions, articles, possessives (a break before them sounds least abrupt).
FUNCTION_WORDS = frozenset(
    "and but or so because that which who when while if then than to of in on at for with from "
    "into about after before the a an my your his her our their this these those".split())


@dataclass(frozen=True)
class Phrase:
    """One stretch of a line rendered as one piece of speech."""

    text: str
    """The phrase as written in the line (tags removed), without surrounding spaces."""
    start: int
    """Character offset of :attr:`text` in the line's text."""
    boundary: str
    """What ends it, one of :data:`BOUNDARIES`."""

    @property
    def end(self) -> int:
        """Character offset just past the phrase in the line's text."""
        return self.start + len(self.text)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def speak_text(self) -> str:
        """What the voice reads: a phrase cut between words gets a comma, so that it is read
        with a continuing (not a final) intonation; the comma's pause is trimmed later."""
        return self.text + "," if self.boundary == "word" else self.text


def _pieces(text: str, start: int, pattern: re.Pattern) -> list[tuple[int, str]]:
    """(offset, piece) of ``text`` (at ``start`` in the line) cut at ``pattern``'s matches."""
    out, pos = [], 0
    for m in pattern.finditer(text):
        if text[pos:m.start()].strip():
            out.append((start + pos, text[pos:m.start()]))
        pos = m.end()
    if text[pos:].strip():
        out.append((start + pos, text[pos:]))
    return [(o + len(p) - len(p.lstrip()), p.strip()) for o, p in out]


def _cut_point(words: list[re.Match], limit: int) -> int:
    """How many of ``words`` go into the next piece: at most ``limit``, at least 2, ending
    before a function word where one is in reach, leaving at least 2 words behind."""
    if len(words) <= limit + 1:
        return len(words)
    best = min(limit, len(words) - 2)
    for k in range(best, 1, -1):
        if words[k].group().lower().strip("\"'“(") in FUNCTION_WORDS:
            return k
    return best


def split_phrases(text: str, first_max_words: int = FIRST_MAX_WORDS,
                  max_words: int = MAX_WORDS) -> list[Phrase]:
    """The phrases of ``text`` (a plan's text, tags removed), in order; their ``start`` offsets
    index ``text``. Joining them with single spaces gives ``text`` with its spacing tidied."""
    clauses: list[tuple[int, str, str]] = []  # (offset, text, boundary)
    for a, b in split_sentences(text):
        s_off, sentence = a, text[a:b]
        parts = _pieces(sentence, s_off, _CLAUSE_END)
        merged: list[tuple[int, str]] = []
        for off, part in parts:
            short = merged and len(merged[-1][1].split()) < MIN_CLAUSE_WORDS
            if short and not (len(clauses) == 0 and len(merged) == 1):
                merged[-1] = (merged[-1][0], text[merged[-1][0]:off + len(part)])
            else:
                merged.append((off, part))
        # the line's first phrase stays short: no tail joins it
        first_of_line = not clauses and len(merged) == 2 and \
            len(merged[0][1].split()) <= first_max_words + 1
        if len(merged) > 1 and len(merged[-1][1].split()) < MIN_CLAUSE_WORDS - 1 \
                and not first_of_line:
            last = merged.pop()  # a one-word tail joins the clause before it
            merged[-1] = (merged[-1][0], text[merged[-1][0]:last[0] + len(last[1])])
        for i, (off, part) in enumerate(merged):
            clauses.append((off, part, "clause" if i < len(merged) - 1 else "sentence"))

    phrases: list[Phrase] = []
    spoken = 0  # words in the phrases so far
    for off, clause, boundary in clauses:
        words = list(_WORD.finditer(clause))
        while words:
            # a phrase renders while the ones before it play: it may be twice as long as they
            limit = min(max_words, max(first_max_words, 2 * spoken))
            k = _cut_point(words, limit)
            piece_start = words[0].start()
            piece_end = words[k - 1].end()
            piece = clause[piece_start:piece_end]
            phrases.append(Phrase(piece, off + piece_start,
                                  boundary if k == len(words) else "word"))
            spoken += k
            words = words[k:]
    phrases = _join_wordless(text, phrases)
    if phrases:
        phrases[-1] = replace(phrases[-1], boundary="end")
    return phrases


def _join_wordless(text: str, phrases: list[Phrase]) -> list[Phrase]:
    """``phrases`` with those that hold no letter or digit (a lone dash, "...") joined to
    the phrase before them (the first to the one after it): the voice cannot read them alone."""
    out: list[Phrase] = []
    carry: Phrase | None = None
    for p in phrases:
        if carry is not None:
            p = Phrase(text[carry.start:p.end], carry.start, p.boundary)
            carry = None
        if any(c.isalnum() for c in p.text):
            out.append(p)
        elif out:
            out[-1] = Phrase(text[out[-1].start:p.end], out[-1].start, p.boundary)
        else:
            carry = p
    return out


def phrase_plan(plan: EmotionPlan, phrase: Phrase) -> EmotionPlan:
    """The part of ``plan`` that covers ``phrase``, re-based so that its text is
    :attr:`Phrase.speak_text` (offsets count from the phrase's start)."""
    segments: list[EmotionSegment] = []
    bounds = [s.start for s in plan.segments[1:]] + [len(plan.text) + 1]
    for seg, stop in zip(plan.segments, bounds):
        if stop <= phrase.start:
            continue
        if seg.start >= phrase.end:
            break
        begin = max(seg.start - phrase.start, 0)
        end = min(stop - phrase.start, len(phrase.speak_text))
        if segments and begin >= end:
            continue
        segments.append(EmotionSegment(begin, phrase.speak_text[begin:end], seg.target))
    if not segments:
        segments.append(EmotionSegment(0, phrase.speak_text, plan.target_at(phrase.start)))
    if segments[0].start != 0:
        segments[0] = replace(segments[0], start=0)
    return EmotionPlan(phrase.speak_text, tuple(segments))
