"""The studio: takes, the critic loop, exports, rendering, the CLI and the web UI's back end.

``studio.render(text, emotion, out=..., seed=0, loop=False, preview="body") -> Take`` renders one
performance; ``studio.batch.run_batch`` renders a script. Importing ``studio`` is cheap: the
pipeline (and its models) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from controllers.lazy import exported_names, lazy_getattr

if TYPE_CHECKING:
    from studio.pipeline import Studio, render
    from studio.take import Take

_EXPORTS = {"studio.pipeline": ("Studio", "render"), "studio.take": ("Take",)}

__all__ = exported_names(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
