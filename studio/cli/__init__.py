"""The ``emostudio`` command line (contract: ../shared/docs/CLI.md).

Each command lives in its own module with ``add_parser(subparsers)`` and ``run(args) -> int``.
Exit codes: 0 success, 2 bad input (one line on stderr), 1 internal failure (traceback only with
``--debug``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from controllers.errors import InputError

#: command name -> module under studio.cli
COMMANDS = ("parse", "speak", "face", "gesture", "render", "batch", "analyze", "ui", "serve")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors are bad input: exit 2
        self.print_usage(sys.stderr)
        print(f"emostudio: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="emostudio", description="Emotional speech, face and gesture synthesis.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"studio.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"studio.cli.{name}":
                continue  # command not built yet
            raise
        command = module.add_parser(sub)
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show tracebacks of internal errors")
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except InputError as exc:
        print(f"emostudio {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"emostudio {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"emostudio {args.command}: internal error: {exc} (run with --debug for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
