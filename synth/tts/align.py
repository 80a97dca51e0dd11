"""The audio-only path: any speech recording (+ optional transcript) -> :class:`Speech` with a
:class:`Timeline`, so that a user's own recording can drive the face and the body.

pocketsphinx (its bundled en-us acoustic model and CMU dictionary) recognises the words when no
transcript is given, then force-aligns the words to phones. ARPAbet phones become the same
espeak-style IPA symbols the voice uses; lexical stress comes from espeak-ng (the CMU dictionary
shipped with pocketsphinx has none). Words missing from the dictionary get a pronunciation
converted from espeak's. F0 and energy are measured on the recording itself.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np

from controllers.errors import InputError
from synth.contracts import Phoneme, Speech, Timeline, Word
from synth.tts.acoustics import energy_db, f0_contour, frame_count
from synth.tts.phonology import PAUSE, STRESS_MARKS, is_vowel, syllabify

#: pocketsphinx's acoustic model rate, Hertz.
ASR_RATE = 16000
#: pocketsphinx frames per second.
ASR_FPS = 100.0

#: ARPAbet (CMU, no stress digits) -> espeak-ng IPA as en-us piper voices write it.
ARPABET_TO_IPA: dict[str, str] = {
    "AA": "ɑː", "AE": "æ", "AH": "ʌ", "AO": "ɔː", "AW": "aʊ", "AY": "aɪ", "B": "b", "CH": "tʃ",
    "D": "d", "DH": "ð", "EH": "ɛ", "ER": "ɜː", "EY": "eɪ", "F": "f", "G": "ɡ", "HH": "h",
    "IH": "ɪ", "IY": "iː", "JH": "dʒ", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "ŋ",
    "OW": "oʊ", "OY": "ɔɪ", "P": "p", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ",
    "UH": "ʊ", "UW": "uː", "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "ʒ", "SIL": PAUSE,
}
#: Unstressed forms of vowels whose espeak symbol depends on stress.
UNSTRESSED_IPA: dict[str, str] = {"AH": "ə", "ER": "ɚ"}
#: espeak IPA -> ARPAbet, for words missing from the dictionary (longest symbols first).
IPA_TO_ARPABET: dict[str, str] = {
    **{ipa: arpa for arpa, ipa in ARPABET_TO_IPA.items() if arpa != "SIL"},
    "ə": "AH", "ɚ": "ER", "ɐ": "AH", "ᵻ": "IH", "i": "IY", "ɑ": "AA", "ɔ": "AO", "ɜ": "ER",
    "ɾ": "T", "ɹ": "R", "ɡ": "G", "o": "OW", "e": "EY", "a": "AA", "u": "UW", "ʔ": "T",
    "ɫ": "L", "x": "K", "r": "R", "g": "G", "ɒ": "AA", "ɛː": "EH", "ɪː": "IY",
}
_IPA_KEYS = sorted(IPA_TO_ARPABET, key=len, reverse=True)

_ESPEAK_LOCK = threading.Lock()
_ESPEAK = None
_DECODER_CACHE: dict[str, object] = {}


def _espeak_ipa(text: str) -> str:
    """espeak-ng en-us IPA of ``text`` (stress marks kept, words separated by spaces)."""
    global _ESPEAK
    from piper.phonemize_espeak import EspeakPhonemizer

    with _ESPEAK_LOCK:
        if _ESPEAK is None:
            _ESPEAK = EspeakPhonemizer()
        sentences = _ESPEAK.phonemize("en-us", text)
    return " ".join("".join(s) for s in sentences)


def ipa_to_arpabet(ipa: str) -> list[str]:
    """espeak IPA (stress and length marks allowed) -> ARPAbet phones (unknown symbols dropped)."""
    plain = "".join(c for c in ipa if c not in STRESS_MARKS and c not in " ,.!?;:")
    out: list[str] = []
    i = 0
    while i < len(plain):
        for key in _IPA_KEYS:
            if plain.startswith(key, i):
                out.append(IPA_TO_ARPABET[key])
                i += len(key)
                break
        else:
            i += 1
    return out


def _vowel_stresses(ipa: str) -> list[int]:
    """Stress (0/1/2) of each vowel nucleus of one word's espeak IPA, in order."""
    stresses, pending, i = [], 0, 0
    plain = ipa.replace("ː", "")
    while i < len(plain):
        c = plain[i]
        if c in STRESS_MARKS:
            pending = STRESS_MARKS[c]
        elif is_vowel(c):
            stresses.append(pending)
            pending = 0
            if plain[i:i + 2] in ("aɪ", "aʊ", "eɪ", "oʊ", "ɔɪ"):
                i += 1
        i += 1
    return stresses


