"""Split text at sentence boundaries, and pack sentences into chunks of bounded length.

Long text is spoken chunk by chunk (``synth.tts.synthesizer``) so that time and memory grow
linearly with its length; live mode cuts incoming text the same way. Both functions return
character spans ``(start, end)`` into the text given, so offsets (inline emotion tags, word
``char_start``) carry over by adding ``start``.

>>> text = "Hello there. How are you? Fine."
>>> [text[a:b] for a, b in split_sentences(text)]
['Hello there.', 'How are you?', 'Fine.']
"""

from __future__ import annotations

import re

#: The end of a sentence: terminal punctuation (with closing quotes or brackets after it) then
#: whitespace, or a line break.
_SENTENCE_END = re.compile(r"""[.!?\u2026\u3002\uff01\uff1f]+["'\u201d\u2019)\]]*(?=\s)|\n""")
#: Places to cut a sentence that is too long, best first: clause punctuation, then any space.
_CLAUSE_END = re.compile(r"""[,;:\u2014\u2013]["'\u201d\u2019)\]]*(?=\s)""")
_SPACE = re.compile(r"\s")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` character spans of the sentences of ``text``, in order.

    Each span starts at the sentence's first non-space character and ends after its terminal
    punctuation (closing quotes included); whitespace between sentences belongs to none. Text
    without terminal punctuation is one sentence. Linear in ``len(text)``.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        _add(text, start, m.end(), spans)
        start = m.end()
    _add(text, start, len(text), spans)
    return spans


def chunk_spans(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Spans of ``text`` of at most ``max_chars`` characters each, cut between sentences.

    Consecutive sentences are packed together while they fit; a sentence longer than
    ``max_chars`` is cut at its last clause mark (comma, semicolon, colon, dash) that fits, else
    at its last space that fits, else (one enormous word) at ``max_chars``. Linear in
    ``len(text)``.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    pieces: list[tuple[int, int]] = []
    for a, b in split_sentences(text):
        while b - a > max_chars:
            cut = _cut(text, a, a + max_chars)
            _add(text, a, cut, pieces)
            a = cut
            while a < b and text[a].isspace():
                a += 1
        _add(text, a, b, pieces)
    chunks: list[tuple[int, int]] = []
    for a, b in pieces:
        if chunks and b - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], b)
        else:
            chunks.append((a, b))
    return chunks


def _cut(text: str, start: int, limit: int) -> int:
    """Where to cut ``text[start:]`` so that the piece ends at or before ``limit``."""
    window = text[start:limit + 1]  # (+1: a space right at the limit is a clean cut)
    for pattern in (_CLAUSE_END, _SPACE):
        ends = [m.end() for m in pattern.finditer(window) if 0 < m.end() <= limit - start]
        if ends:
            return start + ends[-1]
    return limit


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append ``(start, end)`` trimmed of surrounding whitespace, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
