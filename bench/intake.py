"""Alert intake throughput: warroom against a real Prometheus Alertmanager, same run, same box.

`python -m bench intake` (warroom on SQLite), or with BENCH_POSTGRES_URL naming a database the
bench may drop and create, on PostgreSQL. Needs Debian's `wrk` and `prometheus-alertmanager`,
and py-spy. Four wrk runs on loopback, each bounded in time:
  1. warroom POST /api/v1/integrations/alertmanager, 100 new alerts per payload;
  2. Alertmanager POST /api/v2/alerts, the same 100 new alerts per request;
  3. warroom POST /v2/enqueue, one new event per request (PagerDuty Events v2);
  4. Alertmanager POST /api/v2/alerts, one new alert per request;
then each warroom load once more under py-spy (the profile, and who holds the GIL), so
that no measured run is slowed by sampling.
BENCH_SERVE_WORKERS=N runs `warroom serve --workers N` (the per-thread CPU and py-spy figures
then see the supervisor, which runs the scheduler, not the serving processes).
BENCH_LAYOUT picks how warroom runs: `serve` (the default: `warroom serve`, its scheduler
applying the intake inbox while the load runs), `worker` (`serve --no-scheduler` beside a
`warroom worker`) or `after` (only accepting; a worker applies each run's inbox once the
run is over, measuring acceptance and application apart).
Reports alerts/s accepted, the ratios, p99 latency, how long after each warroom run its
inbox was fully applied (and so the rate accepted and applied), peak memory (VmHWM),
py-spy's top costs, the server's CPU per request by thread (/proc, named by `py-spy dump`),
how much of each run each thread held the GIL (`py-spy record --gil`) and, on SQLite, held
or waited for the single writer (warroom's /metrics), and checks that every alert warroom
accepted was stored.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy

DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
LAYOUTS = {
    "serve": "`warroom serve`, its scheduler applying the inbox while the load runs",
    "worker": "`warroom serve --no-scheduler` beside a `warroom worker` applying meanwhile",
    "after": "`warroom serve --no-scheduler`; a `warroom worker` applies after each run",
}
LAYOUT = os.environ.get("BENCH_LAYOUT", "serve")
SERVE_WORKERS = int(os.environ.get("BENCH_SERVE_WORKERS", "1"))  # `serve --workers N`
THREADS, CONNECTIONS = 2, 8
BATCH = 100
ROOT = Path(__file__).resolve().parent.parent
WARROOM = Path(sys.executable).with_name("warroom")

LUA_COMMON = """
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
function done(summary, latency, requests)
  io.write(string.format('RESULT {"requests":%%d,"duration_us":%%d,"non2xx":%%d,' ..
    '"errors":%%d,"p50_us":%%d,"p99_us":%%d}\\n', summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, latency:percentile(50),
    latency:percentile(99)))
end
"""

AM_ALERT = (
    '{"labels":{"alertname":"BenchAlert","instance":"i-%s","service":"api",'
    '"severity":"warning"},"annotations":{"summary":"bench alert"},'
    '"startsAt":"2024-01-15T10:00:00Z"%s}'
)

LUA_BODIES = {
    "warroom_batch": """
function request()
  n = n + 1
  local parts = {}
  for k = 1, %(batch)d do
    local id = "%(run)s" .. tid .. "-" .. n .. "-" .. k
    parts[k] = '{"status":"firing","labels":{"alertname":"BenchAlert","instance":"i-' .. id ..
      '","service":"api","severity":"warning"},"annotations":{"summary":"bench alert"},' ..
      '"startsAt":"2024-01-15T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",' ..
      '"generatorURL":"","fingerprint":"fp-' .. id .. '"}'
  end
  return wrk.format(nil, nil, nil, '{"version":"4","groupKey":"{}:{alertname=\\\\"Bench' ..
    tid .. '\\\\"}","status":"firing","receiver":"bench","groupLabels":{},' ..
    '"commonLabels":{"alertname":"BenchAlert"},"commonAnnotations":{},"externalURL":"",' ..
    '"truncatedAlerts":0,"alerts":[' .. table.concat(parts, ",") .. ']}')
