"""Timeline events are append-only: the database itself refuses UPDATE and DELETE.

Revision ID: 0007_append_only_timeline
Revises: 0002_timers_outbox
"""

from __future__ import annotations

from alembic import op

revision = "0007_append_only_timeline"
down_revision = "0002_timers_outbox"
branch_labels = None
depends_on = None

MESSAGE = "timeline events are append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION warroom_timeline_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER timeline_events_append_only BEFORE UPDATE OR DELETE
            ON timeline_events FOR EACH ROW EXECUTE FUNCTION warroom_timeline_append_only()
        """)
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER timeline_events_no_{action.lower()} BEFORE {action}
            ON timeline_events BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER timeline_events_append_only ON timeline_events")
        op.execute("DROP FUNCTION warroom_timeline_append_only()")
        return
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER timeline_events_no_{action}")
