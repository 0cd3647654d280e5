"""`flask retention run [--dry-run]`: anonymise and delete what is past its retention period."""

import getpass
import sys

import click
from flask.cli import AppGroup

from crm.audit import retention
from crm.db import utcnow
from crm.extensions import db

retention_cli = AppGroup("retention", help="Opbevaring: anonymisér og slet det, der er ældre end sin periode.")


def _operator():
    """The operating-system user running the command (cron and systemd run it as the service's user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "ukendt"


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Vis, hvad der ville blive anonymiseret og slettet, uden at ændre noget.")
def run_command(dry_run):
    """Anonymise and delete, kind by kind, what is past its retention period; each kind is committed by itself."""
    now = utcnow()
    run = retention.start_run(dry_run=dry_run, started_by=_operator(), scheduled=not sys.stdin.isatty())
    db.session.commit()
    click.echo("Prøvekørsel: intet ændres. En kørsel nu ville:" if dry_run else "Opbevaring:")
    for task in retention.tasks():
        count = retention.run_task(task, now, apply=not dry_run)
        if dry_run:
            db.session.rollback()
        retention.note_count(run, task, count)
        db.session.commit()
        click.echo(f"  {task.kind}: {count} – {task.label} ({retention.period_text(task)}; {task.action})")
    retention.finish_run(run)
    db.session.commit()
    total = sum(run.counts.values())
    if dry_run:
        click.echo(f"I alt {total}; kør uden --dry-run for at gøre det.")
    else:
        click.echo(f"I alt {total}. Kørslen er gemt og vises for administratorer under Log > Opbevaring.")
