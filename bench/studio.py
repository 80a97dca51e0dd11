"""Benchmark of the studio: compute seconds per second of speech, and peak memory.

    .venv/bin/python bench/studio.py [--takes 12] [--batch-lines 20]

Rows:
- full take, no preview: voice + face + body + critic (single pass) + every file but the video,
  models already loaded (what each take of a long session or batch costs);
- full take, body preview: the same plus preview.mp4 (full body with the face animated);
- batch of N lines with 1 and 2 worker processes (`emostudio batch --preview none`), wall clock
  from the command's start to its end, model loading included.

Compute is reported as wall-clock and as CPU seconds (all threads and worker processes): on a
shared machine the wall clock also counts other programs' work. Peak memory: the largest resident set of this process (takes) and the largest summed resident
set of the batch command's process tree (sampled every 0.2 s). Sentences come from
../shared/eval/sentences.txt when present (emotionally neutral text), else a built-in list.
Target (issue 7): a full take without preview costs at most 0.5 s per second of speech.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SHARED_SENTENCES = REPO.parent / "shared" / "eval" / "sentences.txt"
FALLBACK_SENTENCES = [
    "The train leaves the station at seven in the morning.",
    "Please put the books back on the shelf when you are done.",
    "We walked to the market and bought some bread.",
    "The meeting has been moved to the second floor.",
    "She opened the window and looked at the street.",
]
EMOTIONS = ["happy", "angry", "sad", "scared", "surprised", "calm and relaxed"]
TARGET_RATIO = 0.5


def sentences(n: int) -> list[str]:
    if SHARED_SENTENCES.is_file():
        found = [s.strip() for s in SHARED_SENTENCES.read_text().splitlines() if s.strip()]
    else:
        found = FALLBACK_SENTENCES
    return [found[i % len(found)] for i in range(n)]


def tree_rss_mb(pid: int) -> float:
    """Summed resident memory of ``pid`` and all its descendants, MiB (Linux /proc)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children[ppid].append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        stack.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024.0


