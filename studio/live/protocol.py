"""The WebSocket protocol of ``emostudio serve``: requests read and checked, messages written.

Client -> server, one JSON object per text frame:

- ``{"text": "Hi. [angry] Out!", "emotion": "cheerful", "seed": 0, "id": "l1"}`` speaks a line
  (``type`` ``"say"`` may be given). ``emotion``: a description, ``"auto"``,
  ``[valence, arousal(, dominance)]`` in [-1, 1], or null for neutral; ``seed``: an integer
  (default 0); ``id``: a string of your choosing (default ``line-N``); ``"interrupt": true``
  stops what this connection is saying (and drops its queued lines) first, else the line
  queues behind them. ``"ssml": "<speak>...</speak>"`` in place of ``text`` speaks an SSML
  document (a ``text`` that starts with ``<speak`` is one too; ``controllers.ssml``): its
  ``<mstts:express-as>`` change the emotion, its breaks, prosody, emphasis and marks are
  performed, a ``<voice name>`` picks the character (one per line). ``"character"``: who
  speaks, a built-in character's name (``mara``, ``walter``, ...; the ``hello`` message lists
  them) or null for the default.
- ``{"type": "cancel", "id": "l1"}`` stops a line (speaking or queued).

Server -> client:

- ``hello`` once on connect: ``protocol``, ``sample_rate``, ``sample_format`` (``s16le``),
  ``channels``, ``face_fps``, ``body_fps``, ``arkit_names`` (52), ``bones`` (Mixamo names),
  ``parents``, ``offsets_cm`` (rest pose), ``max_text_chars``, ``character`` (the default
  character, whose skeleton this is) and ``characters`` (the names a request may give).
- ``header`` when a line starts: ``id``, ``character`` (who speaks), ``text`` (tags removed),
  ``phrases``, ``warnings`` (SSML asked for that is not performed), ``segments``
  (where each emotion starts, with its category, intensity, valence, arousal, dominance),
  ``interrupted`` (the id of the line it cut off, or null) and the audio/frame formats again.
- ``chunk`` per phrase, then one binary frame with its audio (``audio_bytes`` bytes of
  ``s16le`` PCM): ``id``, ``index``, ``text``, ``char_start``, ``t0``/``t1`` (seconds on the
  line's clock, zero at its first sample), ``sample_start``, ``samples``, ``words`` and
  ``phonemes`` (start/end on the line's clock), ``marks`` (SSML ``<mark>`` s: ``name``,
  ``time`` on the line's clock, as Azure's bookmark events), ``face`` {``start_frame``, ``fps``,
  ``weights`` (n x 52), ``head`` (n x 3 degrees), ``eyes`` (n x 4 degrees: left yaw, pitch,
  right yaw, pitch)}, ``body`` {``start_frame``, ``fps``, ``rotations`` (m x bones x 4,
  xyzw, relative to the rest pose), ``root`` (m x 3 cm)}, ``last``. Face frame ``g`` is at
  ``g / fps`` seconds; chunks' frames follow each other without gap or overlap.
- ``done``: ``id``, ``status`` (``complete``, ``cancelled`` or ``interrupted``), ``samples``,
  ``duration``, ``chunks``.
- ``error``: ``id`` (or null), ``message`` (one line saying what was wrong). The connection
  stays open.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from controllers.target import EmotionPlan
from studio.live.chunk import BODY_FPS, FACE_FPS, SAMPLE_RATE, LiveChunk

#: Version of this protocol, sent in ``hello``.
PROTOCOL_VERSION = 1
#: Longest request accepted, in bytes (a line's text is limited separately).
MAX_MESSAGE_BYTES = 64 * 1024
#: Longest line id and emotion description, in characters.
MAX_ID_CHARS = 128
MAX_EMOTION_CHARS = 500
#: Longest character name, in characters.
MAX_CHARACTER_CHARS = 64
#: Decimals kept of face weights / degrees, quaternions and centimetres in JSON.
DECIMALS = 4


class ProtocolError(ValueError):
    """A request that cannot be served; ``message`` goes back to the client as an ``error``."""

    def __init__(self, message: str, line_id: str | None = None) -> None:
        super().__init__(message)
        self.line_id = line_id


@dataclass(frozen=True)
class SayRequest:
    """Speak a line."""

    id: str | None
    text: str
    emotion: str | tuple[float, ...] | None = None
    seed: int = 0
    interrupt: bool = False
    character: str | None = None
    """A built-in character's name, or None for the default (checked by the server)."""


