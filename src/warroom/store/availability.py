"""Whether a database error means "the database is unavailable" (down, unreachable, refusing
writes) rather than a bug, and the database's own words for it."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# PostgreSQL reports a read-only transaction (default_transaction_read_only, a hot standby)
# as an "invalid transaction state", which SQLAlchemy files under InternalError
READ_ONLY_SQLSTATE = "25006"


def is_unavailable(exc: BaseException) -> bool:
    """Down, unreachable, out of connections, locked or read-only: a client may retry."""
    if isinstance(exc, OperationalError | DisconnectionError | PoolTimeout):
        return True
    if isinstance(exc, InternalError):
        return getattr(exc.orig, "sqlstate", None) == READ_ONLY_SQLSTATE
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def database_message(exc: BaseException) -> str:
    """The driver's message (`attempt to write a readonly database`), on one line, without
    SQLAlchemy's SQL echo and documentation link."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
