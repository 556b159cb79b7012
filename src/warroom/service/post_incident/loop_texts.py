"""The improvement loop's words, as sandboxed templates (DESIGN rule 12): the monthly
review's announcement, the quarterly exercise reminder and the playbook's review reminder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from warroom.core.durations import humanize
from warroom.core.playbook import Playbook
from warroom.core.templates import builtin

MONTHLY_REVIEW_SUBJECT = builtin(
    "improvement.monthly_review.subject",
    "Monthly incident review {{ period }}: {{ total }} incident{{ '' if total == 1 else 's' }}",
)
MONTHLY_REVIEW_BODY = builtin(
    "improvement.monthly_review.body",
    "The monthly incident review of {{ period }} is ready (drills left out).\n"
    "\n"
    "Incidents: {{ total }}"
    "{% if total %} ({% for s in severities %}Sev{{ s.severity }} {{ s.count }}"
    "{% if not loop.last %}, {% endif %}{% endfor %}){% endif %}\n"
    "{% for s in severities if s.count %}"
    "Sev{{ s.severity }} {{ s.name }}: acknowledged in {{ s.acknowledge }}, resolved in "
    "{{ s.resolve }} (medians); response SLA {{ s.response.met }} met, "
    "{{ s.response.breached }} breached; resolution SLA {{ s.resolution.met }} met, "
    "{{ s.resolution.breached }} breached\n"
    "{% endfor %}"
    "Action items: {{ items.total }} total, {{ items.done }} done, "
    "{{ items.overdue }} overdue\n"
    "{% if agenda %}\nAgenda:\n{% for line in agenda %}- {{ line }}\n{% endfor %}{% endif %}"
    "\nThe whole review: warroom report show {{ period }}",
)
QUARTERLY_EXERCISE_SUBJECT = builtin(
    "improvement.quarterly_exercise.subject",
    "Quarterly disaster recovery test and tabletop exercise: {{ quarter }}",
)
QUARTERLY_EXERCISE_BODY = builtin(
    "improvement.quarterly_exercise.body",
    "{{ quarter }} has begun: time to plan this quarter's disaster recovery test and "
    "tabletop exercise.\n"
    "{% if agenda %}\nAgenda:\n{% for line in agenda %}- {{ line }}\n{% endfor %}{% endif %}",
)
PLAYBOOK_REVIEW_SUBJECT = builtin(
    "improvement.playbook_review.subject", "The playbook {{ name }} is due for review"
)
PLAYBOOK_REVIEW_BODY = builtin(
    "improvement.playbook_review.body",
    "The playbook {{ name }} was due for review on {{ due }}. Review it with the team, "
    "then set its next_review to the date of the following review.",
)


def review_fields(period: str, report: dict[str, Any], playbook: Playbook) -> dict[str, Any]:
    """The headline figures of a monthly review, as the announcement reads them."""
    none = {"met": 0, "breached": 0}
    severities = [
        {
            "severity": key,
            "name": playbook.severities[int(key)].name if int(key) in playbook.severities else "",
            "count": count,
            "acknowledge": _median(report["time_to_acknowledge"].get(key)),
            "resolve": _median(report["time_to_resolve"].get(key)),
            "response": report["sla"]["response"].get(key, none),
            "resolution": report["sla"]["resolution"].get(key, none),
        }
        for key, count in report["incidents"]["by_severity"].items()
    ]
    cadence = playbook.post_incident.monthly_review
    return {
        "period": period,
        "total": report["incidents"]["total"],
        "severities": severities,
        "items": report["action_items"],
        "agenda": cadence.agenda if cadence else [],
    }


def _median(summary: dict[str, Any] | None) -> str:
    seconds = (summary or {}).get("median")
    return "—" if seconds is None else humanize(timedelta(seconds=seconds))
