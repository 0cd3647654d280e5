"""Fresh databases for a test run: a SQLite file, or a PostgreSQL schema dropped afterwards."""

import os
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(purpose):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        with tempfile.TemporaryDirectory(prefix=f"holme-{purpose}-") as folder:
            yield f"sqlite:///{Path(folder) / 'test.sqlite3'}"
        return
    schema = f"t_{purpose}_{secrets.token_hex(4)}"
    engine = create_engine(base)
    with engine.begin() as connection:
        # Extensions live once per database; in public, every test schema sees the same one.
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


