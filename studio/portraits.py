"""``python -m studio.portraits [--out DIR] [--size PX] [NAME ...]``: the cast's portraits.

Renders each built-in character (or the named ones) with :func:`synth.avatar.portraits.write_portrait`
into ``DIR/NAME.png`` (default ``assets/cast/portraits/``, where the web UI's picker finds them).
The files are committed; run it again after changing a character's ``avatar:`` or
``performance:`` section.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from controllers.cast import builtin_cast, load_character, portrait_path
    from synth.avatar.portraits import PORTRAIT_SIZE, write_portrait

    parser = argparse.ArgumentParser(prog="python -m studio.portraits",
                                     description="Render the cast's portraits.")
    parser.add_argument("names", nargs="*", help="characters (default: the whole built-in cast)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder (default: assets/cast/portraits)")
    parser.add_argument("--size", type=int, default=PORTRAIT_SIZE, help="pixels per side")
    args = parser.parse_args(argv)
    cast = [load_character(n) for n in args.names] if args.names else builtin_cast()
    for character in cast:
        path = (args.out / f"{character.name}.png" if args.out
                else portrait_path(character.name))
        path.parent.mkdir(parents=True, exist_ok=True)
        write_portrait(character, path, args.size)
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
