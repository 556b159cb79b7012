"""Paging under a burst (issue 21): N Sev1 incidents declared at once through the API, their
pages delivered by real warroom processes to a real SMTP server (aiosmtpd) and an HTTP webhook
receiver, each sink in its own process on 127.0.0.1, with a compressed playbook (10 min = 2 s).

Layouts: `sqlite` (`warroom serve` on a fresh SQLite file, its scheduler delivering) and
`postgresql` (`warroom serve --no-scheduler` plus two `warroom worker` on BENCH_PG_URL, whose
`public` schema is DROPPED and recreated: point it at a scratch database; skipped when it does
not answer). Prints per layout the messages/s received at the sinks, declare-to-delivery of the
incident commander's first page, the lag of the next contact (the IC's second contact method,
due next_contact_after later) after it fell due, how many incidents got each, duplicates and
missing counts, and how many of the incidents resolved through the API while their pages
were still being delivered; and, as the peer, the sinks' own ceiling measured alone in the
same run (K emails through smtplib on one connection, K webhook POSTs through one httpx
client).

Run: `python -m bench storm` (env: BENCH_STORM_N=200 incidents, BENCH_STORM_WAIT_S=60 bounded
wait for the sinks, BENCH_STORM_CEILING_K=1000 messages per sink for the ceiling,
BENCH_STORM_THREADS=16 declaring threads, BENCH_STORM_LAYOUTS=sqlite,postgresql, BENCH_PG_URL;
the layout `sqlite-serve2`, not run by default, is `warroom serve --workers 2` on SQLite: the
API in two processes, the scheduler in the one that starts them). Each layout also prints
where the machine's CPU went over the burst, process by process (`bench/proc_cpu.py`).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import text

from bench.proc_cpu import CpuWatch, family, named_pids
from warroom.core.durations import parse_duration
from warroom.core.playbook_file import load_playbook
from warroom.store.session import Database

N = int(os.environ.get("BENCH_STORM_N", "200"))
WAIT_S = float(os.environ.get("BENCH_STORM_WAIT_S", "60"))
CEILING_K = int(os.environ.get("BENCH_STORM_CEILING_K", "1000"))
THREADS = int(os.environ.get("BENCH_STORM_THREADS", "16"))
LAYOUTS = os.environ.get("BENCH_STORM_LAYOUTS", "sqlite,postgresql").split(",")
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/warroom_storm"
)
WARROOM = str(Path(sys.executable).parent / "warroom")
SCALE = 300  # 10 min of playbook time = 2 s of bench time
DURATION_KEYS = {
    "response_time", "resolution_target", "update_every", "after", "next_contact_after",
    "every", "postmortem_due", "follow_up_review", "reopen_window",
}  # fmt: skip
IC = "sre-lead"  # the built-in playbook's incident commander: phone first, then slack
IC_FIRST, IC_NEXT = f"/p/{IC}.phone", f"/p/{IC}.slack"
REFERENCE = re.compile(r"\b\d{4}-\d{2}-\d{2}-\d{3,}\b")
GOAL_P99_S, GOAL_RATE = 2.0, 500.0


def main() -> None:
    print(
        f"incidents={N} Sev1 at once, wait<={WAIT_S:.0f}s, playbook 10 min = 2 s, "
        f"{THREADS} declaring threads",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        smtp_s, hook_s = ceiling(work)
        print(
            f"peer (sinks alone, {CEILING_K} each, one client): SMTP {smtp_s:.0f} msg/s "
            f"(smtplib, one connection), webhook {hook_s:.0f} msg/s (httpx keep-alive)",
            flush=True,
        )
        if "sqlite" in LAYOUTS:
            run("sqlite", f"sqlite:///{work / 'storm.db'}", 0, work / "sqlite")
        if "sqlite-serve2" in LAYOUTS:  # the scheduler in a process of its own, by SPEC §1
            url = f"sqlite:///{work / 'storm2.db'}"
            run("sqlite-serve2", url, 0, work / "sqlite-serve2", serving=2)
        if "postgresql" in LAYOUTS:
            run_postgresql(work)
    print(
        f"goals: IC first page p99 <= {GOAL_P99_S:.0f} s after due, next contact p99 <= "
        f"{GOAL_P99_S:.0f} s after due, >= {GOAL_RATE:.0f} msg/s per worker; "
        "no duplicate, none missing"
    )


def run_postgresql(work: Path) -> None:
    if not _answers(PG_URL):
        print("postgresql: skipped (no server at BENCH_PG_URL)")
        return
    _reset_pg(PG_URL)
    run("postgresql", PG_URL, 2, work / "postgresql")


# -- the sinks, each in its own process -------------------------------------------------------


def _smtp_sink(port: int, log: str, ready: Any, stop: Any) -> None:
    from aiosmtpd.controller import Controller

    out = open(log, "a", encoding="utf-8")  # noqa: SIM115 - closed below, the process's own
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received = time.time()
            content = envelope.content if isinstance(envelope.content, bytes) else b""
            found = REFERENCE.search(content.decode("utf-8", "replace"))
            record = {
                "t": received, "sink": "smtp", "to": ",".join(envelope.rcpt_tos),
                "ref": found.group(0) if found else None, "hash": _body_hash(content),
            }  # fmt: skip
            with lock:
                out.write(json.dumps(record) + "\n")
                out.flush()
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        stop.wait(3600)
    finally:
        controller.stop()
        out.close()


def _hook_sink(port: int, log: str, ready: Any, stop: Any) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    out = open(log, "a", encoding="utf-8")  # noqa: SIM115 - closed below, the process's own
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive for the clients that reuse connections

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received = time.time()
            found = REFERENCE.search(body.decode("utf-8", "replace"))
            record = {
                "t": received, "sink": "hook", "to": self.path,
                "ref": found.group(0) if found else None,
                "hash": _body_hash(body),
            }  # fmt: skip
            with lock:
                out.write(json.dumps(record) + "\n")
                out.flush()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ready.set()
    try:
        stop.wait(3600)
    finally:
        server.shutdown()
        server.server_close()
        out.close()


def _body_hash(content: bytes) -> str:
    """The message without its transport headers (Date, Message-ID differ per attempt)."""
    head, sep, body = content.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = content.partition(b"\n\n")
    subject = b"".join(line for line in head.splitlines() if line.lower().startswith(b"subject"))
    return hashlib.sha256(subject + b"\n" + (body if sep else content)).hexdigest()[:16]


@contextmanager
def sinks(work: Path, pids: dict[str, int] | None = None) -> Iterator[tuple[int, int, Path, Path]]:
    """Both sinks started in their own processes; yields their ports and record files, and
    fills `pids` (if given) with each sink's process id."""
    work.mkdir(parents=True, exist_ok=True)
    mp = multiprocessing.get_context("spawn")
    stop = mp.Event()
    smtp_port, hook_port = free_port(), free_port()
    smtp_log, hook_log = work / "smtp.jsonl", work / "hook.jsonl"
    processes = []
    try:
        for target, port, log in (
            (_smtp_sink, smtp_port, smtp_log),
            (_hook_sink, hook_port, hook_log),
        ):
            ready = mp.Event()
            process = mp.Process(target=target, args=(port, str(log), ready, stop), daemon=True)
            process.start()
            processes.append(process)
            if pids is not None and process.pid is not None:
                pids[target.__name__.strip("_")] = process.pid
            if not ready.wait(30):
                raise RuntimeError(f"sink {target.__name__} did not start")
        yield smtp_port, hook_port, smtp_log, hook_log
    finally:
        stop.set()
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)


