"""Gesture-bearing words: what a word asks the hands (and head) to do.

Kinds (what :mod:`synth.gesture.motion` performs for each):

``self``      deixis to the speaker: a hand towards the chest, palm in.
``other``     deixis to the listener or a place: a hand outward/forward, palm up.
``negation``  a flat hand sweeps outward, palm down; the head shakes.
``affirm``    a small downward beat; the head nods.
``big``       both hands move apart, palms facing each other.
``all``       both hands sweep outward, palms down (totality).
``small``     both hands come close together, fingers curled more (a little, a bit).
``enumerate`` a dominant-hand beat that steps sideways with each item (first, second, then).
``question``  both hands open, palms up (set by the phrase when it ends with "?").
"""

from __future__ import annotations

import re

#: Word (lower case, no punctuation) -> gesture kind.
LEXICON: dict[str, str] = {
    **dict.fromkeys(("i", "me", "my", "mine", "myself", "i'm", "i've", "i'll", "i'd",
                     "we", "us", "our", "ours", "ourselves"), "self"),
    **dict.fromkeys(("you", "your", "yours", "yourself", "you're", "you'll", "you've",
                     "there", "those", "yonder"),
                    "other"),
    **dict.fromkeys(("no", "not", "never", "nothing", "nobody", "none", "neither", "nor",
                     "don't", "doesn't", "didn't", "can't", "cannot", "won't", "wouldn't",
                     "isn't", "aren't", "wasn't", "weren't", "shouldn't", "couldn't",
                     "haven't", "hasn't", "hadn't", "nowhere"), "negation"),
    **dict.fromkeys(("yes", "yeah", "yep", "sure", "absolutely", "exactly", "indeed",
                     "certainly", "definitely", "agree", "okay", "ok", "right"), "affirm"),
    **dict.fromkeys(("big", "huge", "large", "enormous", "giant", "vast", "massive", "wide",
                     "tall", "long", "great", "immense", "broad"), "big"),
    **dict.fromkeys(("all", "everything", "everyone", "everybody", "every", "whole",
                     "entire", "always", "completely", "totally", "each"), "all"),
    **dict.fromkeys(("small", "little", "tiny", "bit", "few", "slightly", "short", "narrow",
                     "thin", "minor", "less"), "small"),
    **dict.fromkeys(("first", "second", "third", "fourth", "fifth", "then", "next",
                     "finally", "lastly", "also", "another", "one", "two", "three", "four",
                     "five"), "enumerate"),
}

#: Gesture kinds, in the order of the module docstring.
KINDS: tuple[str, ...] = ("self", "other", "negation", "affirm", "big", "all", "small",
                          "enumerate", "question")

#: Words that never take the phrase focus unless they are gesture-bearing (articles,
#: prepositions, auxiliaries, pronouns, conjunctions).
FUNCTION_WORDS: frozenset[str] = frozenset("""
a an the this these of to in on at by for with from into onto upon about as than and or but
so if because while is am are was were be been being do does did has have had will would shall
should can could may might must it its he him his she her they them their we us our i me my you
your that there those what which who whom whose when where why how up out off down over under
again just very too not no""".split())

_STRIP = re.compile(r"^[^\w']+|[^\w']+$")


def normalise_word(word: str) -> str:
    """Lower case, surrounding punctuation removed, typographic apostrophes made plain."""
    return _STRIP.sub("", word.lower().replace("\u2019", "'"))


#: Verbs after which "there" is existential ("there is"), not a place to point at.
_EXISTENTIAL = frozenset(("is", "are", "was", "were", "'s", "will", "would", "must", "might",
                          "may", "has", "have", "had", "seems", "seem"))


def gesture_kind(word: str, next_word: str | None = None) -> str | None:
    """The gesture kind a word asks for (see :data:`KINDS`), or None.

    ``next_word`` disambiguates existential "there" ("there is ..."), which points nowhere.
    """
    w = normalise_word(word)
    if w in ("there", "there's") and (w == "there's" or (
            next_word is not None and normalise_word(next_word) in _EXISTENTIAL)):
        return None
    if w in LEXICON:
        return LEXICON[w]
    if w.endswith("n't"):
        return "negation"
    return None
