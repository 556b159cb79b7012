"""The built-in playbook carries the seed, and `check` finds every problem with its path."""

from __future__ import annotations

from datetime import timedelta

import yaml

from warroom.core.playbook import Playbook
from warroom.core.playbook_file import builtin_playbook_text, check_playbook_text, dump_playbook

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def test_the_four_severities_carry_the_seed_response_times_and_resolution_targets(
    playbook: Playbook,
) -> None:
    expected = {
        1: (15 * MINUTE, 1 * HOUR),
        2: (30 * MINUTE, 4 * HOUR),
        3: (1 * HOUR, 8 * HOUR),
        4: (4 * HOUR, 24 * HOUR),
    }
    for number, (response, resolution) in expected.items():
        severity = playbook.severities[number]
        assert (severity.response_time, severity.resolution_target) == (response, resolution)
    assert [s.name for s in playbook.severities.values()] == ["Critical", "High", "Medium", "Low"]


def test_severity_1_is_a_complete_outage_escalated_immediately_to_cto_and_ceo(
    playbook: Playbook,
) -> None:
    sev1 = playbook.severities[1]
    assert sev1.definition == "Complete service outage or critical security breach"
    assert "Payment system failure" in sev1.examples
    assert sev1.escalation_note == "Immediate to CTO and CEO"
    assert sev1.notify_on_declare == ["cto", "ceo"]


def test_the_escalation_matrix_is_the_seed_table(playbook: Playbook) -> None:
    rows = {
        n: [(s.after, s.level) for s in sev.escalation] for n, sev in playbook.severities.items()
    }
    assert rows[1] == [
        (30 * MINUTE, "cto"),
        (HOUR, "ceo"),
        (2 * HOUR, "board"),
        (4 * HOUR, "external"),
    ]
    assert rows[2] == [(30 * MINUTE, "eng_manager"), (HOUR, "cto"), (2 * HOUR, "ceo")]
    assert rows[3] == [(30 * MINUTE, "team_lead"), (HOUR, "eng_manager"), (2 * HOUR, "cto")]
    assert rows[4] == [(HOUR, "team_lead"), (2 * HOUR, "eng_manager")]
    assert playbook.severities[4].business_hours_only


def test_roles_have_the_seed_primary_and_backup(playbook: Playbook) -> None:
    pairs = {role_id: (r.primary, r.backup) for role_id, r in playbook.roles.items()}
    assert pairs == {
        "incident_commander": ("sre-lead", "eng-manager"),
        "technical_lead": ("backend-lead", "frontend-lead"),
        "communications_lead": ("product-manager", "customer-success"),
    }
    assert {area: sme.primary for area, sme in playbook.smes.items()} == {
        "database": "dba",
        "security": "security-engineer",
        "infrastructure": "devops-lead",
        "application": "lead-developer",
    }


def test_the_sre_lead_is_reached_by_phone_then_slack_then_email(playbook: Playbook) -> None:
    contacts = [(c.method, c.address) for c in playbook.people["sre-lead"].contacts]
    assert contacts == [
        ("phone", "+1-555-0101"),
        ("slack", "@sre-lead"),
        ("email", "sre-lead@alchemorsel.com"),
    ]
    assert [c.method for c in playbook.people["cto"].contacts] == ["phone", "sms"]


def test_the_executive_contact_protocol_tries_the_backup_after_10_minutes(
    playbook: Playbook,
) -> None:
    assert playbook.contact_protocol.next_contact_after == 10 * MINUTE
    assert playbook.triggers.failed_attempts == 3


def test_the_templates_carry_the_seed_emoji_and_the_channel_pattern(playbook: Playbook) -> None:
    templates = playbook.communication.templates
    assert templates.initial.startswith("🚨 INCIDENT ALERT")
    assert templates.update.startswith("📊 INCIDENT UPDATE")
    assert templates.resolution.startswith("✅ INCIDENT RESOLVED")
    assert playbook.communication.channel_name == "incident-{date}-{seq:03d}"
    assert playbook.communication.status_page.url == "https://status.alchemorsel.com"


