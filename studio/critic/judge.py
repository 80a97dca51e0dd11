"""The critic's single pass: run the speech, face and body recognisers on a take and compare
their readings with the target.

A modality agrees when its most likely category is the target's. A recogniser that cannot name
the target's category at all (the speech model knows no "surprise", FER no "calm") agrees when
it names the nearest category it can (:data:`SUBSTITUTES`), or when its valence-arousal point
lies within :attr:`CriticConfig.va_tolerance` of the target's.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

import numpy as np

from controllers.target import CATEGORIES, EmotionTarget, nearest_category
from studio.critic.estimate import EmotionEstimate, fuse
from studio.critic.intelligibility import transcribe, word_error_rate
from studio.critic.take_result import TakeResult
from studio.critic.verdict import MODALITIES, Controls, IterationRecord

#: The categories each recogniser can name.
VOCABULARY: dict[str, frozenset[str]] = {
    "speech": frozenset(CATEGORIES) - {"surprise"},   # EmoDB has no surprise
    "face": frozenset(CATEGORIES) - {"calm"},         # FER-2013 has no calm
    "body": frozenset(CATEGORIES),
}

#: What a recogniser may read instead of a category it cannot name: a calm face is a relaxed
#: neutral or content one (FER-2013 has no calm); a surprised voice is high-arousal, usually
#: read as happiness or fear by a model trained without surprise.
SUBSTITUTES: dict[str, dict[str, frozenset[str]]] = {
    "face": {"calm": frozenset({"neutral", "happiness"})},
    "speech": {"surprise": frozenset({"happiness", "fear"})},
    "body": {},
}


@dataclass
class CriticConfig:
    """How strict the critic is and how much it looks at."""

    va_tolerance: float = 0.45
    """Valence-arousal distance within which a modality that cannot name the target's category
    still agrees."""
    max_wer_increase: float = 0.25
    """Allowed rise of the word error rate over the neutral reading's."""
    max_wer: float = 0.5
    """Word error rate bound when there is no neutral reading to compare with."""
    check_intelligibility: bool = True
    always_transcribe: bool = False
    """Transcribe every take (else only takes on which all modalities agree)."""
    face_fps: float = 4.0
    """Frames per second of the take rendered for FER."""
    face_max_frames: int = 10
    """At most this many frames are rendered per take."""


def target_category(target: EmotionTarget) -> str:
    """The category a take must read as (the nearest one for a purely dimensional target)."""
    return target.category or nearest_category(*target.vad)[0]


#: Features of recent neutral readings (sha1 of the audio -> features), shared by all critics.
_NEUTRAL_FEATURES: dict[str, np.ndarray] = {}


def _audio_key(audio: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(audio).tobytes()).hexdigest()


def _remember(cache: dict, key, value, size: int = 32):
    """Store ``value`` in a small insertion-ordered cache (oldest entry dropped)."""
    if len(cache) >= size:
        cache.pop(next(iter(cache)))
    cache[key] = value
    return value


class HeadCamera:
    """The avatar's head camera, opened once per process (a GL context is costly to open and
    to close), with fer's crop of the rest face and FER's reading of the rest face."""

    _shared: HeadCamera | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        from studio.critic.fer import FaceEmotionRecognizer, fer_crop_box
        from synth.avatar.render import Renderer

        # FER looks at a 64x64 gray crop: 256 px frames read the same as 512 px (p within 0.03) at
        # half the rendering cost.
        self.renderer = Renderer(camera="head", size=256)
        rest = self.renderer.render()
        self.crop_box = fer_crop_box(self.renderer.face_box())
        self.baseline = FaceEmotionRecognizer.load().predict(rest[None], self.crop_box,
                                                             margin=0.0)[0]
        """(7,) FER probabilities of the rest face: the prior correction's reference."""

    @classmethod
    def get(cls) -> HeadCamera:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def render(self, face, fps: float) -> np.ndarray:
        """(n, H, W, 3) uint8 frames of a face animation at ``fps``, head held still (FER judges
        the expression, and the crop is fixed)."""
        with self._lock:
            clip = self.renderer.render_animation(face=face, fps=fps, camera="head",
                                                  progress=False, head_from_face=False)
        return clip.frames


