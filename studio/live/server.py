"""The live WebSocket server behind ``emostudio serve`` (protocol: ``studio.live.protocol``).

One :class:`~studio.live.stream.LiveStudio` (models loaded once, shared worker threads) serves
every connection. A connection is one avatar: its lines are spoken one after another (a new
line queues, or with ``"interrupt": true`` cuts the current one off), and its pose carries
from line to line. Connections share the workers earliest-deadline-first, so a client that
just asked for a line gets its first audio ahead of clients whose audio is buffered. A client
that disconnects has its queued work dropped at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from dataclasses import dataclass, field
from functools import partial

from controllers.cast import DEFAULT_CHARACTER, character_names, load_character
from controllers.errors import InputError
from studio.live.joins import AvatarPose
from studio.live.protocol import (CancelRequest, ProtocolError, SayRequest, chunk_message,
                                  done_message, dumps, error_message, header_message,
                                  hello_message, parse_request)
from studio.live.stream import MAX_TEXT_CHARS, LiveLine, LiveStudio

#: Lines one connection may have waiting behind the one being spoken.
MAX_QUEUED_LINES = 16
#: Largest frame the server reads at all (bigger ones close the connection, code 1009);
#: requests up to this size but over ``MAX_MESSAGE_BYTES`` get an ``error`` message.
MAX_FRAME_BYTES = 1024 * 1024


@dataclass(eq=False)
class Connection:
    """One client: its queue of lines, the line being spoken, its avatar's pose."""

    ws: object
    queue: deque = field(default_factory=deque)
    current: LiveLine | None = None
    stop_reason: str | None = None
    """Why the current line is being stopped: ``cancelled`` or ``interrupted``."""
    interrupted: str | None = None
    """Id of the line the next header reports as cut off."""
    pose: AvatarPose = field(default_factory=AvatarPose)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    opening: SayRequest | None = None
    """The line taken from the queue whose text and emotion are being read (not yet current)."""
    opening_stop: str | None = None
    """Why that line must stop as soon as it opens: ``cancelled`` or ``interrupted``."""


