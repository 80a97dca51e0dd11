"""The critic's single pass: run the speech, face and body recognisers on a take and compare
their readings with the target.

A modality agrees when its most likely category is the target's. A recogniser that cannot name
the target's category at all (the speech model knows no "surprise", FER no "calm") agrees when
it names the nearest category it can (:data:`SUBSTITUTES`), or when its valence-arousal point
lies within :attr:`CriticConfig.va_tolerance` of the target's. The voice must moreover be read
with a calibrated probability of at least :attr:`CriticConfig.min_speech_probability`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from controllers.errors import InputError
from controllers.target import CATEGORIES, EmotionPlan, EmotionTarget, nearest_category
from studio.critic.estimate import EmotionEstimate, fuse
from studio.critic.intelligibility import (SPARE_WORDS, transcribe, word_error_rate,
                                           word_errors, words_kept)
from studio.critic.segments import (SegmentSpan, cut_body, cut_speech, frames_in,
                                    segment_spans)
from studio.critic.take_result import TakeResult
from studio.critic.verdict import MODALITIES, Controls, IterationRecord, SegmentRecord
from synth.contracts import Speech

#: Frames of the head camera each segment of a multi-emotion line gets at least.
MIN_SEGMENT_FRAMES = 3

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
    max_wer: float = 0.5
    """Word error rate bound when there is no neutral reading to compare with."""
    check_intelligibility: bool = True
    always_transcribe: bool = False
    """Transcribe every take (else only takes on which all modalities agree)."""
    face_fps: float = 4.0
    """Frames per second of the take rendered for FER."""
    face_max_frames: int = 10
    """At most this many frames are rendered per take."""
    min_speech_probability: float = 0.5
    """The voice agrees only when the SER's calibrated probability of the target's category is
    at least this (and the highest): more likely right than wrong. Checked on the 280 takes of
    the tuning sentences: where the critic's voice agreed at 0.5 or more, the independent
    yardstick heard the target in 56% of the takes; where it agreed below 0.5, in 33%."""
    voice_reference: bool = True
    """The takes are the studio's voice: read them against its shipped reference statistics
    (mode "voice", see :mod:`studio.critic.voice_reference`). False for takes of another voice:
    read against their neutral reading alone (mode "relative")."""


def whole_take_span(plan: EmotionPlan | None, target: EmotionTarget, take: TakeResult,
                    text: str | None = None) -> SegmentSpan:
    """The one segment of a line with one emotion: the whole take, judged against ``target``."""
    text = plan.text if plan is not None else (text or "")
    words = len(take.speech.timeline.words)
    return SegmentSpan(0, 0, text, target, 0.0, float(take.speech.duration), (0, words))


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


#: What a take's own path imports from the packages that the head camera imports too (scipy
#: for trimesh, onnxruntime for FER): the face's and gestures' smoothing filters, the gesture
#: rig's rotations, piper's runtime. See :meth:`HeadCamera.open_in_background`.
SHARED_IMPORTS = ("scipy.ndimage", "scipy.sparse", "scipy.spatial", "onnxruntime")


class HeadCamera:
    """A character's head camera, opened once per process and avatar (a GL context is costly
    to open and to close), with fer's crop of the rest face and FER's reading of the rest face."""

    _shared: dict = {}
    _lock = threading.Lock()

    def __init__(self, character=None) -> None:
        from studio.critic.fer import FaceEmotionRecognizer, fer_crop_box
        from synth.avatar.render import Renderer

        # FER looks at a 64x64 gray crop: 256 px frames read the same as 512 px (p within 0.03) at
        # half the rendering cost. Only the head and neck are drawn: the crop's pixels are the
        # whole body's (up to the rasteriser's own one or two pixels from run to run), at three
        # quarters of the cost per frame.
        self.renderer = Renderer(camera="head", size=256, character=character, region="head")
        rest = self.renderer.render()
        self.crop_box = fer_crop_box(self.renderer.face_box())
        self.baseline = FaceEmotionRecognizer.load().predict(rest[None], self.crop_box,
                                                             margin=0.0)[0]
        """(7,) FER probabilities of the rest face: the prior correction's reference."""

    @classmethod
    def get(cls, character=None) -> HeadCamera:
        """The head camera of ``character``'s avatar (None: the default avatar)."""
        key = None if character is None else character.avatar
        with cls._lock:
            if key not in cls._shared:
                cls._shared[key] = cls(character)
            return cls._shared[key]

    @classmethod
    def open_in_background(cls, character=None) -> threading.Thread | None:
        """Start opening ``character``'s head camera on another thread (None when it is open
        already). Its pyrender import and GL context (~0.6 s on a 2-core machine) then overlap
        the take's speech, which renders on one core (:func:`studio.threads.single_threaded`);
        :meth:`get` waits for it, and a failure here is raised by :meth:`get` on the caller's
        thread. The context renders from any thread: :meth:`render` makes it current first.

        The packages the camera shares with a take (:data:`SHARED_IMPORTS`) are imported here,
        on the caller's thread, first: two threads importing one package at once can each see
        it half initialised (a web UI render failed with ``KeyError: 'scipy'``). Call it only
        where no other thread may be importing (the CLI's one render)."""
        if (None if character is None else character.avatar) in cls._shared:
            return None
        for name in SHARED_IMPORTS:
            importlib.import_module(name)

        def open_quietly() -> None:
            try:
                cls.get(character)
            except Exception:  # noqa: BLE001  (the caller's get() opens it again and raises)
                pass

        thread = threading.Thread(target=open_quietly, name="head-camera")
        thread.start()
        return thread

    def render(self, face, fps: float) -> np.ndarray:
        """(n, H, W, 3) uint8 frames of a face animation at ``fps``, head held still (FER judges
        the expression, and the crop is fixed)."""
        with self._lock:
            clip = self.renderer.render_animation(face=face, fps=fps, camera="head",
                                                  progress=False, head_from_face=False)
        return clip.frames


