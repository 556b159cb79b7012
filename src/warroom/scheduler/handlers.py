"""What each kind of timer does: the one table the scheduler runs due timers from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.service.context import Context
from warroom.service.paging import engine as paging
from warroom.service.post_incident import action_items, improvement_loop, postmortem
from warroom.service.schedules import handoffs
from warroom.store.models import Timer

Handler = Callable[[Session, Context, Timer, datetime], None]

HANDLERS: dict[str, Handler] = {
    paging.TIMER_KIND: paging.run_timer,  # the escalation engine's next wake-up
    postmortem.OVERDUE_TIMER: postmortem.on_postmortem_overdue,
    postmortem.FOLLOW_UP_TIMER: postmortem.on_follow_up_review,
    action_items.OVERDUE_TIMER: action_items.on_action_item_overdue,
    improvement_loop.MONTHLY_REVIEW_TIMER: improvement_loop.on_monthly_review,
    improvement_loop.QUARTERLY_EXERCISE_TIMER: improvement_loop.on_quarterly_exercise,
    improvement_loop.PLAYBOOK_REVIEW_TIMER: improvement_loop.on_playbook_review,
    handoffs.HANDOFF_TIMER: handoffs.on_handoff_notice,
}
