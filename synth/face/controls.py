"""The face's controls as others may set them: how strongly, and with which prototypes.

The critic loop corrects a face that does not read (``studio.critic.loop``); this is the small
public contract it does so through, so that it never reaches into the animator's configuration
classes or the expression tables.
"""

from __future__ import annotations

from synth.face.animator import FaceConfig
from synth.face.expression import CATEGORY_AU_VARIANTS, ExpressionConfig


def face_controls(gain: float = 1.0, variant: str | None = None) -> FaceConfig:
    """The face configuration for ``animate_face(..., config=)`` with an expression ``gain``
    (scale of every expression, 1 = as synthesised) and an alternative prototype ``variant``
    (a name from :func:`expression_variants`, None for the default prototypes)."""
    if variant is not None and variant not in CATEGORY_AU_VARIANTS:
        raise ValueError(f"unknown expression variant {variant!r}; "
                         f"known: {', '.join(CATEGORY_AU_VARIANTS)}")
    return FaceConfig(expression=ExpressionConfig(gain=float(gain), variant=variant))


def expression_variants(category: str) -> tuple[str, ...]:
    """Names of the alternative expression prototypes that change ``category``'s face (empty
    when only the default prototype exists)."""
    return tuple(name for name, table in CATEGORY_AU_VARIANTS.items() if category in table)
