"""`warroom oncall` and `warroom schedule ...`: who is on call, the shifts, overrides and
calendar feeds, through the server. A time without an offset is the schedule's local time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import typer

from warroom.cli.client import ApiClient
from warroom.cli.output import fail, print_json, print_listing, say, short_time
from warroom.cli.state import settings

schedule_group = typer.Typer(
    help="On-call schedules: shifts, overrides and calendar feeds.", no_args_is_help=True
)
JsonFlag = typer.Option(False, "--json", help="Print JSON for scripts.")
SCHEDULES = "/api/v1/schedules"


class _Schedules:
    """The server's schedules, asked for once: their timezones read local times."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self._listed: list[dict[str, Any]] | None = None

    def listed(self) -> list[dict[str, Any]]:
        if self._listed is None:
            self._listed = self.client.get(SCHEDULES)
        return self._listed

    def moment(self, schedule_id: str, text: str | None, option: str) -> str | None:
        """An ISO 8601 time as UTC; without an offset, in the schedule's timezone."""
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            fail(f"{option}: {text!r} is not an ISO 8601 date and time", code=2)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(self.timezone(schedule_id)))
        return moment.astimezone(UTC).isoformat()

    def timezone(self, schedule_id: str) -> str:
        return next((s["timezone"] for s in self.listed() if s["id"] == schedule_id), "UTC")


def oncall(
    schedule_id: str = typer.Argument(
        None, metavar="[ID]", help="A schedule (default: every one)."
    ),
    at: str = typer.Option(None, "--at", help="When (ISO 8601; default now)."),
    as_json: bool = JsonFlag,
) -> None:
    """Who is on call now (or --at a moment), since when and until when."""
    schedules = _Schedules(ApiClient(settings()))
    ids = [schedule_id] if schedule_id else [s["id"] for s in schedules.listed()]
    found = [
        schedules.client.get(f"{SCHEDULES}/{name}/oncall", at=schedules.moment(name, at, "--at"))
        for name in ids
    ]
    print_listing(
        found[0] if schedule_id and as_json else found,
        as_json,
        "On call",
        ["Schedule", "On call", "Since", "Until"],
        [
            [
                f["schedule"],
                f["person_name"] or "nobody",
                short_time(f["since"]),
                short_time(f["until"]),
            ]
            for f in found
        ],
    )


@schedule_group.command("list")
def schedule_list(as_json: bool = JsonFlag) -> None:
    """The playbook's schedules, who is on call on each and what names it."""
    listed = ApiClient(settings()).get(SCHEDULES)
    print_listing(
        listed,
        as_json,
        "Schedules",
        ["ID", "Timezone", "On call", "Until", "Used by"],
        [
            [
                s["id"],
                s["timezone"],
                s["on_call"]["person_name"] or "nobody",
                short_time(s["on_call"]["until"]),
                ", ".join(s["used_by"]) or "-",
            ]
            for s in listed
        ],
    )


@schedule_group.command("shifts")
def schedule_shifts(
    schedule_id: str = typer.Argument(..., metavar="ID", help="The schedule."),
    start: str = typer.Option(None, "--from", help="From (ISO 8601; default now)."),
    end: str = typer.Option(None, "--to", help="Until (ISO 8601; default two weeks on)."),
    as_json: bool = JsonFlag,
) -> None:
    """The shifts of a span, overrides applied; a gap shows as nobody."""
    schedules = _Schedules(ApiClient(settings()))
    found = schedules.client.get(
        f"{SCHEDULES}/{schedule_id}/shifts",
        **{
            "from": schedules.moment(schedule_id, start, "--from"),
            "to": schedules.moment(schedule_id, end, "--to"),
        },
    )
    zone = schedules.timezone(schedule_id)
    print_listing(
        found,
        as_json,
        f"Shifts of {schedule_id} ({zone})",
        ["Start", "End", "On call"],
        [
            [_local(s["start"], zone), _local(s["end"], zone), s["person_name"] or "nobody"]
            for s in found
        ],
    )


def _local(text: str, zone: str) -> str:
    return f"{datetime.fromisoformat(text).astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M}"


