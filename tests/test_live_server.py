"""Live mode end to end: the real voice behind a real WebSocket server on 127.0.0.1, real
clients."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import numpy as np
import pytest

websockets = pytest.importorskip("websockets")
from websockets.asyncio.client import connect  # noqa: E402

from studio.live import LiveStudio  # noqa: E402
from studio.live.server import ServerThread  # noqa: E402
from synth.contracts import ARKIT_NAMES  # noqa: E402

#: Longest wait for any one message, seconds (a loaded machine is slow, never stuck).
TIMEOUT = 120.0
LINE = "Thanks for coming, my friend. [angry] Now get out of my house!"


@pytest.fixture(scope="module")
def server():
    live = LiveStudio()
    with ServerThread(live) as running:
        yield running
    live.close()


@dataclass
class Line:
    """What a client received for one line."""

    header: dict | None = None
    chunks: list[dict] = field(default_factory=list)
    audio: list[bytes] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    done: dict | None = None
    errors: list[dict] = field(default_factory=list)

    @property
    def pcm(self) -> np.ndarray:
        return np.frombuffer(b"".join(self.audio), "<i2")


async def receive_line(ws, line_id: str, until=("done", "error")) -> Line:
    """Read messages for ``line_id`` until its ``done`` (or an error about it)."""
    got = Line()
    expect_audio = None
    while True:
        message = await asyncio.wait_for(ws.recv(), TIMEOUT)
        if isinstance(message, bytes):
            assert expect_audio is not None, "a binary frame came without a chunk message"
            assert len(message) == expect_audio["audio_bytes"]
            got.audio.append(message)
            expect_audio = None
            continue
        assert expect_audio is None, "the chunk's audio frame did not follow it"
        data = json.loads(message)
        if data.get("id") != line_id:
            continue
        kind = data["type"]
        if kind == "header":
            got.header = data
        elif kind == "chunk":
            got.chunks.append(data)
            got.arrivals.append(time.monotonic())
            expect_audio = data
        elif kind == "error":
            got.errors.append(data)
        elif kind == "done":
            got.done = data
        if kind in until:
            return got


async def hello(ws) -> dict:
    data = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert data["type"] == "hello"
    return data


def url(server) -> str:
    return f"ws://127.0.0.1:{server.port}"


def test_a_two_sentence_line_with_an_emotion_change_streams_as_one_take(server):
    async def run():
        async with connect(url(server), max_size=None) as ws:
            info = await hello(ws)
            await ws.send(json.dumps({"text": LINE, "emotion": "cheerful", "seed": 3,
                                      "id": "l1"}))
            return info, await receive_line(ws, "l1")

    info, got = asyncio.run(run())
    assert info["arkit_names"] == list(ARKIT_NAMES) and info["sample_rate"] == 22050
    assert got.done["status"] == "complete" and not got.errors
    assert [s["category"] for s in got.header["segments"]] == ["happiness", "anger"]
    chunks, sr = got.chunks, 22050
    assert len(chunks) == len(got.header["phrases"]) >= 3 and chunks[-1]["last"]

    # the audio: contiguous chunks that add up to one take of the right length
    pcm = got.pcm
    assert len(pcm) == got.done["samples"] == sum(c["samples"] for c in chunks)
    starts = [c["sample_start"] for c in chunks]
    assert starts == list(np.cumsum([0] + [c["samples"] for c in chunks[:-1]]))
    from studio.pipeline import default_studio

    offline = default_studio().tts().speak(default_studio().plan(LINE, "cheerful"), seed=3)
    assert 0.75 < len(pcm) / len(offline.audio) < 1.35   # as long as the line read in one go
    x = pcm.astype(np.float64) / 32768
    assert 0.05 < np.abs(x).max() < 1.0                          # real sound, no clipping
    loud = np.sqrt(np.mean(x[np.abs(x) > 0.01] ** 2))
    assert loud > 0.03
    for s in starts[1:]:  # no click where chunks meet: joins sit in near-silence
        assert np.abs(x[s - 20:s + 20]).max() < 0.02

    # words: every word of the line, in order, inside the audio
    words = [w for c in chunks for w in c["words"]]
    assert [w["text"] for w in words] == got.header["text"].replace(",", "").replace(
        ".", "").replace("!", "").split()
    times = [t for w in words for t in (w["start"], w["end"])]
    assert np.all(np.diff(times) >= -1e-6) and times[-1] <= len(pcm) / sr + 1e-6
    for c in chunks:
        assert all(c["t0"] - 1e-6 <= w["start"] <= c["t1"] + 1e-6 for w in c["words"])
    phonemes = [t for c in chunks for p in c["phonemes"] for t in (p["start"], p["end"])]
    assert np.all(np.diff(phonemes) >= -1e-6)                  # one clock, always forward
    assert np.all(np.diff([c["t0"] for c in chunks]) > 0)

    # face and body: frames cover the audio without gaps or overlaps, on the same clock
    for part, fps, width in (("face", 60, 52), ("body", 30, None)):
        frames = [c[part]["start_frame"] for c in chunks]
        counts = [len(c[part]["weights" if part == "face" else "rotations"]) for c in chunks]
        assert frames == list(np.cumsum([0] + counts[:-1]))         # no gap, no overlap
        assert sum(counts) == int(np.ceil(len(pcm) / sr * fps)) + 1  # to the end of the audio
        for c in chunks:
            first, n = c[part]["start_frame"], counts[chunks.index(c)]
            assert first / fps >= c["t0"] - 1e-9 and (first + n - 1) / fps < c["t1"] + 1 / fps
    weights = np.array([f for c in chunks for f in c["face"]["weights"]])
    rotations = np.array([f for c in chunks for f in c["body"]["rotations"]])
    assert weights.shape[1] == 52 and weights.min() >= 0 and weights.max() <= 1
    assert np.allclose(np.linalg.norm(rotations, axis=-1), 1.0, atol=1e-3)

    # no pop where chunks meet: the change across a join is no bigger than inside chunks
    step = np.abs(np.diff(weights, axis=0)).max(axis=1)
    joins = [c["face"]["start_frame"] - 1 for c in chunks[1:]]
    inside = np.delete(step, joins)
    assert step[joins].max() <= inside.max()
    turn = np.abs(np.diff(rotations, axis=0)).max(axis=(1, 2))
    body_joins = [c["body"]["start_frame"] - 1 for c in chunks[1:]]
    assert turn[body_joins].max() <= np.delete(turn, body_joins).max()

    # the emotion changes inside the line: smiling first, brows down once angry
    t_face = np.arange(len(weights)) / 60
    anger_start = next(w["start"] for w in words if w["text"] == "Now")
    cheerful, angry = t_face < anger_start - 0.3, t_face > anger_start + 0.5
    smile = weights[:, [ARKIT_NAMES.index("mouthSmileLeft"), ARKIT_NAMES.index("mouthSmileRight")]]
    brows = weights[:, [ARKIT_NAMES.index("browDownLeft"), ARKIT_NAMES.index("browDownRight")]]
    assert smile[cheerful].mean() > smile[angry].mean() + 0.05
    assert brows[angry].mean() > brows[cheerful].mean() + 0.05


BAD_REQUESTS = [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    (json.dumps({"emotion": "happy", "id": "b1"}), "needs 'text'"),
    (json.dumps({"text": "   ", "id": "b2"}), "needs 'text'"),
    (json.dumps({"text": "Hello.", "emotion": "qwzxv", "id": "b3"}), "not understood"),
    (json.dumps({"text": "Hello.", "emotion": 42, "id": "b4"}), "'emotion' must be"),
    (json.dumps({"text": "x" * 5000, "id": "b5"}), "at most"),
    ('{"text": "Hello.", "seed": NaN, "id": "b6"}', "finite"),
    ('{"text": "Hello.", "emotion": [0.5, Infinity], "id": "b7"}', "finite"),
    (json.dumps({"text": "Hello.", "emotion": [0.5, 3.0], "id": "b8"}), "[-1, 1]"),
    (json.dumps({"text": "Hello.", "seed": "one", "id": "b9"}), "'seed' must be"),
    (json.dumps({"type": "dance", "id": "b10"}), "unknown request type"),
    (json.dumps({"type": "cancel", "id": "nobody"}), "no line with id"),
    (json.dumps({"text": "Hello. [", "id": "b11"}), "unbalanced"),
    (json.dumps({"text": "?! ...", "id": "b12"}), "no words"),
]


def test_bad_requests_get_an_error_and_the_server_keeps_serving(server):
    async def run():
        async with connect(url(server), max_size=None) as bad, \
                connect(url(server), max_size=None) as good:
            await hello(bad)
            await hello(good)
            # another client's line is being served while the bad requests come in
            await good.send(json.dumps({"text": "Fine, thank you.", "id": "g1"}))
            errors = []
            for raw, _ in BAD_REQUESTS:
                await bad.send(raw)
                errors.append(json.loads(await asyncio.wait_for(bad.recv(), TIMEOUT)))
            await bad.send(b"\x00\x01binary")
            errors.append(json.loads(await asyncio.wait_for(bad.recv(), TIMEOUT)))
            other = await receive_line(good, "g1")
            # the connection that sent garbage still speaks a good line afterwards
            await bad.send(json.dumps({"text": "Sorry about that.", "id": "ok"}))
            after = await receive_line(bad, "ok")
            return errors, other, after

    errors, other, after = asyncio.run(run())
    for (raw, expected), error in zip(BAD_REQUESTS, errors):
        assert error["type"] == "error", raw
        assert expected in error["message"], (raw, error["message"])
        assert "\n" not in error["message"]
    assert errors[2]["id"] == "b1" and errors[4]["id"] == "b3"
    assert errors[-1]["type"] == "error" and "binary" in errors[-1]["message"]
    assert other.done["status"] == "complete" and other.pcm.size > 0
    assert after.done["status"] == "complete" and after.pcm.size > 0


LONG_LINE = ("This is a rather long line, spoken slowly and with care, so that there is "
             "time to cut it off before it ends, which is the whole point of the test.")


def test_a_new_line_interrupts_the_current_one_and_cancel_stops_a_line(server):
    async def run():
        async with connect(url(server), max_size=None) as ws:
            await hello(ws)
            await ws.send(json.dumps({"text": LONG_LINE + " " + LONG_LINE, "emotion": "calm",
                                      "id": "long"}))
            first = Line()
            while not first.chunks:  # wait until the long line is audibly under way
                data = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                if data["type"] == "header":
                    first.header = data
                elif data["type"] == "chunk":
                    first.chunks.append(data)
                    first.audio.append(await asyncio.wait_for(ws.recv(), TIMEOUT))
            await ws.send(json.dumps({"text": "Wait! [scared] Someone is here.",
                                      "id": "urgent", "interrupt": True}))
            cut = await receive_line(ws, "long")
            urgent = await receive_line(ws, "urgent")
            await ws.send(json.dumps({"text": LONG_LINE, "id": "doomed"}))
            await ws.send(json.dumps({"type": "cancel", "id": "doomed"}))
            cancelled = await receive_line(ws, "doomed")
            return first, cut, urgent, cancelled

    first, cut, urgent, cancelled = asyncio.run(run())
    assert cut.done["status"] == "interrupted"
    spoken = len(first.chunks) + len(cut.chunks)
    assert spoken < len(first.header["phrases"])  # cut off before its end
    assert cut.done["chunks"] == spoken and not any(c["last"] for c in cut.chunks)
    assert urgent.header["interrupted"] == "long"
    assert urgent.done["status"] == "complete"
    assert [s["category"] for s in urgent.header["segments"]][-1] == "fear"
    assert cancelled.done is not None, cancelled.errors
    assert cancelled.done["status"] == "cancelled"


def test_a_client_that_disconnects_mid_line_frees_its_work(server):
    scheduler = server.server.live.scheduler

    async def run():
        async with connect(url(server), max_size=None) as ws:
            await hello(ws)
            await ws.send(json.dumps({"text": LONG_LINE + " " + LONG_LINE, "id": "gone"}))
            chunks = 0  # the line is under way: its first two phrases (spoken one at a time,
            while chunks < 2:  # studio.live.stream.SPOKEN_ALONE) are out, the rest queued
                data = await asyncio.wait_for(ws.recv(), TIMEOUT)
                if isinstance(data, str) and json.loads(data)["type"] == "chunk":
                    chunks += 1
            queued = scheduler.pending()
        deadline = time.monotonic() + TIMEOUT
        while scheduler.pending() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return queued, scheduler.pending()

    queued, left = asyncio.run(run())
    assert queued >= 3   # the line's phrases were waiting for the workers
    assert left == 0     # and were dropped when the client went away


def test_the_example_client_speaks_a_line_into_a_wav_file(server, tmp_path):
    import subprocess
    import sys
    import wave
    from pathlib import Path

    client = Path(__file__).resolve().parent.parent / "examples" / "live_client.py"
    out = tmp_path / "line.wav"
    result = subprocess.run([sys.executable, str(client), "Hello there. [sad] Goodbye.",
                             "--url", url(server), "--out", str(out)],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
        seconds = w.getnframes() / w.getframerate()
    assert 0.8 < seconds < 4.0
    assert "face frames" in result.stdout and "Goodbye." in result.stdout
