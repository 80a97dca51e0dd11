"""Non-verbal behaviour of a talking head: blinks, gaze, head motion, brow raises, idle motion.

Grounded in the usual observations of face-to-face speech:

- Blinks: about 15-20 per minute at rest, more when aroused; they cluster at phrase boundaries
  (pauses) and are asymmetric (close ~70 ms, open ~150 ms).
- Gaze: speakers look away at the start of a phrase and back at its end; saccades are fast
  (30-50 ms); between them the eyes make micro-saccades of a fraction of a degree.
- Head: small nods on stressed syllables, larger with higher arousal; slow drift; a posture
  set by the emotion (sad head down, surprised head back).
- Brows: a brief raise on pitch accents.
- In silence: breathing and slow drift keep the head alive.

Every random choice goes through one ``numpy.random.Generator``; the same seed gives the same
motion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from synth.contracts import ARKIT_NAMES, Timeline
from synth.face.ramps import raised_cosine, smoothstep
from synth.face.shapes import ARKIT_INDEX as _IDX


@dataclass
class NonverbalConfig:
    """Rates and amplitudes of the non-verbal behaviour."""

    blink_rate: float = 16.0
    """Blinks per minute at neutral arousal."""
    blink_arousal: float = 0.6
    """Relative rise of the blink rate per unit of arousal."""
    boundary_blink: float = 0.85
    """Highest probability of a blink at a phrase boundary."""
    nod_deg: float = 2.0
    """Head pitch of a nod on a stressed syllable at neutral arousal, in degrees."""
    nod_arousal: float = 0.8
    """Relative rise of the nod amplitude per unit of arousal."""
    drift_deg: tuple[float, float, float] = (2.0, 1.0, 0.8)
    """Standard deviation of the slow head drift (yaw, pitch, roll), in degrees."""
    gaze_deg: tuple[float, float] = (4.0, 2.5)
    """Standard deviation of gaze-aversion targets (yaw, pitch), in degrees."""
    microsaccade_deg: float = 0.3
    """Amplitude of micro-saccades, in degrees."""
    brow_raise: float = 0.18
    """browInnerUp/browOuterUp weight of a raise on a pitch accent (the avatar's corrective
    brow shapes, :mod:`synth.avatar.correctives`, roughly double what these weights move, so a
    flash of the brows stays a flash and does not turn a neutral face worried)."""
    eye_range_deg: float = 25.0
    """Eye rotation at which an ARKit eyeLook* weight reaches 1, in degrees."""


@dataclass
class NonverbalTrack:
    """The non-verbal curves of a take, at the animation's frame times."""

    weights: np.ndarray
    """(frames, 52) float32 ARKit weights (blinks, eye looks, brow raises) to add to the face."""
    head: np.ndarray
    """(frames, 3) float32 yaw, pitch, roll in degrees (yaw left +, pitch down +)."""
    eyes: np.ndarray
    """(frames, 2, 2) float32 [left, right] x [yaw, pitch] in degrees."""


# -- events --------------------------------------------------------------------------------------
def phrase_boundaries(timeline: Timeline, min_pause: float = 0.15) -> list[float]:
    """Times in seconds where a phrase ends: pauses of at least ``min_pause`` and the end."""
    out: list[float] = []
    for ph in timeline.phonemes:
        if ph.symbol.strip() in ("_", "", ",", ".", "?", "!", ";", ":") and \
                ph.end - ph.start >= min_pause:
            out.append(float(ph.start))
    for prev, nxt in zip(timeline.words, timeline.words[1:]):
        if nxt.start - prev.end >= min_pause:
            out.append(float(prev.end))
    if timeline.words:
        out.append(float(timeline.words[-1].end))
    return sorted(set(round(t, 3) for t in out))


def speech_mask(timeline: Timeline, times: np.ndarray) -> np.ndarray:
    """(frames,) bool: True inside a word (the speaker is talking)."""
    mask = np.zeros(times.size, bool)
    for w in timeline.words:
        mask |= (times >= w.start) & (times <= w.end)
    return mask