@dataclass(frozen=True)
class CancelRequest:
    """Stop a line, speaking or queued."""

    id: str


def _reject_constant(name: str) -> float:
    raise ProtocolError(f"the request holds {name}; numbers must be finite")


def _line_id(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProtocolError("'id' must be a string (or an integer)")
    text = str(value)
    if not text or len(text) > MAX_ID_CHARS:
        raise ProtocolError(f"'id' must be 1 to {MAX_ID_CHARS} characters long")
    return text


def _emotion(value, line_id: str | None):
    if value is None or isinstance(value, str):
        if isinstance(value, str) and len(value) > MAX_EMOTION_CHARS:
            raise ProtocolError(f"'emotion' is longer than {MAX_EMOTION_CHARS} characters",
                                line_id)
        return value
    if isinstance(value, list) and 2 <= len(value) <= 3 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in value):
        if not all(math.isfinite(x) and -1.0 <= x <= 1.0 for x in value):
            raise ProtocolError("'emotion' numbers (valence, arousal, dominance) must be finite "
                                "and in [-1, 1]", line_id)
        return tuple(float(x) for x in value)
    raise ProtocolError("'emotion' must be a description (a string), [valence, arousal] or "
                        "[valence, arousal, dominance] in [-1, 1], or null", line_id)


def parse_request(raw: str | bytes, max_text_chars: int) -> SayRequest | CancelRequest:
    """A client's frame -> a request; raises :class:`ProtocolError` saying what is wrong."""
    if isinstance(raw, bytes):
        raise ProtocolError("binary frames are not requests; send a JSON object as text")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"the request is {len(raw)} characters long; at most "
                            f"{MAX_MESSAGE_BYTES} are accepted")
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"the request is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ProtocolError("a request is a JSON object, e.g. "
                            '{"text": "Hello.", "emotion": "happy", "seed": 0, "id": "l1"}')
    kind = data.get("type", "say")
    line_id = _line_id(data.get("id")) if kind in ("say", "cancel") else None
    if kind == "cancel":
        if line_id is None:
            raise ProtocolError("a cancel request needs the 'id' of the line to stop")
        return CancelRequest(line_id)
    if kind != "say":
        raise ProtocolError(f"unknown request type {kind!r}; use 'say' (the default) or 'cancel'")
    text = data.get("text")
    if "ssml" in data:
        from controllers.ssml import is_ssml

        if text is not None:
            raise ProtocolError("give either 'text' or 'ssml', not both", line_id)
        text = data["ssml"]
        if not is_ssml(text):
            raise ProtocolError("'ssml' must be an SSML document: a string starting with "
                                "<speak", line_id)
    if not isinstance(text, str) or not text.strip():
        raise ProtocolError("the request needs 'text': a non-empty string to speak", line_id)
    if len(text) > max_text_chars and not _is_ssml(text):  # (SSML: its spoken text counts)
        raise ProtocolError(f"'text' is {len(text)} characters long; at most {max_text_chars} "
                            "are accepted (send it as several lines)", line_id)
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ProtocolError("'seed' must be an integer from 0 to 2147483647", line_id)
    interrupt = data.get("interrupt", False)
    if not isinstance(interrupt, bool):
        raise ProtocolError("'interrupt' must be true or false", line_id)
    character = data.get("character")
    if character is not None and (not isinstance(character, str) or not character.strip()
                                  or len(character) > MAX_CHARACTER_CHARS):
        raise ProtocolError("'character' must be the name of a built-in character (a string of "
                            f"at most {MAX_CHARACTER_CHARS} characters) or null", line_id)
    return SayRequest(line_id, text, _emotion(data.get("emotion"), line_id), seed, interrupt,
                      character)


