"""The post-mortem draft's words that come from the timeline, as sandboxed templates
(DESIGN rule 12): the Timeline of Events reads as the same sentences as the incident page."""

from __future__ import annotations

from warroom.core.templates import builtin

# A Markdown table cell holds one line, and a `|` inside it would end the cell.
TIMELINE_OF_EVENTS = builtin(
    "postmortem.timeline_of_events",
    "| Time (UTC) | Who | What |\n|---|---|---|"
    "{% for row in rows %}\n| {{ row.at }}"
    " | {{ row.who | replace('|', '\\\\|') | replace('\\n', ' ') }}"
    " | {{ row.what | replace('|', '\\\\|') | replace('\\n', ' ') }} |{% endfor %}",
)
