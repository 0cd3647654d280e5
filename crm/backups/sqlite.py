"""SQLite: a copy through the online backup API (consistent while the app writes), restored the same way."""

import sqlite3
from contextlib import closing

from crm.backups.archive import BackupError
from crm.db import UNMANAGED_PREFIXES


def database_path(engine):
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise BackupError("Databasen ligger ikke i en fil; en SQLite-backup kræver en databasefil.")
    return path


def tables_and_revision(connection):
    """Every table with its row count, and the schema revision, as one connection sees them.

    The search index (company_search*) is left out: the database keeps it from the companies table, and the
    copy carries it along."""
    names = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name")
        if not name.startswith(UNMANAGED_PREFIXES)]
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    tables = {name: connection.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]  # noqa: S608
              for name in names}
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return tables, revision


def snapshot(engine, folder):
    """Copy the live database into `folder`; answer (dump path, tables, revision, schema)."""
    database_path(engine)
    dump = folder / "database.sqlite3"
    raw = engine.raw_connection()  # the app's settings: the busy timeout waits for a writer to finish
    try:
        with closing(sqlite3.connect(dump)) as copy:
            raw.driver_connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            tables, revision = tables_and_revision(copy)
    finally:
        raw.close()
    return dump, tables, revision, None


def _open_dump(dump):
    return closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True))


def contents(dump):
    """The tables, row counts and revision in a dump, after SQLite's own integrity check of every page."""
    try:
        with _open_dump(dump) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"SQLite-dumpet er beskadiget: {'; '.join(problems[:5])}")
            return tables_and_revision(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"SQLite-dumpet kan ikke læses: {error}") from None


def current(engine):
    """The tables and row counts of the database now."""
    with closing(engine.raw_connection()) as raw:
        return tables_and_revision(raw.driver_connection)[0]


def restore(engine, dump):
    """Replace the database's content with the dump's, page by page, in one write transaction (SQLite's backup
    API into the live file: a reader sees the old database or the new one, never a mix)."""
    database_path(engine)
    raw = engine.raw_connection()
    try:
        with _open_dump(dump) as source:
            source.backup(raw.driver_connection)
    except sqlite3.Error as error:
        raise BackupError(f"Gendannelsen mislykkedes, databasen er uændret: {error}") from None
    finally:
        raw.close()
        engine.dispose()
