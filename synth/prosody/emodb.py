"""EmoDB reader: syllable-aligned emotional-minus-neutral prosody offsets.

The Berlin Emotional Speech Database (F. Burkhardt, A. Paeschke, M. Rolfes, W. Sendlmeier and
B. Weiss, "A database of German emotional speech", Interspeech 2005) is parallel: each speaker says
the same sentences in seven emotions. For every emotional recording we find the same speaker's
neutral recording of the sentence, align their syllables by label, measure each syllable in both,
and keep the difference (emotional minus neutral) in :data:`~synth.prosody.base.PROSODY_FEATURES`
units, together with the neutral syllable's context
(:func:`~synth.prosody.features.syllable_context`).

Layout read (``../shared/data/emodb``): ``labels.csv``, ``wav/*.wav`` (cut or padded to 2.000 s,
peak-normalised), ``silb/*.silb`` (syllables) and ``lablaut/*.lablaut`` (phones, accents). Both
label files are xlabel files whose times, as the audio shows, mark each label's *onset*; a
syllable ends where the next label begins, ``(`` is a pause and ``.`` the final silence. Labels
describe the full-length originals, so syllables ending after 2.0 s are dropped.

Only training scripts, tests and the notebook read the corpus; the product never does. Run
``python -m synth.prosody.emodb`` to rebuild the cached table
(``assets/prosody/emodb_offsets.npz``).
"""

from __future__ import annotations

import csv
import difflib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from controllers.assets import asset_path
from synth.contracts import Syllable, Timeline, Word
from synth.prosody.base import FEATURE_INDEX, PROSODY_FEATURES
from synth.prosody.features import (
    CONTEXT_FEATURES,
    energy_mean_db,
    f0_stats,
    frame_slice,
    hz_to_semitones,
    syllable_context,
)

#: Length of every clip in the shared copy, seconds.
CLIP_SECONDS = 2.0
#: Frame spacing of the F0, energy, tilt and aperiodicity curves, seconds.
HOP_S = 0.005
#: The EmoDB emotions, in the order of their integer codes in the table.
EMODB_EMOTIONS: tuple[str, ...] = ("neutral", "happiness", "sadness", "anger", "fear", "disgust",
                                   "boredom")
#: Where the extracted table is cached.
TABLE_PATH = ("prosody", "emodb_offsets.npz")

#: Labels in ``silb`` files that are not syllables.
PAUSE_LABELS = frozenset({"(", "."})


def default_root() -> Path:
    """``$EMOSTUDIO_SHARED/data/emodb``, else ``../shared/data/emodb`` beside the repository."""
    shared = os.environ.get("EMOSTUDIO_SHARED")
    base = Path(shared) if shared else Path(__file__).resolve().parents[3] / "shared"
    return base / "data" / "emodb"


@dataclass(frozen=True)
class Recording:
    """One row of ``labels.csv``."""

    stem: str
    """File stem, e.g. ``"03a01Wa"``."""
    speaker: int
    sentence: str
    """Sentence code, e.g. ``"a01"``."""
    emotion: str
    """One of :data:`EMODB_EMOTIONS`."""
    recognition: float
    """Listener recognition rate of the intended emotion, 0..1."""


def read_recordings(root: Path) -> list[Recording]:
    """All recordings listed in ``labels.csv``."""
    with open(root / "labels.csv", newline="") as fh:
        return [Recording(Path(row["file"]).stem, int(row["speaker"]), row["sentence"],
                          row["emotion"], float(row["recognition_pct"]) / 100.0)
                for row in csv.DictReader(fh)]


def read_sentences(root: Path) -> dict[str, str]:
    """Sentence code -> German text."""
    with open(root / "sentences.csv", newline="", encoding="utf-8") as fh:
        return {row["code"]: row["german"] for row in csv.DictReader(fh)}


def read_xlabel(path: Path) -> list[tuple[float, list[str]]]:
    """(time in seconds, tab-separated label fields) per line after the ``#`` header line."""
    lines = path.read_bytes().decode("latin-1").splitlines()
    stripped = [line.strip() for line in lines]
    if "#" in stripped:  # lablaut files carry an xlabel header ending with "#"
        lines = lines[stripped.index("#") + 1:]
    rows = []
    for line in lines:
        parts = line.strip("\n").split(None, 1)
        if not parts:
            continue
        rest = parts[1] if len(parts) > 1 else ""
        if rest.startswith("-1"):  # lablaut: "time -1 label..."
            rest = rest[2:].lstrip(" ")
        rows.append((float(parts[0]), rest.split("\t")))
    return rows


