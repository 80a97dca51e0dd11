"""Real-time pacing of live chunks for the outputs that drive an avatar (VMC, Live Link Face).

A line plays from the moment its first chunk arrives: face frame ``g`` is due at that moment
plus ``g / face_fps`` seconds, as a game that starts the audio on the first chunk would play
it; a chunk that arrives after its time (the renderer fell behind) holds the clock back, as an
audio player that ran dry would. One avatar: a new line takes over from the one playing, and
a stopped line (interrupted, cancelled) sends nothing more.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable

from studio.live.chunk import LiveChunk

#: ``send(chunk, i)``: send row ``i`` of ``chunk.face`` (frame ``chunk.face_start + i``).
FrameSender = Callable[[LiveChunk, int], None]


class PacedSender:
    """Base of the live outputs that drive an avatar: a :class:`FramePacer` calling
    :meth:`_send_face_frame` (which subclasses define) at each face frame's time."""

    def _start_pacer(self, name: str) -> None:
        self._pacer = FramePacer(self._send_face_frame, name=name)

    def _send_face_frame(self, chunk: LiveChunk, i: int) -> None:
        raise NotImplementedError

    def play(self, chunk: LiveChunk) -> None:
        """Queue a chunk; the first chunk of a line starts its clock now."""
        self._pacer.play(chunk)

    def stop(self, line_id: str) -> None:
        """Send nothing more of a line (interrupted, cancelled)."""
        self._pacer.stop(line_id)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the pacing thread (a subclass closes its socket after this)."""
        self._pacer.close(timeout)


class FramePacer:
    """Calls ``send(chunk, i)`` for every face frame of the chunks it is given, each at its
    time, from a thread of its own (named ``name``). :meth:`play` hands it a chunk,
    :meth:`stop` silences a line, :meth:`close` ends the thread."""

    def __init__(self, send: FrameSender, name: str = "live-pacer") -> None:
        self._send = send
        self._queue: queue.Queue = queue.Queue()
        self._stopped: set[str] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def play(self, chunk: LiveChunk) -> None:
        """Queue a chunk; the first chunk of a line starts its clock now."""
        self._queue.put((time.monotonic(), chunk))

    def stop(self, line_id: str) -> None:
        """Send nothing more of a line (interrupted, cancelled)."""
        with self._lock:
            self._stopped.add(line_id)

    def close(self, timeout: float = 5.0) -> None:
        """End the thread once what is queued has been sent (or ``timeout`` s have passed)."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _is_stopped(self, line_id: str) -> bool:
        with self._lock:
            return line_id in self._stopped

    def _run(self) -> None:
        line: str | None = None
        start = 0.0
        while True:
            item = self._queue.get()
            if item is None:
                return
            arrived, chunk = item
            if self._is_stopped(chunk.line_id):
                continue
            if chunk.line_id != line:  # a new line takes the avatar over
                line, start = chunk.line_id, arrived - chunk.t0
            late = time.monotonic() - (start + chunk.face_start / chunk.face_fps)
            if late > 1.0 / chunk.face_fps:  # it came after its time: wait, as the audio does
                start += late
            self._play_chunk(chunk, start)

    def _play_chunk(self, chunk: LiveChunk, start: float) -> None:
        for i in range(len(chunk.face)):
            due = start + (chunk.face_start + i) / chunk.face_fps
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if self._is_stopped(chunk.line_id) or not self._queue.empty() and \
                    self._newer_line_waiting(chunk.line_id):
                return
            self._send(chunk, i)

    def _newer_line_waiting(self, line_id: str) -> bool:
        with self._queue.mutex:
            return any(item is not None and item[1].line_id != line_id
                       for item in self._queue.queue)
