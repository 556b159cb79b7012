"""The intake inbox, on SQLite and PostgreSQL: accepted payloads are committed before the
answer, many requests share one commit, and the scheduler applies them in order, a group's
run of triggers as one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.intake.conftest import fixture
from warroom.intake import applier as intake
from warroom.intake import dead_letters, group_commit, rejections
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.intake import routes as intake_api
from warroom.intake.desk import IntakeDesk
from warroom.intake.lane import IntakeLane, LaneTuning
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import reading
from warroom.store.intake_models import InboxPayload
from warroom.store.models import TimelineEvent


def attached_firing(ctx: Context, reference: str) -> int:
    """How many firing alerts the incident's timeline says were attached to it."""
    timeline = ctx.read(reading.get_timeline, reference)
    return sum(e.data["firing"] for e in timeline if e.kind == "alert_attached")


def pagerduty_trigger(ctx: Context, integration_id: int, n: int) -> intake_queue.Accepted:
    body = fixture("pagerduty-trigger.json") | {"routing_key": "<hidden>"}
    body["payload"] = body["payload"] | {"timestamp": f"2024-01-15T10:{n:02d}:00Z"}
    raw = json.dumps(body).encode()
    return intake_queue.Accepted(integration_id, "pagerduty", ctx.clock.now(), "", raw)


def integration(ctx: Context) -> integration_keys.IntegrationInfo:
    key = ctx.transact(integration_keys.create_integration, "pagerduty", "pd")
    return integration_keys.authenticate(ctx, key, "pagerduty")


def test_a_storm_of_triggers_for_one_dedup_key_opens_one_incident_holding_every_alert(ctx):
    """Each trigger fired at its own time, so each is an alert of its own."""
    found = integration(ctx)
    group_commit.store(ctx.db, [pagerduty_trigger(ctx, found.id, n) for n in range(30)])
    assert Scheduler(ctx, handlers={}).tick() >= 30, "the scheduler applies the inbox"
    [incident] = ctx.read(reading.list_incidents, status="all")
    assert attached_firing(ctx, incident.reference) == 30
    [alert] = ctx.read(reading.get_incident, incident.reference).alerts
    assert alert.status == "firing", "one dedup key, one alert on the incident"
    with ctx.db.reader() as session:
        attached = session.execute(
            select(TimelineEvent).where(TimelineEvent.kind == "alert_attached")
        ).all()
    assert len(attached) == 1, "one run of triggers, one timeline entry"
    assert intake_queue.pending(ctx) == 0


def test_requests_arriving_together_share_a_commit(ctx, monkeypatch) -> None:
    found = integration(ctx)
    commits: list[int] = []
    real_store = group_commit.store

    def counted(db, payloads, connection=None):
        commits.append(len(payloads))
        return real_store(db, payloads, connection)

    monkeypatch.setattr(group_commit, "store", counted)
    writer = group_commit.GroupCommit(ctx)

    async def many() -> None:
        await asyncio.gather(*(writer.put(pagerduty_trigger(ctx, found.id, n)) for n in range(40)))

    asyncio.run(many())
    assert sum(commits) == 40 and intake_queue.pending(ctx) == 40
    assert len(commits) < 40


