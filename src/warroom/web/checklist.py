"""The incident page's checklist: a form per item ticks or unticks it, posted with the
page's CSRF token and redirected back (post/redirect/get), as every UI action is."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from warroom.api.deps import ContextDep
from warroom.core.timeline_text import sentence
from warroom.errors import WarroomError
from warroom.service.checklist_ticks import CHECKLIST_TICKED
from warroom.service.incidents import checklist
from warroom.web.sessions import UiPost

router = APIRouter(include_in_schema=False)


@router.post("/ui/incidents/{reference}/checklist/{item_id}")
def tick(reference: str, item_id: str, ctx: ContextDep, post: UiPost) -> Response:
    """The form's `done` is `true` to tick, `false` to untick."""
    page = f"/ui/incidents/{quote(reference)}"
    done = post.form.get("done", "true") != "false"
    actor = post.session.caller.name
    try:
        post.session.caller.require("responder")
        items = ctx.transact(checklist.tick, reference, item_id, done=done, actor=actor)
    except WarroomError as exc:
        return RedirectResponse(f"{page}?problem={quote(exc.message)}#checklist", 303)
    text = next(item.text for item in items if item.id == item_id)
    said = sentence(ctx.playbook, CHECKLIST_TICKED, actor, {"text": text, "done": done})
    return RedirectResponse(f"{page}?flash={quote(said)}#checklist", 303)
