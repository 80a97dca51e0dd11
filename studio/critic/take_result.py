"""What a render callback hands the critic: one take's streams (the pipeline builds it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from controllers.character import Character
from synth.contracts import BodyAnimation, FaceAnimation, Speech


@dataclass
class TakeResult:
    """One rendered take, as the critic judges it.

    Only ``speech`` is required; a missing face or body is not judged (and cannot agree).
    """

    speech: Speech
    """The emotional take's audio and timeline."""
    face: FaceAnimation | None = None
    """Blendshape animation; rendered on the head camera for FER when ``face_frames`` is None."""
    body: BodyAnimation | None = None
    """Skeletal animation for the body estimate."""
    face_frames: np.ndarray | None = None
    """(n, H, W, 3) uint8 RGB head-camera frames of the take, if the caller already has them."""
    face_box: tuple[int, int, int, int] | None = None
    """(x0, y0, x1, y1) face box in ``face_frames`` pixels; the whole frame when None."""
    neutral_speech: Speech | None = None
    """The same voice's neutral reading of the same text (``--prosody none``): the reference
    of the relative speech mode and of the intelligibility check. Cache it across iterations."""
    character: Character | None = None
    """Who performs the take: the critic reads the voice against that voice's reference and
    renders the face on that avatar (None: the studio's defaults)."""
    payload: Any = None
    """Anything the caller wants back with the best take (e.g. its ``studio.take.Take``)."""
