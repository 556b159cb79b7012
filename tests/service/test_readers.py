"""Reads never queue behind a writer (SQLite takes its write lock only for writes)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from warroom.service import incidents
from warroom.service.context import Context


def test_a_reader_is_not_blocked_by_an_open_write_transaction(ctx: Context) -> None:
    incidents.declare(ctx, title="API down", severity=1, actor="test")
    with ctx.db.unit_of_work() as writer, ThreadPoolExecutor(max_workers=1) as pool:
        writer.execute(incidents.select(incidents.Incident))  # holds the write lock
        listed = pool.submit(incidents.list_incidents, ctx).result(timeout=5)
    assert [i.reference for i in listed] == ["2024-01-15-001"]
