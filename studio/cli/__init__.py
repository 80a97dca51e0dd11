"""The ``emostudio`` command line (contract: ../shared/docs/CLI.md).

Each command lives in its own module with ``add_parser(subparsers)`` and ``run(args) -> int``.
Exit codes: 0 success, 2 bad input (one line on stderr, argparse's own errors included), 1
internal failure (traceback only with ``--debug``), 130 interrupted. Output cut short by a closed
pipe (``emostudio parse --script s.txt | head -1``) ends quietly with 141 (128 + SIGPIPE), as a
Unix tool killed by SIGPIPE does.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback

from controllers.errors import InputError

#: command name -> module under studio.cli
COMMANDS = ("parse", "speak", "face", "gesture", "render", "batch", "analyze", "ui", "serve",
            "characters")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors are bad input: exit 2
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


#: Exit status when stdout's reader went away (128 + SIGPIPE, what a shell reports for `yes`).
BROKEN_PIPE_STATUS = 128 + signal.SIGPIPE


def _quiet_broken_pipe() -> int:
    """Stop writing to a closed pipe: point stdout at /dev/null so that the interpreter's final
    flush does not fail again, and say nothing (the reader chose to stop)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a descriptor (captured in tests)
        pass
    return BROKEN_PIPE_STATUS


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


def _one_line(exc: BaseException) -> str:
    """The exception's message on one line (a library's multi-line text joined)."""
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit status. ``argv`` None: the process's own command line
    (``emostudio ...``, ``python -m studio.cli ...``), and the process ends with the command."""
    try:
        return _main(argv)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    finally:
        if argv is None:
            _before_exit()


def _before_exit() -> None:
    """Spare the interpreter's exit its garbage collections: the objects still alive move to
    the collector's permanent generation (``gc.freeze``) and are freed by reference counting as
    the modules are torn down. A render leaves ~150,000 objects; collecting them again and again
    while the modules are cleared cost 0.15-0.5 s of each ``emostudio render``'s wall time (0.05-
    0.1 s of a ``speak``'s). Only cyclic garbage is left uncollected, which the interpreter
    does not promise to finalise at exit anyway; outputs are written and closed by then."""
    import gc

    gc.freeze()


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a malformed command line (2, message printed)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        status = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except BrokenPipeError:
        raise
    except InputError as exc:
        print(f"emostudio {args.command}: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"emostudio {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"emostudio {args.command}: internal error: {_one_line(exc)} (run with --debug "
              "for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
