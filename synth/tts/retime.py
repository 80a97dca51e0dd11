"""A reading re-timed symbol by symbol without reading it again.

An emotional take is the neutral reading with other durations: each symbol ``dur_scale`` times
as long. Reading the text again with those scales costs a whole piper pass (about as much as the
rest of the take together). The voice's frame counts do not need it: piper rounds each phoneme
id's predicted duration times its scale up to whole decoder frames, and the first reading gives
the predicted durations (:attr:`~synth.tts.voice.VoiceOutput.durations`), so
:func:`retimed_tokens` gives the very sample counts a second reading would. The audio is moved
onto that timing by WSOLA (waveform-similarity overlap-add, Verhelst & Roelands 1993,
:func:`wsola`): frames of :data:`FRAME_S` laid every half frame on the new time axis, each taken
from where the time map puts it in the reading, shifted by at most :data:`TOLERANCE_S` so that
it continues the waveform the frame before it left (pitch periods line up: no phasing). A symbol
that keeps its duration passes through unchanged. Where two frames cannot be made to agree
(noise: a fricative, breath) their cross-fade keeps its power (:func:`_overlap_gain`).

Against reading again (7 December; ``bench/cast.py``'s takes of the 10 report sentences x 7
targets x 8 seeds, 560 per voice, the same takes both ways; paired, 95 % bootstrap interval over
takes), yardstick recognition EmoDB 61.1 -> 61.8 % (+0.6 [-0.7, +1.9]), RAVDESS 30.6 -> 31.0 %
(+0.4 [-0.9, +1.7]); per voice EmoDB / RAVDESS joe 59.1 / 34.3 -> 57.5 / 33.2, david 58.4 / 30.0
-> 60.4 / 31.8, lena 64.1 / 30.7 -> 63.6 / 32.3, mara 62.0 / 29.8 -> 64.6 / 30.4, ruth 62.1 /
32.0 -> 63.7 / 30.9, walter 61.1 / 27.0 -> 60.7 / 27.7 %. The takes differ as two readings do
(each way, 15-30 % of one voice's takes change their verdict on a yardstick; on the first 4
seeds RAVDESS lost 1.2 points, on the next 4 it gained 1.6). pocketsphinx's word errors over the
7 targets of the 20 tuning sentences: joe 323 -> 322, mara 556 -> 525. The analysis of the
spectra on the re-timed audio instead of the reading, and cross-fades without the power
correction, gave the same within these intervals (4 seeds). An emotional take costs 1.52x bare
piper instead of 2.42x, a full take 0.234 s per second of speech instead of 0.313
(``bench/startup.py``, same machine, one after the other).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from synth.tts.tokens import Token
from synth.tts.voice import VoiceOutput

#: Frame length of the overlap-add, seconds (two periods of a low voice's F0).
FRAME_S = 0.023
#: Largest shift of a frame from its place on the time map, seconds (half a period at 60 Hz).
TOLERANCE_S = 0.0085


def symbol_edges(tokens: list[Token]) -> np.ndarray:
    """(len(tokens) + 1,) float64 sample positions where each symbol starts, and the end."""
    return np.concatenate([[0.0], np.cumsum([t.samples for t in tokens], dtype=np.float64)])


def source_positions(positions: np.ndarray, tokens_from: list[Token],
                     tokens_to: list[Token]) -> np.ndarray:
    """Where ``positions`` (any shape, samples or seconds x the sample rate) of a reading timed by
    ``tokens_to`` come from in the reading timed by ``tokens_from`` (the same symbols, other sample
    counts): piecewise linear between symbol boundaries; a symbol of no samples maps to its
    start."""
    edges_to, keep = np.unique(symbol_edges(tokens_to), return_index=True)
    return np.interp(positions, edges_to, symbol_edges(tokens_from)[keep])


def retimed_tokens(reading: VoiceOutput, factors: np.ndarray) -> tuple[list[Token], np.ndarray]:
    """(the symbols of ``reading`` with the sample counts the voice gives them when every
    symbol's ``dur_scale`` is ``factors`` (len(tokens),) times what ``reading`` was read with; the
    phoneme ids' new durations before rounding, (ids,) frames)."""
    if reading.durations is None or reading.owners is None:
        raise ValueError("the reading has no phoneme durations (Voice.speak_tokens gives them)")
    durations = reading.durations * np.asarray(factors, np.float64)[reading.owners]
    frames = np.ceil(durations)
    samples = np.zeros(len(reading.tokens), np.int64)
    np.add.at(samples, reading.owners, frames.astype(np.int64) * reading.hop_length)
    # samples beyond the decoder's frames (none for piper) stay with the last symbol
    samples[-1] += len(reading.audio) - int(np.ceil(reading.durations).sum()) * reading.hop_length
    tokens = [Token(t.symbol, t.sentence, int(n)) for t, n in zip(reading.tokens, samples)]
    return tokens, durations


def wsola(audio: np.ndarray, source_edges: np.ndarray, target_edges: np.ndarray,
          sample_rate: int) -> np.ndarray:
    """(round(target_edges[-1]),) float32: ``audio`` moved so that sample ``source_edges[i]``
    comes at ``target_edges[i]`` (piecewise linear between; both (k,) non-decreasing, in samples,
    from 0)."""
    x = np.asarray(audio, np.float64)
    n_out = int(round(target_edges[-1]))
    frame = int(round(FRAME_S * sample_rate)) // 2 * 2
    hop = frame // 2
    tolerance = int(round(TOLERANCE_S * sample_rate))
    window = np.hanning(frame + 1)[:frame]  # periodic: frames half a frame apart sum to one
    pad = frame + tolerance
    padded = np.concatenate([np.zeros(pad), x, np.zeros(pad + frame)])
    power = np.concatenate([[0.0], np.cumsum(padded * padded)])
    target, keep = np.unique(np.asarray(target_edges, np.float64), return_index=True)
    source = np.asarray(source_edges, np.float64)[keep]
    n_frames = n_out // hop + 2
    y = np.zeros(n_frames * hop + frame)
    previous = None
    for k in range(n_frames):
        # frame k covers output samples [(k - 1) * hop, (k + 1) * hop): centred on k * hop
        ideal = int(round(np.interp(k * hop, target, source))) - hop + pad
        start = ideal
        if previous is not None and previous + hop != ideal:
            natural = previous + hop  # the waveform that would continue the previous frame
            lo = max(ideal - tolerance, 0)
            hi = min(ideal + tolerance, len(padded) - frame)
            energy = power[lo + frame:hi + frame + 1] - power[lo:hi + 1]
            if np.any(energy > 1e-12):
                similarity = np.correlate(padded[lo:hi + frame],
                                          padded[natural:natural + frame] * window, mode="valid")
                start = lo + int(np.argmax(similarity / np.sqrt(np.maximum(energy, 1e-12))))
        y[k * hop:k * hop + frame] += padded[start:start + frame] * window
        if previous is not None and start != previous + hop:
            # the overlap of frames k-1 and k is complete: keep its power where they differ
            y[k * hop:k * hop + hop] *= _overlap_gain(
                padded[previous + hop:previous + frame], padded[start:start + hop],
                window[:hop])
        previous = start
    return y[hop:hop + n_out].astype(np.float32)


def _overlap_gain(before: np.ndarray, after: np.ndarray, rise: np.ndarray) -> np.ndarray:
    """(hop,) gain that keeps the power of a cross-fade (``rise`` up, ``1 - rise`` down) from
    ``before`` to ``after`` (both (hop,)): two signals with normalised correlation ``r`` mix to
    ``1 - 2 w (1 - w) (1 - r)`` of their power, 3 dB down mid-fade for uncorrelated noise (a
    fricative stretched loses its high band, where WSOLA's alignment cannot make the noise
    agree); 1 where they agree."""
    norm = np.sqrt(float(before @ before) * float(after @ after))
    r = float(np.clip(before @ after / norm, 0.0, 1.0)) if norm > 1e-12 else 1.0
    return 1.0 / np.sqrt(1.0 - 2.0 * rise * (1.0 - rise) * (1.0 - r))


def retime(reading: VoiceOutput, factors: np.ndarray) -> VoiceOutput:
    """``reading`` with every symbol's ``dur_scale`` ``factors`` (len(tokens),) times what it was
    read with: the voice's own sample counts for that (:func:`retimed_tokens`), its audio moved
    onto them (:func:`wsola`)."""
    tokens, durations = retimed_tokens(reading, factors)
    audio = wsola(reading.audio, symbol_edges(reading.tokens), symbol_edges(tokens),
                  reading.sample_rate)
    return dataclasses.replace(reading, audio=audio, tokens=tokens, durations=durations)


__all__ = ["FRAME_S", "TOLERANCE_S", "retime", "retimed_tokens", "source_positions",
           "symbol_edges", "wsola"]