def records(*logs: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for log in logs:
        if log.exists():
            for line in log.read_text("utf-8").splitlines():
                with suppress(ValueError):
                    found.append(json.loads(line))
    return found


def ceiling(work: Path) -> tuple[float, float]:
    """The sinks alone: K emails with smtplib on one connection, K POSTs on one httpx client."""
    with sinks(work / "ceiling") as (smtp_port, hook_port, smtp_log, hook_log):
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            for n in range(CEILING_K):
                message = EmailMessage()
                message["From"], message["To"] = "bench@localhost", f"p{n}@localhost"
                message["Subject"] = f"ceiling {n}"
                message.set_content(f"ceiling message {n}")
                smtp.send_message(message)
        smtp_s = CEILING_K / (time.perf_counter() - started)
        started = time.perf_counter()
        with httpx.Client(base_url=f"http://127.0.0.1:{hook_port}", timeout=10) as client:
            for n in range(CEILING_K):
                client.post(f"/ceiling/{n}", json={"title": f"ceiling {n}", "n": n})
        hook_s = CEILING_K / (time.perf_counter() - started)
        got = len(records(smtp_log)), len(records(hook_log))
    if got != (CEILING_K, CEILING_K):
        print(f"peer: the sinks recorded {got[0]} emails and {got[1]} POSTs of {CEILING_K}")
    return smtp_s, hook_s


# -- the playbook -----------------------------------------------------------------------------


def compressed_playbook(path: Path, smtp_port: int, hook_port: int) -> timedelta:
    """The built-in playbook (`warroom playbook export`) with every duration divided by SCALE
    and every contact sent to one of the two sinks; returns the compressed next_contact_after."""
    exported = subprocess.run(
        [WARROOM, "playbook", "export"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    data = yaml.safe_load(exported)
    _compress(data)
    for person_id, person in data["people"].items():
        for contact in person["contacts"]:
            if contact["method"] != "email":  # a path segment the webhook sink records
                contact["address"] = f"{person_id}.{contact['method']}"
    hook = f"json://127.0.0.1:{hook_port}/p/{{address}}"
    data["channels"] = {
        "email": f"mailto://127.0.0.1:{smtp_port}?from=warroom@localhost&to={{address}}",
        **dict.fromkeys(("webhook", "slack", "sms", "phone"), hook),
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    check = subprocess.run(
        [WARROOM, "playbook", "check", str(path)], capture_output=True, text=True, timeout=60
    )
    if check.returncode != 0:
        raise RuntimeError(f"warroom playbook check failed: {check.stdout}{check.stderr}")
    return load_playbook(path).contact_protocol.next_contact_after


def _compress(node: Any) -> None:
    if not isinstance(node, dict | list):
        return
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if key in DURATION_KEYS and isinstance(value, str):
            seconds = max(1, round(parse_duration(value).total_seconds() / SCALE))
            node[key] = f"{seconds}s"
        elif isinstance(value, dict | list):
            _compress(value)


# -- one layout -------------------------------------------------------------------------------


def run(name: str, url: str, workers: int, work: Path, serving: int = 1) -> None:
    sink_pids: dict[str, int] = {}
    with sinks(work, sink_pids) as (smtp_port, hook_port, smtp_log, hook_log):
        playbook = work / "playbook.yaml"
        next_after = compressed_playbook(playbook, smtp_port, hook_port).total_seconds()
        port = free_port()
        env = {
            **os.environ,
            "WARROOM_DATABASE_URL": url,
            "WARROOM_PLAYBOOK": str(playbook),
            "WARROOM_SECRET": "bench-storm",
            "WARROOM_URL": f"http://127.0.0.1:{port}",
            "WARROOM_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        started: list[subprocess.Popen[bytes]] = []
        try:
            serve = ["serve", "--port", str(port)] + (["--no-scheduler"] if workers else [])
            serve += ["--workers", str(serving)] if serving > 1 else []
            started.append(_start(serve, env, work / "serve.log"))
            base = f"http://127.0.0.1:{port}"
            _wait_http(f"{base}/healthz", started[0])
            for n in range(workers):
                started.append(_start(["worker"], env, work / f"worker{n}.log"))
            token = subprocess.run(
                [WARROOM, "token", "create", "--name", "storm", "--role", "admin"],
                env=env, check=True, capture_output=True, text=True, timeout=60,
            ).stdout.strip()  # fmt: skip
            time.sleep(2 if workers else 0.5)  # the workers' start-up (imports) before the burst
            burst_started = time.time()
            with _cpu_watch(started, sink_pids, pg=workers > 0) as watch:
                declared, failed, latencies = declare(base, token)
                _wait_for_pages(declared, smtp_log, hook_log)
            unresolved, resolve_latencies = resolve(base, token, list(declared))
        finally:
            for process in started:
                _stop(process)
        burst = max(declared.values(), default=burst_started) - burst_started
        print(
            f"{name}: the burst took {burst:.2f}s; API declare latency {_figures(latencies)}",
            flush=True,
        )
        report(name, workers, declared, failed, next_after, records(smtp_log, hook_log))
        watch.report("declaring until the last page landed")
        print(
            f"  resolved under the storm (pages still flowing): {len(declared) - unresolved}/"
            f"{len(declared)}, failed or timed out {unresolved}; API latency "
            f"{_figures(resolve_latencies)}",
            flush=True,
        )


def _cpu_watch(
    started: list[subprocess.Popen[bytes]], sink_pids: dict[str, int], pg: bool
) -> CpuWatch:
    groups: dict[str, Callable[[], list[int]]] = {"serve": lambda: family(started[0].pid)}
    for n, worker in enumerate(started[1:]):
        groups[f"worker{n}"] = _just(worker.pid)
    if pg:
        groups["postgresql"] = lambda: named_pids("postgres")
    for sink, pid in sink_pids.items():
        groups[sink] = _just(pid)
    groups["bench"] = lambda: [os.getpid()]  # declaring threads, reading the sinks' records
    return CpuWatch(groups)


def _just(pid: int) -> Callable[[], list[int]]:
    return lambda: [pid]


def declare(base: str, token: str) -> tuple[dict[str, float], int, list[float]]:
    """N Sev1 incidents at once; reference -> when the API answered the declaration, the
    failures, and each declaration's API latency."""
    declared: dict[str, float] = {}
    latencies: list[float] = []
    with _api_client(base, token) as client:

        def one(n: int) -> tuple[str, float, float] | None:
            sent = time.perf_counter()
            try:
                answer = client.post(
                    "/api/v1/incidents", json={"title": f"Storm outage {n}", "severity": 1}
                )
            except httpx.HTTPError:
                return None
            if answer.status_code >= 300:
                return None
            return str(answer.json()["reference"]), time.time(), time.perf_counter() - sent

        with ThreadPoolExecutor(THREADS) as pool:
            for result in pool.map(one, range(N)):
                if result:
                    declared[result[0]] = result[1]
                    latencies.append(result[2])
    return declared, N - len(declared), latencies


def resolve(base: str, token: str, references: list[str]) -> tuple[int, list[float]]:
    """Resolve every incident through the API at once, while delivery is still busy with
    their pages (issue 21 saw 500s and timeouts here on PostgreSQL): how many did not
    answer 2xx, and each resolution's API latency."""
    latencies: list[float] = []
    failures: list[str] = []
    with _api_client(base, token) as client:

        def one(reference: str) -> float | None:
            sent = time.perf_counter()
            try:
                answer = client.post(
                    f"/api/v1/incidents/{reference}/resolve", json={"resolution": "storm over"}
                )
            except httpx.HTTPError as error:
                failures.append(type(error).__name__)
                return None
            if answer.status_code >= 300:
                failures.append(f"{answer.status_code} {answer.text[:120]}")
                return None
            return time.perf_counter() - sent

        with ThreadPoolExecutor(THREADS) as pool:
            latencies = [t for t in pool.map(one, references) if t is not None]
    for failure in sorted(set(failures))[:5]:
        print(f"  a resolution failed: {failure}", flush=True)
    return len(references) - len(latencies), latencies


def _api_client(base: str, token: str) -> httpx.Client:
    """One keep-alive connection per calling thread to warroom's API."""
    limits = httpx.Limits(max_connections=THREADS, max_keepalive_connections=THREADS)
    return httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60, limits=limits
    )


def _wait_for_pages(declared: dict[str, float], smtp_log: Path, hook_log: Path) -> None:
    """Bounded: until every incident has its IC's first and next page, or WAIT_S is over."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        got = records(hook_log)
        first = {r["ref"] for r in got if r["to"] == IC_FIRST}
        nxt = {r["ref"] for r in got if r["to"] == IC_NEXT}
        if set(declared) <= first and set(declared) <= nxt:
            time.sleep(1)  # let what is in flight land, to count duplicates
            return
        time.sleep(0.5)


def report(
    name: str,
    workers: int,
    declared: dict[str, float],
    failed: int,
    next_after: float,
    got: list[dict[str, Any]],
) -> None:
    ours = [r for r in got if r["ref"] in declared]
    first_at: dict[str, float] = {}
    next_at: dict[str, float] = {}
    for r in sorted(ours, key=lambda r: r["t"]):
        if r["to"] == IC_FIRST:
            first_at.setdefault(r["ref"], r["t"])
        elif r["to"] == IC_NEXT:
            next_at.setdefault(r["ref"], r["t"])
    first_lag = [first_at[ref] - at for ref, at in declared.items() if ref in first_at]
    next_lag = [next_at[ref] - (at + next_after) for ref, at in declared.items() if ref in next_at]
    copies = Counter((r["sink"], r["to"], r["hash"]) for r in got)
    duplicates = sum(count - 1 for count in copies.values() if count > 1)
    span = max((r["t"] for r in got), default=0) - min(declared.values(), default=0)
    rate = len(got) / span if got and span > 0 else 0.0
    per_worker = rate / max(workers, 1)
    by_sink = Counter(r["sink"] for r in got)
    per_second = Counter(int(r["t"]) for r in got)
    peak = max(per_second.values(), default=0)
    layout = f"{workers} x warroom worker" if workers else "warroom serve (its scheduler)"
    print(
        f"{name} ({layout}): declared {len(declared)}/{N} (failed {failed}); "
        f"sinks got {len(got)} messages (smtp {by_sink['smtp']}, webhook {by_sink['hook']}, "
        f"{len(ours)} naming a storm incident) over {span:.1f}s = {rate:.0f} msg/s, "
        f"busiest second {peak} "
        f"({per_worker:.0f} per delivering process; goal >= {GOAL_RATE:.0f})",
        flush=True,
    )
    print(
        f"  IC first page, declare->delivery: {_figures(first_lag)}; "
        f"{len(first_at)}/{len(declared)} got it, missing {len(declared) - len(first_at)} "
        f"(goal p99 <= {GOAL_P99_S:.0f}s)",
        flush=True,
    )
    print(
        f"  IC next contact ({next_after:.0f}s later), lag after due: {_figures(next_lag)}; "
        f"{len(next_at)}/{len(declared)} got it, missing {len(declared) - len(next_at)} "
        f"(goal p99 <= {GOAL_P99_S:.0f}s)",
        flush=True,
    )
    print(f"  duplicates at the sinks: {duplicates}", flush=True)


def _figures(values: list[float]) -> str:
    if not values:
        return "none"
    return f"p50 {_pct(values, 50):.2f}s p99 {_pct(values, 99):.2f}s max {max(values):.2f}s"


# -- helpers ----------------------------------------------------------------------------------


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([WARROOM, *argv], env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"warroom exited with {process.returncode} before answering")
        with suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pct(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _answers(url: str) -> bool:
    try:
        Database(url).ping()
    except Exception:
        return False
    return True


def _reset_pg(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.dispose()