def bench_takes(texts: list[str], preview: str) -> dict:
    """Render takes in this process (models warmed first); sums of times and speech seconds."""
    from studio.pipeline import default_studio

    studio = default_studio().load()  # models load once per process, as in a batch worker
    with tempfile.TemporaryDirectory() as tmp:
        studio.render("Warming up.", "happy", out=Path(tmp) / "warm", preview=preview)
        stages: dict[str, float] = defaultdict(float)
        speech = wall = cpu = 0.0
        for i, text in enumerate(texts):
            t, c = time.perf_counter(), time.process_time()
            take = studio.render(text, EMOTIONS[i % len(EMOTIONS)], out=Path(tmp) / f"t{i}",
                                 seed=i, preview=preview)
            wall += time.perf_counter() - t
            cpu += time.process_time() - c
            speech += take.duration
            for k, v in take.timings.items():
                stages[k] += v
    return {"speech": speech, "wall": wall, "cpu": cpu, "stages": dict(stages),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def write_script(folder: Path, texts: list[str]) -> Path:
    """A YAML batch script of ``texts``, emotions cycling through EMOTIONS."""
    import yaml

    script = folder / "script.yaml"
    script.write_text(yaml.safe_dump([
        {"id": f"line{i:02d}", "text": t, "emotion": EMOTIONS[i % len(EMOTIONS)]}
        for i, t in enumerate(texts)]))
    return script


def bench_batch(texts: list[str], jobs: int) -> dict:
    """Run ``emostudio batch`` on a script of ``texts``; wall clock, speech seconds, peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        script = write_script(Path(tmp), texts)
        out = Path(tmp) / "out"
        peak = [0.0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "batch", str(script),
                                 "--out", str(out), "--jobs", str(jobs), "--preview", "none",
                                 "--no-progress"], cwd=REPO, stderr=subprocess.PIPE, text=True)

        def sample() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], tree_rss_mb(proc.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = proc.communicate()
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers included
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        sampler.join()
        if proc.returncode != 0:
            raise SystemExit(f"batch failed ({proc.returncode}): {stderr}")
        manifest = json.loads((out / "manifest.json").read_text())
        speech = sum(e["duration"] for e in manifest if e["status"] == "done")
        done = sum(e["status"] == "done" for e in manifest)
    return {"speech": speech, "wall": wall, "cpu": cpu, "peak_mb": peak[0], "done": done}


def kill_and_resume(texts: list[str], jobs: int = 2) -> dict:
    """Kill a batch (SIGKILL to its process group) half-way, rerun it, count what was redone.

    Returns lines done before the kill, lines the rerun rendered, complete takes at the end,
    takes rendered twice (a finished take whose files changed) and files or take folders left
    half-written under their final names by the kill.
    """
    import signal

    from studio.take import read_summary

    with tempfile.TemporaryDirectory() as tmp:
        script = write_script(Path(tmp), texts)
        out = Path(tmp) / "out"
        command = [sys.executable, "-m", "studio.cli", "batch", str(script), "--out", str(out),
                   "--jobs", str(jobs), "--preview", "none", "--no-progress"]

        def done() -> dict[str, int]:
            takes = [d for d in out.iterdir() if d.is_dir() and not d.name.startswith(".")]
            return {d.name: (d / "take.json").stat().st_mtime_ns
                    for d in takes if read_summary(d) is not None}

        proc = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        while len(done() if out.exists() else {}) < len(texts) // 2 and proc.poll() is None:
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        before = done()
        # outside .partial/ (the renders in flight), every folder is a complete take
        half_written = [p for p in out.rglob("*") if ".partial" not in p.parts
                        and (".tmp" in p.name or p.is_dir() and read_summary(p) is None)]
        subprocess.run(command, cwd=REPO, stderr=subprocess.DEVNULL, check=True)
        after = done()
        manifest = json.loads((out / "manifest.json").read_text())
    return {"killed_after": len(before), "rerendered": len(set(after) - set(before)),
            "rendered_twice": sum(after[k] != v for k, v in before.items()),
            "complete": sum(e["status"] == "done" for e in manifest),
            "half_written_after_kill": len(half_written), "partial_left": (out / ".partial").exists()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=12, help="takes per single-take row")
    parser.add_argument("--preview-takes", type=int, default=2,
                        help="takes with the preview (0: skip that row)")
    parser.add_argument("--batch-lines", type=int, default=20, help="lines of the batch rows")
    parser.add_argument("--skip-batch", action="store_true", help="only the single-take rows")
    parser.add_argument("--kill-resume", action="store_true",
                        help="only: kill a --batch-lines batch half-way, rerun it, report")
    args = parser.parse_args()
    if args.kill_resume:
        result = kill_and_resume(sentences(args.batch_lines))
        print(f"\nbatch of {args.batch_lines} lines, 2 workers, SIGKILL half-way, then rerun:")
        for key, value in result.items():
            print(f"  {key:26s} {value}")
        return 0

    rows = []
    no_preview = bench_takes(sentences(args.takes), "none")
    rows.append((f"full take, no preview ({args.takes} takes)", no_preview))
    with_preview = {"stages": {}, "speech": 1.0}
    if args.preview_takes > 0:
        with_preview = bench_takes(sentences(args.preview_takes), "body")
        rows.append((f"full take, body preview ({args.preview_takes} takes)", with_preview))
    if not args.skip_batch:
        for jobs in (1, 2):
            rows.append((f"batch {args.batch_lines} lines, {jobs} worker{'s' * (jobs > 1)}",
                         bench_batch(sentences(args.batch_lines), jobs)))

    load = os.getloadavg()[0]
    print(f"\nmachine: {os.cpu_count()} cores, load average {load:.1f} at the end "
          "(wall clock stretches with other work; CPU seconds do not)")
    print(f"{'case':44s} {'speech s':>9s} {'wall s':>8s} {'wall s/s':>9s} {'CPU s/s':>8s} "
          f"{'peak MiB':>9s}")
    for name, r in rows:
        print(f"{name:44s} {r['speech']:9.1f} {r['wall']:8.1f} {r['wall'] / r['speech']:9.3f} "
              f"{r['cpu'] / r['speech']:8.3f} {r['peak_mb']:9.0f}")
    wall_ratio = no_preview["wall"] / no_preview["speech"]
    cpu_ratio = no_preview["cpu"] / no_preview["speech"]
    print(f"\ntarget: full take without preview <= {TARGET_RATIO} s of compute per s of speech: "
          f"{'MET' if cpu_ratio <= TARGET_RATIO else 'NOT MET'} (CPU {cpu_ratio:.3f} s/s, "
          f"wall {wall_ratio:.3f} s/s)")
    print("\nwhere the time goes (wall s per s of speech):")
    print(f"{'stage':16s} {'no preview':>11s} {'preview':>9s}")
    for stage in sorted(set(no_preview["stages"]) | set(with_preview["stages"])):
        a = no_preview["stages"].get(stage, 0.0) / no_preview["speech"]
        b = with_preview["stages"].get(stage, 0.0) / with_preview["speech"]
        print(f"{stage:16s} {a:11.3f} {b:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