class LiveServer:
    """Serves live lines over WebSocket on ``host:port`` (port 0: any free port; see
    :attr:`port` once started). ``vmc``: a :class:`~studio.live.vmc.VmcSender` that also gets
    every chunk, or None; ``livelink``: likewise a
    :class:`~studio.live.livelink.LiveLinkSender` (Unreal Live Link), or None."""

    def __init__(self, live: LiveStudio, host: str = "127.0.0.1", port: int = 0, vmc=None,
                 max_text_chars: int = MAX_TEXT_CHARS, livelink=None) -> None:
        self.live = live
        self.host = host
        self.port = port
        self.vmc = vmc
        self.livelink = livelink
        self.max_text_chars = max_text_chars
        self._server = None
        self._connections: set[Connection] = set()
        self._hello: str | None = None

    def _hello_message(self) -> str:
        if self._hello is None:
            from synth.contracts import ARKIT_NAMES
            from synth.gesture.generator import default_rig

            rig = default_rig()
            self._hello = dumps(hello_message(ARKIT_NAMES, rig.joint_names, rig.parents,
                                              rig.offsets, self.max_text_chars,
                                              DEFAULT_CHARACTER, character_names()))
        return self._hello

    async def start(self) -> LiveServer:
        """Load the models (once) and start listening."""
        from websockets.asyncio.server import serve

        await asyncio.get_running_loop().run_in_executor(None, self.live.open)
        self._hello_message()
        self._server = await serve(self._handle, self.host, self.port,
                                   max_size=MAX_FRAME_BYTES, ping_interval=20, ping_timeout=20)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening, end every connection (code 1001) and their lines."""
        for conn in list(self._connections):
            self._drop(conn)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def outputs(self) -> list:
        """The avatar outputs (VMC, Live Link) that get every chunk: ``play``/``stop``."""
        return [o for o in (self.vmc, self.livelink) if o is not None]

    def _stop_outputs(self, line_id: str) -> None:
        for output in self.outputs:
            output.stop(line_id)

    async def serve_forever(self) -> None:
        await self._server.serve_forever()

    # -- one connection ---------------------------------------------------------------------
    async def _handle(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        conn = Connection(ws)
        self._connections.add(conn)
        speaker = asyncio.create_task(self._speak(conn))
        try:
            await ws.send(self._hello_message())
            async for raw in ws:
                try:
                    request = parse_request(raw, self.max_text_chars)
                except ProtocolError as exc:
                    await ws.send(dumps(error_message(str(exc), exc.line_id)))
                    continue
                if isinstance(request, CancelRequest):
                    await self._cancel(conn, request.id)
                else:
                    await self._enqueue(conn, request)
        except ConnectionClosed:
            pass
        finally:
            self._drop(conn)
            speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await speaker
            self._connections.discard(conn)

    def _drop(self, conn: Connection) -> None:
        """Free everything a connection holds: its queue and its line's work."""
        conn.closed = True
        conn.queue.clear()
        if conn.current is not None:
            conn.stop_reason = conn.stop_reason or "cancelled"
            conn.current.cancel()
            self._stop_outputs(conn.current.id)
        conn.wake.set()

    async def _enqueue(self, conn: Connection, request: SayRequest) -> None:
        if request.interrupt:
            while conn.queue:
                dropped = conn.queue.popleft()
                if dropped.id is not None:
                    await conn.ws.send(dumps(done_message(dropped.id, "interrupted", 0, 0)))
            if conn.opening is not None:
                conn.opening_stop = "interrupted"
            if conn.current is not None and not conn.current.cancelled:
                conn.stop_reason = "interrupted"
                conn.interrupted = conn.current.id
                conn.current.cancel()
                self._stop_outputs(conn.current.id)
        if len(conn.queue) >= MAX_QUEUED_LINES:
            await conn.ws.send(dumps(error_message(
                f"{MAX_QUEUED_LINES} lines are already waiting on this connection; wait for "
                "one to finish or send the line with \"interrupt\": true", request.id)))
            return
        conn.queue.append(request)
        conn.wake.set()

    async def _cancel(self, conn: Connection, line_id: str) -> None:
        if conn.current is not None and conn.current.id == line_id and not conn.current.cancelled:
            conn.stop_reason = "cancelled"
            conn.current.cancel()
            self._stop_outputs(line_id)
            return
        if conn.opening is not None and conn.opening.id == line_id:
            conn.opening_stop = "cancelled"
            return
        for queued in list(conn.queue):
            if queued.id == line_id:
                conn.queue.remove(queued)
                await conn.ws.send(dumps(done_message(line_id, "cancelled", 0, 0)))
                return
        await conn.ws.send(dumps(error_message(
            f"no line with id {line_id!r} is being spoken or waiting on this connection",
            line_id)))

    async def _speak(self, conn: Connection) -> None:
        """Speak the connection's lines one after another until it closes."""
        from websockets.exceptions import ConnectionClosed

        ws = conn.ws
        loop = asyncio.get_running_loop()
        try:
            while not conn.closed:
                if not conn.queue:
                    conn.wake.clear()
                    await conn.wake.wait()
                    continue
                request = conn.queue.popleft()
                conn.opening, conn.opening_stop = request, None
                try:  # reading the emotion may load the text model: not on the event loop
                    line = await loop.run_in_executor(
                        None, partial(self.live.line, request.text, request.emotion,
                                      request.seed, request.id, conn.pose,
                                      builtin_character(request.character)))
                except InputError as exc:
                    await ws.send(dumps(error_message(str(exc), request.id)))
                    continue
                except Exception as exc:  # noqa: BLE001 - reported; the connection goes on
                    await ws.send(dumps(error_message(
                        f"internal error while reading the line: {exc}", request.id)))
                    continue
                finally:
                    conn.opening = None
                if conn.closed:  # the client left while the line was being read
                    line.cancel()
                    break
                if len(line.text) > self.max_text_chars:  # (an SSML line's spoken text)
                    line.cancel()
                    await ws.send(dumps(error_message(
                        f"the line's text is {len(line.text)} characters long; at most "
                        f"{self.max_text_chars} are accepted", request.id)))
                    continue
                if conn.opening_stop is not None:  # cancelled or cut off while being read
                    line.cancel()
                    await ws.send(dumps(done_message(line.id, conn.opening_stop, 0, 0)))
                    if conn.opening_stop == "interrupted":
                        conn.interrupted = line.id
                    continue
                conn.current, conn.stop_reason = line, None
                await ws.send(dumps(header_message(
                    line.id, line.plan, line.phrases, conn.interrupted,
                    line.character.name if line.character else DEFAULT_CHARACTER,
                    line.warnings)))
                conn.interrupted = None
                samples = chunks = 0
                try:
                    async for chunk in line.chunks():
                        # a few ms of JSON per second of frames: off the event loop
                        text, audio = await loop.run_in_executor(None, _encode, chunk)
                        await ws.send(text)
                        await ws.send(audio)
                        for output in self.outputs:
                            output.play(chunk)
                        samples += len(chunk.audio)
                        chunks += 1
                except (ConnectionClosed, asyncio.CancelledError):
                    raise
                except Exception as exc:  # noqa: BLE001 - reported to the client, server goes on
                    line.cancel()
                    await ws.send(dumps(error_message(
                        f"internal error while speaking the line: {exc}", line.id)))
                    conn.current = None
                    continue
                finally:
                    line.cancel()
                status = "complete" if chunks == len(line.phrases) else (
                    conn.stop_reason or "cancelled")
                conn.current = None
                await ws.send(dumps(done_message(line.id, status, samples, chunks)))
        except ConnectionClosed:
            pass
        finally:
            if conn.current is not None:
                conn.current.cancel()


