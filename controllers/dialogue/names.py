"""A speaker's sex from their name, for casting a scene without a cast mapping.

First names are looked up in ``gender-guesser`` (Jörg Michael's list of about 40,000 first
names, GPL-3.0); words such as ``Mr``, ``Queen`` or ``old man`` decide first. A name that
neither knows (``Guard``, ``Sam``) has no sex: the casting then alternates.
"""

from __future__ import annotations

import re
from functools import lru_cache

_FEMALE = {"mrs", "ms", "miss", "madam", "madame", "mme", "lady", "queen", "princess", "duchess",
           "countess", "sister", "mother", "mom", "mum", "aunt", "grandma", "granny", "woman",
           "girl", "wife", "daughter", "nun", "waitress", "actress", "hostess", "empress",
           "baroness", "dame", "she", "her", "female", "maid", "witch", "priestess"}
_MALE = {"mr", "sir", "lord", "king", "prince", "duke", "count", "brother", "father", "dad",
         "uncle", "grandpa", "man", "boy", "husband", "son", "monk", "waiter", "actor", "host",
         "emperor", "baron", "he", "him", "male", "butler", "wizard", "priest", "guy", "lad",
         "fellow", "gentleman"}


@lru_cache(maxsize=1)
def _detector():
    import gender_guesser.detector as gender

    return gender.Detector(case_sensitive=False)


@lru_cache(maxsize=1024)
def sex_of_name(name: str) -> str | None:
    """``"female"``, ``"male"`` or None (not known, or used for both) for a speaker's name as
    a script writes it (``"MARA"``, ``"Old Man"``, ``"Mrs. Hale"``, ``"Sam (V.O.)"``)."""
    words = [w for w in re.split(r"[^\w']+", name.lower()) if w]
    for word in words:
        if word in _FEMALE:
            return "female"
        if word in _MALE:
            return "male"
    if not words:
        return None
    guess = _detector().get_gender(words[0].capitalize())
    return {"female": "female", "mostly_female": "female",
            "male": "male", "mostly_male": "male"}.get(guess)
