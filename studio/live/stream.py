"""Text + emotion in, an iterator of :class:`LiveChunk` out, while the line is being spoken.

>>> from studio.live import LiveStudio
>>> with LiveStudio() as live:                      # loads the models once
...     for chunk in live.stream("Thanks for coming. [angry] Now get out!", "cheerful"):
...         play(chunk.audio)                        # int16 PCM, 22,050 Hz, mono
...         drive(chunk.face, chunk.rotations)       # ARKit-52 at 60 fps, bones at 30 fps

A line is split into phrases (``phrases``). The first phrase is spoken alone on the worker
threads (``scheduler``); as soon as it is, the rest are queued, each due when its audio will be
needed, and render (two at a time) ahead of playback. Chunks come out in order: each phrase's speech is
animated over the recent phrases (``assembler``) and joined to the pose the avatar was left
in (``joins``). Inline ``[tags]`` change the emotion inside a line; :meth:`LiveLine.cancel`
stops a line (a new line on the same :class:`~studio.live.joins.AvatarPose` then carries on
from where it stopped).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from concurrent.futures import CancelledError, Future
from functools import partial
from typing import AsyncIterator, Iterator

from controllers.cast import load_character
from controllers.character import Character
from controllers.errors import InputError
from controllers.ssml import is_ssml, parse_ssml
from studio.live.assembler import LineAssembler
from studio.live.chunk import LiveChunk
from studio.live.joins import AvatarPose
from studio.live.phrases import Phrase, split_phrases
from studio.live.scheduler import DEFAULT_WORKERS, Job, PhraseScheduler
from studio.live.speech import speak_phrase

#: Longest line accepted, in characters (about two minutes of speech).
MAX_TEXT_CHARS = 2000
#: Seconds of speech per character of text: when each phrase is likely to be due.
SECONDS_PER_CHAR = 0.065
#: Speak a line's first phrase before queueing the rest: it then has the workers to itself (no
#: later phrase of the line competing for the interpreter and the cores). On this 2-core machine
#: under load (same run, 5 lines): first audio after 0.38 s instead of 0.73 s; the second phrase
#: starts later, so it has less time before the first one has played (~0.5 s of audio).
FIRST_PHRASE_ALONE = True
#: With FIRST_PHRASE_ALONE, how many phrases are spoken one at a time before the rest are queued
#: together: the second phrase has only the first one's ~0.5 s of audio to be ready in.
SPOKEN_ALONE = 2
#: A line spoken to warm the models up (first-run costs: graph set-up, caches, the rig).
WARM_UP_LINE = "Hello there, [angry] get out."

_line_numbers = itertools.count(1)


class LiveStudio:
    """The loaded models and the worker threads of live mode; makes :class:`LiveLine` s.

    ``studio``: a :class:`studio.pipeline.Studio` whose models are used (default: the
    process's shared one); ``workers``: threads that render (default 2);
    ``prosody``: the prosody model, as ``emostudio speak --prosody``.
    """

    def __init__(self, studio=None, workers: int = DEFAULT_WORKERS,
                 prosody: str = "diffusion") -> None:
        from studio.pipeline import PROSODY_MODES, check_choice, default_studio

        check_choice("prosody", prosody, PROSODY_MODES)
        self.studio = studio or default_studio()
        self.prosody = prosody
        self.workers = workers
        self.scheduler: PhraseScheduler | None = None
        self.pose = AvatarPose()
        """The avatar's pose after the last line streamed without a ``pose`` of its own:
        consecutive lines (and a line that interrupts another) carry on from it."""
        self._stack = contextlib.ExitStack()

    @property
    def tts(self):
        """The emotional voice (``synth.tts.EmotionalTTS``), loaded once by the studio."""
        return self.studio.tts(self.prosody)

    def open(self, warm_up: bool = True) -> LiveStudio:
        """Load the models, start the workers and (``warm_up``) speak one short line unheard,
        so that the first real line pays no first-run costs."""
        if self.scheduler is None:
            from studio.threads import single_threaded

            self.tts  # noqa: B018 - loads the voice and the prosody model
            # one thread per synthesis for every math library, for as long as the studio is open
            self._stack.enter_context(single_threaded())
            self.scheduler = PhraseScheduler(self.workers)
            if warm_up:
                for _ in self.stream(WARM_UP_LINE, "calm", line_id="warm-up",
                                     pose=AvatarPose()):
                    pass
        return self

    def close(self) -> None:
        """Stop the workers (queued work is dropped)."""
        if self.scheduler is not None:
            self.scheduler.close()
            self.scheduler = None
        self._stack.close()

    def __enter__(self) -> LiveStudio:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def line(self, text: str, emotion=None, seed: int = 0, line_id: str | None = None,
             pose: AvatarPose | None = None, character: Character | str | None = None
             ) -> LiveLine:
        """Start rendering a line now; iterate the result (or ``async for`` over
        :meth:`LiveLine.chunks`) for its chunks. ``pose``: the avatar's pose to carry on from
        (default :attr:`pose`, shared by this studio's lines); ``character``: who speaks (a
        :class:`~controllers.character.Character`, a built-in name or a character file; None:
        the default). Raises :class:`InputError` for bad input."""
        if self.scheduler is None:
            self.open()
        return LiveLine(self, text, emotion, seed, line_id, self.pose if pose is None else pose,
                        character)

    def stream(self, text: str, emotion=None, seed: int = 0, line_id: str | None = None,
               pose: AvatarPose | None = None, character: Character | str | None = None
               ) -> Iterator[LiveChunk]:
        """The chunks of one line, in order (see :meth:`line`)."""
        return iter(self.line(text, emotion, seed, line_id, pose, character))


class LiveLine:
    """One line being rendered: its plan, phrases, queued work and chunks.

    ``emotion``: anything ``studio.pipeline.Studio.plan`` accepts (a description, ``auto``,
    ``(valence, arousal[, dominance])``, a target or plan); inline ``[tags]`` in ``text``
    change it. A ``text`` that starts with ``<speak`` is SSML (``controllers.ssml``): its
    express-as, prosody, breaks, emphasis and marks are performed, a ``<voice>`` (one per
    line) names the character. ``seed``: same seed, same performance. ``pose``: the
    avatar's pose, carried from line to line (updated as chunks are made). ``character``:
    who speaks (a :class:`~controllers.character.Character` or a name
    ``controllers.cast.load_character`` knows; None: the studio's defaults, which are the
    default character's).
    """

    def __init__(self, live: LiveStudio, text: str, emotion=None, seed: int = 0,
                 line_id: str | None = None, pose: AvatarPose | None = None,
                 character: Character | str | None = None) -> None:
        if not isinstance(text, str):
            raise InputError("the line's text must be a string")
        document = parse_ssml(text) if is_ssml(text) else None
        spoken = document.text if document is not None else text
        if len(spoken) > MAX_TEXT_CHARS:
            raise InputError(f"the line is {len(spoken)} characters long; at most "
                             f"{MAX_TEXT_CHARS} are accepted (split it into several lines)")
        self.live = live
        self.id = str(line_id) if line_id is not None else f"line-{next(_line_numbers)}"
        self.seed = int(seed)
        if character is None and document is not None and document.characters:
            if len(document.characters) > 1:
                raise InputError("a live line is spoken by one character; this SSML has "
                                 f"<voice> s for {', '.join(document.characters)}: send each "
                                 "as a line of its own")
            character = document.characters[0]
        self.character: Character | None = (
            None if character is None else load_character(character))
        self.warnings: tuple[str, ...] = document.warnings if document is not None else ()
        """What an SSML line asked for that is not performed (its text is spoken)."""
        self.plan = (document.plan(emotion) if document is not None
                     else live.studio.plan(text, emotion))
        self.phrases: list[Phrase] = split_phrases(self.plan.text)
        if not self.phrases:
            raise InputError("the text to perform has no words (only punctuation or symbols); "
                             "give a line of text")
        self.assembler = LineAssembler(self.id, self.plan, len(self.phrases), self.seed, pose,
                                       self.character)
        self.started = time.monotonic()
        self.cancelled = False
        # chunk i is made by whichever worker finishes the speech that completes phrases 0..i
        self._chunks: list[Future] = [Future() for _ in self.phrases]
        self._spoken: dict[int, object] = {}  # phrase -> PhraseSpeech or the error it raised
        self._next = 0                          # the next phrase to animate
        self._animating = False
        self._lock = threading.Lock()
        self._jobs: list[Job] = []
        self._submit(range(1 if FIRST_PHRASE_ALONE else len(self.phrases)))

    def _submit(self, phrases) -> None:
        """Queue the speech of ``phrases`` (indices), each due when its audio will be needed."""
        with self._lock:
            if self.cancelled:
                return
            self._jobs += [self.live.scheduler.submit(
                partial(self._speak, i), self.started + SECONDS_PER_CHAR * self.phrases[i].start,
                label=f"{self.id}:{i}") for i in phrases]

    def _speak(self, i: int) -> None:
        """Worker job: speak phrase ``i``, then animate every phrase now ready, in order."""
        try:
            spoken: object = speak_phrase(self.live.tts, self.plan, self.phrases[i], i, self.seed,
                                          self.character)
        except Exception as exc:  # noqa: BLE001 - handed to whoever waits for chunk i
            spoken = exc
        if FIRST_PHRASE_ALONE and i < SPOKEN_ALONE and not isinstance(spoken, Exception):
            # the next phrase alone, then the rest, while this one is animated
            last = len(self.phrases) if i + 1 == SPOKEN_ALONE else i + 2
            self._submit(range(i + 1, min(last, len(self.phrases))))
        with self._lock:
            self._spoken[i] = spoken
            if self._animating:  # another worker is animating: it will take this one too
                return
            self._animating = True
        while True:
            with self._lock:
                n = self._next
                if self.cancelled or n not in self._spoken:
                    self._animating = False
                    return
                spoken = self._spoken.pop(n)
            future = self._chunks[n]
            try:
                if isinstance(spoken, Exception):
                    raise spoken
                chunk = self.assembler.add(spoken)
            except Exception as exc:  # noqa: BLE001 - the line stops at the failed phrase
                if future.set_running_or_notify_cancel():
                    future.set_exception(exc)
                with self._lock:
                    self._animating = False
                return
            with self._lock:
                self._next = n + 1
            if future.set_running_or_notify_cancel():
                future.set_result(chunk)

    @property
    def text(self) -> str:
        """The line's text with inline tags removed (what chunks' offsets index)."""
        return self.plan.text

    @property
    def pose(self) -> AvatarPose:
        return self.assembler.pose

    def cancel(self) -> None:
        """Stop the line: queued work is dropped; no more chunks come out."""
        with self._lock:  # no phrase is queued after this
            self.cancelled = True
        for job in self._jobs:
            job.cancel()
        for future in self._chunks:
            future.cancel()

    def __iter__(self) -> Iterator[LiveChunk]:
        """The chunks in order (blocking); raises what rendering a phrase raised."""
        try:
            for future in self._chunks:
                if self.cancelled:
                    return
                yield future.result()
        except CancelledError:
            return
        finally:
            self.cancel()

    async def chunks(self) -> AsyncIterator[LiveChunk]:
        """The chunks in order, for asyncio code."""
        try:
            for future in self._chunks:
                if self.cancelled:
                    return
                yield await asyncio.wrap_future(future)
        except (CancelledError, asyncio.CancelledError):
            if not self.cancelled:  # the caller's task was cancelled, not the line
                raise
        finally:
            self.cancel()
