"""Benchmark of the critic: speech emotion recognition on EmoDB, and the closed loop on takes.

    .venv/bin/python bench/critic.py [--sentences 10] [--first-sentence 0]
                                     [--emotions happiness,sadness,...]
                                     [--skip-loop] [--skip-opensmile] [--quick]

Prints three tables:

1. SER, leave-one-speaker-out on EmoDB's 8 speakers: UAR and calibration error (ECE, 15 bins,
   before/after temperature scaling) of each mode. "single" is exactly what ``emostudio analyze``
   does with one file of a speaker it has never heard.
2. Our eGeMAPS-like features against openSMILE's eGeMAPSv02 (non-commercial: benchmark only):
   Pearson r over 60 clips for the parameters both define.
3. The loop: for N sentences x 6 emotions, takes composed as ``studio.pipeline`` composes them
   (``synth.tts`` with diffusion prosody, ``synth.face``, ``synth.gesture``), the hit rate
   (speech, face and body all agree with the target,
   words intelligible) of a single pass vs. with ``--loop``, mean takes (and how many of them
   made a new voice; the others re-rendered only face and body), and the time ratio.
   The single pass is the loop's first take (same seed, same controls, judged the same way), so
   its time is that take's render + judge time.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

SHARED = Path(os.environ.get("EMOSTUDIO_SHARED", REPO.parent / "shared"))
EMOTIONS = ("happiness", "sadness", "anger", "fear", "disgust", "calm")


def ser_table() -> dict:
    from studio.critic.emodb import corpus_features, load_corpus
    from studio.critic.ser import MODES
    from studio.critic.train_ser import default_cache, format_confusion, loso

    corpus = load_corpus(SHARED / "data" / "emodb")
    features = corpus_features(corpus, default_cache())
    print("\n## SER, leave-one-speaker-out (EmoDB, 8 speakers, 419 clips of 2 s)")
    print("| mode | UAR | ECE raw | ECE calibrated | worst speaker UAR |")
    print("|---|---|---|---|---|")
    results = {}
    for mode in MODES:
        r = loso(features, corpus, mode)
        results[mode] = r
        print(f"| {mode} | {r.uar:.3f} | {r.ece_raw:.3f} | {r.ece:.3f} | "
              f"{min(r.per_speaker_uar.values()):.2f} |")
    print("\nconfusion (speaker-normalised mode; rows true, columns predicted):")
    print(format_confusion(results["speaker"].confusion))
    print("\nconfusion (single-file mode = `emostudio analyze`, unseen speakers):")
    print(format_confusion(results["single"].confusion))
    return results


#: our feature -> openSMILE eGeMAPSv02 functional
OPENSMILE_PAIRS = {
    "f0_mean": "F0semitoneFrom27.5Hz_sma3nz_amean",
    "f0_p50": "F0semitoneFrom27.5Hz_sma3nz_percentile50.0",
    "f0_range": "F0semitoneFrom27.5Hz_sma3nz_pctlrange0-2",
    "alpha_ratio_v": "alphaRatioV_sma3nz_amean",
    "hammarberg_v": "hammarbergIndexV_sma3nz_amean",
    "slope_0_500_v": "slopeV0-500_sma3nz_amean",
    "slope_500_1500_v": "slopeV500-1500_sma3nz_amean",
    "mfcc1_mean": "mfcc1_sma3_amean",
    "mfcc2_mean": "mfcc2_sma3_amean",
    "hnr_mean": "HNRdBACF_sma3nz_amean",
    "jitter": "jitterLocal_sma3nz_amean",
    "shimmer": "shimmerLocaldB_sma3nz_amean",
    "f1_mean": "F1frequency_sma3nz_amean",
    "f2_mean": "F2frequency_sma3nz_amean",
    "voiced_rate": "VoicedSegmentsPerSec",
    "voiced_len_mean": "MeanVoicedSegmentLengthSec",
    "loud_peak_rate": "loudnessPeaksPerSec",
}


def opensmile_table(n: int = 60) -> None:
    try:
        import opensmile
    except ImportError:
        print("\n(openSMILE not installed: feature cross-check skipped)")
        return
    from studio.critic.emodb import corpus_features, load_corpus
    from studio.critic.features import FEATURE_NAMES
    from studio.critic.train_ser import default_cache

    corpus = load_corpus(SHARED / "data" / "emodb")
    ours = corpus_features(corpus, default_cache())
    pick = np.linspace(0, len(corpus) - 1, n).round().astype(int)
    smile = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                            feature_level=opensmile.FeatureLevel.Functionals)
    ref = [smile.process_file(str(corpus[i].path)).iloc[0] for i in pick]
    print(f"\n## Our features vs openSMILE eGeMAPSv02 (Pearson r over {n} EmoDB clips)")
    print("| ours | openSMILE | r |")
    print("|---|---|---|")
    for mine, theirs in OPENSMILE_PAIRS.items():
        a = ours[pick, FEATURE_NAMES.index(mine)]
        b = np.array([float(row[theirs]) for row in ref])
        print(f"| {mine} | {theirs} | {np.corrcoef(a, b)[0, 1]:.2f} |")


def take_renderer(tts, text: str, neutral):
    """The render callback of one line: voice (``controls.target``, seed, guidance), face
    (``controls.face_config()``) and body (``controls.body_target``), composed as
    ``studio.pipeline`` composes them; a take whose voice controls were rendered before
    reuses that speech (the loop only corrected the face or body)."""
    import inspect

    from controllers.target import EmotionPlan
    from studio.critic import TakeResult
    from synth.face import animate_face
    from synth.gesture import animate_body

    has_guidance = "guidance" in inspect.signature(tts.speak).parameters
    voices = {}

    def render(controls):
        plan = EmotionPlan.constant(text, controls.target)
        if controls.speech_key not in voices:
            extra = {"guidance": controls.guidance} if has_guidance else {}
            voices[controls.speech_key] = tts.speak(plan, seed=controls.seed, **extra)
        speech = voices[controls.speech_key]
        face = animate_face(speech.timeline, plan, seed=controls.seed,
                            config=controls.face_config())
        body = animate_body(speech.timeline, EmotionPlan.constant(text, controls.body_target),
                            seed=controls.seed, face=face)
        return TakeResult(speech=speech, face=face, body=body, neutral_speech=neutral)

    return render


def loop_table(n_sentences: int, emotions: tuple[str, ...], intensity: float,
               max_iterations: int, prosody: str, first_sentence: int = 0) -> None:
    from tqdm import tqdm

    from controllers.target import EmotionTarget
    from studio.critic import Critic, LoopConfig, run_critic_loop
    from synth.tts import EmotionalTTS

    sentences = [s for s in (SHARED / "eval" / "sentences.txt").read_text().splitlines()
                 if s.strip()][first_sentence:first_sentence + n_sentences]
    try:
        tts = EmotionalTTS.load(prosody=prosody)
    except FileNotFoundError as exc:
        print(f"\n(prosody {prosody!r} unavailable: {exc}; using the rules prosody)")
        prosody, tts = "rules", EmotionalTTS.load(prosody="rules")
    critic = Critic()
    config = LoopConfig(max_iterations=max_iterations)
    rows = []
    jobs = [(s, e) for e in emotions for s in sentences]
    neutrals = {}
    for text, emotion in tqdm(jobs, desc="takes", mininterval=10):
        if text not in neutrals:
            neutrals[text] = tts.neutral(text, seed=0)
        target = EmotionTarget.from_category(emotion, intensity)
        _, v = run_critic_loop(target, take_renderer(tts, text, neutrals[text]), text,
                               critic=critic, config=config, seed=0)
        first = v.iterations[0]
        rows.append({
            "emotion": emotion, "single": first.success, "loop": v.success,
            "takes": len(v.iterations), "t_single": sum(first.seconds.values()),
            "voices": len({r.controls.speech_key for r in v.iterations}),
            "t_loop": v.timings["total"],
            "agree_single": first.agreement, "agree_loop": v.best_record.agreement,
        })
    print(f"\n## The loop: {len(sentences)} sentences (from #{first_sentence + 1}) x "
          f"{len(emotions)} emotions "
          f"(intensity {intensity}, prosody {prosody}, at most {max_iterations} takes); hit = "
          "speech, face and body all agree + intelligible")
    print("| emotion | hit single | hit loop | mean takes | mean voices | time ratio "
          "| agree speech / face / body (single -> loop) |")
    print("|---|---|---|---|---|---|---|")

    def agree(rs, key, m):
        return np.mean([r[key].get(m, False) for r in rs])

    for emotion in (*emotions, "ALL"):
        rs = [r for r in rows if emotion in ("ALL", r["emotion"])]
        mods = " / ".join(f"{agree(rs, 'agree_single', m):.0%}->{agree(rs, 'agree_loop', m):.0%}"
                          for m in ("speech", "face", "body"))
        print(f"| {emotion} | {np.mean([r['single'] for r in rs]):.0%} | "
              f"{np.mean([r['loop'] for r in rs]):.0%} | {np.mean([r['takes'] for r in rs]):.2f} | "
              f"{np.mean([r['voices'] for r in rs]):.2f} | "
              f"{sum(r['t_loop'] for r in rs) / sum(r['t_single'] for r in rs):.2f}x | {mods} |")
    gain = 100 * (np.mean([r["loop"] for r in rows]) - np.mean([r["single"] for r in rows]))
    ratio = sum(r["t_loop"] for r in rows) / sum(r["t_single"] for r in rows)
    print(f"\nloop gain {gain:+.0f} points (target >= +20) at {ratio:.2f}x the time (target <= 4x);"
          f" single take {np.mean([r['t_single'] for r in rows]):.1f} s on average")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=10)
    parser.add_argument("--first-sentence", type=int, default=0,
                        help="skip this many eval sentences (e.g. 10: held-out lines the loop's "
                             "steering tables were not tuned on)")
    parser.add_argument("--emotions", default=",".join(EMOTIONS))
    parser.add_argument("--intensity", type=float, default=0.8)
    parser.add_argument("--max-iterations", type=int, default=6)
    parser.add_argument("--quick", action="store_true",
                        help="loop table only, 3 sentences (while iterating on the loop)")
    parser.add_argument("--prosody", default="diffusion", choices=("diffusion", "rules"))
    parser.add_argument("--skip-loop", action="store_true")
    parser.add_argument("--skip-opensmile", action="store_true")
    args = parser.parse_args()
    if not (SHARED / "data" / "emodb" / "labels.csv").exists():
        print(f"shared data absent at {SHARED}: nothing to benchmark")
        return 0
    import torch

    torch.set_num_threads(1)
    if args.quick:
        args.sentences, args.skip_opensmile = min(args.sentences, 3), True
    else:
        ser_table()
    if not args.skip_opensmile:
        opensmile_table()
    if not args.skip_loop:
        loop_table(args.sentences, tuple(args.emotions.split(",")), args.intensity,
                   args.max_iterations, args.prosody, args.first_sentence)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
