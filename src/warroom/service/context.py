"""What every service function needs: the database, the playbook and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from warroom.clock import Clock, SystemClock
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import load_playbook
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.session import Database


@dataclass
class Context:
    db: Database
    playbook: Playbook
    clock: Clock
    settings: Settings


def build_context(
    settings: Settings, *, clock: Clock | None = None, migrate: bool = True
) -> Context:
    """Wire the app from settings: load and check the playbook, open and migrate the database."""
    playbook = load_playbook(settings.playbook_path)
    db = Database(settings.database_url)
    if migrate:
        upgrade(db.engine)
    return Context(db=db, playbook=playbook, clock=clock or SystemClock(), settings=settings)
