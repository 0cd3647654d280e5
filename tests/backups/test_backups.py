"""`flask backup create|verify|restore` on the demo network, on SQLite and PostgreSQL (TEST_DATABASE_URL).

The demo is loaded and backed up once for the module, on a database of its own (the commands commit); each test
brings the database to the state it needs and compares every table, row by row, with the state at the backup."""

import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, inspect, select, text, update

from crm.backups import services
from crm.companies.models import Activity, Company, Contact
from crm.companies.search import CompanyFilters, company_statement
from crm.contributions.models import Payment
from crm.extensions import db as _db
from crm.meetings.models import Attendance
from tests.conftest import make_app
from tests.databases import scratch_database


@dataclass
class Demo:
    app: object
    backup: Path
    rows: dict  #: every table's rows at the moment of the backup
    created: str  #: what `backup create` printed
    folder: Path


def invoke(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["backup", *args])


def every_row():
    """Every table of the database, its rows in primary-key order (the revision table included)."""
    _db.session.remove()
    names = set(services.current_tables())
    tables = {table.name: table for table in _db.metadata.sorted_tables}
    assert names == set(tables) | {"alembic_version"}, "the comparison covers every table of the database"
    rows = {name: _db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            for name, table in tables.items()}
    rows["alembic_version"] = _db.session.execute(text("SELECT version_num FROM alembic_version")).all()
    _db.session.remove()
    return rows


def differences(rows, expected):
    return sorted(name for name in expected if rows.get(name) != expected[name])


def change_data():
    """What a bad day does: rows deleted and altered in several tables, and a company renamed."""
    first = _db.session.scalar(select(Company).order_by(Company.id).limit(1))
    _db.session.execute(delete(Payment))
    _db.session.execute(delete(Attendance).where(Attendance.id % 2 == 0))
    _db.session.execute(delete(Activity).where(Activity.id % 3 == 0))
    _db.session.execute(update(Contact).values(phone="00000000"))
    _db.session.execute(update(Company).where(Company.id == first.id)
                        .values(name="Omdøbt Ved En Fejl ApS", search_text="omdøbt ved en fejl aps"))
    _db.session.commit()
    _db.session.remove()


def found(words):
    found = _db.session.scalars(company_statement(CompanyFilters(q=words))).all()
    _db.session.remove()
    return [company.name for company in found]


def head():
    return services._scripts().get_current_head()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with scratch_database("backup") as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            loaded = app.test_cli_runner().invoke(args=["demo", "load"])
            assert loaded.exit_code == 0, loaded.output
            _db.session.remove()
            folder = tmp_path_factory.mktemp("backups")
            created = invoke(app, "create", "-o", str(folder / "demo.zip"))
            assert created.exit_code == 0, created.output
            yield Demo(app, folder / "demo.zip", every_row(), created.output, folder)
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def changed(demo):
    """The demo database after a bad day (unlike the backup), with its rows."""
    with demo.app.app_context():
        restored = invoke(demo.app, "restore", str(demo.backup), "--yes")
        assert restored.exit_code == 0, restored.output
        change_data()
        rows = every_row()
        assert differences(rows, demo.rows) == ["activities", "attendances", "companies", "contacts", "payments"]
        return rows


def test_a_backup_carries_the_revision_and_every_table_and_verifies(demo):
    assert "Backup skrevet" in demo.created and "persondata" in demo.created
    with zipfile.ZipFile(demo.backup) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["revision"] == head()
    assert manifest["tables"] == {name: len(rows) for name, rows in demo.rows.items()}
    assert manifest["tables"]["companies"] == 394 and manifest["database"]["kind"] == _db.engine.dialect.name
    assert oct(demo.backup.stat().st_mode & 0o777) == "0o600", "personal data: only its owner reads the file"
    verified = invoke(demo.app, "verify", str(demo.backup))
    assert verified.exit_code == 0, verified.output
    assert "Backuppen er hel" in verified.output and f"{len(demo.rows)} tabeller" in verified.output


