"""Benchmark of long text: ``EmotionalTTS.speak`` time and memory against the length of the text.

    .venv/bin/python bench/long_text.py [--chars 500,2000,8000] [--prosody diffusion] [--seed 0]

Each length is made of the evaluation sentences (../shared/eval/sentences.txt, repeated) and
spoken once, back to back in one process after a warm-up. Printed per length: seconds of speech,
wall time, CPU time of the process (all threads; the fairer measure on a shared machine), CPU
milliseconds per character and its ratio against the shortest text (1.0 = linear), and the growth
of the peak resident memory during the take. Text over ``CHUNK_CHARS`` is spoken in chunks cut
between sentences; before chunking, the prosody transformer attended over every syllable of the
text, WORLD held the spectra of the whole take (3.5 GB at 10,000 characters) and word alignment
was quadratic.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SENTENCES = REPO.parent / "shared" / "eval" / "sentences.txt"


def text_of(chars: int) -> str:
    """Evaluation sentences, repeated, cut to about ``chars`` characters at a sentence end."""
    sentences = [s for s in SENTENCES.read_text().splitlines() if s.strip()]
    text, i = "", 0
    while len(text) < chars:
        text += sentences[i % len(sentences)] + " "
        i += 1
    return text.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", default="500,2000,8000", help="text lengths, comma-separated")
    parser.add_argument("--prosody", default="diffusion")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not SENTENCES.is_file():
        print(f"skipped: {SENTENCES} is absent", file=sys.stderr)
        return 0
    from controllers.resolve import plan_for
    from synth.tts.synthesizer import CHUNK_CHARS, EmotionalTTS

    tts = EmotionalTTS.load(prosody=args.prosody)
    tts.speak(plan_for("A warm-up line.", "a bit sad"), seed=args.seed)
    rows = []
    for chars in (int(c) for c in args.chars.split(",")):
        plan = plan_for(text_of(chars), "a bit sad")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall, cpu = time.perf_counter(), time.process_time()
        speech = tts.speak(plan, seed=args.seed)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rows.append((len(plan.text), speech.duration, wall, cpu, 1000 * cpu / len(plan.text),
                     (rss - rss_before) / 1024))
        print(f"  {len(plan.text)} characters done", file=sys.stderr, flush=True)
    base = rows[0][4]
    print(f"prosody {args.prosody}, chunks of at most {CHUNK_CHARS} characters")
    print("| characters | speech s | wall s | CPU s | CPU ms/char | ratio | peak RSS growth MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, seconds, wall, cpu, per_char, rss in rows:
        print(f"| {n} | {seconds:.1f} | {wall:.1f} | {cpu:.1f} | {per_char:.1f} | "
              f"{per_char / base:.2f} | {rss:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
