"""The post-mortem draft's words that come from the timeline and the resolution, as
sandboxed templates (DESIGN rule 12): the Timeline of Events reads as the same sentences
as the incident page, and the resolution's prevention is carried into the analysis and
proposed as an action item until someone owns it."""

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
PREVENTION = builtin(
    "postmortem.prevention",
    "**Prevention (proposed at resolution):** {{ prevention }}",
)
PROPOSED_ACTION_ITEM = builtin(
    "postmortem.proposed_action_item",
    "**Proposed at resolution:** {{ prevention }} — not yet an action item: give it an owner"
    " and a due date.",
)
