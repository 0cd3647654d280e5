"""What every database connection is set up with (crm.db): on SQLite, writes wait for the lock; on PostgreSQL,
each statement is planned for its own values."""

from sqlalchemy import text

from crm.db import SQLITE_BUSY_TIMEOUT_MS


def test_each_database_gets_its_connection_settings(db):
    if db.session.get_bind().dialect.name == "sqlite":
        assert db.session.scalar(text("PRAGMA busy_timeout")) == SQLITE_BUSY_TIMEOUT_MS
        assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
        return
    # A generic plan kept for a prepared statement would serve a two-letter company search with the trigram index
    # that only suits longer words.
    assert db.session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
