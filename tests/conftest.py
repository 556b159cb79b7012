"""Shared fixtures: a movable clock, a database on SQLite and (when configured) PostgreSQL,
the built-in playbook, the service context and an API client per token role.

Storage tests take the `ctx` fixture and so run once per database: SQLite always, and
PostgreSQL when WARROOM_TEST_DATABASE_URL names one (CI sets it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from warroom.clock import ManualClock
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import load_playbook
from warroom.service.context import Context
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.session import Database

POSTGRES_URL = os.environ.get("WARROOM_TEST_DATABASE_URL")
DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
SEED_DAY = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """Monday 2024-01-15 10:00 UTC, the seed playbook's date, inside business hours."""
    return ManualClock(SEED_DAY)


@pytest.fixture(scope="session")
def playbook() -> Playbook:
    return load_playbook()


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str | None]:
    """Migrate the PostgreSQL test database once per run, from an empty schema."""
    if not POSTGRES_URL:
        yield None
        return
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    yield POSTGRES_URL


@pytest.fixture(params=DATABASES)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_schema: str | None
) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warroom.db'}"
    assert postgres_schema is not None
    _truncate_all(postgres_schema)
    return postgres_schema


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    tables = ", ".join(f'"{name}"' for name in names)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret="test-secret")


@pytest.fixture
def ctx(db: Database, playbook: Playbook, clock: ManualClock, settings: Settings) -> Context:
    return Context(db=db, playbook=playbook, clock=clock, settings=settings)
