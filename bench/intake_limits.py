"""Where single-event intake stops (issue 21), measured in one run on this machine:
  1. the floor: `bench/floor_app.py` (FastAPI on uvicorn, reading the JSON body and
     answering 202, nothing stored) with `--workers N`, under bench.intake's single-event
     wrk load;
  2. the peer: Alertmanager, one alert per request, the same load;
  3. `warroom serve --workers N`, one PagerDuty event per request, the same load;
  4. `warroom serve` (one process, and then `--workers N`) at a paced 1,000 events/s over
     500 dedup keys (`bench.paced_load` in its own process, open loop): latency p50 / p99 /
     max from each request's due time.
Prints requests/s and the ratios: warroom and the floor against Alertmanager, warroom
against the floor (the share of the framework's own ceiling warroom keeps).

Run: `python -m bench intake_limits` (env: BENCH_SERVE_WORKERS=2, BENCH_PACED_RATE=1000,
BENCH_SECONDS=10). Needs Debian's `wrk` and `prometheus-alertmanager`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.intake import (
    DURATION,
    ROOT,
    database_url,
    free_port,
    start_alertmanager,
    start_warroom,
    stop,
    wait_http,
    wrk,
)

WORKERS = int(os.environ.get("BENCH_SERVE_WORKERS", "2"))
PACED_RATE = float(os.environ.get("BENCH_PACED_RATE", "1000"))
GOAL_P99_MS = 50.0
EVENT = (
    '{"routing_key":"%s","event_action":"trigger","dedup_key":"paced-{k}",'
    '"payload":{"summary":"paced event {n}","source":"bench","severity":"warning"}}'
)


def main() -> None:
    for tool in ("wrk", "prometheus-alertmanager"):
        if shutil.which(tool) is None:
            print(f"skipped: {tool} is not installed (apt-get install {tool})")
            return
    print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
        workdir = Path(tmp)
        rates = {
            "floor": _floor(workdir),
            "alertmanager": _alertmanager(workdir),
            "warroom": _warroom(workdir),
        }
        paced = {workers: _paced(workdir, workers) for workers in (1, WORKERS)}
    am = rates["alertmanager"]
    for name, rate in rates.items():
        print(f"single events, {name:12s} {rate:9.0f} req/s  {rate / am:5.2f}x Alertmanager")
    print(f"warroom keeps {rates['warroom'] / rates['floor']:.0%} of the floor's rate "
          f"(--workers {WORKERS} for warroom and the floor)")  # fmt: skip
    for workers, result in paced.items():
        print(
            f"paced {PACED_RATE:.0f} events/s for {DURATION} s, `warroom serve --workers "
            f"{workers}`: {result['rate']:.0f}/s answered {result['statuses']}; from due time "
            f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms (goal <= "
            f"{GOAL_P99_MS:.0f} on one process), max {result['max_ms']:.1f} ms"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def _floor(workdir: Path) -> float:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--port", str(port),
         "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, stdout=(workdir / "floor.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/docs")
        return _rate(wrk("warroom_single", f"{url}/v2/enqueue", workdir, key="floor"))
    finally:
        stop(server)


def _alertmanager(workdir: Path) -> float:
    process, url = start_alertmanager(workdir)
    try:
        return _rate(wrk("am_single", f"{url}/api/v2/alerts", workdir))
    finally:
        stop(process)


def _warroom(workdir: Path) -> float:
    folder = workdir / "workers"
    folder.mkdir()
    server, url, keys = start_warroom(folder, database_url(folder), WORKERS)
    try:
        return _rate(wrk("warroom_single", f"{url}/v2/enqueue", folder, key=keys["pagerduty"]))
    finally:
        stop(server)


def _paced(workdir: Path, workers: int) -> dict[str, Any]:
    folder = workdir / f"paced-{workers}"
    folder.mkdir()
    server, url, keys = start_warroom(folder, database_url(folder), workers)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "bench.paced_load", f"{url}/v2/enqueue", str(PACED_RATE),
             str(DURATION), EVENT % keys["pagerduty"]],
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=DURATION + 120,
        ).stdout  # fmt: skip
    finally:
        stop(server)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _rate(result: dict[str, Any]) -> float:
    return float(result["ok"]) / (result["duration_us"] / 1e6)


if __name__ == "__main__":
    main()
