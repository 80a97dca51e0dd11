"""Benchmark of the co-speech gesture generator (``synth.gesture``).

Over the 30 neutral evaluation sentences (../shared/eval/sentences.txt), spoken by the neutral
voice, it measures and prints:

1. speed: seconds of computation per second of speech, and for one take of at least 10 s;
2. beat consistency (BC, AIST++ / BEAT): audio onsets (spectral flux) against motion beats
   (minima of the wrists' and elbows' summed speed), inside the speech (first word to last
   word); the matched take against a mismatched control (the same motion scored against each
   of the other 29 sentences' audio, averaged); both averaging directions, sigma 0.05 and 0.1 s;
3. an arousal sweep (valence = dominance = 0, arousal -0.8 .. +0.8, the same timelines):
   mean wrist speed, gesture rate (strokes and beats per second of speech), jerk;
4. emotion categories (intensity 0.8): hand speed, gesture rate, head pitch, trunk flexion,
   shoulder raise;
5. plausibility over every animation made: foot slide, joint-limit violations, hand-torso
   penetration; and a BVH write/read round trip.

Run: ``.venv/bin/python bench/gesture.py [--sentences N] [--character NAME]`` (``--character``:
on that character's skeleton with its performance style; default the studio's own avatar).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.spatial.transform import Rotation
from tqdm import tqdm

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from controllers.target import EmotionTarget  # noqa: E402
from studio.export.bvh import read_bvh, write_bvh  # noqa: E402
from synth.gesture import animate_body, plan_gestures  # noqa: E402
from synth.gesture.beats import audio_onsets, beat_consistency, motion_beats  # noqa: E402
from synth.gesture.checks import check_body  # noqa: E402
from synth.gesture.rig import BodyRig  # noqa: E402
from synth.tts import Voice  # noqa: E402

SHARED = REPO.parent / "shared"
AROUSALS = (-0.8, -0.4, 0.0, 0.4, 0.8)
CATEGORIES = ("neutral", "happiness", "sadness", "anger", "fear", "disgust", "surprise", "calm")


def _inside(times: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    return times[(times >= window[0]) & (times <= window[1] + 0.1)]


def _gesture_rate(plan, duration: float) -> float:
    return (len(plan.units) + sum(len(u.beats) for u in plan.units)) / duration


def _joint_angle(anim, rig: BodyRig, name: str, axis: int) -> float:
    """Mean Euler angle (degrees, intrinsic YXZ: 0 yaw, 1 pitch, 2 roll) of one joint."""
    q = anim.rotations[:, rig.index(name)].astype(np.float64)
    return float(np.degrees(Rotation.from_quat(q).as_euler("YXZ")[:, axis]).mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=30, help="how many sentences to use")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--character", default=None,
                        help="a built-in character or a .yaml (default: the studio's avatar)")
    args = parser.parse_args(argv)
    character = None
    if args.character:
        from controllers.cast import load_character

        character = load_character(args.character)
    performance = character.performance if character is not None else None
    sentences_file = SHARED / "eval" / "sentences.txt"
    if not sentences_file.is_file():
        print(f"bench/gesture.py: {sentences_file} is absent (../shared); nothing to measure",
              file=sys.stderr)
        return 1
    sentences = [s for s in sentences_file.read_text().splitlines() if s.strip()]
    sentences = sentences[:args.sentences]
    console = Console()
    rig = BodyRig.load(character.avatar if character is not None else None)
    voice = Voice.load()
    speeches = [voice.synthesize(s, seed=args.seed)
                for s in tqdm(sentences, desc="speaking", file=sys.stderr)]
    checks = []

    # 1. speed ------------------------------------------------------------------------------
    animate_body(speeches[0].timeline, None, seed=args.seed, text=sentences[0],
                 character=character)  # warm caches
    per_second, bodies = [], []
    for text, speech in zip(sentences, speeches):
        start = time.perf_counter()
        body = animate_body(speech.timeline, None, seed=args.seed, text=text,
                            character=character)
        per_second.append((time.perf_counter() - start) / speech.duration)
        bodies.append(body)
        checks.append(check_body(body, rig))
    long_text = ""
    for s in sentences:
        long_text = f"{long_text} {s}".strip()
        if len(long_text.split()) > 38:  # about 10-12 s of speech
            break
    long_speech = voice.synthesize(long_text, seed=args.seed)
    long_times = []
    for _ in range(3):
        start = time.perf_counter()
        animate_body(long_speech.timeline, None, seed=args.seed, text=long_text,
                     character=character)
        long_times.append(time.perf_counter() - start)
    table = Table(title="1. speed (animate_body, this machine)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("compute s per s of speech (mean over sentences)", f"{np.mean(per_second):.4f}")
    table.add_row(f"one {long_speech.duration:.1f} s take: s (median of 3)",
                  f"{np.median(long_times):.3f}")
    table.add_row("frames == ceil(duration*fps)+1 for all takes",
                  str(all(b.frames == int(np.ceil(s.duration * 30 - 1e-6)) + 1
                          for b, s in zip(bodies, speeches))))
    console.print(table)

    # 2. beat consistency -------------------------------------------------------------------
    windows = [(s.timeline.words[0].start, s.timeline.words[-1].end) for s in speeches]
    onsets = [audio_onsets(s.audio, s.sample_rate) for s in speeches]
    beats = [motion_beats(b, rig) for b in bodies]
    table = Table(title=f"2. beat consistency over {len(sentences)} sentences "
                        "(matched vs the same motion against the other sentences' audio)")
    for col in ("averaged over", "sigma s", "BC matched", "BC mismatched", "difference (95% CI)",
                "sentences matched > mismatched"):
        table.add_column(col, justify="right")
    for direction in ("motion beats", "audio beats"):
        for sigma in (0.1, 0.05):
            def score(audio_beats, motion):
                if direction == "motion beats":  # AIST++ paper: each motion beat to its nearest onset
                    return beat_consistency(motion, audio_beats, sigma)
                return beat_consistency(audio_beats, motion, sigma)  # AIST++/BEAT code direction
            matched, mismatched = [], []
            for i, window in enumerate(windows):
                motion = _inside(beats[i], window)
                matched.append(score(_inside(onsets[i], window), motion))
                mismatched.append(np.mean([score(_inside(onsets[j], window), motion)
                                           for j in range(len(windows)) if j != i]))
            diff = np.array(matched) - np.array(mismatched)
            ci = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
            table.add_row(direction, f"{sigma:g}", f"{np.mean(matched):.3f}",
                          f"{np.mean(mismatched):.3f}", f"{diff.mean():+.3f} ± {ci:.3f}",
                          f"{int(np.sum(diff > 0))}/{len(diff)}")
    console.print(table)
    console.print(f"audio onsets {np.mean([len(o) / s.duration for o, s in zip(onsets, speeches)]):.2f}"
                  f"/s, motion beats {np.mean([len(b) / s.duration for b, s in zip(beats, speeches)]):.2f}/s")

    # 3. arousal sweep ----------------------------------------------------------------------
    table = Table(title="3. arousal sweep (valence 0, dominance 0; same timelines)")
    for col in ("arousal", "mean wrist speed cm/s", "gesture rate /s", "jerk p95 m/s^3",
                "speed / speed(-0.8)"):
        table.add_column(col, justify="right")
    speeds = {}
    for arousal in AROUSALS:
        target = EmotionTarget(valence=0.0, arousal=arousal, dominance=0.0)
        rows = []
        for text, speech in zip(sentences, speeches):
            plan = plan_gestures(speech.timeline, target, seed=args.seed, text=text,
                                  performance=performance)
            body = animate_body(speech.timeline, target, seed=args.seed, text=text, plan=plan,
                                character=character)
            c = check_body(body, rig)
            checks.append(c)
            rows.append((c.hand_speed, _gesture_rate(plan, speech.duration), c.jerk_p95))
        rows = np.array(rows)
        speeds[arousal] = rows[:, 0].mean()
        table.add_row(f"{arousal:+.1f}", f"{rows[:, 0].mean():.1f}", f"{rows[:, 1].mean():.2f}",
                      f"{rows[:, 2].mean():.0f}", f"{speeds[arousal] / speeds[AROUSALS[0]]:.2f}")
    console.print(table)

    # 4. categories -------------------------------------------------------------------------
    table = Table(title="4. emotion categories (intensity 0.8)")
    for col in ("category", "wrist speed cm/s", "gesture rate /s", "head pitch deg (+down)",
                "trunk flex deg (+fwd)", "shoulder raise deg"):
        table.add_column(col, justify="right")
    subset = list(zip(sentences, speeches))[:10]
    for category in CATEGORIES:
        target = EmotionTarget.from_category(category, 0.8)
        rows = []
        for text, speech in subset:
            plan = plan_gestures(speech.timeline, target, seed=args.seed, text=text,
                                  performance=performance)
            body = animate_body(speech.timeline, target, seed=args.seed, text=text, plan=plan,
                                character=character)
            c = check_body(body, rig)
            checks.append(c)
            pitch = _joint_angle(body, rig, "Neck", 1) + _joint_angle(body, rig, "Head", 1)
            flex = sum(_joint_angle(body, rig, n, 1) for n in ("Spine", "Spine1", "Spine2"))
            shrug = _joint_angle(body, rig, "LeftShoulder", 2)
            rows.append((c.hand_speed, _gesture_rate(plan, speech.duration), pitch, flex, shrug))
        r = np.array(rows).mean(axis=0)
        table.add_row(category, f"{r[0]:.1f}", f"{r[1]:.2f}", f"{r[2]:+.1f}", f"{r[3]:+.1f}",
                      f"{r[4]:+.1f}")
    console.print(table)

    # 5. plausibility and BVH ---------------------------------------------------------------
    with tempfile.TemporaryDirectory() as tmp:
        path = write_bvh(bodies[0], Path(tmp) / "body.bvh")
        back = read_bvh(path)
    order = [back.joint_names.index(n) for n in bodies[0].joint_names]
    err = (Rotation.from_quat(back.rotations[:, order].reshape(-1, 4)).inv()
           * Rotation.from_quat(bodies[0].rotations.reshape(-1, 4))).magnitude()
    table = Table(title=f"5. plausibility over {len(checks)} animations; BVH round trip")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("max foot slide (grounded foot/toe drift) cm",
                  f"{max(c.foot_slide_cm for c in checks):.4f}")
    table.add_row("sliding frames (> 1 cm/s while grounded)",
                  str(sum(c.sliding_frames for c in checks)))
    table.add_row("joint-limit violations (joint-frames)",
                  str(sum(c.limit_violations for c in checks)))
    table.add_row("hand-torso penetrating frames", str(sum(c.penetrating_frames for c in checks)))
    table.add_row("min hand/elbow/fingertip clearance cm",
                  f"{min(c.min_hand_clearance_cm for c in checks):.2f}")
    table.add_row("BVH frames written/read", f"{bodies[0].frames}/{back.frames}")
    table.add_row("BVH max rotation error deg", f"{np.degrees(err.max()):.2e}")
    console.print(table)
    ratio = speeds[AROUSALS[-1]] / speeds[AROUSALS[0]]
    console.print(f"wrist speed at arousal +0.8 / -0.8 = {ratio:.2f} (target >= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
