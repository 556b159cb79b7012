"""A real Prometheus Alertmanager (Debian `prometheus-alertmanager`) notifying a running
warroom through `webhook_configs` and `pagerduty_configs`: grouping and resolution."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from warroom import scheduler
from warroom.api.app import create_app
from warroom.intake import keys as integration_keys
from warroom.service.context import Context, build_context
from warroom.service.incidents import reading
from warroom.settings import Settings
from warroom.store.intake_models import AlertRow

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("prometheus-alertmanager") is None,
        reason="Debian package prometheus-alertmanager is not installed (.ci/apt.d/intake.txt)",
    ),
]

CONFIG = """
route:
  receiver: warroom
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['via="pagerduty"']
      receiver: warroom-pd
receivers:
  - name: warroom
    webhook_configs:
      - url: http://127.0.0.1:{port}/api/v1/integrations/alertmanager
        http_config:
          authorization: {{credentials: {am_key}}}
  - name: warroom-pd
    pagerduty_configs:
      - url: http://127.0.0.1:{port}/v2/enqueue
        routing_key: {pd_key}
        severity: '{{{{ .CommonLabels.severity }}}}'
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll, bounded: the value once truthy, else fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"gave up after {timeout}s waiting for {check.__name__}")


@dataclass
class Stack:
    ctx: Context
    am_url: str

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        answer = httpx.post(f"{self.am_url}/api/v2/alerts", json=alerts, timeout=5)
        assert answer.status_code == 200, answer.text

    def alert_rows(self) -> list[AlertRow]:
        with self.ctx.db.unit_of_work() as session:
            return list(session.execute(select(AlertRow)).scalars())


@pytest.fixture
def warroom(tmp_path: Path) -> Iterator[tuple[Context, int]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'warroom.db'}", secret="s")
    ctx = build_context(settings)
    ctx.playbook = ctx.playbook.model_copy(
        update={"intake": ctx.playbook.intake.model_copy(update={"auto_resolve": True})}
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    applier, stop = scheduler.start_in_thread(ctx)  # as `warroom serve`: applies the inbox
    wait_for(lambda: server.started, timeout=15)
    yield ctx, port
    server.should_exit = True
    stop.set()
    thread.join(timeout=10)
    applier.join(timeout=10)
    ctx.db.dispose()


@pytest.fixture
def stack(warroom: tuple[Context, int], tmp_path: Path) -> Iterator[Stack]:
    ctx, port = warroom
    am_key = ctx.transact(integration_keys.create_integration, "alertmanager", "alertmanager")
    pd_key = ctx.transact(integration_keys.create_integration, "pagerduty", "alertmanager-pd")
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.format(port=port, am_key=am_key, pd_key=pd_key), "utf-8")
    am_port = free_port()
    log = (tmp_path / "alertmanager.log").open("w")
    process = subprocess.Popen(
        [
            "prometheus-alertmanager",
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    am_url = f"http://127.0.0.1:{am_port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{am_url}/-/ready", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, timeout=20)
        yield Stack(ctx, am_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def alert(name: str, instance: str, *, ended: bool = False, **labels: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "labels": {"alertname": name, "instance": instance, **labels},
        "annotations": {"summary": f"{name} on {instance}"},
        "startsAt": (now - timedelta(minutes=2)).isoformat(),
    }
    if ended:
        body["endsAt"] = (now - timedelta(seconds=1)).isoformat()
    return body


def test_alertmanager_groups_become_one_incident_each_and_resolve(stack: Stack) -> None:
    labels = {"severity": "critical", "service": "api"}
    stack.post_alerts(
        [alert("HighErrorRate", "a", **labels), alert("HighErrorRate", "b", **labels)]
    )
    stack.post_alerts([alert("DiskAlmostFull", "db-1", severity="warning", service="database")])

    def two_incidents() -> list[Any]:
        found = stack.ctx.read(reading.list_incidents, status="all")
        return found if len(found) == 2 and len(stack.alert_rows()) == 3 else []

    opened = {i.title.split(":")[0]: i for i in wait_for(two_incidents)}
    assert opened["HighErrorRate"].severity == 1
    assert opened["HighErrorRate"].services == ["api"]
    assert opened["DiskAlmostFull"].severity == 3

    stack.post_alerts([alert("HighErrorRate", "c", **labels)])
    wait_for(lambda: len(stack.alert_rows()) == 4)
    assert len(stack.ctx.read(reading.list_incidents, status="all")) == 2, "no duplicate"

    ended = [alert("HighErrorRate", i, ended=True, **labels) for i in "abc"]
    stack.post_alerts(ended)
    reference = opened["HighErrorRate"].reference
    resolved = wait_for(
        lambda: stack.ctx.read(reading.get_incident, reference).status == "resolved"
    )
    assert resolved
    statuses = [r.status for r in stack.alert_rows() if r.title.startswith("HighErrorRate")]
    assert statuses.count("resolved") == 3
    assert (
        stack.ctx.read(reading.get_incident, opened["DiskAlmostFull"].reference).status
        != "resolved"
    )


def test_alertmanagers_pagerduty_notifier_pointed_at_warroom_opens_and_resolves(stack: Stack):
    labels = {"severity": "critical", "service": "payments", "via": "pagerduty"}
    stack.post_alerts(
        [alert("CheckoutErrors", "a", **labels), alert("CheckoutErrors", "b", **labels)]
    )

    def one_incident() -> list[Any]:
        return stack.ctx.read(reading.list_incidents, status="all")

    (opened,) = wait_for(one_incident)
    assert opened.severity == 1
    assert opened.services == ["payments"], "labels read from custom_details (0.25 text form)"
    assert opened.title.startswith("[FIRING:2] CheckoutErrors")

    stack.post_alerts([alert("CheckoutErrors", i, ended=True, **labels) for i in "ab"])
    wait_for(lambda: stack.ctx.read(reading.get_incident, opened.reference).status == "resolved")
    assert len(stack.ctx.read(reading.list_incidents, status="all")) == 1


def test_a_storm_of_alertmanager_groups_folds_into_one_storm_incident(stack: Stack) -> None:
    """Fifteen groups (one alertname each) at once: ten open incidents, the other five join
    one alert-storm incident; a critical group after them raises it to Sev1."""
    stack.post_alerts([alert(f"LinkDown{n}", f"edge-{n}", severity="warning") for n in range(15)])

    def storm_holding(groups: int) -> Any:
        found = stack.ctx.read(reading.list_incidents, status="all")
        storms = [i for i in found if i.title.startswith("Alert storm")]
        title = f"Alert storm: {groups} groups from alertmanager"
        return storms[0] if len(found) == 11 and storms and storms[0].title == title else None

    storm = wait_for(lambda: storm_holding(5))
    assert storm.severity == 3
    stack.post_alerts([alert("LinkDownCore", "core-1", severity="critical")])
    wait_for(lambda: storm_holding(6))
    detail = stack.ctx.read(reading.get_incident, storm.reference)
    assert detail.storm and len(detail.alert_groups) == 6
    assert detail.severity == 1, "its critical group raised it, no new incident"
