"""Benchmark of the emotional TTS: speed against bare piper, acoustic effect of each emotion, and
whether a speech-emotion recogniser trained on EmoDB hears the intended emotion.

    .venv/bin/python bench/tts.py [--sentences N] [--prosody diffusion,rules] [--seed 0]
                                  [--sentences-file FILE] [--json OUT.json]

For every sentence of ../shared/eval/sentences.txt and every emotion (neutral, happiness, sadness,
anger, fear, disgust, surprise, calm at intensity 1):

* time of the emotional synthesis against bare piper (``PiperVoice.synthesize``) on the same
  text, measured back to back in the same run (ratio), and the process's peak memory;
* eGeMAPSv02 (openSMILE) of each take; per emotion the mean change against the neutral rendering
  of the same sentence by the same model: mean F0 (semitones), F0 range (20-80th percentile,
  semitones), loudness (%), voiced segments per second, alpha ratio (dB), HNR (dB); beside the
  direction the vocal-expression literature reports;
* a linear eGeMAPS classifier trained on EmoDB (speaker-normalised features; our voice's takes are
  normalised over the voice's own takes) recognising the intended emotion of the takes over EmoDB's
  7 classes (calm is scored as EmoDB's boredom, the low-arousal class; surprise has no EmoDB class).

Literature directions (P. N. Juslin and P. Laukka, "Communication of emotions in vocal expression
and music performance", Psychological Bulletin 129(5):770-814, 2003, Table 7): anger and happiness
up in F0 level, F0 variability, intensity, speech rate and high-frequency energy; fear up in F0
level, intensity, rate and high-frequency energy but with LOW F0 variability; sadness and tenderness
(our calm) down in all five. The sixth measure, HNR, stands for J&L's "microstructural regularity":
irregular (lower HNR) for anger, fear and sadness, regular (higher HNR) for happiness and tenderness.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("EMOSTUDIO_SHARED", REPO.parent / "shared"))

EMOTIONS = ("neutral", "happiness", "sadness", "anger", "fear", "disgust", "surprise", "calm")
#: Emotions the "done when" checks: at least 5 of the 6 measures in the literature's direction.
CHECKED = ("anger", "happiness", "fear", "sadness", "calm")
#: (label, eGeMAPS column, how the change is expressed)
MEASURES = (
    ("F0 mean st", "F0semitoneFrom27.5Hz_sma3nz_amean", "diff"),
    ("F0 range st", "F0semitoneFrom27.5Hz_sma3nz_pctlrange0-2", "diff"),
    ("loudness %", "loudness_sma3_amean", "percent"),
    ("voiced seg/s", "VoicedSegmentsPerSec", "diff"),
    ("alpha ratio dB", "alphaRatioV_sma3nz_amean", "diff"),
    ("HNR dB", "HNRdBACF_sma3nz_amean", "diff"),
)
#: Direction of each measure per emotion in the literature (+1 up, -1 down; see module doc).
LITERATURE = {
    "anger": (+1, +1, +1, +1, +1, -1),
    "happiness": (+1, +1, +1, +1, +1, +1),
    "fear": (+1, -1, +1, +1, +1, -1),
    "sadness": (-1, -1, -1, -1, -1, -1),
    "calm": (-1, -1, -1, -1, -1, +1),
}
#: Our category -> EmoDB's class for the recogniser (None: not scored).
EMODB_CLASS = {"neutral": "neutral", "happiness": "happiness", "sadness": "sadness",
               "anger": "anger", "fear": "fear", "disgust": "disgust", "calm": "boredom",
               "surprise": None}


def peak_memory_mb() -> float:
    """Peak resident memory of this process, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def egemaps():
    import opensmile

    return opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                           feature_level=opensmile.FeatureLevel.Functionals)


def features(smile, audio: np.ndarray, sample_rate: int) -> dict[str, float]:
    frame = smile.process_signal(np.asarray(audio, np.float32), sample_rate)
    return {k: float(v) for k, v in frame.iloc[0].items()}