@schedule_group.command("override")
def schedule_override(
    schedule_id: str = typer.Argument(..., metavar="ID", help="The schedule."),
    person: str = typer.Argument(..., help="Who covers (a person id of the playbook)."),
    start: str = typer.Option(..., "--start", help="From (ISO 8601)."),
    end: str = typer.Option(..., "--end", help="Until (ISO 8601)."),
    as_json: bool = JsonFlag,
) -> None:
    """PERSON covers the schedule from --start until --end."""
    schedules = _Schedules(ApiClient(settings()))
    made = schedules.client.post(
        f"{SCHEDULES}/{schedule_id}/overrides",
        {
            "person": person,
            "start": schedules.moment(schedule_id, start, "--start"),
            "end": schedules.moment(schedule_id, end, "--end"),
        },
    )
    if as_json:
        print_json(made)
    else:
        say(f"override {made['id']}: {person} covers {schedule_id} "
            f"from {short_time(made['start'])} until {short_time(made['end'])} UTC")  # fmt: skip


@schedule_group.command("overrides")
def schedule_overrides(
    schedule_id: str = typer.Argument(..., metavar="ID", help="The schedule."),
    past: bool = typer.Option(False, "--past", help="Include those already over."),
    as_json: bool = JsonFlag,
) -> None:
    """The schedule's overrides, with who made each."""
    found = ApiClient(settings()).get(f"{SCHEDULES}/{schedule_id}/overrides", past=past or None)
    print_listing(
        found,
        as_json,
        f"Overrides of {schedule_id} (UTC)",
        ["ID", "Person", "Start", "End", "Made by", "Made"],
        [
            [
                o["id"],
                o["person"],
                short_time(o["start"]),
                short_time(o["end"]),
                o["created_by"],
                short_time(o["created_at"]),
            ]
            for o in found
        ],
    )


@schedule_group.command("delete-override")
def schedule_delete_override(
    schedule_id: str = typer.Argument(..., metavar="ID", help="The schedule."),
    override_id: int = typer.Argument(..., metavar="OVERRIDE", help="The override's id."),
    as_json: bool = JsonFlag,
) -> None:
    """The override no longer applies (it is kept, with who deleted it and when)."""
    gone = ApiClient(settings()).delete(f"{SCHEDULES}/{schedule_id}/overrides/{override_id}")
    if as_json:
        print_json(gone)
    else:
        say(f"override {override_id} of {schedule_id} deleted")


@schedule_group.command("calendar")
def schedule_calendar(
    schedule_id: str = typer.Argument(..., metavar="ID", help="The schedule."),
    person: str = typer.Option(None, "--person", help="Only this person's shifts."),
    listing: bool = typer.Option(False, "--list", help="List the feeds instead."),
    revoke: int = typer.Option(None, "--revoke", metavar="FEED", help="Revoke this feed."),
    as_json: bool = JsonFlag,
) -> None:
    """Make a secret iCalendar URL of the next 12 weeks' shifts (printed once), for a
    calendar application to subscribe to; or --list the feeds, or --revoke one."""
    client = ApiClient(settings())
    path = f"{SCHEDULES}/{schedule_id}/calendar"
    if revoke is not None:
        gone = client.delete(f"{path}/{revoke}")
        if as_json:
            print_json(gone)
        else:
            say(f"calendar feed {revoke} revoked")
        return
    if listing:
        found = client.get(path)
        print_listing(
            found,
            as_json,
            f"Calendar feeds of {schedule_id}",
            ["ID", "Person", "Made by", "Made", "Revoked"],
            [
                [
                    f["id"],
                    f["person"] or "everyone",
                    f["created_by"],
                    short_time(f["created_at"]),
                    short_time(f["revoked_at"]),
                ]
                for f in found
            ],
        )
        return
    made = client.post(path, {"person": person})
    if as_json:
        print_json(made)
    else:
        typer.echo(made["url"])


def register(app: typer.Typer) -> None:
    app.command()(oncall)
    app.add_typer(schedule_group, name="schedule")