def test_post_mortems_are_due_in_48_hours_with_seven_sections(playbook: Playbook) -> None:
    post = playbook.post_incident
    assert post.postmortem_due == 48 * HOUR
    assert post.sections == [
        "Executive Summary",
        "Timeline of Events",
        "Root Cause Analysis",
        "Impact Assessment",
        "Response Evaluation",
        "Action Items",
        "Lessons Learned",
    ]
    assert post.follow_up_review == timedelta(days=30)


def test_the_exported_playbook_checks_clean_and_shows_the_same_policy(playbook: Playbook) -> None:
    exported, problems = check_playbook_text(builtin_playbook_text())
    assert problems == [] and exported == playbook
    shown, problems = check_playbook_text(dump_playbook(playbook))
    assert problems == [] and shown == playbook


def _broken(edit: dict[str, object]) -> list[str]:
    raw = yaml.safe_load(builtin_playbook_text())
    for path, value in edit.items():
        *parents, last = path.split(".")
        node = raw
        for part in parents:
            node = node[int(part) if isinstance(node, list) or part.isdigit() else part]
        if value is None:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if isinstance(node, list) else last] = value
    _, problems = check_playbook_text(yaml.safe_dump(raw))
    return [str(p) for p in problems]


def test_check_names_a_role_whose_primary_is_an_unknown_person() -> None:
    assert _broken({"roles.incident_commander.primary": "nobody"}) == [
        "roles.incident_commander.primary: names unknown person 'nobody'"
    ]


def test_check_names_a_matrix_row_with_an_unknown_level() -> None:
    problems = _broken({"severities.2.escalation.1.level": "vp"})
    assert problems == ["severities.2.escalation.1.level: unknown level 'vp'"]


def test_check_names_a_bad_duration() -> None:
    problems = _broken({"severities.1.response_time": "soon"})
    assert len(problems) == 1
    assert problems[0].startswith("severities.1.response_time: 'soon' is not a duration")


def test_check_names_a_missing_severity() -> None:
    problems = _broken({"severities.3": None})
    assert len(problems) == 1 and problems[0].startswith("severities:")
    assert "missing [3]" in problems[0]


def test_check_refuses_a_level_whose_person_has_no_contacts() -> None:
    problems = _broken({"people.cto.contacts": []})
    assert "levels.cto.0: names person 'cto', who has no contacts to page" in problems


def test_check_lists_every_problem_not_just_the_first() -> None:
    problems = _broken(
        {
            "roles.technical_lead.backup": "ghost",
            "severities.1.notify_on_declare": ["cto", "chairman"],
            "communication.templates.update": "{{ broken",
        }
    )
    assert len(problems) == 3
    assert any(p.startswith("severities.1.notify_on_declare.1") for p in problems)
    assert any(p.startswith("communication.templates.update") for p in problems)


def test_check_reports_unknown_keys_and_invalid_yaml() -> None:
    assert _broken({"severities.1.paging": "loud"}) == ["severities.1.paging: unknown key"]
    _, problems = check_playbook_text("severities: [unclosed")
    assert problems[0].path == "(file)"


def test_check_names_an_auto_published_severity_without_a_public_title() -> None:
    problems = _broken(
        {
            "communication.status_page.auto_publish": [4],
            "communication.status_page.public_titles.4": None,
        }
    )
    assert problems == [
        "communication.status_page.auto_publish[0]: severity 4 has no entry in "
        "status_page.public_titles"
    ]


def test_the_built_in_playbook_publishes_no_severity_by_itself(playbook: Playbook) -> None:
    assert playbook.communication.status_page.auto_publish == []
    assert set(playbook.communication.status_page.public_titles) == set(playbook.severities)