def _decoder(kind: str):
    """A pocketsphinx decoder, built once per kind (``"lm"`` recognises, ``"align"`` aligns)."""
    if kind not in _DECODER_CACHE:
        from pocketsphinx import Decoder

        if kind == "lm":
            _DECODER_CACHE[kind] = Decoder(loglevel="FATAL")
        else:
            _DECODER_CACHE[kind] = Decoder(lm=None, loglevel="FATAL")
    return _DECODER_CACHE[kind]


def recogniser_pcm(audio: np.ndarray, sample_rate: int) -> bytes:
    """(samples,) float audio at ``sample_rate`` Hertz as pocketsphinx reads it: 16-bit
    little-endian PCM at :data:`ASR_RATE`, peak at 0.9 of full scale."""
    # not scipy.signal's resampler: importing it costs 1-2 s (it pulls in scipy.stats)
    from synth.tts.resample import resample_poly

    x = np.asarray(audio, np.float64)
    if sample_rate != ASR_RATE:
        g = np.gcd(int(sample_rate), ASR_RATE)
        x = resample_poly(x, ASR_RATE // g, int(sample_rate) // g)
    peak = np.max(np.abs(x)) if len(x) else 0.0
    if peak > 0:
        x = x * (0.9 / peak)  # pocketsphinx normalises cepstra, but clipping must not happen
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


def _recognise(pcm: bytes) -> tuple[str, list[tuple[str, float, float]]]:
    """pocketsphinx's en-us recognition: (text, [(word, start s, end s)] incl. <sil> etc.)."""
    decoder = _decoder("lm")
    decoder.start_utt()
    decoder.process_raw(pcm, no_search=False, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    if hyp is None:
        return "", []
    segments = [(re.sub(r"\(\d+\)$", "", seg.word), seg.start_frame / ASR_FPS,
                 (seg.end_frame + 1) / ASR_FPS) for seg in decoder.seg()]
    return hyp.hypstr, segments


def transcribe(audio: np.ndarray, sample_rate: int) -> str:
    """What pocketsphinx's en-us model hears in a recording (lower-case words, may be empty)."""
    return _recognise(recogniser_pcm(np.asarray(audio, np.float32).reshape(-1), int(sample_rate)))[0]


def _spread_phones(segments: list[tuple[str, float, float]]):
    """Word segments of a recognition -> [(word, [(ARPAbet, start, end)])], each word's dictionary
    phones spread evenly over it (when forced alignment fails)."""
    decoder = _decoder("align")
    out = []
    for word, start, end in segments:
        if word.startswith(("<", "[", "+")):
            out.append((word, [("SIL", start, end)]))
            continue
        pron = decoder.lookup_word(word) or " ".join(ipa_to_arpabet(_espeak_ipa(word)))
        phones = pron.split() or ["SIL"]
        edges = np.linspace(start, end, len(phones) + 1)
        out.append((word, [(ph, float(a), float(b)) for ph, a, b in zip(phones, edges, edges[1:])]))
    return out


def _normalise_words(transcript: str) -> list[tuple[str, int]]:
    """Written words of a transcript with their character offsets (lower-case dictionary keys)."""
    return [(m.group(), m.start()) for m in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", transcript)]


def _align_phones(pcm: bytes, words: list[str]) -> list[tuple[str, list[tuple[str, float, float]]]]:
    """Force-align ``words`` (dictionary keys) -> [(word, [(ARPAbet, start s, end s)])]."""
    decoder = _decoder("align")
    for w in words:
        if decoder.lookup_word(w) is None:
            arpa = ipa_to_arpabet(_espeak_ipa(w))
            if not arpa:
                raise InputError(f"cannot pronounce the transcript word {w!r}")
            decoder.add_word(w, " ".join(arpa), True)
    decoder.set_align_text(" ".join(words))
    decoder.start_utt()
    decoder.process_raw(pcm, no_search=False, full_utt=True)
    decoder.end_utt()
    if decoder.hyp() is None:  # read the hypothesis before set_alignment (else a crash)
        raise RuntimeError("pocketsphinx could not align the transcript to the audio")
    decoder.set_alignment()
    decoder.start_utt()
    decoder.process_raw(pcm, no_search=False, full_utt=True)
    decoder.end_utt()
    out = []
    for word in decoder.get_alignment():
        phones = [(p.name, p.start / ASR_FPS, (p.start + p.duration) / ASR_FPS) for p in word]
        out.append((re.sub(r"\(\d+\)$", "", word.name), phones))
    return out


#: Sample rates accepted for a recording, in Hertz.
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 4000, 384000
#: Largest sample magnitude accepted (full scale is 1): beyond it the file is not scaled audio
#: (e.g. raw 16-bit integers stored as floats).
MAX_SAMPLE_MAGNITUDE = 16.0
#: Longest recording accepted, in seconds.
MAX_RECORDING_S = 600.0


def check_recording(audio, sample_rate, what: str = "the recording") -> np.ndarray:
    """``audio`` as (n,) float32 mono after checking it is usable; else :class:`InputError`.

    Refused: a sample rate outside [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE], no samples, NaN or
    infinite samples, samples beyond +-MAX_SAMPLE_MAGNITUDE, more than MAX_RECORDING_S seconds.
    ``what`` names the recording in the message (a path or an argument).
    """
    try:
        rate = float(sample_rate)
    except (TypeError, ValueError):
        raise InputError(f"{what}: the sample rate {sample_rate!r} is not a number") from None
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:  # (NaN fails this too)
        raise InputError(f"{what}: sample rate {sample_rate!r} Hz is outside the accepted "
                         f"[{MIN_SAMPLE_RATE}, {MAX_SAMPLE_RATE}] Hz")
    try:
        samples = np.asarray(audio, np.float32)
    except (TypeError, ValueError):
        raise InputError(f"{what}: the samples are not numbers") from None
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    samples = np.ascontiguousarray(samples.reshape(-1))
    if samples.size == 0:
        raise InputError(f"{what}: the recording is empty")
    if samples.size > MAX_RECORDING_S * rate:
        raise InputError(f"{what}: {samples.size / rate:.0f} s long; recordings up to "
                         f"{MAX_RECORDING_S:.0f} s are accepted (cut it into parts)")
    finite = np.isfinite(samples)
    if not finite.all():
        first = int(np.argmin(finite))
        raise InputError(f"{what}: {int(samples.size - finite.sum())} samples are NaN or "
                         f"infinite (the first at {first / rate:.3f} s); give a clean recording")
    peak = float(np.max(np.abs(samples)))
    if peak > MAX_SAMPLE_MAGNITUDE:
        raise InputError(f"{what}: samples reach {peak:.3g}, far beyond full scale (1.0); "
                         "is it a float file of unscaled integers?")
    return samples


def align_recording(audio: np.ndarray | str | Path, sample_rate: int | None = None,
                    transcript: str | None = None, hop: float = 0.005) -> Speech:
    """A :class:`Speech` for a recording: words, phonemes (espeak IPA), syllables, F0, energy.

    Parameters
    ----------
    audio : (samples,) float mono (or a sound file path; stereo is averaged).
    sample_rate : Hertz (read from the file when ``audio`` is a path).
    transcript : what is said; recognised with pocketsphinx's en-us model when None.
        Word ``char_start`` offsets index the transcript (or the recognised text). When forced
        alignment fails, the recogniser's word timing is used (phones spread evenly in words).
    """
    if isinstance(audio, (str, Path)):
        import soundfile as sf

        try:
            data, sample_rate = sf.read(str(audio), dtype="float32", always_2d=True)
        except Exception as exc:  # soundfile raises several types for unreadable files
            raise InputError(f"{audio}: not a readable sound file ({exc})") from exc
        audio = data.mean(axis=1)
    if sample_rate is None:
        raise InputError("align_recording needs the sample rate of the audio (Hertz)")
    audio = check_recording(audio, sample_rate)
    if len(audio) < sample_rate * 0.1:
        raise InputError("the recording is shorter than 0.1 s; give some speech")
    pcm = recogniser_pcm(audio, int(sample_rate))
    segments = None
    if transcript is None or not transcript.strip():
        transcript, segments = _recognise(pcm)
    written = _normalise_words(transcript)
    aligned = []
    if written:
        try:
            aligned = _align_phones(pcm, [w.lower() for w, _ in written])
        except RuntimeError:  # the aligner gave up: fall back on the recogniser's word timing
            if segments is None:
                transcript, segments = _recognise(pcm)
                written = _normalise_words(transcript)
            aligned = _spread_phones(segments)
    timeline = _timeline_from_alignment(aligned, written, audio, int(sample_rate), hop)
    return Speech(audio=audio, sample_rate=int(sample_rate), timeline=timeline)


def _timeline_from_alignment(aligned, written, audio: np.ndarray, sample_rate: int,
                             hop: float) -> Timeline:
    duration = len(audio) / sample_rate
    phonemes: list[Phoneme] = []
    words: list[Word] = []
    cursor = 0  # next written word to match
    for name, phones in aligned:
        if name.startswith("<") or name.startswith("+") or name.startswith("["):
            if phones:
                _add_pause(phonemes, phones[0][1], phones[-1][2])
            continue
        match = next((k for k in range(cursor, len(written)) if written[k][0].lower() == name),
                     None)
        text, char_start = (written[match] if match is not None else (name, -1))
        if match is not None:
            cursor = match + 1
        stresses = _vowel_stresses(_espeak_ipa(text))
        w = len(words)
        vowel = 0
        for arpa, start, end in phones:
            if arpa == "SIL":
                _add_pause(phonemes, start, end)
                continue
            base = ARPABET_TO_IPA.get(arpa, arpa.lower())
            stress = 0
            if is_vowel(base):
                stress = stresses[vowel] if vowel < len(stresses) else 0
                vowel += 1
                if stress == 0 and arpa in UNSTRESSED_IPA:
                    base = UNSTRESSED_IPA[arpa]
            phonemes.append(Phoneme(base, min(start, duration), min(end, duration), stress, w))
        spoken = [p for p in phonemes if p.word == w]
        if spoken:
            words.append(Word(text, spoken[0].start, spoken[-1].end, char_start))
        if spoken and not any(p.stress for p in spoken if is_vowel(p.symbol)):
            first = next((p for p in spoken if is_vowel(p.symbol)), None)
            if first is not None and len(stresses) and max(stresses) > 0:
                first.stress = 1
    syllables = syllabify(phonemes)
    n_frames = frame_count(len(audio), sample_rate, hop)
    f0 = f0_contour(audio, sample_rate, hop)[:n_frames].astype(np.float32)
    if len(f0) < n_frames:
        f0 = np.pad(f0, (0, n_frames - len(f0)))
    return Timeline(duration=duration, phonemes=phonemes, syllables=syllables, words=words,
                    hop=hop, f0=f0, energy=energy_db(audio, sample_rate, hop, n_frames))


def _add_pause(phonemes: list[Phoneme], start: float, end: float) -> None:
    if end <= start:
        return
    if phonemes and phonemes[-1].symbol == PAUSE and phonemes[-1].end >= start - 1e-6:
        phonemes[-1].end = max(phonemes[-1].end, end)
    else:
        phonemes.append(Phoneme(PAUSE, start, end))
