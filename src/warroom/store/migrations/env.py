"""Alembic environment: runs on the engine warroom hands it, one migrator at a time."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import warroom.store.post_models  # post-incident tables into the metadata
import warroom.store.report_models  # (and the kept reports)
import warroom.store.schedule_models  # noqa: F401  (and the schedules: one F401 for all three)
from warroom.store.models import Base

MIGRATION_LOCK_ID = 7_261_100  # PostgreSQL advisory lock: concurrent starts migrate once

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    is_postgres = connection.dialect.name == "postgresql"
    if is_postgres:
        connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
        connection.commit()
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if is_postgres:
            connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"))
            connection.commit()
