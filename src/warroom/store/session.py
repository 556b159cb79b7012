"""Engines and units of work: one transaction per use case, SQLite or PostgreSQL."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Engine, Select, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from warroom.store import write_behind

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 64 * 1024  # page cache per connection at most (PRAGMA cache_size)
READ_ONLY = "warroom_read_only"


# a turn at SQLite's writer held this long gives way to a sender waiting for it: a request
# never waits behind a whole batch of applying or a timer turn
WRITER_SLICE_S = 0.02


class Database:
    """The engine plus a session factory; `unit_of_work()` commits or rolls back as one."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_options)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        write_behind.install(self._sessions)
        # SQLite has one writer: this process's threads take turns (`WriterTurns`) rather
        # than queue on SQLite's busy handler, which sleeps up to 100 ms between tries.
        self._turns = WriterTurns() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction; lines queued in `session.info["log_after_commit"]` as
        (logger, message) are logged once it has committed, never for a rollback."""
        with self.write_turn(), self._sessions() as session, session.begin():
            yield session
        for logger, line in session.info.pop("log_after_commit", []):
            logger.info(line)

    def write_turn(self, *, sender_waiting: bool = False) -> AbstractContextManager[object]:
        """This process's turn at SQLite's single writer (nothing on PostgreSQL), for code
        that writes through the engine rather than `unit_of_work()`. `sender_waiting`: a
        request is waiting for this commit, so it goes before other waiting writers."""
        if self._turns is None:
            return nullcontext()
        return self._turns.turn(urgent=sender_waiting)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only transaction: on SQLite it takes no write lock (deferred BEGIN), so
        reads never queue behind writers; anything written in it is rolled back."""
        with self._sessions() as session:
            session.connection(execution_options={READ_ONLY: True})
            try:
                yield session
            finally:
                session.rollback()

    def finds(self, statement: Select[Any]) -> bool:
        """Whether `statement` finds a row, read without a write turn: a poll looks before
        it claims, so that finding nothing to do never queues at SQLite's single writer
        behind the ones that have work (nor holds it)."""
        with self.reader() as session:
            return session.execute(statement.limit(1)).first() is not None

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def probe_write(self) -> None:
        """Write to a row that always exists and roll it back: raises when the database
        refuses writes (a read-only file or transaction), not only when it is down. The
        migrations' own version row serves, so the probe needs no table of its own."""
        with self.write_turn(), self.engine.connect() as connection, connection.begin() as tx:
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            tx.rollback()

    def senders_waited(self) -> int:
        """How often so far a sender (`write_turn(sender_waiting=True)`) found SQLite's
        writer taken and had to wait for it, in this process (with senders elsewhere, how
        many turns were taken); 0 on PostgreSQL."""
        return 0 if self._turns is None else self._turns.senders_waited()

    def sender_waits_on_turn(self, held_s: float = WRITER_SLICE_S) -> bool:
        """Whether the turn at SQLite's writer has been held over `held_s` while a sender
        waits for it (the holder should commit and let it in); False on PostgreSQL."""
        return self._turns is not None and self._turns.urgent_waits_on(held_s)

    def expect_senders_elsewhere(self) -> None:
        """Other processes commit requests to this SQLite file (`serve --workers N`, or a
        `worker` beside `serve`): their waits for the writer cannot be seen from here, so
        every turn is taken as one a sender may have waited for."""
        if self._turns is not None:
            self._turns.senders_elsewhere = True

    def writer_time(self) -> dict[str, tuple[float, float]]:
        """Seconds each kind of thread has waited for and held SQLite's single writer in
        this process (`WriterTurns.time_by_role`); nothing on PostgreSQL."""
        return {} if self._turns is None else self._turns.time_by_role()

    def dispose(self) -> None:
        self.engine.dispose()


