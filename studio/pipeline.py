"""One line of text and an emotion -> a complete take: voice, face, body, critic, files.

>>> from studio.pipeline import render
>>> take = render("Hello there. [angry] Get out!", "cheerful", out="out/hello")
>>> take.duration, sorted(take.files)            # seconds of speech; every file written

The stages, in order (each a call into its own room):

1. plan     ``controllers``   text with inline ``[tags]`` + emotion -> :class:`EmotionPlan`
2. speech   ``synth.tts``     plan -> :class:`Speech` (audio + timeline)
3. face     ``synth.face``    timeline + plan -> :class:`FaceAnimation`
4. body     ``synth.gesture`` timeline + plan -> :class:`BodyAnimation`
5. critic   ``studio.critic`` judge the take (``loop=True``: correct the controls and redo 2-4)
6. files    ``studio.export`` + ``synth.avatar`` (preview video) -> the files of ``emostudio render``

A :class:`Studio` holds the loaded models; :func:`default_studio` is one per process, so that a
batch worker or the web UI loads them once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Sequence

from controllers.character import Character
from controllers.errors import InputError
from controllers.target import EmotionPlan, EmotionTarget
from synth.contracts import Speech
from studio.take import Take

#: Accepted ``preview`` values: full body with the face animated, head close-up, no video.
PREVIEW_MODES: tuple[str, ...] = ("body", "face", "none")
#: Accepted ``prosody`` values (see ``emostudio speak``).
PROSODY_MODES: tuple[str, ...] = ("diffusion", "rules", "none")
#: Camera of each preview mode (``synth.avatar.render`` views) and the video's frame rate.
PREVIEW_CAMERAS: dict[str, str] = {"body": "body", "face": "head"}
PREVIEW_FPS = 30.0

#: A progress callback: fraction done in [0, 1] and what is happening.
Progress = Callable[[float, str], None]

Emotion = str | EmotionTarget | EmotionPlan | Sequence[float] | None


def _no_progress(fraction: float, desc: str) -> None:
    pass


class Studio:
    """The loaded models of every stage; :meth:`render` makes takes with them.

    Models load lazily on first use (or all at once with :meth:`load`) and stay loaded.
    """

    def __init__(self) -> None:
        self._tts: dict[str, object] = {}
        self._renderers: dict[object, object] = {}
        self._critic = None

    # -- models -----------------------------------------------------------------------------
    def tts(self, prosody: str = "diffusion"):
        """The emotional voice with the ``prosody`` model (``synth.tts.EmotionalTTS``), loaded once."""
        if prosody not in self._tts:
            from synth.tts import EmotionalTTS, Voice

            # the voice reads on its two ONNX threads (synth.tts.voice.THREADS, the same in every
            # process, so the same samples); the rest of a take stays on one (studio.threads)
            self._tts[prosody] = EmotionalTTS.load(prosody=prosody, voice=Voice.load())
        return self._tts[prosody]

    def renderer(self, character: Character | None = None):
        """The renderer of ``character``'s avatar (``synth.avatar.render.Renderer``, one GL
        context per avatar), made on first use."""
        key = None if character is None else character.avatar
        if key not in self._renderers:
            from synth.avatar.render import Renderer

            self._renderers[key] = Renderer(camera="body", character=character)
        return self._renderers[key]

    @property
    def critic(self):
        """The critic (``studio.critic.Critic``: recognisers, its head camera), made once."""
        if self._critic is None:
            from studio.critic import Critic

            self._critic = Critic()
        return self._critic

    def load(self, prosody: str = "diffusion") -> Studio:
        """Load the models now (a batch worker does this once at start-up): the voice with its
        prosody model and the critic's recognisers."""
        self.tts(prosody)
        self.critic.load()
        return self

    # -- stages -----------------------------------------------------------------------------
    @staticmethod
    def plan(text: str, emotion: Emotion = None) -> EmotionPlan:
        """The emotion plan of a line: ``emotion`` from the start, changed by inline ``[tags]``.

        ``emotion``: a description (``"quietly furious"``), ``"auto"`` (from the line's own
        words), an :class:`EmotionTarget`, an :class:`EmotionPlan` (used as is),
        ``(valence, arousal[, dominance])`` numbers in [-1, 1], or None/"" for neutral.
        A ``text`` that starts with ``<speak`` is SSML (``controllers.ssml``): ``emotion`` is
        the default where no ``<mstts:express-as>`` says otherwise.
        """
        from controllers.resolve import plan_for
        from controllers.ssml import is_ssml, parse_ssml

        if not isinstance(text, str) or not text.strip():
            raise InputError("the text to perform is empty; give a line of text")
        if is_ssml(text):  # an SsmlPlan: its speech directions ride along to the voice
            return parse_ssml(text).plan(emotion if emotion != "" else None)
        return plan_for(text, emotion if emotion != "" else None)

    def perform(self, plan: EmotionPlan, seed: int = 0, prosody: str = "diffusion",
                guidance: float | None = None, *, speech: Speech | None = None,
                face_config=None, body_plan: EmotionPlan | None = None,
                character: Character | None = None,
                on_speech: Callable[[Speech], None] | None = None) -> Take:
        """Speech, face and body of one take by ``character`` (None: the default one; nothing
        judged, nothing written).

        The critic loop's per-modality corrections: ``speech`` reuses an earlier take's voice,
        ``face_config`` (``synth.face.face_controls``) and ``body_plan`` change only the face
        or the body. ``on_speech`` is called with new speech before the face and body are
        animated (the critic starts reading it: ``Critic.read_ahead``).
        """
        from synth.face import animate_face
        from synth.gesture import animate_body

        timings: dict[str, float] = {}
        t = time.perf_counter()
        if speech is None:
            speech = self.tts(prosody).speak(plan, seed=seed, guidance=guidance,
                                             character=character)
            if on_speech is not None:
                on_speech(speech)
        timings["speech"] = time.perf_counter() - t
        t = time.perf_counter()
        face = animate_face(speech.timeline, plan, seed=seed, config=face_config,
                            character=character)
        timings["face"] = time.perf_counter() - t
        t = time.perf_counter()
        body = animate_body(speech.timeline, body_plan or plan, seed=seed, face=face,
                            character=character)
        timings["body"] = time.perf_counter() - t
        return Take(text=plan.text, plan=plan, speech=speech, face=face, body=body, seed=seed,
                    timings=timings, character=character)

    def neutral_speech(self, text: str, seed: int = 0, prosody: str = "diffusion",
                       character: Character | None = None) -> Speech:
        """``character``'s bare neutral voice reading ``text`` (what the critic compares a take
        against)."""
        return self.tts(prosody).neutral(text, seed=seed, character=character)

    def render(self, text: str, emotion: Emotion = None, out: str | Path | None = None,
               seed: int = 0, loop: bool = False, preview: str = "body",
               prosody: str = "diffusion", progress: Progress | None = None,
               character: Character | None = None) -> Take:
        """Render one take; see :func:`render`."""
        from studio.threads import single_threaded

        with single_threaded():
            return self._render(text, emotion, out, seed, loop, preview, prosody, progress,
                                character)

    def _render(self, text: str, emotion: Emotion, out: str | Path | None, seed: int,
                loop: bool, preview: str, prosody: str, progress: Progress | None,
                character: Character | None) -> Take:
        check_choice("preview", preview, PREVIEW_MODES)
        check_choice("prosody", prosody, PROSODY_MODES)
        from controllers.numbers import check_seed
        from synth.atomic import check_output

        seed = check_seed(seed)  # bad input is refused before any model loads
        if out is not None:
            out = check_output(out, "folder", label="out")
        progress = progress or _no_progress
        progress(0.0, "reading the emotion")
        plan = self.plan(text, emotion)
        character = performer(plan, character)
        from studio.critic import TakeResult, run_critic_loop
        from studio.critic.judge import HeadCamera

        if threading.active_count() == 1:  # a lone render (the CLI): nothing else importing
            HeadCamera.open_in_background(character)  # while the voice renders

        neutral: list[Speech] = []  # the critic's reference, rendered once per take
        neutral_seconds: list[float] = []
        voices: dict[tuple, Speech] = {}  # speech by the critic's speech_key (face/body-only takes)
        # the critic reads a whole take's voice (a line with one emotion) while face and body
        # are animated; a line with several is read segment by segment
        read_ahead = self.critic.read_ahead if len(plan.segments) == 1 else None

        def render_take(controls) -> TakeResult:
            """One take with the critic's controls (the first call: the plan as asked)."""
            progress(min(0.6, 0.05 + 0.12 * controls.iteration),
                     "voice, face and body" if controls.iteration == 0
                     else f"critic loop: take {controls.iteration + 1}")
            # the first take performs the plan exactly as asked; later ones the critic's correction
            asked = plan if controls.iteration == 0 else controls.voice_plan(plan)
            body_plan = None if controls.iteration == 0 else controls.body_plan(plan)
            take = self.perform(asked, seed=controls.seed, prosody=prosody,
                                guidance=controls.guidance,
                                speech=voices.get(controls.speech_key),
                                face_config=controls.face_config(), body_plan=body_plan,
                                character=character, on_speech=read_ahead)
            voices[controls.speech_key] = take.speech
            if not neutral:
                t = time.perf_counter()
                neutral.append(self.neutral_speech(plan.text, seed, prosody, character))
                neutral_seconds.append(time.perf_counter() - t)
            return TakeResult(speech=take.speech, face=take.face, body=take.body,
                              face_frames=None, face_box=None, neutral_speech=neutral[0],
                              character=character, payload=take)

        started = time.perf_counter()
        best, verdict = run_critic_loop(plan.main_target, render_take, text=plan.text,
                                        critic=self.critic, seed=seed, plan=plan,
                                        **({} if loop else {"max_iterations": 1}))
        take = best.payload
        if take.plan is not plan:
            take.plan, take.performed = plan, take.plan
        take.verdict = verdict
        take.character = character
        take.timings["neutral"] = sum(neutral_seconds)  # the critic's reference reading
        # judging and the loop's other takes: the timings add up
        take.timings["critic"] = time.perf_counter() - started - take.compute_seconds
        if out is not None:
            progress(0.7, "writing files")
            self.write_files(take, Path(out), preview=preview, progress=progress)
        progress(1.0, "done")
        return take

    def write_files(self, take: Take, out: Path, preview: str = "body",
                    progress: Progress | None = None) -> dict[str, Path]:
        """Write every file of ``emostudio render`` for ``take`` into ``out`` (each atomically).

        take.wav, take.timeline.json, the face exports (``studio.export.FACE_FILES``), body.bvh,
        take.glb, critic.json, report.png and preview.mp4 (unless ``preview`` is ``none``).
        Returns name -> path, also merged into ``take.files``; stage times go into
        ``take.timings``.
        """
        import soundfile as sf

        from studio.critic import write_report
        from studio.export import face_exports
        from studio.export.bvh import write_bvh
        from studio.export.gltf import write_take_glb
        from synth.atomic import atomic_path

        progress = progress or _no_progress
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, Path] = {}
        t = time.perf_counter()
        with atomic_path(out / "take.wav") as tmp:
            sf.write(tmp, take.speech.audio, take.speech.sample_rate, subtype="PCM_16")
        files["take.wav"] = out / "take.wav"
        take.speech.timeline.save(out / "take.timeline.json")
        files["take.timeline.json"] = out / "take.timeline.json"
        # every face export studio.export knows (ARKit, Live Link Face, Audio2Face, visemes,
        # Rhubarb, VRM)
        for path in face_exports(take.face, take.speech.timeline, out,
                                 sound_file="take.wav").values():
            files[Path(path).name] = Path(path)
        files["body.bvh"] = Path(write_bvh(take.body, out / "body.bvh"))
        take.timings["write_data"] = time.perf_counter() - t

        t = time.perf_counter()
        files["take.glb"] = Path(write_take_glb(take.face, take.body, out / "take.glb",
                                                character=take.character))
        take.timings["write_glb"] = time.perf_counter() - t

        if take.verdict is not None:
            t = time.perf_counter()
            for name, path in write_report(take.verdict, out).items():
                files[name] = Path(path)
            take.timings["write_report"] = time.perf_counter() - t

        if preview != "none":
            from synth.avatar.video import write_video

            progress(0.8, f"rendering the {preview} preview")
            t = time.perf_counter()
            clip = self.renderer(take.character).render_animation(
                face=take.face, body=take.body, fps=PREVIEW_FPS, duration=take.duration,
                camera=PREVIEW_CAMERAS[preview], progress=False)
            files["preview.mp4"] = Path(write_video(out / "preview.mp4", clip.frames, clip.fps,
                                                    audio=take.speech.audio,
                                                    sample_rate=take.speech.sample_rate))
            take.timings["preview"] = time.perf_counter() - t
        take.files.update(files)
        return files


