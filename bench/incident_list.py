"""The incident list walked page by page: 20,000 incidents, every page of 100, newest first.

Keyset pages (what GET /api/v1/incidents does: each page starts after the last row of the
one before) against the peer, the naive OFFSET walk (page n skips n x 100 rows), on a fresh
SQLite file and on the PostgreSQL bench database, with the same generated incidents.
Prints each walk's time, the ratio, and the deepest page's time alone: with the rows
loaded as the API loads them (objects), and as plain rows (the database's part).

    .venv/bin/python -m bench incident_list
    BENCH_INCIDENTS=N to change the count; WARROOM_BENCH_POSTGRES_URL names the PostgreSQL
    database (its schema is dropped and made anew).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, create_engine, delete, insert, text
from sqlalchemy.orm import Session

from warroom.core.playbook_file import load_playbook
from warroom.store.incident_list import IncidentFilter, ListPosition, page_statement
from warroom.store.migrate import upgrade
from warroom.store.models import Incident
from warroom.store.session import Database

POSTGRES_URL = os.environ.get(
    "WARROOM_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/warroom_post"
)
INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "20000"))
PAGE = 100
BATCH = 5_000
START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 86400
EVERYTHING = IncidentFilter(status="all")
DECLARE_EVERY = 10  # pages walked between two declarations, in the drift walk
DEEPEST_RUNS = 20

Fetch = Callable[[Session, Select[Incident]], list[Any]]
Step = Callable[[Session, Fetch, Any, int], list[Any]]
Reads = Callable[[], AbstractContextManager[Session]]


def _incident(n: int, rng: random.Random, services: list[str]) -> dict[str, Any]:
    """Declared at whole minutes, so that some share their declaration time (ties)."""
    declared = START + timedelta(minutes=rng.randrange(SPAN_SECONDS // 60))
    resolved = declared + timedelta(seconds=rng.randrange(600, 6 * 3600))
    return {
        "id": n,
        "reference": f"{declared:%Y-%m-%d}-{n:06d}",
        "channel": f"incident-{n}",
        "title": f"Generated incident {n}",
        "summary": "",
        "severity": rng.choice((1, 2, 2, 3, 3, 3, 4)),
        "status": "resolved" if rng.random() < 0.97 else "investigating",
        "source": "manual",
        "services": rng.sample(services, k=rng.randint(1, 2)),
        "roles": {},
        "impact": {},
        "drill": False,
        "retrospective": True,
        "detected_at": declared,
        "declared_at": declared,
        "acknowledged_at": declared + timedelta(minutes=5),
        "acknowledged_by": "bench",
        "mitigated_at": resolved,
        "resolved_at": resolved,
        "resolution": "fixed",
        "root_cause": None,
        "last_event_at": resolved,
        "event_count": 0,
    }


def seed(db: Database, services: list[str]) -> float:
    rng = random.Random(20)
    started = time.perf_counter()
    with db.engine.begin() as connection:
        for first in range(1, INCIDENTS + 1, BATCH):
            numbers = range(first, min(first + BATCH, INCIDENTS + 1))
            connection.execute(insert(Incident), [_incident(n, rng, services) for n in numbers])
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def as_objects(session: Session, statement: Select[Incident]) -> list[Any]:
    """The rows as the API loads them: ORM objects."""
    return list(session.execute(statement).scalars())


def as_rows(session: Session, statement: Select[Incident]) -> list[Any]:
    """The database's part alone: plain rows, no objects made."""
    return list(session.connection().execute(statement))


def keyset_page(session: Session, fetch: Fetch, last: Any | None, _seen: int) -> list[Any]:
    """The next page as the API reads it: just after the last row seen."""
    after = None if last is None else ListPosition(last.declared_at, last.id)
    return fetch(session, page_statement(session, EVERYTHING, after, PAGE))


def offset_page(session: Session, fetch: Fetch, _last: Any | None, seen: int) -> list[Any]:
    """The peer: the same query and order, skipping the rows seen so far."""
    return fetch(session, page_statement(session, EVERYTHING, None, PAGE).offset(seen))


def walk(
    reads: Reads, step: Step, fetch: Fetch, after_page: Callable[[int], None] | None = None
) -> list[int]:
    """Every page to the end: the ids seen, in order."""
    ids: list[int] = []
    last, pages = None, 0
    while True:
        with reads() as session:
            rows = step(session, fetch, last, len(ids))
        if not rows:
            return ids
        ids += [row.id for row in rows]
        last, pages = rows[-1], pages + 1
        if after_page is not None:
            after_page(pages)


