"""EmoDB reader for the voice model: emotional-minus-neutral spectral shape and aperiodicity.

EmoDB (F. Burkhardt et al., Interspeech 2005) is parallel: each actor says the same ten sentences
neutrally and in six emotions. For every emotional recording we take the same actor's neutral
recording of the sentence, analyse both with the renderer's own WORLD analysis (Praat-voiced
F0 refined by StoneMask, CheapTrick envelope, D4C aperiodicity at 5 ms; see
:func:`synth.tts.render.analyse_spectra`), align their phones by label (the ``lablaut`` files;
only phones present in both clips count, so the two means cover the same sounds) and keep, per
phone class (:data:`~synth.voice.bands.PHONE_CLASSES`),

* the change of the mean spectral shape (band powers normalised per frame, dB; as mel-cepstral
  coefficients, :mod:`synth.voice.bands`),
* the change of the mean aperiodicity per band (dB), for the voiced classes.

Both are differences within one actor and one sentence, so they are speaker-normalised by
construction, and level-free (each frame's shape is normalised), as the shared copy is
peak-normalised per file.

Layout read: ``../shared/data/emodb`` (see :mod:`synth.prosody.emodb`). Labels mark each phone's
onset; a phone ends where the next one begins; rows that only change a diacritic continue the
phone before them. Only training scripts, tests and the notebook read the corpus. ``python -m
synth.voice.emodb`` rebuilds the cached table ``assets/voice/emodb_voice.npz``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from controllers.assets import asset_path
from synth.prosody import emodb as prosody_emodb
from synth.prosody.emodb import (
    CLIP_SECONDS,
    EMODB_EMOTIONS,
    Recording,
    _label_file,
    default_root,
    read_recordings,
    read_xlabel,
)
from synth.voice.bands import (
    AP_CLASSES,
    N_BANDS,
    PHONE_CLASSES,
    ap_band_db,
    band_shape_db,
    delta_size,
    n_ap_bands,
    to_cepstrum,
)

#: Frame spacing of the analysis, seconds (the renderer's).
HOP_S = 0.005
#: Where the extracted table is cached.
TABLE_PATH = ("voice", "emodb_voice.npz")
#: SAMPA letters that begin a vowel label (German SAMPA as in EmoDB's ``lablaut``).
VOWEL_START = frozenset("aeiouyAEIOUY2689@")
#: Label starts that are not phones: pauses and breath (``.``, ``(``, ``(gef``).
PAUSE_START = frozenset(".(#")
#: Fewest frames of a class in both recordings for the class's mean to count.
MIN_FRAMES = 8


@dataclass
class Phone:
    """One phone of a recording's ``lablaut`` file (times in seconds)."""

    label: str
    start: float
    end: float

    @property
    def is_pause(self) -> bool:
        return self.label[0] in PAUSE_START

    @property
    def is_vowel(self) -> bool:
        return self.label.lstrip("_!")[:1] in VOWEL_START


def read_phones(root: Path, stem: str) -> list[Phone]:
    """Phones of a recording that start inside the 2.0 s clip, pauses included."""
    rows = read_xlabel(_label_file(root / "lablaut", stem, "lablaut"))
    onsets: list[tuple[float, str]] = []
    for t, fields in rows:
        tokens = fields[0].split() if fields else []
        if tokens and tokens[0] == "125":  # a marker some files put before the label
            tokens = tokens[1:]
        if not tokens or tokens[0][0] in "+-[":
            continue  # a diacritic change: the phone before goes on
        onsets.append((t, tokens[0]))
    phones = [Phone(label, t0, t1) for (t0, label), (t1, _) in zip(onsets, onsets[1:])]
    return [p for p in phones if p.start < CLIP_SECONDS]


def frame_classes(phones: list[Phone], f0: np.ndarray,
                  hop: float = HOP_S) -> tuple[np.ndarray, np.ndarray]:
    """(classes, owner), both (frames,) int: each frame's index into :data:`PHONE_CLASSES`
    (-1 for pauses and unlabelled frames) and the index of the phone it lies in (-1 outside)."""
    n = len(f0)
    classes = np.full(n, -1)
    owner = np.full(n, -1)
    voiced = np.asarray(f0) > 0
    for k, p in enumerate(phones):
        a, b = int(np.ceil(p.start / hop)), min(int(np.ceil(p.end / hop)), n)
        if p.is_pause or a >= b:
            continue
        owner[a:b] = k
        v = voiced[a:b]
        classes[a:b] = np.where(v, 0 if p.is_vowel else 1, 2)
    return classes, owner