def test_create_without_a_file_name_writes_a_dated_file_under_instance_backups(demo, tmp_path):
    demo.app.instance_path = str(tmp_path)
    created = invoke(demo.app, "create")
    assert created.exit_code == 0, created.output
    [written] = (tmp_path / "backups").iterdir()
    assert written.name.startswith("holme-backup-") and written.suffix == ".zip"
    assert str(written) in created.output
    assert invoke(demo.app, "verify", str(written)).exit_code == 0


def test_restore_brings_back_every_row_and_the_search(demo, changed):
    with demo.app.app_context():
        assert found("omdøbt fejl") == ["Omdøbt Ved En Fejl ApS"]
        refused = invoke(demo.app, "restore", str(demo.backup))
        assert refused.exit_code != 0
        assert "ikke tom" in refused.output and "--yes" in refused.output
        payments = len(demo.rows["payments"])
        assert re.search(rf"payments +0 +{payments}\n", refused.output), "what will be replaced: rows now, in backup"
        assert differences(every_row(), changed) == [], "refused: nothing changed"

        restored = invoke(demo.app, "restore", str(demo.backup), "--yes")
        assert restored.exit_code == 0, restored.output
        assert "Gendannet." in restored.output
        assert differences(every_row(), demo.rows) == []
        assert found("omdøbt fejl") == []
        original = demo.rows["companies"][0].name
        assert original in found(original), "the search index came back with the companies"


def _truncated(source, target):
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 2])


def _flipped(source, target):
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))


def _rewritten(source, target, change):
    """A well-formed ZIP whose manifest or dump was changed after the backup was made."""
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        dump = archive.read(manifest["dump"]["name"])
    manifest, dump = change(manifest, dump)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr(manifest["dump"]["name"], dump)


def _wrong_count(manifest, dump):
    manifest["tables"]["companies"] += 1
    return manifest, dump


