"""What every service function needs: the database, the playbook and the clock, and the
state one process keeps between requests and loop turns (its `Runtime`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from warroom.clock import Clock, SystemClock
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import load_playbook
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.session import Database

Part = TypeVar("Part")
Result = TypeVar("Result")
Args = ParamSpec("Args")


class Runtime:
    """The composition root's state: one instance of each part (a cache, a wake-up signal,
    a hand-over between threads), made on first use and kept for the context's life.
    Nothing of the kind lives at module level, so every context (each test's too) starts
    afresh, and the API and the scheduler of one `serve` share theirs."""

    def __init__(self) -> None:
        self._parts: dict[type, object] = {}
        self._lock = threading.Lock()

    def part(self, kind: type[Part]) -> Part:
        """This runtime's `kind`, made with no arguments the first time."""
        with self._lock:
            found = self._parts.get(kind)
            if found is None:
                found = self._parts[kind] = kind()
        assert isinstance(found, kind)
        return found


@dataclass
class Context:
    db: Database
    playbook: Playbook
    clock: Clock
    settings: Settings
    runtime: Runtime = field(default_factory=Runtime, compare=False)

    def transact(
        self,
        use_case: Callable[Concatenate[Context, Session, Args], Result],
        /,
        *args: Args.args,
        **kwargs: Args.kwargs,
    ) -> Result:
        """Run one use case in a unit of work of its own, committed when it returns.

        For a boundary (route, command, job) whose work is that one use case; a boundary
        that composes several opens `db.unit_of_work()` itself and passes the session to
        each. Use cases never open one: they take the session they are given."""
        with self.db.unit_of_work() as session:
            return use_case(self, session, *args, **kwargs)

    def read(
        self,
        query: Callable[Concatenate[Context, Session, Args], Result],
        /,
        *args: Args.args,
        **kwargs: Args.kwargs,
    ) -> Result:
        """Run one read in a read-only transaction (no write turn on SQLite)."""
        with self.db.reader() as session:
            return query(self, session, *args, **kwargs)


def build_context(
    settings: Settings, *, clock: Clock | None = None, migrate: bool = True
) -> Context:
    """Wire the app from settings: load and check the playbook, open and migrate the database."""
    playbook = load_playbook(settings.playbook_path)
    db = Database(settings.database_url)
    if migrate:
        upgrade(db.engine)
    return Context(db=db, playbook=playbook, clock=clock or SystemClock(), settings=settings)
