"""Running a trained denoiser on numpy arrays: from its ONNX export with onnxruntime (run time),
or the PyTorch module itself (training, its held-out checks and the export test).

Both take the denoiser's inputs positionally as numpy arrays (float32, timesteps and categories
int64), in the order of the module's ``forward``, and return its clean estimate as float32.
onnxruntime is already loaded for the piper voice; neither torch nor diffusers is imported on
this path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import numpy as np

#: ONNX metadata key holding the sha256 of the weights file the graph was exported from.
WEIGHTS_HASH_KEY = "weights_sha256"
#: The weights file diffusers' ``save_pretrained`` writes.
WEIGHTS_FILE = "diffusion_pytorch_model.safetensors"
#: The ONNX export beside it.
ONNX_FILE = "model.onnx"


def weights_hash(folder: str | Path) -> str:
    """sha256 (hex) of the denoiser's weights file in ``folder`` ("" when there is none)."""
    import hashlib

    path = Path(folder) / WEIGHTS_FILE
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


class OnnxDenoiser:
    """A denoiser exported to ONNX (:func:`synth.diffusion.export.export_onnx`), run on one
    thread by onnxruntime.

    Parameters
    ----------
    folder : the model's ``denoiser/`` folder: ``config.json`` (the hyperparameters) and
        :data:`ONNX_FILE`.
    """

    def __init__(self, folder: str | Path):
        import onnxruntime

        self.folder = Path(folder)
        self.config: Mapping[str, Any] = json.loads((self.folder / "config.json").read_text())
        """The denoiser's hyperparameters (``n_features``, ``width``, ...)."""
        options = onnxruntime.SessionOptions()
        # one thread: the networks are tiny, and on a busy machine thread hand-offs cost more
        # than the work
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(self.folder / ONNX_FILE),
                                                    sess_options=options,
                                                    providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.exported_from = self.session.get_modelmeta().custom_metadata_map.get(
            WEIGHTS_HASH_KEY, "")
        """sha256 of the weights the graph was exported from (see :func:`weights_hash`)."""

    def __call__(self, *inputs: np.ndarray) -> np.ndarray:
        """The clean estimate for ``inputs`` (the module's ``forward`` arguments, in order)."""
        feed = {name: np.ascontiguousarray(x) for name, x in zip(self.input_names, inputs)}
        return self.session.run(None, feed)[0]


class TorchDenoiser:
    """A PyTorch denoiser module run on numpy arrays: one thread, no autograd."""

    def __init__(self, module):
        self.module = module.eval()
        self.config = module.config

    def __call__(self, *inputs: np.ndarray) -> np.ndarray:
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.inference_mode():
                out = self.module(*(torch.from_numpy(np.ascontiguousarray(x)) for x in inputs))
            return out.numpy()
        finally:
            torch.set_num_threads(threads)


def as_runner(denoiser) -> OnnxDenoiser | TorchDenoiser:
    """``denoiser`` as a callable on numpy arrays: an :class:`OnnxDenoiser` as it is, a PyTorch
    module wrapped in :class:`TorchDenoiser`."""
    if isinstance(denoiser, (OnnxDenoiser, TorchDenoiser)):
        return denoiser
    return TorchDenoiser(denoiser)
