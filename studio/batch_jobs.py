"""How many batch workers this machine can hold: its CPUs and its free memory.

A worker holds the studio's models (voice, prosody and voice-quality diffusion, face, body,
avatar, critic): about :data:`WORKER_BYTES` of memory. More workers than CPUs only take turns
on the cores; more than memory allows end in the kernel's out-of-memory killer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from controllers.errors import InputError

#: Memory one worker needs with every model loaded, bytes (measured: ~1.2 GB resident).
WORKER_BYTES = int(1.3e9)


@dataclass(frozen=True)
class Capacity:
    """What this machine can give a batch."""

    cpus: int
    """CPUs this process may run on."""
    available_bytes: int | None
    """Memory available for new work (``MemAvailable``), bytes; None when unknown."""

    @property
    def max_jobs(self) -> int:
        """Workers the machine can hold: one per CPU, each with :data:`WORKER_BYTES` (at
        least 1)."""
        by_memory = (self.cpus if self.available_bytes is None
                     else self.available_bytes // WORKER_BYTES)
        return max(1, min(self.cpus, by_memory))


def machine_capacity() -> Capacity:
    """This machine's CPUs (those this process may use) and available memory (psutil when it
    is installed, else ``/proc/meminfo``)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return Capacity(max(1, cpus), _available_memory())


def _available_memory() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for row in f:
                if row.startswith("MemAvailable:"):
                    return int(row.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_jobs(jobs: int, capacity: Capacity | None = None) -> int:
    """``jobs`` when this machine can hold that many workers; else :class:`InputError` saying
    the cap and why."""
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    capacity = capacity or machine_capacity()
    cap = capacity.max_jobs
    if jobs > cap:
        memory = ("" if capacity.available_bytes is None else
                  f", {capacity.available_bytes / 1e9:.1f} GB of memory available at "
                  f"~{WORKER_BYTES / 1e9:.1f} GB per worker")
        raise InputError(f"--jobs {jobs} is more than this machine can hold: at most {cap} "
                         f"workers ({capacity.cpus} CPUs{memory}); use --jobs {cap} or fewer, "
                         "or --engine ray --address to use a cluster")
    return jobs
