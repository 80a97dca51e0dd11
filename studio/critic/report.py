"""The critic's report files: ``critic.json`` and ``report.png`` (written atomically)."""

from __future__ import annotations

import io
import json
import textwrap
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from controllers.target import CATEGORIES, CATEGORY_VAD
from studio.critic.verdict import MODALITIES, Verdict
from synth.atomic import atomic_write_bytes, atomic_write_text

#: Figure size in pixels (width, height).
SIZE = (792, 461)
#: Colour (RGB) of each modality's marks.
COLORS = {"speech": (31, 119, 180), "face": (255, 127, 14), "body": (44, 160, 44),
          "fused": (0, 0, 0)}
TARGET_RED = (214, 39, 40)
#: Segment band colours: agrees, disagrees, not judged, the target row.
AGREES, DISAGREES, NOT_JUDGED, TARGET_BAND = (183, 228, 176), (244, 182, 176), (204, 204, 204), \
    (235, 235, 235)
GRID, LABEL_GREY, INK = (217, 217, 217), (153, 153, 153), (0, 0, 0)
#: Pixel boxes (left, top, right, bottom) of the three panels.
PLANE = (62, 45, 345, 303)
BARS = (385, 45, 775, 303)
BANDS = (62, 362, 775, 430)


def write_critic_json(verdict: Verdict, path: str | Path) -> Path:
    """``critic.json``: targets, per-modality estimates per iteration, verdict, timings."""
    atomic_write_text(path, json.dumps(verdict.to_dict(), indent=1))
    return Path(path)


_FONT_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _font(size: int):
    """DejaVu Sans (the font matplotlib ships, found without importing matplotlib) at ``size``
    pixels; Pillow's own font where it is missing."""
    import importlib.util

    from PIL import ImageFont

    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        path = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


class ReportCanvas:
    """One report drawn with Pillow: panels in pixel boxes, data mapped into them.

    Drawn without matplotlib on purpose: importing it and laying out a figure's text cost
    ~0.5 s of every ``emostudio render``, more than the rest of writing a take's files.
    """

    def __init__(self) -> None:
        from PIL import Image, ImageDraw

        self.image = Image.new("RGB", SIZE, "white")
        self.draw = ImageDraw.Draw(self.image)

    # -- primitives ---------------------------------------------------------------------------
    def text(self, xy: tuple[float, float], text: str, size: int = 8, fill=INK,
             anchor: str = "mm") -> None:
        """``text`` at pixel ``xy``; ``anchor`` as Pillow's (``"mm"``: centred)."""
        self.draw.text(xy, text, fill=fill, font=_font(size), anchor=anchor)

    def rotated_text(self, xy: tuple[float, float], text: str, angle: float, size: int = 8,
                     anchor: str = "center") -> None:
        """``text`` turned ``angle`` degrees counter-clockwise; ``anchor`` ``"center"`` puts
        its middle at ``xy``, ``"end"`` its end (the upper right of the turned text)."""
        from PIL import Image, ImageDraw

        font = _font(size)
        left, top, right, bottom = font.getbbox(text)
        label = Image.new("L", (right - left + 2, bottom - top + 2), 0)
        ImageDraw.Draw(label).text((1 - left, 1 - top), text, fill=255, font=font)
        label = label.rotate(angle, expand=True, resample=Image.BICUBIC)
        w, h = label.size
        x, y = (xy[0] - w / 2, xy[1] - h / 2) if anchor == "center" else (xy[0] - w, xy[1])
        self.image.paste(INK, (int(round(x)), int(round(y))), label)

    def marker(self, xy: tuple[float, float], kind: str, radius: float, fill) -> None:
        """A filled ``"o"`` (circle), ``"s"`` (square) or ``"*"`` (star) of ``radius`` px."""
        x, y = xy
        if kind == "o":
            self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
        elif kind == "s":
            self.draw.rectangle((x - radius, y - radius, x + radius, y + radius), fill=fill)
        else:
            angles = np.pi / 2 + np.arange(10) * np.pi / 5
            r = np.where(np.arange(10) % 2 == 0, radius, 0.4 * radius)
            self.draw.polygon(list(zip(x + r * np.cos(angles), y - r * np.sin(angles))),
                              fill=fill)

    def frame(self, box: tuple[int, int, int, int]) -> None:
        self.draw.rectangle(box, outline=INK)

    @staticmethod
    def legend_size(entries: list[tuple[str, str, tuple]]) -> tuple[float, float]:
        """(width, height) in pixels of the legend of ``entries``."""
        return 26 + max(_font(7).getlength(label) for _, label, _ in entries), \
            12 * len(entries) + 6

    def legend(self, topleft: tuple[float, float], entries: list[tuple[str, str, tuple]]
               ) -> None:
        """A framed legend of (marker kind or ``"bar"``, label, colour) rows, its upper left
        corner at pixel ``topleft``."""
        row = 12
        width, height = self.legend_size(entries)
        left, top = topleft
        self.draw.rectangle((left, top, left + width, top + height), fill="white", outline=GRID)
        x = left + 12
        for k, (kind, label, color) in enumerate(entries):
            cy = top + 3 + row * k + row / 2
            if kind == "bar":
                self.draw.rectangle((x - 8, cy - 3, x + 6, cy + 3), fill=color)
            else:
                self.marker((x, cy), kind, 5.5 if kind == "*" else 3, color)
            self.text((x + 12, cy), label, 7, anchor="lm")


