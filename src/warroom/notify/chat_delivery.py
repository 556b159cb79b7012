"""The chat outbox's delivery loop: claim the rows first in line for their incident,
call Slack outside any transaction, settle each; a post that Slack refuses past its
retries goes to the Teams backup through Apprise instead. Chat off: nothing to do."""

from __future__ import annotations

from sqlalchemy.orm import Session

from warroom.core.chat import MAX_ATTEMPTS, TEAMS_SUBJECT, TEXT_ACTIONS, SlackAccess
from warroom.notify.delivery import Transport, apprise_send
from warroom.notify.slack import NEEDS_CHANNEL, SlackFailed, SlackWarRoom, announcement, web_client
from warroom.service.chat.outcome import Claimed, Performed, claim, settle
from warroom.service.chat.queue import chat_on
from warroom.service.context import Context
from warroom.store.chat_queries import any_post_due

ROUNDS = 50  # claims per drain: an incident's queue is worked through one row a round


def drain_chat(ctx: Context, batch: int = 100, teams: Transport | None = None) -> int:
    """Work the chat outbox until nothing is first in line and due; returns rows handled.
    `teams` sends the backup posts (by default Apprise)."""
    teams = teams or apprise_send
    access = chat_on(ctx)
    if access is None:
        return 0
    room: SlackWarRoom | None = None  # made once there is work: the loop polls often
    handled = 0
    for _ in range(ROUNDS):
        now = ctx.clock.now()
        if not any_post_due(ctx.db, now):
            break
        room = room or SlackWarRoom(web_client(access), ctx.playbook)
        with ctx.db.unit_of_work() as session:
            claimed = claim(ctx, session, now, batch)
        for item in claimed:
            performed = perform(room, access, item, teams)
            with ctx.db.unit_of_work() as session:
                _settle(ctx, session, item, performed)
        handled += len(claimed)
        if not claimed:
            break
    return handled


def perform(room: SlackWarRoom, access: SlackAccess, item: Claimed, teams: Transport) -> Performed:
    """One row against Slack; past the retries (or an error no retry mends) a post goes to
    Teams."""
    if item.action in NEEDS_CHANNEL and item.channel_id is None:
        if item.action in TEXT_ACTIONS:
            return _by_teams(access, item, "no Slack channel", teams)
        return Performed(done=False, final=True, via="skipped", error="no Slack channel")
    try:
        result = room.perform(item)
    except SlackFailed as exc:
        final = not exc.retryable or item.attempts >= MAX_ATTEMPTS
        if final and item.action in TEXT_ACTIONS:
            return _by_teams(access, item, exc.error, teams)
        return Performed(done=False, error=exc.error, retry_after_s=exc.retry_after_s, final=final)
    return Performed(done=True, via="slack", result=result)


def _by_teams(access: SlackAccess, item: Claimed, slack_error: str, teams: Transport) -> Performed:
    if not access.teams_backup:
        return Performed(done=False, final=True, error=f"{slack_error}; no Teams backup")
    text = announcement(item) if item.action == "announce" else item.text
    subject = TEAMS_SUBJECT(reference=item.reference, title=item.title)
    try:
        teams(access.teams_backup, subject, text)
    except Exception as exc:  # a delivery error never stops the worker
        return Performed(done=False, final=True, error=f"{slack_error}; Teams: {exc}")
    return Performed(done=True, via="teams", error=slack_error)


def _settle(ctx: Context, session: Session, item: Claimed, performed: Performed) -> None:
    settle(ctx, session, item, performed, ctx.clock.now())
