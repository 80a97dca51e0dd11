"""``emostudio ui``: the Gradio web UI (same as ``python app.py``)."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from controllers.errors import InputError
from studio.cli.inputs import int_in

#: The web UI's script, at the repository root (beside ``studio/``).
APP_PATH = Path(__file__).resolve().parents[2] / "app.py"


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("ui", help="serve the web UI (same as `python app.py`)",
                              description="Serve the Gradio web UI. It listens on 127.0.0.1 "
                                          "unless --host says otherwise.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int_in(1, 65535), default=7860, help="port (default 7860)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="folder for the UI's takes (default out/ui); the only folder it serves")
    return p


def load_app():
    """The ``app`` module (``app.py`` of the repository checkout)."""
    if not APP_PATH.is_file():
        raise InputError(f"the web UI needs a repository checkout; {APP_PATH} is missing")
    spec = importlib.util.spec_from_file_location("app", APP_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(args: argparse.Namespace) -> int:
    load_app().launch(host=args.host, port=args.port, out=args.out)
    return 0
