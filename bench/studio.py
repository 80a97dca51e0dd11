"""Benchmark of the studio: compute seconds per second of speech, and peak memory.

    .venv/bin/python bench/studio.py [--takes 12] [--batch-lines 20] [--only ray]

Rows:
- full take, no preview: voice + face + body + critic (single pass) + every file but the video,
  models already loaded (what each take of a long session or batch costs);
- full take, body preview: the same plus preview.mp4 (full body with the face animated);
- batch of N lines with 1 and 2 worker processes (`emostudio batch --preview none`), wall clock
  from the command's start to its end, model loading included;
- the same batch on Ray (`--engine ray --jobs 2`) against a cluster of 2 CPUs started on
  127.0.0.1 beforehand (`ray start --head`; its start-up time is reported apart), model loading
  included: throughput (lines per wall second) against the local pool's with 2 workers in the
  same run (issue 15 target: at least 0.9), and the peak memory of one worker process.
  ``--only ray`` runs just the two 2-worker batches.

Compute is reported as wall-clock and as CPU seconds (all threads and worker processes): on a
shared machine the wall clock also counts other programs' work. Peak memory: the largest
resident set of this process (takes), the largest summed resident set of the batch command and
its workers (the pool's processes or the Ray actors), and the largest of one worker (sampled
every 0.2 s). Sentences come from
../shared/eval/sentences.txt when present (emotionally neutral text), else a built-in list.
Target (issue 7): a full take without preview costs at most 0.5 s per second of speech.
The Ray row's CPU counts the driver and the actor processes, not the cluster's own daemons.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterator

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
TARGET_RAY_THROUGHPUT = 0.9
#: Process title of a Ray batch worker (studio.batch_ray.LineRenderer).
RAY_WORKER_TITLE = "ray::LineRenderer"


def sentences(n: int) -> list[str]:
    if SHARED_SENTENCES.is_file():
        found = [s.strip() for s in SHARED_SENTENCES.read_text().splitlines() if s.strip()]
    else:
        found = FALLBACK_SENTENCES
    return [found[i % len(found)] for i in range(n)]


def descendants(pid: int) -> list[int]:
    """``pid``'s children, their children, ... (Linux /proc)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children[ppid].append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, stack = [], list(children.get(pid, []))
    while stack:
        p = stack.pop()
        found.append(p)
        stack.extend(children.get(p, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid``, MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def ray_worker_pids() -> list[int]:
    """Processes titled as a Ray batch worker (``ray::LineRenderer...``)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read().startswith(RAY_WORKER_TITLE.encode()):
                        found.append(int(entry))
            except OSError:
                continue
    return found


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


def bench_batch(texts: list[str], jobs: int, ray_address: str | None = None,
                env: dict | None = None) -> dict:
    """Run ``emostudio batch`` on a script of ``texts`` (local pool, or Ray actors on the cluster
    at ``ray_address``); wall clock, speech seconds, CPU, peak memory of all its processes and
    of one worker process."""
    with tempfile.TemporaryDirectory() as tmp:
        script = write_script(Path(tmp), texts)
        out = Path(tmp) / "out"
        engine = ["--engine", "ray", "--address", ray_address] if ray_address else []
        peaks: dict[int, float] = defaultdict(float)  # pid -> peak RSS, MiB
        actor_cpu: dict[int, float] = {}  # Ray worker pid -> CPU seconds at the last sample
        peak_total = [0.0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "batch", str(script),
                                 "--out", str(out), "--jobs", str(jobs), "--preview", "none",
                                 "--no-progress", *engine], cwd=REPO, env=env,
                                stderr=subprocess.PIPE, text=True)

        def sample() -> None:
            while proc.poll() is None:
                # workers: the pool's processes, or the Ray actors (children of the cluster)
                workers = ray_worker_pids() if ray_address else descendants(proc.pid)
                for pid in workers:
                    peaks[pid] = max(peaks[pid], rss_mb(pid))
                    if ray_address:
                        actor_cpu[pid] = max(actor_cpu.get(pid, 0.0), cpu_seconds(pid))
                total = rss_mb(proc.pid) + sum(rss_mb(p) for p in workers)
                peak_total[0] = max(peak_total[0], total)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = proc.communicate()
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the local pool's workers included
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        cpu += sum(actor_cpu.values())
        sampler.join()
        if proc.returncode != 0:
            raise SystemExit(f"batch failed ({proc.returncode}): {stderr}")
        manifest = json.loads((out / "manifest.json").read_text())
        speech = sum(e["duration"] for e in manifest if e["status"] == "done")
        done = sum(e["status"] == "done" for e in manifest)
    return {"speech": speech, "wall": wall, "cpu": cpu, "peak_mb": peak_total[0], "done": done,
            "lines": len(texts), "worker_peak_mb": max(peaks.values(), default=0.0)}


@contextlib.contextmanager
def ray_cluster(cpus: int) -> Iterator[tuple[str, dict, float]]:
    """A Ray head started here (`ray start --head --block`, 127.0.0.1 only, token auth, no
    dashboard) for the block's duration: its address, the environment to join it, start seconds."""
    ray = str(Path(sys.executable).parent / "ray")
    env = dict(os.environ, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_USAGE_STATS_ENABLED="0",
               RAY_AUTH_MODE="token")
    subprocess.run([ray, "get-auth-token", "--generate"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # (only when none)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        t = time.perf_counter()
        head = subprocess.Popen(
            [ray, "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port",
             str(port), "--num-cpus", str(cpus), "--include-dashboard", "false",
             "--object-store-memory", str(200 * 1024**2), "--disable-usage-stats"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while "Ray runtime started" not in Path(log.name).read_text():
                if head.poll() is not None or time.perf_counter() - t > 180:
                    raise SystemExit(f"ray start failed: {Path(log.name).read_text()[-2000:]}")
                time.sleep(0.2)
            yield f"127.0.0.1:{port}", env, time.perf_counter() - t
        finally:
            head.send_signal(signal.SIGTERM)  # it stops the cluster's processes, then itself
            try:
                head.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(head.pid, signal.SIGKILL)  # (its own session: only what it started)
                head.wait()
            # `ray start` leaves its address as "the cluster on this machine"; it is gone now
            current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
            with contextlib.suppress(OSError):
                if current.read_text().strip() == f"127.0.0.1:{port}":
                    current.unlink()


def bench_ray(texts: list[str], local: dict | None = None) -> list[tuple[str, dict]]:
    """The batch on Ray with 2 workers against the local pool with 2 workers (measured here
    unless ``local`` is given): rows for the table and the comparison's figures."""
    if local is None:
        local = bench_batch(texts, 2)
    with ray_cluster(cpus=2) as (address, env, boot):
        on_ray = bench_batch(texts, 2, ray_address=address, env=env)
    on_ray["boot"] = boot
    return [(f"batch {len(texts)} lines, 2 workers", local),
            (f"batch {len(texts)} lines, 2 workers, Ray", on_ray)]


def print_ray_comparison(local: dict, on_ray: dict) -> None:
    ratio = (on_ray["done"] / on_ray["wall"]) / (local["done"] / local["wall"])
    print(f"\nRay against the local pool, 2 workers each ({on_ray['lines']} lines; cluster "
          f"started beforehand in {on_ray['boot']:.1f} s, not counted):")
    print(f"{'engine':8s} {'lines/min':>10s} {'CPU s/line':>11s} {'worker peak MiB':>16s} "
          f"{'all processes MiB':>18s}")
    for name, r in (("local", local), ("ray", on_ray)):
        print(f"{name:8s} {60 * r['done'] / r['wall']:10.2f} {r['cpu'] / r['done']:11.2f} "
              f"{r['worker_peak_mb']:16.0f} {r['peak_mb']:18.0f}")
    print(f"throughput ratio ray / local: {ratio:.2f} (target >= {TARGET_RAY_THROUGHPUT}: "
          f"{'MET' if ratio >= TARGET_RAY_THROUGHPUT else 'NOT MET'}); CPU per line ray / local: "
          f"{(on_ray['cpu'] / on_ray['done']) / (local['cpu'] / local['done']):.2f}")


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


def print_table(rows: list[tuple[str, dict]]) -> None:
    load = os.getloadavg()[0]
    print(f"\nmachine: {os.cpu_count()} cores, load average {load:.1f} at the end "
          "(wall clock stretches with other work; CPU seconds do not)")
    print(f"{'case':44s} {'speech s':>9s} {'wall s':>8s} {'wall s/s':>9s} {'CPU s/s':>8s} "
          f"{'peak MiB':>9s}")
    for name, r in rows:
        print(f"{name:44s} {r['speech']:9.1f} {r['wall']:8.1f} {r['wall'] / r['speech']:9.3f} "
              f"{r['cpu'] / r['speech']:8.3f} {r['peak_mb']:9.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=12, help="takes per single-take row")
    parser.add_argument("--preview-takes", type=int, default=2,
                        help="takes with the preview (0: skip that row)")
    parser.add_argument("--batch-lines", type=int, default=20, help="lines of the batch rows")
    parser.add_argument("--skip-batch", action="store_true", help="only the single-take rows")
    parser.add_argument("--kill-resume", action="store_true",
                        help="only: kill a --batch-lines batch half-way, rerun it, report")
    parser.add_argument("--only", choices=["ray"],
                        help="ray: only the batch on Ray against the local pool, 2 workers each")
    parser.add_argument("--skip-ray", action="store_true", help="no Ray batch row")
    args = parser.parse_args()
    if args.kill_resume:
        result = kill_and_resume(sentences(args.batch_lines))
        print(f"\nbatch of {args.batch_lines} lines, 2 workers, SIGKILL half-way, then rerun:")
        for key, value in result.items():
            print(f"  {key:26s} {value}")
        return 0

    if importlib.util.find_spec("ray") is None and not args.skip_ray:
        print("Ray is not installed (pip install 'emostudio[ray]'): no Ray row")
        if args.only == "ray":
            return 1
        args.skip_ray = True
    if args.only == "ray":
        rows = bench_ray(sentences(args.batch_lines))
        print_table(rows)
        print_ray_comparison(rows[0][1], rows[1][1])
        return 0

    rows = []
    no_preview = bench_takes(sentences(args.takes), "none")
    rows.append((f"full take, no preview ({args.takes} takes)", no_preview))
    with_preview = {"stages": {}, "speech": 1.0}
    if args.preview_takes > 0:
        with_preview = bench_takes(sentences(args.preview_takes), "body")
        rows.append((f"full take, body preview ({args.preview_takes} takes)", with_preview))
    ray_rows = []
    if not args.skip_batch:
        for jobs in (1, 2):
            rows.append((f"batch {args.batch_lines} lines, {jobs} worker{'s' * (jobs > 1)}",
                         bench_batch(sentences(args.batch_lines), jobs)))
        if not args.skip_ray:
            ray_rows = bench_ray(sentences(args.batch_lines), local=rows[-1][1])
            rows.append(ray_rows[1])

    print_table(rows)
    if ray_rows:
        print_ray_comparison(ray_rows[0][1], ray_rows[1][1])
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
