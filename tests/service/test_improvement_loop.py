"""The seed's improvement loop on the calendar: the monthly review made by itself on the
1st for the previous month, kept and announced; the quarterly DR test and tabletop
reminder; the playbook's own review date. A manual clock and the real scheduler; every
message a test does not claim fails it (tests/harness.py)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests.harness import Harness
from tests.service.test_import_and_drills import past_incident
from warroom.scheduler import Scheduler
from warroom.service.incidents.importer import import_lines
from warroom.service.post_incident import improvement_loop
from warroom.service.reports import kept
from warroom.store.models import Timer

FIRST_OF_FEBRUARY = datetime(2024, 2, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
TARGET = "json://127.0.0.1:9/reviews"

JANUARY_REVIEW = (
    "The monthly incident review of 2024-01 is ready (drills left out).\n"
    "\n"
    "Incidents: 1 (Sev1 1, Sev2 0, Sev3 0, Sev4 0)\n"
    "Sev1 Critical: acknowledged in 5 minutes, resolved in 40 minutes (medians); "
    "response SLA 1 met, 0 breached; resolution SLA 1 met, 0 breached\n"
    "Action items: 0 total, 0 done, 0 overdue\n"
    "\n"
    "Agenda:\n"
    "- Analyze incident trends and patterns\n"
    "- Review response time metrics\n"
    "- Evaluate action item completion\n"
    "- Update procedures and training materials\n"
    "\n"
    "The whole review: warroom report show 2024-01"
)


def start(harness: Harness) -> None:
    """A scheduler starting, as `warroom serve` or `warroom worker` does."""
    Scheduler(harness.ctx, transport=harness.scheduler.transport).schedule_calendar()


def until(harness: Harness, moment: datetime) -> None:
    harness.advance(moment - harness.clock.now())


def pending(harness: Harness) -> list[str]:
    with harness.ctx.db.reader() as session:
        statement = select(Timer.key).where(Timer.state == "pending").order_by(Timer.due_at)
        return list(session.execute(statement).scalars())


def a_january_with_one_incident_and_one_drill(harness: Harness) -> None:
    drill = past_incident(drill=True, title="Failover drill")
    assert import_lines(harness.ctx, [past_incident(), drill]).refused == []


def test_a_scheduler_starting_plans_the_review_the_quarter_and_the_playbook_review(
    harness: Harness,
) -> None:
    stopped = threading.Event()
    stopped.set()
    harness.scheduler.run(stopped)  # `warroom serve` or `warroom worker`, stopped at once
    assert pending(harness) == [
        "monthly_review:2024-01",
        "quarterly_exercise:2024-Q2",
        "playbook_review:2024-04-15",
    ]


def test_past_midnight_on_the_1st_the_previous_month_is_reviewed_once_drills_left_out(
    harness: Harness,
) -> None:
    a_january_with_one_incident_and_one_drill(harness)
    start(harness)
    until(harness, FIRST_OF_FEBRUARY - SECOND)
    assert harness.ctx.read(kept.list_reports) == []
    harness.advance(2 * SECOND)
    [listed] = harness.ctx.read(kept.list_reports)
    assert (listed.kind, listed.period, listed.made_at) == ("monthly", "2024-01", FIRST_OF_FEBRUARY)
    review = harness.ctx.read(kept.monthly_review, "2024-01")
    assert review["incidents"]["total"] == 1, "the drill is left out"
    assert review["time_to_acknowledge"]["1"]["median"] == 300.0
    [announced] = harness.expect("sre-lead", "reminder")
    assert announced.body == JANUARY_REVIEW
    assert announced.state == "recorded", "the commander's phone has no channel configured"
    assert "monthly_review:2024-02" in pending(harness), "the next review is planned"


def test_a_restart_or_a_second_scheduler_makes_no_second_review(harness: Harness) -> None:
    start(harness)
    start(harness)
    until(harness, FIRST_OF_FEBRUARY + SECOND)
    harness.expect("sre-lead", "reminder")
    start(harness)
    harness.advance(timedelta(days=1))
    with harness.ctx.db.unit_of_work() as session:
        done = select(Timer).where(Timer.key == "monthly_review:2024-01")
        timer = session.execute(done).scalar_one()
        improvement_loop.on_monthly_review(session, harness.ctx, timer, harness.clock.now())
    harness.tick()
    assert [r.period for r in harness.ctx.read(kept.list_reports)] == ["2024-01"]
    assert pending(harness).count("monthly_review:2024-02") == 1


def test_a_month_with_no_incidents_still_gets_its_review_and_the_newest_is_listed_first(
    harness: Harness,
) -> None:
    start(harness)
    until(harness, datetime(2024, 3, 1, tzinfo=UTC) + SECOND)
    harness.expect("sre-lead", "reminder", count=2)
    listed = harness.ctx.read(kept.list_reports)
    assert [(r.period, r.incidents) for r in listed] == [("2024-02", 0), ("2024-01", 0)]
    february = harness.ctx.read(kept.monthly_review, "2024-02")
    assert february["incidents"]["by_severity"] == {"1": 0, "2": 0, "3": 0, "4": 0}
    assert february["action_items"] == {"total": 0, "done": 0, "overdue": 0}


def test_the_review_is_announced_to_the_playbook_announce_to_targets(harness: Harness) -> None:
    communication = harness.ctx.playbook.communication.model_copy(update={"announce_to": [TARGET]})
    harness.ctx.playbook = harness.ctx.playbook.model_copy(update={"communication": communication})
    a_january_with_one_incident_and_one_drill(harness)
    start(harness)
    until(harness, FIRST_OF_FEBRUARY + SECOND)
    harness.expect("sre-lead", "reminder")
    [channel] = [m for m in harness.unexpected() if m.kind == "announce_monthly_review"]
    harness.claimed.add(channel.id)
    assert (channel.address, channel.state, channel.body) == (TARGET, "sent", JANUARY_REVIEW)
    assert harness.transported == [
        (TARGET, "Monthly incident review 2024-01: 1 incident", JANUARY_REVIEW)
    ]


def test_a_worker_down_over_the_1st_catches_up_every_missed_month_on_restart(
    harness: Harness,
) -> None:
    start(harness)
    harness.clock.set(datetime(2024, 3, 20, tzinfo=UTC))  # down from 15 January
    harness.advance(timedelta(0))
    harness.expect("sre-lead", "reminder", count=2)
    assert [r.period for r in harness.ctx.read(kept.list_reports)] == ["2024-02", "2024-01"]


def test_the_first_morning_of_a_quarter_reminds_the_commander_of_the_dr_test_once(
    harness: Harness,
) -> None:
    harness.clock.set(datetime(2024, 3, 31, 12, 0, tzinfo=UTC))
    start(harness)
    until(harness, datetime(2024, 4, 1, 9, 0, tzinfo=UTC) - SECOND)
    harness.expect("sre-lead", "reminder")  # the monthly review of March, at midnight
    harness.advance(2 * SECOND)
    [reminder] = harness.expect("sre-lead", "reminder")
    assert reminder.body == (
        "2024-Q2 has begun: time to plan this quarter's disaster recovery test and tabletop "
        "exercise.\n\nAgenda:\n- Test backup and recovery procedures\n"
        "- Validate incident response capabilities\n"
        "- Update contact information and escalation paths\n- Conduct tabletop exercises\n"
    )
    start(harness)
    harness.advance(timedelta(days=2))
    assert "quarterly_exercise:2024-Q3" in pending(harness)


def test_a_quarter_that_passed_while_the_worker_was_down_is_not_reminded_late(
    harness: Harness,
) -> None:
    harness.clock.set(datetime(2024, 3, 31, 12, 0, tzinfo=UTC))
    start(harness)
    harness.clock.set(datetime(2024, 7, 2, tzinfo=UTC))  # down through the second quarter
    harness.advance(timedelta(0))
    reminders = harness.expect("sre-lead", "reminder", count=6)  # four months, Q3, playbook
    quarters = [m.body.split(" has begun")[0] for m in reminders if " has begun" in m.body]
    assert quarters == ["2024-Q3"]


def test_the_playbook_review_date_reminds_the_commander_that_morning_once(
    harness: Harness,
) -> None:
    assert harness.ctx.playbook.next_review == date(2024, 4, 15)
    harness.clock.set(datetime(2024, 4, 14, 12, 0, tzinfo=UTC))
    start(harness)
    until(harness, datetime(2024, 4, 15, 9, 0, tzinfo=UTC) - SECOND)
    assert harness.unexpected() == []
    harness.advance(2 * SECOND)
    [reminder] = harness.expect("sre-lead", "reminder")
    assert reminder.body == (
        "The playbook alchemorsel-v3 was due for review on 2024-04-15. Review it with the "
        "team, then set its next_review to the date of the following review."
    )
    start(harness)
    harness.advance(timedelta(days=1))


def test_a_review_date_already_past_at_start_reminds_at_once_and_never_again(
    harness: Harness,
) -> None:
    harness.clock.set(datetime(2024, 5, 2, 8, 0, tzinfo=UTC))
    start(harness)
    harness.tick()
    [reminder] = harness.expect("sre-lead", "reminder")
    assert "was due for review on 2024-04-15" in reminder.body
    start(harness)
    start(harness)
    harness.advance(timedelta(hours=12))


def test_a_playbook_reviewed_since_is_not_reminded_of_its_old_date(harness: Harness) -> None:
    harness.clock.set(datetime(2024, 4, 10, tzinfo=UTC))
    start(harness)
    harness.ctx.playbook = harness.ctx.playbook.model_copy(
        update={"next_review": date(2024, 10, 15)}
    )
    start(harness)  # restarted with the reviewed playbook
    harness.advance(timedelta(days=10))
    assert "playbook_review:2024-10-15" in pending(harness)
