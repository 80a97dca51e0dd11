"""SSML speech directions (``controllers.ssml.SpeechDirections``) realised on a take.

The directions compose with the emotion's own prosody, syllable by syllable, before the take is
rendered (:func:`direct_offsets`): a word's pitch change adds semitones to ``F0_LEVEL``
(relative to the neutral reading's median F0 for changes in Hertz), its volume adds dB to
``ENERGY``. A word's ``rate`` divides the durations of its symbols on top of the emotion's
``dur_scale`` (:func:`duration_factors`, :func:`speak_at_rates`): the voice rounds every duration up to whole frames, so a
factor is realised only in part (a rate of 0.64 asked for gave 0.70 on this voice); the factor
of each stretch is corrected twice from what was realised, which brings it within 2 %.
Emphasis lands on the word's accented syllable (its primary stress, else its first syllable):
higher and wider F0, longer, louder (:data:`EMPHASIS`); that syllable is marked as a pitch
accent in the timeline, so the face's brows and the body's beats follow it
(:func:`finish_directions`).

A break is silence spliced into the audio between the two words (:func:`insert_pause`), so that
the gap between them lasts the break's time whatever the voice's own pause was; the timeline,
and with it the face and the body, move with it. (A break cannot go through ``dur_scale``: the
voice gives a word boundary a few milliseconds at most, and a factor is bounded.) Marks get
their times from the final timeline (:func:`place_marks`). The words of a ``<phoneme>`` run are
read from their IPA (piper's raw phoneme input, :func:`ipa_reading`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from controllers.ssml.document import SpeechDirections, WordDirection, pitch_shift_st
from synth.contracts import Bookmark, Speech, Timeline
from synth.tts.render import ENERGY, F0_LEVEL, F0_RANGE

#: Emphasis level -> (F0 level st, F0 range st, duration factor, energy dB) on the word's
#: accented syllable.
EMPHASIS: dict[str, tuple[float, float, float, float]] = {
    "strong": (3.0, 2.0, 1.3, 4.0),
    "moderate": (1.5, 1.0, 1.15, 2.0),
    "none": (0.0, 0.0, 1.0, 0.0),
    "reduced": (-1.0, -1.0, 0.9, -3.0),
}
#: Length of the fades on each side of spliced silence, seconds (no click where a break falls
#: between two words spoken without a pause).
FADE_S = 0.005
#: Other words' accents closer than this to an emphasised one are unmarked, seconds: the face
#: raises its brows on the highest third of the accents, a second apart at least
#: (``synth.face.nonverbal.accented_syllables``), so the emphasis must be the one candidate of
#: its stretch for the brows to follow it rather than a higher word a second away.
FOCUS_S = 2.0
#: F0 assumed where the neutral reading has no voiced frame, Hertz.
DEFAULT_F0_HZ = 120.0


def word_directions(timeline: Timeline, directions: SpeechDirections
                    ) -> list[WordDirection | None]:
    """The direction of each word of ``timeline`` (by its ``char_start``), None where the
    directions have none."""
    return [directions.word_at(w.char_start) if w.char_start >= 0 else None
            for w in timeline.words]


def accent_syllable(timeline: Timeline, word: int) -> int | None:
    """Index of the syllable of ``word`` that carries its accent: the primary-stressed one,
    else the first; None for a word without syllables."""
    syllables = [i for i, s in enumerate(timeline.syllables) if s.word == word]
    if not syllables:
        return None
    stressed = [i for i in syllables if timeline.syllables[i].stress == 1]
    return (stressed or syllables)[0]


def median_f0(timeline: Timeline) -> float:
    """Median F0 of the voiced frames of ``timeline``, Hertz."""
    voiced = np.asarray(timeline.f0)[np.asarray(timeline.f0) > 0]
    return float(np.median(voiced)) if voiced.size else DEFAULT_F0_HZ


def direct_offsets(offsets: np.ndarray, neutral: Timeline,
                   directions: SpeechDirections) -> np.ndarray:
    """(syllables, 8) prosody offsets with the directions added, per syllable of the
    ``neutral`` reading (the timeline the offsets were predicted on)."""
    out = np.array(offsets, np.float64, copy=True)
    base = median_f0(neutral)
    per_word = word_directions(neutral, directions)
    for i, syllable in enumerate(neutral.syllables):
        d = per_word[syllable.word] if 0 <= syllable.word < len(per_word) else None
        if d is None:
            continue
        if d.pitch:
            out[i, F0_LEVEL] += pitch_shift_st(d.pitch, base)
        out[i, ENERGY] += d.volume_db
    for w, d in enumerate(per_word):
        if d is None or d.emphasis is None:
            continue
        s = accent_syllable(neutral, w)
        if s is None:
            continue
        level, span, _, energy = EMPHASIS[d.emphasis]  # (its length: duration_factors)
        out[s, F0_LEVEL] += level
        out[s, F0_RANGE] += span
        out[s, ENERGY] += energy
    return out


def duration_factors(directions: SpeechDirections, timeline: Timeline, token_map,
                     n_tokens: int) -> np.ndarray | None:
    """(n_tokens,) factor on each voice symbol's duration: ``1 / rate`` of its word (the space
    and punctuation after a word take the word's), times the emphasis's lengthening on an
    emphasised word's accented syllable; None when every factor is 1. ``timeline`` and
    ``token_map`` (``synth.tts.timeline.TokenMap``) are those of the reading the symbols make."""
    per_word = word_directions(timeline, directions)
    if all(d is None or (d.rate == 1.0 and EMPHASIS.get(d.emphasis, (0, 0, 1.0))[2] == 1.0)
           for d in per_word):
        return None
    accented = {accent_syllable(timeline, w) for w, d in enumerate(per_word)
                if d is not None and d.emphasis is not None}
    factors = np.ones(n_tokens)
    for k, phoneme in enumerate(timeline.phonemes):
        d = per_word[phoneme.word] if 0 <= phoneme.word < len(per_word) else None
        if d is not None:
            factor = 1.0 / d.rate
            if d.emphasis is not None and phoneme.syllable in accented:
                factor *= EMPHASIS[d.emphasis][2]
            factors[list(token_map.phoneme_tokens[k])] = factor
    for w, gap in enumerate(token_map.word_gap_tokens):
        if gap and w < len(per_word) and per_word[w] is not None:
            factors[list(gap)] = 1.0 / per_word[w].rate
    return factors


def speak_at_rates(voice, text: str, tokens, scales: np.ndarray, factors: np.ndarray,
                   seed: int, corrections: int = 2):
    """``voice`` (``synth.tts.voice.Voice``) reading ``tokens`` with ``scales`` (``dur_scale``)
    and every stretch of symbols with the same factor ``!= 1`` lasting ``factors`` times what it
    lasts without it, as realised (each stretch's factor is corrected ``corrections`` times
    from the readings). Returns the last ``VoiceOutput``."""
    scales = np.asarray(scales, np.float64)
    plain = voice.speak_tokens(text, scales, seed=seed, tokens=tokens)
    want = np.array([t.samples for t in plain.tokens], np.float64) * factors
    changed = np.flatnonzero(factors != 1.0)
    # stretches: runs of consecutive symbols with the same factor
    groups = np.split(changed, np.flatnonzero((np.diff(changed) != 1)
                                              | (np.diff(factors[changed]) != 0)) + 1)
    ask = np.array(factors, np.float64)
    out = voice.speak_tokens(text, scales * ask, seed=seed, tokens=tokens)
    for _ in range(corrections):
        got = np.array([t.samples for t in out.tokens], np.float64)
        for g in groups:
            if len(g) and got[g].sum() > 0:
                ask[g] *= want[g].sum() / got[g].sum()
        out = voice.speak_tokens(text, scales * ask, seed=seed, tokens=tokens)
    return out


def ipa_reading(voice, text: str, directions: SpeechDirections | None):
    """(what ``voice`` is given to read for ``text``, the phonemiser that finds the words of
    ``text`` in what it reads): the words of each ``<phoneme>`` run are given as piper's raw
    phonemes (``[[ IPA ]]``), and the phonemiser answers their IPA for them."""
    if directions is None or not directions.phonemes:
        return text, voice.phonemize
    pieces, ipa_of, pos = [], {}, 0
    for run in sorted(directions.phonemes, key=lambda r: r.start):
        if run.start < pos:
            continue
        words, ipas = text[run.start:run.end].split(), run.ipa.split()
        pieces += [text[pos:run.start], " ".join(f"[[ {p} ]]" for p in ipas)]
        ipa_of.update(zip(words, ipas))
        pos = run.end
    pieces.append(text[pos:])

    def phonemize(word: str) -> str:
        return ipa_of.get(word) or voice.phonemize(word)

    return "".join(pieces), phonemize


def insert_pause(speech: Speech, at: float, seconds: float) -> Speech:
    """``speech`` with ``seconds`` of silence spliced in at time ``at`` (faded on both sides);
    everything after ``at`` in the timeline moves later, what spans it grows."""
    sr = speech.sample_rate
    cut = int(round(np.clip(at, 0.0, speech.duration) * sr))
    n = int(round(seconds * sr))
    if n <= 0:
        return speech
    audio = np.asarray(speech.audio, np.float32)
    before, after = audio[:cut].copy(), audio[cut:].copy()
    fade = min(int(FADE_S * sr), len(before), len(after))
    if fade > 0:
        ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(fade) + 0.5) / fade)).astype(np.float32)
        before[-fade:] *= ramp[::-1]
        after[:fade] *= ramp
    joined = np.concatenate([before, np.zeros(n, np.float32), after])
    shift = n / float(sr)
    t = cut / float(sr)

    def moved(item):
        start = item.start + shift if item.start >= t else item.start
        end = item.end + shift if item.end > t else item.end
        return dataclasses.replace(item, start=start, end=end)

    tl = speech.timeline
    frame = min(int(round(t / tl.hop)), len(tl.f0))
    frames = int(round(shift / tl.hop))
    floor = float(np.min(tl.energy)) if len(tl.energy) else -100.0
    f0 = np.concatenate([tl.f0[:frame], np.zeros(frames, np.float32), tl.f0[frame:]])
    energy = np.concatenate([tl.energy[:frame], np.full(frames, floor, np.float32),
                             tl.energy[frame:]]) if len(tl.energy) else tl.energy
    timeline = dataclasses.replace(
        tl, duration=len(joined) / float(sr), phonemes=[moved(p) for p in tl.phonemes],
        syllables=[moved(s) for s in tl.syllables], words=[moved(w) for w in tl.words],
        f0=f0.astype(np.float32), energy=np.asarray(energy, np.float32),
        marks=[dataclasses.replace(m, time=m.time + shift if m.time >= t else m.time)
               for m in tl.marks])
    return Speech(joined, sr, timeline)


def realise_breaks(speech: Speech, directions: SpeechDirections) -> Speech:
    """Splice in each break, so that the gap after its word lasts the break's time (or the
    voice's own pause, where that is longer); a break before the first word delays it."""
    words = speech.timeline.words
    per_word = word_directions(speech.timeline, directions)
    # from the last word back, so that earlier times stay valid
    for w in range(len(words) - 1, -1, -1):
        d = per_word[w]
        if d is None or d.break_after_s <= 0.0:
            continue
        end = words[w].end
        following = words[w + 1].start if w + 1 < len(words) else speech.duration
        gap = max(0.0, following - end)
        at = 0.5 * (end + following) if w + 1 < len(words) else speech.duration
        speech = insert_pause(speech, at, max(0.0, d.break_after_s - gap))
    if directions.break_before_s > 0.0 and words:
        lead = max(0.0, speech.timeline.words[0].start)
        speech = insert_pause(speech, 0.5 * lead, max(0.0, directions.break_before_s - lead))
    return speech


