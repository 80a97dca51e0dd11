"""Exporting a trained denoiser to ONNX, so that sampling needs neither torch nor diffusers.

Run at training time by :func:`synth.diffusion.files.save_model` (``make train-prosody``,
``make train-voice``), or by hand for a model folder trained before the export existed::

    python -m synth.diffusion.export assets/prosody assets/voice

The graph records the sha256 of the weights it was exported from
(:data:`~synth.diffusion.runtime.WEIGHTS_HASH_KEY`), so a loader can tell a stale export from a
current one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from synth.diffusion.runtime import ONNX_FILE, WEIGHTS_HASH_KEY, weights_hash

#: ONNX opset of the exports (onnxruntime runs up to 21+; 17 has LayerNormalization).
OPSET = 17


def export_onnx(module, folder: str | Path) -> Path:
    """Write ``module`` (a trained denoiser with ``onnx_example()``) to ``folder/model.onnx``
    (atomically) and return the path; ``folder`` is its ``denoiser/`` folder, whose weights file
    (already saved) is hashed into the graph's metadata."""
    import io
    import warnings

    import onnx
    import torch

    from synth.atomic import atomic_write_bytes

    folder = Path(folder)
    example, dynamic_axes = module.eval().onnx_example()
    if hasattr(module, "traceable_forward"):  # the module's forward bakes shapes into a trace
        module = _traceable(module)
    names = list(dynamic_axes)
    buffer = io.BytesIO()
    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)  # the fused encoder kernel has no ONNX form
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # the TorchScript exporter: the newer one needs onnxscript, which nothing else uses
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.onnx.export(module, example, buffer, dynamo=False, input_names=names,
                              output_names=["clean"],
                              dynamic_axes={**dynamic_axes, "clean": dynamic_axes["sample"]},
                              opset_version=OPSET, do_constant_folding=True)
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)
    model = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(model, {WEIGHTS_HASH_KEY: weights_hash(folder)})
    onnx.checker.check_model(model)
    path = folder / ONNX_FILE
    atomic_write_bytes(path, model.SerializeToString())
    return path


def _traceable(module):
    """``module`` wrapped so that tracing calls its ``traceable_forward``."""
    import torch

    class Traceable(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = module

        def forward(self, *inputs):
            return self.inner.traceable_forward(*inputs)

    return Traceable().eval()


def denoiser_class(folder: str | Path) -> type:
    """The PyTorch class named in a ``denoiser/`` folder's ``config.json``."""
    import json

    name = json.loads((Path(folder) / "config.json").read_text())["_class_name"]
    if name == "ProsodyDenoiser":
        from synth.prosody.denoiser import ProsodyDenoiser

        return ProsodyDenoiser
    if name == "VoiceDenoiser":
        from synth.voice.denoiser import VoiceDenoiser

        return VoiceDenoiser
    raise ValueError(f"unknown denoiser class {name!r} in {folder}")


def export_folder(folder: str | Path) -> Path:
    """Export the denoiser of the model stored in ``folder`` (``config.json``, ``denoiser/``,
    ``scheduler/``) to ``folder/denoiser/model.onnx``."""
    denoiser_folder = Path(folder) / "denoiser"
    module = denoiser_class(denoiser_folder).from_pretrained(denoiser_folder,
                                                             low_cpu_mem_usage=False)
    return export_onnx(module, denoiser_folder)


if __name__ == "__main__":
    for argument in sys.argv[1:] or ["assets/prosody", "assets/voice"]:
        print(export_folder(argument))