def builtin_character(name: str | None):
    """The built-in character called ``name`` (None: None, the default). A client names
    characters of the built-in cast only, never files on the server: anything else raises
    :class:`InputError` naming it."""
    if name is None:
        return None
    if name.strip().lower() not in character_names():
        raise InputError(f"unknown character {name!r}; built-in characters: "
                         f"{', '.join(character_names())}")
    return load_character(name.strip())


def _encode(chunk) -> tuple[str, bytes]:
    """A chunk's ``chunk`` message as JSON text and its audio frame."""
    message, audio = chunk_message(chunk)
    return dumps(message), audio


class ServerThread:
    """A :class:`LiveServer` running on its own event loop in a background thread (for tests,
    benchmarks and embedding in a program that is not asyncio)::

        with ServerThread(LiveStudio()) as server:
            url = f"ws://127.0.0.1:{server.port}"
    """

    def __init__(self, live: LiveStudio, host: str = "127.0.0.1", port: int = 0,
                 vmc=None, max_text_chars: int = MAX_TEXT_CHARS, livelink=None) -> None:
        self.server = LiveServer(live, host, port, vmc, max_text_chars, livelink)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None

    @property
    def port(self) -> int:
        return self.server.port

    def start(self, timeout: float = 120.0) -> ServerThread:
        """Start; returns once the server listens (models loaded). Raises what start raised."""
        self._thread = threading.Thread(target=self._run, name="live-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the live server did not start within {timeout} s")
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            try:
                await self.server.start()
            except BaseException as exc:  # noqa: BLE001 - re-raised in start()
                self._error = exc
                self._ready.set()
                return
            self._ready.set()
            await self._stop.wait()
            await self.server.stop()

        asyncio.run(main())

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server and wait for its thread to end."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError(f"the live server did not stop within {timeout} s")

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
