"""Azure's ``<mstts:express-as style styledegree role>`` -> the studio's emotion controls.

Each of Azure's speaking styles becomes a description the natural-language controller reads
(``controllers.parse.parse_description``); ``styledegree`` (0.01 to 2, default 1) multiplies the
emotion's intensity (capped at 1); ``role`` (an age and sex to imitate) picks the built-in
character nearest to it (``controllers.cast``), unless a ``<voice>`` names one.
"""

from __future__ import annotations

#: Azure style -> description. Styles of a reading manner (newscast, narration, ...) map onto the
#: nearest emotional colour of that manner.
AZURE_STYLES: dict[str, str] = {
    "cheerful": "cheerful",
    "sad": "sad",
    "angry": "angry",
    "fearful": "fearful",
    "calm": "calm",
    "whispering": "whispering",
    "shouting": "shouting, angry",
    "terrified": "terrified",
    "excited": "excited",
    "friendly": "friendly",
    "unfriendly": "cold",
    "hopeful": "hopeful",
    "empathetic": "kind, a little sad",
    "disgruntled": "disgruntled",
    "depressed": "depressed",
    "embarrassed": "embarrassed",
    "envious": "envious",
    "affectionate": "affectionate",
    "gentle": "gentle, soft",
    "serious": "stern",
    "lyrical": "tender",
    "poetry-reading": "calm, slow",
    "assistant": "friendly",
    "chat": "relaxed",
    "customerservice": "friendly",
    "newscast": "neutral",
    "newscast-casual": "relaxed",
    "newscast-formal": "stern",
    "narration-professional": "neutral",
    "narration-relaxed": "relaxed",
    "documentary-narration": "calm",
    "advertisement_upbeat": "enthusiastic",
    "sports_commentary": "excited",
    "sports_commentary_excited": "very excited",
}

#: Azure role -> (sex, age in years) it imitates.
AZURE_ROLES: dict[str, tuple[str, int]] = {
    "girl": ("female", 10), "boy": ("male", 10),
    "youngadultfemale": ("female", 25), "youngadultmale": ("male", 25),
    "olderadultfemale": ("female", 45), "olderadultmale": ("male", 45),
    "seniorfemale": ("female", 72), "seniormale": ("male", 72),
}


def style_description(style: str) -> str | None:
    """The description of an Azure style (case-insensitive), or None for an unknown one."""
    return AZURE_STYLES.get(style.strip().lower())


def role_character(role: str) -> str | None:
    """The built-in character nearest to an Azure role in sex and age, or None for an unknown
    role."""
    from controllers.cast import builtin_cast

    wanted = AZURE_ROLES.get(role.strip().lower())
    if wanted is None:
        return None
    sex, age = wanted
    cast = [c for c in builtin_cast() if c.sex == sex] or list(builtin_cast())
    return min(cast, key=lambda c: abs(c.age - age)).name
