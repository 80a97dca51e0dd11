"""Benchmark of live mode: latency and real-time behaviour of ``emostudio serve``.

    .venv/bin/python bench/live.py [--lines 5] [--clients 4] [--rounds 2] [--workers 2]
                                   [--compare CHECKOUT]

Starts ``emostudio serve`` in a process of its own (models loaded once, warmed up), then
connects real WebSocket clients from this process and sends 15-word lines:

- one client, the lines one after another;
- ``--clients`` clients at once, each sending ``--rounds`` lines one after another.

Per line: time to first audio (request sent -> first audio frame received; goal < 0.3 s, at
most 0.5 s), time to first face frame (the chunk message that precedes the audio), the
stream's real-time factor (request -> last chunk, over the seconds of audio; below 1 the
stream outruns playback), a simulated playback (starts with the first audio, plays in real
time, stalls when the next chunk has not arrived: underruns and seconds stalled), the least
lead of a chunk over its playback time, and the jitter of chunk arrival (standard deviation of
the gaps between chunks). The baseline, measured in the same run in this process with the
same models: the offline path (``Studio.perform``: the whole take before any audio), whose
latency the streamed first audio is compared with; and the CPU time of the first chunk's work
alone (its phrase spoken and animated on one thread), what the first audio would take on an
idle machine. The load average is printed: on a shared machine every wall-clock figure
includes other programs' work; the server's CPU seconds per second of audio (from /proc, its
processes together) do not: below the core count divided by the clients, the machine keeps up
with them.

``--compare CHECKOUT`` measures another checkout's server the same way in the same run (its
columns first), e.g. the last commit: ``git worktree add /tmp/base HEAD``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: 15-word game lines (one with an inline emotion change) and their emotions.
LINES = [
    ("I told you to stay away from the mill after dark, and you went anyway.", "angry"),
    ("We finally found the treasure map hidden behind the painting in the captain's old cabin.",
     "happy"),
    ("Do not leave me here alone, the soldiers will be back before the sun rises.", "scared"),
    ("Thanks for the help, stranger. [angry] Now take your money and get out of my shop.",
     "cheerful"),
    ("The bridge to the northern village collapsed last night, so we have to go around.", "sad"),
]
GOAL_TTFA, LIMIT_TTFA = 0.3, 0.5
TIMEOUT = 300.0


@dataclass
class LineStats:
    """What one client saw of one line."""

    ttfa: float = float("nan")
    ttff: float = float("nan")
    rtf: float = float("nan")
    audio_s: float = 0.0
    underruns: int = 0
    stalled_s: float = 0.0
    min_lead_s: float = float("inf")
    gaps: list[float] = field(default_factory=list)


def playback(sent: float, first_audio: float, chunks: list[tuple[float, float]]
             ) -> tuple[int, float, float]:
    """Simulated real-time playback from the first audio: ``chunks`` are (arrival, t0).
    Returns (underruns, seconds stalled, least lead of a chunk over its play time)."""
    stalled, underruns, lead = 0.0, 0, float("inf")
    for arrival, t0 in chunks:
        due = first_audio + t0 + stalled
        lead = min(lead, due - arrival)
        if arrival > due + 1e-4:
            underruns += 1
            stalled += arrival - due
    return underruns, stalled, lead


async def speak(ws, text: str, emotion: str, line_id: str, seed: int = 0) -> LineStats:
    stats = LineStats()
    sent = time.monotonic()
    await ws.send(json.dumps({"text": text, "emotion": emotion, "seed": seed, "id": line_id}))
    arrivals: list[tuple[float, float]] = []
    first_audio = None
    last_t0 = 0.0
    while True:
        message = await asyncio.wait_for(ws.recv(), TIMEOUT)
        now = time.monotonic()
        if isinstance(message, bytes):
            if first_audio is None:
                first_audio = now
                stats.ttfa = now - sent
            arrivals.append((now, last_t0))
            continue
        data = json.loads(message)
        if data.get("id") != line_id:
            continue
        if data["type"] == "chunk":
            last_t0 = data["t0"]
            if stats.ttff != stats.ttff and data["face"]["weights"]:
                stats.ttff = now - sent
        elif data["type"] == "error":
            raise RuntimeError(data["message"])
        elif data["type"] == "done":
            stats.audio_s = data["duration"]
            break
    stats.rtf = (arrivals[-1][0] - sent) / stats.audio_s
    stats.underruns, stats.stalled_s, stats.min_lead_s = playback(sent, first_audio, arrivals)
    stats.gaps = [b[0] - a[0] for a, b in zip(arrivals, arrivals[1:])]
    return stats


async def client(url: str, lines: list[tuple[str, str]], name: str) -> list[LineStats]:
    from websockets.asyncio.client import connect

    out = []
    async with connect(url, max_size=None) as ws:
        json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))  # hello
        for i, (text, emotion) in enumerate(lines):
            out.append(await speak(ws, text, emotion, f"{name}-{i}", seed=i))
    return out


def start_server(workers: int, repo: Path = REPO) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYOPENGL_PLATFORM="osmesa")
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "serve", "--port", "0",
                             "--workers", str(workers)],
                            cwd=repo, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise RuntimeError("emostudio serve exited before listening")
        if "listening on" in line:
            return proc, line.split("listening on ")[1].split(",")[0].strip()
    proc.kill()
    raise RuntimeError("emostudio serve did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of process ``pid`` and the processes it started that
    are still running (the server's speaker processes; Linux /proc)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # (ended meanwhile)
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    family = {pid}
    while True:
        grown = family | {p for p, (parent, _) in stats.items() if parent in family}
        if grown == family:
            break
        family = grown
    ticks = sum(stats[p][1] for p in family if p in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


def summary(stats: list[LineStats], cpu: float) -> dict[str, str]:
    ttfa = [s.ttfa for s in stats]
    ttff = [s.ttff for s in stats]
    gaps = [g for s in stats for g in s.gaps]
    lines_with = sum(1 for s in stats if s.underruns)
    return {
        "time to first audio, s (mean / max)": f"{statistics.mean(ttfa):.3f} / {max(ttfa):.3f}",
        "time to first face frame, s (mean / max)":
            f"{statistics.mean(ttff):.3f} / {max(ttff):.3f}",
        "real-time factor (mean / max)":
            f"{statistics.mean(s.rtf for s in stats):.2f} / {max(s.rtf for s in stats):.2f}",
        "underruns (lines with one / total)":
            f"{lines_with}/{len(stats)} / {sum(s.underruns for s in stats)}",
        "seconds stalled (total)": f"{sum(s.stalled_s for s in stats):.3f}",
        "least lead of a chunk over playback, s": f"{min(s.min_lead_s for s in stats):.3f}",
        "jitter of chunk arrival (sd of gaps), s":
            f"{statistics.pstdev(gaps):.3f}" if len(gaps) > 1 else "-",
        "seconds of audio per line (mean)": f"{statistics.mean(s.audio_s for s in stats):.2f}",
        "server CPU s per s of audio (all threads)":
            f"{cpu / sum(s.audio_s for s in stats):.2f}",
    }


def baseline(lines: list[tuple[str, str]]) -> tuple[float, float]:
    """(mean seconds of the offline take = whole line before any audio, mean CPU seconds of
    the first chunk's work alone), with the same models as the server, one thread."""
    from studio.live.assembler import LineAssembler
    from studio.live.phrases import split_phrases
    from studio.live.speech import speak_phrase
    from studio.pipeline import Studio
    from studio.threads import single_threaded

    studio = Studio()
    tts = studio.tts()
    offline, first_cpu = [], []
    with single_threaded():
        plan = studio.plan(*lines[0])
        studio.perform(plan)  # warm up
        for i, (text, emotion) in enumerate(lines):
            plan = studio.plan(text, emotion)
            t = time.perf_counter()
            studio.perform(plan, seed=i)
            offline.append(time.perf_counter() - t)
            phrases = split_phrases(plan.text)
            c = time.thread_time()
            speech = speak_phrase(tts, plan, phrases[0], 0, i)
            LineAssembler("b", plan, len(phrases), i).add(speech)
            first_cpu.append(time.thread_time() - c)
    return statistics.mean(offline), statistics.mean(first_cpu)


def measure(args: argparse.Namespace, lines: list[tuple[str, str]], repo: Path
            ) -> tuple[dict[str, str], dict[str, str], list[LineStats]]:
    """The table's rows for one client and for the crowd, and the single client's lines, for
    the server of the checkout at ``repo``."""
    proc, url = start_server(args.workers, repo)
    try:
        cpu0 = cpu_seconds(proc.pid)
        single = asyncio.run(client(url, lines, "solo"))
        cpu1 = cpu_seconds(proc.pid)

        async def crowd():
            return await asyncio.gather(*(
                client(url, [LINES[(c + r) % len(LINES)] for r in range(args.rounds)], f"c{c}")
                for c in range(args.clients)))

        many = [s for per_client in asyncio.run(crowd()) for s in per_client]
        cpu2 = cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return summary(single, cpu1 - cpu0), summary(many, cpu2 - cpu1), single


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=5, help="lines for the single client")
    parser.add_argument("--clients", type=int, default=4, help="clients at once")
    parser.add_argument("--rounds", type=int, default=2, help="lines per client at once")
    parser.add_argument("--workers", type=int, default=2, help="the server's render threads")
    parser.add_argument("--compare", type=Path, default=None, metavar="CHECKOUT",
                        help="also measure this checkout's server (e.g. a worktree of HEAD)")
    args = parser.parse_args()
    if args.compare is not None and not (args.compare / "studio" / "cli").is_dir():
        print(f"error: --compare {args.compare} is not a checkout of this project",
              file=sys.stderr)
        return 2
    lines = [LINES[i % len(LINES)] for i in range(args.lines)]
    load_before = os.getloadavg()
    columns: list[tuple[str, dict[str, str]]] = []
    if args.compare is not None:
        one, crowd_rows, _ = measure(args, lines, args.compare.resolve())
        columns += [("compared: 1 client", one), (f"{args.clients} clients", crowd_rows)]
    one, crowd_rows, single = measure(args, lines, REPO)
    columns += [("1 client", one), (f"{args.clients} clients", crowd_rows)]
    offline_s, first_cpu = baseline(lines)
    load_after = os.getloadavg()

    width = max(map(len, one)) + 2
    print(f"live mode: {args.lines} lines of 15 words (1 client); {args.clients} clients x "
          f"{args.rounds} lines at once; {args.workers} render threads; "
          f"{os.cpu_count()} CPU cores"
          + (f"; compared with the checkout at {args.compare}" if args.compare else ""))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          "(above the core count, wall-clock figures include other programs' work)")
    print(f"{'':{width}}" + "".join(f"{name:>20}" for name, _ in columns))
    for key in one:
        print(f"{key:{width}}" + "".join(f"{rows[key]:>20}" for _, rows in columns))
    mean_ttfa = statistics.mean(s.ttfa for s in single)
    print(f"\nbaseline (same run, this process, one thread): offline take of the same lines "
          f"{offline_s:.3f} s before any audio; the first chunk's work alone {first_cpu:.3f} "
          "CPU s")
    print(f"streamed first audio / offline take: {mean_ttfa / offline_s:.2f}; goal < "
          f"{GOAL_TTFA} s, limit {LIMIT_TTFA} s: "
          + ("met" if mean_ttfa < GOAL_TTFA else "within limit" if mean_ttfa <= LIMIT_TTFA
             else "missed on this run"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
