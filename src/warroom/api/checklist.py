"""Checklist routes (SPEC §3b): an incident's checklist, and ticking or unticking one item."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from warroom.api.deps import ContextDep, Responder, Viewer
from warroom.service.incidents import checklist
from warroom.service.schemas import ChecklistItemOut

router = APIRouter(prefix="/api/v1/incidents", tags=["checklist"])
ItemId = Annotated[str, Path(description="The item's id in the playbook's checklists")]


class TickBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: bool = Field(True, description="true ticks the item, false unticks it")
    at: AwareDatetime | None = Field(None, description="Past UTC time, for retrospective entry")


@router.get("/{reference}/checklist")
def get_checklist(reference: str, ctx: ContextDep, _caller: Viewer) -> list[ChecklistItemOut]:
    """Every item of the playbook's checklists on this incident, in the playbook's order."""
    return ctx.read(checklist.get_checklist, reference)


@router.post("/{reference}/checklist/{item_id}")
def tick(
    reference: str,
    item_id: ItemId,
    ctx: ContextDep,
    caller: Responder,
    body: TickBody | None = None,
) -> list[ChecklistItemOut]:
    """Tick (or, with `done: false`, untick) one item; answers with the whole checklist."""
    body = body or TickBody()
    return ctx.transact(
        checklist.tick, reference, item_id, done=body.done, actor=caller.name, at=body.at
    )