def _overlap(box: tuple[float, float, float, float],
             boxes: list[tuple[float, float, float, float]]) -> float:
    """Area in square pixels of ``boxes`` (left, top, right, bottom) inside ``box``."""
    return sum(max(0.0, min(box[2], b[2]) - max(box[0], b[0]))
               * max(0.0, min(box[3], b[3]) - max(box[1], b[1])) for b in boxes)


def _linspace_labels(lo: float, hi: float, n: int) -> list[tuple[float, str]]:
    return [(v, f"{v:.2f}") for v in np.linspace(lo, hi, n)]


class ReportFigure:
    """The report's layout: the valence-arousal plane (target and each take's estimates), the
    best take's category probabilities per modality, and a band per segment of the best take."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.canvas = ReportCanvas()

    # -- mapping ----------------------------------------------------------------------------
    @staticmethod
    def plane_xy(valence: float, arousal: float) -> tuple[float, float]:
        """Pixel of a valence-arousal point (both in [-1, 1])."""
        left, top, right, bottom = PLANE
        return (left + (valence + 1) / 2 * (right - left),
                bottom - (arousal + 1) / 2 * (bottom - top))

    @staticmethod
    def bars_x(position: float) -> float:
        """Pixel x of a category position (0 .. len(CATEGORIES) - 1, half a bar of margin)."""
        left, _, right, _ = BARS
        return left + (position + 0.6) / len(CATEGORIES) * (right - left)

    @staticmethod
    def bars_y(probability: float) -> float:
        _, top, _, bottom = BARS
        return bottom - probability * (bottom - top)

    # -- panels -----------------------------------------------------------------------------
    def render(self) -> bytes:
        """PNG bytes of the report."""
        with _FONT_LOCK:  # the fonts are shared: one FreeType face is not for two threads
            self.titles()
            self.plane()
            self.bars()
            self.bands()
        buf = io.BytesIO()
        self.canvas.image.save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def titles(self) -> None:
        verdict, c = self.verdict, self.canvas
        lines = textwrap.wrap(verdict.reason, 165)  # at most two lines; critic.json has it whole
        reason = lines[:2]
        if len(lines) > 2:
            reason[-1] += " ..."
        for k, line in enumerate(reason):
            c.text((SIZE[0] / 2, 9 + 11 * k), line, 8)
        title = (f"take {verdict.best + 1} of {len(verdict.iterations)}: "
                 f"{'SUCCESS' if verdict.success else 'not reached'}")
        segments = verdict.best_record.segments
        if len(segments) > 1:  # the bars show the main segment (the record's estimates)
            main = max(segments, key=lambda s: len(s.span.text))
            title += f"; bars: segment {main.span.index + 1} ({main.span.target.category})"
        c.text(((BARS[0] + BARS[2]) / 2, BARS[1] - 9), title, 11)
        c.text(((PLANE[0] + PLANE[2]) / 2, PLANE[1] - 9),
               "target vs estimates per take (numbers: take)", 11)

    def plane(self) -> None:
        verdict, c = self.verdict, self.canvas
        left, top, right, bottom = PLANE
        x0, y0 = self.plane_xy(0.0, 0.0)
        c.draw.line((left, y0, right, y0), fill=GRID)
        c.draw.line((x0, top, x0, bottom), fill=GRID)
        c.frame(PLANE)
        for v, label in _linspace_labels(-1, 1, 9):
            x, y = self.plane_xy(v, v)
            c.draw.line((x, bottom, x, bottom + 3), fill=INK)
            c.text((x, bottom + 9), label, 8)
            c.draw.line((left - 3, y, left, y), fill=INK)
            c.text((left - 5, y), label, 8, anchor="rm")
        c.text(((left + right) / 2, bottom + 24), "valence", 9)
        c.rotated_text((left - 45, (top + bottom) / 2), "arousal", 90, 9)
        for name, (v, a, _) in CATEGORY_VAD.items():
            if name != "neutral":
                c.text(self.plane_xy(v, a), name, 7, LABEL_GREY, anchor="ms")
        segments = verdict.best_record.segments
        entries = [] if len(segments) > 1 else [("*", "target", TARGET_RED)]
        overlay = None
        for m in (*MODALITIES, "fused"):
            points = [(r.iteration, *self.plane_xy(r.estimates[m].valence,
                                                    r.estimates[m].arousal))
                      for r in verdict.iterations if m in r.estimates]
            if not points:
                continue
            kind = "s" if m == "fused" else "o"
            entries.append((kind, m, COLORS[m]))
            if len(points) > 1:  # the path between takes, faint
                from PIL import Image, ImageDraw

                overlay = overlay or Image.new("RGBA", SIZE, (0, 0, 0, 0))
                ImageDraw.Draw(overlay).line([(x, y) for _, x, y in points],
                                             fill=(*COLORS[m], 90), width=1)
            for it, x, y in points:
                c.marker((x, y), kind, 2.0 + 0.7 * it, COLORS[m])
                c.text((x + 3, y - 3), str(it + 1), 6, anchor="lb")
        if overlay is not None:
            c.image.paste(overlay, (0, 0), overlay)
        if len(segments) > 1:  # over the estimates: one star per segment's target, numbered
            for seg in segments:
                xy = self.plane_xy(seg.span.target.valence, seg.span.target.arousal)
                c.marker(xy, "*", 7, TARGET_RED)
                c.text((xy[0] + 5, xy[1] + 4), f"T{seg.span.index + 1}", 7, TARGET_RED, "lt")
        else:
            target = verdict.target
            c.marker(self.plane_xy(target.valence, target.arousal), "*", 8, TARGET_RED)
        width, height = c.legend_size(entries)
        c.legend((right - 4 - width, bottom - 4 - height), entries)

    def bars(self) -> None:
        verdict, c = self.verdict, self.canvas
        left, top, right, bottom = BARS
        target = verdict.target
        if target.category in CATEGORIES:
            k = CATEGORIES.index(target.category)
            c.draw.rectangle((max(self.bars_x(k - 0.45), left), top,
                              min(self.bars_x(k + 0.45), right), bottom), fill=(253, 235, 235))
        best = verdict.best_record
        mods = [m for m in MODALITIES if m in best.estimates]
        width = 0.8 / max(1, len(mods))
        entries, drawn = [], []
        for j, m in enumerate(mods):
            offset = (j - (len(mods) - 1) / 2) * width
            for k, category in enumerate(CATEGORIES):
                p = float(best.estimates[m].probabilities.get(category, 0.0))
                if p > 0:
                    drawn.append((self.bars_x(k + offset - width / 2), self.bars_y(p),
                                  self.bars_x(k + offset + width / 2), bottom))
                    c.draw.rectangle(drawn[-1], fill=COLORS[m])
            entries.append(("bar", f"{m} ({'agrees' if best.agreement.get(m) else 'disagrees'})",
                            COLORS[m]))
        if entries:  # in the upper corner (or middle) that hides the least of the bars
            w, h = c.legend_size(entries)
            corners = [(right - 4 - w, top + 4), (left + 4, top + 4),
                       ((left + right - w) / 2, top + 4)]
            c.legend(min(corners, key=lambda xy: _overlap((*xy, xy[0] + w, xy[1] + h), drawn)),
                     entries)
        c.frame(BARS)
        for p, label in _linspace_labels(0, 1, 6):
            y = self.bars_y(p)
            c.draw.line((left - 3, y, left, y), fill=INK)
            c.text((left - 5, y), label[:3], 8, anchor="rm")
        c.rotated_text((left - 35, (top + bottom) / 2), "probability", 90, 9)
        for k, category in enumerate(CATEGORIES):
            x = self.bars_x(k)
            c.draw.line((x, bottom, x, bottom + 3), fill=INK)
            c.rotated_text((x + 4, bottom + 5), category, 30, 8, anchor="end")

    def bands(self) -> None:
        """One band per segment of the best take: its target and time span on the first row,
        then per modality what was read, coloured by agreement."""
        c = self.canvas
        left, top, right, bottom = BANDS
        rows = ("target", *MODALITIES)
        height = (bottom - top) / len(rows)
        for r, name in enumerate(rows):
            y = top + (r + 0.5) * height
            c.draw.line((left - 3, y, left, y), fill=INK)
            c.text((left - 5, y), name, 8, anchor="rm")
        c.text(((left + right) / 2, bottom + 9),
               "segments of the best take along its time (green: agrees with the segment's "
               "target, red: disagrees, grey: not judged)", 7)
        segments = self.verdict.best_record.segments
        if segments:
            duration = max(max(s.span.end for s in segments), 1e-6)
            for s in segments:
                x0 = left + s.span.start / duration * (right - left)
                x1 = left + s.span.end / duration * (right - left)
                category = s.span.target.category or "dimensional"
                cells = [(TARGET_BAND, f"{s.span.index + 1}: {category}  "
                                       f"{s.span.start:.2f}-{s.span.end:.2f} s")]
                for m in MODALITIES:
                    e = s.estimates.get(m)
                    cells.append((NOT_JUDGED, "not judged") if e is None else (
                        AGREES if s.agreement.get(m) else DISAGREES,
                        f"{e.category} {e.probabilities[e.category]:.2f}"))
                for r, (color, label) in enumerate(cells):
                    y0 = top + r * height
                    c.draw.rectangle((x0, y0, x1, y0 + height), fill=color, outline="white",
                                     width=2)
                    c.text(((x0 + x1) / 2, y0 + height / 2), label, 7)
        c.frame(BANDS)


def render_report_png(verdict: Verdict) -> bytes:
    """PNG bytes: the valence-arousal plane (target and each take's estimates), the best
    take's per-modality category probabilities (its main segment's), and a band per segment of
    the best take with what each modality read there."""
    return ReportFigure(verdict).render()


def write_report(verdict: Verdict, out_dir: str | Path) -> dict[str, Path]:
    """Write ``critic.json`` and ``report.png`` into ``out_dir``; returns {name: path}."""
    out = Path(out_dir)
    json_path = write_critic_json(verdict, out / "critic.json")
    png_path = out / "report.png"
    atomic_write_bytes(png_path, render_report_png(verdict))
    return {"critic.json": json_path, "report.png": png_path}
