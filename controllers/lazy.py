"""Lazy package attributes (PEP 562), so that importing a package stays cheap.

A package's ``__init__`` names what it exports and where it lives; the module is imported on
first attribute access, not at package import. On the lowest floor so that every floor
(``controllers``, ``synth.*``) can use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_getattr(package: str, exports: Mapping[str, Iterable[str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports a name's module on first use.

    ``exports`` maps each module to the public names it defines, e.g.
    ``{"synth.face.animator": ("FaceConfig", "animate_face")}``; other names raise
    AttributeError.
    """
    home = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name in home:
            return getattr(importlib.import_module(home[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def exported_names(exports: Mapping[str, Iterable[str]]) -> list[str]:
    """``__all__`` of a package whose ``exports`` are given to :func:`lazy_getattr`."""
    return sorted(name for names in exports.values() for name in names)
