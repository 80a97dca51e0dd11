"""Live mode: text + emotion in, a stream of chunks (voice, face, body) out while the line plays.

``LiveStudio().stream(text, emotion) -> Iterator[LiveChunk]`` is the Python API; ``emostudio
serve`` puts it behind a WebSocket (``server``, ``protocol``) and can drive a VMC receiver
(``vmc``) and Unreal's Live Link (``livelink``), both paced in real time (``pacer``). Modules,
in the order a line goes through them: ``phrases`` (split the line), ``scheduler`` (worker
threads, earliest deadline first), ``speech`` (speak a phrase, trim it for joining; in
``speakers``, processes of their own, for ``serve``), ``timeline`` (phrase timelines on the
line's clock), ``assembler`` (face and body over the recent phrases -> :class:`LiveChunk`),
``joins`` (no pops where chunks meet), ``preroll`` (how long a line's first chunk waits so
that the rest keeps up), ``chunk`` (the contract), ``stream`` (ties them together).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from controllers.lazy import exported_names, lazy_getattr

if TYPE_CHECKING:
    from studio.live.chunk import BODY_FPS, FACE_FPS, SAMPLE_RATE, LiveChunk
    from studio.live.joins import AvatarPose
    from studio.live.phrases import Phrase, split_phrases
    from studio.live.stream import LiveLine, LiveStudio

_EXPORTS = {
    "studio.live.chunk": ("BODY_FPS", "FACE_FPS", "SAMPLE_RATE", "LiveChunk"),
    "studio.live.joins": ("AvatarPose",),
    "studio.live.phrases": ("Phrase", "split_phrases"),
    "studio.live.stream": ("LiveLine", "LiveStudio"),
}

__all__ = exported_names(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
