"""``emostudio batch``: render every line of a script, in parallel, resumably."""

from __future__ import annotations

import argparse
import signal
import sys

from studio.cli.inputs import SEED_HELP, int_in, seed_arg


def add_parser(subparsers) -> argparse.ArgumentParser:
    from studio.batch import ENGINES
    from studio.pipeline import PREVIEW_MODES, PROSODY_MODES

    from controllers.dialogue import FORMATS

    p = subparsers.add_parser(
        "batch", help="render every line of a script (.txt, .csv, .yaml, or a writer's dialogue "
                      "file) into one folder per line",
        description="Render a script into DIR/<line id>/ (laid out as `render` does) and "
                    "DIR/manifest.json. Re-running the same command resumes: finished lines "
                    "are skipped, interrupted ones redone; a bad line is reported and skipped.")
    p.add_argument("script", help="script file: .txt (one line per take, NAME: speakers, inline "
                                   "[emotion] tags), .csv (id,text,emotion[,character]), .yaml list "
                                   "of {id, text, emotion, character}, or a writer's dialogue file: "
                                   ".yarn, .ink, Ink .json, .fountain, .rpy, articy .json, "
                                   ".csv/.tsv/.xlsx VO sheets")
    p.add_argument("--format", choices=tuple(FORMATS), metavar="FORMAT",
                   help=f"read SCRIPT as this format, whatever its extension ({', '.join(FORMATS)})")
    p.add_argument("--cast", metavar="MAP.yaml",
                   help="map the script's speakers to characters (speaker: character, or speaker: "
                        "{character: NAME|FILE, style: DESCRIPTION}); without it every speaker "
                        "gets a built-in character of its own")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--jobs", type=int_in(1, 256), default=1,
                   help="parallel workers (default 1), at most what this machine holds (its CPUs, "
                        "~1.3 GB of memory each); with --engine ray, Ray actors of 1 CPU each")
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="who runs the workers: local (processes on this machine, default) or "
                        "ray (Ray actors; a private cluster on 127.0.0.1 unless --address)")
    p.add_argument("--address", metavar="ADDR",
                   help="with --engine ray: join the running Ray cluster at ADDR (auto: the one "
                        "started here by `ray start`; HOST:PORT: its head); DIR must then be on "
                        "a file system every node sees at the same path")
    p.add_argument("--auto", action="store_true",
                   help="a line without an emotion (no tag, cue, direction or style) takes the one "
                        "its own words suggest, instead of neutral")
    p.add_argument("--loop", action="store_true", help="run the critic loop on every line")
    p.add_argument("--preview", choices=PREVIEW_MODES, default="body",
                   help="preview.mp4 of each take (default body)")
    p.add_argument("--prosody", choices=PROSODY_MODES, default="diffusion",
                   help="prosody model (default diffusion)")
    p.add_argument("--seed", type=seed_arg, default=0, help=SEED_HELP)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _stop(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    from studio.batch import RenderOptions, run_batch
    from synth.atomic import check_output

    check_output(args.out, "folder")

    # `kill` (SIGTERM) stops like Ctrl-C: workers ended, unfinished renders removed
    signal.signal(signal.SIGTERM, _stop)
    options = RenderOptions(loop=args.loop, preview=args.preview, prosody=args.prosody,
                            seed=args.seed)
    manifest = run_batch(args.script, args.out, jobs=args.jobs, options=options,
                         progress=False if args.no_progress else None,
                         engine=args.engine, address=args.address, fmt=args.format,
                         cast=args.cast, auto=args.auto)
    failed = [e for e in manifest if e["status"] != "done"]
    done = len(manifest) - len(failed)
    print(f"{args.out}: {done} of {len(manifest)} lines done"
          + (f", {len(failed)} failed (see {args.out}/manifest.json)" if failed else ""),
          file=sys.stderr)
    if not failed:
        return 0
    return 2 if all(e.get("bad_input") for e in failed) else 1
