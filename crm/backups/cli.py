"""`flask backup create|verify|restore`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from crm.backups import services
from crm.backups.archive import BackupError

backup_cli = AppGroup("backup", help="Backup af hele databasen: lav, kontrollér og gendan.")

_REVISION_STATES = {
    "current": "den nyeste, som denne kode kender",
    "older": "ældre end koden; databasen migreres efter gendannelsen",
    "newer": "NYERE end koden; kan ikke gendannes med denne version",
}


def _fail(error):
    raise click.ClickException(str(error)) from None


def _describe(backup):
    manifest = backup.manifest
    commit = (manifest.code or {}).get("commit")
    click.echo(f"  lavet:          {manifest.created_at}" + (f" af koden {commit[:12]}" if commit else ""))
    click.echo(f"  database:       {manifest.kind}" + (f", skema {manifest.schema}" if manifest.schema else ""))
    click.echo(f"  skemarevision:  {manifest.revision} ({_REVISION_STATES[backup.revision_state]})")
    click.echo(f"  indhold:        {len(manifest.tables)} tabeller, {backup.rows} rækker, "
               f"dump på {manifest.dump_bytes} bytes (SHA-256 passer)")


@backup_cli.command("create")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Backupfilen; standard: instance/backups/holme-backup-<tidspunkt i UTC>.zip.")
def create_command(output):
    """Back the whole database up into one file (safe while the app runs)."""
    try:
        path, manifest = services.create_backup(output)
    except BackupError as error:
        _fail(error)
    click.echo(f"Backup skrevet: {path}")
    click.echo(f"  {manifest.kind}, skemarevision {manifest.revision}, {len(manifest.tables)} tabeller, "
               f"{sum(manifest.tables.values())} rækker. Filen rummer persondata: opbevar den beskyttet.")


@backup_cli.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify_command(file):
    """Check that a backup is whole: manifest, checksum, every table and its row count, a revision this code knows."""
    try:
        with services.checked(file) as backup:
            if backup.revision_state == "newer":
                _fail(services.newer_message(backup))
            click.echo(f"Backuppen er hel: {file}")
            _describe(backup)
    except BackupError as error:
        _fail(error)


def _comparison(now, backup):
    click.echo(f"  {'tabel':<32} {'nu':>9} {'i backup':>9}")
    for name in sorted(set(now) | set(backup.manifest.tables)):
        rows_now = now.get(name, "-")
        rows_then = backup.manifest.tables.get(name, "-")
        click.echo(f"  {name:<32} {rows_now:>9} {rows_then:>9}")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Erstat indholdet af en database, der ikke er tom.")
def restore_command(file, yes):
    """Restore a backup into the configured database: an empty one, or with --yes one whose content it replaces."""
    try:
        with services.checked(file) as backup:
            click.echo(f"Backuppen er kontrolleret og hel: {file}")
            _describe(backup)
            if backup.revision_state == "newer":
                _fail(services.newer_message(backup))
            now = services.current_tables()
            if not services.is_empty(now):
                click.echo(f"Databasen er ikke tom. Gendannelsen erstatter alle {len(now)} tabeller "
                           f"({sum(now.values())} rækker nu) med backuppens ({backup.rows} rækker):")
                _comparison(now, backup)
                if not yes:
                    _fail("Intet er ændret. Kør igen med --yes for at erstatte databasens indhold med backuppen.")
            migrated = services.restore(backup)
    except BackupError as error:
        _fail(error)
    click.echo("Gendannet." + (" Databasen er migreret til kodens nyeste skemarevision." if migrated else ""))
