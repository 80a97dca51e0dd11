"""A take: one line of text performed once, with everything the pipeline made for it.

A :class:`Take` is what :func:`studio.pipeline.render` returns and what the batch runner, the
CLI and the web UI present. Its :meth:`Take.summary` is the JSON record written as ``take.json``
beside the take's files (and, per line, into a batch's ``manifest.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controllers.character import Character
from controllers.target import EmotionPlan, EmotionTarget
from synth.atomic import atomic_write_text
from synth.contracts import BodyAnimation, FaceAnimation, Speech

#: Name of the record written last into a take's folder; its presence marks a complete take.
SUMMARY_NAME = "take.json"


@dataclass
class Take:
    """One performance: speech, face and body animation of a line, the critic's verdict, files."""

    text: str
    """The line as performed, inline emotion tags removed."""
    plan: EmotionPlan
    """Emotions along the line as asked (one segment when it does not change)."""
    speech: Speech
    """The voice: audio (samples,) float32 at ``speech.sample_rate`` Hz, plus its timeline."""
    face: FaceAnimation
    """Blendshape, head and eye curves (60 fps)."""
    body: BodyAnimation
    """Skeleton animation on the avatar rig (30 fps)."""
    seed: int = 0
    """Random seed the take was rendered with."""
    verdict: Any = None
    """The critic's verdict (``studio.critic`` object with ``to_dict()``), None when not judged."""
    files: dict[str, Path] = field(default_factory=dict)
    """File name -> path of every file written for the take (empty when nothing was written)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Stage name -> wall-clock seconds spent (``speech``, ``face``, ``body``, ``critic``, ...)."""
    performed: EmotionPlan | None = None
    """The plan actually performed when the critic loop corrected it (None: ``plan`` itself)."""
    character: Character | None = None
    """Who performed it (None: the studio's defaults, which are the default character's)."""

    @property
    def target(self) -> EmotionTarget:
        """The emotion the take should express overall (the longest segment's target)."""
        return self.plan.main_target

    @property
    def performed_target(self) -> EmotionTarget:
        """The main target actually synthesised (the critic's correction of :attr:`target`)."""
        return (self.performed or self.plan).main_target

    @property
    def duration(self) -> float:
        """Length of the speech in seconds."""
        return self.speech.duration

    @property
    def compute_seconds(self) -> float:
        """Total wall-clock seconds spent rendering the take."""
        return float(sum(self.timings.values()))

    def verdict_dict(self) -> dict | None:
        """The critic's verdict as plain JSON data, or None."""
        if self.verdict is None:
            return None
        if hasattr(self.verdict, "to_dict"):
            return self.verdict.to_dict()
        return dict(self.verdict)

    def verdict_summary(self) -> dict | None:
        """The critic's conclusion only (success, reason, agreement, best iteration), or None."""
        record = self.verdict_dict()
        return None if record is None else record.get("verdict", record)

    def summary(self, relative_to: Path | None = None) -> dict:
        """JSON-ready record of the take: text, target, plan, duration, files, timings, verdict.

        The verdict is the critic's conclusion; ``critic.json`` holds every iteration.

        File paths are given relative to ``relative_to`` when set (a take's own folder, so that
        the record stays valid after the folder is moved).
        """
        def name(p: Path) -> str:
            return str(p.relative_to(relative_to)) if relative_to else str(p)

        return {
            "text": self.text,
            "character": self.character.name if self.character else None,
            "seed": self.seed,
            "target": self.target.to_dict(),
            "performed_target": self.performed_target.to_dict(),
            "plan": self.plan.to_dict(),
            "duration": round(self.duration, 4),
            "files": sorted(name(p) for p in self.files.values()),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "verdict": self.verdict_summary(),
        }

    def write_summary(self, folder: Path, extra: dict | None = None) -> Path:
        """Write :meth:`summary` (plus ``extra`` keys) as ``folder/take.json``, atomically.

        Written last: a folder holding ``take.json`` is a complete take.
        """
        folder = Path(folder)
        record = self.summary(relative_to=folder)
        record.update(extra or {})
        path = folder / SUMMARY_NAME
        record["files"] = sorted(set(record["files"]) | {SUMMARY_NAME})
        atomic_write_text(path, json.dumps(record, indent=1))
        self.files[SUMMARY_NAME] = path
        return path


def read_summary(folder: Path) -> dict | None:
    """The ``take.json`` record of a take folder, or None when the take is absent or incomplete.

    A take is complete when its record exists, parses, and every file it lists exists and is
    not empty.
    """
    path = Path(folder) / SUMMARY_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for name in record.get("files", []):
        f = Path(folder) / name
        if not f.is_file() or f.stat().st_size == 0:
            return None
    return record
