"""The critic's report files: ``critic.json`` and ``report.png`` (written atomically)."""

from __future__ import annotations

import io
import json
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


def render_report_png(verdict: Verdict) -> bytes:
    """PNG bytes: the valence-arousal plane (target and each take's estimates) and the best
    take's per-modality category probabilities."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.8), dpi=72)
    ax, bars = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    # -- valence-arousal plane ------------------------------------------------------------------
    ax.axhline(0, color="0.85", lw=0.8)
    ax.axvline(0, color="0.85", lw=0.8)
    for name, (v, a, _) in CATEGORY_VAD.items():
        if name != "neutral":
            ax.annotate(name, (v, a), color="0.6", fontsize=7, ha="center")
    t = verdict.target
    ax.scatter([t.valence], [t.arousal], marker="*", s=260, color="red", zorder=5, label="target")
    for m in (*MODALITIES, "fused"):
        pts = [(r.iteration, r.estimates[m].valence, r.estimates[m].arousal)
               for r in verdict.iterations if m in r.estimates]
        if not pts:
            continue
        it, v, a = (np.array(x) for x in zip(*pts))
        ax.plot(v, a, "-", color=COLORS[m], alpha=0.35, lw=1)
        ax.scatter(v, a, color=COLORS[m], s=18 + 14 * it, label=m, zorder=4,
                   marker="o" if m != "fused" else "s")
        for i, x, y in zip(it, v, a):
            ax.annotate(str(i + 1), (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set(xlim=(-1, 1), ylim=(-1, 1), xlabel="valence", ylabel="arousal",
           title="target vs estimates per take (numbers: take)")
    ax.legend(fontsize=7, loc="lower right")
    # -- category bars of the best take -----------------------------------------------------------
    best = verdict.best_record
    mods = [m for m in MODALITIES if m in best.estimates]
    x = np.arange(len(CATEGORIES))
    width = 0.8 / max(1, len(mods))
    for k, m in enumerate(mods):
        p = [best.estimates[m].probabilities.get(c, 0.0) for c in CATEGORIES]
        bars.bar(x + (k - (len(mods) - 1) / 2) * width, p, width, color=COLORS[m],
                 label=f"{m} ({'agrees' if best.agreement.get(m) else 'disagrees'})")
    want = t.category
    if want in CATEGORIES:
        bars.axvspan(CATEGORIES.index(want) - 0.45, CATEGORIES.index(want) + 0.45,
                     color="red", alpha=0.08)
    bars.set_xticks(x, CATEGORIES, rotation=30, fontsize=8)
    bars.set(ylim=(0, 1), ylabel="probability",
             title=f"take {verdict.best + 1} of {len(verdict.iterations)}: "
                   f"{'SUCCESS' if verdict.success else 'not reached'}")
    bars.legend(fontsize=7)
    fig.suptitle(verdict.reason, fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.86, wspace=0.2)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def write_report(verdict: Verdict, out_dir: str | Path) -> dict[str, Path]:
    """Write ``critic.json`` and ``report.png`` into ``out_dir``; returns {name: path}."""
    out = Path(out_dir)
    json_path = write_critic_json(verdict, out / "critic.json")
    png_path = out / "report.png"
    atomic_write_bytes(png_path, render_report_png(verdict))
    return {"critic.json": json_path, "report.png": png_path}