def corrected_plan(plan: EmotionPlan, target: EmotionTarget) -> EmotionPlan:
    """``plan`` with the critic's corrected ``target`` in place of its main target.

    Segments that perform the main target get the corrected one; other segments (a deliberate
    change of emotion inside the line) keep theirs. (The critic loop corrects each segment of
    such a line on its own: ``studio.critic.Controls.voice_plan``.)
    """
    from studio.critic import Controls

    return Controls(target=target, intensity=target.intensity).voice_plan(plan)


def performer(plan: EmotionPlan, character: Character | None) -> Character:
    """Who performs ``plan``: the character an SSML ``<voice>`` names (the document is the more
    specific word, as in SSML processors), else ``character``, else the default character. A
    take has one performer: SSML naming several voices is refused (a dialogue is a script for
    ``batch``, or ``emostudio speak``, which joins voices)."""
    from controllers.cast import load_character

    named = tuple(getattr(plan, "characters", ()))
    if len(named) > 1:
        raise InputError(f"the SSML names {len(named)} voices ({', '.join(named)}); a take has one "
                         "performer: give one line per voice (a batch script), or use "
                         "`emostudio speak` to join the voices into one recording")
    if named:
        return load_character(named[0])
    return character if character is not None else load_character(None)


def check_choice(name: str, value: str, accepted: Sequence[str]) -> None:
    if value not in accepted:
        raise InputError(f"{name} {value!r} is not accepted; use one of {', '.join(accepted)}")


