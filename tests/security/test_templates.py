"""Playbook templates cannot reach the interpreter, `playbook check` refuses one that fails on
sample data with its YAML path, and a template that fails at run time never makes a 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.ui_client import sign_in
from warroom.api.app import create_app
from warroom.cli.main import app
from warroom.core.escalation_state import Step
from warroom.core.playbook_file import builtin_playbook_text, check_playbook_text
from warroom.core.templates import SAMPLES, TemplateFailed, render
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.messages import message_fields
from warroom.service.paging.texts import compose
from warroom.service.tokens import create_token
from warroom.store.models import Incident, OutboxMessage
from warroom.store.queries import incident_by_reference, timeline

ESCAPE = "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}"


def _problems_with(template: str, name: str = "initial") -> list[str]:
    raw = yaml.safe_load(builtin_playbook_text())
    raw["communication"]["templates"][name] = template
    _, problems = check_playbook_text(yaml.safe_dump(raw, allow_unicode=True))
    return [str(p) for p in problems]


def _with_template(ctx: Context, name: str, template: str) -> Context:
    """`ctx` with a playbook whose template `name` is `template`, past any check: as if it
    failed only on real data."""
    communication = ctx.playbook.communication
    templates = communication.templates.model_copy(update={name: template})
    communication = communication.model_copy(
        update={"templates": templates, "announce_to": ["json://127.0.0.1:9/announce"]}
    )
    playbook = ctx.playbook.model_copy(update={"communication": communication})
    return Context(db=ctx.db, playbook=playbook, clock=ctx.clock, settings=ctx.settings)


def test_a_template_reaching_for_the_interpreter_is_refused_and_runs_nothing(
    tmp_path: Path,
) -> None:
    proof = tmp_path / "ran"
    with pytest.raises(TemplateFailed, match="unsafe") as failed:
        render("communication.templates.initial", ESCAPE % proof, SAMPLES["initial"])
    assert type(failed.value.__cause__).__name__ == "SecurityError"
    assert not proof.exists()


def test_check_refuses_a_sandbox_escape_with_its_yaml_path(tmp_path: Path) -> None:
    proof = tmp_path / "ran"
    [problem] = _problems_with(ESCAPE % proof)
    assert problem.startswith("communication.templates.initial: access to attribute")
    assert "is unsafe" in problem
    assert not proof.exists()


def test_check_refuses_a_division_by_zero_with_its_yaml_path() -> None:
    assert _problems_with("{{ 1/0 }}", "update") == [
        "communication.templates.update: division by zero"
    ]


def test_check_refuses_a_name_the_template_is_not_given() -> None:
    assert _problems_with("Hello {{ foo }}", "resolution") == [
        "communication.templates.resolution: 'foo' is undefined"
    ]


def test_check_refuses_a_vendor_template_that_asks_for_the_internal_title() -> None:
    assert _problems_with("{{ title }}", "vendor") == [
        "communication.templates.vendor: 'title' is undefined"
    ]


def test_the_cli_check_prints_the_failing_template_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    raw = yaml.safe_load(builtin_playbook_text())
    raw["communication"]["templates"]["briefing"] = "{{ 1/0 }}"
    path = tmp_path / "playbook.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    result = CliRunner().invoke(app, ["playbook", "check", str(path)])
    assert result.exit_code == 1
    assert "communication.templates.briefing: division by zero" in result.stderr


def test_check_renders_with_the_very_fields_the_messages_are_given(ctx: Context) -> None:
    reference = ctx.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="t"
    ).reference
    with ctx.db.reader() as session:
        incident = incident_by_reference(session, reference)
        fields = message_fields(ctx, incident, timeline(session, incident.id))
    assert set(fields) == set(SAMPLES["initial"]) == set(SAMPLES["briefing"])


def test_check_renders_the_vendor_template_with_the_very_fields_a_vendor_is_given(
    ctx: Context,
) -> None:
    every_field = " ".join(f"{{{{ {name} }}}}" for name in SAMPLES["vendor"])
    vendor_ctx = _with_template(ctx, "vendor", every_field)
    vendor = next(iter(ctx.playbook.vendors))
    incident = Incident(
        reference="2024-01-15-001",
        title="API down",
        severity=1,
        services=["api"],
        declared_at=ctx.clock.now(),
        status="investigating",
        channel="c",
    )
    step = Step(key="k", due_at=ctx.clock.now(), action="notify", reason="r", person=vendor)
    _, body = compose(vendor_ctx, incident, step, "k", ctx.clock.now())
    assert body.startswith("2024-01-15-001 Sev1") and "could not be written" not in body


@pytest.fixture
def broken(ctx: Context) -> Context:
    return _with_template(ctx, "initial", "{{ 1/0 }}")


@pytest.fixture
def browser(broken: Context) -> Iterator[TestClient]:
    token = broken.transact(create_token, "responder-token", "responder")
    with TestClient(create_app(broken), raise_server_exceptions=False) as client:
        sign_in(client, token)
        yield client


def test_a_template_failing_at_run_time_shows_a_render_error_on_the_incident_page(
    broken: Context, browser: TestClient
) -> None:
    reference = broken.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="t"
    ).reference
    page = browser.get(f"/ui/incidents/{reference}")
    assert page.status_code == 200
    assert "Render error in communication.templates.initial: division by zero" in page.text
    assert "📊 INCIDENT UPDATE" in page.text  # the other messages still render


def test_the_api_answers_a_failing_message_with_a_409_naming_the_template(
    broken: Context, browser: TestClient
) -> None:
    reference = broken.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="t"
    ).reference
    token = broken.transact(create_token, "viewer-token", "viewer")
    answer = browser.get(
        f"/api/v1/incidents/{reference}/messages/initial",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 409
    assert "communication.templates.initial" in answer.json()["error"]["message"]


def test_an_announcement_whose_template_fails_goes_out_as_a_notice_naming_it(
    broken: Context, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="warroom.templates"):
        first = broken.transact(
            incidents.declare, incidents.Declaration(title="API down", severity=1), actor="t"
        ).reference
        broken.transact(
            incidents.declare, incidents.Declaration(title="DB down", severity=1), actor="t"
        )
    with broken.db.reader() as session:
        bodies = session.execute(
            select(OutboxMessage.body).where(OutboxMessage.kind == "announce_initial")
        )
        sent = list(bodies.scalars())
    assert len(sent) == 2
    assert sent[0].startswith(f"Incident {first}: this message could not be written")
    assert "communication.templates.initial failed to render (division by zero)" in sent[0]
    failures = [r for r in caplog.records if "template_failed" in r.getMessage()]
    assert len(failures) == 1  # the same failure, logged once


def test_check_refuses_a_template_that_would_build_a_gigabyte() -> None:
    [problem] = _problems_with("{{ ('a' * 10**9) | length }}")
    assert problem == "communication.templates.initial: the result of * would be longer than 100000"
    [power] = _problems_with("{{ 10 ** 1000000 }}")
    assert "the result of ** would have more than 100000 digits" in power


def test_ordinary_arithmetic_and_repetition_still_render() -> None:
    text = render("x", "{{ '-' * 3 }} {{ 2 ** 10 }} {{ 2.5 * 2 }} {{ [0] * 2 }}", {})
    assert text == "--- 1024 5.0 [0, 0]"


def test_check_renders_the_branch_a_resolved_incident_takes() -> None:
    template = "{% if status == 'resolved' %}{{ closed_at }}{% endif %}"
    assert _problems_with(template, "resolution") == [
        "communication.templates.resolution: 'closed_at' is undefined"
    ]


def test_a_channel_name_pattern_reading_attributes_is_refused_by_check() -> None:
    from warroom.core.playbook_rules import _channel_pattern_problem

    assert _channel_pattern_problem("incident-{date}-{seq:03d}") is None
    assert "only {date} and {seq}" in (_channel_pattern_problem("{date.__class__}-{seq}") or "")
    assert "does not format" in (_channel_pattern_problem("incident-{date}-{seq:zz}") or "")
    assert "needs {date} and {seq}" in (_channel_pattern_problem("incident-{seq}") or "")
