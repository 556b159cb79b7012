"""An incident's alerts read as a responder needs them: which machine, since when, and the
links to the graph that fired, its runbook, its dashboard and a silence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from warroom.core import alert_views
from warroom.core.alert_views import AlertRecord

STARTED = datetime(2024, 1, 15, 9, 58, tzinfo=UTC)
LABELS = {"alertname": "HighErrorRate", "instance": "checkout-a:8080", "severity": "critical"}


def alert(source: str = "alertmanager", **changes: Any) -> AlertRecord:
    record = AlertRecord(
        fingerprint="816afe24b518730c",
        source=source,
        status="firing",
        title="HighErrorRate: 5xx rate above 5%",
        labels=dict(LABELS),
        annotations={"summary": "5xx rate above 5%"},
        starts_at=STARTED,
        ends_at=None,
        first_seen=STARTED + timedelta(seconds=30),
        last_seen=STARTED + timedelta(minutes=5),
        details={},
    )
    return replace(record, **changes)


def test_an_alertmanager_alert_links_its_graph_runbook_and_a_silence_of_its_labels() -> None:
    record = alert(
        annotations={"runbook_url": "https://runbooks.example/HighErrorRate"},
        details={
            "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
            "externalURL": "http://alertmanager:9093/",
        },
    )
    links = alert_views.links(record)
    assert links.generator == "http://prometheus:9090/graph?g0.expr=up"
    assert links.runbook == "https://runbooks.example/HighErrorRate"
    assert links.dashboard is None
    assert links.silence is not None
    prefix = "http://alertmanager:9093/#/silences/new?filter="
    assert links.silence.startswith(prefix)
    assert unquote(links.silence.removeprefix(prefix)) == (
        '{alertname="HighErrorRate",instance="checkout-a:8080",severity="critical"}'
    )
    assert "%7B" in links.silence and '"' not in links.silence, "the filter is URL-encoded"


def test_a_silence_filter_quotes_label_values_as_alertmanager_reads_them() -> None:
    assert alert_views.silence_filter({"path": 'C:\\logs "x"'}) == r'{path="C:\\logs \"x\""}'


def test_a_grafana_alert_links_its_own_silence_and_its_dashboard_before_its_panel() -> None:
    record = alert(
        "grafana",
        details={
            "generatorURL": "https://grafana.example/alerting/grafana/c0ffee12/view",
            "silenceURL": "https://grafana.example/alerting/silence/new?matcher=x",
            "dashboardURL": "https://grafana.example/d/pay01",
            "panelURL": "https://grafana.example/d/pay01?viewPanel=4",
            "externalURL": "https://grafana.example/",
        },
    )
    links = alert_views.links(record)
    assert links.silence == "https://grafana.example/alerting/silence/new?matcher=x"
    assert links.dashboard == "https://grafana.example/d/pay01"
    only_panel = replace(record, details={"panelURL": "https://grafana.example/d/p?viewPanel=4"})
    assert alert_views.links(only_panel).dashboard == "https://grafana.example/d/p?viewPanel=4"


def test_a_dashboard_annotation_wins_over_what_the_sender_adds() -> None:
    record = alert(
        "grafana",
        annotations={"grafana_url": "https://grafana.example/d/mine"},
        details={"dashboardURL": "https://grafana.example/d/theirs"},
    )
    assert alert_views.links(record).dashboard == "https://grafana.example/d/mine"
    plain = alert(annotations={"runbook": "https://wiki.example/rb", "dashboard": "https://d.ex/1"})
    assert alert_views.links(plain).runbook == "https://wiki.example/rb"
    assert alert_views.links(plain).dashboard == "https://d.ex/1"


def test_only_web_addresses_become_links() -> None:
    record = alert(
        annotations={"runbook_url": "javascript:alert(1)", "runbook": "restart the pod"},
        details={"generatorURL": "", "silenceURL": "data:text/html,x", "externalURL": "ftp://x"},
    )
    links = alert_views.links(record)
    assert (links.generator, links.runbook, links.dashboard, links.silence) == (None,) * 4


def test_without_its_alertmanager_s_address_an_alert_has_no_silence_link() -> None:
    assert alert_views.links(alert(details={})).silence is None
    other_source = alert("generic", details={"externalURL": "http://alertmanager:9093"})
    assert alert_views.links(other_source).silence is None, "only Alertmanager has that form"


def test_the_view_keeps_labels_annotations_times_and_status() -> None:
    record = alert(status="resolved", ends_at=STARTED + timedelta(minutes=4))
    shown = alert_views.view(record)
    assert shown.labels["instance"] == "checkout-a:8080"
    assert shown.annotations == {"summary": "5xx rate above 5%"}
    assert (shown.status, shown.ends_at) == ("resolved", STARTED + timedelta(minutes=4))
    assert (shown.first_seen, shown.last_seen) == (record.first_seen, record.last_seen)
    assert (shown.fingerprint, shown.source) == ("816afe24b518730c", "alertmanager")