class Critic:
    """Recognisers (loaded lazily, once per process) and the critic's per-text caches."""

    def __init__(self, config: CriticConfig | None = None) -> None:
        self.config = config or CriticConfig()
        self._neutral_wer: dict[str, float] = {}
        # the loop re-judges the same speech when only the face or body changed: its reading
        # and transcript are kept by audio hash
        self._speech_cache: dict[tuple, EmotionEstimate] = {}
        self._transcripts: dict[str, str] = {}

    # -- recognisers ---------------------------------------------------------------------------
    def load(self) -> Critic:
        """Load every recogniser now (otherwise each loads on first use): SER, FER with its head
        camera, the body estimator and, when intelligibility is checked, the speech recogniser."""
        from studio.critic.body import BodyEmotionEstimator
        from studio.critic.fer import FaceEmotionRecognizer
        from studio.critic.intelligibility import load_decoder
        from studio.critic.ser import SpeechEmotionRecognizer

        SpeechEmotionRecognizer.load()
        FaceEmotionRecognizer.load()
        HeadCamera.get()
        BodyEmotionEstimator.load()
        if self.config.check_intelligibility:
            load_decoder()
        return self

    def speech_estimate(self, take: TakeResult) -> EmotionEstimate:
        n = take.neutral_speech
        key = (_audio_key(take.speech.audio), None if n is None else _audio_key(n.audio))
        if key not in self._speech_cache:
            _remember(self._speech_cache, key, self._speech_estimate(take))
        return self._speech_cache[key]

    def _speech_estimate(self, take: TakeResult) -> EmotionEstimate:
        from controllers.errors import InputError
        from studio.critic.features import extract_features
        from studio.critic.ser import SpeechEmotionRecognizer, estimate_from_classes

        ser = SpeechEmotionRecognizer.load()
        s, n = take.speech, take.neutral_speech
        try:
            feats = extract_features(s.audio, s.sample_rate)
        except ValueError as exc:
            raise InputError(f"cannot analyse the take's speech: {exc}") from exc
        if n is None:
            return estimate_from_classes(ser.predict_proba(feats, "single")[0], "single")
        key = _audio_key(n.audio)
        if key not in _NEUTRAL_FEATURES:  # the neutral reading is the same every take
            _remember(_NEUTRAL_FEATURES, key, extract_features(n.audio, n.sample_rate), 64)
        p = ser.predict_proba(feats, "relative", _NEUTRAL_FEATURES[key])[0]
        return estimate_from_classes(p, "relative")

    def face_baseline(self) -> np.ndarray:
        """(7,) FER probabilities of the avatar's rest face (the prior correction's reference)."""
        return HeadCamera.get().baseline

    def render_face(self, take: TakeResult) -> np.ndarray:
        """(n, H, W, 3) uint8 head-camera frames sampled from the take's face animation."""
        face = take.face
        fps = min(self.config.face_fps, self.config.face_max_frames / max(face.duration, 1e-3))
        return HeadCamera.get().render(face, fps)

    def face_estimate(self, take: TakeResult) -> EmotionEstimate | None:
        from studio.critic.fer import FaceEmotionRecognizer

        fer = FaceEmotionRecognizer.load()
        if take.face_frames is not None:  # the caller's frames: its box, fer's usual margin
            return fer.estimate(take.face_frames, take.face_box)
        if take.face is None:
            return None
        camera = HeadCamera.get()
        return fer.estimate(self.render_face(take), camera.crop_box, baseline=camera.baseline,
                            margin=0.0)

    def body_estimate(self, take: TakeResult) -> EmotionEstimate | None:
        from studio.critic.body import BodyEmotionEstimator

        return BodyEmotionEstimator.load().estimate(take.body) if take.body is not None else None

    # -- judging ---------------------------------------------------------------------------------
    def agrees(self, modality: str, estimate: EmotionEstimate, target: EmotionTarget) -> bool:
        """Whether one modality's reading agrees with the target (see module doc)."""
        category = target_category(target)
        if category in VOCABULARY[modality]:
            return estimate.category == category
        return (estimate.category in SUBSTITUTES[modality].get(category, ())
                or self._va_distance(estimate, target) <= self.config.va_tolerance)

    def _target_support(self, modality: str, estimate: EmotionEstimate,
                        target: EmotionTarget) -> float:
        category = target_category(target)
        if category in VOCABULARY[modality]:
            return float(estimate.probabilities.get(category, 0.0))
        substitutes = SUBSTITUTES[modality].get(category, frozenset())
        return max(sum(estimate.probabilities.get(c, 0.0) for c in substitutes),
                   max(0.0, 1.0 - self._va_distance(estimate, target)
                       / (2 * self.config.va_tolerance)))

    @staticmethod
    def _va_distance(estimate: EmotionEstimate, target: EmotionTarget) -> float:
        return float(np.hypot(estimate.valence - target.valence, estimate.arousal - target.arousal))

    def intelligibility(self, take: TakeResult, text: str) -> tuple[str, float, bool]:
        """(transcript, word error rate, whether within the bound)."""
        s = take.speech
        key = _audio_key(s.audio)
        transcript = self._transcripts.get(key)
        if transcript is None:
            transcript = _remember(self._transcripts, key, transcribe(s.audio, s.sample_rate))
        wer = word_error_rate(text, transcript)
        if wer <= self.config.max_wer_increase:
            # Within the allowance over a neutral WER >= 0 whatever the neutral reading's WER is:
            # the verdict is the same without transcribing it.
            return transcript, wer, True
        if take.neutral_speech is not None:
            if text not in self._neutral_wer:
                n = take.neutral_speech
                self._neutral_wer[text] = word_error_rate(text, transcribe(n.audio, n.sample_rate))
            bound = self._neutral_wer[text] + self.config.max_wer_increase
        else:
            bound = self.config.max_wer
        return transcript, wer, wer <= bound + 1e-9

    def judge(self, target: EmotionTarget, take: TakeResult, text: str | None = None,
              controls: Controls | None = None, iteration: int = 0) -> IterationRecord:
        """Run the recognisers on one take and compare with ``target``."""
        t0 = time.perf_counter()
        estimates: dict[str, EmotionEstimate] = {"speech": self.speech_estimate(take)}
        face = self.face_estimate(take)
        if face is not None:
            estimates["face"] = face
        body = self.body_estimate(take)
        if body is not None:
            estimates["body"] = body
        judged = [m for m in MODALITIES if m in estimates]
        estimates["fused"] = fuse([estimates[m] for m in judged])
        agreement = {m: self.agrees(m, estimates[m], target) for m in judged}
        support = float(np.mean([self._target_support(m, estimates[m], target) for m in judged]))
        fused = estimates["fused"]
        va_error = float(np.hypot(fused.valence - target.valence, fused.arousal - target.arousal))
        transcript, wer, intelligible = None, None, True
        all_agree = all(agreement.get(m, False) for m in MODALITIES)
        # Anti-gaming: every modality must be judged and agree, and the words must survive.
        # (Recognition costs ~1.5 s, so it runs only where it can decide success.)
        wanted = all_agree or self.config.always_transcribe
        if self.config.check_intelligibility and text and wanted:
            transcript, wer, intelligible = self.intelligibility(take, text)
        success = all_agree and intelligible
        return IterationRecord(
            iteration=iteration,
            controls=controls or Controls(target=target, intensity=target.intensity),
            estimates=estimates, agreement=agreement, va_error=va_error,
            target_probability=support, transcript=transcript, wer=wer,
            intelligible=intelligible, success=success,
            seconds={"judge": time.perf_counter() - t0})