def test_a_failed_commit_reaches_every_request_that_shared_it(ctx, monkeypatch) -> None:
    found = integration(ctx)

    def broken(db, payloads, connection=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(group_commit, "store", broken)
    writer = group_commit.GroupCommit(ctx)

    async def many() -> list[object]:
        puts = (writer.put(pagerduty_trigger(ctx, found.id, n)) for n in range(5))
        return await asyncio.gather(*puts, return_exceptions=True)

    assert all(isinstance(result, RuntimeError) for result in asyncio.run(many()))


def test_a_shared_commit_stores_every_payload_or_none(ctx) -> None:
    """On the writer's own connection (autocommit on PostgreSQL, the inserts pipelined as
    one implicit transaction) a row that fails takes the rows before it back with it, more
    of them than SQLAlchemy puts in one multi-row statement (insertmanyvalues_page_size)."""
    found = integration(ctx)
    payloads = [pagerduty_trigger(ctx, found.id, n) for n in range(40)]
    unknown = replace(payloads[35], integration_id=found.id + 1000)  # breaks a foreign key
    with group_commit.inbox_connection(ctx.db) as connection:
        with pytest.raises(IntegrityError):
            group_commit.store(ctx.db, [*payloads[:35], unknown, *payloads[36:]], connection)
        assert intake_queue.pending(ctx) == 0
        group_commit.store(ctx.db, payloads, connection)
    assert intake_queue.pending(ctx) == 40


def test_the_documented_fastapi_routes_answer_as_the_fast_path_does(ctx) -> None:
    """The FastAPI routes serve the intake paths wherever IntakeEndpoint is not installed."""
    app = FastAPI()
    app.state.intake_desk = IntakeDesk(ctx)
    app.include_router(intake_api.router)
    key = ctx.transact(integration_keys.create_integration, "pagerduty", "pd")
    body = fixture("pagerduty-trigger.json") | {"routing_key": key}
    with TestClient(app) as client:
        answer = client.post("/v2/enqueue", json=body)
        refused = client.post("/v2/enqueue", json=body | {"routing_key": "nope"})
    assert answer.status_code == 202 and answer.json()["status"] == "success"
    assert refused.status_code == 401
    assert intake_queue.pending(ctx) == 1


def test_a_poisoned_payload_in_a_run_of_triggers_is_set_aside_and_the_others_apply(
    ctx, monkeypatch
) -> None:
    found = integration_keys.authenticate(
        ctx, ctx.transact(integration_keys.create_integration, "generic", "g"), "generic"
    )
    real_apply = intake.apply

    def refuse_poison(ctx, session, integration, note):
        if any("poison" in alert.title for alert in note.alerts):
            raise RuntimeError("a bug met this payload")
        return real_apply(ctx, session, integration, note)

    monkeypatch.setattr(intake, "apply", refuse_poison)
    titles = ("disk filling", "poison", "disk full")
    group_commit.store(
        ctx.db,
        [
            intake_queue.Accepted(
                found.id,
                "generic",
                ctx.clock.now() + timedelta(seconds=n),  # each fires at its own time
                "",
                json.dumps({"title": title, "dedup_key": "disk"}).encode(),
            )
            for n, title in enumerate(titles)
        ],
    )
    assert intake_queue.apply_all(ctx) == 3
    [incident] = ctx.read(reading.list_incidents, status="all")
    assert attached_firing(ctx, incident.reference) == 2
    [kept] = ctx.read(dead_letters.list_dead_letters)
    assert "poison" in kept["body"] and "a bug met this payload" in kept["reason"]
    assert ctx.read(rejections.list_rejected) == [], "the rejected list is for refused requests"


def test_the_applier_says_whether_it_took_everything_that_was_waiting(ctx) -> None:
    found = integration(ctx)
    group_commit.store(ctx.db, [pagerduty_trigger(ctx, found.id, n) for n in range(3)])
    assert intake_queue.apply_waiting(ctx, limit=2)[:2] == (2, False)
    assert intake_queue.apply_waiting(ctx, limit=2)[:2] == (1, True)
    assert intake_queue.apply_waiting(ctx, limit=2)[:2] == (0, True)


def test_an_applier_that_gives_way_commits_what_it_applied_and_leaves_the_rest_waiting(ctx):
    """A sender waiting for SQLite's writer: the applier commits after the unit in hand."""
    found = integration(ctx)
    group_commit.store(ctx.db, [keyed_trigger(ctx, found.id, f"disk-{n}") for n in range(3)])
    assert intake_queue.apply_waiting(ctx, give_way=lambda: True)[:2] == (1, False)
    assert intake_queue.pending(ctx) == 2
    assert intake_queue.apply_all(ctx) == 2
    assert len(ctx.read(reading.list_incidents, status="all")) == 3, "nothing lost"


def test_a_group_whose_first_payload_was_applied_keeps_the_rest_of_its_payloads_in_order(ctx):
    """Its trigger applied, its resolve waits behind another group's trigger, then follows."""
    found = integration(ctx)
    payloads = [
        keyed_trigger(ctx, found.id, "disk"),
        keyed_trigger(ctx, found.id, "cpu"),
        keyed_trigger(ctx, found.id, "disk", action="resolve"),
    ]
    group_commit.store(ctx.db, payloads)
    assert intake_queue.apply_waiting(ctx, give_way=lambda: True)[:2] == (1, False)
    assert intake_queue.apply_all(ctx) == 2
    alerts = {
        alert.title: alert.status
        for incident in ctx.read(reading.list_incidents, status="all")
        for alert in ctx.read(reading.get_incident, incident.reference).alerts
    }
    assert alerts == {"disk is failing": "resolved", "cpu is failing": "firing"}


def keyed_trigger(
    ctx: Context, integration_id: int, dedup_key: str, action: str = "trigger"
) -> intake_queue.Accepted:
    body = fixture("pagerduty-trigger.json") | {"routing_key": "<hidden>"}
    body |= {"dedup_key": dedup_key, "event_action": action}
    body["payload"] = body["payload"] | {"summary": f"{dedup_key} is failing"}
    raw = json.dumps(body).encode()
    return intake_queue.Accepted(integration_id, "pagerduty", ctx.clock.now(), "", raw)


class Writer:
    """Stands in for the database's count of senders that waited for SQLite's writer."""

    def __init__(self, counts: Iterator[int]) -> None:
        self.counts = counts

    def senders_waited(self) -> int:
        return next(self.counts)


def lane(
    ctx,
    *,
    apply: Callable[..., intake_queue.Applied] = intake_queue.apply_waiting,
    moments: Iterator[float] | None = None,
    senders_waited: Iterator[int] | None = None,
    tuning: LaneTuning = LaneTuning(),
) -> tuple[IntakeLane, list[float]]:
    """An intake lane on its own clock: its waits are recorded, not slept."""
    waits: list[float] = []
    if senders_waited is not None:
        ctx = replace(ctx, db=_WaitingDb(ctx.db, Writer(senders_waited)))
    clock = moments or iter(())
    found = IntakeLane(
        ctx,
        tuning=tuning,
        apply=apply,
        monotonic=lambda: next(clock, 0.0),
        sleep=waits.append,
    )
    return found, waits


class _WaitingDb:
    """The real database, with the count of waiting senders told by the test."""

    def __init__(self, db, writer: Writer) -> None:
        self._db = db
        self._writer = writer

    def senders_waited(self) -> int:
        return self._writer.senders_waited()

    def __getattr__(self, name: str):
        return getattr(self._db, name)


def test_a_lone_event_is_applied_at_once_and_a_stream_then_gathers(ctx) -> None:
    """Only an apply quicker than the gathering wait is followed by one; a long wait here
    keeps a slow first apply (a fresh incident on a busy machine) from failing the test."""
    found = integration(ctx)
    loop, waits = lane(ctx, tuning=LaneTuning(gather_s=60.0))
    group_commit.store(ctx.db, [pagerduty_trigger(ctx, found.id, 0)])
    assert loop.gather_and_apply() == 1, "applied without waiting for company"
    assert waits == [60.0], "then the loop gathers what follows"


def test_behind_a_backlog_with_no_sender_waiting_the_applier_never_waits(ctx) -> None:
    found = integration(ctx)
    loop, waits = lane(ctx)
    backlog = intake_queue.APPLY_BATCH + 1
    group_commit.store(ctx.db, [pagerduty_trigger(ctx, found.id, n % 60) for n in range(backlog)])
    assert loop.gather_and_apply() == intake_queue.APPLY_BATCH
    assert waits == []
    assert loop.gather_and_apply() == 1
    assert intake_queue.pending(ctx) == 0


def test_senders_that_waited_for_the_writer_while_it_applied_get_it_for_a_while(ctx) -> None:
    """During a storm, requests wait to commit their alerts while the applier holds
    SQLite's writer: it then stays off the writer 1.5 times as long as it applied."""
    found = integration(ctx)
    backlog = intake_queue.APPLY_BATCH + 1
    group_commit.store(ctx.db, [pagerduty_trigger(ctx, found.id, n % 60) for n in range(backlog)])
    # more senders waited every time; the apply started at 0 and took 0.2 s
    loop, waits = lane(ctx, senders_waited=iter(range(100)), moments=iter([0.0, 0.2]))
    assert loop.gather_and_apply() == intake_queue.APPLY_BATCH
    assert waits == [pytest.approx(0.2 * LaneTuning().senders_first)]


def test_the_inbox_writer_survives_a_database_restart_between_commits(ctx) -> None:
    """The writer keeps its connection; one the server dropped is replaced, not a 503."""
    if ctx.db.is_sqlite:
        pytest.skip("PostgreSQL ends server connections; SQLite has none")
    found = integration(ctx)
    writer = group_commit.GroupCommit(ctx)

    async def put(n: int) -> None:
        await writer.put(pagerduty_trigger(ctx, found.id, n))

    asyncio.run(put(0))
    with ctx.db.engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    asyncio.run(put(1))
    writer.close()
    assert intake_queue.pending(ctx) == 2


def test_the_applier_takes_the_desk_s_parse_instead_of_parsing_again(ctx, monkeypatch) -> None:
    app = FastAPI()
    app.state.intake_desk = IntakeDesk(ctx)
    app.include_router(intake_api.router)
    key = ctx.transact(integration_keys.create_integration, "pagerduty", "pd")
    intake_queue.apply_waiting(ctx)  # an applier polls in this process, as in `warroom serve`
    with TestClient(app) as client:
        answer = client.post(
            "/v2/enqueue", json=fixture("pagerduty-trigger.json") | {"routing_key": key}
        )
    assert answer.status_code == 202

    def parse_again(*args, **kwargs):
        raise AssertionError("parsed twice")

    monkeypatch.setattr(intake_queue, "parse_payload", parse_again)
    assert intake_queue.apply_all(ctx) == 1
    assert ctx.read(rejections.list_rejected) == []
    [incident] = ctx.read(reading.list_incidents, status="all")
    assert incident.source == "alert"


def parsed(ctx: Context, payload: intake_queue.Accepted) -> intake_queue.Accepted:
    body = json.loads(payload.body)
    rules = ctx.playbook.intake
    return replace(
        payload, note=intake_queue.parse_payload("pagerduty", body, payload.received_at, "", rules)
    )


def inbox_rows(ctx: Context) -> list:
    with ctx.db.reader() as session:
        return session.execute(select(InboxPayload.__table__).order_by(InboxPayload.id)).all()


def test_parsed_payloads_held_for_the_applier_are_bounded(ctx) -> None:
    """Past the bound the applier parses from the inbox row: memory stays bounded."""
    found = integration(ctx)
    held = intake_queue.HandOver(max_alerts=1)
    held.applier_polling()
    payloads = [parsed(ctx, pagerduty_trigger(ctx, found.id, n)) for n in range(2)]
    held.keep(ctx.db, payloads)
    group_commit.store(ctx.db, payloads)
    first, second = inbox_rows(ctx)
    assert held.take(ctx.db, first) == payloads[0].note
    assert held.take(ctx.db, second) is None, "beyond the bound: not held"
    assert held.take(ctx.db, first) is None, "taken once"


def test_nothing_is_held_where_no_applier_polls_or_for_long(ctx) -> None:
    """`serve --no-scheduler` leaves applying to a worker: holding parses would only grow.
    Where another process's applier took a payload, its parse is forgotten in time."""
    found = integration(ctx)
    now = [100.0]
    held = intake_queue.HandOver(max_alerts=100, hold_s=1.0, monotonic=lambda: now[0])
    payloads = [parsed(ctx, pagerduty_trigger(ctx, found.id, n)) for n in range(3)]
    group_commit.store(ctx.db, payloads)
    rows = inbox_rows(ctx)
    held.keep(ctx.db, payloads[:1])
    assert held.take(ctx.db, rows[0]) is None, "no applier polling here"
    held.applier_polling()
    held.keep(ctx.db, payloads[1:2])
    now[0] += 1.5
    held.keep(ctx.db, payloads[2:])
    assert held.take(ctx.db, rows[1]) is None, "forgotten once older than hold_s"
    assert held.take(ctx.db, rows[2]) == payloads[2].note


def event(ctx: Context, integration_id: int, dedup_key: str, n: int, action: str = "trigger"):
    """A PagerDuty event as the desk accepts it: parsed, so the inbox knows its group."""
    body = fixture("pagerduty-trigger.json") | {
        "routing_key": "<hidden>",
        "dedup_key": dedup_key,
        "event_action": action,
    }
    body["payload"] = body["payload"] | {"timestamp": f"2024-01-15T10:{n // 60:02d}:{n % 60:02d}Z"}
    now = ctx.clock.now()
    note = intake_queue.parse_payload("pagerduty", body, now, None, ctx.playbook.intake)
    return intake_queue.Accepted(
        integration_id, "pagerduty", now, "", json.dumps(body).encode(), note
    )


def test_a_storm_in_one_group_does_not_hold_back_another_group_s_page(ctx) -> None:
    found = integration(ctx)
    group_commit.store(ctx.db, [event(ctx, found.id, "storm", 0)])
    intake_queue.apply_all(ctx)
    storm = [event(ctx, found.id, "storm", n) for n in range(1, 301)]
    group_commit.store(ctx.db, [*storm, event(ctx, found.id, "new-outage", 0)])

    intake_queue.apply_waiting(ctx)

    assert len(ctx.read(reading.list_incidents, status="all")) == 2, "the new group paged first"
    intake_queue.apply_all(ctx)
    assert intake_queue.pending(ctx) == 0
    incidents = ctx.read(reading.list_incidents, status="all")
    assert sorted(attached_firing(ctx, i.reference) for i in incidents) == [1, 301]


def test_a_group_going_ahead_of_a_backlog_keeps_its_own_order(ctx) -> None:
    """Trigger then acknowledge: applied the other way round, the acknowledgement would
    find no incident and be ignored."""
    found = integration(ctx)
    group_commit.store(ctx.db, [event(ctx, found.id, "storm", 0)])
    intake_queue.apply_all(ctx)
    storm = [event(ctx, found.id, "storm", n) for n in range(1, 301)]
    outage = [event(ctx, found.id, "outage", 0), event(ctx, found.id, "outage", 1, "acknowledge")]
    group_commit.store(ctx.db, [storm[0], outage[0], *storm[1:], outage[1]])

    intake_queue.apply_waiting(ctx)

    newest = ctx.read(reading.list_incidents, status="all")[0]
    assert ctx.read(reading.get_incident, newest.reference).acknowledged_at is not None


def test_the_loop_searches_a_backlog_for_new_groups_twice_a_second_at_most(ctx) -> None:
    """The search costs a scan of the backlog; between searches the oldest go first."""
    asked: list[bool] = []

    def apply_waiting(ctx, *, new_groups_first, peek, max_bytes, give_way):
        asked.append(new_groups_first)
        return intake_queue.Applied(payloads=1, drained=False)

    loop, _ = lane(ctx, apply=apply_waiting)
    for _ in range(3):
        loop.gather_and_apply()
    assert asked == [True, False, False]


def test_behind_a_backlog_the_loop_does_not_peek_for_an_empty_inbox(ctx) -> None:
    """The peek keeps idle polls off the write lock; behind a backlog it is a wasted read."""
    peeked: list[bool] = []
    left = [True, True, False, False]  # a backlog left twice, then caught up

    def apply_waiting(ctx, *, new_groups_first, peek, max_bytes, give_way):
        peeked.append(peek)
        return intake_queue.Applied(payloads=1, drained=not left.pop(0))

    loop, _ = lane(ctx, apply=apply_waiting)
    for _ in range(4):
        loop.gather_and_apply()
    assert peeked == [True, False, False, True]


def test_applying_without_a_peek_finds_an_empty_inbox_empty(ctx) -> None:
    assert intake_queue.apply_waiting(ctx, peek=False)[:2] == (0, True)


def test_while_senders_wait_for_the_writer_the_applier_takes_smaller_transactions(ctx) -> None:
    """Senders wait behind each applying transaction; between storms it takes the most."""
    budgets: list[int] = []
    waited = iter([0, 1, 1, 1, 1, 1])  # before and after each apply: waited in the first

    def apply_waiting(ctx, *, new_groups_first, peek, max_bytes, give_way):
        budgets.append(max_bytes)
        return intake_queue.Applied(payloads=1, drained=False)

    loop, _ = lane(ctx, apply=apply_waiting, senders_waited=waited)
    for _ in range(3):
        loop.gather_and_apply()
    assert budgets == [
        intake_queue.APPLY_BYTES,
        intake_queue.APPLY_BYTES_SENDERS_WAITING,
        intake_queue.APPLY_BYTES,
    ]


def test_waiting_payloads_keep_their_body_last_and_outlast_the_migration_both_ways(ctx) -> None:
    """On SQLite, a column after the body is read through the body's overflow pages: the
    search for new groups reads group_hash of every waiting payload (migration 0011)."""
    from alembic import command
    from sqlalchemy import inspect

    from warroom.store.migrate import alembic_config, upgrade

    def columns() -> list[str]:
        return [c["name"] for c in inspect(ctx.db.engine).get_columns("intake_inbox")]

    found = integration(ctx)
    group_commit.store(ctx.db, [pagerduty_trigger(ctx, found.id, 0)])
    try:
        command.downgrade(alembic_config(ctx.db.engine), "0010_short_alert_keys")
        assert intake_queue.pending(ctx) == 1
        if ctx.db.is_sqlite:
            assert columns()[-1] == "group_hash"
    finally:
        upgrade(ctx.db.engine)
    if ctx.db.is_sqlite:
        assert columns()[-1] == "body"
    assert intake_queue.apply_all(ctx) == 1
    assert len(ctx.read(reading.list_incidents, status="all")) == 1


def test_once_applying_lags_30_s_behind_the_applier_stops_stepping_aside(ctx) -> None:
    """Senders come first only within the lag budget: past it they are slowed down to the
    rate alerts are applied, rather than the inbox growing without end."""
    budgets: list[int] = []
    lags = iter([5.0, LaneTuning().lag_budget_s + 1, 5.0])

    def apply_waiting(ctx, *, new_groups_first, peek, max_bytes, give_way):
        budgets.append(max_bytes)
        return intake_queue.Applied(payloads=1, drained=False, waited_s=next(lags))

    # senders always wait; each apply takes a second
    loop, waits = lane(
        ctx,
        apply=apply_waiting,
        senders_waited=iter(range(100)),
        moments=(float(n) for n in range(100)),
    )
    for _ in range(3):
        loop.gather_and_apply()
    tuning = LaneTuning()
    stepping_aside = min(tuning.senders_first, tuning.senders_first_max_s)
    assert waits == [stepping_aside, stepping_aside], "none after the apply that lagged 31 s"
    assert budgets == [
        intake_queue.APPLY_BYTES,
        intake_queue.APPLY_BYTES_SENDERS_WAITING,
        intake_queue.APPLY_BYTES,
    ]
