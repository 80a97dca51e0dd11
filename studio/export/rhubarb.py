"""Rhubarb Lip Sync mouth cues (2D pipelines: Spine, Moho, OpenToonz, Godot/Unity 2D rigs).

Rhubarb's nine mouth shapes: A closed (P B M), B slightly open with clenched teeth (most
consonants, EE), C open (EH, AE), D wide open (AA), E slightly rounded (AO, ER), F puckered
(UW, OW, W), G upper teeth on the lower lip (F, V), H tongue raised (long L), X idle/rest.
Written as Rhubarb's JSON (``{"metadata": {"soundFile", "duration"}, "mouthCues": [{"start",
"end", "value"}]}``) and as its TSV (one ``time<TAB>shape`` line per cue start, then the end
time with ``X``).
"""

from __future__ import annotations

import json
from pathlib import Path

from controllers.errors import InputError
from synth.atomic import atomic_write_text
from synth.contracts import Timeline
from synth.face.visemes import viseme_segments

#: Oculus viseme -> Rhubarb mouth shape.
VISEME_TO_RHUBARB: dict[str, str] = {
    "sil": "X", "PP": "A", "FF": "G", "TH": "B", "DD": "B", "kk": "B", "CH": "B", "SS": "B",
    "nn": "B", "RR": "E", "aa": "D", "E": "C", "ih": "B", "oh": "E", "ou": "F",
}
#: Accepted Rhubarb shapes.
RHUBARB_SHAPES = "ABCDEFGHX"


def mouth_cues(timeline: Timeline, min_duration: float = 0.02) -> list[dict]:
    """Contiguous cues covering ``[0, duration]``; ``{"start", "end", "value"}`` in seconds.

    A long /l/ (at least 0.08 s) is H; runs of the same shape merge; a cue shorter than
    ``min_duration`` is absorbed by its predecessor.
    """
    raw: list[list] = []
    lateral = {(round(p.start, 4), round(p.end, 4)) for p in timeline.phonemes
               if p.symbol.strip("ˈˌː") in ("l", "ɫ") and p.end - p.start >= 0.08}
    for seg in viseme_segments(timeline):
        shape = VISEME_TO_RHUBARB[seg.viseme]
        if (round(seg.start, 4), round(seg.end, 4)) in lateral:
            shape = "H"
        raw.append([seg.start, seg.end, shape])
    cues: list[list] = []
    for start, end, shape in raw:
        if cues and (shape == cues[-1][2] or end - start < min_duration):
            cues[-1][1] = end
        elif cues:
            cues.append([cues[-1][1], end, shape])
        else:
            cues.append([0.0, end, shape])
    if cues:
        cues[-1][1] = max(cues[-1][1], float(timeline.duration))
    return [{"start": round(a, 2), "end": round(b, 2), "value": s} for a, b, s in cues
            if round(b, 2) > round(a, 2)]


def write_rhubarb(timeline: Timeline, path: str | Path,
                  sound_file: str | None = None) -> tuple[Path, Path]:
    """Write ``mouth.rhubarb.json`` and the TSV beside it (same stem, ``.tsv``); atomic.

    Returns ``(json_path, tsv_path)``.
    """
    path = Path(path)
    cues = mouth_cues(timeline)
    data = {"metadata": {"soundFile": sound_file or "", "duration": round(timeline.duration, 2)},
            "mouthCues": cues}
    atomic_write_text(path, json.dumps(data, indent=1))
    tsv = path.with_suffix(".tsv")
    lines = [f"{c['start']:.2f}\t{c['value']}" for c in cues]
    if cues:
        lines.append(f"{cues[-1]['end']:.2f}\tX")
    atomic_write_text(tsv, "\n".join(lines) + "\n")
    return path, tsv


def read_rhubarb(path: str | Path) -> list[dict]:
    """The ``mouthCues`` of a Rhubarb JSON, checked for shape names and order."""
    cues = json.loads(Path(path).read_text())["mouthCues"]
    for a, b in zip(cues, cues[1:]):
        if abs(a["end"] - b["start"]) > 1e-6 or b["start"] < a["start"]:
            raise InputError(f"{path}: mouth cues are not contiguous at {b['start']}")
    bad = [c["value"] for c in cues if c["value"] not in RHUBARB_SHAPES]
    if bad:
        raise InputError(f"{path}: unknown Rhubarb shapes {bad}; accepted: A-H, X")
    return cues