def mark_accents(timeline: Timeline, directions: SpeechDirections) -> Timeline:
    """``timeline`` with the accented syllable of every emphasised word (``strong``,
    ``moderate``) marked as a pitch accent, and the focus of its neighbourhood: other words'
    accents within :data:`FOCUS_S` of it are unmarked (the brows rise, the beat falls on the
    emphasis, not on a louder word next to it); every syllable of a ``reduced``/``none`` word
    is unmarked."""
    syllables = list(timeline.syllables)
    focus: list[tuple[int, float]] = []  # (word, onset) of each emphasised accent
    for w, d in enumerate(word_directions(timeline, directions)):
        if d is None or d.emphasis is None:
            continue
        if d.emphasis in ("strong", "moderate"):
            s = accent_syllable(timeline, w)
            if s is not None:
                syllables[s] = dataclasses.replace(syllables[s], accent=True)
                focus.append((w, syllables[s].start))
        else:
            syllables = [dataclasses.replace(s, accent=False) if s.word == w else s
                         for s in syllables]
    emphasised = {w for w, _ in focus}
    syllables = [dataclasses.replace(s, accent=False)
                 if s.accent and s.word not in emphasised
                 and any(abs(s.start - t) < FOCUS_S for _, t in focus) else s
                 for s in syllables]
    return dataclasses.replace(timeline, syllables=syllables)


def place_marks(timeline: Timeline, directions: SpeechDirections) -> Timeline:
    """``timeline`` with a :class:`~synth.contracts.Bookmark` per mark: at the start of the
    word the mark stands before, or at the end of the last word for a mark at the text's
    end."""
    marks = []
    for mark in directions.marks:
        word = next((w for w in timeline.words if w.char_start >= mark.offset), None)
        if word is not None:
            time = word.start
        else:
            time = timeline.words[-1].end if timeline.words else timeline.duration
        marks.append(Bookmark(mark.name, float(time)))
    return dataclasses.replace(timeline, marks=marks)


def finish_directions(speech: Speech, directions: SpeechDirections | None,
                      marks: bool = True) -> Speech:
    """The take with its breaks spliced in, its emphasised syllables marked as accents and
    (``marks``) its marks placed; ``speech`` itself when ``directions`` is None."""
    if directions is None:
        return speech
    speech = realise_breaks(speech, directions)
    timeline = mark_accents(speech.timeline, directions)
    if marks:
        timeline = place_marks(timeline, directions)
    return Speech(speech.audio, speech.sample_rate, timeline)