def _other_dump(manifest, dump):
    return manifest, dump[: len(dump) // 2] + b"\0" * (len(dump) - len(dump) // 2)


def _garbage_with_its_checksum(manifest, dump):
    import hashlib

    garbage = b"not a database" * 1000
    manifest["dump"].update(bytes=len(garbage), sha256=hashlib.sha256(garbage).hexdigest())
    return manifest, garbage


DAMAGES = {
    "truncated": (_truncated, "beskadiget, afkortet"),
    "a flipped byte": (_flipped, "beskadiget"),
    "a row count that does not match": (lambda s, t: _rewritten(s, t, _wrong_count), "rækkeantal passer ikke"),
    "a dump that does not match its checksum": (lambda s, t: _rewritten(s, t, _other_dump), "kontrolsummen passer"),
    "a dump that is no database": (lambda s, t: _rewritten(s, t, _garbage_with_its_checksum), "kan ikke læses"),
    "not a backup at all": (lambda s, t: shutil.copy(Path(__file__), t), "ikke en gyldig backupfil"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_backup_is_refused_with_the_reason_and_the_database_stays_as_it_was(demo, changed, damage, tmp_path):
    spoil, reason = DAMAGES[damage]
    damaged = tmp_path / "damaged.zip"
    spoil(demo.backup, damaged)
    for command in (["verify", str(damaged)], ["restore", str(damaged), "--yes"]):
        result = invoke(demo.app, *command)
        assert result.exit_code != 0, result.output
        assert reason in result.output, result.output
        assert "Gendannet" not in result.output
    with demo.app.app_context():
        assert differences(every_row(), changed) == []


def test_a_backup_from_newer_code_is_refused(demo, changed):
    with demo.app.app_context():
        _db.session.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe1234'"))
        _db.session.commit()
        newer = invoke(demo.app, "create", "-o", str(demo.folder / "newer.zip"))
        _db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head()})
        _db.session.commit()
        assert newer.exit_code == 0, newer.output
        for command in (["verify"], ["restore", "--yes"]):
            result = invoke(demo.app, command[0], str(demo.folder / "newer.zip"), *command[1:])
            assert result.exit_code != 0
            assert "nyere version" in result.output and "f00dcafe1234" in result.output
        assert differences(every_row(), changed) == []


def test_a_backup_from_an_older_revision_is_restored_and_migrated(demo, changed):
    with demo.app.app_context():
        _db.engine.dispose()
        downgrade(revision="-1")
        _db.engine.dispose()
        older_columns = {name: [column["name"] for column in inspect(_db.engine).get_columns(name)]
                         for name in ("companies", "contacts")}
        older = invoke(demo.app, "create", "-o", str(demo.folder / "older.zip"))
        assert older.exit_code == 0, older.output
        upgrade()
        _db.engine.dispose()
        verified = invoke(demo.app, "verify", str(demo.folder / "older.zip"))
        assert verified.exit_code == 0 and "ældre end koden" in verified.output

        restored = invoke(demo.app, "restore", str(demo.folder / "older.zip"), "--yes")
        assert restored.exit_code == 0, restored.output
        assert "migreret til kodens nyeste skemarevision" in restored.output
        rows = every_row()
        assert rows["alembic_version"] == [(head(),)]
        with zipfile.ZipFile(demo.folder / "older.zip") as archive:
            manifest = json.loads(archive.read("manifest.json"))
        assert manifest["revision"] != head()
        assert {name: len(rows[name]) for name in manifest["tables"] if name != "alembic_version"} == {
            name: count for name, count in manifest["tables"].items() if name != "alembic_version"}
        for name, columns in older_columns.items():  # what the older revision held comes back as it was
            assert as_of(rows[name], columns) == as_of(changed[name], columns), name


def as_of(rows, columns):
    """The rows with only these columns (a newer revision's columns hold their defaults after a migration)."""
    return [tuple(row._mapping[column] for column in columns) for row in rows]


def empty_the_database():
    """A database with no tables: a new SQLite file, or on PostgreSQL the app's schema dropped and made again."""
    _db.session.remove()
    engine = _db.engine
    if engine.dialect.name == "sqlite":
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(engine.url.database + suffix).unlink(missing_ok=True)
    else:
        with engine.begin() as connection:
            schema = connection.scalar(text("SELECT current_schema()"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    assert services.current_tables() == {}


def test_a_backup_restores_into_an_empty_database_without_asking(demo):
    with demo.app.app_context():
        empty_the_database()
        upgrade()  # as an operator sets up a new server: `db upgrade`, then `backup restore`
        _db.engine.dispose()
        restored = invoke(demo.app, "restore", str(demo.backup))
        assert restored.exit_code == 0, restored.output
        assert "ikke tom" not in restored.output
        assert differences(every_row(), demo.rows) == []


def test_a_backup_restores_into_a_database_with_no_tables_at_all(demo):
    with demo.app.app_context():
        empty_the_database()
        restored = invoke(demo.app, "restore", str(demo.backup))
        assert restored.exit_code == 0, restored.output
        assert differences(every_row(), demo.rows) == []


def test_a_backup_of_another_database_replaces_this_ones_content(demo, tmp_path):
    """On PostgreSQL the other database's schema has another name: its tables move into this app's schema."""
    with scratch_database("other") as url:
        other = make_app(url)
        with other.app_context():
            upgrade()
            _db.engine.dispose()
            made = invoke(other, "create", "-o", str(tmp_path / "other.zip"))
            assert made.exit_code == 0, made.output
            _db.engine.dispose()
    with demo.app.app_context():
        restored = invoke(demo.app, "restore", str(tmp_path / "other.zip"), "--yes")
        assert restored.exit_code == 0, restored.output
        rows = every_row()
        assert rows["companies"] == [] and len(rows["working_groups"]) == len(demo.rows["working_groups"])
        assert services.current_tables() == json.loads(
            zipfile.ZipFile(tmp_path / "other.zip").read("manifest.json"))["tables"]
