"""A playbook's schedules: bad input refused with its YAML path; roles may name a schedule."""

from __future__ import annotations

from typing import Any

import yaml

from tests.schedule_playbook import new_york
from warroom.core.playbook_file import builtin_playbook_text, check_playbook_text
from warroom.core.schedule_rules import schedule_gaps

SRE_ONCALL: dict[str, Any] = {
    "timezone": "America/New_York",
    "handoff_notice": "1h",
    "layers": [
        {
            "rotation": {
                "length": "1w",
                "start": "2024-01-01T09:00",
                "people": ["sre-lead", "devops-lead", "backend-lead"],
            }
        },
        {
            "rotation": {
                "length": "1d",
                "start": "2024-01-06T09:00",
                "people": ["frontend-lead", "lead-developer"],
            },
            "restrict": {"weekdays": ["sat", "sun"]},
        },
    ],
}


def _problems(schedule: dict[str, Any], **roles: str) -> list[str]:
    raw = yaml.safe_load(builtin_playbook_text())
    raw["schedules"] = {"sre-oncall": schedule}
    for role, holder in roles.items():
        raw["roles"][role]["primary"] = holder
    _, problems = check_playbook_text(yaml.safe_dump(raw))
    return [str(p) for p in problems]


def _layer(edit: dict[str, Any], index: int = 0) -> dict[str, Any]:
    schedule = yaml.safe_load(yaml.safe_dump(SRE_ONCALL))
    for key, value in edit.items():
        part, _, field = key.partition(".")
        schedule["layers"][index].setdefault(part, {})[field] = value
    return schedule


def test_the_spec_example_schedule_checks_clean_as_a_commanders_primary() -> None:
    assert _problems(SRE_ONCALL, incident_commander="schedule:sre-oncall") == []


def test_a_role_naming_an_unknown_schedule_is_refused_with_its_path() -> None:
    assert _problems(SRE_ONCALL, incident_commander="schedule:nope") == [
        "roles.incident_commander.primary: names unknown schedule 'nope'"
    ]


def test_a_schedule_naming_an_unknown_person_is_refused_with_its_path() -> None:
    bad = _layer({"rotation.people": ["sre-lead", "nobody"]})
    assert _problems(bad) == [
        "schedules.sre-oncall.layers.0.rotation.people.1: names unknown person 'nobody'"
    ]


def test_a_zero_length_rotation_is_refused_with_its_path() -> None:
    problems = _problems(_layer({"rotation.length": "0h"}))
    assert [p.split(":")[0] for p in problems] == ["schedules.sre-oncall.layers.0.rotation.length"]


def test_an_unknown_timezone_is_refused_with_its_path() -> None:
    assert _problems({**SRE_ONCALL, "timezone": "Mars/Olympus"}) == [
        "schedules.sre-oncall.timezone: unknown timezone 'Mars/Olympus'"
    ]


def test_a_bad_restrict_is_refused_with_its_path() -> None:
    hours = _problems(_layer({"restrict.hours": "18:00-25:00"}, index=1))
    assert [p.split(":")[0] for p in hours] == ["schedules.sre-oncall.layers.1.restrict.hours"]
    day = _problems(_layer({"restrict.weekdays": ["someday"]}, index=1))
    assert [p.split(":")[0] for p in day] == ["schedules.sre-oncall.layers.1.restrict.weekdays.0"]


def test_a_start_with_an_offset_is_refused_it_is_wall_clock_time() -> None:
    problems = _problems(_layer({"rotation.start": "2024-01-01T09:00+02:00"}))
    assert [p.split(":")[0] for p in problems] == ["schedules.sre-oncall.layers.0.rotation.start"]


def test_the_built_in_playbook_keeps_the_seeds_fixed_people() -> None:
    raw = yaml.safe_load(builtin_playbook_text())
    assert "schedules" not in raw
    assert raw["roles"]["incident_commander"]["primary"] == "sre-lead"


def test_check_reports_a_schedule_with_nobody_on_call_in_the_next_four_weeks_with_the_span() -> (
    None
):
    raw = yaml.safe_load(builtin_playbook_text())
    weekends = {"rotation": {"length": "1w", "start": "2024-01-01T00:00", "people": ["dba"]},
                "restrict": {"weekdays": ["sat", "sun"]}}  # fmt: skip
    raw["schedules"] = {"weekends": {"timezone": "America/New_York", "layers": [weekends]}}
    playbook, problems = check_playbook_text(yaml.safe_dump(raw))
    assert playbook is not None and problems == []
    found = [str(p) for p in schedule_gaps(playbook, new_york("2024-03-04T00:00"))]
    assert found[:2] == [
        "schedules.weekends: nobody is on call from Mon 2024-03-04 00:00 until "
        "Sat 2024-03-09 00:00 (America/New_York)",
        "schedules.weekends: nobody is on call from Mon 2024-03-11 00:00 until "
        "Sat 2024-03-16 00:00 (America/New_York)",
    ]
    assert len(found) == 5  # the last cut where the four weeks end: Mon 2024-04-01 01:00 EDT


def test_a_schedule_always_covered_has_no_gaps() -> None:
    raw = yaml.safe_load(builtin_playbook_text())
    raw["schedules"] = {"sre-oncall": SRE_ONCALL}
    playbook, _ = check_playbook_text(yaml.safe_dump(raw))
    assert playbook is not None
    assert schedule_gaps(playbook, new_york("2024-03-04T00:00")) == []