def synthesize_all(tts, bare, sentences: list[str], seed: int, smile,
                   save: Path | None = None) -> list[dict]:
    """One record per (sentence, emotion): timings and eGeMAPS features (takes saved to ``save``)."""
    from tqdm import tqdm

    from controllers.target import EmotionTarget

    records = []
    jobs = [(i, s, e) for i, s in enumerate(sentences) for e in EMOTIONS]
    for i, text, emotion in tqdm(jobs, desc=f"prosody {tts.prosody_name}", leave=False,
                                     disable=not sys.stderr.isatty()):
        target = EmotionTarget.from_category(emotion, 1.0 if emotion != "neutral" else 0.0)
        started = time.perf_counter()
        for _ in bare.synthesize(text):
            pass
        t_bare = time.perf_counter() - started
        started = time.perf_counter()
        speech = tts.speak(target, seed=seed + i, text=text)
        t_emo = time.perf_counter() - started
        records.append(dict(sentence=i, emotion=emotion, t_bare=t_bare, t_emo=t_emo,
                            features=features(smile, speech.audio, speech.sample_rate),
                            critic=critic_features(speech.audio, speech.sample_rate)))
        if save is not None:
            import soundfile as sf

            folder = save / tts.prosody_name
            folder.mkdir(parents=True, exist_ok=True)
            sf.write(folder / f"{i:02d}_{emotion}.wav", speech.audio, speech.sample_rate)
    return records


def critic_features(audio: np.ndarray, sample_rate: int) -> list[float] | None:
    """The critic's SER features of a take (None when studio.critic is not available)."""
    try:
        from studio.critic.features import extract_features
    except ImportError:
        return None
    return [float(v) for v in extract_features(audio, sample_rate)]


def critic_recognition(records: list[dict]) -> dict[str, tuple[float, dict[str, float]]]:
    """The critic's SER (studio.critic) on the takes: ``relative`` (each take against the same
    model's neutral take of its sentence) and ``speaker`` (normalised over all the voice's takes)."""
    try:
        from studio.critic.emodb import EMODB_CLASSES
        from studio.critic.ser import SpeechEmotionRecognizer
    except ImportError:
        return {}
    if any(r["critic"] is None for r in records):
        return {}
    ser = SpeechEmotionRecognizer.load()
    scored = [r for r in records if EMODB_CLASS[r["emotion"]] is not None]
    x = np.asarray([r["critic"] for r in scored])
    neutral = {r["sentence"]: r["critic"] for r in records if r["emotion"] == "neutral"}
    out = {}
    for mode in ("relative", "speaker"):
        ref = np.asarray([neutral[r["sentence"]] for r in scored]) if mode == "relative" else None
        predicted = ser.predict_proba(x, mode, ref).argmax(axis=1)
        per: dict[str, list[bool]] = {}
        for r, k in zip(scored, predicted):
            per.setdefault(r["emotion"], []).append(EMODB_CLASSES[k] == EMODB_CLASS[r["emotion"]])
        if mode == "relative":
            per.pop("neutral", None)  # a take against itself says nothing
        hits = [h for v in per.values() for h in v]
        out[mode] = (float(np.mean(hits)), {k: float(np.mean(v)) for k, v in per.items()})
    return out


def changes(records: list[dict]) -> dict[str, np.ndarray]:
    """Per emotion: (sentences, 6) change of each measure against the neutral take."""
    neutral = {r["sentence"]: r["features"] for r in records if r["emotion"] == "neutral"}
    out: dict[str, list] = {}
    for r in records:
        if r["emotion"] == "neutral":
            continue
        base, f = neutral[r["sentence"]], r["features"]
        row = []
        for _, col, kind in MEASURES:
            if kind == "percent":
                row.append(100.0 * (f[col] / max(base[col], 1e-9) - 1.0))
            else:
                row.append(f[col] - base[col])
        out.setdefault(r["emotion"], []).append(row)
    return {k: np.asarray(v) for k, v in out.items()}


