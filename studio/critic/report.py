"""The critic's report files: ``critic.json`` and ``report.png`` (written atomically)."""

from __future__ import annotations

import io
import json
import textwrap
import threading
from pathlib import Path

import numpy as np

from controllers.target import CATEGORIES, CATEGORY_VAD
from studio.critic.verdict import MODALITIES, Verdict
from synth.atomic import atomic_write_bytes, atomic_write_text

#: Plot colour of each modality.
COLORS = {"speech": "tab:blue", "face": "tab:orange", "body": "tab:green", "fused": "black"}


def write_critic_json(verdict: Verdict, path: str | Path) -> Path:
    """``critic.json``: targets, per-modality estimates per iteration, verdict, timings."""
    atomic_write_text(path, json.dumps(verdict.to_dict(), indent=1))
    return Path(path)


class ReportFigure:
    """The report's figure: its static parts (axes, ticks, labels, category names) are drawn
    once; each report restores that background and draws only its own artists on top
    (matplotlib blitting). Text layout is most of matplotlib's cost, and most text is static."""

    _shared: ReportFigure | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(11, 6.4), dpi=72)
        self.canvas = FigureCanvasAgg(self.figure)
        grid = self.figure.add_gridspec(2, 2, width_ratios=[1, 1.3], height_ratios=[4.8, 1.3])
        self.plane = self.figure.add_subplot(grid[0, 0])
        self.bars = self.figure.add_subplot(grid[0, 1])
        self.timeline = self.figure.add_subplot(grid[1, :])
        ax, bars = self.plane, self.bars
        # -- valence-arousal plane ----------------------------------------------------------------
        ax.axhline(0, color="0.85", lw=0.8)
        ax.axvline(0, color="0.85", lw=0.8)
        for name, (v, a, _) in CATEGORY_VAD.items():
            if name != "neutral":
                ax.annotate(name, (v, a), color="0.6", fontsize=7, ha="center")
        ax.set(xlim=(-1, 1), ylim=(-1, 1), xlabel="valence", ylabel="arousal",
               title="target vs estimates per take (numbers: take)")
        # -- category bars ------------------------------------------------------------------------
        bars.set_xticks(np.arange(len(CATEGORIES)), CATEGORIES, rotation=30, fontsize=8)
        bars.set(xlim=(-0.6, len(CATEGORIES) - 0.4), ylim=(0, 1), ylabel="probability")
        bars.set_title(" ")  # the take's title is drawn per report, in the same place
        # -- segments along the take: target and each modality's reading per segment ---------------
        rows = ("target", *MODALITIES)
        self.timeline.set(xlim=(0, 1), ylim=(len(rows) - 0.5, -0.5))
        self.timeline.set_yticks(range(len(rows)), rows, fontsize=8)
        self.timeline.set_xticks([])
        self.timeline.set_xlabel("segments of the best take along its time (green: agrees with "
                                 "the segment's target, red: disagrees, grey: not judged)",
                                 fontsize=7)
        self.suptitle = self.figure.suptitle(" ", fontsize=8)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.06, top=0.9, wspace=0.2,
                                    hspace=0.35)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    @classmethod
    def get(cls) -> ReportFigure:
        """The process's report figure, made on first use."""
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def _artists(self, verdict: Verdict) -> list:
        """The artists of one report (added to the axes; the caller removes them)."""
        ax, bars = self.plane, self.bars
        new = []
        t = verdict.target
        segments = verdict.best_record.segments
        if len(segments) > 1:  # one star per segment's target, numbered
            for seg in segments:
                st = seg.span.target
                new.append(ax.scatter([st.valence], [st.arousal], marker="*", s=200, color="red",
                                      zorder=5))
                new.append(ax.annotate(f"T{seg.span.index + 1}", (st.valence, st.arousal),
                                       color="red", fontsize=7, xytext=(5, -9),
                                       textcoords="offset points"))
        else:
            new.append(ax.scatter([t.valence], [t.arousal], marker="*", s=260, color="red",
                                  zorder=5, label="target"))
        for m in (*MODALITIES, "fused"):
            pts = [(r.iteration, r.estimates[m].valence, r.estimates[m].arousal)
                   for r in verdict.iterations if m in r.estimates]
            if not pts:
                continue
            it, v, a = (np.array(x) for x in zip(*pts))
            new += ax.plot(v, a, "-", color=COLORS[m], alpha=0.35, lw=1)
            new.append(ax.scatter(v, a, color=COLORS[m], s=18 + 14 * it, label=m, zorder=4,
                                  marker="o" if m != "fused" else "s"))
            new += [ax.annotate(str(i + 1), (x, y), fontsize=6, xytext=(3, 3),
                                textcoords="offset points") for i, x, y in zip(it, v, a)]
        new.append(ax.legend(fontsize=7, loc="lower right"))
        # -- category bars of the best take -------------------------------------------------------
        best = verdict.best_record
        mods = [m for m in MODALITIES if m in best.estimates]
        x = np.arange(len(CATEGORIES))
        width = 0.8 / max(1, len(mods))
        if t.category in CATEGORIES:
            k = CATEGORIES.index(t.category)
            new.append(bars.axvspan(k - 0.45, k + 0.45, color="red", alpha=0.08))
        for k, m in enumerate(mods):
            p = [best.estimates[m].probabilities.get(c, 0.0) for c in CATEGORIES]
            verdict_word = "agrees" if best.agreement.get(m) else "disagrees"
            new.append(bars.bar(x + (k - (len(mods) - 1) / 2) * width, p, width, color=COLORS[m],
                                label=f"{m} ({verdict_word})"))
        new.append(bars.legend(fontsize=7))
        new += self._segment_artists(verdict)
        return new

    def _segment_artists(self, verdict: Verdict) -> list:
        """One band per segment of the best take: its target and time span on the first row,
        then per modality what was read, coloured by agreement."""
        from matplotlib.patches import Rectangle

        ax = self.timeline
        best = verdict.best_record
        segments = best.segments
        if not segments:
            return []
        duration = max(max(s.span.end for s in segments), 1e-6)
        new = []
        for s in segments:
            x0, x1 = s.span.start / duration, s.span.end / duration
            mid = 0.5 * (x0 + x1)
            category = s.span.target.category or "dimensional"
            new.append(ax.add_patch(Rectangle((x0, -0.5), x1 - x0, 1, facecolor="0.92",
                                              edgecolor="white", lw=2)))
            new.append(ax.text(mid, 0, f"{s.span.index + 1}: {category}  "
                                       f"{s.span.start:.2f}-{s.span.end:.2f} s",
                               ha="center", va="center", fontsize=7))
            for row, m in enumerate(MODALITIES, start=1):
                e = s.estimates.get(m)
                color = ("0.8" if e is None else
                         "#b7e4b0" if s.agreement.get(m) else "#f4b6b0")
                new.append(ax.add_patch(Rectangle((x0, row - 0.5), x1 - x0, 1, facecolor=color,
                                                  edgecolor="white", lw=2)))
                label = ("not judged" if e is None
                         else f"{e.category} {e.probabilities[e.category]:.2f}")
                new.append(ax.text(mid, row, label, ha="center", va="center", fontsize=7))
        return new

    def render(self, verdict: Verdict) -> bytes:
        """PNG bytes of ``verdict``'s report."""
        from matplotlib.container import BarContainer
        from PIL import Image

        with self._lock:
            self.canvas.restore_region(self.background)
            new = self._artists(verdict)
            titles = (self.bars.title, self.suptitle)
            title = (f"take {verdict.best + 1} of {len(verdict.iterations)}: "
                     f"{'SUCCESS' if verdict.success else 'not reached'}")
            segments = verdict.best_record.segments
            if len(segments) > 1:  # the bars show the main segment (the record's estimates)
                main = max(segments, key=lambda s: len(s.span.text))
                title += f"; bars: segment {main.span.index + 1} ({main.span.target.category})"
            self.bars.title.set_text(title)
            # the reason on at most two lines (critic.json has it whole)
            lines = textwrap.wrap(verdict.reason, 165)
            self.suptitle.set_text("\n".join(lines[:2]) + (" ..." if len(lines) > 2 else ""))
            try:
                drawn = [p for a in new
                         for p in (a.patches if isinstance(a, BarContainer) else [a])]
                for artist in sorted(drawn, key=lambda a: a.get_zorder()):
                    self.figure.draw_artist(artist)
                for title in titles:
                    self.figure.draw_artist(title)
                rgba = np.asarray(self.canvas.buffer_rgba())
                image = Image.fromarray(rgba[..., :3].copy())
            finally:
                for artist in new:
                    artist.remove()
                for title in titles:
                    title.set_text(" ")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


def render_report_png(verdict: Verdict) -> bytes:
    """PNG bytes: the valence-arousal plane (target and each take's estimates), the best
    take's per-modality category probabilities (its main segment's), and a band per segment of
    the best take with what each modality read there."""
    return ReportFigure.get().render(verdict)


def write_report(verdict: Verdict, out_dir: str | Path) -> dict[str, Path]:
    """Write ``critic.json`` and ``report.png`` into ``out_dir``; returns {name: path}."""
    out = Path(out_dir)
    json_path = write_critic_json(verdict, out / "critic.json")
    png_path = out / "report.png"
    atomic_write_bytes(png_path, render_report_png(verdict))
    return {"critic.json": json_path, "report.png": png_path}
