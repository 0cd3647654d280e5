"""PostgreSQL: `pg_dump --format=custom` of the app's schema, in the same snapshot as the row counts; restored
with psql in one transaction that replaces the schema's tables (rolled back whole on any error)."""

import os
import re
import subprocess
from pathlib import Path

from sqlalchemy import column, func, select, table, text

from crm.backups.archive import BackupError

#: pg_restore's table of contents: an entry that creates a schema ("5; 2615 2200 SCHEMA - public owner").
_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ SCHEMA ")
_COPY = re.compile(r'^COPY (?:"(?:[^"]|"")+"|[^ ."]+)\.("(?:[^"]|"")+"|[^ ."]+) ')


def _identifier(name):
    return '"' + name.replace('"', '""') + '"'


def _literal(value):
    return "'" + value.replace("'", "''") + "'"


def _unquote(name):
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def _client(engine):
    """The libpq address (every setting of the URL, the search_path option too) and the password in the
    environment, never on a command line that `ps` shows."""
    url = engine.url
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return address, environment


def _run(command, environment, what):
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} findes ikke på maskinen; installér PostgreSQL's klientprogrammer "
                          "i samme hovedversion som serveren.") from None
    if done.returncode:
        raise BackupError(f"{what} ({command[0]}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def _schema(connection):
    schema = connection.scalar(text("SELECT current_schema()"))
    if schema is None:
        raise BackupError("Ingen af skemaerne i databasens search_path findes; opret skemaet først.")
    return schema


def _tables(connection, schema):
    names = connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY 1"),
                               {"schema": schema}).all()
    return {name: connection.scalar(select(func.count()).select_from(table(name, schema=schema))) for name in names}


def snapshot(engine, folder):
    """Dump the app's schema into `folder`; answer (dump path, tables, revision, schema), all of one snapshot."""
    dump = Path(folder) / "database.pgdump"
    address, environment = _client(engine)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        exported = connection.scalar(text("SELECT pg_export_snapshot()"))
        schema = _schema(connection)
        tables = _tables(connection, schema)
        revision = None
        if "alembic_version" in tables:
            versions = table("alembic_version", column("version_num"), schema=schema)
            revision = connection.scalar(select(versions.c.version_num))
        _run(["pg_dump", "--format=custom", f"--schema={_identifier(schema)}", f"--snapshot={exported}",
              f"--file={dump}", address], environment, "Backuppen mislykkedes")
    return dump, tables, revision, schema


def restore_script(dump, folder):
    """The SQL that recreates the dump's tables and data (psql's input), without the dump's CREATE SCHEMA."""
    environment = dict(os.environ)
    listing = _run(["pg_restore", "--list", str(dump)], environment, "pg_dump-filen kan ikke læses")
    chosen = Path(folder) / "restore.list"
    chosen.write_text("".join(line for line in listing.splitlines(keepends=True) if not _SCHEMA_ENTRY.match(line)))
    script = Path(folder) / "restore.sql"
    _run(["pg_restore", "--no-owner", "--no-privileges", "--no-comments", f"--use-list={chosen}",
          f"--file={script}", str(dump)], environment, "pg_dump-filen kan ikke læses")
    return script


def contents(dump, folder):
    """The tables, row counts and revision in a dump: its COPY blocks read line by line (one line per row)."""
    tables, revision, table = {}, None, None
    with open(restore_script(dump, folder), encoding="utf-8") as script:
        for line in script:
            if table is not None:
                if line == "\\.\n":
                    table = None
                    continue
                tables[table] += 1
                if table == "alembic_version":
                    revision = line.rstrip("\n")
            elif (copy := _COPY.match(line)) is not None:
                table = _unquote(copy.group(1))
                tables[table] = 0
    if table is not None:
        raise BackupError("pg_dump-filen slutter midt i en tabels data.")
    return tables, revision


def current(engine):
    """The tables and row counts of the app's schema now."""
    with engine.connect() as connection:
        return _tables(connection, _schema(connection))


def _schema_exists(engine, schema):
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :name"), {"name": schema}) > 0


def schema_of(engine):
    with engine.connect() as connection:
        return _schema(connection)


def restore(engine, dump, manifest, folder):
    """Replace every table of the app's schema with the dump's, in one psql transaction."""
    target = schema_of(engine)
    source = manifest.schema or target
    if source != target and _schema_exists(engine, source):
        raise BackupError(f"Backuppen er taget af skemaet {source}, som også findes i denne database ved siden af "
                          f"appens skema {target}; gendan i en database uden skemaet {source}.")
    script = restore_script(dump, folder)
    prelude = [
        "SET client_min_messages = warning;",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;",  # as the migrations do: the company search's index needs it
        f"CREATE SCHEMA IF NOT EXISTS {_identifier(target)};",
        _drop_everything_in(target),
    ]
    postlude = []
    if source != target:  # the dump names its own schema: restore there, then move each table over
        prelude.append(f"CREATE SCHEMA {_identifier(source)};")
        postlude = [_move_tables(source, target), f"DROP SCHEMA {_identifier(source)};"]
    (Path(folder) / "prelude.sql").write_text("\n".join(prelude) + "\n")
    (Path(folder) / "postlude.sql").write_text("\n".join(postlude) + "\n")
    address, environment = _client(engine)
    engine.dispose()  # our own pooled connections hold no lock the restore waits for
    _run(["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
          f"--file={Path(folder) / 'prelude.sql'}", f"--file={script}", f"--file={Path(folder) / 'postlude.sql'}",
          f"--dbname={address}"], environment,
         "Gendannelsen mislykkedes, og databasen er uændret (alt blev rullet tilbage)")


#: Drop every table and sequence of the schema :schema (the schema itself and its extensions stay).
_DROP_EVERYTHING = """DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = :schema LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', :schema, item.tablename);
  END LOOP;
  FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = :schema LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', :schema, item.sequencename);
  END LOOP;
END $$;"""
#: Move every table of :source, with its indexes, constraints and sequences, into :target.
_MOVE_TABLES = """DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = :source LOOP
    EXECUTE format('ALTER TABLE %I.%I SET SCHEMA %I', :source, item.tablename, :target);
  END LOOP;
END $$;"""


def _drop_everything_in(schema):
    return _DROP_EVERYTHING.replace(":schema", _literal(schema))


def _move_tables(source, target):
    return _MOVE_TABLES.replace(":source", _literal(source)).replace(":target", _literal(target))
