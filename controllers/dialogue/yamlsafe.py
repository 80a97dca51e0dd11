"""Safe YAML for scripts and cast mappings: line numbers kept, "billion laughs" refused."""

from __future__ import annotations

from pathlib import Path

from controllers.errors import InputError

#: Most values a YAML file may hold with its aliases expanded ("billion laughs" guard).
MAX_YAML_NODES = 100_000


def load_yaml(content: str, path: Path, what: str = "a script is a flat list of "
              "{id, text, emotion} entries"):
    """Safe-load YAML, remembering each mapping's line under ``__line__``.

    Aliases are allowed (``emotion: *angry``) but the document, with every alias expanded, may
    hold at most :data:`MAX_YAML_NODES` nodes: a "billion laughs" file is refused before it is
    built. Nesting deeper than Python's recursion limit is refused too (``what`` says what the
    file should look like).
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):
        pass

    def construct_mapping(loader, node, deep=False):
        mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    loader = LineLoader(content)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, path)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}{line}: not valid YAML ({problem})") from None
    except RecursionError:
        raise InputError(f"{path}: YAML nested too deeply; {what}") from None
    finally:
        loader.dispose()


def _check_expanded_size(root, path: Path) -> None:
    """InputError when ``root`` (a composed YAML node), with aliases expanded, holds more than
    :data:`MAX_YAML_NODES` nodes (counted once per distinct node, memoised, so quickly)."""
    import yaml

    sizes: dict[int, int] = {}
    # iterative post-order walk: aliases make the graph a DAG whose expansion can be huge
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        kids = ([k for pair in node.value for k in pair] if isinstance(node, yaml.MappingNode)
                else list(node.value))
        if children_done:
            total = 1 + sum(sizes[id(k)] for k in kids)
            if total > MAX_YAML_NODES:
                raise InputError(f"{path}:{node.start_mark.line + 1}: YAML aliases expand to more "
                                 f"than {MAX_YAML_NODES} values; a script needs far fewer "
                                 "(is this a 'billion laughs' file?)")
            sizes[id(node)] = total
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)


def without_lines(value):
    """``value`` with the ``__line__`` keys :func:`load_yaml` added removed (copies: an alias
    may share one mapping between entries)."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value
