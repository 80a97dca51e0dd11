"""End to end: start the web UI, drive it in headless Chromium, generate a take.

Uses the Debian ``chromium`` (/usr/bin/chromium, installed by ``make setup``) through Python
Playwright; never a downloaded browser. Skipped with a message where Chromium is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("EMOSTUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """The UI served by `python app.py` on a free localhost port: (url, output folder)."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium is absent ({CHROMIUM}); `make setup` installs the Debian package")
    pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed")
    out = tmp_path_factory.mktemp("ui")
    port = _free_port()
    log = open(out.parent / "ui.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--out", str(out)],
                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the UI did not start: {(out.parent / 'ui.log').read_text()[-2000:]}")
        time.sleep(0.5)
    yield url, out
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def page(ui):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(ui[0])
        yield page
        browser.close()


def test_generate_shows_audio_video_plot_report_and_zip(ui, page):
    url, out = ui
    page.fill("#script-text textarea", "Hello there. [excited] We won!")
    page.fill("#emotion-description textarea", "calm and friendly")
    page.click("#generate")
    shown = page.wait_for_selector("#take-video video[src], .toast-body", timeout=150_000)
    if shown.get_attribute("class") and "toast-body" in shown.get_attribute("class"):
        pytest.fail(f"the UI reported an error instead of a take: {shown.inner_text()}")
    # the video is a real, decodable H.264 MP4 with the take's length
    page.wait_for_function(
        "() => document.querySelector('#take-video video').readyState >= 1", timeout=30_000)
    duration, width, error = page.evaluate(
        "() => { const v = document.querySelector('#take-video video');"
        " return [v.duration, v.videoWidth, v.error && v.error.code]; }")
    assert error is None and width > 0 and 0.5 < duration < 10

    # the audio player got the take's WAV, served from the UI's own output folder
    href = page.get_attribute("#take-audio a[data-testid=download-link]", "href")
    wav = page.request.get(href)
    assert wav.status == 200 and wav.body()[:4] == b"RIFF" and len(wav.body()) > 10_000
    assert page.inner_text("#take-audio #duration") not in ("", "0:00")

    # the zip of every export, the critic's summary, the plot
    zip_href = page.get_attribute("#take-zip a[data-testid=download-link]", "href")
    assert zip_href and zip_href.endswith("take.zip")
    assert page.request.get(zip_href).body()[:2] == b"PK"
    assert "valence" in page.inner_text("#take-summary")
    takes = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(takes) == 1 and (takes[0] / "take.glb").is_file()


def test_bad_input_shows_a_message_not_a_traceback(page):
    page.fill("#script-text textarea", "   ")
    page.click("#generate")
    toast = page.wait_for_selector(".toast-body", timeout=30_000)
    text = toast.inner_text()
    assert "empty" in text and "Traceback" not in text


def test_only_the_output_folder_is_served(ui, page):
    url, _ = ui
    assert page.request.get(f"{url}/gradio_api/file=/etc/passwd").status == 403
    assert page.request.get(f"{url}/gradio_api/file={REPO / 'app.py'}").status == 403
