"""The web UI's helpers without a browser: the valence-arousal pad, emotion controls, results."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import numpy as np
import pytest

from controllers.target import EmotionTarget

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app():
    spec = importlib.util.spec_from_file_location("emostudio_app", REPO / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pad_clicks_map_to_the_valence_arousal_plane(app):
    size = app.PAD_SIZE
    assert app.pad_to_va(0, 0) == (-1.0, 1.0)  # top left: unpleasant, excited
    assert app.pad_to_va(size - 1, size - 1) == (1.0, -1.0)
    for v, a in [(0.0, 0.0), (0.5, -0.3), (-0.8, 0.9)]:
        assert app.pad_to_va(*app.va_to_pad(v, a)) == pytest.approx((v, a), abs=0.01)
    img = app.pad_image(0.6, 0.4)
    assert img.shape == (size, size, 3) and img.dtype == np.uint8
    x, y = (round(c) for c in app.va_to_pad(0.6, 0.4))
    assert img[y - 7, x, 0] > 150 > img[y - 7, x, 2]  # the red marker sits on the point


def test_each_emotion_control_gives_the_renderers_emotion(app):
    assert app.emotion_from_controls("description", "quietly furious", 0, 0, 0, "anger", 1) \
        == "quietly furious"
    assert app.emotion_from_controls("pad", "", 0.5, -0.2, 0.1, "anger", 1) == (0.5, -0.2, 0.1)
    target = app.emotion_from_controls("category", "", 0, 0, 0, "sadness", 0.5)
    assert target == EmotionTarget.from_category("sadness", 0.5)


def test_critic_summary_lists_target_and_every_modality(app):
    critic = {"verdict": {"success": False, "best_iteration": 1, "reason": "speech reads calm"},
              "iterations": [{"estimates": {}},
                             {"estimates": {m: {"category": "calm", "valence": 0.3,
                                                "arousal": -0.4, "confidence": 0.6}
                                            for m in ("speech", "face", "body")}}]}
    text = app.critic_markdown(critic, EmotionTarget.from_category("anger", 1.0).to_dict())
    assert "Target not met" in text and "speech reads calm" in text and "2 takes" in text
    assert all(f"| {m} | calm | +0.30 | -0.40 | 0.60 |" in text for m in ("speech", "face", "body"))
    assert "| **target** | anger |" in text


def test_zip_holds_every_file_of_the_take(app, tmp_path):
    take = tmp_path / "take-1"
    take.mkdir()
    for name in ("take.wav", "face.arkit.json", "take.glb"):
        (take / name).write_bytes(b"x" * 10)
    (take / ".take.abc.tmp.wav").write_bytes(b"partial")
    archive = app.zip_take(take)
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["take-1/face.arkit.json", "take-1/take.glb",
                                          "take-1/take.wav"]


# -- the running server: its file route and its answers under load ---------------------------------

@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    """The UI served in this process on a free localhost port: (base URL, output folder)."""
    import socket

    out = tmp_path_factory.mktemp("ui-out")
    take = out / "take-1"
    take.mkdir()
    (take / "take.json").write_text('{"ok": true}')
    secret = out.parent / "secret.txt"
    secret.write_text("not for the web")
    (out / "link.txt").symlink_to(secret)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    blocks = app.launch(port=port, out=out, block=False)
    yield f"http://127.0.0.1:{port}", out.resolve()
    blocks.close()


def _get(url: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_file_route_serves_only_the_output_folder(server):
    base, out = server
    status, body = _get(f"{base}/gradio_api/file={out}/take-1/take.json")
    assert status == 200 and body == b'{"ok": true}'
    secret = out.parent / "secret.txt"
    outside = [
        "/etc/passwd",
        str(secret),
        f"{out}/../{secret.name}",
        f"{out}/take-1/../../{secret.name}",
        f"{out}/%2e%2e/{secret.name}",
        f"{out}/..%2f{secret.name}",
        f"{out}/take-1/%252e%252e/%252e%252e/{secret.name}",
        "%2Fetc%2Fpasswd",
        "../../../../../../etc/passwd",
        f"{out}/link.txt",  # a link inside the folder to a file outside it
    ]
    for path in outside:
        status, body = _get(f"{base}/gradio_api/file={path}")
        assert status in (403, 404), (path, status)
        assert b"not for the web" not in body and b"root:" not in body, path


def test_twenty_concurrent_requests_are_all_answered(server):
    """Ten renders with bad input (each answered with its message) and ten file requests, at
    once: every one gets its answer."""
    from concurrent.futures import ThreadPoolExecutor

    base, out = server

    def bad_render(k: int) -> str:
        return _call_generate(base, [f"Line {k}.", "description", f"valence {k + 1}e400", 0, 0,
                                     0, "anger", 0.5, "joe", k, "none"])

    def fetch(k: int) -> int:
        return _get(f"{base}/gradio_api/file={out}/take-1/take.json")[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        renders = [pool.submit(bad_render, k) for k in range(10)]
        files = [pool.submit(fetch, k) for k in range(10)]
        answers = [f.result(timeout=180) for f in renders]
        statuses = [f.result(timeout=180) for f in files]
    assert statuses == [200] * 10
    for answer in answers:
        assert "event: error" in answer and "not a finite number" in answer, answer[:300]
    # a refused render leaves no take folder behind
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "link.txt", "take-1"]


def test_gradio_caches_live_in_the_output_folder(server):
    """Gradio's temporary files and its examples cache are kept under the UI's own folder, not
    in the working folder it was started from."""
    import os

    _, out = server
    for name in ("GRADIO_TEMP_DIR", "GRADIO_EXAMPLES_CACHE"):
        assert Path(os.environ[name]).resolve().is_relative_to(out), name


def test_the_picker_offers_the_whole_cast_with_portraits(app):
    from controllers.cast import builtin_cast

    names = [name for _, name in app.character_choices()]
    assert names == [c.name for c in builtin_cast()] and len(names) >= 6
    for name in names:
        portrait, line = app.character_card(name)
        assert portrait is not None and portrait.ndim == 3 and portrait.shape[2] == 3, name
        assert line.startswith(f"**{name}**")


def _call_generate(base: str, inputs: list, timeout: float = 600) -> str:
    """The event stream of one call of the UI's ``generate`` endpoint with ``inputs`` (text,
    mode, description, valence, arousal, dominance, category, intensity, character, seed,
    preview)."""
    import json
    import urllib.request

    request = urllib.request.Request(f"{base}/gradio_api/call/generate",
                                     data=json.dumps({"data": inputs}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as r:
        event = json.loads(r.read())["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/generate/{event}",
                                timeout=timeout) as r:
        return r.read().decode()


@pytest.mark.slow
def test_every_character_renders_through_the_ui(server):
    """The UI's generate call renders each character of the cast: its take.json names it."""
    import json

    from controllers.cast import character_names

    base, out = server
    for name in character_names():
        before = {p.name for p in out.iterdir()}
        answer = _call_generate(base, ["Yes.", "description", "a bit happy", 0, 0, 0, "anger",
                                       0.5, name, 0, "none"])
        assert "event: complete" in answer, answer[:400]
        made = [p for p in out.iterdir() if p.name not in before and p.is_dir()]
        assert len(made) == 1
        assert json.loads((made[0] / "take.json").read_text())["character"] == name