@dataclass
class VoiceAnalysis:
    """One recording's frames: spectral shape, aperiodicity, class and phone of each."""

    recording: Recording
    phones: list[Phone]
    shape_db: np.ndarray
    """(frames, N_BANDS) spectral shape, dB (:func:`~synth.voice.bands.band_shape_db`)."""
    ap_db: np.ndarray
    """(frames, n_ap_bands) aperiodicity, dB."""
    classes: np.ndarray
    """(frames,) phone class index, -1 outside speech."""
    owner: np.ndarray
    """(frames,) index into :attr:`phones`, -1 outside phones."""


def analyse_recording(root: Path, recording: Recording) -> VoiceAnalysis:
    """Read and analyse one recording with the renderer's WORLD analysis."""
    import soundfile as sf

    from synth.tts.acoustics import f0_contour
    from synth.tts.render import analyse_spectra

    audio, sample_rate = sf.read(root / "wav" / f"{recording.stem}.wav", dtype="float64")
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    f0 = f0_contour(audio, sample_rate, HOP_S)
    envelope, aperiodicity = analyse_spectra(audio, sample_rate, f0, HOP_S, stride=2)
    phones = read_phones(root, recording.stem)
    classes, owner = frame_classes(phones, f0)
    return VoiceAnalysis(recording, phones, band_shape_db(envelope, sample_rate).astype(np.float32),
                         ap_band_db(aperiodicity, sample_rate).astype(np.float32), classes, owner)


def matched_phones(neutral: list[Phone], emotional: list[Phone]) -> list[tuple[int, int]]:
    """Pairs (neutral index, emotional index) of phones with the same label, in order."""
    a = [p.label.lstrip("_!") for p in neutral]
    b = [p.label.lstrip("_!") for p in emotional]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(i + k, j + k) for i, j, size in matcher.get_matching_blocks() for k in range(size)
            if not neutral[i + k].is_pause]


def class_means(analysis: VoiceAnalysis, phones: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                       np.ndarray]:
    """Per class, the mean shape (n_classes, N_BANDS) and aperiodicity (n_classes, n_ap_bands)
    over the frames of the given phone indices, and the frame count (n_classes,)."""
    keep = np.isin(analysis.owner, phones)
    shape = np.full((len(PHONE_CLASSES), N_BANDS), np.nan)
    ap = np.full((len(PHONE_CLASSES), n_ap_bands()), np.nan)
    count = np.zeros(len(PHONE_CLASSES), int)
    for c in range(len(PHONE_CLASSES)):
        rows = keep & (analysis.classes == c)
        count[c] = int(rows.sum())
        if count[c]:
            shape[c] = analysis.shape_db[rows].mean(axis=0)
            ap[c] = analysis.ap_db[rows].mean(axis=0)
    return shape, ap, count


def voice_delta(neutral: VoiceAnalysis, emotional: VoiceAnalysis) -> np.ndarray:
    """(delta_size(),) emotional-minus-neutral delta over the phones both clips share: cepstra of
    the shape change per class, then aperiodicity change per band of each voiced class (NaN where
    a class has fewer than :data:`MIN_FRAMES` frames in either clip)."""
    pairs = matched_phones(neutral.phones, emotional.phones)
    shape_n, ap_n, count_n = class_means(neutral, np.array([i for i, _ in pairs], int))
    shape_e, ap_e, count_e = class_means(emotional, np.array([j for _, j in pairs], int))
    ok = (count_n >= MIN_FRAMES) & (count_e >= MIN_FRAMES)
    cep = to_cepstrum(shape_e - shape_n)
    cep[~ok] = np.nan
    ap = ap_e - ap_n
    ap[~ok] = np.nan
    ap = ap[[PHONE_CLASSES.index(c) for c in AP_CLASSES]]
    out = np.concatenate([cep.ravel(), ap.ravel()])
    assert out.shape == (delta_size(),)
    return out


