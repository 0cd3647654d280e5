from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crm.db import include_in_migrations
from crm.extensions import db as _db


def test_migrations_match_the_models(app):
    # A connection of its own, outside any test's transaction: on SQLite that one would hold the write lock.
    with app.app_context(), _db.engine.connect() as connection:
        options = {"compare_type": True, "include_name": include_in_migrations}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, _db.metadata)
    assert differences == []
