"""Speech emotion recognition: eGeMAPS-like features -> calibrated EmoDB-class probabilities.

Three modes, one linear (multinomial logistic regression) model each, shipped as plain arrays in
``assets/critic/ser.json`` (trained by ``python -m studio.critic.train_ser``):

- ``"single"``: one recording alone (a voice never heard before). Least reliable.
- ``"relative"``: a take judged against the same voice's neutral rendering of the same text; the
  input is the take's features and their difference to the neutral's. The critic loop uses it.
- ``"speaker"``: several recordings of one speaker, each normalised by that speaker's feature
  mean and spread (the classic speaker-normalised EmoDB setting).
- ``"voice"``: a take of a voice whose feature statistics over many takes are known (the
  studio's voice: :class:`studio.critic.voice_reference.VoiceReference`), normalised by them and
  read by the ``"speaker"`` model. The critic uses it for the studio's takes: it reads a take as
  the speaker-normalised recognisers of EmoDB (and the independent yardstick) read a speaker.

Probabilities are temperature-scaled (C. Guo et al., "On calibration of modern neural
networks", ICML 2017) so a confidence of 0.7 is right about 70% of the time on unseen speakers.
EmoDB's boredom is reported as the studio's ``calm`` (see :mod:`studio.critic.emodb`);
valence/arousal/dominance are the expected category prototype under the probabilities.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from controllers.assets import asset_path
from controllers.errors import InputError
from studio.critic.emodb import EMODB_CLASSES, EMODB_TO_CATEGORY
from studio.critic.estimate import EmotionEstimate, estimate_from_probabilities
from studio.critic.features import FEATURE_NAMES, extract_features

#: The trained models.
MODES: tuple[str, ...] = ("single", "relative", "speaker")
#: What :meth:`SpeechEmotionRecognizer.predict_proba` accepts: the models, and ``"voice"``
#: (the speaker model on features normalised by a voice reference).
READ_MODES: tuple[str, ...] = (*MODES, "voice")


@dataclass
class LinearSoftmax:
    """Standardiser + multinomial logistic regression + temperature, as plain arrays."""

    mean: np.ndarray
    """(d,) feature means of the training set."""
    scale: np.ndarray
    """(d,) feature standard deviations of the training set."""
    coef: np.ndarray
    """(classes, d) weights on standardised features."""
    intercept: np.ndarray
    """(classes,) biases."""
    temperature: float = 1.0
    """Logits are divided by this before the softmax (calibration)."""

    def logits(self, x: np.ndarray) -> np.ndarray:
        """(n, classes) logits of (n, d) inputs (before temperature)."""
        z = (np.atleast_2d(x) - self.mean) / self.scale
        return z @ self.coef.T + self.intercept

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, classes) calibrated probabilities of (n, d) inputs."""
        return softmax(self.logits(x) / self.temperature)

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept.tolist(),
                "temperature": float(self.temperature)}

    @classmethod
    def from_dict(cls, d: dict) -> LinearSoftmax:
        return cls(np.asarray(d["mean"]), np.asarray(d["scale"]), np.asarray(d["coef"]),
                   np.asarray(d["intercept"]), float(d["temperature"]))


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def relative_features(take: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """The relative mode's input: the take's features and their change from the neutral take."""
    take, neutral = np.atleast_2d(take), np.atleast_2d(neutral)
    return np.hstack([take, take - neutral])


def speaker_normalise(features: np.ndarray) -> np.ndarray:
    """(n, d) features z-scored over one speaker's n recordings (n >= 2)."""
    features = np.atleast_2d(features)
    return (features - features.mean(0)) / (features.std(0) + 1e-9)


class SpeechEmotionRecognizer:
    """The shipped SER models, loaded lazily and once.

    >>> ser = SpeechEmotionRecognizer.load()
    >>> est = ser.estimate(audio, 22050)                             # single recording
    >>> est = ser.estimate(take_audio, sr, neutral=(neutral_audio, sr))  # vs the neutral take
    """

    _shared: ClassVar[SpeechEmotionRecognizer | None] = None

    def __init__(self, models: dict[str, LinearSoftmax], info: dict) -> None:
        self.models = models
        self.info = info

    @classmethod
    def load(cls, path: str | Path | None = None) -> SpeechEmotionRecognizer:
        """The models in ``assets/critic/ser.json`` (cached after the first call)."""
        if path is None and cls._shared is not None:
            return cls._shared
        file = Path(path) if path else asset_path("critic", "ser.json")
        if not file.exists():
            raise FileNotFoundError(f"{file} is missing; train it with `make train-ser`")
        data = json.loads(file.read_text())
        if tuple(data["features"]) != FEATURE_NAMES or tuple(data["classes"]) != EMODB_CLASSES:
            raise ValueError(f"{file} was trained on other features/classes; retrain it")
        recognizer = cls({m: LinearSoftmax.from_dict(data["models"][m]) for m in MODES},
                         data.get("info", {}))
        if path is None:
            cls._shared = recognizer
        return recognizer

    # -- probabilities over EMODB_CLASSES --------------------------------------------------
    def predict_proba(self, features: np.ndarray, mode: str = "single",
                      neutral: np.ndarray | None = None, reference=None) -> np.ndarray:
        """(n, 7) probabilities over :data:`EMODB_CLASSES`.

        features : (n, d) or (d,) from :func:`extract_features`; ``neutral`` (d,) or (n, d) the
        neutral take's features (mode ``"relative"``; optional in mode ``"voice"``, see
        :meth:`VoiceReference.normalise`); mode ``"speaker"`` normalises over the n rows, which
        must be recordings of one speaker; mode ``"voice"`` normalises by ``reference`` (a
        :class:`studio.critic.voice_reference.VoiceReference`).
        """
        if mode not in READ_MODES:
            raise InputError(f"unknown SER mode {mode!r}; accepted: {', '.join(READ_MODES)}")
        x = np.atleast_2d(features)
        if mode == "voice":
            if reference is None:
                raise InputError("voice mode needs the voice's reference statistics")
            return self.models["speaker"].predict_proba(reference.normalise(x, neutral))
        if mode == "relative":
            if neutral is None:
                raise InputError("relative mode needs the neutral take's features")
            x = relative_features(x, np.broadcast_to(np.atleast_2d(neutral), x.shape))
        elif mode == "speaker":
            if len(x) < 2:
                raise InputError("speaker mode needs at least 2 recordings of the speaker")
            x = speaker_normalise(x)
        return self.models[mode].predict_proba(x)

    def estimate(self, audio: np.ndarray, sample_rate: int,
                 neutral: tuple[np.ndarray, int] | None = None) -> EmotionEstimate:
        """The emotion of one recording (modality ``"speech"``), judged alone or, with
        ``neutral=(audio, sample_rate)``, against the same voice's neutral take of the same text.
        """
        try:
            feats = extract_features(audio, sample_rate)
            ref = extract_features(*neutral) if neutral is not None else None
        except ValueError as exc:
            raise InputError(f"cannot analyse the recording: {exc}") from exc
        mode = "relative" if ref is not None else "single"
        p = self.predict_proba(feats, mode, ref)[0]
        return estimate_from_classes(p, mode)


def estimate_from_classes(p: np.ndarray, mode: str) -> EmotionEstimate:
    """A speech :class:`EmotionEstimate` from (7,) probabilities over :data:`EMODB_CLASSES`."""
    probs: dict[str, float] = {}
    for cls, pi in zip(EMODB_CLASSES, p):
        cat = EMODB_TO_CATEGORY[cls]
        probs[cat] = probs.get(cat, 0.0) + float(pi)
    return estimate_from_probabilities(
        "speech", probs,
        extra={"mode": mode, "emodb": {c: round(float(x), 4) for c, x in zip(EMODB_CLASSES, p)}})
