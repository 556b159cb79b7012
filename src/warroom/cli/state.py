"""Settings for this CLI run: the environment, overridden by global flags."""

from __future__ import annotations

from warroom.service.context import Context, build_context
from warroom.settings import Settings

_settings: Settings | None = None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings


def override(**changes: object) -> None:
    global _settings
    _settings = settings().with_overrides(**changes)


def local_context(migrate: bool = True) -> Context:
    """For commands that work on the database directly (tokens, db, import)."""
    from warroom.cli.output import fail
    from warroom.core.playbook import PlaybookInvalid

    try:
        return build_context(settings(), migrate=migrate)
    except PlaybookInvalid as exc:
        fail(str(exc))
