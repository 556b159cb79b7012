"""The playbook as data: pydantic models for every section of the policy file.

Loading turns YAML into a validated `Playbook`; `check_playbook` lists every problem with
its YAML path instead of stopping at the first. Nothing in here knows the seed's values:
those live in `warroom/playbooks/alchemorsel-v3.yaml`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator, model_validator

from warroom.core.playbook_base import STRICT, ClockTime, Duration, Weekday
from warroom.core.playbook_base import WEEKDAYS as WEEKDAYS
from warroom.core.schedule_model import Schedule

BUILTIN_PLAYBOOK = "alchemorsel-v3.yaml"
ContactMethod = Literal["phone", "sms", "slack", "email", "teams", "webhook"]


class Strict(BaseModel):
    model_config = STRICT


class MatrixStep(Strict):
    """One cell of the escalation matrix: `level` is reached `after` declaration."""

    after: Duration
    level: str


class Severity(Strict):
    name: str
    definition: str
    examples: list[str] = []
    response_time: Duration
    resolution_target: Duration
    escalation_note: str = ""
    notify_on_declare: list[str] = []
    page_on_declare: list[str] = []
    update_every: Duration
    escalation: list[MatrixStep] = []
    business_hours_only: bool = False


class Contact(Strict):
    method: ContactMethod
    address: str = Field(min_length=1)


class Person(Strict):
    name: str
    contacts: list[Contact] = []


class Role(Strict):
    name: str
    description: str = ""
    responsibilities: list[str] = []
    primary: str
    backup: str | None = None


def _sme_shape(value: object) -> object:
    return {"primary": value} if isinstance(value, str) else value


class Sme(Strict):
    """A subject matter expert: `database: dba`, or `{primary: dba, backup: dba-2}`."""

    primary: str
    backup: str | None = None


SmeEntry = Annotated[Sme, BeforeValidator(_sme_shape)]


class Vendor(Strict):
    """An external party reachable through its person entry (`people.<id>`), told when the
    `external` level is reached about an incident of a service it serves (none: every one)."""

    provides: str
    services: list[str] = []

    def serves(self, services: Sequence[str]) -> bool:
        return not self.services or any(s in self.services for s in services)


class ContactProtocol(Strict):
    next_contact_after: Duration
    document_attempts: bool = True
    description: list[str] = []


class Triggers(Strict):
    unacknowledged: bool = True
    unresolved: bool = True
    severity_raised: bool = True
    failed_attempts: int = Field(default=3, ge=1)
    unacknowledged_pages_backup_of: list[str] = []


class BusinessHours(Strict):
    timezone: str = "UTC"
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    start: ClockTime = time(9, 0)
    end: ClockTime = time(17, 0)
    holidays: list[date] = []  # days without business hours, in the playbook's timezone


class RunbookCommand(Strict):
    title: str
    command: str


class RunbookSection(Strict):
    title: str
    commands: list[RunbookCommand]


class Service(Strict):
    name: str
    description: str = ""
    owner: str | None = None
    runbook: list[RunbookSection] = []
    runbook_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _runbook_as_a_link(cls, value: Any) -> Any:
        """`runbook: https://...` (a link, as earlier playbooks wrote it) is `runbook_url`."""
        if isinstance(value, dict) and isinstance(value.get("runbook"), str):
            return {**value, "runbook_url": value["runbook"], "runbook": []}
        return value


class Templates(Strict):
    initial: str
    update: str
    resolution: str
    vendor: str = (
        "{{ severity_label }} incident {{ reference }} since {{ start_time }}, affecting "
        "{{ services }}. Status: {{ status_page_url }}"
    )
    briefing: str = (
        "Briefing on {{ reference }} ({{ severity_label }}): {{ status }}. Impact: {{ impact }}. "
        "Next steps: {{ next_steps }}. ETA: {{ eta }}"
    )


class ExecutiveBriefing(Strict):
    """Briefings to escalation levels at a cadence while an incident of these severities is
    open (the seed's "Executive briefings for Severity 1/2 incidents")."""

    severities: list[int] = []
    every: Duration
    to: list[str] = []


class StatusPage(Strict):
    title: str
    url: str
    component_status: dict[int, str] = {
        1: "major_outage",
        2: "partial_outage",
        3: "degraded_performance",
        4: "operational",
    }
    # What the public reads of an incident published before anyone wrote a public title.
    public_titles: dict[int, str] = {
        1: "Major service outage",
        2: "Partial service outage",
        3: "Degraded service",
        4: "Minor service issue",
    }
    auto_publish: list[int] = []  # severities public from their declaration


class Communication(Strict):
    channel_name: str = "incident-{date}-{seq:03d}"
    video_url: str | None = None  # the war-room bridge; `{reference}` is the incident's
    status_page: StatusPage
    internal_systems: dict[str, str] = {}
    announce_to: list[str] = []
    update_reminder_role: str | None = None
    executive_briefing: ExecutiveBriefing | None = None
    templates: Templates


class Meeting(Strict):
    attendees: str = ""
    duration: str = ""
    facilitator: str = ""


class Cadence(Strict):
    every: Duration
    agenda: list[str] = []


class PostIncident(Strict):
    postmortem_due: Duration
    postmortem_owner_role: str | None = None
    sections: list[str]
    meeting: Meeting = Meeting()
    immediate_actions: list[str] = []
    follow_up_actions: list[str] = []
    follow_up_review: Duration
    monthly_review: Cadence | None = None
    quarterly_exercise: Cadence | None = None


class ChecklistItem(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    text: str
    # An event kind that ticks the item by itself (`page_sent`), or `kind.field` for an
    # event that carries that field (`impact_assessed.affected_users_pct`).
    ticks_on: str | None = None


class Checklist(Strict):
    phase: str
    title: str
    items: list[ChecklistItem]


class IntakeRule(Strict):
    match: dict[str, str]
    service: str | None = None
    severity: int | None = None
    drop: bool = False


class Storm(Strict):
    """Past `new_incidents` new alert incidents of one integration within `within`, the
    alerts that would open more join one open alert-storm incident of that integration."""

    new_incidents: int = Field(default=10, ge=1)
    within: Duration = timedelta(minutes=5)

    @field_validator("within")
    @classmethod
    def _within_is_positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("within must be a positive duration, like 5m")
        return value


class Intake(Strict):
    severity_label: str = "severity"
    severity_map: dict[str, int] = {
        "critical": 1,
        "error": 2,
        "high": 2,
        "warning": 3,
        "info": 4,
        "low": 4,
    }
    default_severity: int = 3
    service_labels: list[str] = ["service", "job"]
    rules: list[IntakeRule] = []
    auto_resolve: bool = False
    reopen_window: Duration = timedelta(hours=1)
    rate_limit_per_minute: int = Field(default=1200, ge=1)
    storm: Storm = Storm()


ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
CHANNEL = r"^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{2,})$"  # a Slack channel's name or id


class SlackChat(Strict):
    """The Slack workspace of the war rooms; the token and signing secret stay in the
    environment, under the names given here."""

    api_url: str = Field(default="https://slack.com/api/", pattern=r"^https?://\S+$")
    token_env: str = Field(default="WARROOM_SLACK_TOKEN", pattern=ENV_NAME)
    signing_secret_env: str = Field(default="WARROOM_SLACK_SIGNING_SECRET", pattern=ENV_NAME)
    announce_channel: str | None = Field(default=None, pattern=CHANNEL)
    archive_after: Duration | None = timedelta(days=7)  # after resolution; none: kept open


class Chat(Strict):
    slack: SlackChat | None = None
    teams_backup: str | None = Field(default=None, min_length=1)  # Apprise URL, when Slack fails


class Playbook(Strict):
    name: str
    timezone: str = "UTC"
    next_review: date | None = None  # when the playbook itself is next reviewed
    business_hours: BusinessHours = BusinessHours()
    severities: dict[int, Severity]
    levels: dict[str, list[str]]
    roles: dict[str, Role]
    smes: dict[str, SmeEntry] = {}
    people: dict[str, Person]
    vendors: dict[str, Vendor] = {}
    contact_protocol: ContactProtocol
    triggers: Triggers = Triggers()
    channels: dict[ContactMethod, str] = {}
    services: dict[str, Service] = {}
    communication: Communication
    post_incident: PostIncident
    checklists: list[Checklist] = []
    intake: Intake = Intake()
    schedules: dict[str, Schedule] = {}
    chat: Chat = Chat()

    @field_validator("severities")
    @classmethod
    def _severities_run_from_one(cls, value: dict[int, Severity]) -> dict[int, Severity]:
        expected = list(range(1, len(value) + 1))
        if sorted(value) != expected:
            missing = [n for n in range(1, max(value, default=0) + 1) if n not in value]
            raise ValueError(
                f"severities must be numbered 1..N with none missing; missing {missing or [1]}"
            )
        return value

    def severity(self, level: int) -> Severity:
        return self.severities[level]

    def primaries(self) -> dict[str, str]:
        """Each role's primary: a person, or a `schedule:<id>`."""
        return {role_id: role.primary for role_id, role in self.roles.items()}

    def person_name(self, person_id: str) -> str:
        person = self.people.get(person_id)
        return person.name if person else person_id


class PlaybookProblem(BaseModel):
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class PlaybookInvalid(Exception):
    def __init__(self, source: str, problems: list[PlaybookProblem]) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"playbook {source} has {len(problems)} problem(s):\n{lines}")
        self.source = source
        self.problems = problems