def accented_syllables(timeline: Timeline, min_gap: float = 1.0, share: float = 0.35
                       ) -> list[float]:
    """Onsets in seconds of the most prominent pitch accents (where the brows rise).

    Candidates are syllables marked :attr:`Syllable.accent` (or, when none is marked, those with
    primary stress); each is scored by its F0 peak in semitones above the take's median voiced
    F0. The top ``share`` of candidates are kept, greedily by score, at least ``min_gap``
    seconds apart (brows do not flash on every word).
    """
    candidates = [s for s in timeline.syllables if s.accent] or \
        [s for s in timeline.syllables if s.stress == 1]
    f0 = np.asarray(timeline.f0, np.float64)
    voiced = f0[f0 > 0]
    if not candidates or voiced.size == 0:
        return []
    median = np.median(voiced)
    scored = []
    for s in candidates:
        a, b = int(s.start / timeline.hop), int(np.ceil(s.end / timeline.hop))
        seg = f0[a:b]
        seg = seg[seg > 0]
        if seg.size:
            scored.append((12 * np.log2(seg.max() / median), float(s.start)))
    scored.sort(reverse=True)
    keep: list[float] = []
    for score, start in scored[:max(1, int(round(share * len(scored))))]:
        if score > 0 and all(abs(start - k) >= min_gap for k in keep):
            keep.append(start)
    return sorted(keep)


def _bumps(times: np.ndarray, onsets: np.ndarray, amps: np.ndarray, rise: float, hold: float,
           fall: float) -> np.ndarray:
    """(frames,) sum of raised-cosine bumps: up over ``rise`` s, flat ``hold`` s, down over
    ``fall`` s."""
    if onsets.size == 0:
        return np.zeros_like(times)
    dt = times[:, None] - onsets[None, :]
    up = np.clip(dt / rise, 0.0, 1.0)
    down = np.clip(1.0 - (dt - rise - hold) / fall, 0.0, 1.0)
    return raised_cosine(np.where(dt < rise + hold, up, down)) @ amps


def _steps(times: np.ndarray, onsets: np.ndarray, targets: np.ndarray, duration: float,
           initial: np.ndarray) -> np.ndarray:
    """(frames, k) piecewise-constant targets joined by smoothstep saccades of ``duration`` s."""
    out = np.repeat(initial[None, :], times.size, axis=0).astype(np.float64)
    current = initial.astype(np.float64)
    for t0, target in zip(onsets, targets):
        s = smoothstep((times - t0) / duration)[:, None]
        out = np.where(times[:, None] >= t0, current + (target - current) * s, out)
        current = target
    return out


# -- behaviours ----------------------------------------------------------------------------------
def blink_curve(timeline: Timeline, times: np.ndarray, arousal: float, rng: np.random.Generator,
                config: NonverbalConfig) -> np.ndarray:
    """(frames,) eyelid closure in [0, 1] with blinks at phrase boundaries and in between."""
    rate = config.blink_rate * max(0.3, 1.0 + config.blink_arousal * arousal)  # per minute
    end = float(timeline.duration)
    expected = rate * end / 60.0
    bounds = phrase_boundaries(timeline)
    # boundaries take most of the expected blinks; the rest fall in between at random
    p_bound = min(config.boundary_blink, 0.7 * expected / max(len(bounds), 1))
    onsets = [t for t in bounds if rng.random() < p_bound]
    remaining = max(expected - p_bound * len(bounds), 0.0)
    for t in np.sort(rng.uniform(0.0, end, rng.poisson(remaining))):
        if all(abs(t - o) > 0.6 for o in onsets):
            onsets.append(float(t))
    onsets_arr = np.array(sorted(onsets))
    closure = _bumps(times, onsets_arr, np.ones(onsets_arr.size), 0.07, 0.03, 0.15)
    return np.clip(closure, 0.0, 1.0)