def _is_ssml(text: str) -> bool:
    from controllers.ssml import is_ssml

    return is_ssml(text)


def dumps(message: dict) -> str:
    """A message as compact JSON text."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def _round(a: np.ndarray, decimals: int = DECIMALS) -> list:
    return np.round(np.asarray(a, np.float64), decimals).tolist()


def hello_message(arkit_names, bones, parents, offsets_cm, max_text_chars: int,
                  character: str = "", characters=()) -> dict:
    """``bones``, ``parents`` and ``offsets_cm`` are the skeleton of ``character`` (the
    default); ``characters``: the names a request may give."""
    return {"type": "hello", "protocol": PROTOCOL_VERSION, "sample_rate": SAMPLE_RATE,
            "sample_format": "s16le", "channels": 1, "face_fps": FACE_FPS,
            "body_fps": BODY_FPS, "arkit_names": list(arkit_names), "bones": list(bones),
            "parents": [int(p) for p in parents], "offsets_cm": _round(offsets_cm, 3),
            "max_text_chars": max_text_chars, "character": character,
            "characters": list(characters)}


def header_message(line_id: str, plan: EmotionPlan, phrases, interrupted: str | None,
                   character: str = "", warnings=()) -> dict:
    segments = [{"char_start": s.start, "text": s.text, "category": s.target.category,
                 "intensity": round(s.target.intensity, 3),
                 "valence": round(s.target.valence, 3), "arousal": round(s.target.arousal, 3),
                 "dominance": round(s.target.dominance, 3)} for s in plan.segments]
    return {"type": "header", "id": line_id, "character": character, "text": plan.text,
            "phrases": [p.text for p in phrases], "segments": segments,
            "interrupted": interrupted, "warnings": list(warnings),
            "sample_rate": SAMPLE_RATE, "sample_format": "s16le",
            "channels": 1, "face_fps": FACE_FPS, "body_fps": BODY_FPS}


def chunk_message(chunk: LiveChunk) -> tuple[dict, bytes]:
    """The ``chunk`` message of ``chunk`` and the binary frame that follows it (its audio)."""
    audio = np.asarray(chunk.audio, "<i2").tobytes()
    message = {
        "type": "chunk", "id": chunk.line_id, "index": chunk.index, "text": chunk.text,
        "char_start": chunk.char_start, "t0": round(chunk.t0, 6), "t1": round(chunk.t1, 6),
        "sample_start": chunk.sample_start, "samples": len(chunk.audio),
        "audio_bytes": len(audio),
        "words": [{"text": w.text, "start": round(w.start, 4), "end": round(w.end, 4),
                   "char_start": w.char_start} for w in chunk.words],
        "phonemes": [{"symbol": p.symbol, "start": round(p.start, 4), "end": round(p.end, 4),
                      "word": p.word} for p in chunk.phonemes],
        "marks": [{"name": m.name, "time": round(m.time, 4)} for m in chunk.marks],
        "face": {"start_frame": chunk.face_start, "fps": chunk.face_fps,
                 "weights": _round(chunk.face), "head": _round(chunk.head, 3),
                 "eyes": _round(chunk.eyes.reshape(len(chunk.eyes), 4), 3)},
        "body": {"start_frame": chunk.body_start, "fps": chunk.body_fps,
                 "rotations": _round(chunk.rotations), "root": _round(chunk.root, 3)},
        "last": chunk.last,
    }
    return message, audio


def done_message(line_id: str, status: str, samples: int, chunks: int) -> dict:
    return {"type": "done", "id": line_id, "status": status, "samples": samples,
            "duration": round(samples / SAMPLE_RATE, 6), "chunks": chunks}


def error_message(message: str, line_id: str | None = None) -> dict:
    return {"type": "error", "id": line_id, "message": message}
