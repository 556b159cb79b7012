"""The seed's checklists on every incident (warroom ticks what it does itself), its
runbooks and its review date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.core import checklists
from warroom.core.playbook import Playbook, Service
from warroom.core.playbook_rules import cross_reference_problems, review_warning

T0 = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def test_every_incident_carries_the_seed_phases_in_order(playbook: Playbook) -> None:
    items = checklists.view(playbook, {})
    phases = list(dict.fromkeys(item.phase for item in items))
    assert phases == ["declaration", "war_room", "impact", "validation", "post_incident"]
    assert items[0].text == "Create incident in incident management system"
    assert not any(item.done for item in items)


def test_the_first_page_ticks_paging_the_team_once(playbook: Playbook) -> None:
    assert checklists.ticked_by(playbook, "page_sent", {}, {}) == ["page-team"]
    done = {"page-team": {"done": True, "done_by": "warroom", "done_at": T0.isoformat()}}
    assert checklists.ticked_by(playbook, "page_sent", {}, done) == []


def test_an_impact_assessment_ticks_only_what_it_assessed(playbook: Playbook) -> None:
    ticked = checklists.ticked_by(playbook, "impact_assessed", {"affected_users_pct": 40}, {})
    assert ticked == ["affected-users"]


def test_the_view_says_who_ticked_an_item_and_when(playbook: Playbook) -> None:
    ticks = {"start-video": {"done": True, "done_by": "sre-lead", "done_at": T0.isoformat()}}
    item = next(i for i in checklists.view(playbook, ticks) if i.id == "start-video")
    assert (item.done, item.done_by, item.done_at, item.automatic) == (True, "sre-lead", T0, False)


def test_playbook_check_refuses_a_repeated_id_and_an_unknown_event(playbook: Playbook) -> None:
    first = playbook.checklists[0]
    broken_items = [
        first.items[0],
        first.items[0],
        first.items[1].model_copy(update={"ticks_on": "coffee_made"}),
    ]
    broken = playbook.model_copy(
        update={"checklists": [first.model_copy(update={"items": broken_items})]}
    )
    problems = {p.path: p.message for p in cross_reference_problems(broken)}
    assert "checklists.0.items.1.id" in problems
    assert "unknown event kind 'coffee_made'" in problems["checklists.0.items.2.ticks_on"]


def test_playbook_check_warns_once_the_seed_next_review_has_passed(playbook: Playbook) -> None:
    assert playbook.next_review is not None
    assert review_warning(playbook, playbook.next_review - timedelta(days=1)) is None
    warning = review_warning(playbook, playbook.next_review + timedelta(days=2))
    assert warning == "next_review: the playbook was due for review on 2024-04-15 (2 days ago)"


def test_each_service_carries_the_seed_quick_reference_commands(playbook: Playbook) -> None:
    api = [section.title for section in playbook.services["api"].runbook]
    assert api == ["Kubernetes Operations", "Monitoring Queries"]
    database = playbook.services["database"].runbook[0]
    assert database.commands[-1].command == "kubectl get cronjobs -n alchemorsel"
    linked = Service.model_validate({"name": "Search", "runbook": "https://wiki/search"})
    assert (linked.runbook, linked.runbook_url) == ([], "https://wiki/search")
