"""The door under a 200 MB POST with no credentials: a real `warroom serve` (SQLite) gets the
request from a raw socket while its RSS is sampled every 5 ms, for the API (no token) and
the sign-in form (no origin), each with a Content-Length and chunked. Issue 18's goal: within
20 MB of idle. Peer figure: the server before issue 18 grew from 124 to 503 MB.

Run: `.venv/bin/python -m bench door_memory`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PORT = 18931
SIZE = 200 * 2**20
CHUNK = b"x" * 65536
CASES = (
    ("/api/v1/incidents", False),
    ("/api/v1/incidents", True),
    ("/ui/login", False),
    ("/ui/login", True),
)


def _warroom() -> str:
    return str(Path(sys.executable).with_name("warroom"))


def _rss(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _wait_for_port() -> None:
    for _ in range(200):  # bounded: 20 s at most
        try:
            socket.create_connection(("127.0.0.1", PORT)).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("warroom serve did not start")


def _post(path: str, chunked: bool) -> bytes:
    with socket.create_connection(("127.0.0.1", PORT)) as conn:
        head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        head += (
            "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {SIZE}\r\n\r\n"
        )
        conn.sendall(head.encode())
        piece = b"10000\r\n" + CHUNK + b"\r\n" if chunked else CHUNK
        try:
            for _ in range(SIZE // len(CHUNK)):  # bounded by the body's size
                conn.sendall(piece)
        except OSError:
            pass  # the server closed the connection: what it should do
        conn.settimeout(5)
        try:
            return conn.recv(200)[:15]
        except OSError as exc:
            return repr(exc).encode()


def measure(path: str, chunked: bool) -> str:
    tmp = tempfile.mkdtemp()
    env = {**os.environ, "WARROOM_DATABASE_URL": f"sqlite:///{tmp}/w.db"}
    server = subprocess.Popen(
        [_warroom(), "serve", "--port", str(PORT)],
        env=env,
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port()
        time.sleep(2)
        idle = _rss(server.pid)
        peak, done = [idle], threading.Event()

        def sample() -> None:
            while not done.wait(0.005):
                peak[0] = max(peak[0], _rss(server.pid))

        threading.Thread(target=sample, daemon=True).start()
        answer = _post(path, chunked)
        time.sleep(0.5)
        done.set()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    mib = 2**20
    shape = "chunked" if chunked else "length"
    said = answer.decode(errors="replace")
    growth = (peak[0] - idle) / mib
    return (
        f"{path:<18} {shape:<8} answer {said!r:<18} idle {idle / mib:6.1f} MB"
        f"  peak {peak[0] / mib:6.1f} MB  growth {growth:4.1f} MB"
    )


def main() -> None:
    for path, chunked in CASES:
        print(measure(path, chunked), flush=True)
    print("goal: growth within 20 MB of idle; before issue 18: 124 -> 503 MB")


if __name__ == "__main__":
    main()