# -- the recogniser ---------------------------------------------------------------------------
def _speaker_normalise(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    x = x.copy()
    for g in np.unique(groups):
        rows = groups == g
        mu, sd = x[rows].mean(axis=0), x[rows].std(axis=0) + 1e-6
        x[rows] = (x[rows] - mu) / sd
    return x


def load_emodb(smile) -> list[dict] | None:
    """eGeMAPS of every EmoDB clip: [{emotion, speaker, sentence, features}] (None if absent)."""
    import csv

    import soundfile as sf
    from tqdm import tqdm

    root = SHARED / "data" / "emodb"
    if not (root / "labels.csv").is_file():
        return None
    rows = list(csv.DictReader((root / "labels.csv").open()))
    out = []
    for row in tqdm(rows, desc="EmoDB eGeMAPS", leave=False, disable=not sys.stderr.isatty()):
        audio, rate = sf.read(str(root / row["file"]), dtype="float32")
        out.append(dict(emotion=row["emotion"], speaker=row["speaker"], sentence=row["sentence"],
                        features=features(smile, audio, rate)))
    return out


def emodb_changes(clips: list[dict]) -> dict[str, np.ndarray]:
    """EmoDB actors' mean change of each measure against their neutral reading of the same
    sentence, per emotion (boredom reported as calm)."""
    records = []
    for c in clips:
        records.append(dict(sentence=(c["speaker"], c["sentence"]),
                            emotion="calm" if c["emotion"] == "boredom" else c["emotion"],
                            features=c["features"]))
    paired = {r["sentence"] for r in records if r["emotion"] == "neutral"}
    first_neutral = {}
    for r in records:
        if r["emotion"] == "neutral":
            first_neutral.setdefault(r["sentence"], r)
    usable = [r for r in records if r["sentence"] in paired
              and (r["emotion"] != "neutral" or first_neutral[r["sentence"]] is r)]
    return {k: v.mean(axis=0) for k, v in changes(usable).items()}


def emodb_recogniser(clips: list[dict], columns: list[str]):
    """A linear classifier of EmoDB's 7 classes on speaker-normalised eGeMAPS."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray([[c["features"][k] for k in columns] for c in clips])
    x = _speaker_normalise(x, np.asarray([c["speaker"] for c in clips]))
    model = LogisticRegression(C=0.1, max_iter=2000)
    model.fit(x, np.asarray([c["emotion"] for c in clips]))
    return model


def recognition(model, records: list[dict], columns: list[str]) -> tuple[float, dict[str, float]]:
    """Share of scored takes recognised as their intended emotion, overall and per emotion."""
    x = np.asarray([[r["features"][c] for c in columns] for r in records])
    x = _speaker_normalise(x, np.zeros(len(x)))
    predicted = model.predict(x)
    per: dict[str, list[bool]] = {}
    for r, p in zip(records, predicted):
        wanted = EMODB_CLASS[r["emotion"]]
        if wanted is not None:
            per.setdefault(r["emotion"], []).append(p == wanted)
    hits = [h for v in per.values() for h in v]
    return float(np.mean(hits)), {k: float(np.mean(v)) for k, v in per.items()}


# -- report -----------------------------------------------------------------------------------
def report(name: str, records: list[dict], accuracy, actors: dict | None = None) -> dict:
    ratio = np.asarray([r["t_emo"] / r["t_bare"] for r in records])
    total = sum(r["t_emo"] for r in records) / sum(r["t_bare"] for r in records)
    print(f"\n## prosody = {name}\n")
    print(f"time emotional / bare piper (same text, back to back): total {total:.2f}x, "
          f"per take median {np.median(ratio):.2f}x, p90 {np.percentile(ratio, 90):.2f}x")
    delta = changes(records)
    header = "| emotion | " + " | ".join(m[0] for m in MEASURES) + " | in direction |"
    print("\n" + header + "\n|" + "---|" * (len(MEASURES) + 2))
    summary = {"time_ratio_total": total, "time_ratio_median": float(np.median(ratio)),
               "emotions": {}}
    for emotion in EMOTIONS[1:]:
        mean = delta[emotion].mean(axis=0)
        lit = LITERATURE.get(emotion)
        cells, hits = [], 0
        for k, value in enumerate(mean):
            mark = ""
            if lit is not None:
                ok = np.sign(value) == lit[k]
                hits += int(ok)
                mark = (" ↑" if lit[k] > 0 else " ↓") + ("✓" if ok else "✗")
            cells.append(f"{value:+.2f}{mark}")
        verdict = f"{hits}/6" + (" PASS" if hits >= 5 else " FAIL") if lit else "-"
        print(f"| {emotion} | " + " | ".join(cells) + f" | {verdict} |")
        if actors is not None and emotion in actors:
            print("| *EmoDB actors* | " + " | ".join(f"*{v:+.2f}*" for v in actors[emotion])
                  + " | |")
        summary["emotions"][emotion] = {"mean_change": mean.tolist(),
                                        "in_direction": hits if lit else None}
    print("\n(arrows: literature direction, Juslin & Laukka 2003; ✓ agrees. *EmoDB actors*: the "
          "same measures on ../shared EmoDB, emotional minus neutral reading of the same sentence "
          "by the same actor; calm = boredom; loudness is not comparable there: peak-normalised "
          "clips)")
    if accuracy is not None:
        overall, per = accuracy
        print(f"\nEmoDB eGeMAPS recogniser, intended emotion recognised: {100 * overall:.0f}% of "
              f"takes over 7 classes (chance 14%, target >= 40%): "
              + ", ".join(f"{k} {100 * v:.0f}%" for k, v in per.items()))
        summary["recognition"] = {"overall": overall, "per_emotion": per}
    for mode, (overall, per) in critic_recognition(records).items():
        print(f"critic SER (studio.critic, {mode} mode): {100 * overall:.0f}% recognised: "
              + ", ".join(f"{k} {100 * v:.0f}%" for k, v in per.items()))
        summary[f"critic_{mode}"] = {"overall": overall, "per_emotion": per}
    return summary


def checks(tts, text: str, seed: int) -> None:
    """Whisper has no voiced frames; a seed reproduces its take; two seeds differ."""
    import opensmile

    from controllers.target import EmotionTarget

    lld = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                          feature_level=opensmile.FeatureLevel.LowLevelDescriptors)
    whisper = tts.speak(EmotionTarget.from_category("fear", 0.6, {"voice_quality": "whisper"}),
                        seed=seed, text=text)
    f0 = lld.process_signal(whisper.audio, whisper.sample_rate)["F0semitoneFrom27.5Hz_sma3nz"]
    target = EmotionTarget.from_category("happiness", 1.0)
    a, b = (tts.speak(target, seed=seed, text=text) for _ in range(2))
    c = tts.speak(target, seed=seed + 1, text=text)
    n = min(len(a.timeline.f0), len(c.timeline.f0))
    print(f"whisper: {int(np.sum(whisper.timeline.f0 > 0))} voiced frames rendered, openSMILE "
          f"hears voice in {100 * float(np.mean(f0.values > 0)):.1f}% of its frames; same seed "
          f"same samples: {np.array_equal(a.audio, b.audio)}; two seeds: F0 contours differ by "
          f"{float(np.mean(np.abs(a.timeline.f0[:n] - c.timeline.f0[:n]))):.1f} Hz on average")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=30, help="how many sentences (default 30)")
    parser.add_argument("--sentences-file", type=Path,
                        default=SHARED / "eval" / "sentences.txt", help="one sentence per line")
    parser.add_argument("--prosody", default="diffusion,rules",
                        help="comma-separated prosody models to compare (default diffusion,rules)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    parser.add_argument("--save-takes", type=Path, metavar="DIR",
                        help="write every take as DIR/<prosody>/<sentence>_<emotion>.wav")
    args = parser.parse_args(argv)
    if not args.sentences_file.is_file():
        print(f"sentences file {args.sentences_file} is absent (set EMOSTUDIO_SHARED)",
              file=sys.stderr)
        return 2
    sentences = [s.strip() for s in args.sentences_file.read_text().splitlines() if s.strip()]
    sentences = sentences[:args.sentences]

    from piper import PiperVoice

    from synth.tts import EmotionalTTS, Voice
    from synth.tts.voice import default_voice_paths

    model_path, config_path = default_voice_paths()
    bare = PiperVoice.load(model_path, config_path)
    voice = Voice.load()
    smile = egemaps()
    print(f"# emotional TTS benchmark: {len(sentences)} sentences x {len(EMOTIONS)} emotions, "
          f"seed {args.seed}, {os.cpu_count()} CPU cores")
    results, all_records = {}, {}
    for name in [p.strip() for p in args.prosody.split(",") if p.strip()]:
        try:
            tts = EmotionalTTS.load(prosody=name, voice=voice)
        except Exception as exc:  # a model not built yet is reported, not fatal
            print(f"\n## prosody = {name}: unavailable ({exc})")
            continue
        tts.speak(None, seed=0, text=sentences[0])  # warm-up
        all_records[name] = synthesize_all(tts, bare, sentences, args.seed, smile,
                                           args.save_takes)
        print(f"\n[{name}] ", end="")
        checks(tts, sentences[0], args.seed)
    columns = None
    if all_records:
        first = next(iter(all_records.values()))[0]["features"]
        columns = [c for c in first if c not in ("start", "end")]
    clips = load_emodb(smile) if columns else None
    recogniser = emodb_recogniser(clips, columns) if clips else None
    actors = emodb_changes(clips) if clips else None
    for name, records in all_records.items():
        accuracy = recognition(recogniser, records, columns) if recogniser is not None else None
        results[name] = report(name, records, accuracy, actors)
    print(f"\npeak memory (whole process: piper, the voice, models, openSMILE): "
          f"{peak_memory_mb():.0f} MiB")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"peak_memory_mb": peak_memory_mb(), **results,
                                         "records": all_records}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
