"""Settings for this CLI run: the environment, overridden by global flags. The root command
starts each run afresh from the environment (`begin_run`), so nothing carries over from one
invocation to the next, in a shell or in a test's CliRunner."""

from __future__ import annotations

from contextvars import ContextVar

from warroom.cli.output import fail
from warroom.core.playbook import PlaybookInvalid
from warroom.service.context import Context, build_context
from warroom.settings import Settings

_this_run: ContextVar[Settings] = ContextVar("warroom_cli_settings")


def begin_run(**flags: object) -> None:
    """The root command's callback: the environment's settings with the global flags."""
    _this_run.set(Settings.from_env().with_overrides(**flags))


def settings() -> Settings:
    found = _this_run.get(None)
    if found is None:
        found = Settings.from_env()
        _this_run.set(found)
    return found


def override(**changes: object) -> None:
    _this_run.set(settings().with_overrides(**changes))


def local_context(migrate: bool = True) -> Context:
    """For commands that work on the database directly (tokens, db, import)."""
    try:
        return build_context(settings(), migrate=migrate)
    except PlaybookInvalid as exc:
        fail(str(exc))
