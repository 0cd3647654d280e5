"""Make, check and restore a backup of the whole database (the one the app is configured with)."""

import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from flask import current_app

from config import BASE_DIR
from crm.backups import archive, postgresql, sqlite
from crm.backups.archive import BackupError, Manifest
from crm.extensions import db

#: Tables whose rows `db upgrade` itself writes into a new database (the revision and the seeded lists: working
#: groups, the swap centre's categories and savings factors, the advice cases' partners): a database holding only
#: these is empty.
MIGRATION_ROWS = ("alembic_version", "working_groups", "exchange_categories", "exchange_factors", "case_partners")


def _kind(engine):
    kind = engine.dialect.name
    if kind not in archive.DUMP_NAMES:
        raise BackupError(f"Backup af en {kind}-database understøttes ikke (kun SQLite og PostgreSQL).")
    return kind


def _scripts():
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def _code():
    """The code making the backup: its Git commit when it runs from a checkout, and its newest revision."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=BASE_DIR, capture_output=True,  # noqa: S607
                                text=True, timeout=5, check=False).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"name": current_app.config["APP_NAME"], "commit": commit, "head": _scripts().get_current_head()}


def create_backup(path=None):
    """Back the database up into `path` (default: instance/backups/holme-backup-<UTC time>.zip); the manifest."""
    engine = db.engine
    kind = _kind(engine)
    db.session.remove()  # on SQLite an open session transaction would hold the write lock the copy waits behind
    path = Path(path) if path else archive.default_path(Path(current_app.instance_path) / "backups")
    with tempfile.TemporaryDirectory(prefix="holme-backup-") as folder:
        take = sqlite.snapshot if kind == "sqlite" else postgresql.snapshot
        dump, tables, revision, schema = take(engine, Path(folder))
        if revision is None:
            raise BackupError("Databasen har ingen skemarevision (tabellen alembic_version): kør `flask --app wsgi "
                              "db upgrade` først.")
        manifest = Manifest(kind=kind, schema=schema, revision=revision, tables=tables,
                            created_at=datetime.now(UTC).isoformat(timespec="seconds"), code=_code(),
                            dump_name=archive.DUMP_NAMES[kind], dump_bytes=dump.stat().st_size,
                            dump_sha256=archive.sha256_of(dump))
        archive.write(path, manifest, dump)
    return path, manifest


@dataclass(frozen=True)
class CheckedBackup:
    manifest: Manifest
    dump: Path
    folder: Path
    #: "current" (the code's newest revision), "older" (restore migrates it) or "newer" (unknown to this code)
    revision_state: str

    @property
    def rows(self):
        return sum(self.manifest.tables.values())


def revision_state(revision):
    """How a backup's revision stands to the code's migrations: "current", "older" or "newer" (unknown)."""
    scripts = _scripts()
    if revision == scripts.get_current_head():
        return "current"
    try:
        known = scripts.get_revision(revision) is not None
    except (RevisionError, CommandError):
        known = False
    return "older" if known else "newer"


@contextmanager
def checked(path):
    """Open a backup and check all of it: the manifest, the checksum, every table with its row count, the revision.

    Yields a CheckedBackup whose dump (in a private temporary folder) lives until the block ends; raises
    BackupError with the reason otherwise."""
    if not Path(path).is_file():
        raise BackupError(f"{path}: filen findes ikke.")
    with tempfile.TemporaryDirectory(prefix="holme-restore-") as folder:
        folder = Path(folder)
        manifest, dump = archive.unpack(path, folder)
        if manifest.kind == "sqlite":
            tables, revision = sqlite.contents(dump)
        else:
            tables, revision = postgresql.contents(dump, folder)
        missing = sorted(set(manifest.tables) - set(tables))
        if missing:
            raise BackupError(f"{path}: tabeller fra manifestet mangler i dumpet: {', '.join(missing)}.")
        extra = sorted(set(tables) - set(manifest.tables))
        if extra:
            raise BackupError(f"{path}: dumpet har tabeller, manifestet ikke nævner: {', '.join(extra)}.")
        wrong = [f"{name} ({tables[name]} rækker, manifestet siger {rows})"
                 for name, rows in manifest.tables.items() if tables[name] != rows]
        if wrong:
            raise BackupError(f"{path}: rækkeantal passer ikke med manifestet: {', '.join(wrong)}.")
        if revision != manifest.revision:
            raise BackupError(f"{path}: dumpets skemarevision {revision} er ikke manifestets {manifest.revision}.")
        yield CheckedBackup(manifest, dump, folder, revision_state(manifest.revision))


def newer_message(backup):
    """Why a backup from newer code is refused, and what to do."""
    return (f"Backuppen er fra en nyere version af Holme CRM: dens skemarevision {backup.manifest.revision} kendes "
            f"ikke af denne kode (dens nyeste er {_scripts().get_current_head()}). Opdatér koden, før du gendanner.")


def current_tables():
    """The tables of the configured database and their row counts now (none when it has no tables)."""
    engine = db.engine
    db.session.remove()
    return (sqlite.current if _kind(engine) == "sqlite" else postgresql.current)(engine)


def is_empty(tables):
    """No rows beyond what `db upgrade` writes (a customised working group implies a user, so it counts)."""
    return not any(rows for name, rows in tables.items() if name not in MIGRATION_ROWS)


def restore(backup):
    """Replace the configured database's content with the checked backup's; migrate it when it is older.

    Answers whether it migrated. Refuses (BackupError, nothing touched) a backup from newer code or another kind
    of database."""
    engine = db.engine
    kind = _kind(engine)
    if backup.revision_state == "newer":
        raise BackupError(newer_message(backup))
    if backup.manifest.kind != kind:
        raise BackupError(f"Backuppen er af en {backup.manifest.kind}-database; denne app bruger {kind}. "
                          "Gendan i samme slags database.")
    db.session.remove()
    if kind == "sqlite":
        sqlite.restore(engine, backup.dump)
    else:
        postgresql.restore(engine, backup.dump, backup.manifest, backup.folder)
    if backup.revision_state == "older":
        flask_migrate.upgrade()
        db.engine.dispose()
        return True
    return False
