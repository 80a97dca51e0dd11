"""report.png: drawn with Pillow from the verdict alone (no matplotlib), marks where the
verdict says, the same verdict gives the same bytes."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from controllers.target import CATEGORIES, EmotionTarget
from studio.critic.estimate import EmotionEstimate
from studio.critic.report import (BANDS, BARS, COLORS, SIZE, TARGET_RED, ReportFigure,
                                  render_report_png, write_report)
from studio.critic.segments import SegmentSpan
from studio.critic.verdict import Controls, IterationRecord, SegmentRecord, Verdict


def _estimate(modality: str, category: str, p: float, valence: float, arousal: float):
    rest = (1.0 - p) / (len(CATEGORIES) - 1)
    return EmotionEstimate(modality, {c: (p if c == category else rest) for c in CATEGORIES},
                           valence, arousal)


def _verdict(target_category: str = "happiness", body: bool = True, takes: int = 1) -> Verdict:
    target = EmotionTarget.from_category(target_category, 0.8)
    records = []
    for it in range(takes):
        estimates = {"speech": _estimate("speech", "anger", 0.9, -0.5, 0.6 - 0.1 * it),
                     "face": _estimate("face", "happiness", 0.8, 0.7, 0.45),
                     "fused": _estimate("fused", "happiness", 0.5, 0.1, 0.3)}
        if body:
            estimates["body"] = _estimate("body", "calm", 0.55, 0.05, -0.15)
        agreement = {"speech": False, "face": True, **({"body": False} if body else {})}
        span = SegmentSpan(0, 0, "Yes.", target, 0.0, 0.56, (0, 1))
        records.append(IterationRecord(
            it, Controls(target=target, intensity=0.8, iteration=it), estimates, agreement,
            0.4, 0.5, segments=[SegmentRecord(span, estimates, agreement, 0.4, 0.5)]))
    return Verdict(target=target, text="Yes.", iterations=records, best=takes - 1,
                   success=False, reason="did not reach happiness: speech reads anger")


def _image(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_report_marks_the_target_the_estimates_and_the_bars():
    png = render_report_png(_verdict())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = _image(png)
    assert image.shape == (SIZE[1], SIZE[0], 3)
    target = _verdict().target
    x, y = (int(round(v)) for v in ReportFigure.plane_xy(target.valence, target.arousal))
    assert tuple(image[y, x]) == TARGET_RED  # the star sits on the target
    x, y = (int(round(v)) for v in ReportFigure.plane_xy(0.7, 0.45))
    assert tuple(image[y, x]) == COLORS["face"]  # the face's reading
    # the speech bar of "anger" reaches 0.9 of the panel's height
    k = CATEGORIES.index("anger")
    column = image[BARS[1]:BARS[3], int(ReportFigure.bars_x(k - 0.27))]
    speech = np.flatnonzero((column == COLORS["speech"]).all(axis=1))
    assert abs(len(speech) / (BARS[3] - BARS[1]) - 0.9) < 0.02
    # the band rows: the face agrees (green), the speech does not (red)
    rows = (BANDS[3] - BANDS[1]) / 4
    mid_x = (BANDS[0] + BANDS[2]) // 2 - 60
    assert tuple(image[int(BANDS[1] + 1.5 * rows), mid_x]) == (244, 182, 176)
    assert tuple(image[int(BANDS[1] + 2.5 * rows), mid_x]) == (183, 228, 176)


def test_same_verdict_same_bytes_and_each_verdict_its_own():
    a = render_report_png(_verdict())
    assert render_report_png(_verdict()) == a
    assert render_report_png(_verdict("sadness")) != a
    assert render_report_png(_verdict(takes=3)) != a


def test_a_take_without_body_and_several_takes(tmp_path):
    files = write_report(_verdict(body=False, takes=3), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["critic.json", "report.png"]
    image = _image(files["report.png"].read_bytes())
    rows = (BANDS[3] - BANDS[1]) / 4
    assert tuple(image[int(BANDS[1] + 3.5 * rows), (BANDS[0] + BANDS[2]) // 2 - 60]) == \
        (204, 204, 204)  # body: not judged


def test_report_does_not_import_matplotlib(fresh_python):
    code = ("import sys\n"
            "from tests.test_critic_report import _verdict\n"
            "from studio.critic.report import render_report_png\n"
            "render_report_png(_verdict())\n"
            "print('matplotlib' in sys.modules)\n")
    assert fresh_python(code, timeout=120).strip() == "False"
