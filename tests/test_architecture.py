"""The house's structure, read from the code: floors, import circles, the critic's contracts.

Imports are read with ``ast`` (nothing is imported): ``import a.b`` and ``from a.b import c``
(an edge to ``a.b.c`` when that is a module, else to ``a.b``), relative imports resolved.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("controllers", "synth", "studio")
#: Floors from the ground up: a module may import its own floor and those below.
FLOORS = {"controllers": 0, "synth": 1, "studio": 2, "app": 3}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    found["app"] = ROOT / "app.py"
    return found


MODULES = _modules()


def _imports(name: str, path: Path, module_level: bool) -> set[str]:
    """Project modules that ``name`` imports (only those at module level when asked)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if module_level else list(ast.walk(tree))
    if module_level:  # module level includes `if TYPE_CHECKING:` blocks' siblings, not bodies
        nodes = [n for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))]
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph(module_level: bool) -> dict[str, set[str]]:
    return {name: _imports(name, path, module_level) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_reader_sees_the_known_edges():
    """The reader finds real edges (so the tests below can fail)."""
    graph = _graph(module_level=False)
    assert "synth.contracts" in graph["synth.tts.timeline"]
    assert "synth.tts.tokens" in graph["synth.tts.voice"]
    assert "studio.critic" in graph["studio.pipeline"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module_level", [True, False], ids=["module-level", "all-imports"])
def test_no_import_circles(module_level):
    """No module imports another that imports it back, directly or through others."""
    assert _cycles(_graph(module_level)) == []


def test_lower_floors_never_import_higher_ones():
    bad = [(a, b) for a, targets in _graph(module_level=False).items() for b in targets
           if FLOORS[b.split(".")[0]] > FLOORS[a.split(".")[0]]]
    assert bad == []


def test_critic_uses_only_the_face_public_api():
    """Nothing under studio/critic imports a name from synth.face outside ``synth.face.__all__``."""
    import synth.face

    public = set(synth.face.__all__)
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith("studio.critic"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("synth.face"):
                if node.module != "synth.face":
                    offenders.append(f"{name}: from {node.module} import ...")
                else:
                    offenders += [f"{name}: {a.name}" for a in node.names if a.name not in public]
            elif isinstance(node, ast.Import):
                offenders += [f"{name}: import {a.name}" for a in node.names
                              if a.name.startswith("synth.face.")]
    assert offenders == []


def test_every_room_below_the_top_takes_characters_not_names():
    """Only the loader (controllers.cast) and the top floor (studio CLI/UI/batch/live/API) load a
    character by name: the synthesis rooms receive Character objects."""
    users = sorted(name for name, targets in _graph(module_level=False).items()
                   if "controllers.cast" in targets and name.startswith("synth"))
    assert users == []