_DEFAULT: Studio | None = None


def default_studio() -> Studio:
    """The process's shared :class:`Studio` (models load once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Studio()
    return _DEFAULT


def render(text: str, emotion: Emotion = None, out: str | Path | None = None, seed: int = 0,
           loop: bool = False, preview: str = "body", prosody: str = "diffusion",
           progress: Progress | None = None, character: str | Character | None = None) -> Take:
    """Perform one line of text with an emotion: voice, face, body and the critic's verdict.

    text: the line, optionally with inline emotion tags (``"Fine. [furious] Get out!"``).
    emotion: the emotion from the start of the line: a description, ``"auto"`` (from the
        words), an EmotionTarget, an EmotionPlan, ``(valence, arousal[, dominance])`` numbers
        in [-1, 1], or None for neutral.
    out: a folder to write every file of ``emostudio render`` into (None: write nothing).
    seed: random seed (voice, prosody sampling, blinks, gestures): same seed, same take.
    loop: run the critic loop, correcting the controls until the take meets the target.
    preview: ``body`` (full body, face animated), ``face`` (head close-up) or ``none``.
    prosody: ``diffusion`` (learned from EmoDB), ``rules`` or ``none`` (the bare voice).
    progress: optional callback ``progress(fraction, description)``.
    character: who performs it: a built-in name (``emostudio characters``), a character
        ``.yaml`` file, a :class:`~controllers.character.Character`, or None for the default;
        an SSML ``<voice>`` in ``text`` names its own.

    Returns the :class:`Take`. Raises :class:`InputError` for bad input.
    """
    from controllers.cast import load_character

    return default_studio().render(text, emotion, out=out, seed=seed, loop=loop,
                                   preview=preview, prosody=prosody, progress=progress,
                                   character=None if character is None
                                   else load_character(character))


__all__ = ["PREVIEW_MODES", "PROSODY_MODES", "Studio", "Take", "default_studio", "render"]
