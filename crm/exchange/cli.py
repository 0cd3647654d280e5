"""`flask exchange digest`: the swap centre's weekly digest of matches (cron runs it once a week)."""

from datetime import date

import click
from flask.cli import AppGroup

from crm.exchange.listings import matches_for_company
from crm.exchange.notifications import iso_week, send_digest
from crm.extensions import db

exchange_cli = AppGroup("exchange", help="Byttecentralen.")


@exchange_cli.command("digest")
def digest_command():
    """Queue this week's digest of matches, one mail per contact who chose it; a second run in the same week
    sends nothing more."""
    today = date.today()
    sent = send_digest(today, matches_for_company)
    db.session.commit()
    click.echo(f"Ugens match ({iso_week(today)}): {sent} mails lagt i udbakken.")