def gaze_curves(timeline: Timeline, times: np.ndarray, arousal: float,
                pitch_bias: float, rng: np.random.Generator, config: NonverbalConfig) -> np.ndarray:
    """(frames, 2) eye yaw and pitch in degrees (both eyes), with saccades and micro-saccades.

    Looks away at the start of each phrase and back to the listener at its end; more frequent
    shifts with higher arousal; ``pitch_bias`` (degrees, down +) shifts the whole gaze.
    """
    phrase_starts = [w.start for i, w in enumerate(timeline.words)
                     if i == 0 or w.start - timeline.words[i - 1].end >= 0.15]
    onsets, targets = [], []
    for t in phrase_starts:
        onsets.append(t - 0.1)
        targets.append([rng.normal(0, config.gaze_deg[0]), rng.normal(0, config.gaze_deg[1])])
    for t in phrase_boundaries(timeline):
        onsets.append(t + 0.05)
        targets.append([0.0, 0.0])
    # extra shifts in long stretches, more frequent when aroused
    mean_gap = 2.2 / (1.0 + 0.5 * max(arousal, -0.8))
    t = rng.uniform(0.5, mean_gap)
    while t < timeline.duration:
        onsets.append(t)
        targets.append([rng.normal(0, 0.6 * config.gaze_deg[0]),
                        rng.normal(0, 0.6 * config.gaze_deg[1])])
        t += rng.exponential(mean_gap) + 0.4
    order = np.argsort(onsets)
    gaze = _steps(times, np.array(onsets)[order], np.array(targets)[order].reshape(-1, 2),
                  0.045, np.zeros(2))
    # micro-saccades: tiny steps every ~0.6 s
    n = max(1, int(timeline.duration / 0.6))
    micro_t = np.sort(rng.uniform(0, timeline.duration, n))
    micro = _steps(times, micro_t, rng.normal(0, config.microsaccade_deg, (n, 2)), 0.02,
                   np.zeros(2))
    gaze += micro
    gaze[:, 1] += pitch_bias
    return gaze


def head_curves(timeline: Timeline, times: np.ndarray, arousal: np.ndarray,
                posture: np.ndarray, rng: np.random.Generator,
                config: NonverbalConfig) -> np.ndarray:
    """(frames, 3) head yaw, pitch, roll in degrees: posture + nods + drift + breathing.

    ``arousal`` (frames,) scales nods and drift; ``posture`` (frames, 3) is the emotion's
    head offset in degrees.
    """
    fps = 1.0 / (times[1] - times[0]) if times.size > 1 else 60.0
    head = np.array(posture, np.float64, copy=True)
    # nods on stressed syllables (pitch down, then back)
    stressed = [s for s in timeline.syllables if s.stress == 1]
    onsets, amps = [], []
    for s in stressed:
        a = float(np.interp(s.start, times, arousal))
        if rng.random() < 0.55 + 0.3 * a:
            onsets.append(s.start - 0.05)
            amps.append(config.nod_deg * max(0.2, 1.0 + config.nod_arousal * a)
                        * rng.uniform(0.6, 1.2))
    head[:, 1] += _bumps(times, np.array(onsets), np.array(amps), 0.12, 0.03, 0.25)
    # slow drift: smoothed noise, livelier with arousal, a little larger in silence
    silent = ~speech_mask(timeline, times)
    gain = (1.0 + 0.5 * np.clip(arousal, -1, 1)) * np.where(silent, 1.3, 1.0)
    gain = gaussian_filter1d(gain, 0.3 * fps, mode="nearest")
    for axis, sd in enumerate(config.drift_deg):
        noise = gaussian_filter1d(rng.normal(0, 1, times.size + int(2 * fps)), 0.6 * fps)
        noise = noise[int(fps):int(fps) + times.size]
        # unit-variance white noise smoothed by a Gaussian of sigma s frames has this std
        noise = noise * np.sqrt(2.0 * np.sqrt(np.pi) * 0.6 * fps) * sd
        head[:, axis] += noise * gain
    # breathing: ~0.25 Hz, a few tenths of a degree of pitch
    phase = rng.uniform(0, 2 * np.pi)
    head[:, 1] += 0.3 * np.sin(2 * np.pi * 0.25 * times + phase)
    return head


