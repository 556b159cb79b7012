"""Renderings of the monthly review: Markdown and HTML with charts, CSV of the incidents.

Charts are drawn with matplotlib's Agg backend (no display) and embedded as base64 PNG.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from typing import Any

import markdown as md

from warroom.core.durations import humanize
from warroom.core.playbook import Playbook


def _span(value: float | None) -> str:
    from datetime import timedelta

    return "—" if value is None else humanize(timedelta(seconds=value))


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(report: dict[str, Any]) -> dict[str, str]:
    """Title -> base64 PNG: incidents by severity, median times, and the four-month trend."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    by_severity = report["incidents"]["by_severity"]
    severities = list(by_severity)
    out: dict[str, str] = {}
    figure = Figure(figsize=(5, 3))
    axes = figure.subplots()
    axes.bar([f"Sev{s}" for s in severities], [by_severity[s] for s in severities])
    axes.set_title("Incidents by severity")
    out["Incidents by severity"] = _png(figure)

    figure = Figure(figsize=(5, 3))
    axes = figure.subplots()
    for offset, key in ((-0.2, "time_to_acknowledge"), (0.2, "time_to_resolve")):
        medians = [(report[key].get(s) or {}).get("median") or 0 for s in severities]
        axes.bar(
            [i + offset for i in range(len(severities))],
            [m / 60 for m in medians],
            width=0.4,
            label=key.replace("_", " "),
        )
    axes.set_xticks(range(len(severities)), [f"Sev{s}" for s in severities])
    axes.set_ylabel("median, minutes")
    axes.legend()
    out["Median times by severity"] = _png(figure)

    figure = Figure(figsize=(5, 3))
    axes = figure.subplots()
    months = [p["month"] for p in report["trends"]["previous"]] + [report["month"]]
    totals = [p["total"] for p in report["trends"]["previous"]] + [report["incidents"]["total"]]
    axes.plot(months, totals, marker="o")
    axes.set_title("Incidents per month")
    out["Incidents per month"] = _png(figure)
    return out


def _severity_table(report: dict[str, Any], playbook: Playbook) -> list[str]:
    lines = [
        "| Severity | Incidents | TTA median | TTA p90 | TTR median | TTR p90 | TTD median "
        "| Response SLA met/breached | Resolution SLA met/breached |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    none = {"met": 0, "breached": 0}
    for sev, count in report["incidents"]["by_severity"].items():
        tta = report["time_to_acknowledge"].get(sev, {})
        ttr = report["time_to_resolve"].get(sev, {})
        ttd = report["time_to_detect"].get(sev, {})
        resp = report["sla"]["response"].get(sev, none)
        reso = report["sla"]["resolution"].get(sev, none)
        name = playbook.severities[int(sev)].name if int(sev) in playbook.severities else sev
        lines.append(
            f"| Sev{sev} {name} | {count} | {_span(tta.get('median'))} | {_span(tta.get('p90'))} "
            f"| {_span(ttr.get('median'))} | {_span(ttr.get('p90'))} | {_span(ttd.get('median'))} "
            f"| {resp['met']}/{resp['breached']} | {reso['met']}/{reso['breached']} |"
        )
    return lines


def _trend_lines(report: dict[str, Any]) -> list[str]:
    lines = ["| Month | Incidents | TTA median | TTR median |", "|---|---|---|---|"]
    for p in report["trends"]["previous"]:
        lines.append(
            f"| {p['month']} | {p['total']} | {_span(p['time_to_acknowledge_median'])} "
            f"| {_span(p['time_to_resolve_median'])} |"
        )
    change = report["trends"]["total_change_pct"]
    shown = "n/a" if change is None else f"{change:+.1f}%"
    return [*lines, "", f"Incident count change against their average: {shown}"]


def to_markdown(report: dict[str, Any], playbook: Playbook, with_charts: bool = True) -> str:
    incidents, items = report["incidents"], report["action_items"]
    lines = [
        f"# Monthly incident review: {report['month']}",
        "",
        f"**Incidents:** {incidents['total']} (drills left out)",
        "",
        "## By severity",
        "",
    ]
    lines += _severity_table(report, playbook)
    lines += ["", "## By service", ""]
    lines += [f"- {s}: {n}" for s, n in incidents["by_service"].items()] or ["- none"]
    lines += ["", "## By source", ""]
    lines += [f"- {s}: {n}" for s, n in incidents["by_source"].items()] or ["- none"]
    lines += [
        "",
        "## Action items",
        "",
        f"{items['total']} total, {items['done']} done, {items['overdue']} overdue",
        "",
        "## Trends (against the three previous months)",
        "",
    ]
    lines += _trend_lines(report)
    lines += ["", "## Services with most incidents", ""]
    top = report["top_services"]
    lines += [f"{n}. {t['service']} ({t['incidents']})" for n, t in enumerate(top, 1)] or ["none"]
    if with_charts:
        lines += ["", "## Charts", ""]
        lines += [f"![{t}](data:image/png;base64,{png})" for t, png in charts(report).items()]
    return "\n".join(lines) + "\n"


def to_html(report: dict[str, Any], playbook: Playbook) -> str:
    body = md.markdown(to_markdown(report, playbook, with_charts=False), extensions=["tables"])
    images = "".join(
        f"<figure><img alt='{html.escape(t)}' src='data:image/png;base64,{png}'>"
        f"<figcaption>{html.escape(t)}</figcaption></figure>"
        for t, png in charts(report).items()
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Monthly incident review {html.escape(report['month'])}</title>"
        "<style>body{font-family:sans-serif;max-width:70em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}</style>"
        f"</head><body>{body}<h2>Charts</h2>{images}</body></html>"
    )


CSV_COLUMNS = (
    "reference",
    "title",
    "severity",
    "status",
    "source",
    "services",
    "detected_at",
    "declared_at",
    "acknowledged_at",
    "resolved_at",
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_resolve",
)


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
        )
    return buffer.getvalue()
