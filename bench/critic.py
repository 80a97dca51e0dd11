"""Benchmark of the critic: speech emotion recognition on EmoDB, and the closed loop on takes.

    .venv/bin/python bench/critic.py [--sentences 10] [--first-sentence 20] [--seeds 0,1]
                                     [--emotions neutral,happiness,sadness,...]
                                     [--skip-loop] [--skip-opensmile] [--skip-yardstick] [--quick]
                                     [--save ROWS.pkl] [--load ROWS.pkl ...]

All 30 eval sentences over two seeds on two cores, pooled (issue 22's measure)::

    bench/critic.py --skip-opensmile --first-sentence 0 --sentences 30 --seeds 0 --save s0.pkl &
    bench/critic.py --skip-opensmile --first-sentence 0 --sentences 30 --seeds 1 --save s1.pkl
    bench/critic.py --load s0.pkl --load s1.pkl

Prints four tables:

1. SER, leave-one-speaker-out on EmoDB's 8 speakers: UAR and calibration error (ECE, 15 bins,
   before/after temperature scaling) of each mode. "single" is exactly what ``emostudio analyze``
   does with one file of a speaker it has never heard; "voice" is what the critic does with a
   take of the studio's voice.
2. Our eGeMAPS-like features against openSMILE's eGeMAPSv02 (non-commercial: benchmark only):
   Pearson r over 60 clips for the parameters both define.
3. The loop, by the critic's own reading: for N sentences (by default the 10 report sentences,
   the last 10 of ../shared/eval/sentences.txt) x 7 targets, takes composed as
   ``studio.pipeline`` composes them (``synth.tts`` with diffusion prosody, ``synth.face``,
   ``synth.gesture``), the hit rate (speech, face and body all agree with the target, words
   intelligible) of a single pass vs. with the loop, mean takes (and how many of them made a
   new voice; the others re-rendered only face and body), and the time ratio. The single pass
   is the loop's first take (same seed, same controls, judged the same way), so its time is
   that take's render + judge time.
4. The same takes by the independent yardsticks (``bench/yardstick.py``: openSMILE eGeMAPSv02 +
   logistic regression trained on EmoDB's German actors, and one on RAVDESS's English actors;
   the studio never trains or tunes against them), each: recognition of the single-pass takes
   vs the loop's takes, the voice normalised over one pool (every single-pass take of every
   target) and the loop's takes read with the same statistics; and how often the critic's SER
   top-1 agrees with the yardstick's. Gains carry a 95% interval from resampling whole sentences
   (a sentence's takes, all targets and seeds, are not independent of each other).
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
#: The targets of the loop table: the yardstick's 7 classes (its voice normalisation needs every
#: target in the pool, neutral included).
EMOTIONS = ("neutral", "happiness", "sadness", "anger", "fear", "disgust", "calm")
#: Sentences of ../shared/eval/sentences.txt: the first 20 tune, the last 10 report.
TUNING_SENTENCES = 20


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
    print("\n(the critic reads the studio's takes in mode \"voice\": the speaker model on "
          "features normalised by the voice's reference statistics, assets/critic/voice.json, "
          "as EmoDB's speakers are normalised: its LOSO figures are the speaker row's)")
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


def take_renderer(tts, text: str, neutral, voices: dict | None = None):
    """The render callback of one line: voice (``controls.target``, seed, guidance), face
    (``controls.face_config()``) and body (``controls.body_target``), composed as
    ``studio.pipeline`` composes them; a take whose voice controls were rendered before
    reuses that speech (the loop only corrected the face or body). ``voices`` (speech key ->
    Speech) collects every voice rendered."""
    import inspect

    from controllers.target import EmotionPlan
    from studio.critic import TakeResult
    from synth.face import animate_face
    from synth.gesture import animate_body

    has_guidance = "guidance" in inspect.signature(tts.speak).parameters
    voices = {} if voices is None else voices

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


#: The critic's speech category -> the yardstick's class (both name EmoDB's boredom "calm").
def _yardstick_class(category: str) -> str | None:
    from bench.yardstick import CLASSES

    return category if category in CLASSES else None


def loop_table(n_sentences: int, emotions: tuple[str, ...], intensity: float,
               max_iterations: int, prosody: str, first_sentence: int = 0,
               yardstick: bool = True, seeds: tuple[int, ...] = (0,),
               save: Path | None = None) -> dict:
    """Run one pass and the loop on every sentence x target x seed; print the critic's own
    figures and, when ``yardstick``, the independent yardsticks' recognition of single-pass vs
    looped takes (with a 95% interval of the gain) and their agreement with the critic's speech
    reading. ``save``: also write the rows (the takes' eGeMAPS features, not their audio) to
    this pickle, for ``--load`` to pool runs made in parallel."""
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
    jobs = [(seed, i, e) for seed in seeds for e in emotions for i in range(len(sentences))]
    neutrals = {}
    for seed, index, emotion in tqdm(jobs, desc="takes", mininterval=10):
        text = sentences[index]
        if (text, seed) not in neutrals:
            neutrals[text, seed] = tts.neutral(text, seed=seed)
        target = (EmotionTarget.neutral() if emotion == "neutral"
                  else EmotionTarget.from_category(emotion, intensity))
        voices: dict = {}
        _, v = run_critic_loop(target, take_renderer(tts, text, neutrals[text, seed], voices),
                               text, critic=critic, config=config, seed=seed)
        first, best = v.iterations[0], v.best_record
        rows.append({
            "sentence": first_sentence + index, "seed": seed,
            "emotion": emotion, "single": first.success, "loop": v.success,
            "takes": len(v.iterations), "t_single": sum(first.seconds.values()),
            "voices": len({r.controls.speech_key for r in v.iterations}),
            "t_loop": v.timings["total"],
            "agree_single": first.agreement, "agree_loop": best.agreement,
            "read_single": first.estimates["speech"].category,
            "read_loop": best.estimates["speech"].category,
            "speech_single": voices[first.controls.speech_key],
            "speech_loop": voices[best.controls.speech_key],
        })
    if yardstick:
        add_features(rows)
    if save is not None:
        import pickle

        kept = [{k: v for k, v in r.items() if not k.startswith("speech_")} for r in rows]
        save.write_bytes(pickle.dumps({"rows": kept, "emotions": emotions, "intensity": intensity,
                                       "prosody": prosody, "max_iterations": max_iterations}))
    print(f"\n(eval sentences #{first_sentence + 1}-{first_sentence + len(sentences)})")
    return loop_report(rows, emotions, intensity, prosody, max_iterations, yardstick)


def add_features(rows: list[dict]) -> None:
    """Each row's single-pass and looped takes' eGeMAPSv02 features (``f_single``, ``f_loop``,
    (88,)), for the yardsticks."""
    from bench.yardstick import egemaps

    for r in rows:
        r["f_single"] = egemaps(r["speech_single"].audio, r["speech_single"].sample_rate)
        r["f_loop"] = (r["f_single"] if r["speech_loop"] is r["speech_single"]
                       else egemaps(r["speech_loop"].audio, r["speech_loop"].sample_rate))
        r["new_voice"] = r["speech_loop"] is not r["speech_single"]


def sentence_interval(rows: list[dict], gains: np.ndarray, resamples: int = 2000,
                      seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean of ``gains`` (one per row), resampling whole
    sentences with replacement (a sentence's takes, every target and seed, stay together: they
    are not independent)."""
    groups = {}
    for r, g in zip(rows, gains):
        groups.setdefault(r.get("sentence", 0), []).append(g)
    sums = np.array([np.sum(v) for v in groups.values()])
    counts = np.array([len(v) for v in groups.values()])
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(sums), size=(resamples, len(sums)))
    means = sums[pick].sum(axis=1) / counts[pick].sum(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def loop_report(rows: list[dict], emotions: tuple[str, ...], intensity: float, prosody: str,
                max_iterations: int, yardstick: bool = True) -> dict:
    """The loop's tables for ``rows`` (one per sentence x target x seed; see
    :func:`loop_table`)."""
    n_sentences = len({r.get("sentence", 0) for r in rows})
    seeds = sorted({r.get("seed", 0) for r in rows})
    print(f"\n## The loop: {n_sentences} sentences x {len(emotions)} targets x {len(seeds)} "
          f"seed(s) = {len(rows)} lines (intensity {intensity}, prosody {prosody}, at most "
          f"{max_iterations} takes); hit = speech, face and body all agree + intelligible (the "
          "critic's own reading)")
    print("| target | hit single | hit loop | mean takes | mean voices | time ratio "
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
    gains = np.array([float(r["loop"]) - float(r["single"]) for r in rows])
    gain = 100 * gains.mean()
    low, high = sentence_interval(rows, gains)
    ratio = sum(r["t_loop"] for r in rows) / sum(r["t_single"] for r in rows)
    critic_speech = [100 * agree(rows, k, "speech") for k in ("agree_single", "agree_loop")]
    print(f"\ncritic's own figures: all-modality hit {np.mean([r['single'] for r in rows]):.0%} "
          f"-> {np.mean([r['loop'] for r in rows]):.0%} ({gain:+.0f} points, 95% interval "
          f"{100 * low:+.0f} to {100 * high:+.0f} over sentences); speech agrees "
          f"{critic_speech[0]:.0f}% -> {critic_speech[1]:.0f}%; loop time {ratio:.2f}x one pass "
          f"(bound 3x); single take {np.mean([r['t_single'] for r in rows]):.1f} s on average")
    if yardstick:
        yardstick_table(rows, emotions, ratio)
    return {"rows": rows, "ratio": ratio}


def yardstick_table(rows: list[dict], emotions: tuple[str, ...], ratio: float) -> None:
    """The independent yardsticks (bench/yardstick.py: EmoDB's German actors and RAVDESS's
    English ones, never trained or tuned against) on the same takes: recognition of single-pass
    vs looped takes, and each one's agreement with the critic's speech reading.

    The yardstick normalises a voice over its takes: the statistics come from one pool, every
    single-pass take of every target, and the looped takes are read with the same statistics
    (a loop take is judged as one more take of the same voice)."""
    try:
        from bench.yardstick import train_all
    except ImportError as exc:
        print(f"\n(yardstick unavailable: {exc})")
        return
    single = np.stack([r["f_single"] for r in rows])
    looped = np.stack([r["f_loop"] for r in rows])
    for stick in train_all(SHARED).values():
        _one_yardstick(stick, rows, emotions, ratio, single, looped)


def _one_yardstick(stick, rows: list[dict], emotions: tuple[str, ...], ratio: float,
                   single: np.ndarray, looped: np.ndarray) -> None:
    """:func:`yardstick_table` for one yardstick, on the takes' features ``single`` and
    ``looped`` (n, 88)."""
    from bench.yardstick import CLASSES, recognition_table

    stats = stick.voice_stats(single)
    heard_single = stick.predict(single, stats)
    heard_loop = stick.predict(looped, stats)
    targets = [r["emotion"] for r in rows]
    scored = [i for i, t in enumerate(targets) if t in CLASSES]
    rec_single = np.mean([heard_single[i] == targets[i] for i in scored])
    rec_loop = np.mean([heard_loop[i] == targets[i] for i in scored])
    pairs = ([(_yardstick_class(r["read_single"]), h) for r, h in zip(rows, heard_single)]
             + [(_yardstick_class(r["read_loop"]), h) for r, h in zip(rows, heard_loop)
                if r["new_voice"]])
    gains = np.array([float(heard_loop[i] == targets[i]) - float(heard_single[i] == targets[i])
                      for i in scored])
    low, high = sentence_interval([rows[i] for i in scored], gains)
    agreement = np.mean([c == h for c, h in pairs])
    critic_single = np.mean([_yardstick_class(rows[i]["read_single"]) == targets[i]
                             for i in scored])
    critic_loop = np.mean([_yardstick_class(rows[i]["read_loop"]) == targets[i]
                           for i in scored])
    print(f"\n## Independent yardstick {stick.name} (eGeMAPSv02 + logistic regression, "
          f"leave-one-speaker-out UAR {stick.loso_uar:.2f}; voice normalised over the "
          f"{len(rows)} single-pass takes)")
    print("\nsingle pass:\n" + recognition_table(targets, heard_single))
    print("\nwith the loop:\n" + recognition_table(targets, heard_loop))
    print("\n| target | yardstick single | yardstick loop | critic SER single | critic SER loop |")
    print("|---|---|---|---|---|")
    for emotion in emotions:
        idx = [i for i in scored if targets[i] == emotion]
        if not idx:
            continue
        print(f"| {emotion} | {np.mean([heard_single[i] == emotion for i in idx]):.0%} | "
              f"{np.mean([heard_loop[i] == emotion for i in idx]):.0%} | "
              f"{np.mean([_yardstick_class(rows[i]['read_single']) == emotion for i in idx]):.0%}"
              f" | {np.mean([_yardstick_class(rows[i]['read_loop']) == emotion for i in idx]):.0%}"
              " |")
    print(f"\nyardstick recognition {rec_single:.0%} -> {rec_loop:.0%} with the loop "
          f"({100 * (rec_loop - rec_single):+.1f} points, 95% interval {100 * low:+.1f} to "
          f"{100 * high:+.1f} over sentences; target >= +10) at {ratio:.2f}x the time; "
          f"the critic's own SER: {critic_single:.0%} -> {critic_loop:.0%}; critic SER top-1 "
          f"agrees with the yardstick's on {agreement:.0%} of {len(pairs)} takes "
          f"(chance {100 / len(CLASSES):.0f}%)")
    split = {"tuning": [i for i in scored if rows[i].get("sentence", 0) < TUNING_SENTENCES],
             "report": [i for i in scored if rows[i].get("sentence", 0) >= TUNING_SENTENCES]}
    if all(split.values()):  # the loop's steering was tuned on the first sentences only
        print("by split: " + "; ".join(
            f"{name} sentences {np.mean([heard_single[i] == targets[i] for i in idx]):.0%} -> "
            f"{np.mean([heard_loop[i] == targets[i] for i in idx]):.0%} ({len(idx)} lines)"
            for name, idx in split.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=10)
    parser.add_argument("--first-sentence", type=int, default=TUNING_SENTENCES,
                        help="skip this many eval sentences (default 20: the 10 report "
                             "sentences; 0: the tuning sentences, the only ones to tune on)")
    parser.add_argument("--skip-yardstick", action="store_true",
                        help="no independent yardstick (openSMILE) on the loop's takes")
    parser.add_argument("--emotions", default=",".join(EMOTIONS))
    parser.add_argument("--intensity", type=float, default=0.8)
    parser.add_argument("--max-iterations", type=int, default=6)
    parser.add_argument("--quick", action="store_true",
                        help="loop table only, 3 sentences (while iterating on the loop)")
    parser.add_argument("--prosody", default="diffusion", choices=("diffusion", "rules"))
    parser.add_argument("--seeds", default="0",
                        help="comma-separated seeds of the loop table (every line once per seed)")
    parser.add_argument("--save", type=Path, default=None,
                        help="also write the loop's rows (features, no audio) to this pickle")
    parser.add_argument("--load", type=Path, action="append", default=[],
                        help="report the loop from saved rows (repeat to pool runs made in "
                             "parallel, e.g. one per seed) instead of rendering")
    parser.add_argument("--skip-loop", action="store_true")
    parser.add_argument("--skip-opensmile", action="store_true")
    args = parser.parse_args()
    if not (SHARED / "data" / "emodb" / "labels.csv").exists():
        print(f"shared data absent at {SHARED}: nothing to benchmark")
        return 0
    if args.load:
        import pickle

        saved = [pickle.loads(path.read_bytes()) for path in args.load]
        rows = [r for run in saved for r in run["rows"]]
        first = saved[0]
        loop_report(rows, tuple(first["emotions"]), first["intensity"], first["prosody"],
                    first["max_iterations"],  # runs saved with --skip-yardstick have no features
                    yardstick=not args.skip_yardstick and all("f_single" in r for r in rows))
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
                   args.max_iterations, args.prosody, args.first_sentence,
                   yardstick=not args.skip_yardstick,
                   seeds=tuple(int(x) for x in args.seeds.split(",")), save=args.save)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
