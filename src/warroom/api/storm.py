"""Alert storm routes (SPEC §5): splitting one alert group out of a storm incident."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from warroom.api.deps import ContextDep, Responder
from warroom.intake import split as storms
from warroom.intake.split import Split

router = APIRouter(prefix="/api/v1/incidents", tags=["storms"])


class SplitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group_key: str = Field(
        ...,
        min_length=1,
        max_length=10_000,
        description="The group's key, as alert_groups lists it",
    )


@router.post("/{reference}/split", status_code=201)
def split(reference: str, body: SplitBody, ctx: ContextDep, caller: Responder) -> Split:
    """Move an alert group (and its alerts) out of an alert-storm incident into an incident
    of its own, declared and paged as the group alone would have been."""
    return ctx.transact(storms.split, reference, body.group_key, actor=caller.name)
