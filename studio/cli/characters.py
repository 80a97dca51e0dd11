"""``emostudio characters [--json]``: the cast, one character a line (or a JSON list).

Each entry: ``name``, ``sex``, ``age``, ``age_group``, a one-line ``description`` and the
``voice`` it speaks with (source and licence). Any command that speaks takes ``--character NAME``
(or a character ``.yaml`` file of your own: see the README's "Cast").
"""

from __future__ import annotations

import argparse
import json


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "characters", help="list the cast: name, sex, age, description, voice",
        description="List the built-in characters (use one with --character NAME; a character "
                    ".yaml file of your own works too).")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    return p


def run(args: argparse.Namespace) -> int:
    from controllers.cast import DEFAULT_CHARACTER, builtin_cast

    cast = [c.summary() for c in builtin_cast()]
    if args.json:
        print(json.dumps(cast, indent=1, ensure_ascii=False))
        return 0
    width = max(len(c["name"]) for c in cast)
    for c in cast:
        default = "  (default)" if c["name"] == DEFAULT_CHARACTER else ""
        print(f"{c['name']:<{width}}  {c['sex']:<6}  {c['age']:>3}  {c['description']}{default}")
        print(f"{'':<{width}}  voice: {c['voice']}")
    return 0
