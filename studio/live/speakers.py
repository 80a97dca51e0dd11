"""Phrases spoken in processes of their own, so that two of them run on two cores at full speed.

Speaking a phrase is mostly native code (piper in onnxruntime, WORLD), but about a quarter of it
is Python (timelines, F0 refinement, the prosody model's sampling loop) that holds the
interpreter lock: two worker threads of one process speak at 1.6x the rate of one, two
processes at 1.9x (24 phrases of ``bench/live.py``'s lines, this 2-core machine). Each live
worker thread therefore hands its phrase to an idle speaker process (one per worker, each with
its own voice and prosody model, loaded once and warmed up) and animates the result itself.
"""

from __future__ import annotations

import multiprocessing
import queue
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from controllers.character import Character
from controllers.target import EmotionPlan, EmotionTarget
from studio.live.phrases import Phrase, split_phrases
from studio.live.speech import PhraseSpeech, speak_phrase

#: What each speaker process says once before it serves (first-run costs: graph set-up, caches).
WARM_UP_PHRASE = "Hello there, my friend."

_tts = None  # the speaker process's voice (synth.tts.EmotionalTTS)
_threads = None  # its one-thread setting of the math libraries, held for the process's life


def _load(prosody: str) -> None:
    """Speaker process start-up: one thread per math library (the voice keeps its own two,
    :data:`synth.tts.voice.THREADS`, so that a phrase is the same here as anywhere), the voice
    loaded once."""
    global _tts, _threads
    from studio.pipeline import default_studio
    from studio.threads import single_threaded

    _threads = single_threaded()
    _threads.__enter__()
    _tts = default_studio().tts(prosody)


def _speak(plan: EmotionPlan, phrase: Phrase, index: int, seed: int,
           character: Character | None) -> PhraseSpeech:
    return speak_phrase(_tts, plan, phrase, index, seed, character)


class SpeakerProcesses:
    """``processes`` speaker processes (``prosody`` as ``emostudio speak --prosody``);
    :meth:`speak` runs :func:`~studio.live.speech.speak_phrase` on an idle one. Give at least
    as many processes as threads call :meth:`speak` at once, or callers wait for one."""

    def __init__(self, processes: int, prosody: str) -> None:
        self._context = multiprocessing.get_context("spawn")  # the server has threads: no fork
        self._prosody = prosody
        self._pools = [self._start() for _ in range(processes)]
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        plan = EmotionPlan.constant(WARM_UP_PHRASE, EmotionTarget.neutral())
        warm = [pool.submit(_speak, plan, split_phrases(plan.text)[0], 0, 0, None)
                for pool in self._pools]
        try:
            for future in warm:
                future.result()
        except BaseException:
            self.close()
            raise
        for pool in self._pools:
            self._idle.put(pool)

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(1, self._context, initializer=_load, initargs=(self._prosody,))

    def speak(self, plan: EmotionPlan, phrase: Phrase, index: int, seed: int,
              character: Character | None = None) -> PhraseSpeech:
        """:func:`~studio.live.speech.speak_phrase` in a speaker process (its errors raised
        here). A speaker process that died (killed, out of memory) is replaced by a new one,
        which speaks the phrase: that phrase is late by the new process's start-up."""
        pool = self._idle.get()
        try:
            try:
                return pool.submit(_speak, plan, phrase, index, seed, character).result()
            except BrokenProcessPool:
                pool = self._replace(pool)
                return pool.submit(_speak, plan, phrase, index, seed, character).result()
        finally:
            self._idle.put(pool)

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        broken.shutdown(wait=False, cancel_futures=True)
        pool = self._start()
        self._pools[self._pools.index(broken)] = pool
        return pool

    def close(self) -> None:
        """End the speaker processes."""
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["SpeakerProcesses"]
