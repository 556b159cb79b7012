"""Web UI sessions through the service: sign in, resume, sign out, expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from warroom.clock import ManualClock
from warroom.core.ui_sessions import IDLE
from warroom.errors import Unauthorized
from warroom.service.context import Context
from warroom.service.tokens import create_token
from warroom.service.ui_sessions import renew, resume, sign_in, sign_out
from warroom.store.models import UiSession


def _stored(ctx: Context) -> int:
    with ctx.db.reader() as session:
        return int(session.execute(select(func.count()).select_from(UiSession)).scalar_one())


def test_a_session_acts_as_its_token_until_signed_out(ctx: Context) -> None:
    session_id = ctx.transact(sign_in, ctx.transact(create_token, "on-call", "responder"))
    assert ctx.read(resume, session_id).caller.name == "on-call"
    ctx.transact(sign_out, session_id)
    with pytest.raises(Unauthorized):
        ctx.read(resume, session_id)


def test_signing_in_with_an_unknown_token_opens_no_session(ctx: Context) -> None:
    with pytest.raises(Unauthorized):
        ctx.transact(sign_in, "wr_not-a-token")
    assert _stored(ctx) == 0


def test_signing_in_clears_away_sessions_that_have_expired(
    ctx: Context, clock: ManualClock
) -> None:
    token = ctx.transact(create_token, "on-call", "responder")
    ctx.transact(sign_in, token)
    clock.advance(timedelta(hours=13))
    ctx.transact(sign_in, token)
    assert _stored(ctx) == 1


def test_resuming_only_reads_and_names_the_later_idle_deadline_renew_writes(
    ctx: Context, clock: ManualClock
) -> None:
    session_id = ctx.transact(sign_in, ctx.transact(create_token, "on-call", "responder"))
    assert ctx.read(resume, session_id).renew_until is None
    clock.advance(timedelta(minutes=10))
    due = ctx.read(resume, session_id)
    assert due.renew_until == clock.now() + IDLE
    assert ctx.read(resume, session_id).renew_until == due.renew_until, "nothing written"
    ctx.transact(renew, session_id, due.renew_until)
    assert ctx.read(resume, session_id).renew_until is None
