"""Text + emotion in, an iterator of :class:`LiveChunk` out, while the line is being spoken.

>>> from studio.live import LiveStudio
>>> with LiveStudio() as live:                      # loads the models once
...     for chunk in live.stream("Thanks for coming. [angry] Now get out!", "cheerful"):
...         play(chunk.audio)                        # int16 PCM, 22,050 Hz, mono
...         drive(chunk.face, chunk.rotations)       # ARKit-52 at 60 fps, bones at 30 fps

A line is split into phrases (``phrases``). The first phrase is spoken alone on the worker
threads (``scheduler``); as soon as it is, the rest are queued, each due when the client will
need its audio (when playback started plus the audio of the phrases before it: earliest
deadline first over every line being spoken), and render (two at a time) ahead of playback.
When several lines share the workers, a line's first chunk may be held back a little so that
its later phrases are predicted to keep up with playback (``preroll``); with ``speakers``, the
phrases are spoken in processes of their own. Chunks come out in order: each phrase's speech
is animated over the recent phrases (``assembler``) and joined to the pose the avatar was left
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
from studio.live.preroll import FIRST_AUDIO_LIMIT_S, RenderCosts, release_time
from studio.live.scheduler import DEFAULT_WORKERS, Job, PhraseScheduler
from studio.live.speech import speak_phrase

#: Longest line accepted, in characters (about two minutes of speech).
MAX_TEXT_CHARS = 2000
#: Seconds of speech per character of text: a phrase's length until it has been spoken.
SECONDS_PER_CHAR = 0.065
#: Seconds from a line's request to its first audio, assumed until the first chunk is sent
#: (it places the later phrases' deadlines before the line's playback has started).
FIRST_AUDIO_GUESS_S = 0.3
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
    ``prosody``: the prosody model, as ``emostudio speak --prosody``; ``speakers``: speak the
    phrases in processes of their own, one per worker (``studio.live.speakers``: two phrases at
    once at full speed, for ~350 MB each; ``emostudio serve`` does), else on the worker threads
    with ``studio``'s voice. Speaker processes are started with ``spawn``: a script that opens
    such a studio must do it under ``if __name__ == "__main__":``.
    """

    def __init__(self, studio=None, workers: int = DEFAULT_WORKERS,
                 prosody: str = "diffusion", speakers: bool = False) -> None:
        from studio.pipeline import PROSODY_MODES, check_choice, default_studio

        check_choice("prosody", prosody, PROSODY_MODES)
        self.studio = studio or default_studio()
        self.prosody = prosody
        self.workers = workers
        self.speakers = speakers
        self.scheduler: PhraseScheduler | None = None
        self._speakers = None  # SpeakerProcesses, while open
        self.pose = AvatarPose()
        """The avatar's pose after the last line streamed without a ``pose`` of its own:
        consecutive lines (and a line that interrupts another) carry on from it."""
        self.costs = RenderCosts()
        """What a phrase costs the workers, calibrated as lines are spoken."""
        self._active: set[LiveLine] = set()  # lines with chunks still to make
        self._active_lock = threading.Lock()
        self._stack = contextlib.ExitStack()

    def _activate(self, line: LiveLine, active: bool) -> None:
        with self._active_lock:
            (self._active.add if active else self._active.discard)(line)

    def shared(self) -> bool:
        """Whether more than one line is being made."""
        with self._active_lock:
            return len(self._active) > 1

    @property
    def tts(self):
        """The emotional voice (``synth.tts.EmotionalTTS``), loaded once by the studio."""
        return self.studio.tts(self.prosody)

    def open(self, warm_up: bool = True) -> LiveStudio:
        """Load the models, start the workers and (``warm_up``) speak one short line unheard,
        so that the first real line pays no first-run costs."""
        if self.scheduler is None:
            from studio.threads import single_threaded

            if self.speakers:
                from studio.live.speakers import SpeakerProcesses

                self._speakers = SpeakerProcesses(self.workers, self.prosody)
                self._stack.callback(self._speakers.close)
            else:
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
        self._speakers = None

    def speak(self, plan, phrase: Phrase, index: int, seed: int,
              character: Character | None = None):
        """One phrase's speech (``studio.live.speech.speak_phrase``), in a speaker process
        where there are some."""
        if self._speakers is not None:
            return self._speakers.speak(plan, phrase, index, seed, character)
        return speak_phrase(self.tts, plan, phrase, index, seed, character)

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
        self.play_start: float | None = None
        """When the first chunk is released (``time.monotonic()``): the client's playback starts
        then; None until it is made."""
        # seconds of audio of each phrase: estimated from its length until it is spoken
        self._audio_s = [SECONDS_PER_CHAR * len(p.text) for p in self.phrases]
        self.cancelled = False
        # chunk i is made by whichever worker finishes the speech that completes phrases 0..i
        self._chunks: list[Future] = [Future() for _ in self.phrases]
        self._spoken: dict[int, object] = {}  # phrase -> PhraseSpeech or the error it raised
        self._next = 0                          # the next phrase to animate
        self._animating = False
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        live._activate(self, True)
        self._submit(range(1 if FIRST_PHRASE_ALONE else len(self.phrases)))

    def _deadline(self, i: int) -> float:
        """When phrase ``i`` must start rendering (``time.monotonic()`` seconds). The first
        phrase at once: a line's first phrase goes before every phrase that is not already
        late. A later one when its chunk is due (the phrases before it have played) less its
        predicted cost."""
        if i == 0:
            return self.started
        start = self.started + FIRST_AUDIO_GUESS_S if self.play_start is None else self.play_start
        due = start + sum(self._audio_s[:i])
        return due - self.live.costs.estimate(self._audio_s[i], self.live.shared())

    def _submit(self, phrases) -> None:
        """Queue the speech of ``phrases`` (indices), each due when its audio will be needed."""
        with self._lock:
            if self.cancelled:
                return
            for i in phrases:
                self._jobs[i] = self.live.scheduler.submit(
                    partial(self._speak, i), self._deadline(i), label=f"{self.id}:{i}")

    def _retime(self) -> None:
        """Move the queued phrases' deadlines to what is now known of the line's playback."""
        with self._lock:
            deadlines = {job: self._deadline(i) for i, job in self._jobs.items()}
        self.live.scheduler.retime(deadlines)

    def _speak(self, i: int) -> None:
        """Worker job: speak phrase ``i``, then animate every phrase now ready, in order."""
        try:
            spoken: object = self.live.speak(self.plan, self.phrases[i], i, self.seed,
                                             self.character)
        except Exception as exc:  # noqa: BLE001 - handed to whoever waits for chunk i
            spoken = exc
        else:
            with self._lock:
                self._audio_s[i] = spoken.duration
            self._retime()
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
                t = time.perf_counter()
                chunk = self.assembler.add(spoken)
                self.live.costs.observe(spoken.duration, spoken.seconds + time.perf_counter() - t,
                                        self.live.shared())
            except Exception as exc:  # noqa: BLE001 - the line stops at the failed phrase
                if future.set_running_or_notify_cancel():
                    future.set_exception(exc)
                with self._lock:
                    self._animating = False
                self.live._activate(self, False)
                return
            with self._lock:
                self._next = n + 1
            if n == 0:
                self._release_first()
            if chunk.last:
                self.live._activate(self, False)
            if future.set_running_or_notify_cancel():
                future.set_result(chunk)

    def _release_first(self) -> None:
        """The first chunk is made: decide when it goes out (``preroll``), which fixes when
        the client's playback starts, and so every later phrase's deadline."""
        now = time.monotonic()
        if self.live.shared():
            self.play_start = max(now, self.started + FIRST_AUDIO_LIMIT_S)
        else:
            with self._lock:
                audio_s = list(self._audio_s)
            later = [self.live.costs.estimate(s) for s in audio_s[1:]]
            self.play_start = release_time(now, self.started, audio_s, later)
        self._retime()

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
        self.live._activate(self, False)
        for job in self._jobs.values():
            job.cancel()
        for future in self._chunks:
            future.cancel()

    def __iter__(self) -> Iterator[LiveChunk]:
        """The chunks in order (blocking); raises what rendering a phrase raised."""
        try:
            for future in self._chunks:
                if self.cancelled:
                    return
                chunk = future.result()
                if chunk.index == 0:  # (its pre-roll)
                    time.sleep(max(0.0, self.play_start - time.monotonic()))
                    if self.cancelled:
                        return
                yield chunk
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
                chunk = await asyncio.wrap_future(future)
                if chunk.index == 0:  # (its pre-roll)
                    await asyncio.sleep(max(0.0, self.play_start - time.monotonic()))
                    if self.cancelled:
                        return
                yield chunk
        except (CancelledError, asyncio.CancelledError):
            if not self.cancelled:  # the caller's task was cancelled, not the line
                raise
        finally:
            self.cancel()
