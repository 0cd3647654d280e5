"""The backup file: a ZIP of `manifest.json` and the dump, written whole or not at all, and read back only when
every part of it checks out."""

import hashlib
import json
import os
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FORMAT = "holme-crm-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup that cannot be made, read or restored; the message says why, in the operator's words."""


@dataclass(frozen=True)
class Manifest:
    kind: str  #: "sqlite" or "postgresql"
    revision: str  #: the Alembic revision of the database when it was backed up
    tables: dict  #: table name -> row count at the moment of the backup
    created_at: str  #: ISO 8601, UTC
    dump_name: str
    dump_bytes: int
    dump_sha256: str
    schema: str | None = None  #: PostgreSQL: the schema the tables lived in
    code: dict | None = None  #: the code that made it: its Git commit (when known) and its newest revision

    def as_json(self):
        return json.dumps({
            "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": self.created_at,
            "code": self.code or {}, "database": {"kind": self.kind, "schema": self.schema},
            "revision": self.revision, "tables": self.tables,
            "dump": {"name": self.dump_name, "bytes": self.dump_bytes, "sha256": self.dump_sha256},
        }, indent=2, ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_json(cls, data):
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise BackupError("Filen er ikke en Holme CRM-backup (manifestet mangler formatets navn).")
            if raw.get("format_version") != FORMAT_VERSION:
                raise BackupError(f"Backupformat {raw.get('format_version')!r} kendes ikke af denne version "
                                  f"(den læser format {FORMAT_VERSION}).")
            dump, database = raw["dump"], raw["database"]
            tables = {str(name): int(rows) for name, rows in raw["tables"].items()}
            return cls(kind=database["kind"], schema=database.get("schema"), revision=str(raw["revision"]),
                       tables=tables, created_at=raw["created_at"], code=raw.get("code"),
                       dump_name=dump["name"], dump_bytes=int(dump["bytes"]), dump_sha256=dump["sha256"])
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"Backuppens manifest kan ikke læses ({error}).") from None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_path(folder):
    """instance/backups/holme-backup-20261202-101500.zip (UTC), in a folder only its owner can read."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"holme-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.zip"


def write(path, manifest, dump_path):
    """Write the backup to `path` through a temporary file beside it, so a half-written one never has its name."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: the owner only
    try:
        with os.fdopen(fd, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, manifest.as_json())
            archive.write(dump_path, manifest.dump_name)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def unpack(path, folder):
    """The manifest, and the dump extracted into `folder` once its size and SHA-256 match the manifest's."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if MANIFEST not in names:
                raise BackupError(f"{path}: ikke en Holme CRM-backup (ingen {MANIFEST}).")
            manifest = Manifest.from_json(archive.read(MANIFEST))
            if manifest.kind not in DUMP_NAMES or manifest.dump_name != DUMP_NAMES[manifest.kind]:
                raise BackupError(f"{path}: ukendt databasetype {manifest.kind!r} i manifestet.")
            if manifest.dump_name not in names:
                raise BackupError(f"{path}: databasedumpet {manifest.dump_name} mangler i filen.")
            dump = Path(folder) / manifest.dump_name
            with archive.open(manifest.dump_name) as source, open(dump, "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    except zipfile.BadZipFile as error:
        raise BackupError(f"{path}: ikke en gyldig backupfil: den er beskadiget, afkortet eller ikke en backup "
                          f"({error}).") from None
    except (EOFError, OSError, zlib.error) as error:
        raise BackupError(f"{path}: filen kan ikke læses helt: den er beskadiget eller afkortet ({error}).") from None
    size, digest = dump.stat().st_size, sha256_of(dump)
    if size != manifest.dump_bytes or digest != manifest.dump_sha256:
        raise BackupError(f"{path}: kontrolsummen passer ikke: dumpet er {size} bytes med SHA-256 {digest}, "
                          f"manifestet siger {manifest.dump_bytes} bytes med {manifest.dump_sha256}. "
                          "Filen er beskadiget.")
    return manifest, dump

