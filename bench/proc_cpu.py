"""Where a bench run's CPU goes, process by process, read from /proc (Linux only).

`CpuWatch` samples named groups of processes once a second on a thread of its own: each
group's user+system CPU seconds, the machine's busy seconds from /proc/stat, and PostgreSQL's
server processes found by name. `report()` prints each group's CPU over the watched span as a
share of every core, and the busiest seconds of the machine.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def process_cpu(pid: int) -> float:
    """User+system CPU seconds of one live process and its reaped children; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(value) for value in fields[11:15]) / TICKS


def family(pid: int) -> list[int]:
    """A process and all its descendants (uvicorn's serving processes under its supervisor)."""
    found, waiting = [], [pid]
    while waiting:
        parent = waiting.pop()
        found.append(parent)
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                waiting.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def named_pids(command: str) -> list[int]:
    """Every process whose command name (/proc/PID/comm) is `command`, e.g. postgres."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (every field but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICKS


@dataclass
class CpuWatch:
    """Groups name -> a callable giving that group's pids now (groups may change over a run)."""

    groups: dict[str, Callable[[], list[int]]]
    samples: list[tuple[float, float, dict[str, float]]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _seen: dict[int, float] = field(default_factory=dict)
    _members: dict[str, set[int]] = field(default_factory=dict)
    _thread: threading.Thread | None = None

    def __enter__(self) -> CpuWatch:
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def _sample(self) -> None:
        by_group = {}
        for name, pids in self.groups.items():
            members = self._members.setdefault(name, set())
            members.update(pids())
            for pid in members:  # a process that exits keeps the CPU it was last seen with
                self._seen[pid] = max(self._seen.get(pid, 0.0), process_cpu(pid))
            by_group[name] = sum(self._seen[pid] for pid in members)
        self.samples.append((time.monotonic(), machine_busy(), by_group))

    def report(self, title: str) -> None:
        if len(self.samples) < 2:
            return
        (t0, busy0, first), (t1, busy1, last) = self.samples[0], self.samples[-1]
        capacity = (t1 - t0) * CORES
        print(f"  CPU over {t1 - t0:.1f}s on {CORES} cores ({title}):", flush=True)
        named = 0.0
        for name in self.groups:
            spent = last.get(name, 0.0) - first.get(name, 0.0)
            named += spent
            print(f"    {name:<12} {spent:6.1f}s  {100 * spent / capacity:5.1f}% of the machine")
        other = max(busy1 - busy0 - named, 0.0)
        print(f"    {'other':<12} {other:6.1f}s  {100 * other / capacity:5.1f}%")
        print(f"    {'idle':<12} {capacity - (busy1 - busy0):6.1f}s", flush=True)
        print(f"    machine busy by second: {self._busy_by_second()}", flush=True)

    def _busy_by_second(self) -> str:
        shares = []
        for (ta, ba, _), (tb, bb, _) in zip(self.samples, self.samples[1:], strict=False):
            if tb > ta:
                shares.append(f"{100 * (bb - ba) / ((tb - ta) * CORES):.0f}")
        return " ".join(shares) + " (% of all cores)"
