from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crm.db import include_in_migrations
from crm.extensions import db as _db


def test_migrations_match_the_models(app, db):
    # The test's own connection: on SQLite a second one would wait for the write lock its transaction holds.
    connection = _db.session.connection()
    options = {"compare_type": True, "include_name": include_in_migrations}
    context = MigrationContext.configure(connection, opts=options)
    differences = compare_metadata(context, _db.metadata)
    assert differences == []
