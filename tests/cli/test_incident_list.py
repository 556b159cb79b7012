"""`warroom list` (SPEC §7): piped, one incident a line with its whole reference; the
filters of the API; and `--limit N` following the server's `next` until it has N."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from warroom.cli.client import ApiClient
from warroom.cli.incident_list import fetch
from warroom.cli.main import app
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import lifecycle
from warroom.settings import Settings

LONG_TITLE = "Checkout fails for every customer paying by card in the EU region " * 2


def _run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _listed(cli: CliRunner, *args: str) -> list[str]:
    code, out, err = _run(cli, *args)
    assert code == 0, err
    return [incident["reference"] for incident in json.loads(out)]


def _declare_many(ctx: Context, clock: ManualClock, titles: list[str]) -> list[str]:
    """One incident a title, a minute apart, each declared as the CLI would."""
    references = []
    with ctx.db.unit_of_work() as session:
        for title in titles:
            clock.advance(timedelta(minutes=1))
            declaration = lifecycle.Declaration(title, 3, services=["api"])
            references.append(lifecycle.declare(ctx, session, declaration, actor="cli").reference)
    return references


def test_piped_the_list_is_one_incident_a_line_with_whole_references(
    cli: CliRunner, ctx: Context, clock: ManualClock
) -> None:
    references = _declare_many(ctx, clock, [LONG_TITLE, "Slow\tsearch\nresults", "API down"])
    code, out, err = _run(cli, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(reversed(references))
    assert lines[2].split("\t")[1:4] == ["3", "investigating", LONG_TITLE.strip()]
    assert lines[1].split("\t")[3] == "Slow search results"
    assert all(line.count("\t") == 5 for line in lines)


def test_limit_all_and_search_choose_what_is_listed(
    cli: CliRunner, ctx: Context, clock: ManualClock
) -> None:
    references = _declare_many(ctx, clock, [f"Payments slow {n}" for n in range(5)])
    ctx.transact(lifecycle.resolve, references[0], resolution="scaled up", actor="cli")
    _declare_many(ctx, clock, ["Login down"])
    code, out, _ = _run(cli, "list", "--all", "--limit", "3", "--search", "PAYMENTS")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == references[:1:-1]
    assert _listed(cli, "list", "--status", "resolved", "--json") == [references[0]]
    open_ones = _listed(cli, "list", "--search", "payments", "--limit", "0", "--json")
    assert open_ones == references[:0:-1]
    code, out, _ = _run(cli, "list", "--service", "database")
    assert code == 0 and out == ""


def test_since_and_until_take_utc_times_and_dates(
    cli: CliRunner, ctx: Context, clock: ManualClock
) -> None:
    [monday] = _declare_many(ctx, clock, ["Monday"])
    clock.advance(timedelta(days=1))
    [tuesday] = _declare_many(ctx, clock, ["Tuesday"])
    assert _listed(cli, "list", "--since", "2024-01-16", "--json") == [tuesday]
    assert _listed(cli, "list", "--until", "2024-01-16T00:00:00Z", "--json") == [monday]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--all", "--status", "open"], "not both"),
        (["--status", "closed"], "open, resolved or all"),
        (["--since", "yesterday"], "--since takes a UTC time"),
        (["--limit", "-1"], "--limit"),
    ],
)
def test_a_list_asked_for_wrongly_is_a_usage_error(
    cli: CliRunner, args: list[str], reason: str
) -> None:
    code, out, err = _run(cli, "list", *args)
    assert code == 2 and out == ""
    assert reason in err


def test_a_refused_filter_exits_1_with_the_servers_reason(cli: CliRunner) -> None:
    code, _, err = _run(cli, "list", "--severity", "7")
    assert code == 1 and "severity 7 is not in the playbook" in err


class PagedServer:
    """An incident list served two at a time, as the real server pages it (Link: next)."""

    def __init__(self, count: int) -> None:
        self.incidents = [{"reference": f"2024-01-15-{n:03d}"} for n in range(count, 0, -1)]
        self.requests: list[httpx.URL] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url)
        start = int(request.url.params.get("cursor", "0"))
        size = min(int(request.url.params.get("limit", "2")), 2)
        page = self.incidents[start : start + size]
        headers = {}
        if start + size < len(self.incidents):
            following = request.url.copy_set_param("cursor", str(start + size))
            headers["Link"] = f'<{following}>; rel="next"'
        return httpx.Response(200, json=page, headers=headers)


def _client(server: PagedServer) -> ApiClient:
    settings = Settings(url="http://warroom.test", token="t", secret="s")
    return ApiClient(settings, transport=httpx.MockTransport(server.handle))


def test_limit_n_follows_next_until_it_has_n() -> None:
    server = PagedServer(7)
    listed = fetch(_client(server), {"status": "all"}, 5, note=Console(file=io.StringIO()))
    assert [i["reference"] for i in listed.incidents] == [
        f"2024-01-15-{n:03d}" for n in (7, 6, 5, 4, 3)
    ]
    assert listed.more
    assert [url.params.get("cursor") for url in server.requests] == [None, "2", "4"]
    assert all(url.params["status"] == "all" for url in server.requests)


def test_limit_0_follows_next_to_the_last_page() -> None:
    server = PagedServer(5)
    listed = fetch(_client(server), {}, 0, note=Console(file=io.StringIO()))
    assert len(listed.incidents) == 5 and not listed.more
    assert len(server.requests) == 3


def test_no_limit_is_one_page_of_the_servers_default() -> None:
    server = PagedServer(5)
    listed = fetch(_client(server), {}, None, note=Console(file=io.StringIO()))
    assert len(listed.incidents) == 2 and listed.more
    assert "limit" not in server.requests[0].params


def test_a_note_on_a_terminal_tells_how_many_have_come_and_none_when_piped() -> None:
    terminal, piped = io.StringIO(), io.StringIO()
    fetch(_client(PagedServer(7)), {}, 0, note=Console(file=terminal, force_terminal=True))
    fetch(_client(PagedServer(7)), {}, 0, note=Console(file=piped))
    assert "fetched 6 incidents" in terminal.getvalue()
    assert piped.getvalue() == ""