def eye_look_weights(eyes: np.ndarray, eye_range_deg: float) -> np.ndarray:
    """(frames, 52) ARKit eyeLook* weights from (frames, 2, 2) eye yaw/pitch in degrees.

    Yaw + looks to the avatar's left: out for the left eye, in for the right; pitch + is down.
    """
    w = np.zeros((eyes.shape[0], len(ARKIT_NAMES)), np.float32)
    for e, side in enumerate(("Left", "Right")):
        yaw, pitch = eyes[:, e, 0] / eye_range_deg, eyes[:, e, 1] / eye_range_deg
        left, right = np.clip(yaw, 0, 1), np.clip(-yaw, 0, 1)
        w[:, _IDX[f"eyeLookOut{side}"]] = left if side == "Left" else right
        w[:, _IDX[f"eyeLookIn{side}"]] = right if side == "Left" else left
        w[:, _IDX[f"eyeLookDown{side}"]] = np.clip(pitch, 0, 1)
        w[:, _IDX[f"eyeLookUp{side}"]] = np.clip(-pitch, 0, 1)
    return w


#: Head posture (yaw, pitch down +, roll) in degrees per category at intensity 1.
CATEGORY_POSTURE: dict[str, tuple[float, float, float]] = {
    "neutral": (0.0, 0.0, 0.0), "happiness": (0.0, -2.0, 1.5), "sadness": (0.0, 6.0, -1.5),
    "anger": (0.0, 1.5, 0.0), "fear": (0.0, 0.5, 0.0), "disgust": (-3.0, 1.0, -1.5),
    "surprise": (0.0, -2.0, 0.0), "calm": (0.0, 0.0, 1.5),
}


def nonverbal_track(timeline: Timeline, times: np.ndarray, vad: np.ndarray,
                    posture: np.ndarray, seed: int = 0,
                    config: NonverbalConfig | None = None) -> NonverbalTrack:
    """Blinks, gaze, head motion and brow raises for a take.

    ``times`` (frames,) seconds; ``vad`` (frames, 3) the emotion in force; ``posture`` (frames, 3)
    head offset in degrees. Deterministic for a given ``seed``.
    """
    config = config or NonverbalConfig()
    rng = np.random.default_rng(seed)
    arousal = vad[:, 1]
    mean_arousal = float(arousal.mean()) if arousal.size else 0.0
    weights = np.zeros((times.size, len(ARKIT_NAMES)), np.float32)
    blink = blink_curve(timeline, times, mean_arousal, rng, config)
    weights[:, _IDX["eyeBlinkLeft"]] = blink
    weights[:, _IDX["eyeBlinkRight"]] = blink
    # sad or submissive looks down; eyes follow part of the head pitch back to the listener
    pitch_bias = float(np.mean(2.0 * np.clip(-vad[:, 0], 0, 1) + 2.0 * np.clip(-vad[:, 2], 0, 1)))
    gaze = gaze_curves(timeline, times, mean_arousal, pitch_bias, rng, config)
    head = head_curves(timeline, times, arousal, posture, rng, config)
    eyes = np.stack([gaze, gaze], axis=1)
    eyes[:, :, 1] -= 0.5 * (head[:, None, 1] - posture[:, None, 1])  # vestibulo-ocular reflex
    weights += eye_look_weights(eyes, config.eye_range_deg)
    accents = np.array(accented_syllables(timeline))
    raise_amp = config.brow_raise * (1.0 + 0.5 * np.clip(np.interp(accents, times, arousal), -1, 1)
                                     ) if accents.size else np.zeros(0)
    brows = _bumps(times, accents - 0.05, raise_amp, 0.1, 0.12, 0.3)
    for name in ("browInnerUp", "browOuterUpLeft", "browOuterUpRight"):
        weights[:, _IDX[name]] += brows
    return NonverbalTrack(np.clip(weights, 0, 1).astype(np.float32), head.astype(np.float32),
                          eyes.astype(np.float32))