@functools.lru_cache(maxsize=1)
def _face_pool() -> ThreadPoolExecutor:
    """The thread that reads a take's face while the critic reads its voice."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="critic-face")


@functools.lru_cache(maxsize=1)
def _voice_pool() -> ThreadPoolExecutor:
    """The thread that starts reading a take's voice while its face and body are animated
    (:meth:`Critic.read_ahead`)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="critic-voice")


class Critic:
    """Recognisers (loaded lazily, once per process) and the critic's per-text caches."""

    def __init__(self, config: CriticConfig | None = None) -> None:
        self.config = config or CriticConfig()
        # transcripts of neutral readings, by audio hash (a line's takes share one reading)
        self._neutral_heard: dict[str, str] = {}
        # the loop re-judges the same speech when only the face or body changed: its reading
        # and transcript are kept by audio hash
        self._speech_cache: dict[tuple, EmotionEstimate] = {}
        self._transcripts: dict[str, str] = {}
        # audio key -> the voice's reading started by read_ahead (a web UI may judge takes
        # on several threads)
        self._ahead: dict[str, Future] = {}
        self._ahead_lock = threading.Lock()

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

    def read_ahead(self, speech: Speech) -> None:
        """Start reading ``speech``'s voice on another thread: its frames, pitch and aperiodicity
        (:func:`~studio.critic.features.read_voice`: pyworld's D4C, half of the voice's reading,
        outside the interpreter). A later :meth:`judge` of a whole take with this speech
        finishes the reading from there; call it right after the voice is made, while the take's
        face and body are animated. The same readings; on a 5 s take the critic took 0.21-0.24 s
        instead of 0.23-0.26 s, the body 0.02 s more (Praat's pitch, on this thread too, holds
        the interpreter)."""
        from studio.critic.features import read_voice

        key = _audio_key(speech.audio)
        with self._ahead_lock:
            if key not in self._ahead:
                _remember(self._ahead, key, _voice_pool().submit(
                    read_voice, speech.audio, speech.sample_rate), size=4)

    def _take_features(self, speech: Speech, key: str) -> np.ndarray:
        """The feature vector of a take's voice (raises ValueError as
        :func:`~studio.critic.features.extract_features` does), from :meth:`read_ahead`'s start
        where there is one."""
        from studio.critic.features import extract_features, features_of

        with self._ahead_lock:
            job = self._ahead.pop(key, None)
        if job is None:
            return extract_features(speech.audio, speech.sample_rate)
        return features_of(*job.result())

    def speech_estimate(self, take: TakeResult, anchored: bool = False) -> EmotionEstimate:
        """The voice's reading. With the same voice's neutral reading: against the studio
        voice's reference statistics (mode ``"voice"``; ``anchored``: a stretch of a line,
        placed by its own neutral reading, see
        :meth:`~studio.critic.voice_reference.VoiceReference.normalise`), or, without the
        reference (:attr:`CriticConfig.voice_reference` False), against the neutral reading
        alone (mode ``"relative"``); without a neutral reading, alone (``"single"``)."""
        n = take.neutral_speech
        key = (_audio_key(take.speech.audio), None if n is None else _audio_key(n.audio),
               anchored)
        if key not in self._speech_cache:
            _remember(self._speech_cache, key, self._speech_estimate(take, key[0], anchored))
        return self._speech_cache[key]

    def _speech_estimate(self, take: TakeResult, audio_key: str,
                         anchored: bool = False) -> EmotionEstimate:
        from studio.critic.ser import SpeechEmotionRecognizer, estimate_from_classes
        from studio.critic.voice_reference import VoiceReference

        ser = SpeechEmotionRecognizer.load()
        s, n = take.speech, take.neutral_speech
        try:
            feats = self._take_features(s, audio_key)
        except ValueError as exc:
            raise InputError(f"cannot analyse the take's speech: {exc}") from exc
        if n is None:
            return estimate_from_classes(ser.predict_proba(feats, "single")[0], "single")
        reference = VoiceReference.load(take.character and take.character.voice) \
            if self.config.voice_reference else None
        if reference is not None and not anchored:
            # the voice's reference statistics alone place a whole take: its neutral reading is
            # not analysed (a third of the critic's time on a 5 s line)
            return estimate_from_classes(ser.predict_proba(feats, "voice", None, reference)[0],
                                         "voice")
        try:
            neutral = self._neutral_features(n)
        except ValueError as exc:
            raise InputError(f"cannot analyse the neutral reading: {exc}") from exc
        if reference is not None:
            return estimate_from_classes(ser.predict_proba(feats, "voice", neutral, reference)[0],
                                         "voice")
        p = ser.predict_proba(feats, "relative", neutral)[0]
        return estimate_from_classes(p, "relative")

    def face_baseline(self, character=None) -> np.ndarray:
        """(7,) FER probabilities of ``character``'s rest face (the prior correction's
        reference; None: the default avatar)."""
        return HeadCamera.get(character).baseline

    def render_face(self, take: TakeResult) -> np.ndarray:
        """(n, H, W, 3) uint8 head-camera frames sampled from the take's face animation, on
        the take's character."""
        face = take.face
        fps = min(self.config.face_fps, self.config.face_max_frames / max(face.duration, 1e-3))
        return HeadCamera.get(take.character).render(face, fps)

    def face_estimate(self, take: TakeResult) -> EmotionEstimate | None:
        from studio.critic.fer import FaceEmotionRecognizer

        fer = FaceEmotionRecognizer.load()
        if take.face_frames is not None:  # the caller's frames: its box, fer's usual margin
            return fer.estimate(take.face_frames, take.face_box)
        if take.face is None:
            return None
        camera = HeadCamera.get(take.character)
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
            sure = (modality != "speech" or estimate.probabilities.get(category, 0.0)
                    >= self.config.min_speech_probability)
            return estimate.category == category and sure
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
        if word_errors(text, transcript)[0] <= SPARE_WORDS:
            # within the allowance whatever the neutral reading's errors: the verdict is the
            # same without transcribing it
            return transcript, wer, True
        neutral = None
        if take.neutral_speech is not None:
            n = take.neutral_speech
            key = _audio_key(n.audio)
            if key not in self._neutral_heard:
                _remember(self._neutral_heard, key, transcribe(n.audio, n.sample_rate))
            neutral = self._neutral_heard[key]
        return transcript, wer, words_kept(text, transcript, neutral, self.config.max_wer)

    def judge(self, target: EmotionTarget, take: TakeResult, text: str | None = None,
              controls: Controls | None = None, iteration: int = 0,
              plan: EmotionPlan | None = None) -> IterationRecord:
        """Run the recognisers on one take and compare with ``target``.

        plan : the line's emotions as asked. When it has several segments, each segment is
        judged against its own target over its own time span (speech, face and body cut to it):
        the record's :attr:`~IterationRecord.segments` hold each reading, a modality agrees only
        where it agrees on every segment, and the record's estimates are the main segment's.
        """
        t0 = time.perf_counter()
        if plan is not None and len(plan.segments) > 1:
            segments = self._judge_segments(plan, take)
            main = max(range(len(plan.segments)), key=lambda k: len(plan.segments[k].text))
            estimates = segments[main].estimates
            judged = [m for m in MODALITIES if all(m in s.estimates for s in segments)]
            agreement = {m: all(s.agreement.get(m, False) for s in segments) for m in judged}
            support = float(np.mean([s.target_probability for s in segments]))
            va_error = float(np.mean([s.va_error for s in segments]))
        else:
            segment = self._judge_span(whole_take_span(plan, target, take, text), take)
            segments = [segment]
            estimates, agreement = segment.estimates, segment.agreement
            support, va_error = segment.target_probability, segment.va_error
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
            seconds={"judge": time.perf_counter() - t0}, segments=segments)

    def _judge_span(self, span: SegmentSpan, take: TakeResult,
                    estimates: dict[str, EmotionEstimate] | None = None,
                    problem: str | None = None) -> SegmentRecord:
        """Compare readings with ``span.target`` (the whole take's readings unless given)."""
        if estimates is None:
            estimates = {}
            # the face is rendered and read on another thread while the voice is analysed: GL,
            # onnxruntime and pyworld leave the interpreter to the other thread (a 5 s take's
            # critic 0.29 -> 0.24 s; the same readings)
            face_job = _face_pool().submit(self.face_estimate, take)
            try:
                estimates["speech"] = self.speech_estimate(take)
            except InputError as exc:  # e.g. a whispered take: no voice for the SER to read
                problem = f"speech not judged: {exc}"
            face = face_job.result()
            if face is not None:
                estimates["face"] = face
            body = self.body_estimate(take)
            if body is not None:
                estimates["body"] = body
        target = span.target
        judged = [m for m in MODALITIES if m in estimates]
        if not judged:
            return SegmentRecord(span, {}, {}, 2.0, 0.0, problem or "nothing could be judged")
        estimates["fused"] = fuse([estimates[m] for m in judged])
        agreement = {m: self.agrees(m, estimates[m], target) for m in judged}
        support = float(np.mean([self._target_support(m, estimates[m], target) for m in judged]))
        fused = estimates["fused"]
        va_error = float(np.hypot(fused.valence - target.valence, fused.arousal - target.arousal))
        return SegmentRecord(span, estimates, agreement, va_error, support, problem)

    def _judge_segments(self, plan: EmotionPlan, take: TakeResult) -> list[SegmentRecord]:
        """Each of the plan's segments judged over its own time span of the take."""
        spans = segment_spans(plan, take.speech.timeline)
        neutral_spans = (segment_spans(plan, take.neutral_speech.timeline)
                         if take.neutral_speech is not None else [None] * len(spans))
        face = self._segment_faces(take, spans)
        records = []
        for span, neutral_span, face_estimate in zip(spans, neutral_spans, face):
            estimates: dict[str, EmotionEstimate] = {}
            problems = []
            try:
                estimates["speech"] = self.segment_speech_estimate(take, span, neutral_span)
            except InputError as exc:
                problems.append(f"speech not judged: {exc}")
            if face_estimate is not None:
                estimates["face"] = face_estimate
            if take.body is not None:
                from studio.critic.body import BodyEmotionEstimator

                estimates["body"] = BodyEmotionEstimator.load().estimate(
                    cut_body(take.body, span.start, span.end))
            records.append(self._judge_span(span, take, estimates,
                                            "; ".join(problems) or None))
        return records

    @staticmethod
    def _neutral_features(neutral: Speech) -> np.ndarray:
        """Features of a neutral reading (kept: it is the same every take of a line)."""
        from studio.critic.features import extract_features

        key = _audio_key(neutral.audio)
        if key not in _NEUTRAL_FEATURES:
            _remember(_NEUTRAL_FEATURES, key,
                      extract_features(neutral.audio, neutral.sample_rate), 64)
        return _NEUTRAL_FEATURES[key]

    def segment_speech_estimate(self, take: TakeResult, span: SegmentSpan,
                                neutral_span: SegmentSpan | None) -> EmotionEstimate:
        """The voice over one segment, against the neutral reading of the same words (and, for
        the studio's voice, its reference statistics)."""
        audio = cut_speech(take.speech, span.start, span.end)
        neutral = None
        if take.neutral_speech is not None and neutral_span is not None:
            neutral = Speech(cut_speech(take.neutral_speech, neutral_span.start, neutral_span.end),
                             take.neutral_speech.sample_rate, take.neutral_speech.timeline)
        cut = TakeResult(speech=Speech(audio, take.speech.sample_rate, take.speech.timeline),
                         neutral_speech=neutral, character=take.character)
        return self.speech_estimate(cut, anchored=neutral is not None)

    def _segment_faces(self, take: TakeResult, spans: list[SegmentSpan]
                       ) -> list[EmotionEstimate | None]:
        """FER over each span's frames: the take is rendered once, at a rate that gives every
        segment at least :data:`MIN_SEGMENT_FRAMES` frames (within the frame budget)."""
        from studio.critic.fer import FaceEmotionRecognizer, pooled_estimate

        if take.face_frames is None and take.face is None:
            return [None] * len(spans)
        fer = FaceEmotionRecognizer.load()
        if take.face_frames is not None:  # the caller's frames span the take evenly
            frames = np.asarray(take.face_frames)
            times = np.linspace(0.0, take.speech.duration, len(frames), endpoint=False)
            per_frame = fer.predict(frames, take.face_box)
            baseline = None
        else:
            face = take.face
            shortest = max(min(s.duration for s in spans if s.duration > 0), 0.1)
            fps = min(self.config.face_fps, self.config.face_max_frames / max(face.duration, 1e-3))
            fps = min(max(fps, MIN_SEGMENT_FRAMES / shortest), 3 * self.config.face_fps)
            camera = HeadCamera.get(take.character)
            frames = camera.render(face, fps)
            times = np.arange(len(frames)) / fps
            per_frame = fer.predict(frames, camera.crop_box, margin=0.0)
            baseline = camera.baseline
        out = []
        for span in spans:
            estimate = pooled_estimate(per_frame[frames_in(times, span)], baseline)
            out.append(estimate)
        return out
