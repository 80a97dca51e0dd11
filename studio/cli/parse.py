"""``emostudio parse``: what an emotion description (or a whole script) means.

``emostudio parse "a little sad, whispering" --json`` prints the object of ../shared/docs/CLI.md;
without ``--json`` a readable summary. ``emostudio parse --script examples/script.txt`` prints each
line of a script (any format :mod:`controllers.dialogue` reads) with its id, speaker, character
and emotions, so that a writer can check a scene before rendering it.
"""

from __future__ import annotations

import argparse
import json
import sys

from controllers.errors import InputError
from controllers.limits import MAX_DESCRIPTION_CHARS
from controllers.parse import ParseResult, parse_description, target_json
from controllers.target import ATTRIBUTE_VALUES, EmotionTarget


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "parse", help="read an emotion description (or every line of a script)",
        description="Read an English emotion description: emotion words and phrases, "
                    "intensifiers, negation, mixtures, sequences ('calm at first, then angry'), "
                    "voice words (whisper, fast, monotone), numbers ('valence 0.5, arousal -0.2'), "
                    "captions ('speaker has a high pitch and ... emotion is angry') and emoji.")
    p.add_argument("description", nargs="?",
                   help=f"the emotion description (at most {MAX_DESCRIPTION_CHARS} characters)")
    p.add_argument("--json", action="store_true", help="print JSON (the CLI.md contract)")
    p.add_argument("--script", metavar="FILE",
                   help="parse every line of a script instead: .txt, .csv, .yaml, or a writer's "
                        "dialogue file (.yarn, .ink, Ink .json, .fountain, .rpy, articy .json, "
                        ".tsv/.xlsx VO sheets)")
    p.add_argument("--format", choices=_formats(), metavar="FORMAT",
                   help="with --script: read it as this format, whatever its extension "
                        f"({', '.join(_formats())})")
    p.add_argument("--cast", metavar="MAP.yaml",
                   help="with --script: map the script's speakers to characters (speaker: "
                        "character, or speaker: {character: NAME|FILE, style: DESCRIPTION})")
    p.add_argument("--auto", action="store_true",
                   help="infer the emotion from the words of a line to be spoken (DESCRIPTION is "
                        "then that line), or, with --script, of every untagged line")
    return p


def _formats() -> tuple[str, ...]:
    from controllers.dialogue import FORMATS

    return tuple(FORMATS)


def _describe(target: EmotionTarget) -> str:
    attrs = ", ".join(f"{k} {target.attribute(k)}" for k in ATTRIBUTE_VALUES
                      if k in target.attributes)
    text = (f"{target.category or 'dimensional'} (intensity {target.intensity:.2f}): "
            f"valence {target.valence:+.2f}, arousal {target.arousal:+.2f}, "
            f"dominance {target.dominance:+.2f}")
    return text + (f"; {attrs}" if attrs else "")


def _print_result(result: ParseResult) -> None:
    if not result.recognized:
        print("not recognised: neutral")
    for i, seg in enumerate(result.segments, 1):
        prefix = f"{i}. " if len(result.segments) > 1 else ""
        print(f"{prefix}{_describe(seg.target)}")
    for note in result.explanation:
        print(f"  {note.words!r}: {note.effect}")


def _auto(line: str) -> ParseResult:
    """What ``--auto`` reads in a line to be spoken, as a parse result."""
    from controllers.auto import infer_emotion
    from controllers.parse import DescribedSegment, Explanation

    if not line.strip():
        raise InputError("the line is empty; give the words whose emotion to infer")
    target = infer_emotion(line)
    note = Explanation(line.strip(), "auto (the line's own words, lexicon + EmoBank text model): "
                       + _describe(target))
    return ParseResult(line, (DescribedSegment(line, target, True, (note,), True),), True, (note,))


def _line_json(line) -> dict:
    """One script line as ``parse --script --json`` prints it (../shared/docs/CLI.md)."""
    first = line.plan.segments[0].target
    return {"id": line.id, "speaker": line.speaker,
            "character": line.character.name if line.character else None,
            "text": line.plan.text, "source": line.source,
            "emotion": {**target_json(first), "description": line.emotion,
                        "cues": list(line.cues)},
            "segments": [{"start": s.start, "text": s.text, **target_json(s.target)}
                         for s in line.plan.segments]}


def _run_script(args) -> int:
    from controllers.script import load_script

    lines = load_script(args.script, auto=args.auto, fmt=args.format, cast=args.cast)
    if args.json:
        print(json.dumps([_line_json(line) for line in lines], ensure_ascii=False, indent=2))
        return 0
    for line in lines:
        who = ""
        if line.speaker or line.character:
            character = line.character.name if line.character else "default"
            who = f"{line.speaker or '(narration)'} as {character}: "
        print(f"{line.id}  ({line.source})  {who}{line.plan.text}")
        for seg in line.plan.segments:
            where = f"@{seg.start:<3d}" if len(line.plan.segments) > 1 else "    "
            print(f"    {where} {_describe(seg.target)}"
                  + (f"  <- {seg.text.strip()!r}" if len(line.plan.segments) > 1 else "")
                  + (f"  <- {', '.join(line.cues)!r}" if line.cues and seg is line.plan.segments[0]
                     else ""))
    return 0


def run(args) -> int:
    if (args.format or args.cast) and not args.script:
        raise InputError("--format and --cast go with --script FILE")
    if args.script:
        if args.description:
            raise InputError("give either a DESCRIPTION or --script FILE, not both")
        return _run_script(args)
    if args.description is None:
        raise InputError("missing DESCRIPTION (e.g. emostudio parse 'a little sad' --json), "
                         "or --script FILE")
    result = _auto(args.description) if args.auto else parse_description(args.description)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_result(result)
    return 0
