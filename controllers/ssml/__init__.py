"""SSML input: a text that starts with ``<speak`` is an SSML document (W3C SSML 1.1 and Azure's
``mstts`` extension).

- :func:`is_ssml` tells whether a text is one;
- :func:`parse_ssml` reads it (a hardened XML parser: ``controllers.ssml.xml``) into an
  :class:`SsmlDocument`: the plain text spoken, emotion runs (``<mstts:express-as>``), voice runs
  (``<voice name>``) and per-word :class:`SpeechDirections` (rate, pitch, volume, emphasis,
  breaks, marks, IPA);
- :meth:`SsmlDocument.plan` gives the :class:`SsmlPlan` the synthesis stages take (an
  ``EmotionPlan`` with the directions); :meth:`SsmlDocument.voice_parts` cuts a document with
  several voices into one part per character.
"""

from __future__ import annotations

import re

from controllers.ssml.document import (EmotionRun, Mark, PhonemeRun, PitchChange,
                                       SpeechDirections, SsmlDocument, SsmlPlan, VoiceRun,
                                       WordDirection, pitch_shift_st)

__all__ = ["EmotionRun", "Mark", "PhonemeRun", "PitchChange", "SpeechDirections",
           "SsmlDocument", "SsmlPlan", "VoiceRun", "WordDirection", "is_ssml", "parse_ssml",
           "pitch_shift_st"]

_START = re.compile(r"\s*(<speak[\s>/]|<\?xml[\s?]|<!DOCTYPE\s)", re.IGNORECASE)


def is_ssml(text) -> bool:
    """True when ``text`` is an SSML document: it starts with ``<speak`` (after white space),
    or with an XML declaration (``<?xml``) or a document type declaration (``<!DOCTYPE``),
    which the parser then reads (and refuses: no DTD is accepted)."""
    return isinstance(text, str) and _START.match(text) is not None


def parse_ssml(text: str) -> SsmlDocument:
    """Read an SSML document; raises :class:`~controllers.errors.InputError` with
    ``line:column`` for malformed or hostile XML, an unreadable value or a voice not in the
    cast. Unsupported elements are spoken and named in :attr:`SsmlDocument.warnings`."""
    from controllers.errors import InputError
    from controllers.limits import MAX_TEXT_CHARS
    from controllers.ssml.reader import read_document
    from controllers.ssml.xml import read_xml

    if not isinstance(text, str):
        raise InputError("SSML must be text")
    document = read_document(read_xml(text))
    if len(document.text) > MAX_TEXT_CHARS:
        raise InputError(f"SSML: the text to speak is {len(document.text)} characters long; up "
                         f"to {MAX_TEXT_CHARS} are performed at once")
    return document
