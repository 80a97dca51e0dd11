"""A piper input symbol with the audio it produced: what the voice and the timeline builder share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Token:
    """One piper input symbol (a codepoint of espeak's IPA, a space, punctuation or ``^``/``$``)."""

    symbol: str
    """The symbol; ``"^"`` and ``"$"`` mark sentence start and end."""
    sentence: int
    """Index of the sentence (piper synthesises one sentence at a time)."""
    samples: int = 0
    """Audio samples the voice gave this symbol (its ids and the padding after it)."""
