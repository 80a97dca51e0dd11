"""``emostudio serve``: live mode over WebSocket (and VMC, Live Link Face), models loaded once.

The protocol is in ``studio/live/protocol.py`` and the README's "Live mode" section.
"""

from __future__ import annotations

import argparse
import sys

from controllers.errors import InputError


def add_parser(subparsers) -> argparse.ArgumentParser:
    from studio.pipeline import PROSODY_MODES

    p = subparsers.add_parser(
        "serve", help="stream voice, face and body live over WebSocket (and VMC, Live Link)",
        description="Serve live mode: a client sends {\"text\", \"emotion\", \"seed\", \"id\"} as "
                    "JSON over a WebSocket and receives the line while it is being rendered: a "
                    "header, then per phrase a chunk message (words, ARKit-52 face frames at "
                    "60 fps, body bone rotations at 30 fps) and its audio as a binary frame "
                    "(16-bit PCM, 22,050 Hz, mono), then done. Listens on 127.0.0.1 unless "
                    "--host says otherwise.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port)")
    p.add_argument("--vmc", default=None, metavar="HOST:PORT",
                   help="also send every line's face and bones to a VMC receiver (OSC over UDP; "
                        "VSeeFace, EVMC4U, VMC4UE; their usual port is 39539), paced in real time")
    p.add_argument("--livelink", default=None, metavar="HOST:PORT",
                   help="also send every line's face (52 ARKit curves, head and eyes, 60 fps) to "
                        "Unreal Live Link as Live Link Face packets over UDP (Unreal listens on "
                        "port 11111), paced in real time")
    p.add_argument("--livelink-subject", default=None, metavar="NAME",
                   help="subject name the face appears under in Unreal's Live Link window "
                        "(default emostudio)")
    p.add_argument("--workers", type=int, default=2,
                   help="threads that render, shared by all clients (default 2)")
    p.add_argument("--prosody", choices=PROSODY_MODES, default="diffusion",
                   help="prosody model (default diffusion)")
    p.add_argument("--in-process", action="store_true",
                   help="speak on the render threads in the server's own process instead of "
                        "one speaker process per thread (~350 MB less memory each; slower with "
                        "several clients at once)")
    p.add_argument("--max-chars", type=int, default=None, metavar="N",
                   help="longest line accepted, in characters (default 2000)")
    return p


def run(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from studio.live.server import LiveServer
    from studio.live.stream import MAX_TEXT_CHARS, LiveStudio

    if not 0 <= args.port < 65536:
        raise InputError(f"--port {args.port} is not a port number (0 to 65535)")
    if args.workers < 1 or args.workers > 16:
        raise InputError(f"--workers {args.workers} is outside the accepted range 1..16")
    max_chars = MAX_TEXT_CHARS if args.max_chars is None else args.max_chars
    if not 1 <= max_chars <= MAX_TEXT_CHARS:
        raise InputError(f"--max-chars {max_chars} is outside the accepted range "
                         f"1..{MAX_TEXT_CHARS}")
    livelink = _livelink_sender(args)
    vmc = None
    if args.vmc is not None:
        from studio.live.vmc import VmcSender, parse_address

        try:
            host, port = parse_address(args.vmc)
        except ValueError as exc:
            raise InputError(f"--vmc {exc}") from None
        vmc = VmcSender(host, port)

    live = LiveStudio(workers=args.workers, prosody=args.prosody, speakers=not args.in_process)

    async def main() -> None:
        server = LiveServer(live, args.host, args.port, vmc, max_chars, livelink)
        print("emostudio serve: loading the models...", file=sys.stderr, flush=True)
        try:
            await server.start()
        except OSError as exc:
            raise InputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
                             ) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(f"emostudio serve: listening on ws://{args.host}:{server.port}"
              + (f", VMC to {args.vmc}" if vmc else "")
              + (f", Live Link Face to {args.livelink} as subject {livelink.subject!r}"
                 if livelink else ""), file=sys.stderr, flush=True)
        await stop.wait()
        print("emostudio serve: stopping", file=sys.stderr, flush=True)
        await server.stop()

    try:
        asyncio.run(main())
    finally:
        live.close()
        for output in (vmc, livelink):
            if output is not None:
                output.close()
    return 0


def _livelink_sender(args: argparse.Namespace):
    """The Live Link Face sender asked for by ``--livelink`` (and ``--livelink-subject``), or
    None; raises InputError for a bad address or subject name."""
    if args.livelink is None:
        if args.livelink_subject is not None:
            raise InputError("--livelink-subject needs --livelink HOST:PORT")
        return None
    from studio.live.livelink import (DEFAULT_PORT, DEFAULT_SUBJECT, LiveLinkSender,
                                      check_subject)
    from studio.live.vmc import parse_address

    try:
        host, port = parse_address(args.livelink, DEFAULT_PORT)
    except ValueError as exc:
        raise InputError(f"--livelink {exc}") from None
    try:
        subject = check_subject(args.livelink_subject or DEFAULT_SUBJECT)
    except ValueError as exc:
        raise InputError(f"--livelink-subject: {exc}") from None
    try:
        return LiveLinkSender(host, port, subject)
    except ValueError as exc:
        raise InputError(f"--livelink {exc}") from None