def _label_file(folder: Path, stem: str, suffix: str) -> Path:
    exact = folder / f"{stem}.{suffix}"
    if exact.exists():
        return exact
    matches = sorted(folder.glob(f"{stem}*.{suffix}"))
    if not matches:
        raise FileNotFoundError(f"no {suffix} label file for {stem} in {folder}")
    return matches[0]


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def _word_of_syllables(labels: list[str], sentence: str) -> list[int]:
    """Word index of each syllable label, by aligning their letters with the sentence's."""
    words = sentence.replace(",", " ").replace(".", " ").replace("?", " ").split()
    sentence_letters, word_of_letter = "", []
    for w, word in enumerate(words):
        sentence_letters += _letters(word)
        word_of_letter += [w] * len(_letters(word))
    syllable_letters = [_letters(label) for label in labels]
    joined = "".join(syllable_letters)
    matcher = difflib.SequenceMatcher(None, joined, sentence_letters, autojunk=False)
    mapping = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    out, offset, last = [], 0, 0
    for letters in syllable_letters:
        hits = [word_of_letter[mapping[offset + k]] for k in range(len(letters))
                if offset + k in mapping]
        last = max(last, min(hits)) if hits else last
        out.append(last)
        offset += len(letters)
    return out


@dataclass
class SyllableLabels:
    """Syllables of one recording read from its label files (times in seconds)."""

    labels: list[str]
    start: np.ndarray
    end: np.ndarray
    stress: np.ndarray
    """1 where the syllable carries an accent mark in ``lablaut``, else 0."""

    @property
    def in_clip(self) -> np.ndarray:
        """(n,) bool: the syllable ends inside the 2.0 s clip (only those can be measured)."""
        return self.end <= CLIP_SECONDS


def read_syllables(root: Path, stem: str) -> SyllableLabels:
    """All syllables of the original recording (see :attr:`SyllableLabels.in_clip`)."""
    silb = read_xlabel(_label_file(root / "silb", stem, "silb"))
    labels, starts, ends = [], [], []
    for (t0, fields), (t1, _) in zip(silb, silb[1:]):
        label = fields[0].strip() if fields else ""
        if not label or label in PAUSE_LABELS:
            continue
        labels.append(label.lower())
        starts.append(t0)
        ends.append(t1)
    starts, ends = np.array(starts), np.array(ends)
    stress = np.zeros(len(labels), int)
    for t, fields in read_xlabel(_label_file(root / "lablaut", stem, "lablaut")):
        if len(fields) >= 3 and fields[2].strip().isdigit():
            probe = t + 0.01  # an accent mark sits at its vowel's onset; look just inside it
            inside = np.flatnonzero((starts <= probe) & (probe < ends))
            if len(inside):
                stress[inside[0]] = 1
    return SyllableLabels(labels, starts, ends, stress)


@dataclass
class Analysis:
    """Frame-wise analysis of one clip at :data:`HOP_S` spacing."""

    f0: np.ndarray
    """(frames,) Hz, 0 where unvoiced (WORLD Harvest)."""
    energy_db: np.ndarray
    """(frames,) dB re full scale (25 ms Hann window)."""
    tilt_db: np.ndarray
    """(frames,) energy 1-5 kHz minus 50-1000 Hz, dB."""
    aperiodicity: np.ndarray
    """(frames,) mean WORLD D4C aperiodicity below 4 kHz, linear 0..1."""