def build_table(root: Path | None = None, progress: bool = True,
                stems: list[str] | None = None) -> dict[str, np.ndarray]:
    """Analyse the corpus (or the recordings ``stems`` and their neutral partners) and pair each
    recording with its actor's best-recognised neutral take of the sentence.

    Returns one row per recording: ``delta`` (rows, delta_size()) float32 (NaN where a class was
    too short; the neutral take itself has zeros), ``neutral_shape`` (rows, n_classes, N_BANDS)
    the neutral take's mean shape per class (dB, for plots), ``emotion`` (rows,) int8 index into
    :data:`~synth.prosody.emodb.EMODB_EMOTIONS`, ``speaker`` (rows,) int8, ``sentence`` (rows,)
    str, ``stem`` (rows,) str, ``recognition`` (rows,) float32 0..1.
    """
    from tqdm import tqdm

    root = Path(root or default_root())
    if not (root / "labels.csv").exists():
        raise FileNotFoundError(f"EmoDB not found at {root} (labels.csv missing)")
    recordings = read_recordings(root)
    neutral_of: dict[tuple[int, str], Recording] = {}
    for r in recordings:  # the best-recognised neutral take of each actor and sentence
        key = (r.speaker, r.sentence)
        if r.emotion == "neutral" and (key not in neutral_of
                                       or r.recognition > neutral_of[key].recognition):
            neutral_of[key] = r
    if stems is not None:
        recordings = [r for r in recordings if r.stem in set(stems)]
    recordings = [r for r in recordings if (r.speaker, r.sentence) in neutral_of
                  and (r.emotion != "neutral" or neutral_of[(r.speaker, r.sentence)] is r)]
    needed = {r.stem: r for r in recordings}
    needed.update({neutral_of[(r.speaker, r.sentence)].stem: neutral_of[(r.speaker, r.sentence)]
                   for r in recordings})
    analysed = {stem: analyse_recording(root, r)
                for stem, r in tqdm(sorted(needed.items()), desc="analysing EmoDB voices",
                                    disable=not progress)}
    columns: dict[str, list] = {k: [] for k in ("delta", "neutral_shape", "emotion", "speaker",
                                                "sentence", "stem", "recognition")}
    for r in recordings:
        neutral = analysed[neutral_of[(r.speaker, r.sentence)].stem]
        if r.emotion == "neutral":
            delta = np.zeros(delta_size())
        else:
            delta = voice_delta(neutral, analysed[r.stem])
        everything = np.arange(len(neutral.phones))
        columns["delta"].append(delta)
        columns["neutral_shape"].append(class_means(neutral, everything)[0])
        columns["emotion"].append(EMODB_EMOTIONS.index(r.emotion))
        columns["speaker"].append(r.speaker)
        columns["sentence"].append(r.sentence)
        columns["stem"].append(r.stem)
        columns["recognition"].append(r.recognition)
    return {
        "delta": np.array(columns["delta"], np.float32),
        "neutral_shape": np.array(columns["neutral_shape"], np.float32),
        "emotion": np.array(columns["emotion"], np.int8),
        "speaker": np.array(columns["speaker"], np.int8),
        "sentence": np.array(columns["sentence"]),
        "stem": np.array(columns["stem"]),
        "recognition": np.array(columns["recognition"], np.float32),
    }


def save_table(table: dict[str, np.ndarray], path: Path | None = None) -> Path:
    """Write the table as a compressed ``.npz``, atomically (default ``assets/voice``)."""
    return prosody_emodb.save_table(table, Path(path or asset_path(*TABLE_PATH)))


def load_table(path: Path | None = None) -> dict[str, np.ndarray]:
    """The cached table (see :func:`build_table`)."""
    return prosody_emodb.load_table(Path(path or asset_path(*TABLE_PATH)))


def main() -> None:
    table = build_table()
    path = save_table(table)
    size = path.stat().st_size / 1024
    print(f"wrote {path} ({size:.0f} KiB, {len(table['emotion'])} recordings)")


if __name__ == "__main__":
    main()
