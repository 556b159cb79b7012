"""Committing accepted payloads to the inbox: one writer thread per process takes every
payload put while it was committing the previous ones and commits them together, so a burst
of requests costs one small transaction, not one each. Each commit first looks up whether
the batch's integrations were revoked (in any process) and refuses their payloads, so a
revoked key is refused on the next request at one query per commit, not one per request."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Sequence
from contextlib import nullcontext, suppress

import psycopg
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from warroom.errors import Unauthorized
from warroom.intake.inbox import Accepted, HandOver, InboxCommitted
from warroom.intake.keys import REFUSED, KnownKeys
from warroom.service.context import Context
from warroom.store.inbox_queries import insert_payloads, revoked_among
from warroom.store.session import Database

MAX_GROUP_COMMIT = 500  # payloads per inbox commit at most


def store(
    db: Database, payloads: Sequence[Accepted], connection: Connection | None = None
) -> set[int]:
    """Commit payloads to the inbox in one transaction, except those of integrations revoked
    since their key was checked: their ids are returned (the senders get 401). The lookup
    runs in the same turn at the writer (on PostgreSQL's autocommit connection, as a
    statement of its own just before the inserts).
    Plain Core: at intake rates the ORM session costs more than the row. A `connection`
    kept by the caller saves the pool's checkout and return on every commit."""
    own = nullcontext(connection) if connection is not None else db.engine.connect()
    ids = sorted({p.integration_id for p in payloads})
    with db.write_turn(sender_waiting=True), own as held, held.begin():
        revoked = revoked_among(held, ids)
        rows = [p.row() for p in payloads if p.integration_id not in revoked]
        if rows:
            insert_payloads(held, rows)
    return revoked


def inbox_connection(db: Database) -> Connection:
    """A connection for `store` to keep. On PostgreSQL it is in autocommit when psycopg can
    pipeline: the rows' inserts then go as one pipeline ending in one Sync, which PostgreSQL
    runs as one implicit transaction (all rows or none), without the round trips of BEGIN
    and COMMIT."""
    connection = db.engine.connect()
    if db.is_sqlite or not psycopg.Pipeline.is_supported():
        return connection
    return connection.execution_options(isolation_level="AUTOCOMMIT")


class GroupCommit:
    """Group commit for the inbox: one writer thread takes every payload put while it was
    committing the previous ones and commits them together. `put` returns once its payload
    is committed and raises what the commit raised. The thread starts on first use and is
    a daemon: an uncommitted payload has had no answer yet, so none is lost with it."""

    def __init__(self, ctx: Context) -> None:
        self.db = ctx.db
        self._handed_over = ctx.runtime.part(HandOver)
        self._committed = ctx.runtime.part(InboxCommitted)
        self._known_keys = ctx.runtime.part(KnownKeys)
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._own = threading.local()  # each writer thread's connection, kept across commits

    async def put(self, payload: Accepted) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put((payload, loop, done))
        if self._thread is None:
            self._start_thread()
        await done

    def _start_thread(self) -> None:
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="warroom-intake-inbox", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        """Commit what was put, then stop the writer thread (a new `put` starts another)."""
        with self._start:
            if self._thread is not None:
                self._queue.put(None)
                self._thread = None

    def _run(self) -> None:
        try:
            while (first := self._queue.get()) is not None:
                batch, closing = [first], False
                while len(batch) < MAX_GROUP_COMMIT and not self._queue.empty():
                    if (waiting_payload := self._queue.get_nowait()) is None:
                        closing = True
                        break
                    batch.append(waiting_payload)
                self._commit(batch)
                if closing:
                    return
        finally:
            self._drop_connection()

    def _held(self) -> Connection:
        connection: Connection | None = getattr(self._own, "connection", None)
        if connection is None:
            connection = self._own.connection = inbox_connection(self.db)
        return connection

    def _drop_connection(self) -> None:
        connection: Connection | None = getattr(self._own, "connection", None)
        self._own.connection = None
        if connection is not None:
            with suppress(Exception):
                connection.close()

    def _commit(self, batch: list[_Waiting]) -> None:
        payloads = [payload for payload, _, _ in batch]
        revoked: set[int] = set()
        try:
            try:
                revoked = store(self.db, payloads, self._held())
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                self._drop_connection()  # the database restarted since: once more, afresh
                revoked = store(self.db, payloads, self._held())
        except Exception as exc:
            failure: BaseException | None = exc
            self._drop_connection()  # the next commit starts on a fresh one
        else:
            failure = None
            if revoked:
                self._known_keys.forget(revoked)
            self._handed_over.keep(
                self.db, [p for p in payloads if p.integration_id not in revoked]
            )
            self._committed.set()
        for payload, loop, done in batch:
            refused = (
                Unauthorized(REFUSED, "authorization")
                if payload.integration_id in revoked
                else None
            )
            loop.call_soon_threadsafe(_settle, done, failure or refused)


_Waiting = tuple[Accepted, asyncio.AbstractEventLoop, "asyncio.Future[None]"]


def _settle(done: asyncio.Future[None], failure: BaseException | None) -> None:
    if done.cancelled():
        return
    if failure is None:
        done.set_result(None)
    else:
        done.set_exception(failure)
