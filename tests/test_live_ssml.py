"""Live requests with "character" and "ssml": real voice behind a real WebSocket server."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

pytest.importorskip("websockets")
from websockets.asyncio.client import connect  # noqa: E402

from controllers.cast import character_names  # noqa: E402
from studio.live import LiveStudio  # noqa: E402
from studio.live.server import ServerThread  # noqa: E402

TIMEOUT = 120.0


@pytest.fixture(scope="module")
def server():
    live = LiveStudio()
    with ServerThread(live) as running:
        yield running
    live.close()


async def exchange(url: str, requests: list[dict]) -> tuple[dict, list[dict]]:
    """Send ``requests`` one after another on one connection; the hello and, per request, what
    came back until its done or error (text messages; audio frames counted in ``samples``)."""
    results = []
    async with connect(url, max_size=None) as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        for request in requests:
            await ws.send(json.dumps(request))
            got = {"chunks": [], "header": None, "end": None, "samples": 0, "audio": b""}
            while got["end"] is None:
                message = await asyncio.wait_for(ws.recv(), TIMEOUT)
                if isinstance(message, bytes):
                    got["samples"] += len(message) // 2
                    got["audio"] += message
                    continue
                data = json.loads(message)
                if data["type"] == "header":
                    got["header"] = data
                elif data["type"] == "chunk":
                    got["chunks"].append(data)
                elif data["type"] in ("done", "error"):
                    got["end"] = data
            results.append(got)
    return hello, results


def median_f0(pcm: bytes) -> float:
    """Median F0 (Hz) of s16le audio at 22,050 Hz, measured by Praat (parselmouth)."""
    import parselmouth

    audio = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768.0
    pitch = parselmouth.Sound(audio, 22050).to_pitch(0.01, 60.0, 500.0)
    values = pitch.selected_array["frequency"]
    return float(np.median(values[values > 0]))


def test_a_live_request_names_its_character_and_an_unknown_one_is_an_error(server):
    url = f"ws://127.0.0.1:{server.port}"
    hello, (mara, unknown, default) = asyncio.run(exchange(url, [
        {"text": "Good evening, how are you?", "character": "mara", "id": "m"},
        {"text": "Hello.", "character": "gandalf", "id": "g"},
        {"text": "Good evening, how are you?", "id": "d"},
    ]))
    assert hello["character"] == "joe" and hello["characters"] == list(character_names())
    assert mara["header"]["character"] == "mara" and mara["end"]["status"] == "complete"
    assert unknown["end"]["type"] == "error" and "'gandalf'" in unknown["end"]["message"]
    assert "mara" in unknown["end"]["message"]  # it says which names are accepted
    assert default["header"]["character"] == "joe"  # the connection stayed open
    # her voice: a young woman's pitch, well above the default man's
    assert median_f0(mara["audio"]) > 1.4 * median_f0(default["audio"])


def test_a_live_ssml_line_reports_its_marks_and_keeps_its_breaks(server):
    url = f"ws://127.0.0.1:{server.port}"
    ssml = ('<speak xmlns:mstts="https://www.w3.org/2001/mstts"><voice name="mara">'
            '<mstts:express-as style="cheerful">Hello there,<break time="800ms"/> my friend. '
            '<mark name="second"/>It is good to see you.</mstts:express-as></voice></speak>')
    _, (line, bad) = asyncio.run(exchange(url, [
        {"ssml": ssml, "id": "s1"},
        {"ssml": '<speak><prosody rate="slow">unclosed</speak>', "id": "s2"},
    ]))
    header = line["header"]
    assert header["character"] == "mara" and header["text"] == (
        "Hello there, my friend. It is good to see you.")
    assert header["segments"][0]["category"] == "happiness"
    assert line["end"]["status"] == "complete"
    words = [w for c in line["chunks"] for w in c["words"]]
    there, my = (next(w for w in words if w["text"] == t) for t in ("there", "my"))
    assert my["start"] - there["end"] >= 0.78  # the break survives the phrase cutting
    marks = [m for c in line["chunks"] for m in c["marks"]]
    it = next(w for w in words if w["text"] == "It")
    assert [m["name"] for m in marks] == ["second"]
    assert marks[0]["time"] == pytest.approx(it["start"], abs=0.03)  # on the line's clock
    # face frames cover the audio, pause included
    frames = sum(len(c["face"]["weights"]) for c in line["chunks"])
    assert frames == int(np.ceil(line["samples"] / 22050 * 60)) + 1
    assert bad["end"]["type"] == "error" and "line 1:" in bad["end"]["message"]


@pytest.mark.slow
def test_live_mode_speaks_every_character_of_the_cast(server):
    """One line per built-in character on one connection: each header names its character and
    the women's voices are higher than the men's."""
    from controllers.cast import builtin_cast

    cast = builtin_cast()
    requests = [{"text": "See you at noon.", "character": c.name, "id": c.name} for c in cast]
    _, results = asyncio.run(exchange(f"ws://127.0.0.1:{server.port}", requests))
    for character, got in zip(cast, results):
        assert got["header"]["character"] == character.name
        assert got["end"]["status"] == "complete" and got["samples"] > 0
    f0 = {c.sex: [] for c in cast}
    for character, got in zip(cast, results):
        f0[character.sex].append(median_f0(got["audio"]))
    assert min(f0["female"]) > max(f0["male"]), f0