def analyse(audio: np.ndarray, sample_rate: int) -> Analysis:
    """F0, energy, tilt and aperiodicity curves of a mono signal."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyworld imports pkg_resources
        import pyworld

    x = np.ascontiguousarray(audio, np.float64)
    f0, times = pyworld.harvest(x, sample_rate, f0_floor=60.0, f0_ceil=700.0,
                                frame_period=HOP_S * 1000)
    aperiodicity = pyworld.d4c(x, f0, times, sample_rate)
    freqs = np.linspace(0, sample_rate / 2, aperiodicity.shape[1])
    ap = aperiodicity[:, freqs < 4000].mean(axis=1)

    win = int(round(0.025 * sample_rate))
    hop = int(round(HOP_S * sample_rate))
    padded = np.pad(x, (win // 2, win))
    n = len(f0)
    frames = np.lib.stride_tricks.sliding_window_view(padded, win)[::hop][:n]
    window = np.hanning(win)
    spectrum = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    bins = np.fft.rfftfreq(win, 1.0 / sample_rate)
    low = spectrum[:, (bins >= 50) & (bins < 1000)].sum(axis=1)
    high = spectrum[:, (bins >= 1000) & (bins < 5000)].sum(axis=1)
    tilt = 10 * np.log10(high + 1e-12) - 10 * np.log10(low + 1e-12)
    energy = 10 * np.log10(np.mean((frames * window) ** 2, axis=1) / np.mean(window**2) + 1e-10)
    return Analysis(f0.astype(np.float32), energy.astype(np.float32), tilt.astype(np.float32),
                    ap.astype(np.float32))


@dataclass
class MeasuredRecording:
    """A recording's syllables, timeline and per-syllable measurements."""

    recording: Recording
    syllables: SyllableLabels
    timeline: Timeline
    measures: np.ndarray
    """(n_syllables, 8) absolute values: F0 mean st, F0 span st, F0 slope st/s, ln duration (s),
    pause after (s), energy dB relative to the clip's mean syllable energy, tilt dB, aperiodicity
    (NaN where unmeasurable)."""


def measure(root: Path, recording: Recording, sentence: str) -> MeasuredRecording:
    """Read, analyse and measure one recording."""
    import soundfile as sf

    audio, sample_rate = sf.read(root / "wav" / f"{recording.stem}.wav", dtype="float64")
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    syl = read_syllables(root, recording.stem)
    an = analyse(audio, sample_rate)
    words = _word_of_syllables(syl.labels, sentence)
    # The timeline keeps the syllables past the cut, so that positions in the utterance and
    # phrase ends are those of the whole sentence; only syllables inside the clip are measured.
    timeline = Timeline(
        duration=max(len(audio) / sample_rate, float(syl.end[-1]) if len(syl.end) else 0.0),
        syllables=[Syllable(float(s), float(e), int(st), int(w))
                   for s, e, st, w in zip(syl.start, syl.end, syl.stress, words)],
        words=[Word(w, 0.0, 0.0) for w in sentence.split()],
        hop=HOP_S, f0=an.f0, energy=an.energy_db)
    f0_st = hz_to_semitones(an.f0)
    n = len(syl.labels)
    values = np.full((n, len(PROSODY_FEATURES)), np.nan)
    for i in np.flatnonzero(syl.in_clip):
        sl = frame_slice(syl.start[i], syl.end[i], HOP_S, len(an.f0))
        mean, span, slope, _ = f0_stats(f0_st[sl], HOP_S)
        voiced = an.f0[sl] > 0
        values[i, :3] = mean, span, slope
        values[i, 3] = np.log(max(syl.end[i] - syl.start[i], 1e-3))
        values[i, 4] = max(syl.start[i + 1] - syl.end[i], 0.0) if i + 1 < n else np.nan
        values[i, 5] = energy_mean_db(an.energy_db[sl])
        if voiced.sum() >= 3:
            values[i, 6] = float(np.mean(an.tilt_db[sl][voiced]))
            values[i, 7] = float(np.mean(an.aperiodicity[sl][voiced]))
    # The shared copy is peak-normalised, so only level relations inside a clip are real: keep
    # each syllable's energy relative to the clip's mean syllable energy.
    if np.isfinite(values[:, 5]).any():
        values[:, 5] -= np.nanmean(values[:, 5])
    return MeasuredRecording(recording, syl, timeline, values)


def align(neutral: list[str], emotional: list[str]) -> list[tuple[int, int]]:
    """Pairs (neutral index, emotional index) of syllables with the same label, in order."""
    matcher = difflib.SequenceMatcher(None, neutral, emotional, autojunk=False)
    return [(a + k, b + k) for a, b, size in matcher.get_matching_blocks() for k in range(size)]


def offsets(neutral: MeasuredRecording, emotional: MeasuredRecording) -> np.ndarray:
    """(n_neutral_syllables, 8) emotional-minus-neutral offsets, NaN where not aligned or not
    measurable (e.g. past the clip's end); ``pause_after_s`` is the extra pause (clipped at 0)."""
    out = np.full((len(neutral.syllables.labels), len(PROSODY_FEATURES)), np.nan)
    for i, j in align(neutral.syllables.labels, emotional.syllables.labels):
        out[i] = emotional.measures[j] - neutral.measures[i]
    pause = FEATURE_INDEX["pause_after_s"]
    out[:, pause] = np.where(np.isnan(out[:, pause]), np.nan, np.maximum(out[:, pause], 0.0))
    return out


