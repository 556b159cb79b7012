"""The post-incident reminders read as they did when they were f-strings: same words, now
sandboxed templates."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.service.post_incident import reminders as texts

DUE = datetime(2024, 1, 17, 11, 5, tzinfo=UTC)


def test_an_overdue_post_mortem_reminder_names_the_incident_its_due_time_and_status() -> None:
    assert texts.POSTMORTEM_OVERDUE_SUBJECT(reference="2024-01-15-001") == (
        "Post-mortem for 2024-01-15-001 is overdue"
    )
    body = texts.POSTMORTEM_OVERDUE_BODY(
        reference="2024-01-15-001", title="Checkout failing", due_at=DUE, status="draft"
    )
    assert body == (
        "The post-mortem for 2024-01-15-001 (Checkout failing) was due 2024-01-17 11:05 UTC "
        "and is still draft."
    )


def test_the_follow_up_review_lists_each_action_item_and_marks_the_overdue_ones() -> None:
    items = [
        {"id": 1, "title": "Add an index", "owner": "dba", "status": "done", "overdue": False},
        {"id": 2, "title": "Alert on lag", "owner": "sre", "status": "open", "overdue": True},
    ]
    assert texts.FOLLOW_UP_BODY(items=items) == (
        "Action items:\n- #1 Add an index (dba): done\n- #2 Alert on lag (sre): open overdue"
    )
    assert texts.FOLLOW_UP_BODY(items=[]) == "Action items:\n(none)"


def test_an_overdue_action_item_reminder_names_the_item_and_its_due_time() -> None:
    assert texts.ITEM_OVERDUE_SUBJECT(id=7, reference="2024-01-15-001") == (
        "Action item #7 for 2024-01-15-001 is overdue"
    )
    assert texts.ITEM_OVERDUE_BODY(title="Add an index", due_at=DUE) == (
        "Add an index was due 2024-01-17 11:05 UTC."
    )