end
""",
    "am_batch": """
function request()
  n = n + 1
  local parts = {}
  for k = 1, %(batch)d do
    local id = tid .. "-" .. n .. "-" .. k
    parts[k] = '{"labels":{"alertname":"BenchAlert","instance":"i-' .. id ..
      '","service":"api","severity":"warning"},"annotations":{"summary":"bench alert"},' ..
      '"startsAt":"2024-01-15T10:00:00Z"}'
  end
  return wrk.format(nil, nil, nil, '[' .. table.concat(parts, ",") .. ']')
end
""",
    "warroom_single": """
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"routing_key":"%(key)s","event_action":"trigger",' ..
    '"dedup_key":"bench-' .. tid .. '","payload":{"summary":"bench event ' .. n ..
    '","source":"bench","severity":"warning","custom_details":{"n":' .. n .. '}}}')
end
""",
    "am_single": """
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, '[{"labels":{"alertname":"BenchAlert","instance":"s-' ..
    tid .. '-' .. n .. '","service":"api","severity":"warning"},' ..
    '"annotations":{"summary":"bench alert"},"startsAt":"2024-01-15T10:00:00Z"}]')
end
""",
}

AM_CONFIG = """
route:
  receiver: "null"
  group_by: [alertname]
receivers:
  - name: "null"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def wrk(name: str, url: str, workdir: Path, **values: Any) -> dict[str, Any]:
    auth = values.pop("auth", "")
    values.setdefault("run", "")  # tells a run's alerts from another's with the same load
    script = workdir / f"{name}.lua"
    script.write_text(LUA_COMMON % {"auth": auth} + LUA_BODIES[name] % values, "utf-8")
    argv = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s"]
    out = subprocess.run(
        [*argv, "-s", str(script), url], capture_output=True, text=True, timeout=DURATION + 60
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    result["ok"] = result["requests"] - result["non2xx"] - result["errors"]
    result["req_s"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


WAITING = (
    "Condition.wait", "EpollSelector.select", "Runner.run", "_writer (", "_worker (",
    "GroupCommit._run (", "Event.wait (",
)  # fmt: skip


def profile_top(raw: Path, top: int = 8) -> dict[str, list[tuple[str, float]]]:
    """py-spy's raw (collapsed) stacks -> where the busy time goes: the functions with the
    most self time, and warroom's own functions by inclusive time, as shares of busy samples
    (threads waiting for work or for the SQLite writer lock left out)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    busy = 0
    for stack, count in stacks(raw):
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack]
        if any(frames[-1].startswith(w) for w in WAITING):
            continue
        busy += count
        own[frames[-1]] += count
        for frame in set(frames):
            if "(warroom/" in frame and "cli/" not in frame:
                inclusive[frame] += count
    if not busy:
        return {"self": [], "warroom": []}
    return {
        "self": [(name, n / busy) for name, n in own.most_common(top)],
        "warroom": [(name, n / busy) for name, n in inclusive.most_common(top)],
    }


def stacks(raw: Path) -> Iterator[tuple[list[str], int]]:
    """py-spy's raw (collapsed) output: each stack's frames, outermost first, and its count."""
    for line in raw.read_text("utf-8", "replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or Path(sys.executable).with_name("py-spy")
    return str(found) if found and Path(found).exists() else None


def measured_wrk(pid: int, name: str, url: str, workdir: Path, **values: Any) -> dict[str, Any]:
    """A wrk run against warroom, with the server's CPU by thread taken before it, and how
    long its threads waited for and held SQLite's single writer during it."""
    cpu_before, writer_before = thread_cpu(pid), writer_time(url)
    result = wrk(name, url, workdir, **values)
    result["cpu_before"] = cpu_before
    writer_after = writer_time(url)
    result["writer"] = {
        (kind, thread): seconds - writer_before.get((kind, thread), 0.0)
        for (kind, thread), seconds in writer_after.items()
    }
    return result


def writer_time(url: str) -> dict[tuple[str, str], float]:
    """warroom's own metrics of SQLite's single writer: seconds ("wait" or "held", thread
    role) so far; nothing on PostgreSQL."""
    from prometheus_client.parser import text_string_to_metric_families

    metrics = httpx.get(str(httpx.URL(url).copy_with(path="/metrics")), timeout=30).text
    seconds = {}
    for family in text_string_to_metric_families(metrics):
        if not family.name.startswith("warroom_sqlite_writer_"):
            continue
        kind = family.name.removeprefix("warroom_sqlite_writer_").removesuffix("_seconds")
        for sample in family.samples:
            seconds[(kind, sample.labels["thread"])] = sample.value
    return seconds


def profiled_wrk(pid: int, name: str, url: str, workdir: Path, **values: Any) -> dict[str, Any]:
    """A wrk run with two py-spy recordings beside it: every busy stack (the profile) and
    only the stacks holding the GIL (who holds the one interpreter, and how often). Not
    the measured run: sampling slows the server (measured: batch 0.41-0.42x profiled
    against 0.47-0.48x not), and Alertmanager's runs are not sampled."""
    raw, gil = workdir / f"{name}.pyspy.txt", workdir / f"{name}.gil.txt"
    spies = [spy(pid, raw), spy(pid, gil, "--gil", "--threads")]
    result = wrk(name, url, workdir, run="profiled-", **values)
    for running in filter(None, spies):
        try:
            running.wait(timeout=DURATION + 30)
        except subprocess.TimeoutExpired:
            running.kill()
            running.wait(timeout=5)
    result["profile"] = profile_top(raw) if raw.exists() else {}
    result["gil"] = gil_holders(gil) if gil.exists() else []
    return result


SPY_RATE = 97  # samples a second


def spy(pid: int, output: Path, *options: str) -> subprocess.Popen[bytes] | None:
    if (exe := py_spy()) is None:
        return None
    return subprocess.Popen(
        [exe, "record", "--pid", str(pid), "--duration", str(DURATION), "--rate",
         str(SPY_RATE), "--format", "raw", "--output", str(output), "--nonblocking", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def gil_holders(raw: Path) -> list[tuple[str, float]]:
    """From `py-spy record --gil --threads`, which keeps a sample only from the thread
    holding the GIL: each thread's share of the run's samples (threads under 1% left out),
    so their sum is how busy the one interpreter was, at least: a sample py-spy did not
    take in time (it shares the cores) counts as one in which no thread held it."""
    held: Counter[str] = Counter()
    for stack, count in stacks(raw):
        held[stack[0].partition(": ")[2] or "?"] += count  # "thread (TID): NAME" comes first
    samples = SPY_RATE * DURATION
    return [(thread, n / samples) for thread, n in held.most_common() if n / samples >= 0.01]


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds each thread of a process has used so far (/proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(FileNotFoundError):
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            used[int(task.name)] = (int(fields[11]) + int(fields[12])) / tick
    return used


def thread_names(pid: int) -> dict[int, str]:
    """Python thread names by native thread id, as `py-spy dump` shows them."""
    if (exe := py_spy()) is None:
        return {}
    dump = subprocess.run(
        [exe, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=60
    ).stdout
    return {int(m[1]): m[2] for m in re.finditer(r'^Thread (\d+) \([^)]*\): "([^"]*)"', dump, re.M)}


def cpu_by_thread(pid: int, result: dict[str, Any]) -> list[tuple[str, float]]:
    """CPU µs per request by thread, from the run's start until its inbox was applied
    (threads under 1% of the whole left out)."""
    before, after, names = result.pop("cpu_before"), thread_cpu(pid), thread_names(pid)
    used = {tid: after[tid] - before.get(tid, 0.0) for tid in after}
    total = sum(used.values()) or 1.0
    return [
        (names.get(tid, f"thread {tid}"), seconds / result["ok"] * 1e6)
        for tid, seconds in sorted(used.items(), key=lambda item: -item[1])
        if seconds / total >= 0.01 and result["ok"]
    ]


def start_warroom(
    workdir: Path, database: str, workers: int = SERVE_WORKERS
) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    from warroom.core.playbook_file import builtin_playbook_text

    playbook = workdir / "playbook.yaml"
    text = re.sub(r"rate_limit_per_minute: \d+", "rate_limit_per_minute: 100000000",
                  builtin_playbook_text())  # fmt: skip
    playbook.write_text(text, "utf-8")
    env = os.environ | {
        "WARROOM_DATABASE_URL": database,
        "WARROOM_PLAYBOOK": str(playbook),
        "WARROOM_SECRET": "bench",
    }
    keys = {}
    for kind in ("alertmanager", "pagerduty"):
        keys[kind] = subprocess.run(
            [str(WARROOM), "integration", "create", "--type", kind, "--name", f"bench-{kind}"],
            env=env, capture_output=True, text=True, check=True, timeout=60,
        ).stdout.strip()  # fmt: skip
    port = free_port()
    scheduler = ["--no-scheduler"] if LAYOUT != "serve" else []
    scheduler += ["--workers", str(workers)] if workers > 1 else []
    server = subprocess.Popen(
        [str(WARROOM), "serve", "--port", str(port), *scheduler], env=env, cwd=workdir,
        stdout=(workdir / "warroom.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz")
    return server, url, keys


def start_alertmanager(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    config = workdir / "alertmanager.yml"
    config.write_text(AM_CONFIG, "utf-8")
    port = free_port()
    process = subprocess.Popen(
        ["prometheus-alertmanager", f"--config.file={config}",
         f"--storage.path={workdir / 'am-data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address=", "--log.level=warn"],
        stdout=(workdir / "alertmanager.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/-/ready")
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def database_url(workdir: Path) -> str:
    """SQLite in the run's folder, or with BENCH_POSTGRES_URL a PostgreSQL database that
    is dropped and created afresh (it must name a database the bench may drop)."""
    url = os.environ.get("BENCH_POSTGRES_URL")
    if not url:
        return f"sqlite:///{workdir / 'warroom.db'}"
    server, _, name = url.rpartition("/")
    admin = sqlalchemy.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url


def count_rows(url: str, table: str) -> int:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
    finally:
        engine.dispose()


def inbox_drained_after(url: str, limit_s: float = 600.0) -> float:
    """Seconds until the scheduler has applied every accepted payload (bounded)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if not count_rows(url, "intake_inbox"):
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"the intake inbox was not applied within {limit_s}s")


PAGE_KEY = "bench-page-during-the-storm"


def page_during_the_storm(
    url: str, key: str, database: str
) -> tuple[threading.Thread, dict[str, float]]:
    """Six tenths into the batch storm, one PagerDuty trigger for a new group: how long its
    202 took and how long after it its incident was opened (a page waiting behind the
    storm's backlog would show here)."""
    found: dict[str, float] = {}

    def probe() -> None:
        time.sleep(DURATION * 0.6)
        event = {
            "routing_key": key,
            "event_action": "trigger",
            "dedup_key": PAGE_KEY,
            "payload": {"summary": "bench page", "source": "bench", "severity": "critical"},
        }
        sent = time.monotonic()
        answer = httpx.post(f"{url}/v2/enqueue", json=event, timeout=30)
        answered = time.monotonic()
        found["answer_ms"] = (answered - sent) * 1000
        if answer.status_code != 202:
            return
        query = f"SELECT count(*) FROM alert_groups WHERE group_key = '{PAGE_KEY}'"
        engine = sqlalchemy.create_engine(database)
        try:
            with engine.connect() as connection:
                while time.monotonic() - answered < 600:
                    if connection.exec_driver_sql(query).scalar_one():
                        found["opened_ms"] = (time.monotonic() - answered) * 1000
                        return
                    connection.rollback()
                    time.sleep(0.02)
        finally:
            engine.dispose()

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    return thread, found


def start_worker(url: str, workdir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(WARROOM), "worker"], env=os.environ | {"WARROOM_DATABASE_URL": url,
        "WARROOM_PLAYBOOK": str(workdir / "playbook.yaml"), "WARROOM_SECRET": "bench"},
        stdout=(workdir / "worker.log").open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def drained(result: dict[str, Any], database: str, workdir: Path, pid: int) -> dict[str, Any]:
    """Wait for the inbox to be applied, then take the server's CPU by thread."""
    result["drain_s"] = applied_after(database, workdir)
    result["threads"] = cpu_by_thread(pid, result)
    return result


def applied_after(database: str, workdir: Path) -> float:
    """Seconds until the inbox was applied; in the `after` layout a worker does it now, so
    acceptance and application are measured apart."""
    worker = start_worker(database, workdir) if LAYOUT == "after" else None
    try:
        return inbox_drained_after(database)
    finally:
        if worker is not None:
            stop(worker)


def report(results: dict[str, dict[str, Any]], memory: dict[str, float], stored: int) -> None:
    rates = {}
    for name, result in results.items():
        per = BATCH if name.endswith("batch") else 1
        rates[name] = result["ok"] * per / (result["duration_us"] / 1e6)
        print(
            f"{name:15s} {rates[name]:10.0f} alerts/s  {result['req_s']:8.1f} req/s  "
            f"p50 {result['p50_us'] / 1000:7.1f} ms  p99 {result['p99_us'] / 1000:7.1f} ms  "
            f"non-2xx {result['non2xx']}  socket errors {result['errors']}"
        )
    for name in ("warroom_batch", "warroom_single"):
        result = results[name]
        seconds = result["duration_us"] / 1e6
        applied = rates[name] * seconds / (seconds + result["drain_s"])
        print(
            f"{name:15s} every accepted payload applied to incidents {result['drain_s']:.1f} s "
            f"after the run ended: {applied:.0f} alerts/s accepted and applied"
            + (
                f"; applying alone {rates[name] * seconds / result['drain_s']:.0f} alerts/s"
                if LAYOUT == "after" and result["drain_s"]
                else ""
            )
        )
    batch = rates["warroom_batch"] / rates["am_batch"]
    single = rates["warroom_single"] / rates["am_single"]
    print(f"ratio batch  (warroom/alertmanager): {batch:.2f}x (target >= 1.0x)")
    print(f"ratio single (warroom/alertmanager): {single:.2f}x (target >= 0.5x)")
    print(f"peak memory: warroom {memory['warroom']:.0f} MiB, "
          f"alertmanager {memory['alertmanager']:.0f} MiB")  # fmt: skip
    accepted = sum(
        (results[name]["ok"] + results[name].get("profiled_ok", 0)) * per
        for name, per in (("warroom_batch", BATCH), ("warroom_single", 1))
    )
    print(f"committed alert rows: {stored} (accepted by warroom: {accepted})")
    for name in ("warroom_batch", "warroom_single"):
        threads = ", ".join(f"{thread} {us:,.0f}" for thread, us in results[name]["threads"])
        print(f"{name:15s} server CPU µs per request by thread (/proc, until applied): {threads}")
    for name in ("warroom_batch", "warroom_single"):
        report_writer(name, results[name])
    if py_spy() is None:
        print("no profile: py-spy is not installed (pip install py-spy)")
        return
    print("py-spy, in a further run of each (sampling slows the server, so not the measured one):")
    for name in ("warroom_batch", "warroom_single"):
        holders = results[name].get("gil", [])
        threads = ", ".join(f"{thread} {share:.0%}" for thread, share in holders)
        print(f"{name:15s} GIL held at least {sum(s for _, s in holders):.0%} of the run: "
              f"{threads}")  # fmt: skip
    for name in ("warroom_batch", "warroom_single"):
        profile = results[name].get("profile", {})
        for kind, title in (("self", "self time"), ("warroom", "warroom code, inclusive")):
            print(f"py-spy {name}, top {title} (share of busy samples):")
            for frame, share in profile.get(kind, []):
                print(f"  {share:6.1%}  {frame}")


def report_writer(name: str, result: dict[str, Any]) -> None:
    """Who held SQLite's single writer during the run, and who waited for it, as shares of
    the run (a request is answered once its payload is committed: it waits with the inbox
    writer)."""
    seconds = result["duration_us"] / 1e6
    for kind, verb in (("held", "held by"), ("wait", "waited for by")):
        shares = sorted(
            ((thread, used / seconds) for (k, thread), used in result.get("writer", {}).items()
             if k == kind and used / seconds >= 0.01),
            key=lambda item: -item[1],
        )  # fmt: skip
        if shares:
            threads = ", ".join(f"{thread} {share:.0%}" for thread, share in shares)
            print(f"{name:15s} SQLite writer {verb} (share of the run): {threads}")


def report_page(page: dict[str, float]) -> None:
    if "opened_ms" not in page:
        print(f"page sent mid-storm: not opened (answered in {page.get('answer_ms', 0):.0f} ms)")
        return
    print(
        f"page sent mid-storm (a new group): answered in {page['answer_ms']:.0f} ms, "
        f"its incident opened {page['opened_ms']:.0f} ms after the answer"
    )


def main() -> None:
    for tool in ("wrk", "prometheus-alertmanager"):
        if shutil.which(tool) is None:
            print(f"skipped: {tool} is not installed (apt-get install {tool})")
            return
    where = "PostgreSQL" if os.environ.get("BENCH_POSTGRES_URL") else "SQLite (WAL)"
    print(f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s per run; warroom on {where}")
    if LAYOUT not in LAYOUTS:
        raise SystemExit(f"BENCH_LAYOUT is one of {', '.join(LAYOUTS)}")
    print(f"layout {LAYOUT}: {LAYOUTS[LAYOUT]}")
    print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        workdir = Path(tmp)
        database = database_url(workdir)
        server, url, keys = start_warroom(workdir, database)
        alertmanager, am_url = start_alertmanager(workdir)
        worker = start_worker(database, workdir) if LAYOUT == "worker" else None
        try:
            bearer = f'wrk.headers["Authorization"] = "Bearer {keys["alertmanager"]}"'
            runs = {
                "warroom_batch": (f"{url}/api/v1/integrations/alertmanager",
                                  {"batch": BATCH, "auth": bearer}),
                "warroom_single": (f"{url}/v2/enqueue", {"key": keys["pagerduty"]}),
            }  # fmt: skip

            def measured(name: str) -> dict[str, Any]:
                target, values = runs[name]
                result = measured_wrk(server.pid, name, target, workdir, **values)
                return drained(result, database, workdir, server.pid)

            probe, page = page_during_the_storm(url, keys["pagerduty"], database)
            results = {
                "warroom_batch": measured("warroom_batch"),
                "am_batch": wrk("am_batch", f"{am_url}/api/v2/alerts", workdir, batch=BATCH),
                "warroom_single": measured("warroom_single"),
                "am_single": wrk("am_single", f"{am_url}/api/v2/alerts", workdir),
            }
            probe.join(timeout=600)
            for name, (target, values) in runs.items():
                profiled = profiled_wrk(server.pid, name, target, workdir, **values)
                results[name] |= {key: profiled[key] for key in ("profile", "gil")}
                results[name]["profiled_ok"] = profiled["ok"]
                applied_after(database, workdir)
            memory = {
                "warroom": peak_rss_mib(server.pid),
                "alertmanager": peak_rss_mib(alertmanager.pid),
            }
        finally:
            stop(server)
            stop(alertmanager)
            if worker is not None:
                stop(worker)
        report(results, memory, count_rows(database, "alerts"))
        report_page(page)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