class WriterTurns:
    """Turns at SQLite's single writer for one process's threads, handed from one holder to
    the next waiting one rather than raced for (a thread releasing and taking the lock again
    at once would win nearly every time). An urgent turn (a sender waiting for its answer)
    goes first, but never twice in a row while another writer waits: neither side starves.
    Re-entrant, as a thread's nested unit of work takes the turn it already holds. Keeps
    how long each kind of thread waited for its turns and held them: requests wait for the
    writer to commit their alerts, so its contention is the intake's to watch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._last_urgent = False
        self._granted_at = 0.0
        self._waiting: deque[_Waiter] = deque()
        self._time: dict[str, list[float]] = {}  # thread role -> [seconds waited, held]
        self.urgent_waits = 0  # urgent turns that found the writer taken
        self.granted = 0  # outermost turns taken
        self.senders_elsewhere = False  # other processes' senders share the writer

    @contextmanager
    def turn(self, *, urgent: bool = False) -> Iterator[None]:
        asked = time.perf_counter()
        outermost = self._take(urgent)
        granted = time.perf_counter()
        try:
            yield
        finally:
            released = time.perf_counter()
            self._give_back()
            if outermost:
                self._note(granted - asked, released - granted)

    def urgent_waits_on(self, held_s: float) -> bool:
        """The current turn has been held over `held_s` and an urgent turn waits (or may,
        in another process)."""
        with self._lock:
            if time.perf_counter() - self._granted_at <= held_s:
                return False
            return self.senders_elsewhere or any(waiter.urgent for waiter in self._waiting)

    def senders_waited(self) -> int:
        return self.granted if self.senders_elsewhere else self.urgent_waits

    def time_by_role(self) -> dict[str, tuple[float, float]]:
        """(seconds waited, seconds held) by thread role: its name without a trailing number
        (`warroom-timers-0` -> `warroom-timers`), so pool threads add up to one role."""
        with self._lock:
            return {role: (waited, held) for role, (waited, held) in self._time.items()}

    def _note(self, waited: float, held: float) -> None:
        role = _role(threading.current_thread().name)
        with self._lock:
            total = self._time.setdefault(role, [0.0, 0.0])
            total[0] += waited
            total[1] += held

    def _take(self, urgent: bool) -> bool:
        """Wait for the turn; whether it is this thread's outermost one."""
        me = threading.get_ident()
        with self._lock:
            if self._owner == me:
                self._depth += 1
                return False
            if self._owner is None and not self._waiting:
                self._grant(me, urgent)
                return True
            waiter = _Waiter(me, urgent)
            self._waiting.append(waiter)
            self.urgent_waits += urgent
        waiter.granted.wait()
        return True

    def _give_back(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiting:
                chosen = self._next()
                self._waiting.remove(chosen)
                self._grant(chosen.thread, chosen.urgent)
                chosen.granted.set()

    def _next(self) -> _Waiter:
        """The first urgent waiter, unless the last turn was urgent and another waits."""
        urgent = [w for w in self._waiting if w.urgent]
        others = [w for w in self._waiting if not w.urgent]
        if urgent and not (others and self._last_urgent):
            return urgent[0]
        return others[0]

    def _grant(self, thread: int, urgent: bool) -> None:
        self._owner, self._depth, self._last_urgent = thread, 1, urgent
        self._granted_at = time.perf_counter()
        self.granted += 1


_ROLE_NUMBER = re.compile(r"[-_ ]?\d+$")


@lru_cache(maxsize=256)
def _role(thread_name: str) -> str:
    """A thread's name without its trailing number; remembered, as every turn asks."""
    return _ROLE_NUMBER.sub("", thread_name)


@dataclass
class _Waiter:
    thread: int
    urgent: bool
    granted: threading.Event = field(default_factory=threading.Event)


def log_after_commit(session: Session, logger: logging.Logger, line: str) -> None:
    """Log `line` once the session's transaction commits; a rollback drops it."""
    session.info.setdefault("log_after_commit", []).append((logger, line))


def json_text(value: Any) -> str:
    """JSON text for storing: orjson, about a tenth of json.dumps's time on alert labels
    (three values an alert), and json.dumps for what orjson refuses (integers beyond 64
    bits, keys that are not text). Timestamps as ISO 8601 either way."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, default=_timestamp_text)


def _timestamp_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def make_engine(url: str, **options: Any) -> Engine:
    options.setdefault("json_serializer", json_text)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **options)
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", 10)
    # bulk inserts are sent as multi-row statements of this many rows, short enough for
    # psycopg's statement cache (alerts go as one JSON parameter: `store.alert_rows`)
    options.setdefault("insertmanyvalues_page_size", 30)
    options.setdefault("max_overflow", 20)
    return create_engine(url, **options)


def _sqlite_engine(url: str, **options: Any) -> Engine:
    """SQLite in WAL mode with a busy timeout; writes take the lock up front (BEGIN
    IMMEDIATE) so two writers queue instead of failing on a lock upgrade."""
    connect_args = options.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(url, connect_args=connect_args, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # checkpoint every ~40 MB of WAL, not 4 MB: fewer fsyncs in the committing thread;
        # the WAL file is that much larger at most
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        # up to 64 MiB of pages per connection, not 2: alert rows go into a unique index at
        # random places, and a cache that holds the index spares rereading its pages. Pages are
        # cached only as a connection reads or writes them: an idle connection stays small,
        # a busy one (the applier, the inbox writer) grows to the limit.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