def timed_walk(db: Database, step: Step, fetch: Fetch) -> float:
    """The whole walk's time in one read, best of three."""
    runs = []
    for _ in range(3):
        with db.reader() as session:
            started = time.perf_counter()
            ids = walk(lambda: nullcontext(session), step, fetch)
            runs.append(time.perf_counter() - started)
        assert len(ids) == INCIDENTS, f"the walk saw {len(ids)} of {INCIDENTS}"
    return min(runs)


def deepest_page(db: Database, fetch: Fetch) -> tuple[float, float]:
    """The last page alone, keyset and OFFSET, best of DEEPEST_RUNS each."""
    with db.reader() as session:
        first = page_statement(session, EVERYTHING, None, PAGE)
        before = session.execute(first.offset(INCIDENTS - PAGE - 1).limit(1)).scalar_one()
        after = ListPosition(before.declared_at, before.id)
        keyset = page_statement(session, EVERYTHING, after, PAGE)
        offset = first.offset(INCIDENTS - PAGE)
        assert [r.id for r in fetch(session, keyset)] == [r.id for r in fetch(session, offset)]
        return _best(lambda: fetch(session, keyset)), _best(lambda: fetch(session, offset))


def _best(run: Callable[[], object]) -> float:
    times = []
    for _ in range(DEEPEST_RUNS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def compare(db: Database, fetch: Fetch) -> str:
    keyset, offset = timed_walk(db, keyset_page, fetch), timed_walk(db, offset_page, fetch)
    keyset_last, offset_last = deepest_page(db, fetch)
    return (
        f"keyset walk {keyset:.3f} s, OFFSET walk {offset:.3f} s ({offset / keyset:.1f}x); "
        f"last page {keyset_last * 1000:.2f} ms keyset, {offset_last * 1000:.2f} ms OFFSET "
        f"({offset_last / keyset_last:.1f}x)"
    )


def while_declaring(db: Database, step: Step, services: list[str]) -> tuple[int, int]:
    """A walk of one read per page (as each API request is) while an incident is declared
    every DECLARE_EVERY pages: rows seen twice, and incidents stored before it never seen."""
    rng = random.Random(1)
    newest = START + timedelta(seconds=SPAN_SECONDS + 60)

    def declare(pages: int) -> None:
        if pages % DECLARE_EVERY == 0:
            row = _incident(INCIDENTS + pages, rng, services) | {"declared_at": newest}
            with db.engine.begin() as connection:
                connection.execute(insert(Incident), [row])

    ids = walk(db.reader, step, as_rows, declare)
    with db.engine.begin() as connection:
        connection.execute(delete(Incident).where(Incident.id > INCIDENTS))
    return len(ids) - len(set(ids)), INCIDENTS - len({i for i in ids if i <= INCIDENTS})


def drift(db: Database, services: list[str]) -> str:
    keyset = while_declaring(db, keyset_page, services)
    offset = while_declaring(db, offset_page, services)
    return (
        f"seen twice {keyset[0]}, never seen {keyset[1]} keyset; "
        f"seen twice {offset[0]}, never seen {offset[1]} OFFSET"
    )


def _fresh_postgres() -> bool:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return True
    except Exception as exc:
        print(f"PostgreSQL unavailable ({exc.__class__.__name__}); SQLite only")
        return False


def main() -> None:
    services = list(load_playbook().services) or ["api"]
    print(
        f"{INCIDENTS:,} incidents, every page of {PAGE}, newest first "
        f"(walks best of 3, the last page best of {DEEPEST_RUNS})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if _fresh_postgres():
            targets.append(("postgresql", POSTGRES_URL))
        for label, url in targets:
            db = Database(url)
            upgrade(db.engine)
            seeded = seed(db, services)
            print(f"{label:>10}: seeded in {seeded:.1f} s")
            print(f"{'':>10}  as the API loads them (objects): {compare(db, as_objects)}")
            print(f"{'':>10}  the database alone (rows):       {compare(db, as_rows)}")
            print(f"{'':>10}  one read a page, declaring meanwhile: {drift(db, services)}")
            db.dispose()
