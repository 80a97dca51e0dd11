"""One thread for the math libraries while a take renders.

A take is many small array jobs (WORLD frames, feature extraction, a 64x64 CNN, skinning a few
thousand vertices): OpenBLAS, OpenMP and torch hand-offs between threads cost more than they save,
about 13 % of the CPU time of a full take on a 2-core machine (12 takes, alternating settings in
one process: 0.53 -> 0.46 CPU s per s of speech). Parallel work belongs one level up: batch
workers (``emostudio batch --jobs N``) each render whole takes.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def single_threaded() -> Iterator[None]:
    """Limit OpenBLAS/OpenMP (threadpoolctl) and, when it is already imported, torch to one
    thread inside the block; the previous settings come back afterwards.

    torch is not imported here: the run-time path runs its networks in onnxruntime and numpy,
    and importing torch only to set its thread count costs seconds of start-up and ~300 MB.
    """
    import threadpoolctl

    torch = sys.modules.get("torch")
    previous = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(1)
    try:
        with threadpoolctl.threadpool_limits(limits=1):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous)