def build_table(root: Path | None = None, progress: bool = True) -> dict[str, np.ndarray]:
    """Measure the whole corpus and pair every recording with its speaker's neutral version.

    Neutral recordings are paired with themselves (all-zero offsets), so the table also teaches
    what "no emotion" means. Returns arrays with one row per neutral-context syllable:
    ``context`` (rows, len(CONTEXT_FEATURES)) float32, ``offsets`` (rows, 8) float32 (NaN where
    unmeasured), ``emotion`` (rows,) int8 index into :data:`EMODB_EMOTIONS`, ``speaker`` (rows,)
    int8, ``sentence`` (rows,) str, ``utterance`` (rows,) int32 (rows of one emotional recording
    share it), ``recognition`` (rows,) float32 0..1, ``position`` (rows,) int16 syllable index.
    """
    from tqdm import tqdm

    root = Path(root or default_root())
    if not (root / "labels.csv").exists():
        raise FileNotFoundError(f"EmoDB not found at {root} (labels.csv missing)")
    recordings = read_recordings(root)
    sentences = read_sentences(root)
    measured = {r.stem: measure(root, r, sentences[r.sentence])
                for r in tqdm(recordings, desc="measuring EmoDB", disable=not progress)}
    neutral_of: dict[tuple[int, str], MeasuredRecording] = {}
    for r in recordings:  # the best-recognised neutral take of each speaker and sentence
        key = (r.speaker, r.sentence)
        if r.emotion == "neutral" and (key not in neutral_of
                                       or r.recognition > neutral_of[key].recording.recognition):
            neutral_of[key] = measured[r.stem]
    columns: dict[str, list] = {k: [] for k in ("context", "offsets", "emotion", "speaker",
                                                "sentence", "utterance", "recognition", "position")}
    for u, r in enumerate(recordings):
        neutral = neutral_of.get((r.speaker, r.sentence))
        if neutral is None or not neutral.syllables.labels:
            continue
        if r.emotion == "neutral":
            if r.stem != neutral.recording.stem:
                continue  # other neutral takes: their differences are repetition noise, skip
            rows = np.zeros((len(neutral.syllables.labels), len(PROSODY_FEATURES)))
        else:
            rows = offsets(neutral, measured[r.stem])
        keep = neutral.syllables.in_clip
        n = int(keep.sum())
        if n == 0:
            continue
        columns["context"].append(syllable_context(neutral.timeline)[keep])
        columns["offsets"].append(rows[keep])
        columns["emotion"] += [EMODB_EMOTIONS.index(r.emotion)] * n
        columns["speaker"] += [r.speaker] * n
        columns["sentence"] += [r.sentence] * n
        columns["utterance"] += [u] * n
        columns["recognition"] += [r.recognition] * n
        columns["position"] += np.flatnonzero(keep).tolist()
    return {
        "context": np.concatenate(columns["context"]).astype(np.float32),
        "offsets": np.concatenate(columns["offsets"]).astype(np.float32),
        "emotion": np.array(columns["emotion"], np.int8),
        "speaker": np.array(columns["speaker"], np.int8),
        "sentence": np.array(columns["sentence"]),
        "utterance": np.array(columns["utterance"], np.int32),
        "recognition": np.array(columns["recognition"], np.float32),
        "position": np.array(columns["position"], np.int16),
        "context_features": np.array(CONTEXT_FEATURES),
        "prosody_features": np.array(PROSODY_FEATURES),
    }


def save_table(table: dict[str, np.ndarray], path: Path | None = None) -> Path:
    """Write the table (any dict of arrays) as a compressed ``.npz``, atomically; ``path``
    defaults to ``assets/prosody`` (:mod:`synth.voice.emodb` stores its table with this too)."""
    from synth.atomic import atomic_path

    path = Path(path or asset_path(*TABLE_PATH))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **table)
    return path


def load_table(path: Path | None = None) -> dict[str, np.ndarray]:
    """The cached table (see :func:`build_table`), or any ``.npz`` table at ``path``."""
    path = Path(path or asset_path(*TABLE_PATH))
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def main() -> None:
    table = build_table()
    path = save_table(table)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(table['emotion'])} syllables)")


if __name__ == "__main__":
    main()
